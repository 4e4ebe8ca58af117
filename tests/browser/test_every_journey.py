"""Every journey a person can finish (issue 14), in Chromium, the tool in the LMS's iframe.

Pages are reached by clicking what a person sees; axe-core runs inside the tool's frame on every
page and state a test visits, and must find no violation of any impact.
"""

from __future__ import annotations

from typing import Any

from tests.browser.axe import assert_accessible
from tests.browser.lms import ADMIN, LEARNER, MANAGER, open_tool
from tests.support.lti_servers import LtiServers


def _visible_link(frame: Any, name: str) -> Any:
    link = frame.get_by_role("link", name=name, exact=True).first
    assert link.is_visible(), f"no visible link {name!r} on {frame.url}"
    return link


def test_an_admin_reaches_the_admin_area_and_the_dashboard_and_back(
    page: Any, servers: LtiServers
) -> None:
    frame = open_tool(page, servers, ADMIN)
    assert_accessible(frame)
    _visible_link(frame, "Administration").click()
    frame.get_by_role("heading", name="Administration", level=1).wait_for()
    assert_accessible(frame)
    _visible_link(frame, "Dashboard").click()
    frame.get_by_role("heading", name="Organisation", level=1).wait_for()
    assert_accessible(frame)
    _visible_link(frame, "Import and export").click()
    frame.locator("h1").first.wait_for()
    assert frame.url.endswith("/admin/transfer/")
    assert_accessible(frame)
    _visible_link(frame, "Administration").click()
    frame.get_by_role("heading", name="Administration", level=1).wait_for()
    _visible_link(frame, "Where I stand").click()  # an admin is a learner too
    frame.locator("#assessment-form").wait_for()


def test_each_role_has_its_menu_on_every_page(page: Any, servers: LtiServers) -> None:
    frame = open_tool(page, servers, MANAGER)
    for name in ("Approvals", "Team overview", "My plan", "Where I could go", "Start"):
        _visible_link(frame, name).click()
        frame.locator("h1").first.wait_for()
        assert frame.locator("#menu a[aria-current=page]").count() == 1
        assert_accessible(frame)
    frame = open_tool(page, servers, LEARNER)
    assert frame.locator("#menu-manager").count() == 0
    assert frame.locator("#menu-admin").count() == 0
    _visible_link(frame, "Where I stand").click()
    frame.locator("#assessment-form").wait_for()
    assert_accessible(frame)
