"""Canvas live events: verify one webhook delivery from Canvas Data Services and read it.

An HTTPS subscription of Canvas Data Services POSTs each event to the URL the admin gave it
(the connection's webhook, see `services.completions.live_events`). With "Sign Payload" the body
is a compact JWT signed RS256 with a key of Instructure's key set (`CANVAS_EVENTS_JWKS_URL`;
rotated monthly, the set holds the previous, current and next key), whose claims are the event:
`{"metadata": {...}, "body": {...}}`. Without it, the body is that JSON as is.

The events read here are `course_completed` and `course_progress`, which canvas-lms emits from
`Canvas::LiveEvents.get_course_completed_data` with the body
`{progress: CourseProgress#to_json, user: {id, name, email}, course: {id, name, account_id,
sis_source_id}}` (Canvas's local ids, as strings). Sources: tests/fixtures/canvas/README.md.

The key set is fetched over the checked outbound path (`lti.outbound`: https, public addresses),
cached in the shared cache, and fetched again (at most once a minute) for an unknown `kid`.
Nothing here touches the database, so no transaction is open while the key set is fetched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from flask import current_app

from lti_pathing.cache import shared_cache
from lti_pathing.errors import LtiPathingError
from lti_pathing.lms.canvas import instant as _instant
from lti_pathing.lti.outbound import platform_session

log = logging.getLogger("lti_pathing.lms")
EVENTS = frozenset({"course_completed", "course_progress"})
MAX_BODY = 64 * 1024  # one event is a few hundred bytes; Canvas truncates long fields itself
MAX_KEY_SET = 128 * 1024
KEY_SET_TTL = 600  # seconds a fetched key set is trusted before it is fetched again
REFETCH_EVERY = 60  # seconds between two fetches for an unknown kid
LEEWAY = 60  # seconds of clock skew allowed on exp / iat / nbf
CACHE_PREFIX = "canvas-events-jwks:"


class EventRefused(LtiPathingError):
    """The delivery is not a Canvas event this tool accepts (bad signature, unsigned, stale)."""

    status = 401
    code = "event_refused"


class EventMalformed(LtiPathingError):
    """The delivery is not an event at all: not JSON, not a JWT, or no user or course."""

    status = 400
    code = "event_malformed"


class KeysUnavailable(LtiPathingError):
    """The key set that signs Canvas events could not be fetched: Canvas should try again."""

    status = 503
    code = "event_keys_unavailable"


@dataclass(frozen=True)
class LiveEvent:
    """What the tool reads from one Canvas live event."""

    name: str
    user_id: str | None
    course_id: str | None
    completed_at: dt.datetime | None
    signed: bool
    digest: str  # SHA-256 of the delivery: the same delivery twice is one event

    @property
    def completes(self) -> bool:
        """True when the event says the learner completed the course."""
        return self.name == "course_completed" or self.completed_at is not None


def read_event(raw: bytes, jwks_url: str) -> LiveEvent:
    """Verify a delivery (a signed JWT, or plain JSON) and read the event in it."""
    if len(raw) > MAX_BODY:
        raise EventMalformed(f"an event is at most {MAX_BODY} bytes")
    text = _text(raw)
    digest = hashlib.sha256(raw).hexdigest()
    if text.startswith("{"):
        return _event(_json(text), signed=False, digest=digest)
    return _event(verify(text, jwks_url), signed=True, digest=digest)


def verify(token: str, jwks_url: str) -> dict[str, Any]:
    """The claims of a JWT signed (RS256) by a key of the set at `jwks_url`."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as error:
        raise EventMalformed(f"the body is neither event JSON nor a JWT ({error})") from None
    if header.get("alg") != "RS256":
        raise EventRefused(f"events must be signed with RS256, not {header.get('alg')!r}")
    key = _key(jwks_url, str(header.get("kid") or ""))
    try:
        claims = jwt.decode(
            token, key, algorithms=["RS256"], leeway=LEEWAY, options={"verify_aud": False}
        )
    except jwt.InvalidTokenError as error:
        raise EventRefused(f"the event's signature or dates do not hold: {error}") from None
    if not isinstance(claims, dict):
        raise EventMalformed("the JWT's claims are not an event")
    return claims


