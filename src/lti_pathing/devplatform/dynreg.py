"""LTI dynamic registration, as Moodle and Canvas do it (shapes from recorded exchanges).

`/register/start?flavour=moodle|canvas` opens the tool's registration URL in an iframe with
`openid_configuration` and `registration_token`; the tool reads the configuration and posts its
registration; the page waits for the tool's `org.imsglobal.lti.close` message.
- moodle: the configuration is public; the registration endpoint wants the token as a Bearer
  header, answers with a `deployment_id`, and `messages_supported` lists plain strings (as Moodle
  4.0-4.3 send them; 4.5 sends objects).
- canvas: as canvas-lms's SecurityController#openid_configuration and
  Lti::IMS::DynamicRegistrationController#create answer (with its LTI registrations UI on): the
  configuration request itself needs the token as a Bearer header and lists Canvas's placements
  per message type; a placement or scope Canvas does not know is refused with 422; the answer
  echoes the tool configuration with `registration_config_url`, adds `registration_client_uri`
  and, beside the configuration, the deployment id of the root account's install.
"""

from __future__ import annotations

import itertools
import secrets
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, render_template, request

from lti_pathing.devplatform.config import Client, ToolUrls
from lti_pathing.devplatform.protocol import ProtocolError
from lti_pathing.devplatform.services import LINEITEM, LINEITEM_RO, MEMBERSHIP_RO, RESULT_RO, SCORE
from lti_pathing.devplatform.state import PlatformState, Registration, current_state

CANVAS_SCOPES = (LINEITEM, LINEITEM_RO, RESULT_RO, SCORE, MEMBERSHIP_RO)

bp = Blueprint("devplatform_dynreg", __name__, template_folder="templates")

FLAVOURS = ("moodle", "canvas")
# Canvas's placements by message type (Lti::ResourcePlacement::PLACEMENTS_BY_MESSAGE_TYPE, a
# part: its openid configuration lists them without resource_selection).
CANVAS_PLACEMENTS = {
    "LtiResourceLinkRequest": ("account_navigation", "assignment_selection", "course_navigation",
                               "global_navigation", "link_selection", "user_navigation"),
    "LtiDeepLinkingRequest": ("assignment_selection", "editor_button", "link_selection"),
}  # fmt: skip
CANVAS_PREFIX = "https://canvas.instructure.com/lti/"
# Canvas's schema (Schemas::Lti::IMS::LtiToolConfiguration) accepts these placement names.
CANVAS_KNOWN = {p for ps in CANVAS_PLACEMENTS.values() for p in ps} | {"resource_selection"}
CANVAS_NAMES = CANVAS_KNOWN | {CANVAS_PREFIX + p for p in CANVAS_KNOWN} | {
    "ContentArea", "RichTextEditor"}  # fmt: skip
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
ECHOED = ("response_types", "jwks_uri", "initiate_login_uri", "grant_types", "redirect_uris",
          "application_type", "token_endpoint_auth_method", "client_name")  # fmt: skip
_numbers = itertools.count(1)


def _error(message: str, status: int = 400, code: str = "invalid_client_metadata") -> Response:
    response = jsonify({"error": code, "error_description": message})
    response.status_code = status
    return response


@bp.errorhandler(ProtocolError)
def _refused(error: ProtocolError) -> Response:
    return _error(error.message, error.status, error.code)


@bp.get("/register")
def register_page() -> str:
    """Choose a flavour of dynamic registration."""
    state = current_state()
    return render_template("devplatform/register.html", state=state, frame=None, flavour=None)


@bp.get("/register/start")
def register_start() -> str:
    """Open the tool's registration URL with a fresh registration token."""
    state = current_state()
    flavour = request.args.get("flavour", "moodle")
    if flavour not in FLAVOURS:
        raise ProtocolError(f"flavour must be one of {', '.join(FLAVOURS)}", 404)
    tool = request.args.get("tool_url") or state.config.clients[0].tool.registration
    token = state.new_registration_token(flavour)
    config_url = f"{state.config.issuer}/.well-known/openid-configuration/{flavour}"
    query = urlencode({"openid_configuration": config_url, "registration_token": token})
    frame = f"{tool}{'&' if '?' in tool else '?'}{query}"
    return render_template("devplatform/register.html", state=state, frame=frame, flavour=flavour)


def _bearer_flavour(state: PlatformState, consume: bool) -> str:
    parts = request.headers.get("Authorization", "").split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        raise ProtocolError("the registration token is required as a Bearer header", 401,
                            "invalid_token")  # fmt: skip
    with state.lock:
        flavour = (state.take_registration_token if consume else state.registration_tokens.get)(
            parts[1]
        )
    if flavour is None:
        raise ProtocolError("unknown or used registration token", 401, "invalid_token")
    return flavour


@bp.get("/.well-known/openid-configuration/<flavour>")
def openid_configuration(flavour: str) -> Response:
    """The platform's OpenID configuration, Moodle- or Canvas-shaped."""
    state = current_state()
    if flavour not in FLAVOURS:
        raise ProtocolError("no such configuration", 404, "not_found")
    if flavour == "canvas" and _bearer_flavour(state, consume=False) != "canvas":
        raise ProtocolError("this registration token is for another flavour", 401, "invalid_token")
    issuer = state.config.issuer
    if flavour == "moodle":
        messages: list[Any] = ["LtiResourceLinkRequest", "LtiDeepLinkingRequest"]
        platform: dict[str, Any] = {"product_family_code": "moodle", "version": "4.1.0"}
    else:
        messages = [{"type": kind, "placements": list(placements)}
                    for kind, placements in CANVAS_PLACEMENTS.items()]  # fmt: skip
        platform = {"product_family_code": "canvas", "version": "OpenSource",
                    "https://canvas.instructure.com/lti/account_name": "Larkspur"}  # fmt: skip
    return jsonify({
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/auth",
        "token_endpoint": f"{issuer}/token",
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "registration_endpoint": f"{issuer}/register/endpoint/{flavour}",
        "scopes_supported": [LINEITEM, LINEITEM_RO, RESULT_RO, SCORE, MEMBERSHIP_RO, "openid"],
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": ["sub", "iss", "name", "given_name", "family_name", "email"],
        PLATFORM_CONFIGURATION: {**platform, "messages_supported": messages,
                                 "variables": ["Canvas.user.id", "Canvas.course.id"]},
    })  # fmt: skip


