"""The platform's service endpoints: JWKS, OAuth2 token, AGS (line items, scores, results), NRPS.

Service URLs carry the client id (`/api/lti/<client_id>/<context_id>/...`) and a token only opens
the URLs of the client it was issued to, so a tool that shared one token between two client ids
of this issuer gets 403 here. A malformed or foreign bearer gets 401, never a 500.

AGS behaves as Canvas does where tools trip over it: a line item created without
`resourceLinkId` becomes a course assignment (listed on the course page), one naming an unknown
link is 404, and a score for anyone who is not a student of the course (teacher, TA, admin,
Test Student) is 422 "User not found in course or is not a student", in Canvas's error shape.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Blueprint, Response, jsonify, request, url_for

from lti_pathing.devplatform import protocol
from lti_pathing.devplatform.protocol import ProtocolError
from lti_pathing.devplatform.state import LineItem, current_state

bp = Blueprint("devplatform_services", __name__)

SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/"
LINEITEM, LINEITEM_RO = SCOPE + "lineitem", SCOPE + "lineitem.readonly"
SCORE, RESULT_RO = SCOPE + "score", SCOPE + "result.readonly"
MEMBERSHIP_RO = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MEDIA = "application/vnd.ims."
LIS = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
NOT_A_STUDENT = "User not found in course or is not a student"
F = TypeVar("F", bound=Callable[..., Any])


def _json(body: Any, status: int = 200, media: str = "application/json") -> Response:
    response = jsonify(body)
    response.status_code = status
    response.mimetype = media
    return response


@bp.errorhandler(ProtocolError)
def _refused(error: ProtocolError) -> Response:
    if request.path.endswith("/token"):
        return _json({"error": error.code, "error_description": error.message}, error.status)
    response = _json({"error": error.code, "message": error.message}, error.status)
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


@bp.get("/.well-known/jwks.json")
def jwks() -> Response:
    """The platform's public keys (the tool verifies id_tokens with them)."""
    return _json(protocol.platform_jwks(current_state().config))


@bp.post("/token")
def token() -> Response:
    """OAuth2 client_credentials with a JWT assertion signed by the tool (LTI security)."""
    state = current_state()
    form = request.form.to_dict()
    client = state.client(protocol.assertion_client_id(form))
    if client is None:
        raise ProtocolError("unknown client", 401, "invalid_client")
    if not form.get("scope"):
        raise ProtocolError("scope is required", code="invalid_scope")
    conf = protocol.conf_for(state.config, client)
    body, jti = protocol.issue_token(conf, form, f"{state.config.issuer}/token")
    if not state.first_use_of_assertion(f"{client.client_id} {jti}"):
        raise ProtocolError("client_assertion replayed (jti already used)", 401, "invalid_client")
    with state.lock:
        state.tokens_issued[client.client_id] += 1
    return _json(body)


