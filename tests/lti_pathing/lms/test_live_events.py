"""Canvas live events over the webhook: real RS256 JWTs signed with a key made here, its key set
served over HTTP from 127.0.0.1 and fetched through the tool's checked outbound path; event
bodies shaped as canvas-lms emits them (tests/fixtures/canvas/live_event_*.json)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as WsgiResponse

from lti_pathing import jobs
from lti_pathing.models import (
    CompletionChannel,
    CompletionRecord,
    Job,
    JobKind,
    Lms,
    LmsConnection,
    LmsCourseLink,
    LmsIdentity,
)
from lti_pathing.services.completions.connections import LmsConnectionService
from lti_pathing.services.completions.live_events import LiveEventService
from tests.lti_pathing.lms.conftest import CANVAS_TOKEN, CANVAS_URL, canvas_body, clock
from tests.support.servers import LiveServer


class Signer:
    """An RSA key like the ones Canvas Data Services signs with, and the key set publishing it."""

    def __init__(self, kid: str | None = None) -> None:
        self.kid = kid or f"canvas-{uuid.uuid4().hex[:8]}"
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwk(self) -> dict[str, Any]:
        found: dict[str, Any] = jwt.algorithms.RSAAlgorithm.to_jwk(
            self.key.public_key(), as_dict=True
        )
        return {**found, "kid": self.kid, "alg": "RS256", "use": "sig"}

    def sign(self, claims: dict[str, Any], **extra: Any) -> str:
        now = int(time.time())
        return jwt.encode({**claims, "iat": now, "exp": now + 300, **extra}, self.key,
                          algorithm="RS256", headers={"kid": self.kid})  # fmt: skip


class KeySetServer:
    """Serves `{"keys": [...]}` on 127.0.0.1 and counts the fetches."""

    def __init__(self) -> None:
        self.keys: list[dict[str, Any]] = []
        self.fetches = 0
        self.down = False
        self.server = LiveServer("127.0.0.1")
        self.url = f"{self.server.url}/main/jwks"

    def __call__(self, environ: Any, start_response: Any) -> Any:
        self.fetches += 1
        if self.down:
            return WsgiResponse("down", status=502)(environ, start_response)
        body = json.dumps({"keys": self.keys})
        return WsgiResponse(body, content_type="application/json")(environ, start_response)


@pytest.fixture
def key_set(app: Flask) -> Iterator[KeySetServer]:
    served = KeySetServer()
    served.server.start(served)
    app.config["CANVAS_EVENTS_JWKS_URL"] = served.url
    yield served
    served.server.stop()


@pytest.fixture
def signer(key_set: KeySetServer) -> Signer:
    made = Signer()
    key_set.keys = [made.jwk()]
    return made


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Jobs are queued, not run (running them is tested in tests/lti_pathing/jobs)."""
    sent: list[int] = []
    monkeypatch.setattr(jobs, "dispatch", lambda app, kind, job_id, params: sent.append(job_id))
    return sent


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def webhook(
    session: Session, tenant: Any, org: dict[str, Any], app: Flask
) -> tuple[LmsConnection, str]:
    """Alice's tenant with a Canvas connection whose live events are on (signed only)."""
    with app.app_context():  # the token is encrypted with the app's key
        connection = LmsConnectionService(session, tenant, clock).connect(
            Lms.canvas, CANVAS_URL, CANVAS_TOKEN
        )
    key = LiveEventService(session, tenant).enable(connection.id)
    session.flush()
    return connection, key


def event(name: str, user: str, course: str, completed: str | None) -> dict[str, Any]:
    """A delivery shaped as canvas-lms emits it (the fixture), for this user and course."""
    fixture = "live_event_course_completed" if name == "course_completed" else (
        "live_event_course_progress")  # fmt: skip
    body = copy.deepcopy(canvas_body(fixture))
    body["body"]["user"]["id"], body["body"]["course"]["id"] = user, course
    body["body"]["progress"]["completed_at"] = completed
    return body


DONE = "2026-11-20T15:30:00Z"


def post(client: FlaskClient, key: str, data: str | bytes) -> Any:
    return client.post(f"/lms/events/{key}", data=data, content_type="application/jwt")


