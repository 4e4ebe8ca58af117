"""An admin checks a Moodle framework on the import page and downloads the skills for Moodle,
in Chromium, the tool in the LMS's iframe (axe on each state)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.axe import assert_accessible
from tests.browser.lms import ADMIN, download, open_tool
from tests.support.lti_servers import LtiServers

MOODLE = Path(__file__).parents[1] / "fixtures" / "interop" / "moodle" / "example.csv"


def test_a_moodle_framework_dry_run_lists_what_each_competency_becomes(
    page: Any, servers: LtiServers, tmp_path: Path
) -> None:
    frame = open_tool(page, servers, ADMIN)
    frame.get_by_role("link", name="Import and export", exact=True).first.click()
    frame.get_by_label("File to import").set_input_files(str(MOODLE))
    frame.get_by_role("button", name="Check the file (dry run)").click()
    report = frame.get_by_role("status")
    report.get_by_role(
        "heading", name="example.csv is valid (dry run: nothing written yet)"
    ).wait_for()
    notes = report.locator("ul.notes li")
    assert notes.count() == 64
    assert (
        "Moodle competency 'Level 1' (idnumber level-1) → skill 'Level 1'"
        in notes.nth(1).inner_text()
    )
    assert_accessible(frame)
    link = frame.get_by_role("link", name="Skills as a Moodle competency framework (CSV)")
    saved = download(page, link)
    assert saved.suggested_filename.endswith("-moodle-competencies.csv")
    saved.save_as(tmp_path / "fw.csv")
    assert (tmp_path / "fw.csv").read_text(encoding="utf-8").startswith("Parent id number,")
