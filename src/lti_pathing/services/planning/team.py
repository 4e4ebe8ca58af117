"""Plan a manager's reports together: they share mentors and seats; the manager approves the result.

Every direct report with a target role is planned in one request (their own hours, deadline,
blackout weeks, budget and exclusions from their current plan carry over; pins do not, since the
team's mentors and seats are shared out afresh). Each result is stored as a proposal: it replaces
the report's current plan only once the manager approves it. The price of planning together is
measured by planning each report alone against the same bookings (`solver.sharing`): closure and
readiness alone and together, and which mentors and seats their plans alone would over-book.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from lti_pathing.errors import Invalid
from lti_pathing.models import Person, Plan, PlanEvent, PlanStatus
from lti_pathing.services.plan_life import current_plan
from lti_pathing.services.planning.calendar import Calendar
from lti_pathing.services.planning.request import BuiltRequest, Subject
from lti_pathing.services.planning.service import PlanningService
from lti_pathing.services.planning.settings import PlanSettings
from lti_pathing.services.planning.store import PlanWriter
from solver.response import response_to_json
from solver.sharing import SharingReport, sharing_report

NO_TARGET = "no target role yet: set one on their record, or ask them to choose one"
# Choices of a report's own plan that a team plan keeps (pins are shared out afresh).
CARRIED = ("hours_per_week", "blackout", "budget", "excluded")


@dataclass(frozen=True)
class TeamPlan:
    """The proposals written, and what the job keeps to show the manager."""

    plans: list[Plan]
    result: dict[str, Any]


class TeamPlanner:
    """Plans one manager's direct reports together and stores proposals with the price of it."""

    def __init__(self, planning: PlanningService) -> None:
        self.planning = planning
        self.session = planning.session

    def reports(self, manager_id: int) -> list[Person]:
        """The manager's active direct reports, by employee id."""
        manager = self.planning.get(Person, manager_id)
        stmt = self.planning.scoped(Person).where(
            Person.manager_id == manager.id, Person.active.is_(True)
        )
        return list(self.session.scalars(stmt.order_by(Person.external_id)))

    def subjects(self, manager_id: int, settings: PlanSettings) -> tuple[list[Subject], list[int]]:
        """(who is planned, with their own choices; who is left out for want of a target role)."""
        subjects, skipped = [], []
        calendar = self.planning.calendar(settings)
        for person in self.reports(manager_id):
            current = current_plan(self.session, self.planning.tenant, person.id)
            own = PlanSettings.from_json(current.settings or {}) if current else PlanSettings()
            target = (current.target_role_id if current else None) or person.target_role_id
            if target is None:
                skipped.append(person.id)
                continue
            carried = {name: getattr(own, name) for name in CARRIED}
            deadline = own.deadline if _still_ahead(own.deadline, calendar) else None
            chosen = settings.with_(target_role_id=target, deadline=deadline, **carried)
            subjects.append(self.planning.subject(person.id, chosen))
        return subjects, skipped

    def plan(
        self,
        manager_id: int,
        settings: PlanSettings | None = None,
        actor_id: int | None = None,
        job_id: int | None = None,
    ) -> TeamPlan:
        """Solve the team, measure what sharing cost, and store one proposal per report."""
        settings = settings or PlanSettings()
        subjects, skipped = self.subjects(manager_id, settings)
        if not subjects:
            raise Invalid("nobody to plan", {"team": ["none of your reports has a target role"]})
        limits = self.planning.limits
        built = self.planning.build(
            subjects,
            self.planning.calendar(settings),
            settings.time_limit_s or limits.time_limit_s,
            settings.explain,
        )
        request, response = self.planning.solve_parsed(built)
        answer = response_to_json(response)
        self.planning.refuse_without_plan(built, answer)
        # Each person alone, in at most the team's own time limit (the job's budget: two limits).
        alone_s = min(limits.quick_time_limit_s * len(subjects), limits.time_limit_s)
        sharing = sharing_report(request, response, alone_s)
        writer = PlanWriter(self.session, self.planning.tenant, self.planning.clock(),
                            answer.get("stats"))  # fmt: skip
        plans = [self._propose(writer, built, answer["status"], lp, actor_id, job_id)
                 for lp in answer["plans"]]  # fmt: skip
        result = {
            "status": answer["status"],
            "plan_ids": [p.id for p in plans],
            "people": self._people(built, plans, sharing),
            "contended": self._contended(built, sharing),
            "skipped": [{"person_id": pid, "reason": NO_TARGET} for pid in skipped],
        }
        return TeamPlan(plans, result)

    def _propose(
        self,
        writer: PlanWriter,
        built: BuiltRequest,
        status: str,
        learner_plan: dict[str, Any],
        actor_id: int | None,
        job_id: int | None,
    ) -> Plan:
        """One report's proposal; it names their current plan, and older proposals give way."""
        subject = built.subjects[learner_plan["learner"]]
        current = current_plan(self.session, self.planning.tenant, subject.person.id)
        self._archive_pending(subject.person.id, actor_id)
        return writer.write(
            built,
            status,
            learner_plan,
            actor_id,
            job_id,
            current,
            proposed=True,
            kind="planned_with_team",
        )

    def _archive_pending(self, person_id: int, actor_id: int | None) -> None:
        """The report's pending proposals (a re-plan's, an older team plan's) give way."""
        stmt = self.planning.scoped(Plan).where(
            Plan.person_id == person_id, Plan.status == PlanStatus.proposed
        )
        for old in self.session.scalars(stmt):
            old.status = PlanStatus.archived
            self.session.add(PlanEvent(
                tenant_id=self.planning.tenant.id, plan_id=old.id, kind="superseded",
                actor_id=actor_id, at=self.planning.clock(), data={"by": "a team plan"},
            ))  # fmt: skip

    def _people(
        self, built: BuiltRequest, plans: list[Plan], sharing: SharingReport
    ) -> list[dict[str, Any]]:
        by_learner = {p.person.external_id: p for p in plans}
        calendar = built.calendar
        out = []
        for cost in sharing.learners:
            plan = by_learner[cost.learner]
            ready = cost.closure_together == cost.max_closure
            ready_alone = cost.closure_alone == cost.max_closure
            out.append({
                "person_id": plan.person_id,
                "plan_id": plan.id,
                "closure_alone": cost.closure_alone,
                "closure_together": cost.closure_together,
                "max_closure": cost.max_closure,
                "ready_alone": _day(calendar, cost.readiness_alone) if ready_alone else None,
                "ready_together": _day(calendar, cost.readiness_together) if ready else None,
                "closure_lost": cost.closure_lost,
                "weeks_later": cost.weeks_later if ready and ready_alone else 0,
            })  # fmt: skip
        return out

    def _contended(self, built: BuiltRequest, sharing: SharingReport) -> list[dict[str, Any]]:
        catalog, calendar = built.catalog, built.calendar
        people = {learner: s.person.id for learner, s in built.subjects.items()}
        out = []
        for c in sharing.contended:
            record = (
                {"mentor_id": catalog.mentor_ids[c.key]}
                if c.kind == "mentor"
                else {"activity_id": catalog.activity_ids[c.key]}
            )
            out.append({
                "kind": c.kind, **record, "places": c.places,
                "from": _day(calendar, c.from_week),
                "to": (calendar.start_date(c.to_week) - dt.timedelta(days=1)).isoformat(),
                "wanted_by": [people[w] for w in c.wanted_by],
                "holders": [people[h] for h in c.holders],
            })  # fmt: skip
        return out


def _day(calendar: Calendar, week: int) -> str:
    return calendar.start_date(week).isoformat()


def _still_ahead(deadline: dt.date | None, calendar: Calendar) -> bool:
    """A report's deadline is kept while it is after the team plan's first week."""
    return deadline is not None and calendar.weeks_ending_by(deadline) >= 1
