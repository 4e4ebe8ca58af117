"""Plan progress for LMS grade books: where to send it (launch contexts) and what was sent.

A launch whose AGS claim offers line items and the score scope makes the learner a passback
target of that course (`remember_launch`). The score is the share of the learner's plan effort
that is done (`lms.ags.plan_progress`) of their approved plan, else their newest live plan.
Sending is a background job (`lti_pathing.jobs`); this service only reads and records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from lti_pathing.lms.ags import plan_progress
from lti_pathing.models import (
    GradePassback,
    LtiContext,
    Person,
    Plan,
    PlanEvent,
    PlanStatus,
    PlatformRegistration,
)
from lti_pathing.services.base import TenantService

AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
CONTEXT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/context"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
PROGRESS_PLANS = (PlanStatus.submitted, PlanStatus.draft, PlanStatus.changes_requested)


def score_of(progress: float) -> Decimal:
    """A 0..1 progress share as the score out of 100 that is sent (two decimals)."""
    return Decimal(str(round(progress * 100, 2))).quantize(Decimal("0.01"))


class GradeService(TenantService):
    """Passback targets of the acting tenant and the record of scores sent to them."""

    def remember_launch(
        self, registration: PlatformRegistration, claims: Mapping[str, Any], person: Person
    ) -> GradePassback | None:
        """Record the launch's course and the learner as a target, if the LMS takes scores."""
        endpoint = claims.get(AGS_CLAIM) or {}
        context = claims.get(CONTEXT_CLAIM) or {}
        lineitems = str(endpoint.get("lineitems") or "")
        scopes = endpoint.get("scope") or []
        if not lineitems or SCORE_SCOPE not in scopes or not context.get("id"):
            return None
        found = self.session.scalar(
            self.scoped(LtiContext).where(
                LtiContext.registration_id == registration.id,
                LtiContext.context_id == str(context["id"]),
            )
        )
        url = lineitems[:500]
        row = found or self.add(
            LtiContext(
                registration_id=registration.id,
                context_id=str(context["id"])[:255],
                lineitems_url=url,
                title="",
            )
        )
        row.title = str(context.get("title") or context.get("label") or "")[:255]
        if row.lineitems_url != url:  # the course moved: find the plan's column again
            row.lineitems_url, row.lineitem_url = url, None
        self.flush()
        target = self.session.scalar(
            self.scoped(GradePassback).where(
                GradePassback.context_id == row.id, GradePassback.person_id == person.id
            )
        )
        if target is None:
            target = self.add(
                GradePassback(
                    context_id=row.id, person_id=person.id, subject=str(claims["sub"])[:255]
                )
            )
        target.subject = str(claims["sub"])[:255]
        return target

    def targets(self, person_ids: Iterable[int] | None = None) -> list[GradePassback]:
        """Passback targets (of these people) whose registration is active."""
        stmt = (
            self.scoped(GradePassback)
            .join(LtiContext, LtiContext.id == GradePassback.context_id)
            .join(PlatformRegistration, PlatformRegistration.id == LtiContext.registration_id)
            .where(PlatformRegistration.active.is_(True))
            .order_by(GradePassback.id)
        )
        if person_ids is not None:
            stmt = stmt.where(GradePassback.person_id.in_(list(person_ids)))
        return list(self.session.scalars(stmt))

    def with_targets(self, person_ids: Iterable[int]) -> list[int]:
        """Of these people, those with somewhere to send their progress."""
        return sorted({t.person_id for t in self.targets(person_ids)})

    def progress_plan(self, person_id: int) -> Plan | None:
        """The plan whose progress is reported: the newest approved, else the newest live one."""
        plans = self.session.scalars(
            self.scoped(Plan)
            .where(
                Plan.person_id == person_id, Plan.status.in_((PlanStatus.approved, *PROGRESS_PLANS))
            )
            .order_by(Plan.id.desc())
        ).all()
        approved = [p for p in plans if p.status is PlanStatus.approved]
        chosen = approved or list(plans)
        return chosen[0] if chosen else None

    def score_for(self, person_id: int) -> tuple[Plan | None, Decimal]:
        """The plan reported and its progress as a score out of 100 (0 without a plan)."""
        plan = self.progress_plan(person_id)
        return plan, score_of(plan_progress(plan)) if plan is not None else Decimal("0.00")

    def record_sent(
        self, target: GradePassback, plan: Plan | None, score: Decimal, line_item: str | None
    ) -> None:
        """Note a score the LMS accepted."""
        now = self.clock()
        target.score, target.sent_at, target.attempted_at = score, now, now
        target.plan_id = plan.id if plan is not None else None
        target.error = None
        if line_item:
            target.context.lineitem_url = line_item[:500]

    def record_failed(self, target: GradePassback, error: str) -> None:
        """Note the LMS's refusal (the last score sent stays as it was)."""
        target.attempted_at, target.error = self.clock(), error[:2000]

    def people_with_items_done_since(self, since: dt.datetime) -> list[int]:
        """People whose plan items were marked done (by a sync or an upload) since `since`."""
        stmt = (
            select(Plan.person_id)
            .join(PlanEvent, PlanEvent.plan_id == Plan.id)
            .where(
                Plan.tenant_id == self.tenant.id,
                PlanEvent.kind == "item_completed",
                PlanEvent.at >= since,
            )
            .distinct()
        )
        return sorted(self.session.scalars(stmt))
