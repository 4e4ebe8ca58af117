"""What an admin sees first: how many of each record the tenant holds."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from lti_pathing.models import (
    Activity,
    ApiToken,
    CareerPath,
    Evidence,
    JobFamily,
    Mentor,
    Person,
    Role,
    Skill,
    SkillCategory,
    SkillLevel,
)
from lti_pathing.services.base import TenantService

COUNTED: dict[str, Any] = {
    "skill_categories": SkillCategory,
    "skills": Skill,
    "job_families": JobFamily,
    "roles": Role,
    "career_paths": CareerPath,
    "activities": Activity,
    "mentors": Mentor,
    "people": Person,
    "evidence": Evidence,
    "api_tokens": ApiToken,
}


class OverviewService(TenantService):
    """Counts of the acting tenant's records."""

    def counts(self) -> dict[str, int]:
        """Rows per entity (retired ones included), keyed like `COUNTED`."""
        result = {}
        for key, model in COUNTED.items():
            stmt = select(func.count()).select_from(model).where(model.tenant_id == self.tenant.id)
            result[key] = self.session.scalar(stmt) or 0
        return result

    def options(self, model: Any, label: str, active_only: bool = False) -> list[tuple[int, str]]:
        """(id, label) of every record of `model`, by label: the choices of a select box."""
        column = getattr(model, label)
        stmt = select(model.id, column).where(model.tenant_id == self.tenant.id)
        if active_only and hasattr(model, "active"):
            stmt = stmt.where(model.active.is_(True))
        return [(row[0], str(row[1])) for row in self.session.execute(stmt.order_by(column))]

    def skill_scales(self) -> dict[int, tuple[str, int]]:
        """Skill id -> (name, top level of its scale), by name."""
        stmt = (
            select(Skill.id, Skill.name, func.coalesce(func.max(SkillLevel.level), 0))
            .outerjoin(SkillLevel, SkillLevel.skill_id == Skill.id)
            .where(Skill.tenant_id == self.tenant.id)
            .group_by(Skill.id, Skill.name)
            .order_by(Skill.name)
        )
        return {row[0]: (str(row[1]), int(row[2])) for row in self.session.execute(stmt)}

    def mentor_options(self) -> list[tuple[int, str]]:
        """(mentor id, "name (capacity n)") of every mentor, by name."""
        stmt = (
            select(Mentor.id, Person.name, Mentor.capacity, Mentor.active)
            .join(Person, Mentor.person_id == Person.id)
            .where(Mentor.tenant_id == self.tenant.id)
            .order_by(Person.name)
        )
        return [
            (m_id, f"{name} (capacity {cap}{'' if active else ', retired'})")
            for m_id, name, cap, active in self.session.execute(stmt)
        ]
