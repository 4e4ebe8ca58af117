"""The cheapest and the fastest alternatives to a submitted plan, and approving one of them.

Both are what-if solves of the learner's own request (same target, hours, deadline, blackout
weeks and pins, on the plan's own calendar, against today's catalog and bookings):

- cheapest: the lowest cost that still closes as much of the gaps as the submitted plan. The
  planner minimises cost last, so the budget is searched: each solve at a budget either closes
  as much (the budget drops to what that plan costs) or not (the budget rises above it);
  at most MAX_PROBES solves.
- fastest: the learner's budget cap lifted; the planner's readiness tier does the rest.

The solves run in a background job (`jobs/alternatives.py`; the approval page shows them when
done); the variants are kept in the job's result. Approving one writes exactly the items the
manager saw over the submitted plan, after the independent validator (`solver.validate`) has
checked them against today's request (a mentor or seat taken since is refused with the reason),
logs an event naming the variant, and approves the plan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from lti_pathing.errors import Conflict, Invalid
from lti_pathing.models import Activity, Job, JobKind, Plan, PlanStatus
from lti_pathing.services.approvals import ApprovalService
from lti_pathing.services.base import TenantService
from lti_pathing.services.planning.calendar import Calendar
from lti_pathing.services.planning.request import BuiltRequest, Subject
from lti_pathing.services.planning.service import Limits, PlanningService
from lti_pathing.services.planning.settings import PlanSettings
from lti_pathing.services.planning.store import PlanWriter, items_key
from lti_pathing.services.team_impact import plan_cost, weekly_hours

PURPOSE = "alternatives"  # the estimate job's purpose (jobs/alternatives.py)
MAX_PROBES = 8
KINDS = {"cheapest": "Cheapest", "fastest": "Fastest"}
CENT = Decimal("0.01")


@dataclass(frozen=True)
class VariantItem:
    """One activity of a variant, dated."""

    title: str
    starts_on: dt.date
    ends_on: dt.date  # the last day
    cost: Decimal


@dataclass
class Variant:
    """A plan the manager could approve instead: its items, cost, hours and readiness."""

    kind: str
    items: list[VariantItem]
    cost: Decimal
    total_hours: Decimal
    peak_hours: Decimal
    ready_on: dt.date | None
    closure: Decimal
    max_closure: Decimal
    same_as_submitted: bool = False
    status: str = "feasible"  # the planner's status for this variant
    budget: Decimal | None = None  # the budget it was planned with (None: no cap)
    planned: list[dict[str, Any]] = field(default_factory=list)  # the planner's items

    @property
    def label(self) -> str:
        """ "Cheapest", "Fastest" or "Submitted"."""
        return KINDS.get(self.kind, "Submitted")

    def to_json(self) -> dict[str, Any]:
        """The variant as a job keeps it (dates as ISO strings, amounts as strings)."""
        out: dict[str, Any] = _plain(asdict(self))
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Variant:
        """Read a kept variant back."""
        day = dt.date.fromisoformat
        items = [VariantItem(i["title"], day(i["starts_on"]), day(i["ends_on"]), Decimal(i["cost"]))
                 for i in data["items"]]  # fmt: skip
        return cls(
            data["kind"], items, Decimal(data["cost"]), Decimal(data["total_hours"]),
            Decimal(data["peak_hours"]), day(data["ready_on"]) if data["ready_on"] else None,
            Decimal(data["closure"]), Decimal(data["max_closure"]), data["same_as_submitted"],
            data["status"], Decimal(data["budget"]) if data["budget"] is not None else None,
            list(data["planned"]),
        )  # fmt: skip


class PlanAlternativeService(TenantService):
    """What-if solves of a submitted plan, and approving the one the manager picks."""

    def __init__(self, *args: Any, limits: Limits | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits or Limits()
        self.planner = PlanningService(self.session, self.tenant, self.clock, self.limits)

    def submitted(self, plan: Plan) -> Variant:
        """The plan as submitted, in the same terms as its alternatives."""
        hours = list(weekly_hours(plan).values())
        items = [VariantItem(i.activity.title, *_span(plan, i.start_week, i.end_week),
                             i.activity.cost) for i in plan.items]  # fmt: skip
        return Variant("submitted", items, plan_cost(plan), sum(hours, Decimal(0)),
                       max(hours, default=Decimal(0)), plan.ready_on, plan.closure or Decimal(0),
                       plan.max_closure or Decimal(0), True)  # fmt: skip

    def variant(self, plan: Plan, kind: str) -> Variant | None:
        """One variant of the plan by its kind (None: no plan closes as much)."""
        if kind not in KINDS:
            raise Invalid("unknown alternative", {"variant": ["cheapest or fastest"]})
        if plan.target_role is None:
            raise Invalid("this plan has no target role", {"target_role_id": ["required"]})
        base = self._settings(plan)
        if kind == "fastest":
            return self._solve(plan, base.with_(budget=None), kind)
        return self._cheapest(plan, base)

    def job_for(self, plan: Plan) -> Job | None:
        """The newest alternatives job of this version of the plan (among the last 50 estimates)."""
        stmt = self.scoped(Job).where(Job.kind == JobKind.estimate).order_by(Job.id.desc())
        for job in self.session.scalars(stmt.limit(50)):
            p = job.params
            if p.get("purpose") == PURPOSE and (p.get("plan_id"), p.get("version")) == (
                plan.id, plan.version,
            ):  # fmt: skip
                return job
        return None

    def kept(self, job: Job | None) -> dict[str, Variant | None]:
        """The variants a finished alternatives job found (empty while it runs)."""
        result = (job.result or {}) if job is not None else {}
        return {k: Variant.from_json(result[k]) if result[k] else None
                for k in KINDS if k in result}  # fmt: skip

    def approve_kept(
        self, actor_id: int, plan_id: int, job_id: int, kind: str, version: int, comment: str = ""
    ) -> Plan:
        """Approve the variant `kind` that the alternatives job `job_id` found for the plan."""
        job = self.get(Job, job_id)
        seen = self.kept(job).get(kind) if job.params.get("plan_id") == plan_id else None
        if seen is None:
            raise Invalid("unknown alternative", {"variant": ["compare the alternatives first"]})
        return self.approve(actor_id, plan_id, seen, version, comment)

    def approve(
        self, actor_id: int, plan_id: int, seen: Variant, version: int, comment: str = ""
    ) -> Plan:
        """Make the variant the manager saw the learner's plan and approve it (one click)."""
        approvals = ApprovalService(self.session, self.tenant, self.clock)
        plan = approvals.plan_for(actor_id, plan_id)
        approvals.check_allowed(actor_id, plan, "approve")
        self.check_version(plan, version)
        if plan.status is not PlanStatus.submitted:
            raise Conflict(f"this plan is {plan.status.value.replace('_', ' ')}; only a "
                           "submitted plan can be approved")  # fmt: skip
        built = self._build(plan, self._settings(plan).with_(budget=seen.budget))
        answer = self._checked(built, seen)
        before = plan_cost(plan)
        PlanWriter(self.session, self.tenant, self.clock()).write(
            built, seen.status, answer, actor_id, kind=f"chose_{seen.kind}_plan"
        )
        self.session.refresh(plan)
        words = comment.strip() or (
            f"Approved the {seen.kind} alternative: it costs {seen.cost:f} instead of {before:f}"
            + (f" and is ready by {seen.ready_on.isoformat()}" if seen.ready_on else "")
        )
        return approvals.act(actor_id, plan.id, "approve", plan.version, words)

    # --- solving --------------------------------------------------------------------------
    def _settings(self, plan: Plan) -> PlanSettings:
        stored = PlanSettings.from_json(plan.settings or {})
        pins = stored.pins or self.planner.pins_of(plan)
        return stored.with_(pins=pins, pins_chosen=True, starts_on=plan.starts_on,
                            target_role_id=plan.target_role_id, explain=False,
                            time_limit_s=self.limits.quick_time_limit_s)  # fmt: skip

    def _cheapest(self, plan: Plan, base: PlanSettings) -> Variant | None:
        """The lowest budget whose plan closes as much as the submitted one."""
        need = plan.closure or Decimal(0)
        low, best = Decimal(0), None
        high = plan_cost(plan) if base.budget is None else min(plan_cost(plan), base.budget)
        for _ in range(MAX_PROBES):
            if low > high:
                break
            budget = ((low + high) / 2).quantize(CENT, rounding=ROUND_FLOOR)
            trial = self._solve(plan, base.with_(budget=budget), "cheapest")
            if trial is not None and trial.closure >= need:
                best, high = trial, trial.cost - CENT
            else:
                low = budget + CENT
        return best

    def _build(self, plan: Plan, settings: PlanSettings) -> BuiltRequest:
        assert plan.target_role is not None  # checked by `variant`
        subject = Subject(plan.person, plan.target_role, settings, plan)
        calendar = Calendar.starting(plan.starts_on or self.clock().date())
        return self.planner.build([subject], calendar, self.limits.quick_time_limit_s, False)

    def _solve(self, plan: Plan, settings: PlanSettings, kind: str) -> Variant | None:
        built = self._build(plan, settings)
        answer = self.planner.solve(built)
        if answer["status"] not in ("optimal", "feasible"):
            return None
        return self._variant(plan, built, answer, kind, settings.budget)

    def _checked(self, built: BuiltRequest, seen: Variant) -> dict[str, Any]:
        """The variant's items as a planner answer, if they still hold in today's request."""
        # The solver is imported here, as in PlanningService: only planning code loads it.
        from solver.measure import learner_plan
        from solver.request import parse_request
        from solver.response import response_to_json
        from solver.solution import PlanItem, PlanResponse
        from solver.validate import check_response

        request = parse_request(built.data)
        items = [PlanItem(i["activity"], i["start_week"], i["end_week"], i["mentor"])
                 for i in seen.planned]  # fmt: skip
        answer = PlanResponse(seen.status, (learner_plan(request, request.learners[0], items),))
        problems = check_response(request, answer)
        if problems:
            raise Conflict(f"the {seen.kind} plan no longer holds (" + "; ".join(problems[:3])
                           + "); compare the alternatives again")  # fmt: skip
        return response_to_json(answer)["plans"][0]  # type: ignore[no-any-return]

    def _variant(
        self, plan: Plan, built: BuiltRequest, answer: dict[str, Any], kind: str,
        budget: Decimal | None,
    ) -> Variant:  # fmt: skip
        learner = answer["plans"][0]
        ids = built.catalog.activity_ids.values()
        stmt = self.scoped(Activity).where(Activity.id.in_(ids))
        acts = {a.external_id: a for a in self.session.scalars(stmt)}
        hours: dict[int, Decimal] = {}
        items = []
        for item in learner["items"]:
            act = acts[item["activity"]]
            for week in range(item["start_week"], item["end_week"]):
                hours[week] = hours.get(week, Decimal(0)) + act.hours_per_week
            items.append(VariantItem(act.title, *_span(plan, item["start_week"],
                                                       item["end_week"]), act.cost))  # fmt: skip
        ready = learner["closure"] == learner["max_closure"]
        same = items_key(learner["items"]) == items_key((plan.response or {}).get("items", []))
        return Variant(
            kind, items, sum((i.cost for i in items), Decimal(0)), sum(hours.values(), Decimal(0)),
            max(hours.values(), default=Decimal(0)),
            built.calendar.start_date(learner["readiness_week"]) if ready else None,
            Decimal(str(learner["closure"])), Decimal(str(learner["max_closure"])), same,
            answer["status"], budget, learner["items"],
        )  # fmt: skip


def _span(plan: Plan, start: int, end: int) -> tuple[dt.date, dt.date]:
    """First and last day of weeks start .. end-1 of the plan."""
    calendar = Calendar.starting(plan.starts_on or plan.created_at.date())
    return calendar.start_date(start), calendar.last_day(end)


def _plain(value: Any) -> Any:
    """JSON-ready copy: dates as ISO strings, Decimals as strings."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
