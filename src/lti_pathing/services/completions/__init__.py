"""Completions from the LMS (or a CSV upload) turned into skill evidence and finished plan items.

The evidence rule (docs/completions.md): a completion of an LMS course or course module that
the catalog links to an activity is a completion of that activity. For every skill the activity
grants (its outcomes), the person gets one `Evidence` row with source `lms_completion`, the
granted level, observed on the completion date. The same activity never yields a second
evidence row for the same person and skill, whichever channel reports it again. Open plan
items of that activity are marked completed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from lti_pathing.lms.source import Fetched, Wanted
from lti_pathing.models import (
    Activity,
    CompletionChannel,
    CompletionRecord,
    Evidence,
    EvidenceSource,
    ItemStatus,
    Lms,
    LmsConnection,
    LmsCourseLink,
    LmsSyncRun,
    Person,
    Plan,
    PlanEvent,
    PlanItem,
    PlanStatus,
)
from lti_pathing.services.base import TenantService
from lti_pathing.services.credentials import CredentialService

OPEN_ITEMS = (ItemStatus.planned, ItemStatus.in_progress)
LIVE_PLANS = (
    PlanStatus.draft,
    PlanStatus.submitted,
    PlanStatus.approved,
    PlanStatus.changes_requested,
)


@dataclass
class Applied:
    """What one or more completions changed."""

    evidence: int = 0
    items: int = 0

    def __iadd__(self, other: Applied) -> Applied:
        self.evidence += other.evidence
        self.items += other.items
        return self


def behind_schedule(plan: Plan, today: dt.date) -> list[PlanItem]:
    """Items of the plan whose planned end has passed but that are not done (empty: on track)."""
    if plan.starts_on is None or plan.status not in LIVE_PLANS:
        return []
    return [
        item
        for item in plan.items
        if item.status in OPEN_ITEMS and plan.starts_on + dt.timedelta(weeks=item.end_week) < today
    ]


class CompletionService(TenantService):
    """Stores completions once and applies them: evidence, plan items done."""

    def wanted(self, person: Person, lms: Lms) -> Wanted:
        """The courses and modules the catalog links for this LMS, and what the person has."""
        links = self.session.scalars(
            self.scoped(LmsCourseLink).where(LmsCourseLink.lms == lms)
        ).all()
        courses = {link.course_id for link in links if "/" not in link.course_id}
        modules = {
            (course, module)
            for course, _, module in (link.course_id.partition("/") for link in links)
            if module
        }
        known = self.session.scalars(
            select(CompletionRecord.key).where(
                CompletionRecord.tenant_id == self.tenant.id,
                CompletionRecord.person_id == person.id,
                CompletionRecord.channel == CompletionChannel(lms.value),
            )
        ).all()
        return Wanted(frozenset(courses), frozenset(modules), frozenset(known))

    def record_fetched(
        self,
        person: Person,
        fetched: Fetched,
        connection: LmsConnection,
        run: LmsSyncRun | None = None,
    ) -> CompletionRecord | None:
        """Store a completion an LMS reported; None when it was already stored (nothing changes)."""
        channel = CompletionChannel(connection.kind.value)
        if self._stored(person, channel, fetched.key) is not None:
            return None
        record = CompletionRecord(
            person_id=person.id,
            channel=channel,
            key=fetched.key,
            lms=connection.kind,
            lms_course_id=fetched.course_id,
            lms_module_id=fetched.module_id,
            connection_id=connection.id,
            sync_run_id=run.id if run is not None else None,
            completed_at=fetched.completed_at,
            fetched_at=self.clock(),
            raw_status=fetched.raw_status[:255],
        )
        return self.add(record)

    def _stored(
        self, person: Person, channel: CompletionChannel, key: str
    ) -> CompletionRecord | None:
        return self.session.scalar(
            self.scoped(CompletionRecord).where(
                CompletionRecord.person_id == person.id,
                CompletionRecord.channel == channel,
                CompletionRecord.key == key,
            )
        )

    def activities_of(self, record: CompletionRecord) -> list[Activity]:
        """Catalog activities this completion completes (named, or through LMS course links)."""
        if record.activity_id is not None:
            return [self.get(Activity, record.activity_id)]
        if record.lms is None or record.lms_course_id is None:
            return []
        linked = record.lms_course_id
        if record.lms_module_id is not None:
            linked = f"{record.lms_course_id}/{record.lms_module_id}"
        stmt = (
            self.scoped(Activity)
            .join(LmsCourseLink, LmsCourseLink.activity_id == Activity.id)
            .where(LmsCourseLink.lms == record.lms, LmsCourseLink.course_id == linked)
            .order_by(Activity.id)
        )
        return list(self.session.scalars(stmt).unique())

    def apply_record(self, record: CompletionRecord) -> Applied:
        """Evidence for every skill the completed activities grant; their open plan items done."""
        applied = Applied()
        for activity in self.activities_of(record):
            applied += self._complete_activity(record, activity)
        if applied.evidence or applied.items:  # levels rose or plan items were done
            CredentialService(self.session, self.tenant, self.clock).award_due(record.person_id)
        return applied

    def apply_person(self, person: Person) -> Applied:
        """Re-apply every stored completion of a person (catalog links may have been added)."""
        applied = Applied()
        records = self.session.scalars(
            self.scoped(CompletionRecord)
            .where(CompletionRecord.person_id == person.id)
            .order_by(CompletionRecord.completed_at, CompletionRecord.id)
        )
        for record in records:
            applied += self.apply_record(record)
        return applied

    def _complete_activity(self, record: CompletionRecord, activity: Activity) -> Applied:
        applied = Applied()
        on = record.completed_at.date()
        for outcome in activity.outcomes:
            if self._has_evidence(record.person_id, activity.id, outcome.skill_id):
                continue
            note = f"{record.channel.value} {record.key}: {record.raw_status}"
            self.add(
                Evidence(
                    person_id=record.person_id,
                    skill_id=outcome.skill_id,
                    level=outcome.level,
                    source=EvidenceSource.lms_completion,
                    observed_on=on,
                    activity_id=activity.id,
                    note=note[:1000],
                )
            )
            applied.evidence += 1
        applied.items += self._finish_items(record, activity, on)
        return applied

    def _has_evidence(self, person_id: int, activity_id: int, skill_id: int) -> bool:
        found = self.session.scalar(
            select(Evidence.id).where(
                Evidence.tenant_id == self.tenant.id,
                Evidence.person_id == person_id,
                Evidence.activity_id == activity_id,
                Evidence.skill_id == skill_id,
                Evidence.source == EvidenceSource.lms_completion,
            )
        )
        return found is not None

    def _finish_items(self, record: CompletionRecord, activity: Activity, on: dt.date) -> int:
        stmt = (
            self.scoped(PlanItem)
            .join(Plan, Plan.id == PlanItem.plan_id)
            .where(
                Plan.person_id == record.person_id,
                Plan.status.in_(LIVE_PLANS),
                PlanItem.activity_id == activity.id,
                PlanItem.status.in_(OPEN_ITEMS),
            )
        )
        items = list(self.session.scalars(stmt))
        for item in items:
            item.status = ItemStatus.completed
            item.completed_on = on
            event = PlanEvent(
                plan_id=item.plan_id,
                kind="item_completed",
                comment=f"completed in the LMS ({record.channel.value})",
                data={"item_id": item.id, "activity": activity.external_id, "key": record.key},
            )
            self.add(event)
        return len(items)
