"""What a tenant already holds, loaded once per import and keyed by external id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from lti_pathing.models import (
    Activity,
    ActivityMentor,
    ActivityOutcome,
    ActivityPrereq,
    ActivitySkillPrereq,
    CareerPath,
    JobFamily,
    Mentor,
    Person,
    Role,
    RoleSkill,
    Skill,
    SkillCategory,
    SkillRelation,
    Tenant,
)


@dataclass
class Stored:
    """Every importable entity of one tenant, by external id (mentors by their person's id)."""

    skill_categories: dict[str, SkillCategory]
    skills: dict[str, Skill]
    job_families: dict[str, JobFamily]
    roles: dict[str, Role]
    activities: dict[str, Activity]
    mentors: dict[str, Mentor]
    people: dict[str, Person]

    def of(self, table: str) -> dict[str, Any]:
        """The stored entities of a parent table."""
        found: dict[str, Any] = getattr(self, table)
        return found


def load_stored(session: Session, tenant: Tenant) -> Stored:
    """Load the tenant's entities with every child set an import compares (a few queries)."""

    def by_id(model: Any, *options: Any) -> dict[str, Any]:
        stmt = select(model).where(model.tenant_id == tenant.id).options(*options)
        return {row.external_id: row for row in session.scalars(stmt)}

    people = by_id(Person, selectinload(Person.identities))
    mentors = session.scalars(select(Mentor).where(Mentor.tenant_id == tenant.id))
    return Stored(
        skill_categories=by_id(SkillCategory),
        skills=by_id(
            Skill,
            selectinload(Skill.levels),
            selectinload(Skill.relations).selectinload(SkillRelation.related),
        ),
        job_families=by_id(JobFamily),
        roles=by_id(
            Role,
            selectinload(Role.skills).selectinload(RoleSkill.skill),
            selectinload(Role.paths).selectinload(CareerPath.to_role),
        ),
        activities=by_id(
            Activity,
            selectinload(Activity.outcomes).selectinload(ActivityOutcome.skill),
            selectinload(Activity.skill_prereqs).selectinload(ActivitySkillPrereq.skill),
            selectinload(Activity.prereqs).selectinload(ActivityPrereq.requires),
            selectinload(Activity.cohorts),
            selectinload(Activity.mentors).selectinload(ActivityMentor.mentor),
            selectinload(Activity.lms_links),
        ),
        mentors={m.person.external_id: m for m in mentors},
        people=people,
    )
