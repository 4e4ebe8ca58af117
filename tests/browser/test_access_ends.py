"""Access that ends: an admin makes a limited API token and revokes it (answering the question
first); a retired learner's next click says their session ended (Chromium, in the LMS iframe).

Pages are reached by clicking what a person sees; axe-core runs on every page and state.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from lti_pathing.db import transaction
from lti_pathing.models import LmsIdentity, Person
from tests.browser.axe import assert_accessible
from tests.browser.lms import ADMIN, LEARNER, open_tool
from tests.support.lti_servers import LtiServers


def test_an_admin_creates_a_read_and_import_token_then_revokes_it(
    page: Any, servers: LtiServers
) -> None:
    frame = open_tool(page, servers, ADMIN)
    frame.get_by_role("link", name="API tokens", exact=True).first.click()
    frame.get_by_role("heading", name="API tokens", level=1).wait_for()
    assert frame.get_by_label("read: look things up").is_checked()
    assert_accessible(frame)

    frame.get_by_role("button", name="Create token").click()  # no name: the same page says so
    frame.locator("#error-summary").wait_for()
    assert_accessible(frame)

    frame.get_by_label("Token name").fill("HRIS nightly")
    frame.get_by_label("import: the bulk import").check()
    frame.get_by_label("Valid until (optional)").fill("2099-12-31")
    frame.get_by_role("button", name="Create token").click()
    frame.locator("#new-secret").wait_for()
    assert frame.locator("#secret-value").input_value().startswith("ltp_")
    assert (
        "It may: read, import; it works until 2100-01-01 00:00 UTC"
        in frame.locator("#new-secret").inner_text()
    )
    assert_accessible(frame)

    row = frame.locator("tr", has_text="HRIS nightly")
    row.get_by_role("link", name="Revoke token HRIS nightly").click()
    frame.get_by_role("heading", name="Revoke API token “HRIS nightly”?").wait_for()
    assert_accessible(frame)
    frame.get_by_role("link", name="Keep it").click()
    frame.get_by_role("heading", name="API tokens", level=1).wait_for()
    assert "active until 2100-01-01 00:00" in row.inner_text()

    row.get_by_role("link", name="Revoke token HRIS nightly").click()
    frame.get_by_role("button", name="Revoke token").click()
    frame.get_by_role("heading", name="API tokens", level=1).wait_for()
    assert "revoked" in frame.locator("tr", has_text="HRIS nightly").inner_text()
    assert_accessible(frame)


def test_a_retired_learner_is_told_their_session_ended_on_the_next_click(
    page: Any, servers: LtiServers
) -> None:
    frame = open_tool(page, servers, LEARNER)
    _set_active(servers, LEARNER, False)
    try:
        frame.get_by_role("link", name="Where I stand", exact=True).first.click()
        frame.get_by_role("heading", name="Your lti-pathing session has ended").wait_for()
        reason = frame.locator("#error-reason").inner_text()
        assert "has been retired" in reason and "from your course in the LMS" in reason
        assert frame.locator("#menu").count() == 0
        assert_accessible(frame)
    finally:
        _set_active(servers, LEARNER, True)


def _set_active(servers: LtiServers, subject: str, active: bool) -> None:
    """Retire or restore the person the LMS user `subject` launches as."""
    with transaction(servers.tool_app) as session:
        person = session.scalars(
            select(Person).join(LmsIdentity).where(LmsIdentity.subject == subject)
        ).one()
        person.active = active
