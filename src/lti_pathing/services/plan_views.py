"""What a plan page shows: dated items, what each closes, open gaps with reasons, progress."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from lti_pathing.models import (
    Activity,
    ActivityOutcome,
    ItemStatus,
    Plan,
    PlanItem,
    Skill,
)
from lti_pathing.services.base import TenantService
from lti_pathing.services.calendar import day_in_words, week_date
from lti_pathing.services.completions import behind_schedule
from lti_pathing.services.gap_wording import GapWordingService, GapWords
from lti_pathing.services.progress import plan_progress
from lti_pathing.services.scales import Scale, ScaleService


@dataclass(frozen=True)
class ItemRow:
    """One planned activity with its dates and the target skills it raises."""

    item: PlanItem
    starts_on: dt.date
    ends_on: dt.date  # the last day (inclusive)
    closes: list[tuple[str, int]]  # (skill name, level it raises to)
    late: bool  # a live plan's item that should have ended by today and is not done


SHORT = "short of the target role"


@dataclass(frozen=True)
class Progress:
    """How far along the plan is (`services.progress`), against its schedule and its target.

    One rule decides both the schedule state and the readiness line: a plan that leaves a gap
    open has no readiness date, and then its state says so rather than "on track".
    """

    done: int  # items done
    total: int  # items (dropped ones left out)
    late: int
    ahead: int  # completed before their planned end
    readiness_on: dt.date | None  # None: the plan does not close every gap to the target
    percent: int  # of planned hours done: the one progress figure (also the grade book's)

    @property
    def state(self) -> str:
        """ "short of the target role", "behind", "ahead" or "on track"."""
        if self.readiness_on is None:
            return SHORT
        if self.late:
            return "behind"
        return "ahead" if self.ahead else "on track"

    @property
    def ready_label(self) -> str:
        """When the person is ready for the target, in the same terms as `state`."""
        if self.readiness_on is None:
            return "not with this plan: some skills stay short (see what stays open)"
        day = day_in_words(self.readiness_on)
        if self.late:
            return f"{day} as planned, later until the late items are done"
        return day


@dataclass(frozen=True)
class PlanView:
    """Everything a plan page renders."""

    plan: Plan
    rows: list[ItemRow]
    open_gaps: list[GapWords]
    progress: Progress
    weeks: int  # timeline length in weeks
    solve_status: str | None
    gaps: list[dict[str, Any]] = field(default_factory=list)
    scales: dict[str, Scale] = field(default_factory=dict)  # skill name -> its scale


class PlanViewService(TenantService):
    """Builds `PlanView`s for the learner and manager pages."""

    def view(self, plan: Plan, today: dt.date | None = None) -> PlanView:
        """The page model of one plan."""
        today = today or self.clock().date()
        response = plan.response or {}
        names = self._skill_names(response)
        target = {rs.skill_id for rs in plan.target_role.skills} if plan.target_role else set()
        self._load_activities(plan)
        outcomes = self._outcomes([i.activity_id for i in plan.items])
        behind = {item.id for item in behind_schedule(plan, today)}  # the LMS sync's one rule
        rows: list[ItemRow] = []
        skill_ids = {o.skill_id for found in outcomes.values() for o in found}
        scales = ScaleService(self.session, self.tenant).scales(skill_ids)
        for item in plan.items:
            if item.status == ItemStatus.dropped:
                continue
            ends_on = week_date(plan, item.end_week) - dt.timedelta(days=1)
            closes = [
                (o.skill.name, o.level) for o in outcomes.get(item.activity_id, [])
                if not target or o.skill_id in target
            ]  # fmt: skip
            late = item.id in behind
            rows.append(ItemRow(item, week_date(plan, item.start_week), ends_on, closes, late))
        gaps = GapWordingService(self.session, self.tenant).words(
            plan, response.get("open_gaps", [])
        )
        return PlanView(
            plan=plan,
            rows=rows,
            open_gaps=gaps,
            progress=self._progress(plan, rows, response),
            weeks=max([r.item.end_week for r in rows] + [1]),
            solve_status=response.get("status"),
            gaps=[
                {**g, "name": names.get(g["skill"], g["skill"])} for g in response.get("gaps", [])
            ],
            scales={scale.skill: scale for scale in scales.values()},
        )

    def _progress(self, plan: Plan, rows: list[ItemRow], response: dict[str, Any]) -> Progress:
        done = [r for r in rows if r.item.status == ItemStatus.completed]
        ahead = [r for r in done if r.item.completed_on and r.item.completed_on < r.ends_on]
        ready = response.get("closure") is not None and response.get("closure") == response.get(
            "max_closure"
        )
        last_end = max((r.item.end_week for r in rows), default=0)
        readiness_on = week_date(plan, last_end) if ready and plan.items else None
        if ready and not plan.items:
            readiness_on = week_date(plan, 0)
        percent = plan_progress(plan).percent
        return Progress(
            len(done), len(rows), sum(r.late for r in rows), len(ahead), readiness_on, percent
        )

    def _load_activities(self, plan: Plan) -> None:
        """Every item's activity in one query (rows and progress read them item by item)."""
        missing = [item for item in plan.items if "activity" in inspect(item).unloaded]
        if not missing:
            return
        ids = {item.activity_id for item in missing}
        found = {a.id: a for a in self.session.scalars(
            self.scoped(Activity).where(Activity.id.in_(ids))
        )}  # fmt: skip
        for item in missing:
            set_committed_value(item, "activity", found.get(item.activity_id))

    def _outcomes(self, activity_ids: list[int]) -> dict[int, list[ActivityOutcome]]:
        if not activity_ids:
            return {}
        stmt = (
            select(ActivityOutcome)
            .where(
                ActivityOutcome.tenant_id == self.tenant.id,
                ActivityOutcome.activity_id.in_(activity_ids),
            )
            .options(selectinload(ActivityOutcome.skill))
            .order_by(ActivityOutcome.id)
        )
        out: dict[int, list[ActivityOutcome]] = {}
        for outcome in self.session.scalars(stmt):
            out.setdefault(outcome.activity_id, []).append(outcome)
        return out

    def _skill_names(self, response: dict[str, Any]) -> dict[str, str]:
        """External skill id (as the planner names skills) -> display name."""
        ids = {g["skill"] for g in response.get("gaps", [])}
        if not ids:
            return {}
        stmt = select(Skill.external_id, Skill.name).where(
            Skill.tenant_id == self.tenant.id, Skill.external_id.in_(ids)
        )
        return {row[0]: row[1] for row in self.session.execute(stmt).all()}

    def activities(self) -> list[Activity]:
        """Active catalog activities, by title (what a manager may add to a plan)."""
        stmt = self.scoped(Activity).where(Activity.active.is_(True)).order_by(Activity.title)
        return list(self.session.scalars(stmt))
