"""Check a token against its LMS: before storing it (`check_token`), and in full (`diagnose`, what
`lti-pathing lms check` prints): does it work, and may it read what the sync needs?

Moodle: `core_webservice_get_site_info` says whose token it is and lists the functions of its
external service; every function the sync calls must be there. Capabilities are tried on the
tenant's own linked courses and people: a missing one answers `nopermissions` naming it, except
that `core_enrol_get_users_courses` silently leaves out courses the token's user may not see
(moodle/course:viewparticipants, moodle/user:viewdetails), which shows as a course that has
activity completion for a person but is missing from that person's course list.

Canvas: `GET /api/v1/users/self` says whose token it is; the sync reads OTHER users' enrollments,
which Canvas allows only with `read_roster` on the root account, so one other user's enrollments
are read too (a person the tool knows, else the first other user of the root account). Linked
courses without module completion requirements are reported: Canvas has no progress for them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lti_pathing.lms.canvas import WITHOUT_PROGRESS, CanvasClient, canvas_http
from lti_pathing.lms.errors import (
    LmsAccessError,
    LmsConnectionBroken,
    LmsError,
    LmsMalformedResponse,
    LmsRemoteError,
)
from lti_pathing.lms.http import RetryPolicy, Sleep
from lti_pathing.lms.moodle import MoodleClient, missing_capability, moodle_http
from lti_pathing.models import Lms

# The functions a Moodle sync calls; a service missing one of them would fail every run.
MOODLE_FUNCTIONS = (
    "core_webservice_get_site_info",
    "core_enrol_get_users_courses",
    "core_completion_get_course_completion_status",
    "core_completion_get_activities_completion_status",
)
MOODLE_CAPABILITIES = (
    "webservice/rest:use",
    "moodle/course:view",
    "moodle/course:viewparticipants",
    "moodle/user:viewdetails",
    "report/completion:view",
    "report/progress:view",
)
SERVICES_PAGE = "Site administration > Server > Web services > External services > Functions"
# Someone is waiting on the answer: one quick retry, never a long wait.
CHECK_RETRY = RetryPolicy(attempts=2, backoff=1.0, max_wait=10.0)
MAX_PROBES = 5  # linked courses (and people) tried per connection


@dataclass(frozen=True)
class Probe:
    """What to try a token on: course ids the catalog links and LMS user ids the tool knows."""

    courses: tuple[str, ...] = ()
    users: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One line of a check: `ok`, a `note` the admin should know, or a `problem` to fix."""

    level: str
    text: str


def check_token(kind: Lms, base_url: str, token: str, sleep: Sleep = time.sleep) -> str:
    """Who the token belongs to on the LMS; an LmsError with the LMS's reason if it is unusable."""
    if kind == Lms.moodle:
        client = MoodleClient(moodle_http(base_url, token, sleep=sleep, retry=CHECK_RETRY), token)
        info = client.site_info()
        missing = _missing_functions(info)
        if missing:
            raise LmsAccessError(
                f"the token's web service does not include {', '.join(missing)} (add them to "
                f"the service in Moodle: {SERVICES_PAGE})"
            )
        return _moodle_who(info)
    canvas = CanvasClient(canvas_http(base_url, token, sleep=sleep, retry=CHECK_RETRY))
    me = _canvas_self(canvas)
    _canvas_reads_others(canvas, str(me["id"]), ())
    return f"Canvas user {me.get('name', me['id'])!s}"


def diagnose(
    kind: Lms, base_url: str, token: str, probe: Probe, sleep: Sleep = time.sleep
) -> list[Finding]:
    """Everything `lms check` reports about a connection, problems named exactly."""
    if kind == Lms.moodle:
        client = MoodleClient(moodle_http(base_url, token, sleep=sleep, retry=CHECK_RETRY), token)
        return _moodle_findings(client, probe)
    canvas = CanvasClient(canvas_http(base_url, token, sleep=sleep, retry=CHECK_RETRY))
    return _canvas_findings(canvas, probe)


def _missing_functions(info: dict[str, Any]) -> list[str]:
    listed = info.get("functions")
    if not isinstance(listed, list):
        raise LmsMalformedResponse("Moodle core_webservice_get_site_info: no function list")
    names = {f.get("name") for f in listed if isinstance(f, dict)}
    return [name for name in MOODLE_FUNCTIONS if name not in names]


def _moodle_who(info: dict[str, Any]) -> str:
    site, user = info.get("sitename", "?"), info.get("username", "?")
    return f"Moodle site {site!s}, user {user!s}"


def _moodle_findings(client: MoodleClient, probe: Probe) -> list[Finding]:
    try:
        info = client.site_info()
        missing = _missing_functions(info)
    except LmsError as error:
        return [Finding("problem", error.message)]
    found = [Finding("ok", f"{_moodle_who(info)} (Moodle {info.get('release', '?')})")]
    for name in missing:
        found.append(
            Finding("problem", f"the service lacks function {name}: add it ({SERVICES_PAGE})")
        )
    courses = list(dict.fromkeys(c.split("/")[0] for c in probe.courses))[:MAX_PROBES]
    users = [u for u in probe.users if u != str(info.get("userid"))][:MAX_PROBES]
    needs = ", ".join(MOODLE_CAPABILITIES)
    if missing or not courses or not users:
        why = "the service lacks functions" if missing else "no linked course and person to try"
        return [*found, Finding("note", f"capabilities not tried ({why}); needed: {needs}")]
    try:
        return found + _moodle_capabilities(client, courses, users)
    except LmsConnectionBroken as error:
        return [*found, Finding("problem", error.message)]


