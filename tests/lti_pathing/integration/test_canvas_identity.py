"""A Canvas launch records `$Canvas.user.id` as the person's Canvas user id, and the sync it
queues asks Canvas's REST API about that id (not the LTI `sub`). Canvas is `responses`-mocked;
the launch itself goes over real HTTP between the development platform and the tool."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import responses
from sqlalchemy import select

from lti_pathing.db import transaction
from lti_pathing.devplatform.config import LEARNER, PlatformPerson
from lti_pathing.models import (
    Activity,
    CompletionRecord,
    Lms,
    LmsConnection,
    LmsCourseLink,
    LmsIdentity,
    LmsSyncRun,
    Tenant,
)
from lti_pathing.services.completions.connections import LmsConnectionService
from tests.lti_pathing.integration.conftest import TENANT, LtiServers
from tests.support.servers import Browser

CANVAS = Path(__file__).parents[2] / "fixtures" / "canvas"
CANVAS_URL = "http://127.0.0.1:9"  # never reached: every call is answered by `responses`
PERSON = PlatformPerson("dev-canvas-1", "Casey Canvas", None, (LEARNER,), canvas_user_id="4242")


def body(name: str) -> Any:
    return json.loads((CANVAS / f"{name}.json").read_text())


def test_a_canvas_launch_syncs_the_person_by_their_canvas_user_id(
    lti_servers: LtiServers, browser: Browser
) -> None:
    app = lti_servers.tool_app
    with app.app_context(), transaction(app) as session:
        tenant = session.scalars(select(Tenant).where(Tenant.slug == TENANT)).one()
        activity = session.scalars(select(Activity).where(Activity.tenant_id == tenant.id)).first()
        assert activity is not None
        session.add(LmsCourseLink(tenant_id=tenant.id, activity_id=activity.id, lms=Lms.canvas,
                                  course_id="88"))  # fmt: skip
        LmsConnectionService(session, tenant).connect(Lms.canvas, CANVAS_URL, "canvas-token-1")
    lti_servers.state.config.people.append(PERSON)
    try:
        with responses.RequestsMock(assert_all_requests_are_fired=False) as canvas:
            canvas.add_passthru(lti_servers.platform.url)
            canvas.add_passthru(lti_servers.tool.url)
            enrolled = [e for e in body("enrollments_user_4242_page1") if e["course_id"] == 88]
            canvas.get(f"{CANVAS_URL}/api/v1/users/4242/enrollments", json=enrolled)
            canvas.get(f"{CANVAS_URL}/api/v1/courses/88/users/4242/progress",
                       json=body("progress_course_88_completed"))  # fmt: skip
            page = lti_servers.launch(browser, PERSON.sub)
            assert page.status_code == 200 and "Welcome, Casey Canvas" in page.text
            run = _wait_for_run(lti_servers)
            called = [c.request.url for c in canvas.calls]
    finally:
        lti_servers.state.config.people.remove(PERSON)
        with app.app_context(), transaction(app) as session:
            for connection in session.scalars(select(LmsConnection)):
                connection.active = False  # later launches of other tests queue no sync
    assert run.status.value == "succeeded" and run.trigger == "launch" and run.fetched == 1
    assert any("/users/4242/enrollments" in url for url in called)
    assert not any("dev-canvas-1" in url for url in called)
    with transaction(app) as session:
        identity = session.scalars(
            select(LmsIdentity).where(LmsIdentity.subject == PERSON.sub)
        ).one()
        assert (identity.lms, identity.lms_user_id) == (Lms.canvas, "4242")
        [record] = session.scalars(
            select(CompletionRecord).where(CompletionRecord.person_id == identity.person_id)
        ).all()
        assert record.key == "canvas:course:88" and record.lms_course_id == "88"


def _wait_for_run(servers: LtiServers) -> LmsSyncRun:
    until = time.monotonic() + 30
    while time.monotonic() < until:
        with transaction(servers.tool_app) as session:
            run = session.scalars(
                select(LmsSyncRun).where(LmsSyncRun.finished_at.is_not(None))
                .order_by(LmsSyncRun.id.desc())
            ).first()  # fmt: skip
            if run is not None:
                session.expunge(run)
                return run
        time.sleep(0.2)
    raise AssertionError("no sync run finished")