def _key(jwks_url: str, kid: str) -> Any:
    """The public key named `kid`; the set is fetched again once (a minute) for an unknown one."""
    found = _find(_key_set(jwks_url, refresh=False), kid)
    if found is None and shared_cache().add(f"{CACHE_PREFIX}refetched:{jwks_url}", 1,
                                            timeout=REFETCH_EVERY):  # fmt: skip
        found = _find(_key_set(jwks_url, refresh=True), kid)
    if found is None:
        raise EventRefused(f"the event is signed with a key ({kid or 'no kid'}) not in {jwks_url}")
    return found


def _find(keys: list[dict[str, Any]], kid: str) -> Any:
    for entry in keys:
        if entry.get("kid") == kid and entry.get("kty") == "RSA":
            try:
                return jwt.PyJWK(entry, algorithm="RS256").key
            except jwt.PyJWKError:
                log.warning("canvas events key %s in the key set is not usable", kid)
    return None


def _key_set(url: str, refresh: bool) -> list[dict[str, Any]]:
    """The key set's keys, from the shared cache or fetched (checked outbound path)."""
    cache, name = shared_cache(), CACHE_PREFIX + url
    cached = None if refresh else cache.get(name)
    if isinstance(cached, list):
        return cached
    try:
        with platform_session(10.0) as http:
            response = http.get(url, headers={"Accept": "application/json"})
        response.raise_for_status()
        if len(response.content) > MAX_KEY_SET:
            raise ValueError(f"more than {MAX_KEY_SET} bytes")
        keys = response.json()["keys"]
        if not isinstance(keys, list):
            raise ValueError("no list of keys")
    except (requests.RequestException, ValueError, KeyError, TypeError) as error:
        log.warning("could not fetch the Canvas events key set %s: %s", url, error)
        raise KeysUnavailable(
            f"the key set that signs Canvas events is unavailable ({url})"
        ) from None
    keys = [k for k in keys if isinstance(k, dict)]
    cache.set(name, keys, timeout=KEY_SET_TTL)
    return keys


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise EventMalformed("the body is not UTF-8 text") from None


def _json(text: str) -> dict[str, Any]:
    try:
        found = json.loads(text)
    except ValueError:
        raise EventMalformed("the body is not JSON") from None
    if not isinstance(found, dict):
        raise EventMalformed("the body is not a JSON object")
    return found


def _event(claims: dict[str, Any], signed: bool, digest: str) -> LiveEvent:
    """The event in a delivery's claims: `metadata.event_name`, `body.user`, `body.course`."""
    metadata, body = claims.get("metadata"), claims.get("body")
    if not isinstance(metadata, dict) or not isinstance(body, dict):
        raise EventMalformed("an event has a metadata object and a body object")
    name = metadata.get("event_name")
    if not isinstance(name, str) or not name:
        raise EventMalformed("the event has no metadata.event_name")
    user, course, progress = body.get("user"), body.get("course"), body.get("progress")
    return LiveEvent(
        name=name[:100],
        user_id=_id(user.get("id")) if isinstance(user, dict) else None,
        course_id=_id(course.get("id")) if isinstance(course, dict) else None,
        completed_at=_instant(progress.get("completed_at")) if isinstance(progress, dict) else None,
        signed=signed,
        digest=digest,
    )


def _id(value: Any) -> str | None:
    """A Canvas id (a string of digits; ids are stringified in live events)."""
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
    return text if text.isdigit() and len(text) <= 30 else None


def jwks_url() -> str:
    """The key set the app trusts for Canvas events."""
    return str(current_app.config["CANVAS_EVENTS_JWKS_URL"])