def test_a_signed_completion_queues_that_persons_sync_once(
    client: FlaskClient, session: Session, webhook: tuple[LmsConnection, str], signer: Signer,
    org: dict[str, Any], queued: list[int], key_set: KeySetServer,
) -> None:  # fmt: skip
    connection, key = webhook
    delivery = signer.sign(event("course_completed", "4242", "88", DONE))
    answer = post(client, key, delivery)
    assert answer.status_code == 202, answer.get_json()
    assert answer.get_json()["result"] == "queued"
    job = session.get_one(Job, answer.get_json()["job_id"])
    assert job.kind == JobKind.lms_sync and queued == [job.id]
    assert job.params == {"person_ids": [org["alice"].id], "trigger": "live_event"}
    seen = select(LmsConnection.events_last_at).where(LmsConnection.id == connection.id)
    assert session.scalar(seen) is not None  # the admin sees when the last event came
    # The same delivery again (Canvas retries): nothing more. A second event of the same
    # completion (another delivery): the pending sync covers it.
    again = post(client, key, delivery)
    assert (again.status_code, again.get_json()["result"]) == (202, "duplicate")
    other = post(client, key, signer.sign(event("course_completed", "4242", "88", DONE), jti="2"))
    assert other.get_json() == {**answer.get_json(), "job_id": job.id}
    assert session.scalars(select(Job)).all() == [job] and queued == [job.id]
    assert key_set.fetches == 1  # the key set is cached


def test_the_verbatim_canvas_example_is_read(
    client: FlaskClient, session: Session, tenant: Any, webhook: tuple[LmsConnection, str],
    signer: Signer, org: dict[str, Any], queued: list[int],
) -> None:  # fmt: skip
    org["bob"].identities.append(LmsIdentity(tenant_id=tenant.id, lms=Lms.canvas,
                                             lms_user_id="123"))  # fmt: skip
    org["module"].lms_links.append(LmsCourseLink(tenant_id=tenant.id, lms=Lms.canvas,
                                                 course_id="565"))  # fmt: skip
    session.flush()
    answer = post(client, webhook[1], signer.sign(canvas_body("live_event_course_completed")))
    assert answer.status_code == 202 and answer.get_json()["result"] == "queued"
    job = session.get_one(Job, answer.get_json()["job_id"])
    assert job.params["person_ids"] == [org["bob"].id]


@pytest.mark.parametrize(
    ("delivery", "reason"),
    [(event("course_completed", "999999", "88", DONE), "no active person has Canvas user id"),
     (event("course_completed", "4242", "7777", DONE), "Canvas course 7777 is linked to no"),
     (canvas_body("live_event_course_progress"), "progress without a completion"),
     ({"metadata": {"event_name": "logged_in"}, "body": {}}, "logged_in is not an event")],
)  # fmt: skip
def test_what_the_tool_does_not_use_is_taken_logged_and_left(
    client: FlaskClient, session: Session, webhook: tuple[LmsConnection, str], signer: Signer,
    queued: list[int], caplog: pytest.LogCaptureFixture, delivery: dict[str, Any], reason: str,
) -> None:  # fmt: skip
    with caplog.at_level(logging.INFO, logger="lti_pathing.lms"):
        answer = post(client, webhook[1], signer.sign(delivery))
    assert answer.status_code == 202
    assert answer.get_json()["result"] == "ignored" and reason in answer.get_json()["reason"]
    assert reason in caplog.text
    assert session.scalars(select(Job)).all() == [] and queued == []


def test_progress_that_completes_the_course_counts_and_a_known_completion_does_not(
    client: FlaskClient, session: Session, tenant: Any, webhook: tuple[LmsConnection, str],
    signer: Signer, org: dict[str, Any], queued: list[int],
) -> None:  # fmt: skip
    progress = event("course_progress", "4242", "88", DONE)
    assert post(client, webhook[1], signer.sign(progress)).get_json()["result"] == "queued"
    session.add(CompletionRecord(
        tenant_id=tenant.id, person_id=org["alice"].id, channel=CompletionChannel.canvas,
        key="canvas:course:88", lms=Lms.canvas, lms_course_id="88",
        completed_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC), raw_status="completed",
    ))  # fmt: skip
    session.flush()
    later = post(client, webhook[1], signer.sign(event("course_completed", "4242", "88", DONE)))
    assert later.get_json() == {"result": "ignored",
                                "reason": "this completion is already recorded"}  # fmt: skip


