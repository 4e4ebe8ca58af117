"""Plan progress, defined once: the share of the plan's planned hours that is completed.

Every figure called "progress" (the plan page, the manager's pages, the LMS grade book) comes
from `plan_progress`. Hours, not items: a twelve-week certification and a one-week workshop are
not the same step, and a count of items jumps by a sixth when the smallest of six is done. An
item weighs its activity's planned effort (weeks x hours per week); dropped items do not count.
How far a person's levels are from a role ("required levels met", `pathways.Fit`) is a different
measure with its own name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from lti_pathing.models import ItemStatus, Plan, PlanItem, PlanStatus
from lti_pathing.services.base import TenantService
from lti_pathing.services.plan_life import LIVE

# Plans whose progress counts when none is approved: the newest of these.


@dataclass(frozen=True)
class PlanProgress:
    """Planned hours done out of all planned hours, and the items behind them."""

    hours_done: Decimal
    hours_total: Decimal
    items_done: int
    items_total: int

    @property
    def share(self) -> Decimal:
        """Done over total, 0..1 (0 for an empty plan)."""
        return self.hours_done / self.hours_total if self.hours_total > 0 else Decimal(0)

    @property
    def percent(self) -> int:
        """Whole percent, rounded down (100 only when everything is done)."""
        return int(self.share * 100)

    @property
    def score(self) -> Decimal:
        """The same share as a grade-book score out of 100, two decimals, rounded down."""
        return (self.share * 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN)

    @property
    def started(self) -> bool:
        """True once any planned hour is done (before that there is nothing to report)."""
        return self.hours_done > 0


def item_hours(item: PlanItem) -> Decimal:
    """The planned effort of one item: its activity's weeks x hours per week."""
    return Decimal(item.activity.duration_weeks) * Decimal(item.activity.hours_per_week)


def progress_of(items: Iterable[PlanItem]) -> PlanProgress:
    """Progress over these items (dropped ones left out)."""
    done = total = Decimal(0)
    items_done = items_total = 0
    for item in items:
        if item.status == ItemStatus.dropped:
            continue
        hours, finished = item_hours(item), item.status == ItemStatus.completed
        total, items_total = total + hours, items_total + 1
        if finished:
            done, items_done = done + hours, items_done + 1
    return PlanProgress(done, total, items_done, items_total)


def plan_progress(plan: Plan) -> PlanProgress:
    """A plan's progress: the share of its planned hours that is completed."""
    return progress_of(plan.items)


class ProgressService(TenantService):
    """Which plan of a person progress is measured on, and that progress."""

    def reported_plan(self, person_id: int) -> Plan | None:
        """The newest approved plan, else the newest live one (None without either)."""
        return self.reported_plans([person_id]).get(person_id)

    def reported_plans(self, person_ids: Iterable[int]) -> dict[int, Plan]:
        """`reported_plan` for each of these people who has one."""
        ids = list(person_ids)
        if not ids:
            return {}
        plans = self.session.scalars(
            self.scoped(Plan)
            .where(Plan.person_id.in_(ids), Plan.status.in_((PlanStatus.approved, *LIVE)))
            .order_by(Plan.id.desc())
        ).all()
        chosen: dict[int, Plan] = {}
        for plan in plans:  # newest first: an approved plan beats any live one
            held = chosen.get(plan.person_id)
            if held is None or (plan.status is PlanStatus.approved
                                and held.status is not PlanStatus.approved):  # fmt: skip
                chosen[plan.person_id] = plan
        return chosen

    def of_people(self, person_ids: Iterable[int]) -> dict[int, PlanProgress]:
        """The progress of each person's reported plan (people without a plan left out)."""
        return {pid: plan_progress(plan) for pid, plan in self.reported_plans(person_ids).items()}
