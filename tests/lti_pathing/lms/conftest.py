"""LMS test fixtures: recorded Moodle exchanges and Canvas bodies replayed with `responses`,
an injected sleep (retries never really wait), and a small catalog with LMS links."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import responses
from flask import Flask
from responses import matchers
from sqlalchemy.orm import Session

from lti_pathing.lms.canvas import CanvasClient, CanvasSource, canvas_http
from lti_pathing.lms.http import RetryPolicy
from lti_pathing.lms.moodle import MoodleClient, MoodleSource, moodle_http
from lti_pathing.models import (
    Activity,
    ActivityKind,
    ActivityOutcome,
    ItemStatus,
    Lms,
    LmsCourseLink,
    LmsIdentity,
    Person,
    Plan,
    PlanItem,
    PlanStatus,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
MOODLE = FIXTURES / "moodle-4.5" / "webservice"
CANVAS = FIXTURES / "canvas"
MOODLE_URL = "http://127.0.0.1:8080"
CANVAS_URL = "http://127.0.0.1:8081"
MOODLE_TOKEN = "moodle-secret-token-5f1e"
CANVAS_TOKEN = "canvas-secret-token-9a7c"
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def clock() -> dt.datetime:
    """A fixed 'now' for every test."""
    return NOW


class Sleeps(list[float]):
    """Records the waits a client asked for, instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    """Every HTTP call must be one the test registered; all registered must be used."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def moodle_exchange(name: str) -> tuple[dict[str, str], str]:
    """A recorded call: its form parameters (with the test token) and the raw response body."""
    request = json.loads((MOODLE / f"{name}.request.json").read_text())
    params = dict(request["params"])
    if params.get("wstoken") == "REDACTED":
        params["wstoken"] = MOODLE_TOKEN
    return params, (MOODLE / f"{name}.response.json").read_text()


def add_moodle(mock: responses.RequestsMock, name: str, **override: Any) -> None:
    """Serve a recorded Moodle answer to exactly the recorded POST (token in the form body)."""
    params, body = moodle_exchange(name)
    mock.add(
        responses.POST,
        f"{MOODLE_URL}/webservice/rest/server.php",
        body=override.pop("body", body),
        status=override.pop("status", 200),
        content_type="application/json",
        match=[matchers.urlencoded_params_matcher(params)],
        **override,
    )


def canvas_body(name: str) -> Any:
    """A documented-shape Canvas body from tests/fixtures/canvas."""
    return json.loads((CANVAS / f"{name}.json").read_text())


def canvas_url(path: str, **query: Any) -> str:
    """An absolute Canvas URL (for Link headers)."""
    return f"{CANVAS_URL}{path}" + (f"?{urlencode(query, doseq=True)}" if query else "")


FAST = RetryPolicy(attempts=3, backoff=1.0, factor=2.0, max_wait=60.0)


def make_moodle_source(sleeps: Sleeps, guard: Any = None) -> MoodleSource:
    """A Moodle source on the test URL and token, waiting through `sleeps` (calls guarded)."""
    http = moodle_http(MOODLE_URL, MOODLE_TOKEN, sleep=sleeps, clock=clock, retry=FAST,
                       guard=guard)  # fmt: skip
    return MoodleSource(MoodleClient(http, MOODLE_TOKEN), clock)


def make_canvas_source(sleeps: Sleeps, guard: Any = None) -> CanvasSource:
    """A Canvas source on the test URL and token, waiting through `sleeps` (calls guarded)."""
    http = canvas_http(CANVAS_URL, CANVAS_TOKEN, sleep=sleeps, clock=clock, retry=FAST,
                       guard=guard)  # fmt: skip
    return CanvasSource(CanvasClient(http), clock)


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    """An application context (crypto needs one) over the test's database connection."""
    with app.app_context():
        yield app


@pytest.fixture
def org(session: Session, tenant: Any, make_skill: Callable[..., Any]) -> dict[str, Any]:
    """A catalog with Moodle course 2, Moodle module 2/4 and Canvas course 88 linked to
    activities that grant skills, two people known to Moodle (users 3 and 4) and one to Canvas
    (user 4242), and an approved plan for the first person."""
    python, sql = make_skill(tenant, "python"), make_skill(tenant, "sql")

    def activity(ext: str, links: list[tuple[Lms, str]], grants: list[tuple[Any, int]]) -> Activity:
        act = Activity(
            tenant_id=tenant.id, external_id=ext, kind=ActivityKind.course, title=ext.title(),
            duration_weeks=4, hours_per_week=Decimal("2"),
        )  # fmt: skip
        act.outcomes = [
            ActivityOutcome(tenant_id=tenant.id, skill_id=s.id, level=lv) for s, lv in grants
        ]
        act.lms_links = [
            LmsCourseLink(tenant_id=tenant.id, lms=lms, course_id=cid) for lms, cid in links
        ]
        session.add(act)
        return act

    course_a = activity("completion-a", [(Lms.moodle, "2")], [(python, 2), (sql, 1)])
    module = activity("view-page", [(Lms.moodle, "2/4")], [(sql, 2)])
    read_me = activity("read-me", [(Lms.moodle, "2/3")], [(python, 1)])
    canvas = activity("canvas-88", [(Lms.canvas, "88")], [(sql, 3)])

    def person(ext: str, moodle: str | None, canvas_id: str | None = None) -> Person:
        p = Person(tenant_id=tenant.id, external_id=ext, name=ext)
        for lms, uid in ((Lms.moodle, moodle), (Lms.canvas, canvas_id)):
            if uid is not None:
                p.identities.append(LmsIdentity(tenant_id=tenant.id, lms=lms, lms_user_id=uid))
        session.add(p)
        return p

    alice = person("E1", "3", "4242")
    bob = person("E2", "4")
    session.flush()
    plan = Plan(
        tenant_id=tenant.id, person_id=alice.id, status=PlanStatus.approved,
        starts_on=dt.date(2026, 10, 5),
    )  # fmt: skip
    plan.items = [
        PlanItem(tenant_id=tenant.id, activity_id=course_a.id, start_week=0, end_week=4),
        PlanItem(tenant_id=tenant.id, activity_id=canvas.id, start_week=4, end_week=8),
        PlanItem(tenant_id=tenant.id, activity_id=module.id, start_week=8, end_week=12,
                 status=ItemStatus.planned),
    ]  # fmt: skip
    session.add(plan)
    session.flush()
    return {
        "python": python, "sql": sql, "course_a": course_a, "module": module,
        "read_me": read_me, "canvas": canvas, "alice": alice, "bob": bob, "plan": plan,
    }  # fmt: skip
