"""A manager's assessment of a report's skills: evidence of source `manager`, the most trusted.

The level is chosen on the skill's own scale (0 = none, up to its top level, each with its
name and descriptor), dated (not in the future) and may carry a comment the report sees. It is
evidence like any other (`services.evidence`): never edited, and by the trust rule of
`services.levels` (docs/levels.md) it outranks imports, LMS completions and self-assessments,
so it is what gap measurement, the heat map and the planner use from then on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lti_pathing.errors import Invalid
from lti_pathing.models import Evidence, EvidenceSource, Skill
from lti_pathing.services.base import TenantService
from lti_pathing.services.evidence import EvidenceService, EvidenceSpec
from lti_pathing.services.levels import CurrentLevel, LevelService
from lti_pathing.services.pathways import PathwayService
from lti_pathing.services.team import TeamService

MAX_NOTE = 2000
OLDEST_DAYS = 366 * 5  # an observation older than five years says little about today


@dataclass(frozen=True)
class SkillRow:
    """One skill of a report's roles: where they are, what their roles need, and why."""

    skill: Skill
    current: CurrentLevel | None
    needed_now: int | None  # by their current role
    needed_next: int | None  # by their target role

    @property
    def level(self) -> int:
        """The level the trust rule decides (0 without evidence)."""
        return self.current.level if self.current is not None else 0

    @property
    def mine(self) -> bool:
        """True when a manager's assessment decides the level."""
        return self.current is not None and self.current.basis.source is EvidenceSource.manager


class AssessmentService(TenantService):
    """Record and show managers' assessments of their reports' skills."""

    def sheet(self, manager_id: int, person_id: int) -> list[SkillRow]:
        """The skills of the report's current and target roles, by name, with levels now."""
        report = TeamService(self.session, self.tenant).report_of(manager_id, person_id)
        pathways = PathwayService(self.session, self.tenant, self.clock)
        needed: dict[int, list[int | None]] = {}
        for index, role_id in enumerate((report.current_role_id, report.target_role_id)):
            if role_id is None:
                continue
            for rs in pathways.role_with_skills(role_id).skills:
                needed.setdefault(rs.skill_id, [None, None])[index] = rs.level
        levels = LevelService(self.session, self.tenant, self.clock).current_levels(report.id)
        skills = self.session.scalars(self.scoped(Skill).where(Skill.id.in_(needed)))
        rows = [SkillRow(s, levels.get(s.id), needed[s.id][0], needed[s.id][1]) for s in skills]
        return sorted(rows, key=lambda row: row.skill.name.lower())

    def assess(
        self,
        manager_id: int,
        person_id: int,
        skill_id: int,
        level: int,
        observed_on: dt.date | None,
        note: str = "",
    ) -> Evidence:
        """Record the manager's assessment of one skill of a report (NotFound for non-reports)."""
        report = TeamService(self.session, self.tenant).report_of(manager_id, person_id)
        skill = self.get(Skill, skill_id)
        today = self.clock().date()
        errors: dict[str, list[str]] = {}
        if not 0 <= level <= skill.max_level:
            errors["level"] = [f"{skill.name} is measured from 0 to {skill.max_level}"]
        when = observed_on or today
        if when > today:
            errors["observed_on"] = ["an assessment cannot be dated in the future"]
        elif when < today - dt.timedelta(days=OLDEST_DAYS):
            errors["observed_on"] = ["pick a date in the last five years"]
        note = note.strip()
        if len(note) > MAX_NOTE:
            errors["note"] = [f"at most {MAX_NOTE} characters"]
        if errors:
            raise Invalid("assessment not recorded", errors)
        spec = EvidenceSpec(
            person_id=report.id, skill_id=skill.id, level=level, source=EvidenceSource.manager,
            observed_on=when, recorded_by_id=manager_id, note=note or None,
        )  # fmt: skip
        return EvidenceService(self.session, self.tenant, self.clock).record(spec, manual=True)
