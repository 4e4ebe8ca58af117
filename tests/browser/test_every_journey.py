"""Every journey a person can finish (issue 14), in Chromium, the tool in the LMS's iframe.

Pages are reached by clicking what a person sees; axe-core runs inside the tool's frame on every
page and state a test visits, and must find no violation of any impact.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select, update

from lti_pathing.db import transaction
from lti_pathing.models import Job, Plan, PlanStatus, Skill
from tests.browser.axe import assert_accessible
from tests.browser.lms import ADMIN, ARTIFACTS, LEARNER, MANAGER, download, open_tool
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


SOLVE_TIMEOUT_MS = 120_000  # a 5 s solve, on a busy 2-core machine


@pytest.fixture
def no_plans(servers: LtiServers) -> Iterator[None]:
    """Start (and leave) the sample people without plans: archived plans are not shown."""

    def archive() -> None:
        with transaction(servers.tool_app) as session:
            session.execute(update(Plan).values(status=PlanStatus.archived))

    archive()
    yield
    archive()


def _generate_and_submit(page: Any, servers: LtiServers) -> Any:
    frame = open_tool(page, servers, LEARNER)
    _visible_link(frame, "My plan").click()
    frame.locator("#hours_per_week").fill("6")
    frame.locator("#generate-plan").click()
    frame.locator("#plan-timeline").wait_for(timeout=SOLVE_TIMEOUT_MS)
    frame.locator("#submit-plan").click()
    frame.locator("#withdraw-plan").wait_for()
    return frame


def _managers_plan_page(page: Any, servers: LtiServers) -> Any:
    frame = open_tool(page, servers, MANAGER)
    _visible_link(frame, "Approvals").click()
    frame.locator("#approval-queue").get_by_role("link", name=re.compile("Kenji Mwangi")).click()
    frame.locator("#decision-form").wait_for()
    return frame


def _focused_id(frame: Any) -> str:
    focused: str = frame.evaluate("() => document.activeElement && document.activeElement.id")
    return focused


def test_a_refused_decision_stays_on_the_page_and_the_learner_sees_the_decision_first(
    page: Any, servers: LtiServers, no_plans: None
) -> None:
    _generate_and_submit(page, servers)

    # An empty comment to "request changes": the same page, the error summary focused and
    # linked to the comment box, which is marked invalid and described by the message.
    frame = _managers_plan_page(page, servers)
    frame.locator("#request-changes").click()
    frame.locator("#error-summary").wait_for()
    assert frame.locator("#menu").is_visible() and frame.locator("#decision-form").is_visible()
    assert "Comment: say what should change, or why" in frame.locator("#error-summary").inner_text()
    assert "['" not in frame.locator("body").inner_text()
    frame.wait_for_function("() => document.activeElement.id === 'error-summary'")
    box = frame.locator("#decision-comment")
    assert box.get_attribute("aria-invalid") == "true"
    assert box.get_attribute("aria-describedby") == "decision-comment-error"
    assert_accessible(frame)
    frame.locator("#error-summary a").click()
    assert _focused_id(frame) == "decision-comment"
    box.fill("Please add a mentorship before the certification.")
    frame.locator("#request-changes").click()
    frame.locator("#flashes").wait_for()
    assert "Changes requested" in frame.locator("#flashes").inner_text()
    frame.wait_for_function("() => document.activeElement.id === 'flashes'")

    # The learner sees, above everything else: who decided, when, the comment, the next step.
    frame = open_tool(page, servers, LEARNER)
    _visible_link(frame, "My plan").click()
    decision = frame.locator("#decision")
    decision.wait_for()
    assert decision.bounding_box()["y"] < frame.locator("#plan").bounding_box()["y"]
    assert decision.bounding_box()["y"] < 400  # in the first screenful
    text = decision.inner_text()
    assert "Aisha Okafor asked for changes" in text
    assert "Please add a mentorship before the certification." in text
    assert frame.locator("#decision-when").inner_text().endswith("UTC")
    assert_accessible(frame)
    frame.locator("#decision-resubmit").click()
    frame.locator("#submit-comment").fill("Added one.")
    frame.locator("#submit-plan").click()
    frame.locator("#withdraw-plan").wait_for()
    assert frame.locator("#decision").count() == 0  # answered by the new submission

    frame = _managers_plan_page(page, servers)
    frame.locator("#decision-comment").fill("Not this quarter, sorry.")
    frame.locator("#reject").click()
    frame.locator("#flashes").wait_for()
    assert "Plan rejected;" in frame.locator("#flashes").inner_text()

    frame = open_tool(page, servers, LEARNER)
    _visible_link(frame, "My plan").click()
    assert "Aisha Okafor rejected this plan" in frame.locator("#decision").inner_text()
    assert "Not this quarter, sorry." in frame.locator("#decision").inner_text()
    frame.locator("#decision-revise").click()
    assert frame.evaluate("() => location.hash") == "#settings-heading"


def test_bad_plan_settings_are_summarised_at_the_top_and_focused(
    page: Any, servers: LtiServers, no_plans: None
) -> None:
    frame = _generate_and_submit(page, servers)
    frame.locator("#budget").fill("-5")
    frame.locator("#blackout").fill("2026-02-30")
    frame.locator("#generate-plan").click()
    summary = frame.locator("#error-summary")
    summary.wait_for()
    frame.wait_for_function("() => document.activeElement.id === 'error-summary'")
    assert summary.bounding_box()["y"] < 400  # not 2,500 px below, beside a field
    assert frame.locator("#budget").input_value() == "-5"
    assert frame.locator("#blackout").input_value() == "2026-02-30"
    assert frame.locator("#budget").get_attribute("aria-describedby") == "budget-error"
    assert_accessible(frame)
    summary.get_by_role("link", name=re.compile("Budget")).click()
    assert _focused_id(frame) == "budget"


def test_a_plan_in_progress_appears_in_place_and_is_announced(
    page: Any, servers: LtiServers, no_plans: None
) -> None:
    frame = open_tool(page, servers, LEARNER)
    _visible_link(frame, "My plan").click()
    frame.locator("#hours_per_week").fill("6")
    frame.locator("#generate-plan").click()
    frame.locator("#job-progress").wait_for()
    assert frame.locator("meta[http-equiv]").count() == 0
    frame.evaluate("() => { window.stayedOnThisPage = true; }")
    assert_accessible(frame)
    frame.locator("#plan-timeline").wait_for(timeout=SOLVE_TIMEOUT_MS)
    assert frame.evaluate("() => window.stayedOnThisPage === true")  # updated, not reloaded
    assert frame.locator("#job-announcer").text_content() == "Your plan is ready."
    assert frame.locator("#job-progress").count() == 0
    assert_accessible(frame)
    # Measured, not asserted: from the job's end (server clock) to the plan on screen.
    shown_ms = int(frame.locator("#main").get_attribute("data-updated-at"))
    with transaction(servers.tool_app) as session:
        job = session.scalars(select(Job).order_by(Job.id.desc()).limit(1)).one()
        finished_ms = job.finished_at.timestamp() * 1000
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with (ARTIFACTS / "plan-shown-after-solve.txt").open("a") as out:
        out.write(f"{round(shown_ms - finished_ms)} ms\n")


def test_without_script_a_link_checks_again(page: Any, servers: LtiServers, no_plans: None) -> None:
    frame = open_tool(page, servers, LEARNER)
    page.route("**/static/jobs.js", lambda route: route.abort())  # script off or not loaded
    _visible_link(frame, "My plan").click()
    frame.locator("#generate-plan").click()
    for _ in range(SOLVE_TIMEOUT_MS // 500):
        if frame.locator("#plan-timeline").count():
            break
        check = frame.locator("#job-check")
        if check.count():
            assert check.is_visible()
            check.click()
        page.wait_for_timeout(500)
    frame.locator("#plan-timeline").wait_for()


def test_succession_estimates_appear_in_place(page: Any, servers: LtiServers) -> None:
    frame = open_tool(page, servers, ADMIN)
    _visible_link(frame, "Dashboard").click()
    frame.locator("#succession-estimate").click()
    frame.locator("#job-progress").wait_for()
    frame.evaluate("() => { window.stayedOnThisPage = true; }")
    frame.locator("#succession-estimate:not([disabled])").wait_for(timeout=4 * SOLVE_TIMEOUT_MS)
    assert frame.evaluate("() => window.stayedOnThisPage === true")
    assert frame.locator("#job-announcer").text_content() == "Succession estimates are ready."
    assert "not estimated" not in frame.locator("#succession").inner_text()
    assert_accessible(frame)


def _luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(one: str, two: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_focus_ring_stands_out_three_to_one(page: Any, servers: LtiServers) -> None:
    frame = open_tool(page, servers, LEARNER)
    _visible_link(frame, "Where I stand").click()
    frame.locator("#assessment-form").wait_for()
    background = frame.evaluate("() => getComputedStyle(document.body).backgroundColor")
    for selector in ("#nav-plan", "#assess-skill", "#assess-submit"):
        frame.locator(selector).focus()
        page.keyboard.press("Shift+Tab")  # reach it by keyboard: :focus-visible applies
        page.keyboard.press("Tab")
        ring = frame.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return [document.activeElement.id, s.outlineStyle, s.outlineWidth, s.outlineColor]; }"
        )
        assert ring[0] == selector[1:]
        assert ring[1] != "none" and float(ring[2].rstrip("px")) >= 2, ring
        assert _contrast(ring[3], background) >= 3, f"{selector}: {ring[3]} on {background}"


def test_downloads_work_inside_the_frame(
    page: Any, servers: LtiServers, no_plans: None, tmp_path: Any
) -> None:
    frame = open_tool(page, servers, ADMIN)
    _visible_link(frame, "Import and export").click()
    zipped = download(page, frame.get_by_role("link", name="Everything as CSV files (ZIP)"))
    assert zipped.suggested_filename.endswith("-csv.zip")
    saved = tmp_path / "export.zip"
    zipped.save_as(saved)
    assert zipfile.is_zipfile(saved) and "people.csv" in zipfile.ZipFile(saved).namelist()

    frame = _generate_and_submit(page, servers)
    ics = download(page, frame.get_by_role("link", name="Add to my calendar (.ics)"))
    assert ics.suggested_filename.endswith(".ics")
    ics.save_as(tmp_path / "plan.ics")
    assert (tmp_path / "plan.ics").read_text().startswith("BEGIN:VCALENDAR")


def test_open_gaps_speak_the_learners_words_and_a_what_if_re_plans(
    page: Any, servers: LtiServers, no_plans: None
) -> None:
    frame = open_tool(page, servers, LEARNER)
    _visible_link(frame, "My plan").click()
    frame.locator("#hours_per_week").fill("1")
    frame.locator("#generate-plan").click()
    frame.locator("#open-gaps").wait_for(timeout=SOLVE_TIMEOUT_MS)
    with transaction(servers.tool_app) as session:
        ids = list(session.scalars(select(Skill.external_id)))
    gaps = frame.locator("#open-gaps").inner_text()
    shown = [i for i in ids if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", gaps)]
    assert not shown, f"skill ids instead of names: {shown}"
    assert "What if" not in gaps
    assert not re.search(r"\bweeks? 0\b", frame.locator("#plan-items").inner_text())
    assert_accessible(frame)

    button = frame.locator("#open-gaps .what-if-apply").first
    setting, label = button.get_attribute("data-setting"), button.inner_text()
    assert setting == "hours_per_week" and label.startswith("Re-plan with")
    wanted = button.locator("xpath=..").locator(f"input[name={setting}]").get_attribute("value")
    button.click()
    frame.locator("#job-progress").wait_for()
    frame.locator("#job-progress").wait_for(state="detached", timeout=SOLVE_TIMEOUT_MS)
    assert frame.locator(f"#{setting}").input_value() == wanted  # re-planned with that change


def test_every_menu_page_passes_axe(page: Any, servers: LtiServers) -> None:
    for who in (LEARNER, MANAGER, ADMIN):
        frame = open_tool(page, servers, who)
        names = frame.locator("#menu a").all_inner_texts()
        for name in names:
            with frame.expect_navigation():
                _visible_link(frame.locator("#menu"), name).click()
            current = frame.locator("#menu a[aria-current=page]")
            assert current.inner_text() == name or name == "Start"
            assert_accessible(frame)
    frame = open_tool(page, servers, MANAGER)
    _visible_link(frame, "Team overview").click()
    frame.locator("main").get_by_role("link", name="Kenji Mwangi").first.click()
    frame.locator("#checkins-heading").wait_for()
    assert_accessible(frame)


def test_the_lms_page_shows_a_silent_lms_and_turns_on_live_events(
    page: Any, servers: LtiServers
) -> None:
    import datetime as dt

    from lti_pathing.models import Lms, LmsConnection, LmsSyncRun, SyncStatus, Tenant
    from lti_pathing.services.completions.connections import LmsConnectionService

    frame = open_tool(page, servers, ADMIN)  # signed in before any connection: no sync queued
    app = servers.tool_app
    with app.app_context(), transaction(app) as session:
        tenant = session.scalars(select(Tenant)).one()
        canvas = LmsConnectionService(session, tenant).connect(
            Lms.canvas, "https://canvas.example.edu", "canvas-token-5678"
        )
        canvas.breaker_failures, canvas.breaker_error = (
            5,
            "GET https://canvas.example.edu timed out",
        )
        canvas.breaker_open_until = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
        session.add(LmsSyncRun(
            tenant_id=tenant.id, connection=canvas, trigger="schedule",
            status=SyncStatus.aborted, failures=[], message="stopped: canvas is not answering",
            notes=[{"course": "91", "reason": "Canvas has no progress here", "people": 2}],
        ))  # fmt: skip
        connection_id = canvas.id
    try:
        _visible_link(frame.locator("#menu"), "LMS connection").click()
        frame.locator("#connections").wait_for()
        assert "not answering: 5 calls in a row" in frame.locator("[data-breaker]").inner_text()
        assert_accessible(frame)
        frame.get_by_role("button", name="Turn on live events").click()
        frame.locator("#events-url").wait_for()
        assert "/lms/events/ltpe_" in frame.locator("#events-url-value").inner_text()
        assert_accessible(frame)
        frame.locator("#sync-runs a").first.click()
        frame.locator("#notes").wait_for()
        assert_accessible(frame)
    finally:  # later tests' launches must not queue syncs over this made-up Canvas
        with transaction(app) as session:
            session.execute(update(LmsConnection).where(LmsConnection.id == connection_id)
                            .values(active=False))  # fmt: skip
