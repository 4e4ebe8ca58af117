""" "Why this plan": the planner's reasons for a stored plan, with the tool's names and dates.

`solver.rationale` gives reason codes with parameters in the planner's ids and weeks; this
service swaps in the catalog's names, calendar dates and money, and keeps the codes. The words
are chosen at the edge (`web/why_words.py`), one whole sentence template per code.

The reasons are worked out again from the plan as it was generated (its stored learner inputs)
against the current catalog; when the catalog no longer holds what the plan was made from,
`WhyPlan.stale` says so and the reasons are left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from lti_pathing.models import Activity, Plan, Skill
from lti_pathing.services.base import TenantService
from lti_pathing.services.gap_wording import GapWordingService
from lti_pathing.services.planning import Calendar, PlanningService, PlanSettings
from lti_pathing.services.planning.request import BuiltRequest

ACTIVITY_PARAMS = ("activity", "other")
MONEY_PARAMS = ("cost", "other_cost")
HOUR_PARAMS = ("hours", "other_hours")


@dataclass(frozen=True)
class Why:
    """One reason: its code and named parameters (names, dates, amounts)."""

    code: str
    params: dict[str, Any]


@dataclass(frozen=True)
class ItemWhy:
    """A plan item: what it is, when, what it is for, why then."""

    title: str
    starts_on: dt.date
    ends_on: dt.date
    purpose: list[Why]
    timing: list[Why]


@dataclass(frozen=True)
class NotChosenWhy:
    """An activity left out, and why."""

    title: str
    reasons: list[Why]


@dataclass(frozen=True)
class WhyPlan:
    """Everything the "why this plan" page shows."""

    plan: Plan
    items: list[ItemWhy]
    not_chosen: list[NotChosenWhy]
    open_gaps: list[Why]
    stale: bool = False


class WhyPlanService(TenantService):
    """Reasons of the acting tenant's plans."""

    def explain(self, plan: Plan) -> WhyPlan:
        """The reasons of a stored plan (its items, what was left out, what stays open)."""
        from solver.errors import RequestError  # the planner loads only where it is used
        from solver.rationale import rationale
        from solver.request import parse_request
        from solver.solution import OpenGap, PlanItem

        built = self._built(plan)
        if built is None:
            return WhyPlan(plan, [], [], self._open_gaps(plan), stale=True)
        try:
            request = parse_request(built.data)
        except RequestError:
            return WhyPlan(plan, [], [], self._open_gaps(plan), stale=True)
        response = plan.response or {}
        items = [PlanItem(i["activity"], i["start_week"], i["end_week"], i.get("mentor"))
                 for i in response.get("items", [])]  # fmt: skip
        gaps = [OpenGap(g["skill"], g["reason"], g.get("detail", ""), g.get("suggestion"))
                for g in response.get("open_gaps", [])]  # fmt: skip
        found = rationale(request, request.learners[0], items, gaps)
        names = self._names()
        calendar = built.calendar
        return WhyPlan(
            plan,
            [ItemWhy(names.get(r.item.activity, r.item.activity),
                     calendar.start_date(r.item.start_week), calendar.start_date(r.item.end_week),
                     [self._why(x.code, x.params, names, calendar) for x in r.purpose],
                     [self._why(x.code, x.params, names, calendar) for x in r.timing])
             for r in found.items],
            [NotChosenWhy(names.get(n.activity, n.activity),
                          [self._why(x.code, x.params, names, calendar) for x in n.reasons])
             for n in found.not_chosen],
            self._open_gaps(plan),
        )  # fmt: skip

    def _built(self, plan: Plan) -> BuiltRequest | None:
        """The plan's request: its learner as generated, against the current catalog."""
        stored = plan.request or {}
        if plan.starts_on is None or "learner" not in stored or plan.target_role_id is None:
            return None
        planning = PlanningService(self.session, self.tenant, self.clock)
        subject = planning.subject(plan.person_id, PlanSettings(target_role_id=plan.target_role_id))
        built = planning.build([subject], Calendar.starting(plan.starts_on), 1.0, False)
        built.data["learners"] = [stored["learner"]]
        built.data["horizon_weeks"] = stored.get("horizon_weeks", built.data["horizon_weeks"])
        return built

    def _names(self) -> dict[str, str]:
        """Skill and activity external ids -> their names."""
        t = self.tenant.id
        rows = list(
            self.session.execute(select(Skill.external_id, Skill.name).where(Skill.tenant_id == t))
        )
        rows += list(
            self.session.execute(
                select(Activity.external_id, Activity.title).where(Activity.tenant_id == t)
            )
        )
        return {str(k): str(v) for k, v in rows}

    def _why(self, code: str, params: dict[str, Any], names: dict[str, str], calendar: Calendar
             ) -> Why:  # fmt: skip
        out: dict[str, Any] = {}
        for key, value in params.items():
            if key in ACTIVITY_PARAMS or key == "skill":
                out[key] = names.get(value, value)
            elif key == "others":
                out[key] = ", ".join(names.get(v, v) for v in value)
            elif key == "week":
                out["date"] = calendar.start_date(value)
            elif key in MONEY_PARAMS:
                out[key] = Decimal(value) / 100
            elif key in HOUR_PARAMS:
                out[key] = Decimal(value) / 4
            else:
                out[key] = value
        if any(k in MONEY_PARAMS for k in params):
            out["currency"] = GapWordingService(self.session, self.tenant).currency() or ""
        return Why(code, out)

    def _open_gaps(self, plan: Plan) -> list[Why]:
        """Each target the plan leaves open: the planner's reason code, the skill, the level."""
        response = plan.response or {}
        names = self._names()
        required = {g["skill"]: g["required"] for g in response.get("gaps", [])}
        return [Why(f"open_{g['reason']}", {"skill": names.get(g["skill"], g["skill"]),
                                            "required": required.get(g["skill"], "")})
                for g in response.get("open_gaps", [])]  # fmt: skip
