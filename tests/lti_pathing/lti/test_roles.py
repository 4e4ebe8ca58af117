"""LTI roles -> tool roles: admin only by the tenant's grant (allowlist or the person's flag)."""

from __future__ import annotations

import pytest

from lti_pathing.lti.roles import default_admin_roles, is_course_staff, is_test_user, tool_roles
from lti_pathing.models import Lms
from tests.lti_pathing.lti import lms_role_sets as real

LEARNER_ONLY = frozenset({"learner"})
ADMIN = frozenset({"learner", "admin"})
MOODLE_DEFAULT = default_admin_roles(Lms.moodle)
CANVAS_DEFAULT = default_admin_roles(Lms.canvas)
GENERIC_DEFAULT = default_admin_roles(None)
CANVAS_ACCOUNT_ADMINS = (real.INST_ADMIN,)  # a tenant that allowlists Canvas account admins


@pytest.mark.parametrize(
    ("roles", "allowlist", "expected"),
    [
        pytest.param(real.MOODLE_SITE_ADMIN, MOODLE_DEFAULT, ADMIN, id="moodle site admin"),
        pytest.param(real.MOODLE_SITE_ADMIN, (), LEARNER_ONLY, id="moodle site admin, no list"),
        pytest.param(real.MOODLE_TEACHER, MOODLE_DEFAULT, LEARNER_ONLY, id="moodle teacher"),
        pytest.param(real.MOODLE_STUDENT, MOODLE_DEFAULT, LEARNER_ONLY, id="moodle student"),
        pytest.param(real.MOODLE_SITE_ADMIN, GENERIC_DEFAULT, ADMIN, id="moodle, generic list"),
        pytest.param(
            real.CANVAS_SUB_ACCOUNT_ADMIN, CANVAS_DEFAULT, LEARNER_ONLY, id="canvas sub-account"
        ),
        pytest.param(
            real.CANVAS_SUB_ACCOUNT_ADMIN,
            GENERIC_DEFAULT,
            LEARNER_ONLY,
            id="canvas sub-account, generic list",
        ),
        pytest.param(
            real.CANVAS_SUB_ACCOUNT_ADMIN,
            CANVAS_ACCOUNT_ADMINS,
            ADMIN,
            id="canvas account admin, allowlisted",
        ),
        pytest.param(
            real.CANVAS_SUB_ACCOUNT_ADMIN_AS_STUDENT,
            CANVAS_ACCOUNT_ADMINS,
            ADMIN,
            id="allowlisted institution role not masked by a course role",
        ),
        pytest.param(real.CANVAS_SITE_ADMIN, CANVAS_DEFAULT, ADMIN, id="canvas site admin"),
        pytest.param(real.CANVAS_SITE_ADMIN, (), LEARNER_ONLY, id="canvas site admin, no list"),
        pytest.param(real.CANVAS_TA, CANVAS_DEFAULT, LEARNER_ONLY, id="canvas TA"),
        pytest.param(real.CANVAS_TEACHER, CANVAS_DEFAULT, LEARNER_ONLY, id="canvas teacher"),
        pytest.param(real.CANVAS_STUDENT, CANVAS_DEFAULT, LEARNER_ONLY, id="canvas student"),
        pytest.param(
            real.CANVAS_TEST_STUDENT, CANVAS_DEFAULT, LEARNER_ONLY, id="canvas test student"
        ),
        pytest.param(None, MOODLE_DEFAULT, LEARNER_ONLY, id="no roles claim"),
        pytest.param([], CANVAS_DEFAULT, LEARNER_ONLY, id="empty roles"),
        pytest.param(["urn:unknown", "", 7], MOODLE_DEFAULT, LEARNER_ONLY, id="unknown roles"),
        pytest.param(["Administrator"], MOODLE_DEFAULT, LEARNER_ONLY, id="course admin"),
        pytest.param(
            [real.LIS + "membership#Mentor"], MOODLE_DEFAULT, LEARNER_ONLY, id="mentor"
        ),  # manager never comes from LTI
    ],
)
def test_only_allowlisted_roles_make_an_admin(
    roles: list[str] | None, allowlist: tuple[str, ...], expected: frozenset[str]
) -> None:
    assert tool_roles(roles, allowlist) == expected


REAL_SETS = {
    "moodle site admin": real.MOODLE_SITE_ADMIN,
    "moodle teacher": real.MOODLE_TEACHER,
    "moodle student": real.MOODLE_STUDENT,
    "canvas sub-account admin": real.CANVAS_SUB_ACCOUNT_ADMIN,
    "canvas site admin": real.CANVAS_SITE_ADMIN,
    "canvas TA": real.CANVAS_TA,
    "canvas teacher": real.CANVAS_TEACHER,
    "canvas student": real.CANVAS_STUDENT,
}


@pytest.mark.parametrize("roles", list(REAL_SETS.values()), ids=list(REAL_SETS))
def test_without_an_allowlist_nobody_is_admin_by_lms_roles(roles: list[str]) -> None:
    assert tool_roles(roles, ()) == LEARNER_ONLY


@pytest.mark.parametrize("roles", [*REAL_SETS.values(), None], ids=[*REAL_SETS, "no roles"])
def test_a_person_marked_admin_is_admin_whatever_the_lms_sends(roles: list[str] | None) -> None:
    assert tool_roles(roles, CANVAS_DEFAULT, marked_admin=True) == ADMIN
    assert tool_roles(roles, (), marked_admin=True) == ADMIN


def test_defaults_per_lms_product() -> None:
    assert MOODLE_DEFAULT == (real.SYS_ADMIN,)
    assert CANVAS_DEFAULT == (real.SYS_SYSADMIN,)
    assert real.INST_ADMIN not in GENERIC_DEFAULT + CANVAS_DEFAULT + MOODLE_DEFAULT


def test_a_short_context_role_on_the_allowlist_matches_its_full_spelling() -> None:
    assert tool_roles([real.LIS + "membership#Administrator"], ["Administrator"]) == ADMIN
    assert tool_roles(["Administrator"], [real.SYS_ADMIN]) == LEARNER_ONLY


def test_course_staff_may_place_links() -> None:
    assert is_course_staff(real.MOODLE_TEACHER)
    assert is_course_staff(real.MOODLE_SITE_ADMIN)
    assert is_course_staff(real.CANVAS_TA)
    assert is_course_staff(real.CANVAS_TEACHER)
    assert not is_course_staff(real.CANVAS_STUDENT)
    assert not is_course_staff(real.CANVAS_SUB_ACCOUNT_ADMIN)  # no course role at all


def test_canvas_student_view_is_recognised() -> None:
    assert is_test_user(real.CANVAS_TEST_STUDENT)
    assert not is_test_user(real.CANVAS_STUDENT)
    assert not is_test_user(None)
