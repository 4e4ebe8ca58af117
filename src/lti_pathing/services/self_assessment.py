"""Self-assessment: a person says where they stand in a skill (the least trusted evidence)."""

from __future__ import annotations

from lti_pathing.errors import Invalid
from lti_pathing.models import Evidence, EvidenceSource, Person, Skill
from lti_pathing.services.base import TenantService

MAX_NOTE = 2000


class SelfAssessmentService(TenantService):
    """Record a person's own view of their level as Evidence (source `self`)."""

    def record(self, person_id: int, skill_id: int, level: int, note: str = "") -> Evidence:
        """Add self-assessed evidence; the level must be on the skill's scale (0 = none)."""
        person = self.get(Person, person_id)
        skill = self.get(Skill, skill_id)
        top = skill.max_level
        errors: dict[str, list[str]] = {}
        if not 0 <= level <= top:
            errors["level"] = [f"{skill.name} is measured from 0 to {top}: choose a level"]
        note = note.strip()
        if len(note) > MAX_NOTE:
            errors["note"] = [f"at most {MAX_NOTE} characters"]
        if errors:
            raise Invalid("self-assessment not recorded", errors)
        return self.add(
            Evidence(
                person_id=person.id,
                skill_id=skill.id,
                level=level,
                source=EvidenceSource.self,
                observed_on=self.clock().date(),
                recorded_by_id=person.id,
                note=note or None,
            )
        )