def _moodle_capabilities(
    client: MoodleClient, courses: list[str], users: list[str]
) -> list[Finding]:
    """Try each linked course with the people the tool knows, until one is enrolled there."""
    found: list[Finding] = []
    for course in courses:
        found += _moodle_course(client, course, users)
    return found or [Finding("ok", "capabilities: every call the sync makes was allowed")]


def _moodle_course(client: MoodleClient, course: str, users: list[str]) -> list[Finding]:
    status = _try(client.course_completion, course, users[0])
    if isinstance(status, LmsError):
        code = getattr(status, "remote_code", status.code)
        if code not in ("nocriteriaset", "usernotenroled", "invaliduser", "invalidrecord"):
            return [Finding("problem", f"course {course}: {status.message}")]
    for user in users:
        statuses = _try(client.activities_completion, course, user)
        if isinstance(statuses, LmsError):
            return [_capability_problem(course, statuses)]
        if statuses:  # `user` is enrolled: their course list must show the course
            return _listed(client, course, user)
    return []


def _listed(client: MoodleClient, course: str, user: str) -> list[Finding]:
    listed = _try(client.users_courses, user)
    if isinstance(listed, LmsError):
        return [Finding("problem", f"course {course}: {listed.message}")]
    if any(str(c.get("id")) == course for c in listed):
        return []
    return [
        Finding(
            "problem",
            f"course {course}: Moodle user {user} has activity completion there, but "
            "core_enrol_get_users_courses leaves the course out for the token's user: it needs "
            "moodle/course:viewparticipants and moodle/user:viewdetails in the course (and "
            "moodle/course:view to enter courses it is not enrolled in)",
        )
    ]


def _capability_problem(course: str, error: LmsError) -> Finding:
    capability = missing_capability(error.message)
    if capability is not None:
        return Finding(
            "problem", f"course {course}: missing capability {capability} ({error.message})"
        )
    return Finding("problem", f"course {course}: {error.message}")


def _try(call: Callable[..., Any], *args: str) -> Any:
    """The call's answer, or the LmsError it raised (a broken connection is raised on)."""
    try:
        return call(*args)
    except LmsConnectionBroken:
        raise
    except LmsError as error:
        return error


def _canvas_self(client: CanvasClient) -> dict[str, Any]:
    body = client.http.json(client.get("/api/v1/users/self"))
    if not isinstance(body, dict) or "id" not in body:
        raise LmsMalformedResponse("Canvas /api/v1/users/self: not a user")
    return body


def _canvas_reads_others(client: CanvasClient, me: str, known: tuple[str, ...]) -> str | None:
    """The other user whose enrollments the token read (None: nobody else to try)."""
    for other in [u for u in known if u != me][:MAX_PROBES]:
        try:
            client.can_read_enrollments(other)
        except LmsRemoteError as error:
            if error.remote_code != "not_found":
                raise
            continue  # an imported id Canvas does not know: try the next person
        return other
    try:
        users = client.get_all("/api/v1/accounts/self/users", {"per_page": 10})
    except LmsRemoteError as error:
        if error.remote_code != "unauthorized":
            raise
        raise LmsAccessError(
            f"the token's user may not list the root account's users ({error.message}): "
            "it must be a root-account admin with 'Users - view list' (read_roster)"
        ) from None
    found = next((str(u["id"]) for u in users if str(u.get("id")) != me), None)
    if found is not None:
        client.can_read_enrollments(found)
    return found


def _canvas_findings(client: CanvasClient, probe: Probe) -> list[Finding]:
    try:
        me = _canvas_self(client)
        other = _canvas_reads_others(client, str(me["id"]), probe.users)
    except LmsError as error:
        return [Finding("problem", error.message)]
    found = [Finding("ok", f"Canvas user {me.get('name', me['id'])!s} (id {me['id']!s})")]
    if other is None:
        found.append(Finding("note", "no other user to try: reading others' enrollments untried"))
    else:
        found.append(Finding("ok", f"reads another user's enrollments (user {other})"))
    for course in list(dict.fromkeys(probe.courses))[:MAX_PROBES]:
        found.append(_canvas_course(client, course))
    return found


def _canvas_course(client: CanvasClient, course: str) -> Finding:
    try:
        modules = client.modules(course)
    except LmsError as error:
        return Finding("problem", f"course {course}: {error.message}")
    required = sum(
        1 for m in modules for item in m.get("items") or [] if item.get("completion_requirement")
    )
    if required:
        return Finding("ok", f"course {course}: module progress ({required} requirement(s))")
    return Finding("note", f"course {course}: {WITHOUT_PROGRESS}")
