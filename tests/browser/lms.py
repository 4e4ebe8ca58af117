"""Acting in the development LMS: pick a person, open the course link, find the tool's frame."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from tests.support.lti_servers import LtiServers

ROOT = Path(__file__).parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
# The README's screenshots (small PNGs, committed): written when missing, or refreshed with
# LTI_PATHING_TEST_README_SHOTS=1 (`make screenshots`), so a test run leaves the tree clean.
README_SHOTS = ROOT / "docs" / "screenshots"
# The development platform's demo people: a learner, their manager, an L&D admin.
LEARNER, MANAGER, ADMIN = "dev-user-73566", "dev-user-20478", "dev-user-75924"
# The course page's frame showing the tool (beside it, as in Canvas, a hidden platform-storage one).
TOOL_IFRAME = 'iframe[title="Tool"]'


def open_tool(page: Any, servers: LtiServers, sub: str) -> Any:
    """As `sub`, open the course link; the tool's frame once its landing page has loaded."""
    page.goto(f"{servers.platform.url}/")
    page.locator(f'a[href="/as/{sub}"]').click()
    page.get_by_role("link", name="Career plan").first.click()
    frame = tool_frame(page, servers)
    frame.wait_for_load_state()
    return frame


def tool_frame(page: Any, servers: LtiServers) -> Any:
    """The iframe showing the tool (on the tool's own origin)."""
    page.locator(TOOL_IFRAME).wait_for()
    handle = page.locator(TOOL_IFRAME).element_handle()
    # Up to 30 s: login, the platform-storage page, authorization, launch, its check, landing
    # (a shared 2-core machine under load can take seconds per step).
    for _ in range(300):
        frame = handle.content_frame()
        if (
            frame is not None
            and frame.url.startswith(servers.tool.url + "/")
            and ("/lti/" not in frame.url)
        ):
            return frame
        page.wait_for_timeout(100)
    raise AssertionError(f"the tool did not open in the frame: {frame.url if frame else None}")


def frame_width(page: Any, frame: Any, width: int) -> None:
    """Make the LMS's iframe `width` CSS pixels wide (a narrow LMS column, a phone).

    The tool's frame is on another origin, so it is laid out in its own process: the new width
    reaches its page a moment after the LMS's page has it. Wait until the tool's page sees it.
    """
    page.locator(TOOL_IFRAME).evaluate(f"(el) => {{ el.style.width = '{width}px'; }}")
    frame.wait_for_function(f"() => document.documentElement.clientWidth === {width}")


def horizontal_overflow(frame: Any) -> int:
    """How many pixels the frame's page is wider than the frame (0: no horizontal scrolling)."""
    overflow: int = frame.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return overflow


def download(page: Any, link: Any) -> Any:
    """Click a download link; the finished download (inside the LMS frame, as a person gets it)."""
    with page.expect_download(timeout=30_000) as started:
        link.click()
    found = started.value
    assert found.failure() is None, found.failure()
    return found


def shot(page: Any, name: str, readme: bool = False) -> Path:
    """Save a screenshot as a test artifact (and as a README screenshot when asked)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    readme_copy = README_SHOTS / f"{name}.png"
    if readme and (os.environ.get("LTI_PATHING_TEST_README_SHOTS") or not readme_copy.exists()):
        README_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, readme_copy)
    return path
