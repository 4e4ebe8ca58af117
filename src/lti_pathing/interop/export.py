"""Write the tenant's skills as another system's framework file (Moodle, Canvas)."""

from __future__ import annotations

from sqlalchemy.orm import selectinload

from lti_pathing.interop import canvas, moodle
from lti_pathing.models import Skill, SkillCategory
from lti_pathing.services.base import TenantService

WRITERS = {"moodle-csv": "Moodle competency framework CSV", "canvas-csv": "Canvas outcomes CSV"}
SUFFIXES = {"moodle-csv": "moodle-competencies.csv", "canvas-csv": "canvas-outcomes.csv"}


class FrameworkExportService(TenantService):
    """The acting tenant's active skills and their categories as a framework file."""

    def write(self, fmt: str) -> str:
        """The CSV text of `fmt` (one of WRITERS)."""
        categories, skills = self._active()
        if fmt == "moodle-csv":
            framework_id = f"lti-pathing-{self.tenant.slug}"
            return moodle.write(framework_id, self.tenant.name, categories, skills)
        if fmt == "canvas-csv":
            return canvas.write(categories, skills)
        raise ValueError(fmt)

    def file_name(self, fmt: str) -> str:
        """The download's name, e.g. `acme-moodle-competencies.csv`."""
        return f"{self.tenant.slug}-{SUFFIXES[fmt]}"

    def _active(self) -> tuple[list[SkillCategory], list[Skill]]:
        """Active skills (by external id) and the categories that hold any of them."""
        stmt = (
            self.scoped(Skill)
            .where(Skill.active.is_(True))
            .options(selectinload(Skill.levels), selectinload(Skill.relations))
            .order_by(Skill.external_id)
        )
        skills = [skill for skill in self.session.scalars(stmt) if skill.levels]
        used = {skill.category_id for skill in skills}
        categories = self.session.scalars(
            self.scoped(SkillCategory)
            .where(SkillCategory.id.in_(used - {None}))
            .order_by(SkillCategory.external_id)
        )
        return list(categories), skills
