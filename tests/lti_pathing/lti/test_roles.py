"""LTI roles -> tool roles, exactly as DESIGN.md's table says."""

from __future__ import annotations

import pytest

from lti_pathing.lti.roles import is_course_staff, tool_roles

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
LEARNER_ONLY = frozenset({"learner"})
ADMIN = frozenset({"learner", "admin"})


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        (None, LEARNER_ONLY),
        ([], LEARNER_ONLY),
        (["Learner"], LEARNER_ONLY),
        (["urn:unknown", ""], LEARNER_ONLY),
        ([LIS + "institution/person#Student"], LEARNER_ONLY),
        ([LIS + "membership#Mentor"], LEARNER_ONLY),  # manager never comes from LTI
        ([LIS + "system/person#Administrator"], ADMIN),
        ([LIS + "institution/person#Administrator"], ADMIN),
        ([LIS + "membership#Administrator"], ADMIN),
        (["Administrator"], ADMIN),
        ([LIS + "institution/person#Administrator", LIS + "membership#Learner"], LEARNER_ONLY),
        ([LIS + "system/person#Administrator", "Learner"], LEARNER_ONLY),
        ([LIS + "institution/person#Administrator", LIS + "membership#Administrator"], ADMIN),
        ([LIS + "membership/Instructor#TeachingAssistant"], LEARNER_ONLY),
    ],
)
def test_tool_roles(roles: list[str] | None, expected: frozenset[str]) -> None:
    assert tool_roles(roles) == expected


def test_course_staff_may_place_links() -> None:
    assert is_course_staff(["Instructor"])
    assert is_course_staff([LIS + "membership/Instructor#TeachingAssistant"])
    assert is_course_staff([LIS + "institution/person#Administrator"])
    assert not is_course_staff(["Learner", LIS + "institution/person#Administrator"])