def test_forged_stale_or_unsigned_deliveries_are_refused(
    client: FlaskClient, session: Session, webhook: tuple[LmsConnection, str], signer: Signer,
    queued: list[int], key_set: KeySetServer,
) -> None:  # fmt: skip
    claims = event("course_completed", "4242", "88", DONE)
    forger = Signer(kid=signer.kid)  # the right kid, another key
    forged = post(client, webhook[1], forger.sign(claims))
    assert forged.status_code == 401 and "signature" in forged.get_json()["message"]
    expired = post(client, webhook[1], signer.sign(claims, exp=int(time.time()) - 3600))
    assert expired.status_code == 401 and "expired" in expired.get_json()["message"]
    unknown = post(client, webhook[1], Signer().sign(claims))
    assert unknown.status_code == 401 and "not in" in unknown.get_json()["message"]
    unsigned = post(client, webhook[1], json.dumps(claims))
    assert unsigned.status_code == 401 and "Sign Payload" in unsigned.get_json()["message"]
    garbage = post(client, webhook[1], "not an event")
    assert garbage.status_code == 400
    huge = post(client, webhook[1], "x" * 70_000)
    assert huge.status_code == 413
    assert session.scalars(select(Job)).all() == [] and queued == []
    assert key_set.fetches == 2  # fetched once, and once more for the unknown kid


def test_a_new_key_in_the_set_is_fetched_once_and_a_set_that_is_down_asks_canvas_to_retry(
    client: FlaskClient, webhook: tuple[LmsConnection, str], signer: Signer,
    queued: list[int], key_set: KeySetServer,
) -> None:  # fmt: skip
    claims = event("course_completed", "4242", "88", DONE)
    assert post(client, webhook[1], signer.sign(claims)).status_code == 202
    rotated = Signer()
    key_set.keys = [signer.jwk(), rotated.jwk()]  # Instructure publishes the next key
    assert post(client, webhook[1], rotated.sign(claims, jti="r")).status_code == 202
    assert key_set.fetches == 2
    key_set.down, newer = True, Signer()
    down = post(client, webhook[1], newer.sign(claims, jti="n"))
    assert down.status_code == 401  # refetched within the minute: not again
    assert key_set.fetches == 2


def test_the_key_set_unreachable_gives_503(
    client: FlaskClient, app: Flask, webhook: tuple[LmsConnection, str], queued: list[int],
    key_set: KeySetServer,
) -> None:  # fmt: skip
    key_set.down = True
    answer = post(client, webhook[1], Signer().sign(event("course_completed", "4242", "88", DONE)))
    assert answer.status_code == 503 and answer.get_json()["code"] == "event_keys_unavailable"


def test_unsigned_events_when_the_admin_allows_them(
    client: FlaskClient, session: Session, tenant: Any, webhook: tuple[LmsConnection, str],
    queued: list[int],
) -> None:  # fmt: skip
    connection, old_key = webhook
    key = LiveEventService(session, tenant).enable(connection.id, unsigned=True)
    session.flush()
    delivery = json.dumps(event("course_completed", "4242", "88", DONE))
    answer = client.post(f"/lms/events/{key}", data=delivery, content_type="application/json")
    assert answer.status_code == 202 and answer.get_json()["result"] == "queued"
    assert post(client, old_key, delivery).status_code == 404  # a new URL retires the old one


def test_a_wrong_off_or_inactive_webhook_is_not_found(
    client: FlaskClient, session: Session, tenant: Any, webhook: tuple[LmsConnection, str],
    signer: Signer, queued: list[int],
) -> None:  # fmt: skip
    connection, key = webhook
    delivery = signer.sign(event("course_completed", "4242", "88", DONE))
    assert post(client, key[:-2] + "xx", delivery).status_code == 404
    connection.active = False
    session.flush()
    assert post(client, key, delivery).status_code == 404
    connection.active = True
    LiveEventService(session, tenant).disable(connection.id)
    session.flush()
    assert post(client, key, delivery).status_code == 404
    assert queued == []


def test_moodle_connections_take_no_live_events(
    session: Session, tenant: Any, app_ctx: Flask
) -> None:
    from lti_pathing.errors import Invalid

    moodle = LmsConnectionService(session, tenant, clock).connect(
        Lms.moodle, "https://moodle.example.org", "moodle-token-123"
    )
    with pytest.raises(Invalid, match="Canvas only"):
        LiveEventService(session, tenant).enable(moodle.id)
