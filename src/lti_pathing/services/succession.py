"""Succession: who could step into each critical role, how soon, and who is not a candidate.

A candidate for a critical role is an active person who does not hold it and either has chosen
it as their target or holds a role the career paths lead from to it (in up to two moves, as
"Where I could go" shows). Candidates are ranked by readiness date, then fit: someone who meets
every required level is ready now; otherwise the date is the time-to-ready estimate (the one
definition, PlanningService.time_to_ready) once an admin has asked for estimates.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lti_pathing.models import CareerPath, Person, Role, RoleSkill
from lti_pathing.services.base import TenantService
from lti_pathing.services.levels import LevelService
from lti_pathing.services.pathways import MAX_DEPTH, Fit, fit_for

CANDIDATES = 5  # shown per critical role
ESTIMATED = 8  # best-fitting candidates per role whose time to ready an estimate run asks for
NOT_CANDIDATES = 3  # the best-fitting people who are not candidates, with why
YEAR_WEEKS = 52
Estimates = Mapping[tuple[int, int], Mapping[str, Any]]  # (person id, role id) -> estimate


@dataclass(frozen=True)
class Candidate:
    """Someone who could grow into a critical role, and when they would be ready."""

    person: Person
    fit: Fit
    estimated: bool  # a time-to-ready answer exists (or none is needed: ready now)
    weeks: int | None  # None: not ready within the planning horizon, or not estimated
    ready_on: dt.date | None = None

    @property
    def bench(self) -> str:
        """ "ready now", "within 1 year", "later" or "no estimate yet"."""
        if not self.estimated:
            return "no estimate yet"
        if self.weeks == 0:
            return "ready now"
        return "within 1 year" if self.weeks is not None and self.weeks <= YEAR_WEEKS else "later"

    def rank(self) -> tuple[int, float, float, str]:
        """Sort key: dated first (soonest), then not ready in the horizon, then not estimated.

        Estimates are asked for the best-fitting candidates, so those left without one are the
        furthest from the role; within a group, the better fit comes first.
        """
        group = 0 if self.weeks is not None else 1 if self.estimated else 2
        return (group, self.weeks if self.weeks is not None else math.inf, -self.fit.score,
                self.person.name)  # fmt: skip


@dataclass(frozen=True)
class NotCandidate:
    """A well-fitting person who is not on the role's bench, and the short reason."""

    person: Person
    fit: Fit
    reason: str


@dataclass(frozen=True)
class Bench:
    """One critical role: ranked candidates, bench strength, and notable non-candidates."""

    role: Role
    candidates: list[Candidate]
    not_candidates: list[NotCandidate] = field(default_factory=list)

    @property
    def shortlist(self) -> list[Candidate]:
        """The first candidates by readiness, then fit."""
        return self.candidates[:CANDIDATES]

    @property
    def strength(self) -> dict[str, int]:
        """Candidates per bench: ready now, within 1 year, later, no estimate yet."""
        counts = dict.fromkeys(("ready now", "within 1 year", "later", "no estimate yet"), 0)
        for candidate in self.candidates:
            counts[candidate.bench] += 1
        return counts

    @property
    def strength_line(self) -> str:
        """The bench in one line, e.g. "1 ready now · 2 within 1 year · 0 later"."""
        parts = [f"{n} {label}" for label, n in self.strength.items()]
        return " · ".join(parts if self.strength["no estimate yet"] else parts[:-1])


class SuccessionService(TenantService):
    """The succession bench of every active critical role."""

    def benches(self, estimates: Estimates | None = None) -> list[Bench]:
        """Per critical role (by title): candidates ranked by readiness, then fit."""
        roles = self.session.scalars(
            self.scoped(Role).where(Role.critical.is_(True), Role.active.is_(True))
            .options(selectinload(Role.skills).selectinload(RoleSkill.skill)).order_by(Role.title)
        ).all()  # fmt: skip
        people = self.session.scalars(
            self.scoped(Person).where(Person.active.is_(True))
            .options(selectinload(Person.current_role)).order_by(Person.name, Person.id)
        ).all()  # fmt: skip
        levels = LevelService(self.session, self.tenant).levels_for([p.id for p in people])
        plain = {pid: {s: lv.level for s, lv in found.items()} for pid, found in levels.items()}
        feeders = self._feeders()
        return [self._bench(r, people, plain, feeders, estimates or {}) for r in roles]

    def pairs_to_estimate(self) -> list[list[int]]:
        """[person id, role id] for each role's best-fitting candidates who are not ready now."""
        return [
            [c.person.id, bench.role.id]
            for bench in self.benches()
            for c in [c for c in bench.candidates if c.weeks != 0][: max(ESTIMATED, CANDIDATES)]
        ]

    def _bench(
        self, role: Role, people: Any, levels: dict[int, dict[int, int]],
        feeders: dict[int, set[int]], estimates: Estimates,
    ) -> Bench:  # fmt: skip
        candidates: list[Candidate] = []
        others: list[NotCandidate] = []
        for person in people:
            fit = fit_for(role, levels.get(person.id, {}))
            reason = self._not_a_candidate(person, role, feeders.get(role.id, set()))
            if reason is None:
                candidates.append(self._candidate(person, role, fit, estimates))
            else:
                others.append(NotCandidate(person, fit, reason))
        candidates.sort(key=Candidate.rank)
        others.sort(key=lambda n: (n.reason != "holds the role", -n.fit.score, n.person.name))
        return Bench(role, candidates, others[:NOT_CANDIDATES])

    @staticmethod
    def _not_a_candidate(person: Person, role: Role, feeders: set[int]) -> str | None:
        """Why the person is not on the role's bench (None: they are)."""
        if person.current_role_id == role.id:
            return "holds the role"
        if person.target_role_id == role.id or person.current_role_id in feeders:
            return None
        if person.current_role is None:
            return "no current role recorded"
        return f"no career path from {person.current_role.title}"

    @staticmethod
    def _candidate(person: Person, role: Role, fit: Fit, estimates: Estimates) -> Candidate:
        if not fit.open_gaps:
            return Candidate(person, fit, True, 0, None)
        found = estimates.get((person.id, role.id))
        if found is None:
            return Candidate(person, fit, False, None)
        ready_on = dt.date.fromisoformat(found["ready_on"]) if found.get("ready_on") else None
        return Candidate(person, fit, True, found.get("weeks"), ready_on)

    def _feeders(self) -> dict[int, set[int]]:
        """Role id -> roles it can be reached from in up to MAX_DEPTH career-path moves."""
        stmt = (
            select(CareerPath.from_role_id, CareerPath.to_role_id)
            .join(Role, Role.id == CareerPath.to_role_id)
            .where(CareerPath.tenant_id == self.tenant.id, Role.active.is_(True))
        )
        into: dict[int, set[int]] = {}
        for source, target in self.session.execute(stmt):
            into.setdefault(target, set()).add(source)
        out: dict[int, set[int]] = {}
        for role_id in into:
            found: set[int] = set()
            frontier = {role_id}
            for _ in range(MAX_DEPTH):
                frontier = {s for t in frontier for s in into.get(t, set())} - found - {role_id}
                found |= frontier
            out[role_id] = found
        return out
