"""The planning request as plain, immutable dataclasses.

Quantities are held in exact integer units so that the model, the validator, the greedy baseline and
the exhaustive search all compute the same numbers: weekly effort in quarter hours, money in cents,
target weights in thousandths. `solver.request` converts the public JSON format into these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

KINDS = ("course", "mentorship", "stretch", "certification", "shadowing", "peer_group")

QUARTERS_PER_HOUR = 4
CENTS_PER_UNIT = 100
MILLI_PER_WEIGHT = 1000


@dataclass(frozen=True)
class Skill:
    """A skill with levels 1..max_level (0 means none)."""

    id: str
    max_level: int


@dataclass(frozen=True)
class Activity:
    """A catalog item a learner can take at most once."""

    id: str
    kind: str
    duration_weeks: int
    quarter_hours: int  # weekly effort, in quarter hours
    cost_cents: int
    grants: Mapping[str, int] = field(default_factory=dict)
    requires_skills: Mapping[str, int] = field(default_factory=dict)
    requires_activities: tuple[str, ...] = ()
    start_weeks: tuple[int, ...] | None = None  # cohort starts; None = any week
    earliest_start: int = 0
    latest_end: int | None = None
    seats: int | None = None  # per cohort with start_weeks, else learners active at once
    mentors: tuple[str, ...] = ()

    @property
    def needs_mentor(self) -> bool:
        """Mentorships (and anything listing mentors) take exactly one eligible mentor."""
        return self.kind == "mentorship" or bool(self.mentors)


@dataclass(frozen=True)
class Booking:
    """Mentees a mentor already has in weeks from_week .. to_week-1."""

    from_week: int
    to_week: int
    mentees: int


@dataclass(frozen=True)
class Mentor:
    """A mentor who can take `capacity` mentees at once, less what is already booked."""

    id: str
    capacity: int
    booked: tuple[Booking, ...] = ()

    def free(self, week: int) -> int:
        """Mentee places still open in `week` (never below zero)."""
        taken = sum(b.mentees for b in self.booked if b.from_week <= week < b.to_week)
        return max(0, self.capacity - taken)


@dataclass(frozen=True)
class Target:
    """A required level in one skill and how much closing it matters."""

    level: int
    weight_milli: int


@dataclass(frozen=True)
class Pin:
    """An item the plan must keep at a fixed start week (and mentor, if given)."""

    activity: str
    start_week: int
    mentor: str | None = None


@dataclass(frozen=True)
class Learner:
    """One person to plan for, with their levels, target and limits."""

    id: str
    levels: Mapping[str, int]
    target: Mapping[str, Target]
    quarter_hours: int  # weekly budget, in quarter hours
    blackout_weeks: frozenset[int] = frozenset()
    deadline_week: int | None = None
    budget_cents: int | None = None
    completed: frozenset[str] = frozenset()
    pinned: tuple[Pin, ...] = ()
    excluded: frozenset[str] = frozenset()

    def capacity(self, week: int) -> int:
        """Quarter hours available in `week`: zero in blackout weeks."""
        return 0 if week in self.blackout_weeks else self.quarter_hours


@dataclass(frozen=True)
class Options:
    """Solver settings; a time limit is always set."""

    time_limit_s: float = 10.0
    workers: int = 1  # one worker: the same request always gives the same plan
    explain: bool = True  # re-solve relaxed to suggest what would close open gaps


@dataclass(frozen=True)
class PlanRequest:
    """Everything one solve needs: catalog, mentors and the learners to plan for."""

    horizon_weeks: int
    skills: tuple[Skill, ...]
    activities: tuple[Activity, ...]
    mentors: tuple[Mentor, ...] = ()
    learners: tuple[Learner, ...] = ()
    options: Options = Options()
    version: int = 1

    @cached_property
    def skill_by_id(self) -> dict[str, Skill]:
        """Skills keyed by id."""
        return {s.id: s for s in self.skills}

    @cached_property
    def activity_by_id(self) -> dict[str, Activity]:
        """Activities keyed by id."""
        return {a.id: a for a in self.activities}

    @cached_property
    def mentor_by_id(self) -> dict[str, Mentor]:
        """Mentors keyed by id."""
        return {m.id: m for m in self.mentors}

    def end_week(self, learner: Learner) -> int:
        """The week by which everything in this learner's plan must have ended."""
        if learner.deadline_week is None:
            return self.horizon_weeks
        return min(learner.deadline_week, self.horizon_weeks)

    def initial_levels(self, learner: Learner) -> dict[str, int]:
        """Stated levels raised by what completed activities grant (the initial level)."""
        levels = {s.id: 0 for s in self.skills}
        for skill, level in learner.levels.items():
            levels[skill] = max(levels.get(skill, 0), level)
        for done in learner.completed:
            activity = self.activity_by_id.get(done)
            if activity is None:
                continue
            for skill, level in activity.grants.items():
                levels[skill] = max(levels.get(skill, 0), level)
        return levels
