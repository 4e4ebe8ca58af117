"""ActivityService and JobArchitectureService: child sets, rules, guarded deletes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from lti_pathing.errors import Invalid, NotFound, Referenced
from lti_pathing.models import ActivityKind, Lms, PathKind
from lti_pathing.services.activities import ActivityChildren, ActivityService, CohortSpec
from lti_pathing.services.job_architecture import JobArchitectureService
from lti_pathing.services.people import PeopleService


def course(external_id: str = "py-201", **fields: Any) -> dict[str, Any]:
    return {
        "external_id": external_id, "kind": ActivityKind.course, "title": external_id.upper(),
        "duration_weeks": 6, "hours_per_week": Decimal("3.25"), **fields,
    }  # fmt: skip


def test_activity_with_children_and_idempotent_update(
    session: Session, tenant: Any, make_skill: Callable[..., Any]
) -> None:
    skill = make_skill(tenant)
    service = ActivityService(session, tenant)
    basics = service.create_activity(course("py-101"))
    children = ActivityChildren(
        outcomes=[(skill.id, 3)],
        skill_prereqs=[(skill.id, 1)],
        prereqs=[basics.id],
        cohorts=[CohortSpec("2027-spring", dt.date(2027, 3, 1), 20)],
        lms_links=[(Lms.moodle, "412"), (Lms.canvas, "1187")],
    )
    activity = service.create_activity(course(), children)
    version = activity.version
    service.update_activity(activity.id, version, {"title": "PY-201"}, children)
    assert activity.version == version  # nothing changed, no new version
    service.update_activity(
        activity.id, version, {}, ActivityChildren(lms_links=[(Lms.moodle, "413")])
    )
    assert activity.version == version + 1
    assert [(link.lms, link.course_id) for link in activity.lms_links] == [(Lms.moodle, "413")]
    with pytest.raises(Referenced):
        service.delete_activity(basics.id, None)


def test_mentorship_needs_a_mentor_and_paid_needs_currency(session: Session, tenant: Any) -> None:
    service = ActivityService(session, tenant)
    with pytest.raises(Invalid, match="invalid activity"):
        service.create_activity(course("mnt", kind=ActivityKind.mentorship))
    with pytest.raises(Invalid):
        service.create_activity(course("paid", cost=Decimal("10")))
    person = PeopleService(session, tenant).create_person({"external_id": "E7", "name": "Kenji"})
    mentor = PeopleService(session, tenant).make_mentor(person.id, 2)
    mentorship = service.create_activity(
        course("mnt2", kind=ActivityKind.mentorship), ActivityChildren(mentors=[mentor.id])
    )
    assert [m.mentor_id for m in mentorship.mentors] == [mentor.id]
    with pytest.raises(Referenced):
        PeopleService(session, tenant).delete_mentor(mentor.id, None)


def test_outcome_levels_must_exist_on_the_scale(
    session: Session, tenant: Any, make_skill: Callable[..., Any]
) -> None:
    skill = make_skill(tenant, levels=2)
    with pytest.raises(Invalid):
        ActivityService(session, tenant).create_activity(
            course(), ActivityChildren(outcomes=[(skill.id, 3)])
        )


def test_career_paths_and_role_references(
    session: Session, tenant: Any, make_role: Callable[..., Any]
) -> None:
    junior, senior = make_role(tenant, "swe-2"), make_role(tenant, "swe-3", level_rank=3)
    service = JobArchitectureService(session, tenant)
    service.add_path(junior.id, senior.id, PathKind.vertical)
    with pytest.raises(Invalid):
        service.add_path(junior.id, junior.id, PathKind.lateral)
    with pytest.raises(Referenced) as caught:
        service.delete_role(senior.id, None)
    assert caught.value.references[0].kind == "career_path"
    service.delete_role(junior.id, None)  # its outgoing paths go with it
    service.delete_role(senior.id, None)


def test_tenant_b_cannot_use_tenant_a_activities(
    session: Session, make_tenant: Callable[..., Any]
) -> None:
    a, b = make_tenant("a"), make_tenant("b")
    theirs = ActivityService(session, a).create_activity(course())
    as_b = ActivityService(session, b)
    with pytest.raises(NotFound):
        as_b.create_activity(course("mine"), ActivityChildren(prereqs=[theirs.id]))
    with pytest.raises(NotFound):
        as_b.retire_activity(theirs.id, None)
