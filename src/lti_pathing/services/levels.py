"""A person's current skill levels, derived from Evidence rows, with the evidence behind each.

Rule (docs/levels.md): per skill, the most trusted source that says anything wins; within that
source the latest observation wins (a later-recorded row breaks a tie on the date). Evidence is
never edited, so a lower level from a trusted source (a manager's re-assessment) replaces a
higher one from the same source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from lti_pathing.models import Evidence, EvidenceSource, Person, Skill
from lti_pathing.services.base import TenantService

# Higher wins. Manager assessment: observed at work by someone accountable for it. Import: the
# organisation's own records (HRIS, assessment centres), curated but second-hand. LMS completion:
# objective, but finishing a course shows exposure more than proficiency. Self-assessment: the
# least reliable, used only when nothing else speaks for the skill.
TRUST: dict[EvidenceSource, int] = {
    EvidenceSource.manager: 4,
    EvidenceSource.import_: 3,
    EvidenceSource.lms_completion: 2,
    EvidenceSource.self: 1,
}


# How each source is named to people (pages never show the stored value).
SOURCE_WORDS: dict[EvidenceSource, str] = {
    EvidenceSource.manager: "manager assessment",
    EvidenceSource.import_: "organisation records",
    EvidenceSource.lms_completion: "completed course",
    EvidenceSource.self: "self-assessment",
}


@dataclass(frozen=True)
class Basis:
    """One Evidence row as a page shows it: the source, level, date, activity and who said so."""

    evidence_id: int
    source: EvidenceSource
    level: int
    observed_on: dt.date
    activity_id: int | None
    activity_title: str | None
    recorded_by_id: int | None
    recorded_by_name: str | None
    note: str | None

    @property
    def source_words(self) -> str:
        """The source as people call it ("manager assessment", "completed course", ...)."""
        return SOURCE_WORDS[self.source]


@dataclass(frozen=True)
class CurrentLevel:
    """A person's level in one skill, the evidence that decided it, and what it outranked."""

    skill_id: int
    skill_external_id: str
    skill_name: str
    level: int
    basis: Basis
    outranked: tuple[Basis, ...] = ()  # other evidence for the skill, most trusted/latest first


def _rank(evidence: Evidence) -> tuple[int, dt.date, int]:
    """Sort key: trust, then date, then recording order; the maximum wins."""
    return (TRUST[evidence.source], evidence.observed_on, evidence.id)


def _basis(evidence: Evidence) -> Basis:
    recorder = evidence.recorded_by
    activity = evidence.activity
    return Basis(
        evidence_id=evidence.id,
        source=evidence.source,
        level=evidence.level,
        observed_on=evidence.observed_on,
        activity_id=evidence.activity_id,
        activity_title=activity.title if activity is not None else None,
        recorded_by_id=evidence.recorded_by_id,
        recorded_by_name=recorder.name if recorder is not None else None,
        note=evidence.note,
    )


def decide(skill: Skill, rows: Iterable[Evidence]) -> CurrentLevel | None:
    """Apply the trust rule to one person's evidence for one skill (None without evidence)."""
    ranked = sorted(rows, key=_rank, reverse=True)
    if not ranked:
        return None
    best = ranked[0]
    level = min(best.level, skill.max_level) if skill.max_level else best.level
    return CurrentLevel(
        skill_id=skill.id,
        skill_external_id=skill.external_id,
        skill_name=skill.name,
        level=level,
        basis=_basis(best),
        outranked=tuple(_basis(e) for e in ranked[1:]),
    )


class LevelService(TenantService):
    """Current skill levels of people in the acting tenant."""

    def current_levels(self, person_id: int) -> dict[int, CurrentLevel]:
        """Skill id -> current level of one person (skills without evidence are absent: level 0)."""
        person = self.get(Person, person_id)
        return self.levels_for([person.id]).get(person.id, {})

    def levels_for(self, person_ids: Iterable[int]) -> dict[int, dict[int, CurrentLevel]]:
        """Current levels of many people at once (one query; for team and org re-plans)."""
        ids = list(person_ids)
        if not ids:
            return {}
        rows = self.session.scalars(
            self.scoped(Evidence).where(Evidence.person_id.in_(ids)).order_by(Evidence.id)
        ).all()
        grouped: dict[tuple[int, int], list[Evidence]] = {}
        for row in rows:
            grouped.setdefault((row.person_id, row.skill_id), []).append(row)
        skills = {
            s.id: s
            for s in self.session.scalars(
                self.scoped(Skill).where(Skill.id.in_({k[1] for k in grouped}))
            )
        }
        out: dict[int, dict[int, CurrentLevel]] = {pid: {} for pid in ids}
        for (pid, sid), evidence in grouped.items():
            decided = decide(skills[sid], evidence)
            if decided is not None:
                out[pid][sid] = decided
        return out

    def completed_activity_ids(self, person_ids: Iterable[int]) -> dict[int, set[int]]:
        """Activities each person has evidence of having completed (any source naming one)."""
        ids = list(person_ids)
        out: dict[int, set[int]] = {pid: set() for pid in ids}
        if not ids:
            return out
        stmt = select(Evidence.person_id, Evidence.activity_id).where(
            Evidence.tenant_id == self.tenant.id,
            Evidence.person_id.in_(ids),
            Evidence.activity_id.is_not(None),
        )
        for pid, aid in self.session.execute(stmt):
            if aid is not None:
                out[pid].add(aid)
        return out
