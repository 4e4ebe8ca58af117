"""LMS messages over real HTTP on 127.0.0.1: Moodle's web service and Canvas's conversations.

The fake LMSs answer with the published shapes: Moodle `core_message_send_instant_messages`
(message/externallib.php: a list of results, `msgid` -1 and `errormessage` for a refused one;
errors as HTTP 200 `{exception, errorcode, message}`, as in tests/fixtures/moodle-4.5), Canvas
`POST /api/v1/conversations` (conversations_controller.rb: 201 and a list of conversations;
400 `[{"attribute", "message"}]`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing import crypto
from lti_pathing.jobs import notifications
from lti_pathing.models import (
    DeliveryStatus,
    Lms,
    LmsConnection,
    LmsIdentity,
    NotificationDelivery,
    Tenant,
)
from lti_pathing.notify.channels import Message, Refused, Retry, Unknown, send_lms
from lti_pathing.notify.preferences import PreferenceService
from lti_pathing.services.approvals import ApprovalService
from tests.lti_pathing.services.journeys_org import Org
from tests.support.servers import LiveServer, SilentServer

FIXTURES = Path(__file__).parents[2] / "fixtures" / "moodle-4.5" / "webservice"
TOKEN = "moodle-token-0123456789"
SENT = [{"msgid": 1234, "clientmsgid": "k", "text": "<p>hi</p>", "timecreated": 1795640662,
         "conversationid": 17, "useridfrom": 2, "candeletemessagesforallusers": False}]  # fmt: skip
NO_PERMISSION = {
    "exception": "core\\exception\\required_capability_exception", "errorcode": "nopermissions",
    "message": "Sorry, but you do not currently have permissions to do that (Send messages to "
    "any user).",
}  # fmt: skip


class FakeLms:
    """Records each request's form; answers the next canned (status, JSON body)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answers: list[tuple[int, Any]] = []
        self.app = Flask("fake-lms")
        self.app.add_url_rule("/webservice/rest/server.php", "moodle", self.answer,
                              methods=["POST"])  # fmt: skip
        self.app.add_url_rule("/api/v1/conversations", "canvas", self.answer, methods=["POST"])

    def answer(self) -> Response:
        form = {key: request.form.getlist(key) for key in request.form}
        self.requests.append({"path": request.path, "form": form,
                              "auth": request.headers.get("Authorization")})  # fmt: skip
        status, body = self.answers.pop(0)
        return Response(json.dumps(body), status, mimetype="application/json")


@pytest.fixture
def lms() -> Iterator[tuple[FakeLms, str]]:
    fake = FakeLms()
    server = LiveServer().start(fake.app)
    yield fake, server.url
    server.stop()


def message(user_id: str | None = "2244") -> Message:
    return Message("lti-pathing-1-9-lms", "Plan waits", "Plan waits.\n\nOpen it.",
                   "<p>Plan waits.</p>", "Maya Manager", None, user_id)  # fmt: skip


def test_moodle_gets_the_documented_parameters_and_its_msgid_is_kept(
    lms: tuple[FakeLms, str],
) -> None:
    fake, url = lms
    fake.answers = [(200, SENT)]
    assert send_lms(Lms.moodle, url, TOKEN, message(), 5.0) == "1234"
    [call] = fake.requests
    assert call["form"] == {
        "wstoken": [TOKEN], "wsfunction": ["core_message_send_instant_messages"],
        "moodlewsrestformat": ["json"], "messages[0][touserid]": ["2244"],
        "messages[0][text]": ["<p>Plan waits.</p>"], "messages[0][textformat]": ["1"],
        "messages[0][clientmsgid]": ["lti-pathing-1-9-lms"],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("status", "body", "outcome", "words"),
    [
        (200, [{"msgid": -1, "clientmsgid": "k", "errormessage": "User ID 2244 does not exist"}],
         Refused, "User ID 2244 does not exist"),
        (200, json.loads((FIXTURES / "32_invalid_token.response.json").read_text()), Retry,
         "Invalid token - token not found (invalidtoken)"),
        (200, NO_PERMISSION, Refused, "(nopermissions)"),
        (503, {"error": "maintenance"}, Retry, "failed with 503"),
        (200, {"unexpected": True}, Unknown, "expected a JSON list"),
    ],
)  # fmt: skip
def test_moodle_refusals_arrive_as_http_200_and_are_told_apart(
    lms: tuple[FakeLms, str], status: int, body: Any, outcome: type[Exception], words: str
) -> None:
    fake, url = lms
    fake.answers = [(status, body)]
    with pytest.raises(outcome, match=words.replace("(", r"\(").replace(")", r"\)")):
        send_lms(Lms.moodle, url, TOKEN, message(), 5.0)
    assert len(fake.requests) == 1  # a message POST is never repeated by the HTTP layer


def test_an_lms_that_is_down_is_retried_one_that_hangs_is_unknown() -> None:
    with pytest.raises(Retry, match="could not connect"):
        send_lms(Lms.moodle, SilentServer.refusing(), TOKEN, message(), 5.0)
    silent = SilentServer()
    try:
        with pytest.raises(Unknown, match="timed out"):
            send_lms(Lms.moodle, silent.url, TOKEN, message(), 0.5)
    finally:
        silent.stop()


def test_canvas_starts_a_private_conversation(lms: tuple[FakeLms, str]) -> None:
    fake, url = lms
    fake.answers = [(201, [{"id": 88, "subject": "Plan waits", "workflow_state": "read"}]),
                    (400, [{"attribute": "recipients", "message": "invalid"}])]  # fmt: skip
    assert send_lms(Lms.canvas, url, "canvas-token-0123", message("20478"), 5.0) == "88"
    [call] = fake.requests
    assert call["auth"] == "Bearer canvas-token-0123"
    assert call["form"]["recipients[]"] == ["20478"] and call["form"]["subject"] == ["Plan waits"]
    assert call["form"]["body"] == ["Plan waits.\n\nOpen it."]
    with pytest.raises(Refused, match="recipients: invalid"):
        send_lms(Lms.canvas, url, "canvas-token-0123", message("999"), 5.0)


def test_a_submission_reaches_the_manager_as_a_moodle_message(
    app: Flask, session: Session, tenant: Tenant, org: Org, lms: tuple[FakeLms, str]
) -> None:
    fake, url = lms
    fake.answers = [(200, SENT)]
    with app.app_context():
        secret = crypto.encrypt(TOKEN)
    session.add(LmsConnection(tenant_id=tenant.id, kind=Lms.moodle, base_url=url,
                              token_encrypted=secret, token_hint="…6789"))  # fmt: skip
    session.add(LmsIdentity(tenant_id=tenant.id, person_id=org.maya.id, lms=Lms.moodle,
                            lms_user_id="2244"))  # fmt: skip
    PreferenceService(session, tenant).save(org.maya.id, {"lms": "on", "email": "off"})
    ApprovalService(session, tenant).act(org.leo.id, org.plan.id, "submit", org.plan.version)
    session.flush()

    assert notifications.deliver_due(app) == {"sent": 1}
    [call] = fake.requests
    assert call["form"]["messages[0][touserid]"] == ["2244"]
    assert "Leo Learner submitted their plan" in call["form"]["messages[0][text]"][0]
    session.expire_all()
    [sent] = session.scalars(select(NotificationDelivery)).all()
    assert (sent.status, sent.remote_id) == (DeliveryStatus.sent, "1234")
    assert call["form"]["messages[0][clientmsgid]"] == [sent.key]
