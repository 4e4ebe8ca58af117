"""Evidence of people's skill levels: listed and recorded, never edited (newer evidence wins)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lti_pathing.errors import Invalid
from lti_pathing.models import Activity, Evidence, EvidenceSource, Person, Skill
from lti_pathing.services.base import TenantService
from lti_pathing.services.listing import ListQuery, Page, paginate


@dataclass(frozen=True)
class EvidenceSpec:
    """What a new evidence record says: who showed which level of a skill, when, per whom."""

    person_id: int
    skill_id: int
    level: int
    source: EvidenceSource
    observed_on: dt.date
    recorded_by_id: int | None = None
    activity_id: int | None = None
    note: str | None = None


class EvidenceService(TenantService):
    """List and record evidence within the acting tenant."""

    def list_evidence(
        self,
        query: ListQuery,
        person_id: int | None = None,
        skill_id: int | None = None,
        source: EvidenceSource | None = None,
    ) -> Page[Evidence]:
        """Evidence, newest observation first."""
        stmt = self.scoped(Evidence)
        if person_id is not None:
            stmt = stmt.where(Evidence.person_id == person_id)
        if skill_id is not None:
            stmt = stmt.where(Evidence.skill_id == skill_id)
        if source is not None:
            stmt = stmt.where(Evidence.source == source)
        order = (Evidence.observed_on.desc(), Evidence.id.desc())
        return paginate(self.session, stmt.order_by(*order), query)

    def record(self, spec: EvidenceSpec) -> Evidence:
        """Add evidence; every id must be the tenant's and the level on the skill's scale."""
        person = self.get(Person, spec.person_id)
        skill = self.get(Skill, spec.skill_id)
        recorder = self.optional(Person, spec.recorded_by_id)
        activity = self.optional(Activity, spec.activity_id)
        if not 0 <= spec.level <= skill.max_level:
            raise Invalid("bad level", {"level": [f"{skill.name}: must be 0..{skill.max_level}"]})
        if spec.observed_on > self.clock().date():
            raise Invalid("future date", {"observed_on": ["must not be in the future"]})
        evidence = Evidence(
            person_id=person.id, skill_id=skill.id, level=spec.level, source=spec.source,
            observed_on=spec.observed_on, recorded_by_id=recorder.id if recorder else None,
            activity_id=activity.id if activity else None, note=spec.note,
            created_at=self.clock(),
        )  # fmt: skip
        return self.add(evidence)
