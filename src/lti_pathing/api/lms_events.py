"""Canvas live events webhook: `POST /lms/events/<key>`, where Canvas Data Services delivers.

The key in the URL (one per Canvas connection, made on the admin's LMS page) says which tenant
and connection the event is for; unless the admin allowed unsigned events, the body must be a JWT
signed by a key of `CANVAS_EVENTS_JWKS_URL` (lms/live_events.py). The key set is fetched before
the database is touched, so no transaction waits on it.

Every verified event gets 202, also the ones the tool has no use for (other event names, people
or courses it does not know: logged and left alone), so Canvas does not count them as failed
deliveries. A completion queues that person's sync (a sync already pending covers it; the same
delivery twice queues once). Not a verified event: 400, 401 or 404; a key set that cannot be
fetched: 503, and Canvas delivers again later. Polling stays the fallback for anything missed.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, jsonify, request
from werkzeug.wrappers import Response

from lti_pathing import db, jobs
from lti_pathing.cache import shared_cache
from lti_pathing.errors import LtiPathingError
from lti_pathing.lms.live_events import MAX_BODY, jwks_url, read_event
from lti_pathing.models import Tenant
from lti_pathing.services.completions.live_events import LiveEventService, connection_for_key

bp = Blueprint("lms_events", __name__, url_prefix="/lms/events")
SEEN_SECONDS = 24 * 3600  # a delivery repeated within a day queues nothing more


def _answer(http_status: int, **body: Any) -> tuple[Response, int]:
    return jsonify(body), http_status


def _refused(http_status: int, code: str, message: str) -> tuple[Response, int]:
    """The tool's one error shape."""
    return _answer(http_status, code=code, status=http_status, message=message)


@bp.post("/<key>")
def receive(key: str) -> tuple[Response, int]:
    """One delivery of a Canvas Data Services HTTPS subscription."""
    if (request.content_length or 0) > MAX_BODY:
        return _refused(413, "too_large", f"an event is at most {MAX_BODY} bytes")
    try:
        event = read_event(request.get_data(cache=True), jwks_url())
        session = db.session()
        connection = connection_for_key(session, key)
        tenant = session.get(Tenant, connection.tenant_id) if connection is not None else None
        if connection is None or tenant is None or not tenant.active:
            return _refused(404, "not_found", "no live-events webhook here")
        outcome = LiveEventService(session, tenant).receive(connection, event)
    except LtiPathingError as error:
        return jsonify(error.to_dict()), error.status
    if not outcome.queues:
        return _answer(202, result="ignored", reason=outcome.reason)
    seen = f"canvas-live-event:{connection.id}:{event.digest}"
    if not shared_cache().add(seen, 1, timeout=SEEN_SECONDS):
        return _answer(202, result="duplicate", reason="this delivery was taken already")
    assert outcome.person_id is not None
    job = jobs.enqueue_sync(session, tenant, [outcome.person_id], trigger="live_event")
    return _answer(202, result="queued", reason=outcome.reason, job_id=job.id)


def init_app(app: Flask) -> None:
    """Register the webhook (no CSRF token: Canvas posts it, the key and signature vouch)."""
    app.register_blueprint(bp)
    app.extensions["csrf"].exempt(bp)
