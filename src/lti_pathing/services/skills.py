"""Skills, their levels, and skill categories."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import func, select

from lti_pathing.errors import Invalid, Reference
from lti_pathing.models import (
    Activity,
    ActivityOutcome,
    ActivitySkillPrereq,
    Evidence,
    RoleSkill,
    Skill,
    SkillCategory,
    SkillLevel,
)
from lti_pathing.services.base import TenantService
from lti_pathing.services.listing import ListQuery, Page, filtered, paginate

SKILL_FIELDS = frozenset({"external_id", "name", "category_id", "description", "source_uri"})
CATEGORY_FIELDS = frozenset({"external_id", "name"})
MAX_LEVELS = 10


class LevelSpec(NamedTuple):
    """One level of a skill's scale as given by an editor or an import."""

    level: int
    name: str
    description: str | None = None


class SkillService(TenantService):
    """Create, edit, list, retire and delete skills and skill categories."""

    def list_skills(self, query: ListQuery, category_id: int | None = None) -> Page[Skill]:
        """Skills matching the query, by name."""
        stmt = filtered(self.scoped(Skill), Skill, query, ("name", "external_id", "description"))
        if category_id is not None:
            stmt = stmt.where(Skill.category_id == category_id)
        return paginate(self.session, stmt.order_by(Skill.name, Skill.id), query)

    def get_skill(self, skill_id: int) -> Skill:
        """One skill of the tenant."""
        return self.get(Skill, skill_id)

    def create_skill(self, fields: Mapping[str, Any], levels: Sequence[LevelSpec]) -> Skill:
        """Add a skill with its scale (levels 1..N)."""
        self._check_fields(fields)
        skill = Skill(tenant_id=self.tenant.id)
        self.apply(skill, fields, SKILL_FIELDS)
        self._replace_levels(skill, levels)
        return self.add(skill)

    def update_skill(
        self,
        skill_id: int,
        expected_version: int | None,
        fields: Mapping[str, Any],
        levels: Sequence[LevelSpec] | None = None,
    ) -> Skill:
        """Change a skill; `levels` (when given) replaces its scale."""
        skill = self.get(Skill, skill_id)
        self.check_version(skill, expected_version)
        self._check_fields(fields, skill.id)
        # One edit is one version: no query below may flush the field change on its own.
        with self.session.no_autoflush:
            self.apply(skill, fields, SKILL_FIELDS)
            if levels is not None:
                self._check_levels_still_cover(skill, len(levels))
                if self._replace_levels(skill, levels):
                    self.touch(skill)
        self.flush()
        return skill

    def retire_skill(self, skill_id: int, expected_version: int | None) -> Skill:
        """Hide a skill from new use; roles and history keep it."""
        skill = self.get(Skill, skill_id)
        self.set_active(skill, expected_version, False)
        return skill

    def restore_skill(self, skill_id: int, expected_version: int | None) -> Skill:
        """Bring a retired skill back."""
        skill = self.get(Skill, skill_id)
        self.set_active(skill, expected_version, True)
        return skill

    def delete_skill(self, skill_id: int, expected_version: int | None) -> None:
        """Delete an unused skill; a used one is refused with the list of its users."""
        skill = self.get(Skill, skill_id)
        self.delete(skill, expected_version, self.skill_references(skill))

    def skill_references(self, skill: Skill) -> list[Reference]:
        """Every role, activity and evidence record that uses the skill."""
        refs = [
            Reference("role", rs.role.id, f"{rs.role.title} requires level {rs.level}")
            for rs in self.session.scalars(select(RoleSkill).where(RoleSkill.skill_id == skill.id))
        ]
        teaching = select(Activity, ActivityOutcome.level).join(ActivityOutcome)
        requiring = select(Activity, ActivitySkillPrereq.level).join(ActivitySkillPrereq)
        for stmt, verb in (
            (teaching.where(ActivityOutcome.skill_id == skill.id), "teaches"),
            (requiring.where(ActivitySkillPrereq.skill_id == skill.id), "requires"),
        ):
            for activity, level in self.session.execute(stmt):
                refs.append(
                    Reference("activity", activity.id, f"{activity.title} {verb} level {level}")
                )
        count = self.session.scalar(
            select(func.count()).select_from(Evidence).where(Evidence.skill_id == skill.id)
        )
        if count:
            refs.append(Reference("evidence", 0, f"{count} evidence record(s) of people's levels"))
        return refs

    def list_categories(self, query: ListQuery) -> Page[SkillCategory]:
        """Skill categories matching the query, by name."""
        stmt = filtered(self.scoped(SkillCategory), SkillCategory, query, ("name", "external_id"))
        return paginate(self.session, stmt.order_by(SkillCategory.name), query)

    def create_category(self, fields: Mapping[str, Any]) -> SkillCategory:
        """Add a skill category."""
        self.require_unique_name(SkillCategory, "name", fields["name"])
        category = SkillCategory(tenant_id=self.tenant.id)
        self.apply(category, fields, CATEGORY_FIELDS)
        return self.add(category)

    def update_category(
        self, category_id: int, expected_version: int | None, fields: Mapping[str, Any]
    ) -> SkillCategory:
        """Rename or re-key a category."""
        category = self.get(SkillCategory, category_id)
        self.check_version(category, expected_version)
        if "name" in fields:
            self.require_unique_name(SkillCategory, "name", fields["name"], category.id)
        self.apply(category, fields, CATEGORY_FIELDS)
        self.flush()
        return category

    def set_category_active(
        self, category_id: int, expected_version: int | None, active: bool
    ) -> SkillCategory:
        """Retire (active=False) or restore a category."""
        category = self.get(SkillCategory, category_id)
        self.set_active(category, expected_version, active)
        return category

    def delete_category(self, category_id: int, expected_version: int | None) -> None:
        """Delete an empty category; one holding skills is refused with the list."""
        category = self.get(SkillCategory, category_id)
        refs = [
            Reference("skill", s.id, s.name)
            for s in self.session.scalars(select(Skill).where(Skill.category_id == category.id))
        ]
        self.delete(category, expected_version, refs)

    def _check_fields(self, fields: Mapping[str, Any], skill_id: int | None = None) -> None:
        if "name" in fields:
            self.require_unique_name(Skill, "name", fields["name"], skill_id)
        if fields.get("category_id") is not None:
            self.get(SkillCategory, fields["category_id"])  # must be this tenant's

    def _replace_levels(self, skill: Skill, levels: Sequence[LevelSpec]) -> bool:
        numbers = sorted(spec.level for spec in levels)
        if not 1 <= len(numbers) <= MAX_LEVELS or numbers != list(range(1, len(numbers) + 1)):
            raise Invalid(
                "bad scale", {"levels": [f"levels must be 1..N with N from 1 to {MAX_LEVELS}"]}
            )
        current = {(lv.level, lv.name, lv.description) for lv in skill.levels}
        wanted = {(spec.level, spec.name, spec.description) for spec in levels}
        if current == wanted:
            return False
        by_level = {lv.level: lv for lv in skill.levels}
        for spec in levels:
            row = by_level.pop(spec.level, None) or SkillLevel(
                tenant_id=self.tenant.id, level=spec.level
            )
            row.name, row.description = spec.name, spec.description
            if row not in skill.levels:
                skill.levels.append(row)
        for row in by_level.values():
            skill.levels.remove(row)
        return True

    def _check_levels_still_cover(self, skill: Skill, top: int) -> None:
        """A scale may not shrink below a level that roles or activities use."""
        used = [
            self.session.scalar(select(func.max(model.level)).where(model.skill_id == skill.id))
            for model in (RoleSkill, ActivityOutcome, ActivitySkillPrereq)
        ]
        highest = max((u for u in used if u is not None), default=0)
        if highest > top:
            raise Invalid("scale too short", {"levels": [f"level {highest} is still in use"]})
