"""Admin-page fixtures: one record of every noun in a tenant, made through the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from lti_pathing.lti.platforms import PlatformService, PlatformSpec
from lti_pathing.models import (
    ActivityKind,
    CourseRoster,
    EvidenceSource,
    Lms,
    PathKind,
    RoleLevel,
    Tenant,
    Track,
)
from lti_pathing.services.activities import ActivityChildren, ActivityService, CohortSpec
from lti_pathing.services.api_tokens import ApiTokenService
from lti_pathing.services.evidence import EvidenceService
from lti_pathing.services.job_architecture import JobArchitectureService, RoleSkillSpec
from lti_pathing.services.people import PeopleService
from lti_pathing.services.skills import LevelSpec, SkillService


@pytest.fixture
def seed(session: Session) -> Callable[[Tenant, str], dict[str, Any]]:
    """Factory: `seed(tenant, "a")` adds one of everything named with the tag; returns the ids."""

    def make(tenant: Tenant, tag: str = "a") -> dict[str, Any]:
        skills = SkillService(session, tenant)
        category = skills.create_category({"external_id": f"cat-{tag}", "name": f"Cat {tag}"})
        scale = [LevelSpec(n, f"Level {n}") for n in (1, 2, 3)]
        skill = skills.create_skill(
            {"external_id": f"skill-{tag}", "name": f"Skill {tag}", "category_id": category.id},
            scale,
        )
        jobs = JobArchitectureService(session, tenant)
        family = jobs.create_family({"external_id": f"fam-{tag}", "name": f"Family {tag}"})
        base = {"family_id": family.id, "track": Track.individual, "level_rank": 1}
        role = jobs.create_role(
            {**base, "external_id": f"role-{tag}", "title": f"Role {tag}", "level": RoleLevel.mid},
            [RoleSkillSpec(skill.id, 2, Decimal("1.5"))],
        )
        senior = jobs.create_role(
            {**base, "external_id": f"senior-{tag}", "title": f"Senior {tag}",
             "level": RoleLevel.senior, "level_rank": 2},
        )  # fmt: skip
        path = jobs.add_path(role.id, senior.id, PathKind.vertical)
        people = PeopleService(session, tenant)
        boss = people.create_person({"external_id": f"boss-{tag}", "name": f"Boss {tag}"})
        person = people.create_person(
            {"external_id": f"emp-{tag}", "name": f"Person {tag}", "manager_id": boss.id,
             "current_role_id": role.id},
        )  # fmt: skip
        mentor = people.make_mentor(boss.id, 2)
        activity = ActivityService(session, tenant).create_activity(
            {"external_id": f"act-{tag}", "title": f"Activity {tag}", "kind": ActivityKind.course,
             "duration_weeks": 4, "hours_per_week": Decimal("2.5")},
            ActivityChildren(
                outcomes=[(skill.id, 2)], mentors=[mentor.id],
                cohorts=[CohortSpec(f"c-{tag}", dt.date(2030, 1, 6), 10)],
                lms_links=[(Lms.moodle, f"10{tag}")],
            ),
        )  # fmt: skip
        evidence = EvidenceService(session, tenant).add_evidence(
            {"person_id": person.id, "skill_id": skill.id, "level": 1,
             "source": EvidenceSource.manager, "observed_on": dt.date(2024, 5, 1)},
            boss.id,
        )  # fmt: skip
        token, _secret = ApiTokenService(session, tenant).create_token(f"Token {tag}")
        registration = PlatformService(session, tenant).add_platform(PlatformSpec(
            issuer=f"https://lms-{tag}.example.com", client_id=f"client-{tag}",
            auth_login_url=f"https://lms-{tag}.example.com/auth",
            auth_token_url=f"https://lms-{tag}.example.com/token",
            key_set_url=f"https://lms-{tag}.example.com/jwks", deployment_ids=["1"],
        ))  # fmt: skip
        roster = CourseRoster(tenant_id=tenant.id, registration_id=registration.id,
                              context_id=f"course-{tag}", title=f"Course {tag}",
                              memberships_url=f"https://lms-{tag}.example.com/nrps")  # fmt: skip
        session.add(roster)
        session.flush()
        return {
            "skill_categories": category.id, "skills": skill.id, "job_families": family.id,
            "roles": role.id, "senior": senior.id, "career_paths": path.id,
            "people": person.id, "boss": boss.id, "mentors": mentor.id,
            "activities": activity.id, "evidence": evidence.id, "token": token.prefix,
            "rosters": roster.id,
        }  # fmt: skip

    return make
