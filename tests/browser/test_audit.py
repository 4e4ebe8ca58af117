"""Issue 18, audit and oversight: a learner opens "Why this plan?" by clicking; an admin reads
the optimiser's facts and downloads the audit trail in which that generation stands. In
Chromium, the tool in the LMS's iframe; axe-core on every new page.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from tests.browser.axe import assert_accessible
from tests.browser.lms import ADMIN, download, open_tool, shot
from tests.browser.test_every_journey import SOLVE_TIMEOUT_MS, no_plans  # noqa: F401
from tests.browser.test_learner_choices import link, my_plan, settled
from tests.support.lti_servers import LtiServers


def test_a_learner_reads_why_this_plan_and_an_admin_exports_the_audit_trail(
    page: Any,
    servers: LtiServers,
    no_plans: None,  # noqa: F811
) -> None:
    frame = my_plan(page, servers)
    frame.locator("#generate-plan").click()
    settled(frame)
    cells = frame.locator("#plan-items tbody tr td:first-child").all_inner_texts()
    titles = [t.split("\n")[0].strip() for t in cells]
    link(frame, "Why this plan?").click()
    frame.locator("#why-items").wait_for(timeout=SOLVE_TIMEOUT_MS)
    items = frame.locator("#why-items > li")
    assert items.count() == len(titles)
    assert [h.strip() for h in frame.locator("#why-items h3").all_inner_texts()] == titles
    first = items.first.inner_text()
    assert "It raises " in first or "needs it first" in first  # what the item is for
    assert frame.locator('#why-items li[data-reason="closes"]').count() >= 1
    assert "{" not in frame.locator("main").inner_text()  # every parameter filled in
    assert_accessible(frame)
    shot(page, "learner-why-this-plan")
    link(frame, "Back to my plan").click()
    frame.locator("#plan-settings").wait_for()

    frame = open_tool(page, servers, ADMIN)
    link(frame, "About the optimiser").click()
    frame.locator("#never").wait_for()
    assert "protected attribute" in frame.locator("#never").inner_text()
    assert_accessible(frame)
    link(frame, "Audit and data").click()
    form = frame.locator("#audit-export-form")
    form.wait_for()
    assert_accessible(frame)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    frame.locator("#start").fill(today)
    frame.locator("#end").fill(today)
    frame.locator("#format").select_option("csv")
    got = download(page, form.get_by_role("button", name="Download"))
    with open(got.path(), newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    generated = [r for r in rows if r["kind"] == "generated"]
    assert generated and '"request_sha256"' in generated[-1]["data"]
    assert generated[-1]["actor"] and generated[-1]["subject"] == generated[-1]["actor"]
    shot(page, "admin-audit")
