"""A registration typo in the LMS (issuer, client id) says what to do about it.

Deployment ids cannot be mistyped: a new one of a known client is a new install, recorded.
"""

from __future__ import annotations

from html import unescape

import pytest

from tests.lti_pathing.lti.launching import LaunchingPlatform

WHAT_TO_DO = "with `lti-pathing platform list` and correct the typo"


@pytest.mark.parametrize(
    ("typo", "reason"),
    [
        ({"iss": "https://moodle.example.edu/"}, "unknown issuer 'https://moodle.example.edu/'"),
        ({"client_id": "c1ient"}, "client_id 'c1ient' is not registered"),
    ],
)
def test_a_login_with_a_typo_names_it_and_the_fix(
    platform: LaunchingPlatform, typo: dict[str, str], reason: str
) -> None:
    response = platform.login_response(**typo)

    text = unescape(response.text)
    assert response.status_code == 400, text
    assert reason in text
    assert WHAT_TO_DO in text
