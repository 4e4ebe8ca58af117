"""Moodle-style web services of the development LMS: private messages, shown on a page.

`POST /webservice/rest/server.php` answers as Moodle 4.5 does (recorded in
tests/fixtures/moodle-4.5): always HTTP 200, errors as `{exception, errorcode, message}`.
`core_message_send_instant_messages` keeps each message for the Messages page (one result per
message, `msgid` -1 with `errormessage` for a user it does not know);
`core_enrol_get_users_courses` answers `[]` (a sync over this connection finds no courses);
`core_webservice_get_site_info` says who the token is and what it may call. The Canvas-style
`/courses/<id>/external_tools/retrieve?url=` opens the course page with the tool at that URL
(where the tool's messages link back to).
"""

from __future__ import annotations

import re
import time
from html import unescape
from typing import Any

from flask import Blueprint, Response, jsonify, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from lti_pathing.devplatform.state import PlatformState, ReceivedMessage, current_state

bp = Blueprint("devplatform_messaging", __name__, template_folder="templates")
FUNCTIONS = (
    "core_message_send_instant_messages",
    "core_enrol_get_users_courses",
    "core_webservice_get_site_info",
)
MESSAGE_FIELD = re.compile(r"^messages\[(\d+)\]\[(\w+)\]$")
HREF = re.compile(r'href="([^"]+)"')
SITE_INFO = {
    "sitename": "Larkspur Learning", "username": "lti-pathing", "userid": 2,
    "release": "4.5.6 (Build: 20250811)",
    "functions": [{"name": name, "version": "2024100700"} for name in FUNCTIONS],
}  # fmt: skip


def _error(exception: str, code: str, message: str) -> Response:
    return jsonify({"exception": exception, "errorcode": code, "message": message})


@bp.post("/webservice/rest/server.php")
def rest() -> Response:
    """One web-service call (form-encoded, JSON answers)."""
    state = current_state()
    if request.form.get("wstoken") != state.config.ws_token:
        return _error("core\\exception\\moodle_exception", "invalidtoken",
                      "Invalid token - token not found")  # fmt: skip
    function = request.form.get("wsfunction", "")
    if function == "core_message_send_instant_messages":
        return jsonify(_send(state))
    if function == "core_enrol_get_users_courses":
        return jsonify([])
    if function == "core_webservice_get_site_info":
        return jsonify(SITE_INFO)
    return _error("core\\exception\\webservice_access_exception", "accessexception",
                  "Access control exception")  # fmt: skip


def _send(state: PlatformState) -> list[dict[str, Any]]:
    """Keep each message; Moodle's per-message results."""
    messages: dict[int, dict[str, str]] = {}
    for key, value in request.form.items():
        found = MESSAGE_FIELD.match(key)
        if found:
            messages.setdefault(int(found[1]), {})[found[2]] = value
    return [_one(state, message) for _, message in sorted(messages.items())]


def _one(state: PlatformState, message: dict[str, str]) -> dict[str, Any]:
    """One message kept (or refused, as Moodle refuses a user it does not know)."""
    wanted = message.get("touserid")
    to = next((p for p in state.config.people if p.moodle_user_id and p.moodle_user_id == wanted),
              None)  # fmt: skip
    result: dict[str, Any] = {}
    if "clientmsgid" in message:
        result["clientmsgid"] = message["clientmsgid"]
    if to is None:
        return {**result, "msgid": -1, "errormessage": f"User ID {wanted} does not exist"}
    with state.lock:
        kept = ReceivedMessage(len(state.messages) + 1, to.sub, to.name, message.get("text", ""),
                               message.get("clientmsgid"), time.time())  # fmt: skip
        state.messages.append(kept)
    return {**result, "msgid": kept.id, "timecreated": int(kept.at), "conversationid": kept.id,
            "useridfrom": 2, "text": kept.html, "candeletemessagesforallusers": False}  # fmt: skip


@bp.app_template_filter("links")
def links(html: str) -> list[str]:
    """The addresses a message's HTML links to."""
    return [unescape(href) for href in HREF.findall(html)]


@bp.get("/messages")
def messages() -> str:
    """Every message the platform received, newest first."""
    state = current_state()
    sub = session.get("sub")
    user = state.config.person(sub) if isinstance(sub, str) else None
    with state.lock:
        received = list(reversed(state.messages))
    return render_template("devplatform/messages.html", received=received, user=user,
                           state=state, time=time)  # fmt: skip


@bp.get("/courses/<course_id>/external_tools/retrieve")
def retrieve(course_id: str) -> BaseResponse:
    """Canvas's launch-by-URL: the course page with the first link to the tool at `url`."""
    state = current_state()
    wanted = request.args.get("url", "")
    for link in state.links.values():
        client = state.client(link.client_id)
        if (link.url or (client.tool.launch if client else None)) == wanted:
            return redirect(url_for("devplatform.course", link=link.id))
    return redirect(url_for("devplatform.course"))
