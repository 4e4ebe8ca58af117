"""Evidence of people's skill levels: listed, and recorded by managers, admins, imports or the API.

Evidence is never edited; newer or more trusted evidence supersedes it (see services/levels.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_

from lti_pathing.errors import Invalid
from lti_pathing.models import Activity, Evidence, EvidenceSource, Person, Skill
from lti_pathing.services.base import TenantService
from lti_pathing.services.credentials import CredentialService
from lti_pathing.services.listing import ListQuery, Page, contains_text, paginate

# Sources a person may record by hand; LMS completions come only from the LMS sync.
MANUAL_SOURCES = (EvidenceSource.manager, EvidenceSource.import_, EvidenceSource.self)


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
    """List evidence and record new evidence within the acting tenant."""

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
            text = query.search
            stmt = stmt.where(
                or_(
                    contains_text(Person.name, text),
                    contains_text(Person.external_id, text),
                    contains_text(Skill.name, text),
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

    def record(self, spec: EvidenceSpec, manual: bool = False) -> Evidence:
        """Add evidence; ids must be the tenant's, the level on the skill's scale, the date past.

        `manual` (a person typing it in) also refuses the LMS-completion source.
        """
        person = self.get(Person, spec.person_id)
        skill = self.get(Skill, spec.skill_id)
        recorder = self.optional(Person, spec.recorded_by_id)
        activity = self.optional(Activity, spec.activity_id)
        errors: dict[str, list[str]] = {}
        if manual and spec.source not in MANUAL_SOURCES:
            errors["source"] = ["LMS completions are recorded by the LMS sync"]
        if not 0 <= spec.level <= skill.max_level:
            errors["level"] = [f"{skill.name} is measured from 0 to {skill.max_level}"]
        if spec.observed_on > self.clock().date():
            errors["observed_on"] = ["cannot be in the future"]
        if errors:
            raise Invalid("invalid evidence", errors)
        evidence = Evidence(
            person_id=person.id, skill_id=skill.id, level=spec.level, source=spec.source,
            observed_on=spec.observed_on, recorded_by_id=recorder.id if recorder else None,
            activity_id=activity.id if activity else None, note=spec.note,
            created_at=self.clock(),
        )  # fmt: skip
        self.add(evidence)
        CredentialService(self.session, self.tenant, self.clock).award_due(person.id)
        return evidence

    def add_evidence(self, fields: Mapping[str, Any], recorded_by_id: int | None) -> Evidence:
        """Record evidence typed into a form by `recorded_by_id` (manual sources only)."""
        spec = EvidenceSpec(
            person_id=fields["person_id"], skill_id=fields["skill_id"],
            level=int(fields["level"]), source=EvidenceSource(fields["source"]),
            observed_on=fields["observed_on"], recorded_by_id=recorded_by_id,
            note=fields.get("note"),
        )  # fmt: skip
        return self.record(spec, manual=True)
