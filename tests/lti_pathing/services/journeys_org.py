"""A tiny organisation for the journey services' tests: two managers, reports, roles, a plan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from lti_pathing.models import (
    Activity,
    ActivityKind,
    ActivityOutcome,
    CareerPath,
    JobFamily,
    PathKind,
    Person,
    Plan,
    PlanItem,
    Role,
    RoleLevel,
    RoleSkill,
    Skill,
    Tenant,
    Track,
)


@dataclass
class Org:
    """Who is who: director > maya (manager) > leo, lea; omar (another manager) > xena."""

    tenant: Tenant
    director: Person
    maya: Person
    leo: Person
    lea: Person
    omar: Person
    xena: Person
    python: Skill
    testing: Skill
    swe1: Role
    swe2: Role
    swe3: Role
    qa1: Role
    course: Activity
    plan: Plan


def build_org(session: Session, tenant: Tenant) -> Org:
    """Add the tiny organisation to `tenant` and return its records."""
    t = tenant.id

    def add(obj: Any) -> Any:
        session.add(obj)
        session.flush()
        return obj

    python = add(Skill(tenant_id=t, external_id="python", name="Python"))
    testing = add(Skill(tenant_id=t, external_id="testing", name="Testing"))
    family = add(JobFamily(tenant_id=t, external_id="eng", name="Engineering"))

    def role(ext: str, title: str, rank: int, needs: dict[Skill, int]) -> Role:
        made = add(Role(tenant_id=t, external_id=ext, title=title, family_id=family.id,
                        track=Track.individual, level=RoleLevel.mid, level_rank=rank))  # fmt: skip
        for skill, level in needs.items():
            add(RoleSkill(tenant_id=t, role_id=made.id, skill_id=skill.id, level=level,
                          weight=Decimal("1")))  # fmt: skip
        return made

    swe1 = role("swe-1", "Software Engineer I", 1, {python: 1})
    swe2 = role("swe-2", "Software Engineer II", 2, {python: 2, testing: 2})
    swe3 = role("swe-3", "Software Engineer III", 3, {python: 3, testing: 3})
    qa1 = role("qa-1", "QA Engineer", 1, {testing: 2})
    for a, b, kind in ((swe1, swe2, PathKind.vertical), (swe1, qa1, PathKind.lateral),
                       (swe2, swe3, PathKind.vertical)):  # fmt: skip
        add(CareerPath(tenant_id=t, from_role_id=a.id, to_role_id=b.id, kind=kind))

    def person(ext: str, name: str, manager: Person | None, role: Role | None = None) -> Person:
        return add(Person(tenant_id=t, external_id=ext, name=name,
                          manager_id=manager.id if manager else None,
                          current_role_id=role.id if role else None))  # fmt: skip

    director = person("E1", "Dana Director", None)
    maya = person("E2", "Maya Manager", director)
    omar = person("E3", "Omar Other", director)
    leo = person("E4", "Leo Learner", maya, swe1)
    lea = person("E5", "Lea Learner", maya, swe1)
    xena = person("E6", "Xena Elsewhere", omar, swe1)
    course = add(Activity(tenant_id=t, external_id="py-201", kind=ActivityKind.course,
                          title="Python, the next step", duration_weeks=4,
                          hours_per_week=Decimal("2"),
                          url="https://academy.example.com/py"))  # fmt: skip
    add(ActivityOutcome(tenant_id=t, activity_id=course.id, skill_id=python.id, level=2))
    plan = add(Plan(tenant_id=t, person_id=leo.id, target_role_id=swe2.id,
                    starts_on=dt.date(2026, 1, 5)))  # fmt: skip
    add(PlanItem(tenant_id=t, plan_id=plan.id, activity_id=course.id, start_week=1, end_week=5))
    session.refresh(plan)
    return Org(tenant, director, maya, leo, lea, omar, xena, python, testing, swe1, swe2, swe3,
               qa1, course, plan)  # fmt: skip
