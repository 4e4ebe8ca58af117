"""The LMS-looking pages, the OIDC login initiation, the authorization endpoint, deep-link return.

A person is picked on the home page (kept in the platform's own session cookie); the course page
embeds the tool in an iframe whose first request is `/launch/<link>`: the real third-party
initiated login, then the tool's authentication request to `/auth`, answered with an auto-posted
signed id_token.

Platform storage, as Canvas runs it (`PlatformConfig.storage_target`): the login and the
launch carry `lti_storage_target`; the course page answers `lti.capabilities` and holds a hidden
frame of that name, on this platform's authorization origin, that keeps what the tool stores
(`lti.put_data`, `lti.get_data`) in localStorage per tool origin (static/*.js). Canvas's frame
forwards those messages to the Canvas window, which answers; here the frame answers itself.
"""

from __future__ import annotations

import secrets
from typing import Any

import jwt
from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from lti_pathing.devplatform import protocol
from lti_pathing.devplatform.config import PlatformPerson
from lti_pathing.devplatform.protocol import ProtocolError
from lti_pathing.devplatform.state import CourseLink, PendingMessage, PlatformState, current_state

bp = Blueprint(
    "devplatform", __name__, template_folder="templates", static_folder="static",
    static_url_path="/devplatform-static",
)  # fmt: skip


def _user() -> PlatformPerson | None:
    sub = session.get("sub")
    return current_state().config.person(sub) if isinstance(sub, str) else None


@bp.errorhandler(ProtocolError)
def _refused(error: ProtocolError) -> tuple[str, int]:
    return render_template("devplatform/error.html", message=error.message), error.status


@bp.get("/")
def home() -> str:
    """Pick a person."""
    state = current_state()
    return render_template("devplatform/home.html", state=state, user=_user())


@bp.get("/as/<sub>")
def sign_in_as(sub: str) -> Response:
    """Become this person (no password: it is a development platform) and open the course."""
    if current_state().config.person(sub) is None:
        abort(404)
    session.clear()
    session["sub"] = sub
    return redirect(url_for("devplatform.course"))


@bp.get("/course")
def course() -> str | Response:
    """The course page: its tool links, one of them open in an iframe."""
    user = _user()
    if user is None:
        return redirect(url_for("devplatform.home"))
    state = current_state()
    frame = None
    if "link" in request.args and request.args["link"] in state.links:
        frame = url_for("devplatform.launch", link_id=request.args["link"])
    elif "deep_link" in request.args and state.client(request.args["deep_link"]):
        frame = url_for("devplatform.deep_link", client_id=request.args["deep_link"])
    config = state.config
    storage = config.storage_target if config.storage_answers else None
    return render_template(
        "devplatform/course.html", state=state, user=user, frame=frame, storage=storage
    )


@bp.get("/lti/post_message_forwarding")
def post_message_forwarding() -> str:
    """The platform-storage frame: keeps what tools store with lti.put_data (Canvas's name)."""
    return render_template("devplatform/storage_frame.html")


def _initiate(message: PendingMessage, target_link_uri: str) -> Response:
    state = current_state()
    client = state.client(message.client_id)
    if client is None:
        raise ProtocolError(f"no client {message.client_id!r}", 404)
    hint = state.new_hint(message)
    conf = protocol.conf_for(state.config, client)
    target = state.config.storage_target
    return redirect(protocol.login_url(conf, message.sub, hint, target_link_uri, target))


@bp.get("/launch/<link_id>")
def launch(link_id: str) -> Response:
    """Start a resource-link launch: send the browser to the tool's OIDC login."""
    user = _user()
    link = current_state().links.get(link_id)
    if user is None or link is None:
        raise ProtocolError("pick a person on the home page first" if link else "no such link", 404)
    client = current_state().client(link.client_id)
    target = link.url or (client.tool.launch if client else "")
    return _initiate(PendingMessage("launch", user.sub, link.client_id, link.id), target)


@bp.get("/deep-link/<client_id>")
def deep_link(client_id: str) -> Response:
    """Start a deep-linking request (choose content from the tool)."""
    user = _user()
    client = current_state().client(client_id)
    if user is None or client is None:
        raise ProtocolError("pick a person first" if client else "no such client", 404)
    return _initiate(PendingMessage("deep_link", user.sub, client_id, None), client.tool.deep_link)


