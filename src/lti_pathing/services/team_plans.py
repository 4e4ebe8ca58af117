"""A team plan as the manager sees it: each report's proposal, what sharing cost, approvals.

The team-planning job (`services.planning.team`) stores one proposal per report and, in the job's
result, what each would have had alone and which mentors and seats they contended for. This
service names all of it for the page and approves proposals, one or all at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from lti_pathing.errors import Invalid, NotFound
from lti_pathing.models import Activity, Job, Mentor, Person, Plan, PlanStatus
from lti_pathing.services.calendar import day_in_words
from lti_pathing.services.plan_views import ItemRow, PlanViewService
from lti_pathing.services.planning.team import TeamPlanner
from lti_pathing.services.proposals import ProposalService
from lti_pathing.services.team import TeamService


@dataclass(frozen=True)
class Proposed:
    """One report's plan from the team plan, with what planning together cost them."""

    person: Person
    plan: Plan
    ready_together: dt.date | None  # None: the plan leaves a gap open
    ready_alone: dt.date | None
    closure_percent: int  # of the gap to the target role the plan closes
    closure_alone_percent: int
    weeks_later: int
    rows: list[tuple[ItemRow, str | None]]  # each planned item, with its mentor's name

    @property
    def pending(self) -> bool:
        """Still waiting for the manager's approval."""
        return self.plan.status is PlanStatus.proposed

    @property
    def cost(self) -> str:
        """What sharing mentors and seats cost this person, in words."""
        lost = self.closure_alone_percent - self.closure_percent
        if lost > 0:
            return (
                f"closes {self.closure_percent} % of the gap instead of "
                f"{self.closure_alone_percent} % planned alone"
            )
        if self.weeks_later > 0:
            s = "" if self.weeks_later == 1 else "s"
            return f"ready {self.weeks_later} week{s} later than planned alone"
        return "nothing: the same as planned alone"


@dataclass(frozen=True)
class Contended:
    """A mentor or seat several reports' plans wanted at once, and who has it."""

    what: str
    when: str
    places: int
    wanted_by: list[Person]
    holders: list[Person]


@dataclass(frozen=True)
class TeamResult:
    """Everything the team-plan page shows about one finished job."""

    job: Job
    proposed: list[Proposed]
    contended: list[Contended]
    skipped: list[tuple[Person, str]]

    @property
    def pending(self) -> list[Proposed]:
        """Proposals still waiting for approval."""
        return [p for p in self.proposed if p.pending]


def _percent(part: float, whole: float) -> int:
    return 100 if whole <= 0 else int(100 * part / whole)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


class TeamPlanService(ProposalService):
    """Read a team plan's result and approve its proposals."""

    def can_plan(self, manager_id: int) -> None:
        """Refuse (Invalid) a manager none of whose direct reports has a target role."""
        from lti_pathing.services.planning import PlanningService, PlanSettings

        planner = TeamPlanner(PlanningService(self.session, self.tenant, self.clock))
        subjects, _skipped = planner.subjects(manager_id, PlanSettings())
        if not subjects:
            raise Invalid(
                "nobody to plan",
                {"team": ["none of your direct reports has a target role to plan towards"]},
            )

    def result(self, manager_id: int, job: Job) -> TeamResult | None:
        """The finished team plan of this manager's job (None while it runs or if it failed)."""
        if job.params.get("manager_id") != manager_id:
            raise NotFound(f"no Job with id {job.id}")
        data = job.result or {}
        if not data.get("plan_ids"):
            return None
        people = self._people(manager_id, data)
        mentors = self._mentor_names()
        proposed = [self._proposed(people, mentors, row) for row in data.get("people", [])]
        contended = [self._contended(people, row) for row in data.get("contended", [])]
        skipped = [(people[s["person_id"]], s["reason"]) for s in data.get("skipped", [])]
        return TeamResult(job, proposed, contended, skipped)

    def approve(
        self, manager_id: int, choices: Sequence[tuple[int, int]], comment: str = ""
    ) -> list[Plan]:
        """Approve these proposals (plan id, version seen), all or none."""
        if not choices:
            raise Invalid("nothing chosen", {"plan": ["choose a proposal to approve"]})
        return [self.accept(manager_id, plan_id, version, comment) for plan_id, version in choices]

    def _people(self, manager_id: int, data: dict[str, Any]) -> dict[int, Person]:
        ids = {row["person_id"] for row in data.get("people", [])}
        ids |= {s["person_id"] for s in data.get("skipped", [])}
        for row in data.get("contended", []):
            ids |= set(row["wanted_by"]) | set(row["holders"])
        reports = TeamService(self.session, self.tenant).report_ids(manager_id)
        stmt = self.scoped(Person).where(Person.id.in_(ids & reports))
        return {p.id: p for p in self.session.scalars(stmt)}

    def _mentor_names(self) -> dict[int, str]:
        stmt = select(Mentor.id, Person.name).join(Person, Mentor.person_id == Person.id)
        rows = self.session.execute(stmt.where(Mentor.tenant_id == self.tenant.id))
        return {row[0]: row[1] for row in rows}

    def _proposed(
        self, people: dict[int, Person], mentors: dict[int, str], row: dict[str, Any]
    ) -> Proposed:
        plan = self.get(Plan, row["plan_id"])
        view = PlanViewService(self.session, self.tenant, self.clock).view(plan)
        rows = [(r, mentors.get(r.item.mentor_id or 0)) for r in view.rows]
        most = row["max_closure"]
        return Proposed(
            person=people[row["person_id"]],
            plan=plan,
            ready_together=_date(row["ready_together"]),
            ready_alone=_date(row["ready_alone"]),
            closure_percent=_percent(row["closure_together"], most),
            closure_alone_percent=_percent(row["closure_alone"], most),
            weeks_later=row["weeks_later"],
            rows=rows,
        )

    def _contended(self, people: dict[int, Person], row: dict[str, Any]) -> Contended:
        start, end = dt.date.fromisoformat(row["from"]), dt.date.fromisoformat(row["to"])
        if row["kind"] == "mentor":
            what = f"Mentor {self.get(Mentor, row['mentor_id']).person.name}"
        else:
            what = f"A seat in {self.get(Activity, row['activity_id']).title}"
        when = f"{day_in_words(start)} to {day_in_words(end)}"
        if row["kind"] == "cohort":
            when = f"the run starting {day_in_words(start)}"
        return Contended(
            what=what,
            when=when,
            places=row["places"],
            wanted_by=[people[i] for i in row["wanted_by"] if i in people],
            holders=[people[i] for i in row["holders"] if i in people],
        )