def authorized(*scopes: str) -> Callable[[F], F]:
    """Guard a service view: a bearer token of the client named in the URL, with one of `scopes`."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(client_id: str, context_id: str, **kwargs: Any) -> Any:
            state = current_state()
            found = protocol.bearer_client(state.config, request.headers.get("Authorization", ""))
            if found is None:
                raise ProtocolError(
                    "missing, malformed or expired bearer token", 401, "invalid_token"
                )
            token_client, granted = found
            if token_client != client_id or state.client(client_id) is None:
                raise ProtocolError("this token was issued to another client", 403, "forbidden")
            if not granted & set(scopes):
                raise ProtocolError(
                    f"token lacks scope {' or '.join(scopes)}", 403, "insufficient_scope"
                )
            if context_id != state.config.course.id:
                raise ProtocolError("no such context", 404, "not_found")
            return view(client_id, context_id, **kwargs)

        return cast(F, guarded)

    return decorate


def _page_args(default_limit: int) -> tuple[int, int]:
    try:
        limit = int(request.args.get("limit", default_limit))
        page = int(request.args.get("page", 1))
    except ValueError:
        raise ProtocolError("limit and page must be whole numbers") from None
    if limit < 1 or page < 1:
        raise ProtocolError("limit and page must be at least 1")
    return limit, page


def _paged(
    rows: list[Any], default_limit: int, body: Callable[[list[Any]], Any], media: str
) -> Response:
    """One page of `rows`, with `Link: <...>; rel="next"` while more remain."""
    limit, page = _page_args(default_limit)
    response = _json(body(rows[(page - 1) * limit : page * limit]), media=media)
    if page < math.ceil(len(rows) / limit):
        values: dict[str, Any] = {**(request.view_args or {}), **request.args.to_dict()}
        values.update(limit=limit, page=page + 1, _external=True)
        next_url = url_for(request.endpoint or "", **values)
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return response


def _item_url(item: LineItem) -> str:
    context_id = current_state().config.course.id
    return url_for(
        ".line_item",
        client_id=item.client_id,
        context_id=context_id,
        item_id=item.id,
        _external=True,
    )


def _line_item(client_id: str, item_id: str) -> LineItem:
    item = current_state().line_items.get(item_id)
    if item is None or item.client_id != client_id:
        raise ProtocolError("no such line item", 404, "not_found")
    return item


@bp.get("/api/lti/<client_id>/<context_id>/lineitems")
@authorized(LINEITEM, LINEITEM_RO)
def line_items(client_id: str, context_id: str) -> Response:
    """The client's line items in the course, filtered by resource_link_id, resource_id, tag."""
    filters = {"resourceLinkId": "resource_link_id", "resourceId": "resource_id", "tag": "tag"}
    with current_state().lock:
        wanted = {field: request.args[arg] for field, arg in filters.items() if arg in request.args}
        rows = [
            i for i in current_state().line_items.values()
            if i.client_id == client_id and all(i.data.get(f) == v for f, v in wanted.items())
        ]  # fmt: skip
    return _paged(rows, 100, lambda page: [{"id": _item_url(i), **i.data} for i in page],
                  MEDIA + "lis.v2.lineitemcontainer+json")  # fmt: skip


@bp.post("/api/lti/<client_id>/<context_id>/lineitems")
@authorized(LINEITEM)
def create_line_item(client_id: str, context_id: str) -> Response:
    """Create a line item: label and a positive scoreMaximum are required."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not str(data.get("label") or "").strip():
        raise ProtocolError("a JSON line item with a label is required")
    maximum = data.get("scoreMaximum")
    if isinstance(maximum, bool) or not isinstance(maximum, int | float) or maximum <= 0:
        raise ProtocolError("scoreMaximum must be a number above 0")
    allowed = ("label", "scoreMaximum", "resourceId", "tag", "resourceLinkId", "startDateTime",
               "endDateTime", "gradesReleased")  # fmt: skip
    link_id = data.get("resourceLinkId")
    link = current_state().links.get(str(link_id)) if link_id else None
    if link_id and (link is None or link.client_id != client_id):
        raise ProtocolError("no such resource link", 404, "not_found")  # Canvas: RecordNotFound
    item = current_state().add_line_item(client_id, {k: data[k] for k in allowed if k in data})
    return _json({"id": _item_url(item), **item.data}, 201, MEDIA + "lis.v2.lineitem+json")


@bp.get("/api/lti/<client_id>/<context_id>/lineitems/<item_id>")
@authorized(LINEITEM, LINEITEM_RO)
def line_item(client_id: str, context_id: str, item_id: str) -> Response:
    """One line item."""
    item = _line_item(client_id, item_id)
    return _json({"id": _item_url(item), **item.data}, media=MEDIA + "lis.v2.lineitem+json")


@bp.post("/api/lti/<client_id>/<context_id>/lineitems/<item_id>/scores")
@authorized(SCORE)
def post_score(client_id: str, context_id: str, item_id: str) -> Response:
    """Record a learner's score (the latest timestamp wins; older ones are refused with 409)."""
    item = _line_item(client_id, item_id)
    score = request.get_json(silent=True)
    if not isinstance(score, dict):
        raise ProtocolError("a JSON score is required")
    missing = [
        f
        for f in ("userId", "activityProgress", "gradingProgress", "timestamp")
        if not score.get(f)
    ]
    if missing:
        raise ProtocolError(f"score lacks {', '.join(missing)}")
    if not _is_student(str(score["userId"])):
        return _json({"errors": {"type": "unprocessable_entity", "message": NOT_A_STUDENT}}, 422)
    try:
        when = dt.datetime.fromisoformat(str(score["timestamp"]).replace("Z", "+00:00"))
    except ValueError:
        raise ProtocolError("timestamp must be ISO 8601") from None
    with current_state().lock:
        previous = item.scores.get(str(score["userId"]))
        if previous and dt.datetime.fromisoformat(previous["_when"]) > when:
            raise ProtocolError("a newer score is already recorded", 409, "conflict")
        item.scores[str(score["userId"])] = {**score, "_when": when.isoformat()}
    return _json({"resultUrl": f"{_item_url(item)}/results?user_id={score['userId']}"})


