"""The catalog of activities, with outcomes, prerequisites, cohorts, mentors and LMS links."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import func, select

from lti_pathing.errors import Invalid, Reference
from lti_pathing.models import (
    Activity,
    ActivityKind,
    ActivityMentor,
    ActivityOutcome,
    ActivityPrereq,
    ActivitySkillPrereq,
    Cohort,
    Evidence,
    ItemStatus,
    Lms,
    LmsCourseLink,
    Mentor,
    Person,
    Plan,
    PlanItem,
    Skill,
)
from lti_pathing.services.base import TenantService
from lti_pathing.services.listing import ListQuery, Page, filtered, paginate
from lti_pathing.services.plan_life import HELD

CURRENCY_CODE = re.compile(r"[A-Z]{3}")

ACTIVITY_FIELDS = frozenset(
    {
        "external_id", "kind", "title", "description", "provider", "url", "duration_weeks",
        "hours_per_week", "cost", "currency", "earliest_start", "latest_end", "seats", "active",
    }
)  # fmt: skip


class CohortSpec(NamedTuple):
    """A dated run of an activity."""

    external_id: str
    starts_on: dt.date
    seats: int | None = None


@dataclass(frozen=True)
class ActivityChildren:
    """Child sets of an activity; None leaves a set unchanged, a list replaces it exactly."""

    outcomes: Sequence[tuple[int, int]] | None = None  # (skill_id, level)
    skill_prereqs: Sequence[tuple[int, int]] | None = None  # (skill_id, level)
    prereqs: Sequence[int] | None = None  # activity ids
    cohorts: Sequence[CohortSpec] | None = None
    mentors: Sequence[int] | None = None  # mentor ids
    lms_links: Sequence[tuple[Lms, str]] | None = field(default=None)  # (lms, course id)


class ActivityService(TenantService):
    """Create, edit, list, retire and delete catalog activities."""

    def list_activities(self, query: ListQuery, kind: ActivityKind | None = None) -> Page[Activity]:
        """Activities matching the query, by title."""
        columns = ("title", "external_id", "provider", "description")
        stmt = filtered(self.scoped(Activity), Activity, query, columns)
        if kind is not None:
            stmt = stmt.where(Activity.kind == kind)
        return paginate(self.session, stmt.order_by(Activity.title, Activity.id), query)

    def get_activity(self, activity_id: int) -> Activity:
        """One activity of the tenant."""
        return self.get(Activity, activity_id)

    def create_activity(
        self, fields: Mapping[str, Any], children: ActivityChildren | None = None
    ) -> Activity:
        """Add an activity with its child sets."""
        activity = Activity(tenant_id=self.tenant.id)
        self.apply(activity, fields, ACTIVITY_FIELDS)
        self.add(activity)
        self._replace_children(activity, children or ActivityChildren())
        self._check(activity)
        self.flush()
        return activity

    def update_activity(
        self,
        activity_id: int,
        expected_version: int | None,
        fields: Mapping[str, Any],
        children: ActivityChildren | None = None,
    ) -> Activity:
        """Change an activity and (optionally) replace child sets."""
        activity = self.get(Activity, activity_id)
        self.check_version(activity, expected_version)
        # One edit is one version: no query below may flush the field change on its own.
        with self.session.no_autoflush:
            self.apply(activity, fields, ACTIVITY_FIELDS)
            if self._replace_children(activity, children or ActivityChildren()):
                self.touch(activity)
        self._check(activity)
        self.flush()
        return activity

    def retire_activity(self, activity_id: int, expected_version: int | None) -> Activity:
        """Offer the activity in no new plan; existing plans keep it."""
        activity = self.get(Activity, activity_id)
        self.set_active(activity, expected_version, False)
        return activity

    def plans_holding(self, activity_id: int) -> list[Plan]:
        """Approved and submitted plans that still have the activity to do (retiring warns)."""
        activity = self.get(Activity, activity_id)
        holds = (
            select(PlanItem.id)
            .where(
                PlanItem.plan_id == Plan.id,
                PlanItem.activity_id == activity.id,
                PlanItem.status.in_((ItemStatus.planned, ItemStatus.in_progress)),
            )
            .exists()
        )
        stmt = (
            self.scoped(Plan)
            .join(Person, Plan.person_id == Person.id)
            .where(holds, Plan.status.in_(HELD))
            .order_by(Person.name, Plan.id)
        )
        return list(self.session.scalars(stmt))

    def restore_activity(self, activity_id: int, expected_version: int | None) -> Activity:
        """Offer a retired activity again."""
        activity = self.get(Activity, activity_id)
        self.set_active(activity, expected_version, True)
        return activity

    def delete_activity(self, activity_id: int, expected_version: int | None) -> None:
        """Delete an unused activity; one in plans, prerequisites or evidence is refused."""
        activity = self.get(Activity, activity_id)
        self.delete(activity, expected_version, self.activity_references(activity))

    def activity_references(self, activity: Activity) -> list[Reference]:
        """Activities requiring it, plan items placing it, evidence citing it."""
        dependants = self.session.scalars(
            select(ActivityPrereq).where(ActivityPrereq.requires_id == activity.id)
        )
        refs = [
            Reference(
                "activity", d.activity_id, self.session.get_one(Activity, d.activity_id).title
            )
            for d in dependants
        ]
        for model, kind in ((PlanItem, "plan_item"), (Evidence, "evidence")):
            count = self.session.scalar(
                select(func.count()).select_from(model).where(model.activity_id == activity.id)
            )
            if count:
                refs.append(Reference(kind, 0, f"{count} {kind.replace('_', ' ')}(s)"))
        return refs

    def _replace_children(self, activity: Activity, children: ActivityChildren) -> bool:
        changed = False
        if children.outcomes is not None:
            changed |= self._skill_levels(activity.outcomes, ActivityOutcome, children.outcomes)
        if children.skill_prereqs is not None:
            changed |= self._skill_levels(
                activity.skill_prereqs, ActivitySkillPrereq, children.skill_prereqs
            )
        if children.prereqs is not None:
            wanted = [self.get(Activity, i).id for i in children.prereqs]
            changed |= _replace(
                activity.prereqs,
                {r.requires_id: r for r in activity.prereqs},
                {i: ActivityPrereq(tenant_id=self.tenant.id, requires_id=i) for i in wanted},
            )
        if children.mentors is not None:
            wanted = [self.get(Mentor, i).id for i in children.mentors]
            changed |= _replace(
                activity.mentors,
                {m.mentor_id: m for m in activity.mentors},
                {i: ActivityMentor(tenant_id=self.tenant.id, mentor_id=i) for i in wanted},
            )
        if children.cohorts is not None:
            changed |= self._cohorts(activity, children.cohorts)
        if children.lms_links is not None:
            changed |= self._links(activity, children.lms_links)
        return changed

    def _skill_levels(
        self, rows: list[Any], model: type[Any], wanted: Sequence[tuple[int, int]]
    ) -> bool:
        for skill_id, level in wanted:
            skill = self.get(Skill, skill_id)
            if not 1 <= level <= skill.max_level:
                raise Invalid(
                    "bad level", {"level": [f"{skill.name}: level must be 1..{skill.max_level}"]}
                )
        current = {(r.skill_id, r.level) for r in rows}
        if current == set(wanted) and len(wanted) == len(rows):
            return False
        by_skill = {r.skill_id: r for r in rows}
        for skill_id, level in wanted:
            row = by_skill.pop(skill_id, None)
            if row is None:
                row = model(tenant_id=self.tenant.id, skill_id=skill_id)
                rows.append(row)
            row.level = level
        for row in by_skill.values():
            rows.remove(row)
        return True

    def _cohorts(self, activity: Activity, wanted: Sequence[CohortSpec]) -> bool:
        current = {(c.external_id, c.starts_on, c.seats) for c in activity.cohorts}
        if current == set(wanted) and len(wanted) == len(activity.cohorts):
            return False
        by_id = {c.external_id: c for c in activity.cohorts}
        for spec in wanted:
            row = by_id.pop(spec.external_id, None)
            if row is None:
                row = Cohort(tenant_id=self.tenant.id, external_id=spec.external_id)
                activity.cohorts.append(row)
            row.starts_on, row.seats = spec.starts_on, spec.seats
        for row in by_id.values():
            activity.cohorts.remove(row)
        return True

    def _links(self, activity: Activity, wanted: Sequence[tuple[Lms, str]]) -> bool:
        current = {(link.lms, link.course_id) for link in activity.lms_links if link.issuer == ""}
        if current == set(wanted):
            return False
        by_lms = {link.lms: link for link in activity.lms_links if link.issuer == ""}
        for lms, course_id in wanted:
            row = by_lms.pop(lms, None)
            if row is None:
                row = LmsCourseLink(tenant_id=self.tenant.id, lms=lms, issuer="")
                activity.lms_links.append(row)
            row.course_id = course_id
        for row in by_lms.values():
            activity.lms_links.remove(row)
        return True

    def _check(self, activity: Activity) -> None:
        errors: dict[str, list[str]] = {}
        if activity.kind == ActivityKind.mentorship and not activity.mentors:
            errors["mentors"] = ["a mentorship needs at least one mentor"]
        currency = currency_problem(activity.currency)
        if currency is not None:
            errors["currency"] = [currency]
        if activity.cost and activity.cost > 0 and not activity.currency:
            errors["currency"] = ["required when cost > 0"]
        window = window_problem(
            activity.earliest_start, activity.latest_end, activity.duration_weeks
        )
        if window is not None:  # a change with stored values
            errors["latest_end"] = [window]
        if errors:
            raise Invalid("invalid activity", errors)


def window_problem(start: dt.date | None, end: dt.date | None, weeks: int | None) -> str | None:
    """Why an activity's window is wrong (it must hold the activity's weeks); None when right."""
    if start is None or end is None:
        return None
    if end < start + dt.timedelta(weeks=max(weeks or 0, 0)) or end <= start:
        return f"must be at least {weeks or 0} weeks after earliest_start ({start.isoformat()})"
    return None


def currency_problem(currency: str | None) -> str | None:
    """Why `currency` is not an ISO 4217 code (three capital letters); None when it is one."""
    if currency is not None and not CURRENCY_CODE.fullmatch(currency):
        return f"{currency!r:.20} is not an ISO 4217 code like EUR"
    return None


def _replace(rows: list[Any], current: dict[int, Any], wanted: dict[int, Any]) -> bool:
    """Make `rows` hold exactly the keys of `wanted`, keeping rows that already exist."""
    if current.keys() == wanted.keys():
        return False
    for key, row in wanted.items():
        if key not in current:
            rows.append(row)
    for key, row in current.items():
        if key not in wanted:
            rows.remove(row)
    return True
