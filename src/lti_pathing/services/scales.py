"""What a skill's level means: each skill's own scale (1..N, a name and a descriptor per level).

A level is never shown as a bare number: pages show its name ("3 Practitioner") and, one click
away, what it means. Level 0 is below every scale: no evidence, or not used yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import selectinload

from lti_pathing.models import Skill
from lti_pathing.services.base import TenantService

NONE_NAME = "None yet"
NONE_DESCRIPTION = "Not used yet, or nothing shows it."


@dataclass(frozen=True)
class LevelMeaning:
    """One step of a scale: its number, name and descriptor."""

    level: int
    name: str
    description: str | None


@dataclass(frozen=True)
class Scale:
    """One skill's scale of levels, 0 (none yet) to its top."""

    skill_id: int
    external_id: str
    skill: str
    levels: tuple[LevelMeaning, ...]  # 1..top, in order

    @property
    def top(self) -> int:
        """The highest level of the scale (0 when the skill has no levels)."""
        return self.levels[-1].level if self.levels else 0

    @property
    def choices(self) -> tuple[LevelMeaning, ...]:
        """Every level a person can hold, 0 first (what a self-assessment offers)."""
        return (LevelMeaning(0, NONE_NAME, NONE_DESCRIPTION), *self.levels)

    def at(self, level: int) -> LevelMeaning:
        """The meaning of `level` (above the top: the top's, as levels are capped at it)."""
        found = [m for m in self.choices if m.level <= level]
        return found[-1] if found else self.choices[0]

    def label(self, level: int) -> str:
        """ "3 Practitioner": the number and the name, for tables."""
        return f"{level} {self.at(level).name}"

    def phrase(self, level: int) -> str:
        """ "level 3 (Practitioner)": for sentences."""
        return f"level {level} ({self.at(level).name})"


def scale_of(skill: Skill) -> Scale:
    """The scale of one loaded skill."""
    return Scale(
        skill_id=skill.id,
        external_id=skill.external_id,
        skill=skill.name,
        levels=tuple(LevelMeaning(lv.level, lv.name, lv.description) for lv in skill.levels),
    )


class ScaleService(TenantService):
    """Skills' scales of the acting tenant, for the pages that show or ask for a level."""

    def scales(self, skill_ids: Iterable[int] | None = None) -> dict[int, Scale]:
        """Skill id -> scale, of these skills (all of the tenant's when None); two queries."""
        stmt = self.scoped(Skill).options(selectinload(Skill.levels))
        if skill_ids is not None:
            stmt = stmt.where(Skill.id.in_(set(skill_ids)))
        return {s.id: scale_of(s) for s in self.session.scalars(stmt)}

    def by_external_ids(self, external_ids: Iterable[str]) -> dict[str, Scale]:
        """External skill id (as the planner names skills) -> scale."""
        wanted = set(external_ids)
        if not wanted:
            return {}
        stmt = (
            self.scoped(Skill)
            .where(Skill.external_id.in_(wanted))
            .options(selectinload(Skill.levels))
        )
        return {s.external_id: scale_of(s) for s in self.session.scalars(stmt)}