@bp.route("/auth", methods=["GET", "POST"])
def authorize() -> str:
    """The OIDC authorization endpoint: check the request, answer with a signed id_token."""
    params = request.values
    for name, wanted in (("scope", "openid"), ("response_type", "id_token"),
                         ("response_mode", "form_post")):  # fmt: skip
        if params.get(name) != wanted:
            raise ProtocolError(f"{name} must be {wanted!r}")
    state = current_state()
    client = state.client(params.get("client_id", ""))
    if client is None:
        raise ProtocolError("unknown client_id")
    if not client.allows_redirect(params.get("redirect_uri", "")):
        raise ProtocolError("redirect_uri is not registered for this client")
    if not params.get("nonce") or not params.get("state"):
        raise ProtocolError("nonce and state are required")
    message = state.take_hint(params.get("lti_message_hint", ""))
    if message is None:
        raise ProtocolError("lti_message_hint unknown, expired or already used")
    user = state.config.person(message.sub)
    if message.sub != params.get("login_hint") or message.client_id != client.client_id:
        raise ProtocolError("login_hint or client_id does not match the login that was started")
    if user is None or session.get("sub") != user.sub:
        raise ProtocolError("the signed-in platform user is not the one the login was for", 403)
    conf = protocol.conf_for(state.config, client)
    launch = protocol.new_launch(conf, request)
    _fill_claims(launch, state, user, message)
    data = protocol.sign_launch(launch)
    if state.config.storage_target:  # Canvas: authentication_controller#lti_storage_target
        data["lti_storage_target"] = state.config.storage_target
    return render_template(
        "devplatform/autopost.html", action=data["launch_url"], fields=data, what="the tool"
    )


def _fill_claims(
    launch: protocol.MessageLaunch, state: PlatformState, user: PlatformPerson, msg: PendingMessage
) -> None:
    issuer, course = state.config.issuer, state.config.course
    launch.set_user_data(user.sub, list(user.roles), user.name, user.email)
    lis = {"person_sourcedid": user.sourcedid} if user.sourcedid else {}
    launch.set_launch_context_claim(course.id, [protocol.CONTEXT_TYPE], course.title, course.label)
    launch.set_launch_presentation_claim("iframe", f"{issuer}/course")
    custom: dict[str, Any] = {"canvas_course_id": course.id, "canvas_api_base_url": issuer}
    if user.canvas_user_id:
        custom["canvas_user_id"] = user.canvas_user_id
    services = f"{issuer}/api/lti/{msg.client_id}/{course.id}"
    placed = state.links.get(msg.link_id or "") if msg.kind != "deep_link" else None
    graded = placed.line_item_id if placed else None  # a graded link: its own column
    graded = f"{services}/lineitems/{graded}" if graded else None
    launch.set_ags(f"{services}/lineitems", graded, True, True, True)
    launch.set_nrps(f"{services}/memberships")
    launch.set_extra_claims({
        "https://purl.imsglobal.org/spec/lti/claim/tool_platform": {
            "guid": issuer, "name": "lti-pathing development platform",
            "product_family_code": state.config.product_family_code,
        },
        # Canvas: $Person.sourcedId (the SIS user id), for tools that may see names.
        **({"https://purl.imsglobal.org/spec/lti/claim/lis": lis} if lis else {}),
    })  # fmt: skip
    if msg.kind == "deep_link":
        data = secrets.token_urlsafe(12)
        with state.lock:
            state.deep_link_data[data] = f"{user.sub} {msg.client_id}"
        launch.set_dl(
            f"{issuer}/deep-link/return", "Add lti-pathing", "", {"ltiResourceLink"}, data
        )
    else:
        link = state.links[msg.link_id or ""]
        custom.update(link.custom)
        client = state.client(msg.client_id)
        launch.set_launch_url(link.url or (client.tool.launch if client else ""))
        launch.set_resource_link_claim(link.id, title=link.title)
    launch.set_custom_parameters_claim(custom)


def _add_link(state: PlatformState, client_id: str, item: dict[str, Any]) -> CourseLink:
    """A returned resource link placed in the course; with a `lineItem`, a graded one."""
    custom = {str(k): str(v) for k, v in dict(item.get("custom") or {}).items()}
    link = state.add_link(str(item.get("title") or "lti-pathing"), client_id, item.get("url"),
                          custom)  # fmt: skip
    wanted = item.get("lineItem")
    if isinstance(wanted, dict):
        data = {k: wanted[k] for k in ("label", "scoreMaximum", "resourceId", "tag") if k in wanted}
        data.setdefault("label", link.title)
        state.add_line_item(client_id, {**data, "resourceLinkId": link.id})
    return link


@bp.post("/deep-link/return")
def deep_link_return() -> str:
    """Receive the tool's deep-linking response; its resource links become course links."""
    state = current_state()
    token = request.form.get("JWT", "")
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise ProtocolError("the JWT form field is not a JWT") from None
    data = str(unverified.get("https://purl.imsglobal.org/spec/lti-dl/claim/data", ""))
    with state.lock:
        owner = state.deep_link_data.pop(data, None)
    if owner is None:
        raise ProtocolError("deep-linking response does not echo a pending request's data")
    sub, client_id = owner.split(" ", 1)
    client = state.client(client_id)
    assert client is not None
    _claims, items = protocol.verify_deep_link_response(
        protocol.conf_for(state.config, client), token
    )
    added = [_add_link(state, client_id, item) for item in items
             if item.get("type") == "ltiResourceLink"]  # fmt: skip
    return render_template("devplatform/deep_link_done.html", added=added, sub=sub)
