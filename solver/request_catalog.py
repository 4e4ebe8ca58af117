"""Read the catalog part of a planning request: skills, activities and mentors.

Part of `solver.request`. What is read cleanly is kept in a `Catalog`, which the learners' part
of the request is checked against (known ids, levels up to max_level, pinned items).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from solver.instance import (
    CENTS_PER_UNIT,
    KINDS,
    QUARTERS_PER_HOUR,
    Activity,
    Booking,
    Mentor,
    Skill,
)
from solver.request_fields import Fields, Reader, child, element

# Sanity bounds: far beyond real use, small enough that no solver quantity can overflow.
MAX_HORIZON_WEEKS = 520
MAX_LEVEL = 100
MAX_HOURS_PER_WEEK = 168
MAX_MONEY = 1_000_000_000
MAX_COUNT = 10_000  # seats, mentor capacity, booked mentees

QUARTER_STEP = "a multiple of 0.25 hours"
CENT_STEP = "an amount with at most 2 decimals"

SKILL = (("id", "max_level"), ())
ACTIVITY = (
    ("id", "kind", "duration_weeks", "hours_per_week"),
    ("cost", "grants", "requires", "start_weeks", "window", "seats", "mentors"),
)
REQUIRES = ((), ("skills", "activities"))
WINDOW = ((), ("earliest_start", "latest_end"))
MENTOR = (("id", "capacity"), ("booked",))
BOOKING = (("from_week", "to_week", "mentees"), ())


def declared_ids(value: object) -> set[str]:
    """The string ids in an array of objects, read ahead so that references can be checked."""
    if not isinstance(value, list | tuple):
        return set()
    return {
        item["id"] for item in value if isinstance(item, dict) and isinstance(item.get("id"), str)
    }


@dataclass
class Catalog:
    """What the rest of a request is checked against; only cleanly read items are kept."""

    horizon: int | None  # None when horizon_weeks itself is wrong: week bounds are then skipped
    skill_ids: set[str]
    activity_ids: set[str]
    mentor_ids: set[str]
    max_level: dict[str, int] = field(default_factory=dict)
    activities: dict[str, Activity] = field(default_factory=dict)
    requires: dict[str, tuple[str, ...]] = field(default_factory=dict)  # for the cycle check
    requires_paths: dict[str, str] = field(default_factory=dict)

    @property
    def last_week(self) -> int | None:
        """The last week of the plan (a start week's upper bound)."""
        return None if self.horizon is None else self.horizon - 1


class CatalogReader:
    """Reads skills, activities and mentors into a `Catalog`, recording problems in a `Reader`."""

    def __init__(self, reader: Reader, catalog: Catalog) -> None:
        self.r = reader
        self.cat = catalog

    def skill(self, value: object, path: str, seen: dict[str, str]) -> Skill | None:
        """One skill: an id and its highest level."""
        mark = self.r.mark()
        f = self.r.fields(value, path, *SKILL)
        if f is None:
            return None
        skill = Skill(self.r.unique_id(f, seen), f.integer("max_level", 1, MAX_LEVEL))
        if not self.r.clean_since(mark):
            return None
        self.cat.max_level[skill.id] = skill.max_level
        return skill

    def _levels(self, f: Fields, key: str) -> dict[str, int]:
        """A {skill: level} map of known skills at levels 1..max_level."""
        return self.r.levels(f.value(key), f.at(key), 1, self.cat.max_level, self.cat.skill_ids)

    def activity(self, value: object, path: str, seen: dict[str, str]) -> Activity | None:
        """One catalog activity."""
        mark = self.r.mark()
        f = self.r.fields(value, path, *ACTIVITY)
        if f is None:
            return None
        activity_id = self.r.unique_id(f, seen)
        kind = f.string("kind")
        if kind and kind not in KINDS:
            self.r.add(f.at("kind"), f"unknown kind '{kind}' (one of: {', '.join(KINDS)})")
        requires_skills, requires_activities = self._requires(f, activity_id)
        earliest_start, latest_end = self._window(f)
        activity = Activity(
            id=activity_id,
            kind=kind,
            duration_weeks=f.integer("duration_weeks", 1, MAX_HORIZON_WEEKS),
            quarter_hours=f.exact(
                "hours_per_week", QUARTERS_PER_HOUR, MAX_HOURS_PER_WEEK, QUARTER_STEP
            ),
            cost_cents=f.exact("cost", CENTS_PER_UNIT, MAX_MONEY, CENT_STEP) if "cost" in f else 0,
            grants=self._levels(f, "grants") if "grants" in f else {},
            requires_skills=requires_skills,
            requires_activities=requires_activities,
            start_weeks=self._start_weeks(f) if "start_weeks" in f else None,
            earliest_start=earliest_start,
            latest_end=latest_end,
            seats=f.integer("seats", 1, MAX_COUNT) if "seats" in f else None,
            mentors=f.ids("mentors", self.cat.mentor_ids, "mentor") if "mentors" in f else (),
        )
        if activity.kind == "mentorship" and not activity.mentors:
            self.r.add(f.at("mentors"), "a mentorship needs at least one eligible mentor")
        if self.r.clean_since(mark):
            self._check_window_length(f, activity)
        if not self.r.clean_since(mark):
            return None
        self.cat.activities[activity.id] = activity
        return activity

    def _requires(self, f: Fields, activity_id: str) -> tuple[dict[str, int], tuple[str, ...]]:
        """Skill levels and activities an activity needs before it starts (never itself)."""
        if "requires" not in f:
            return {}, ()
        requires = f.fields("requires", *REQUIRES)
        skills = self._levels(requires, "skills") if "skills" in requires else {}
        others = requires.ids("activities", self.cat.activity_ids, "activity")
        if activity_id in others:
            at = element(requires.at("activities"), others.index(activity_id))
            self.r.add(at, f"'{activity_id}' cannot require itself")
            others = tuple(a for a in others if a != activity_id)
        if activity_id and activity_id not in self.cat.requires:
            self.cat.requires[activity_id] = others
            self.cat.requires_paths[activity_id] = requires.at("activities")
        return skills, others

    def _start_weeks(self, f: Fields) -> tuple[int, ...]:
        """Cohort start weeks: at least one, each a week of the plan."""
        weeks = f.weeks("start_weeks", 0, self.cat.last_week)
        if f.value("start_weeks") in ([], ()):
            self.r.add(f.at("start_weeks"), "list at least one start week, or leave the field out")
        return weeks

    def _window(self, f: Fields) -> tuple[int, int | None]:
        """(earliest_start, latest_end) of an activity's window; (0, None) when there is none."""
        if "window" not in f:
            return 0, None
        window = f.fields("window", *WINDOW)
        earliest = 0
        if "earliest_start" in window:
            earliest = window.integer("earliest_start", 0, self.cat.last_week)
        latest = None
        if "latest_end" in window:
            latest = window.integer("latest_end", 1, self.cat.horizon)
        return earliest, latest

    def _check_window_length(self, f: Fields, activity: Activity) -> None:
        """A window is at least as long as the activity."""
        start, end = activity.earliest_start, activity.latest_end
        if end is not None and start + activity.duration_weeks > end:
            self.r.add(
                child(f.at("window"), "latest_end"),
                f"the window {start}..{end} is shorter than duration_weeks "
                f"{activity.duration_weeks}",
            )

    def mentor(self, value: object, path: str, seen: dict[str, str]) -> Mentor | None:
        """One mentor with their capacity and existing bookings."""
        mark = self.r.mark()
        f = self.r.fields(value, path, *MENTOR)
        if f is None:
            return None
        mentor_id = self.r.unique_id(f, seen)
        capacity = f.integer("capacity", 0, MAX_COUNT)
        booked = [
            self._booking(v, element(f.at("booked"), i)) for i, v in enumerate(f.array("booked"))
        ]
        if not self.r.clean_since(mark):
            return None
        return Mentor(mentor_id, capacity, tuple(b for b in booked if b is not None))

    def _booking(self, value: object, path: str) -> Booking | None:
        """Mentees a mentor already has from from_week up to (not including) to_week."""
        mark = self.r.mark()
        f = self.r.fields(value, path, *BOOKING)
        if f is None:
            return None
        booking = Booking(
            f.integer("from_week", 0), f.integer("to_week", 1), f.integer("mentees", 1, MAX_COUNT)
        )
        if not self.r.clean_since(mark):
            return None
        if booking.to_week <= booking.from_week:
            self.r.add(f.at("to_week"), "must be after from_week (to_week is exclusive)")
            return None
        return booking
