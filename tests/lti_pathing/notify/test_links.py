"""Messages link back into the LMS launch the person came from, never to the tool's own URL."""

from __future__ import annotations

from sqlalchemy.orm import Session

from lti_pathing.models import Tenant
from lti_pathing.notify.links import CLAIM, launch_url
from lti_pathing.notify.preferences import PreferenceService
from tests.lti_pathing.services.journeys_org import Org


def claims(family: str, **custom: str) -> dict[str, object]:
    return {
        CLAIM + "tool_platform": {"product_family_code": family},
        CLAIM + "resource_link": {"id": "42"},
        CLAIM + "target_link_uri": "https://tool.example/lti/launch",
        CLAIM + "custom": custom,
    }


def test_moodle_links_to_the_activity() -> None:
    assert launch_url("https://moodle.example/", claims("moodle")) == (
        "https://moodle.example/mod/lti/view.php?l=42"
    )


def test_canvas_links_to_the_course_tool_by_url() -> None:
    found = launch_url("https://canvas.instructure.com",
                       claims("canvas", canvas_course_id="77",
                              canvas_api_base_url="https://school.instructure.com"))  # fmt: skip
    assert found == (
        "https://school.instructure.com/courses/77/external_tools/retrieve"
        "?url=https%3A%2F%2Ftool.example%2Flti%2Flaunch"
    )


def test_without_what_it_needs_there_is_no_link() -> None:
    assert launch_url("https://x", claims("canvas", canvas_course_id="$Canvas.course.id")) is None
    assert launch_url("https://x", claims("sakai")) is None


def test_only_web_addresses_of_sensible_length_are_kept(
    session: Session, tenant: Tenant, org: Org
) -> None:
    preferences = PreferenceService(session, tenant)
    preferences.remember_launch(org.leo.id, "javascript:alert(1)")
    preferences.remember_launch(org.leo.id, "https://lms.example/" + "x" * 600)
    assert preferences.row(org.leo.id) is None
    preferences.remember_launch(org.leo.id, "https://lms.example/mod/lti/view.php?l=1")
    assert preferences.effective(org.leo.id).launch_url == (
        "https://lms.example/mod/lti/view.php?l=1"
    )
