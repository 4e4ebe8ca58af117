"""The browser tier: headless Chromium (the Debian `chromium` package) driven by Playwright.

The tool and the development platform run as in the integration tier (`tests/support/
lti_servers.py`), the tool on 127.0.0.1 and the platform on localhost: two sites, so the tool's
cookies live in a cross-site iframe and must be `Secure; SameSite=None; Partitioned` (Chromium
treats http://localhost and http://127.0.0.1 as secure contexts), which `SECURE_COOKIES = true`
gives, as the demo sets it. Without Chromium or Playwright the tests are skipped, except under CI.
Screenshots go to `test-artifacts/browser/`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lti_pathing.devplatform.config import STORAGE_FRAME
from tests.support.lti_servers import LtiServers, running_lti_servers

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required under CI: .ci/run installs it)")
    pytest.skip(reason)


def chromium_path() -> str | None:
    """The Chromium to drive: $LTI_PATHING_TEST_CHROMIUM, else `chromium` on the PATH."""
    wanted = os.environ.get("LTI_PATHING_TEST_CHROMIUM")
    if wanted:
        return wanted if Path(wanted).is_file() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="package")
def chromium() -> Iterator[Any]:
    """A headless Chromium for this folder's tests (skipped without one, failed under CI)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed: run make install")
    path = chromium_path()
    if path is None:
        where = os.environ.get("LTI_PATHING_TEST_CHROMIUM") or "on the PATH"
        _unavailable(f"Chromium not found ({where}): install the Debian package chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="package")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LtiServers]:
    """Tool and platform, with the cookies a cross-site iframe keeps; the platform offers
    platform storage for the login state, as Canvas does."""
    folder = tmp_path_factory.mktemp("browser-tool")
    settings = {"LTI_COOKIE_CHECK": True, "SOLVER_TIME_LIMIT_S": 5.0}
    with running_lti_servers(
        folder, secure_cookies=True, storage_target=STORAGE_FRAME, **settings
    ) as running:
        yield running


@pytest.fixture
def context(chromium: Any) -> Iterator[Any]:
    """A fresh browser profile (no cookies) per test, a desktop-sized window."""
    context = chromium.new_context(viewport={"width": 1100, "height": 820})
    context.set_default_timeout(30_000)
    yield context
    context.close()


@pytest.fixture
def page(context: Any) -> Any:
    """A tab of the test's profile."""
    return context.new_page()
