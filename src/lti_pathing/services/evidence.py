"""Evidence of people's skill levels: listed, and added by managers, admins or imports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import or_

from lti_pathing.errors import Invalid
from lti_pathing.models import Evidence, EvidenceSource, Person, Skill
from lti_pathing.services.base import TenantService
from lti_pathing.services.listing import ListQuery, Page, paginate

# Sources a person may record by hand; LMS completions come only from the LMS sync.
MANUAL_SOURCES = (EvidenceSource.manager, EvidenceSource.import_, EvidenceSource.self)


class EvidenceService(TenantService):
    """List evidence and record new evidence (it is never edited; newer evidence supersedes)."""

    def list_evidence(
        self,
        query: ListQuery,
        person_id: int | None = None,
        skill_id: int | None = None,
        source: EvidenceSource | None = None,
    ) -> Page[Evidence]:
        """Evidence matching the filters (search: person or skill name), newest first."""
        stmt = (
            self.scoped(Evidence)
            .join(Person, Evidence.person_id == Person.id)
            .join(Skill, Evidence.skill_id == Skill.id)
        )
        if query.search:
            pattern = f"%{query.search.lower()}%"
            stmt = stmt.where(
                or_(
                    Person.name.ilike(pattern),
                    Person.external_id.ilike(pattern),
                    Skill.name.ilike(pattern),
                )
            )
        if person_id is not None:
            stmt = stmt.where(Evidence.person_id == person_id)
        if skill_id is not None:
            stmt = stmt.where(Evidence.skill_id == skill_id)
        if source is not None:
            stmt = stmt.where(Evidence.source == source)
        stmt = stmt.order_by(Evidence.observed_on.desc(), Evidence.id.desc())
        return paginate(self.session, stmt, query)

    def add_evidence(self, fields: Mapping[str, Any], recorded_by_id: int | None) -> Evidence:
        """Record that a person showed a level in a skill on a date."""
        person = self.get(Person, fields["person_id"])
        skill = self.get(Skill, fields["skill_id"])
        source = EvidenceSource(fields["source"])
        errors: dict[str, list[str]] = {}
        if source not in MANUAL_SOURCES:
            errors["source"] = ["LMS completions are recorded by the LMS sync"]
        level = int(fields["level"])
        if not 0 <= level <= skill.max_level:
            errors["level"] = [f"{skill.name}: level must be 0..{skill.max_level}"]
        observed: dt.date = fields["observed_on"]
        if observed > self.clock().date():
            errors["observed_on"] = ["cannot be in the future"]
        if errors:
            raise Invalid("invalid evidence", errors)
        recorder = self.optional(Person, recorded_by_id)
        evidence = Evidence(
            person_id=person.id, skill_id=skill.id, level=level, source=source,
            observed_on=observed, recorded_by_id=recorder.id if recorder else None,
            note=fields.get("note"), created_at=self.clock(),
        )  # fmt: skip
        return self.add(evidence)
