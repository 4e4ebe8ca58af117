"""Re-plan from today: a plan whose items slipped is planned again from the coming Monday.

The plan keeps its start (so its week numbers stay), every week before the coming Monday is
closed (blacked out), done items stay as they are (the planner gets them as completed), and
pinned items that have not started yet keep their week; a pinned item whose week has passed
without it being done can no longer be kept there and is planned again. A draft is re-generated
in place; an approved or submitted plan is never changed: the result is a proposal that the
manager accepts or dismisses.
"""

from __future__ import annotations

import datetime as dt

from lti_pathing.errors import Conflict
from lti_pathing.models import ItemStatus, Plan, PlanItem
from lti_pathing.services.base import TenantService
from lti_pathing.services.calendar import week_date
from lti_pathing.services.completions import behind_schedule
from lti_pathing.services.mentoring import MentorService
from lti_pathing.services.plan_life import HELD, REGENERATED_IN_PLACE
from lti_pathing.services.planning import PlanSettings, next_monday
from lti_pathing.services.planning.settings import Pin


class RescheduleService(TenantService):
    """What re-planning a slipped plan from today asks the planner for."""

    def behind(self, plan: Plan, today: dt.date | None = None) -> list[PlanItem]:
        """The plan's items past their planned end and not done (the one rule for 'behind')."""
        return behind_schedule(plan, today or self.clock().date())

    def settings_from_today(self, plan: Plan, today: dt.date | None = None) -> PlanSettings:
        """The plan's own choices, its past weeks closed and only still-possible pins kept."""
        if plan.starts_on is None:
            raise Conflict("this plan has no dates to re-plan")
        restart = next_monday(today or self.clock().date())
        stored = PlanSettings.from_json(plan.settings or {})
        past = [plan.starts_on + dt.timedelta(weeks=w) for w in range(self._weeks(plan, restart))]
        pins = {
            i.activity_id: Pin(i.activity_id, week_date(plan, i.start_week), i.mentor_id)
            for i in plan.items
            if i.pinned and i.status is not ItemStatus.completed
        }
        pins.update({p.activity_id: p for p in stored.pins})
        done = {i.activity_id for i in plan.items if i.status is ItemStatus.completed}
        # An item whose mentor declined is planned again (with a mentor who has room), not kept.
        refused = MentorService(self.session, self.tenant).refused_activities(plan.person_id)
        kept = tuple(
            p for p in pins.values()
            if p.starts_on >= restart and p.activity_id not in done | refused
        )  # fmt: skip
        return stored.with_(
            starts_on=plan.starts_on,
            blackout=tuple(sorted(set(stored.blackout) | set(past))),
            pins=kept,
            target_role_id=plan.target_role_id,
        )

    def how(self, plan: Plan) -> str:
        """'regenerate' (a draft changes in place) or 'propose' (a held plan gets a proposal)."""
        if plan.status in REGENERATED_IN_PLACE:
            return "regenerate"
        if plan.status in HELD:
            return "propose"
        raise Conflict(f"a {plan.status.value} plan cannot be re-planned")

    @staticmethod
    def _weeks(plan: Plan, restart: dt.date) -> int:
        assert plan.starts_on is not None
        return max(0, (restart - plan.starts_on).days // 7)
