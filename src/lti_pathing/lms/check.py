"""Check a token against its LMS before storing it: does it work, and may it call what we need.

Moodle: `core_webservice_get_site_info` says whose token it is and which functions its service
includes (an invalid token answers `invalidtoken`; a service without the function answers
`accessexception`); every function the sync calls must be listed. Canvas: `GET /api/v1/users/self`
answers for a valid token, 401 with `WWW-Authenticate` for a revoked or invalid one.
"""

from __future__ import annotations

import time

from lti_pathing.lms.canvas import CanvasClient, canvas_http
from lti_pathing.lms.errors import LmsAccessError, LmsMalformedResponse
from lti_pathing.lms.http import RetryPolicy, Sleep
from lti_pathing.lms.moodle import MoodleClient, moodle_http
from lti_pathing.models import Lms

# The functions a Moodle sync calls; a service missing one of them would fail every run.
MOODLE_FUNCTIONS = (
    "core_enrol_get_users_courses",
    "core_completion_get_course_completion_status",
    "core_completion_get_activities_completion_status",
)
# Someone is waiting on the answer: one quick retry, never a long wait.
CHECK_RETRY = RetryPolicy(attempts=2, backoff=1.0, max_wait=5.0)


def check_token(kind: Lms, base_url: str, token: str, sleep: Sleep = time.sleep) -> str:
    """Who the token belongs to on the LMS; an LmsError with the LMS's reason if it is unusable."""
    if kind == Lms.moodle:
        return _moodle(base_url, token, sleep)
    return _canvas(base_url, token, sleep)


def _moodle(base_url: str, token: str, sleep: Sleep) -> str:
    http = moodle_http(base_url, token, sleep=sleep, retry=CHECK_RETRY)
    info = MoodleClient(http, token).site_info()
    listed = info.get("functions")
    if not isinstance(listed, list):
        raise LmsMalformedResponse("Moodle core_webservice_get_site_info: no function list")
    names = {f.get("name") for f in listed if isinstance(f, dict)}
    missing = [name for name in MOODLE_FUNCTIONS if name not in names]
    if missing:
        raise LmsAccessError(
            "the token's web service does not include " + ", ".join(missing)
            + " (add them to the service in Moodle: Site administration > Server > Web services)"
        )  # fmt: skip
    return f"Moodle site {info.get('sitename', '?')!s}, user {info.get('username', '?')!s}"


def _canvas(base_url: str, token: str, sleep: Sleep) -> str:
    client = CanvasClient(canvas_http(base_url, token, sleep=sleep, retry=CHECK_RETRY))
    body = client.http.json(client.get("/api/v1/users/self"))
    if not isinstance(body, dict) or "id" not in body:
        raise LmsMalformedResponse("Canvas /api/v1/users/self: not a user")
    return f"Canvas user {body.get('name', body['id'])!s}"
