"""Who a launch makes a grade passback target, and in which grade books scores may land at all.

Claims are Moodle's recorded launch, with the AGS claim and roles as Canvas sends them (from
canvas-lms's own sources): a course-navigation launch offers `lineitems` only; an assignment
launch adds the link's own `lineitem`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.models import Gradebook, GradePassback, LtiContext
from lti_pathing.services.grades import GradeService, is_gradable_learner
from tests.lti_pathing.lti.launching import LaunchingPlatform

AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]
LINEITEMS = "https://canvas.example.edu/api/lti/courses/1/line_items"
COURSE_NAV = {"scope": SCOPES, "lineitems": LINEITEMS}
ASSIGNMENT = {**COURSE_NAV, "lineitem": f"{LINEITEMS}/31"}
LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
STUDENT = [f"{LIS}institution/person#Student", f"{LIS}membership#Learner",
           "http://purl.imsglobal.org/vocab/lti/system/person#User"]  # fmt: skip
TEACHER = [f"{LIS}institution/person#Instructor", f"{LIS}membership#Instructor",
           "http://purl.imsglobal.org/vocab/lti/system/person#User"]  # fmt: skip
TA = [f"{LIS}membership#Instructor", f"{LIS}membership/Instructor#TeachingAssistant"]
TEST_STUDENT = [f"{LIS}membership#Learner",
                "http://purl.imsglobal.org/vocab/lti/system/person#TestUser"]  # fmt: skip
ACCOUNT_ADMIN = [f"{LIS}institution/person#Administrator",
                 "http://purl.imsglobal.org/vocab/lti/system/person#User"]  # fmt: skip
MOODLE_ADMIN = [f"{LIS}institution/person#Administrator", f"{LIS}membership#Instructor",
                "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"]  # fmt: skip


def launch(platform: LaunchingPlatform, sub: str, roles: list[str], ags: Any) -> None:
    """A launch of `sub` with these roles and AGS claim (None: no AGS claim)."""
    extra: dict[str, Any] = {AGS: ags}
    response = platform.launch(roles=roles, sub=sub, name=f"User {sub}", **extra)
    # Canvas's Student View signs nobody in (a page says so); everyone else is redirected in.
    expected = 200 if roles is TEST_STUDENT else 302
    assert response.status_code == expected, response.text


def contexts(session: Session) -> list[tuple[str, Gradebook, str | None]]:
    rows = session.scalars(select(LtiContext).order_by(LtiContext.id)).all()
    return [(c.context_id, c.gradebook, c.lineitem_url) for c in rows]


def subjects(session: Session) -> list[str]:
    return sorted(t.subject for t in session.scalars(select(GradePassback)))


def test_only_learners_of_the_course_are_targets(
    platform: LaunchingPlatform, session: Session
) -> None:
    for sub, roles in [("s1", STUDENT), ("t1", TEACHER), ("ta1", TA), ("ts1", TEST_STUDENT),
                       ("a1", ACCOUNT_ADMIN), ("m1", MOODLE_ADMIN)]:  # fmt: skip
        launch(platform, sub, roles, COURSE_NAV)
    assert subjects(session) == ["s1"]


def test_a_course_navigation_launch_chooses_no_grade_book(
    platform: LaunchingPlatform, session: Session, tenant: Any
) -> None:
    launch(platform, "s1", STUDENT, COURSE_NAV)
    # The course is known (an admin may set it aside), but nothing will be sent there.
    assert contexts(session) == [("2", Gradebook.none, None)]
    assert GradeService(session, tenant).targets() == []


def test_a_link_with_its_own_line_item_is_a_chosen_grade_book(
    platform: LaunchingPlatform, session: Session, tenant: Any
) -> None:
    launch(platform, "s1", STUDENT, COURSE_NAV)
    launch(platform, "s1", STUDENT, ASSIGNMENT)
    assert contexts(session) == [("2", Gradebook.link, f"{LINEITEMS}/31")]
    assert [t.subject for t in GradeService(session, tenant).targets()] == ["s1"]


def test_a_learner_who_becomes_staff_stops_being_a_target_and_a_refusal_lifts_on_relaunch(
    platform: LaunchingPlatform, session: Session, tenant: Any
) -> None:
    launch(platform, "s1", STUDENT, ASSIGNMENT)
    grades = GradeService(session, tenant)
    (target,) = grades.targets()
    grades.record_failed(target, "HTTP 422: User not found in course or is not a student", 422)
    session.flush()
    assert grades.targets() == []  # refused for good: never sent again
    launch(platform, "s1", STUDENT, ASSIGNMENT)
    session.expire_all()
    assert [t.subject for t in grades.targets()] == ["s1"]
    launch(platform, "s1", TA, ASSIGNMENT)
    session.expire_all()
    assert subjects(session) == []


def test_no_ags_claim_or_no_score_scope_records_nothing(
    platform: LaunchingPlatform, session: Session
) -> None:
    launch(platform, "s1", STUDENT, None)
    launch(platform, "s2", STUDENT, {**ASSIGNMENT, "scope": SCOPES[:3]})
    assert contexts(session) == [] and subjects(session) == []


def test_gradable_learner_role_forms() -> None:
    assert is_gradable_learner(["Learner"])
    assert is_gradable_learner([f"{LIS}membership/Learner#Learner"])
    assert not is_gradable_learner([f"{LIS}membership#Mentor"])
    assert not is_gradable_learner(["Learner", "Instructor"])
    assert not is_gradable_learner([])
    assert not is_gradable_learner(["Learner", f"{LIS}system/person#TestUser"])
