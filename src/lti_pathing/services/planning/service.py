"""PlanningService: the bridge between the database and the planner (`solver`).

It builds a planning request for a person and a target role (docs/plan-format.md), solves it,
and stores the answer as a draft Plan with dated items. `time_to_ready` answers the career-path
page without storing anything; `planning.team` plans a manager's reports together (shared
mentors and seats). Nothing is written when the request cannot be planned: the error says why.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.columns import utcnow
from lti_pathing.errors import Conflict, Invalid, LtiPathingError
from lti_pathing.models import Activity, Mentor, Person, Plan, PlanStatus, Role, Tenant
from lti_pathing.services.base import Clock, TenantService
from lti_pathing.services.mentor_matching import MentorMatcher
from lti_pathing.services.pathways import PathwayService
from lti_pathing.services.plan_life import HELD, REGENERATED_IN_PLACE
from lti_pathing.services.planning.calendar import Calendar, next_monday
from lti_pathing.services.planning.catalog import CatalogLoader
from lti_pathing.services.planning.request import (
    BuiltRequest,
    Subject,
    build_request,
    explain_problems,
    horizon_for,
)
from lti_pathing.services.planning.settings import PlanSettings
from lti_pathing.services.planning.store import PlanWriter

if TYPE_CHECKING:
    from solver.instance import PlanRequest
    from solver.solution import PlanResponse


class NoPlanFound(LtiPathingError):
    """The planner found no plan within its time limit (and did not prove there is none)."""

    status = 503
    code = "no_plan_found"


@dataclass(frozen=True)
class Readiness:
    """How long a person needs to be ready for a role at some hours per week."""

    status: str
    weeks: int | None  # None: some gap stays open within the horizon
    ready_on: Any
    closure: float
    max_closure: float
    open_gaps: list[dict[str, Any]]


def later_of(path: Readiness, stop: Readiness) -> Readiness:
    """`path`, ready no sooner than `stop` (a role on its way); never ready if `stop` is not."""
    if path.weeks is None or (stop.weeks is not None and stop.weeks <= path.weeks):
        return path
    return dataclasses.replace(path, weeks=stop.weeks, ready_on=stop.ready_on)


@dataclass(frozen=True)
class Limits:
    """Planner settings the service takes from the app config."""

    time_limit_s: float = 10.0
    quick_time_limit_s: float = 2.0
    horizon_weeks: int = 104

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Limits:
        """Read SOLVER_TIME_LIMIT_S, QUICK_TIME_LIMIT_S and PLAN_HORIZON_WEEKS."""
        return cls(
            float(config.get("SOLVER_TIME_LIMIT_S", cls.time_limit_s)),
            float(config.get("QUICK_TIME_LIMIT_S", cls.quick_time_limit_s)),
            int(config.get("PLAN_HORIZON_WEEKS", cls.horizon_weeks)),
        )


class PlanningService(TenantService):
    """Generate, re-generate and estimate development plans in the acting tenant."""

    def __init__(
        self,
        session: Session,
        tenant: Tenant,
        clock: Clock = utcnow,
        limits: Limits | None = None,
    ) -> None:
        super().__init__(session, tenant, clock)
        self.limits = limits or Limits()
        self._ready: dict[tuple[int, int, str], Readiness] = {}

    # --- subjects -------------------------------------------------------------------------
    def subject(
        self, person_id: int, settings: PlanSettings, plan_id: int | None = None
    ) -> Subject:
        """The person, their target role and choices; a re-generated plan lends its pins."""
        person = self.get(Person, person_id)
        plan = None
        if plan_id is not None:
            plan = self.get(Plan, plan_id)
            if plan.person_id != person.id:
                raise Invalid("that plan belongs to someone else", {"plan_id": ["not theirs"]})
            if plan.status not in REGENERATED_IN_PLACE:
                raise Conflict(
                    f"a {plan.status.value} plan cannot be re-generated; start a new draft instead"
                )
            stored = PlanSettings.from_json(plan.settings or {})
            lent = () if settings.pins_chosen else (stored.pins or self.pins_of(plan))
            lent = tuple(p for p in lent if p.activity_id not in settings.excluded)
            settings = settings.with_(
                pins=settings.pins or lent, starts_on=settings.starts_on or plan.starts_on
            )
        role_id = settings.target_role_id or (plan.target_role_id if plan else None)
        role_id = role_id or person.target_role_id
        if role_id is None:
            raise Invalid("choose a target role first", {"target_role_id": ["required"]})
        role = self.get(Role, role_id)
        preferred = settings.preferred_mentor_id
        if preferred is not None and self.session.scalar(
            self.scoped(Mentor).where(Mentor.id == preferred, Mentor.active.is_(True))
        ) is None:  # fmt: skip
            raise Invalid("no such mentor", {"preferred_mentor_id": ["choose a mentor listed"]})
        return Subject(person, role, settings.with_(target_role_id=role.id), plan)

    def pins_of(self, plan: Plan) -> tuple[Any, ...]:
        """The plan's pinned items as pins (dates and mentors), as a re-generation keeps them."""
        from lti_pathing.services.planning.settings import Pin

        calendar = Calendar.starting(plan.starts_on or self.clock().date())
        return tuple(
            Pin(i.activity_id, calendar.start_date(i.start_week), i.mentor_id)
            for i in plan.items
            if i.pinned
        )

    def calendar(self, settings: PlanSettings) -> Calendar:
        """The plan's weeks: from the chosen start, or the coming Monday."""
        today = self.clock().date()
        return Calendar.starting(settings.starts_on or next_monday(today))

    # --- solving --------------------------------------------------------------------------
    def build(
        self,
        subjects: Sequence[Subject],
        calendar: Calendar,
        time_limit_s: float,
        explain: bool,
        loader: CatalogLoader | None = None,
        replanned: Sequence[int] | None = None,
    ) -> BuiltRequest:
        """The planning request for these subjects (`replanned` people's bookings do not count)."""
        horizon = horizon_for(calendar, subjects, self.limits.horizon_weeks)
        options = {"time_limit_s": time_limit_s, "explain": explain}
        return build_request(
            self.session, self.tenant, subjects, calendar, options, horizon, loader, replanned
        )

    def solve(self, built: BuiltRequest) -> dict[str, Any]:
        """Parse and solve; a malformed request becomes Invalid naming each setting at fault."""
        from solver.response import response_to_json

        return response_to_json(self.solve_parsed(built)[1])

    def solve_parsed(self, built: BuiltRequest) -> tuple[PlanRequest, PlanResponse]:
        """The parsed request and the planner's answer to it (as `solve`, before JSON)."""
        from solver.errors import RequestError
        from solver.planner import solve
        from solver.request import parse_request

        try:
            request = parse_request(built.data)
        except RequestError as error:
            raise Invalid(
                "these plan settings cannot be planned", explain_problems(built, error.problems)
            ) from None
        return request, solve(request)

    def generate(
        self,
        person_id: int,
        settings: PlanSettings | None = None,
        actor_id: int | None = None,
        plan_id: int | None = None,
        job_id: int | None = None,
        replaces_id: int | None = None,
    ) -> Plan:
        """Plan for one person and store it as a draft (or update the draft `plan_id`).

        With `replaces_id` (an approved or submitted plan) the result is a proposal to replace
        it, which the manager accepts or dismisses; an older pending proposal for it is archived.
        """
        replaces = self._held(person_id, replaces_id) if replaces_id is not None else None
        subject = self.subject(person_id, settings or PlanSettings(), plan_id)
        s = subject.settings
        built = self.build(
            [subject], self.calendar(s), s.time_limit_s or self.limits.time_limit_s, s.explain
        )
        answer = self.solve(built)
        self.refuse_without_plan(built, answer)
        answer = MentorMatcher(self.session, self.tenant, self.clock).assign(built, answer)
        writer = PlanWriter(self.session, self.tenant, self.clock(), answer.get("stats"))
        if replaces is not None:
            self._archive_proposals(replaces, actor_id)
        return writer.write(built, answer["status"], answer["plans"][0], actor_id, job_id, replaces)

    def _held(self, person_id: int, plan_id: int) -> Plan:
        plan = self.get(Plan, plan_id)
        if plan.person_id != person_id or plan.status not in HELD:
            raise Conflict("only an approved or submitted plan of this person gets a proposal")
        return plan

    def _archive_proposals(self, held: Plan, actor_id: int | None) -> None:
        """Older pending proposals for `held` give way to the new one."""
        from lti_pathing.models import PlanEvent

        stmt = select(Plan).where(
            Plan.tenant_id == self.tenant.id,
            Plan.replaces_id == held.id,
            Plan.status == PlanStatus.proposed,
        )
        for old in self.session.scalars(stmt):
            old.status = PlanStatus.archived
            self.session.add(PlanEvent(tenant_id=self.tenant.id, plan_id=old.id,
                                       kind="superseded", actor_id=actor_id, at=self.clock(),
                                       data={"by": "a newer proposal"}))  # fmt: skip

    def refuse_without_plan(self, built: BuiltRequest, answer: dict[str, Any]) -> None:
        """Infeasible pins and timeouts are explained, and nothing is stored."""
        if answer["status"] == "infeasible":
            raise Invalid("the activities kept at a date cannot all be kept", self._culprits(built))
        if answer["status"] == "unknown":
            raise NoPlanFound(
                "no plan was found within the time limit; try again with fewer "
                "pinned items or a longer time limit"
            )

    def _culprits(self, built: BuiltRequest) -> dict[str, list[str]]:
        """Which pins, dropped alone, make the plan possible (a what-if per pin)."""
        from solver.planner import solve
        from solver.request import parse_request

        out: dict[str, list[str]] = {}
        learners = built.data["learners"]
        titles = {
            a.external_id: a.title
            for a in self.session.scalars(
                self.scoped(Activity).where(Activity.id.in_(built.catalog.activity_ids.values()))
            )
        }
        for li, learner in enumerate(learners):
            for pi, pin in enumerate(learner.get("pinned", [])):
                trial = copy.deepcopy(built.data)
                del trial["learners"][li]["pinned"][pi]
                trial["options"] = {
                    "time_limit_s": self.limits.quick_time_limit_s,
                    "explain": False,
                }
                if solve(parse_request(trial)).status in ("optimal", "feasible"):
                    who = "" if len(learners) == 1 else f"{learner['id']}: "
                    day = built.calendar.start_date(pin["start_week"])
                    title = titles.get(pin["activity"], pin["activity"])
                    out[f"{who}{title}"] = [
                        f"from {day.day} {day:%B %Y} it cannot be kept with the rest (its "
                        "prerequisites, seats, mentors or your hours); without it, the plan works"
                    ]
        return out or {"pins": ["the activities kept at a date cannot be kept together"]}

    def time_to_ready(self, person_id: int, role_id: int, hours_per_week: Any = None) -> Readiness:
        """Time to ready, the one definition every page and estimate uses (nothing stored).

        The weeks, at these hours, until the person meets every required level of the role and
        of each role on their way to it (the career-path route "Where I could go" shows, e.g.
        Data Scientist via Data Engineer), found by a quick solve. A route's time is never less
        than the time to any role on it: a quick solve that stops short of the optimum cannot
        make the longer journey look faster. Answers are remembered per service instance.
        """
        key = (person_id, role_id, str(hours_per_week))
        if key not in self._ready:
            person = self.get(Person, person_id)
            route = PathwayService(self.session, self.tenant, self.clock).route(
                person.current_role_id, role_id
            )
            ready = self._quick_readiness(person_id, role_id, hours_per_week, route)
            for stop in route:
                ready = later_of(ready, self.time_to_ready(person_id, stop.id, hours_per_week))
            self._ready[key] = ready
        return self._ready[key]

    def _quick_readiness(
        self, person_id: int, role_id: int, hours_per_week: Any, route: Sequence[Role]
    ) -> Readiness:
        settings = PlanSettings(
            target_role_id=role_id, hours_per_week=hours_per_week, explain=False
        )
        subject = self.subject(person_id, settings)
        subject.on_the_way = tuple(route)
        calendar = self.calendar(settings)
        built = self.build([subject], calendar, self.limits.quick_time_limit_s, False)
        answer = self.solve(built)
        plan = answer["plans"][0]
        ready = (
            answer["status"] in ("optimal", "feasible") and plan["closure"] == plan["max_closure"]
        )
        weeks = plan["readiness_week"] if ready else None
        return Readiness(
            status=answer["status"],
            weeks=weeks,
            ready_on=calendar.start_date(weeks) if weeks is not None else None,
            closure=plan["closure"],
            max_closure=plan["max_closure"],
            open_gaps=plan["open_gaps"],
        )