def _is_student(sub: str) -> bool:
    """A learner of the course, not staff and not the Test Student (Canvas's user_is_student?)."""
    person = current_state().config.person(sub)
    if person is None or any(role.endswith("/system/person#TestUser") for role in person.roles):
        return False
    staff = ("Instructor", "TeachingAssistant", "Administrator", "ContentDeveloper")
    names = {role.rsplit("#", 1)[-1] for role in person.roles if role.startswith(LIS[:-1])}
    return "Learner" in names and not names & set(staff)


@bp.get("/api/lti/<client_id>/<context_id>/lineitems/<item_id>/results")
@authorized(RESULT_RO)
def results(client_id: str, context_id: str, item_id: str) -> Response:
    """Results of a line item (one per learner with a score), optionally for one user_id."""
    item = _line_item(client_id, item_id)
    url = _item_url(item)
    with current_state().lock:
        rows = [s for user, s in sorted(item.scores.items())
                if "user_id" not in request.args or user == request.args["user_id"]]  # fmt: skip

    def shape(page: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{"id": f"{url}/results?user_id={s['userId']}", "userId": str(s["userId"]),
                 "resultScore": s.get("scoreGiven"), "resultMaximum": s.get("scoreMaximum", 1),
                 "comment": s.get("comment"), "scoreOf": url, "timestamp": s["timestamp"]}
                for s in page]  # fmt: skip

    return _paged(rows, 100, shape, MEDIA + "lis.v2.resultcontainer+json")


@bp.get("/api/lti/<client_id>/<context_id>/memberships")
@authorized(MEMBERSHIP_RO)
def memberships(client_id: str, context_id: str) -> Response:
    """NRPS 2.0 context membership, paged (`limit`, `page`; `Link: rel="next"`), `role` filter.

    Members are shaped as Canvas's NamesAndRolesSerializer writes them; with `rlid` (a link of
    this client in the course, or the course itself) each carries its launch claims in `message`.
    """
    config = current_state().config
    role = request.args.get("role")
    rlid = request.args.get("rlid")
    if rlid is not None and not _link_of(client_id, rlid):
        raise ProtocolError("Tool does not have access to rlid or rlid does not exist", 400,
                            "bad_request")  # fmt: skip
    people = [
        p for p in config.people
        if role is None or any(r == role or r.endswith("#" + role) for r in p.roles)
    ]  # fmt: skip
    course = config.course

    def shape(page: list[Any]) -> dict[str, Any]:
        members = [_member(p, rlid is not None) for p in page]
        return {"id": request.url,
                "context": {"id": course.id, "label": course.label, "title": course.title},
                "members": members}  # fmt: skip

    return _paged(people, config.nrps_page_size, shape,
                  MEDIA + "lti-nrps.v2.membershipcontainer+json")  # fmt: skip


def _link_of(client_id: str, rlid: str) -> bool:
    """An `rlid` Canvas accepts: a resource link of this client in the course, or the course."""
    link = current_state().links.get(rlid)
    return rlid == current_state().config.course.id or (
        link is not None and link.client_id == client_id
    )


def _member(person: Any, with_message: bool) -> dict[str, Any]:
    """One membership, as Canvas serializes it (absent values left out)."""
    given, _, family = person.name.partition(" ")
    member: dict[str, Any] = {
        "status": "Active", "name": person.name, "given_name": given, "family_name": family,
        "email": person.email, "lis_person_sourcedid": person.sourcedid, "user_id": person.sub,
        "lti11_legacy_user_id": person.sub,
        # Canvas lists the course roles only (Enrollment#lti_roles), not institution or system.
        "roles": [r for r in person.roles if "/membership" in r],
    }  # fmt: skip
    if with_message and person.canvas_user_id:
        member["message"] = [{
            "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
            "locale": "en",
            "https://www.instructure.com/canvas_user_id": int(person.canvas_user_id),
            "https://www.instructure.com/canvas_user_login_id": person.email,
            "https://purl.imsglobal.org/spec/lti/claim/custom": {
                "canvas_user_id": person.canvas_user_id,
            },
        }]  # fmt: skip
    return {k: v for k, v in member.items() if v is not None}