def _check_request(body: Any) -> dict[str, Any]:
    """The tool's registration request, or ProtocolError naming what is wrong."""
    if not isinstance(body, dict):
        raise ProtocolError("the registration request must be a JSON object")
    problems = []
    if body.get("application_type") != "web":
        problems.append("application_type must be web")
    if "id_token" not in (body.get("response_types") or []):
        problems.append("response_types must include id_token")
    if not {"implicit", "client_credentials"} <= set(body.get("grant_types") or []):
        problems.append("grant_types must include implicit and client_credentials")
    if body.get("token_endpoint_auth_method") != "private_key_jwt":
        problems.append("token_endpoint_auth_method must be private_key_jwt")
    for name in ("initiate_login_uri", "jwks_uri", "client_name"):
        if not isinstance(body.get(name), str) or not body[name]:
            problems.append(f"{name} is required")
    if not isinstance(body.get("redirect_uris"), list) or not body["redirect_uris"]:
        problems.append("redirect_uris must list at least one URI")
    tool = body.get(TOOL_CONFIGURATION)
    if not isinstance(tool, dict) or not tool.get("domain") or not tool.get("target_link_uri"):
        problems.append(f"{TOOL_CONFIGURATION} needs domain and target_link_uri")
    elif not all(isinstance(m, dict) and m.get("type") for m in tool.get("messages") or []):
        problems.append("every tool message must be an object with a type")
    if problems:
        raise ProtocolError("; ".join(problems))
    return body


@bp.post("/register/endpoint/<flavour>")
def registration_endpoint(flavour: str) -> Response:
    """Take the tool's registration: a new client (and, Moodle-style, a deployment id)."""
    state = current_state()
    if flavour not in FLAVOURS:
        raise ProtocolError("no such registration endpoint", 404, "not_found")
    if _bearer_flavour(state, consume=False) != flavour:
        raise ProtocolError("this registration token is for another flavour", 401, "invalid_token")
    body = _check_request(request.get_json(silent=True))
    if flavour == "canvas":
        problems = _canvas_problems(body)
        if problems:  # Canvas: 422 with the schema's errors, nothing registered
            response = jsonify({"errors": problems})
            response.status_code = 422
            return response
    _bearer_flavour(state, consume=True)
    number = next(_numbers)
    tool_conf = body[TOOL_CONFIGURATION]
    deep_link = next((m.get("target_link_uri") for m in tool_conf.get("messages") or []
                      if m.get("type") == "LtiDeepLinkingRequest"), None)  # fmt: skip
    if flavour == "moodle":
        client_id, deployment_id = secrets.token_urlsafe(11)[:15], str(number + 1)
    else:
        client_id, deployment_id = f"1000000000{number:04d}", f"{number}:{secrets.token_hex(20)}"
    urls = ToolUrls(login=body["initiate_login_uri"], launch=tool_conf["target_link_uri"],
                    jwks=body["jwks_uri"], deep_link=deep_link or tool_conf["target_link_uri"],
                    registration="")  # fmt: skip
    client = Client(client_id, deployment_id, urls, body["client_name"],
                    tuple(str(u) for u in body["redirect_uris"]))  # fmt: skip
    state.add_client(client)
    with state.lock:
        state.registrations.append(Registration(flavour, client_id, deployment_id, body))
    echoed = {k: body[k] for k in ECHOED}
    answer: dict[str, Any] = {"client_id": client_id, **echoed, "scope": body.get("scope", "")}
    if flavour == "moodle":
        answer[TOOL_CONFIGURATION] = {**tool_conf, "version": "1.3.0",
                                      "deployment_id": deployment_id}  # fmt: skip
        return jsonify(answer)
    registrations = f"{state.config.issuer}/api/lti/registrations/{number}"
    scopes = [s for s in str(body.get("scope", "")).split() if s != "openid"]
    answer.update({
        "scope": " ".join([*scopes, "openid"]),
        TOOL_CONFIGURATION: {**tool_conf, CANVAS_PREFIX + "registration_config_url":
                             f"{registrations}/view"},
        "registration_client_uri": registrations,
        "deployment_id": deployment_id,
    })  # fmt: skip
    return jsonify(answer)


def _canvas_problems(body: dict[str, Any]) -> list[str]:
    """What Canvas's registration schema refuses: unknown placements and scopes."""
    problems = []
    for message in body[TOOL_CONFIGURATION].get("messages") or []:
        unknown = [p for p in message.get("placements") or [] if p not in CANVAS_NAMES]
        if unknown:
            problems.append(f"placements: {', '.join(map(str, unknown))} is not a valid placement")
    scopes = set(str(body.get("scope", "")).split()) - {*CANVAS_SCOPES, "openid"}
    if scopes:
        problems.append(f"Invalid scopes: {', '.join(sorted(scopes))}")
    return problems
