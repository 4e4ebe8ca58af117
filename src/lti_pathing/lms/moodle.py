"""Moodle web services (REST, JSON): a person's course and activity completions.

Shapes and quirks follow the recordings in tests/fixtures/moodle-4.5/webservice: errors come as
HTTP 200 `{exception, errorcode, message}`; an unknown user has an empty course list; course
completion lags until Moodle's cron has run (we trust `completed`, never the criteria alone).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import requests

from lti_pathing.columns import utcnow
from lti_pathing.lms.errors import (
    LmsAccessError,
    LmsAuthError,
    LmsConnectionBroken,
    LmsError,
    LmsMalformedResponse,
    LmsRemoteError,
)
from lti_pathing.lms.http import CallGuard, Clock, LmsHttp, RetryPolicy, Sleep
from lti_pathing.lms.source import (
    Failure,
    Fetched,
    PersonFetch,
    Skipped,
    Wanted,
    course_key,
    module_key,
)

ENDPOINT = "/webservice/rest/server.php"
# errorcode -> what it means for the whole connection (anything else fails one call only).
BROKEN = {
    "invalidtoken": LmsAuthError,
    "accessexception": LmsAccessError,  # the function is not in the token's service
    "servicenotavailable": LmsAccessError,
}
# Course-level answers that are facts about the course, not failures: nothing to fetch there.
NOT_APPLICABLE = {
    "nocriteriaset": "the course has no completion criteria (nocriteriaset)",
    "usernotenroled": "the person is not enrolled in the course (usernotenroled)",
}
TRACKING_OFF = "completion tracking is off in the course"
# What the sync's calls need of the token's user, as Moodle's English strings name them in a
# `nopermissions` message ("… permissions to do that (View activity completion reports).").
CAPABILITIES = {
    "Use REST protocol": "webservice/rest:use",
    "View activity completion reports": "report/progress:view",
    "View course completion report": "report/completion:view",
    "View participants": "moodle/course:viewparticipants",
    "View user profiles": "moodle/user:viewdetails",
}
# Further words for answers that do not say themselves what is missing.
EXPLAINED = {
    "nopermissions": "the token's user lacks capability {capability}",
    "cannotviewreport": (
        "the token's user lacks report/completion:view in the course, or completion tracking is "
        "off there"
    ),
    "accessexception": (
        "the function is not in the token's external service, the token's user lacks "
        "webservice/rest:use, or the service is limited to authorised users"
    ),
}
FORMAT_HTML = 1  # Moodle's FORMAT_HTML (textformat of a message)
STATES = {0: "incomplete", 1: "complete", 2: "complete-pass", 3: "complete-fail"}
DONE_STATES = {1, 2}


class MoodleClient:
    """Calls Moodle web-service functions with the connection's token."""

    def __init__(self, http: LmsHttp, token: str) -> None:
        self.http = http
        self.token = token

    def call(self, function: str, **params: str | int) -> Any:
        """Call one function; its JSON answer, or the typed error Moodle's errorcode means."""
        form = {"wstoken": self.token, "wsfunction": function, "moodlewsrestformat": "json"}
        response = self.http.request("POST", ENDPOINT, data={**form, **params})
        if response.status_code != 200:
            raise LmsRemoteError(
                f"Moodle {function} answered HTTP {response.status_code}",
                f"http_{response.status_code}",
            )
        body = self.http.json(response)
        if isinstance(body, dict) and "exception" in body:
            code = str(body.get("errorcode") or "unknown")
            message = self.http.mask(f"Moodle {function}: {_explain(body, code)}")
            if code in BROKEN:
                raise BROKEN[code](message, {"remote_code": code})
            raise LmsRemoteError(message, code)
        return body

    def site_info(self) -> dict[str, Any]:
        """Who the token belongs to and which functions it may call (a connection check)."""
        body = self.call("core_webservice_get_site_info")
        info: dict[str, Any] = _expect(body, dict, "core_webservice_get_site_info")
        return info

    def users_courses(self, user_id: str) -> list[dict[str, Any]]:
        """Courses the user is enrolled in, with `completed` and `progress` (cheap first pass)."""
        body = self.call("core_enrol_get_users_courses", userid=user_id)
        courses: list[dict[str, Any]] = _expect(body, list, "core_enrol_get_users_courses")
        return courses

    def course_completion(self, course_id: str, user_id: str) -> dict[str, Any]:
        """The user's course completion status (`completionstatus.completed` and criteria)."""
        body = self.call(
            "core_completion_get_course_completion_status", courseid=course_id, userid=user_id
        )
        status = _expect(body, dict, "core_completion_get_course_completion_status")
        inner = status.get("completionstatus")
        if not isinstance(inner, dict) or not isinstance(inner.get("completed"), bool):
            raise LmsMalformedResponse(
                "Moodle core_completion_get_course_completion_status: no completionstatus"
            )
        return inner

    def activities_completion(self, course_id: str, user_id: str) -> list[dict[str, Any]]:
        """Completion state of every activity (course module) of a course for the user."""
        body = self.call(
            "core_completion_get_activities_completion_status", courseid=course_id, userid=user_id
        )
        statuses = _expect(body, dict, "core_completion_get_activities_completion_status")
        found: list[dict[str, Any]] = _expect(statuses.get("statuses"), list, "statuses")
        return found

    def send_instant_message(self, user_id: str, html: str, client_id: str) -> int:
        """Send one private message (HTML) from the token's user; Moodle's message id.

        `core_message_send_instant_messages` answers a list with one result per message: `msgid`
        -1 and `errormessage` when that message was refused (the user does not exist or cannot
        be messaged), which raises LmsRemoteError("messagenotsent"). `client_id` is echoed back
        as `clientmsgid` (letters, digits, `-` and `_`).
        """
        function = "core_message_send_instant_messages"
        message: dict[str, str | int] = {
            "messages[0][touserid]": user_id, "messages[0][text]": html,
            "messages[0][textformat]": FORMAT_HTML, "messages[0][clientmsgid]": client_id,
        }  # fmt: skip
        body = self.call(function, **message)
        results: list[Any] = _expect(body, list, function)
        result = results[0] if results and isinstance(results[0], dict) else None
        if result is None or not isinstance(result.get("msgid"), int):
            raise LmsMalformedResponse(f"Moodle {function}: no msgid in the answer")
        if result["msgid"] < 0:
            why = str(result.get("errormessage") or "the message was not sent")
            raise LmsRemoteError(f"Moodle {function}: {why}", "messagenotsent")
        return int(result["msgid"])


def missing_capability(message: str) -> str | None:
    """The capability a Moodle `nopermissions` message names, if it is one the sync needs."""
    for label, capability in CAPABILITIES.items():
        if f"({label})" in message:
            return capability
    return None


def _explain(body: dict[str, Any], code: str) -> str:
    """Moodle's message and code, the capability it names, and `debuginfo` when Moodle sends it."""
    message = str(body.get("message", ""))
    text = f"{message} ({code})"
    hint = EXPLAINED.get(code, "")
    capability = missing_capability(message)
    if capability is not None or code != "nopermissions":
        text += f": {hint.format(capability=capability)}" if hint else ""
    if body.get("debuginfo"):
        text += f" [{str(body['debuginfo']).strip()[:200]}]"
    return text


def _expect(value: Any, kind: type, what: str) -> Any:
    if not isinstance(value, kind):
        raise LmsMalformedResponse(f"Moodle {what}: expected a JSON {kind.__name__}")
    return value


def _instant(seconds: Any) -> dt.datetime | None:
    if isinstance(seconds, int) and seconds > 0:
        return dt.datetime.fromtimestamp(seconds, dt.UTC)
    return None


class MoodleSource:
    """A person's completions from Moodle, for the courses and modules the catalog links."""

    def __init__(self, client: MoodleClient, clock: Clock = utcnow) -> None:
        self.client = client
        self.clock = clock

    def close(self) -> None:
        """Close the LMS connections of this source."""
        self.client.http.close()

    def fetch_person(self, lms_user_id: str, wanted: Wanted) -> PersonFetch:
        """One cheap call for the course list, then detail calls only where something is new."""
        result = PersonFetch()
        enrolled = {str(c.get("id")): c for c in self.client.users_courses(lms_user_id)}
        for course_id in sorted(wanted.courses & enrolled.keys()):
            if result.broken is None and course_key("moodle", course_id) not in wanted.known:
                self._course(lms_user_id, course_id, enrolled[course_id], result)
        by_course: dict[str, set[str]] = defaultdict(set)
        for course_id, module_id in wanted.modules:
            if module_key("moodle", course_id, module_id) not in wanted.known:
                by_course[course_id].add(module_id)
        for course_id in sorted(by_course.keys() & enrolled.keys()):
            if result.broken is None:
                self._modules(
                    lms_user_id, course_id, by_course[course_id], enrolled[course_id], result
                )
        return result

    def _course(
        self, user_id: str, course_id: str, course: dict[str, Any], result: PersonFetch
    ) -> None:
        if course.get("enablecompletion") is False:
            result.skipped.append(Skipped(course_id, TRACKING_OFF))
            return
        if course.get("completed") is False:  # not complete yet (or cron has not run)
            return
        status = self._guarded(result, course_id, self.client.course_completion, course_id, user_id)
        if status is None or not status["completed"]:
            return
        times = [_instant(c.get("timecompleted")) for c in status.get("completions") or []]
        done = max((t for t in times if t is not None), default=None) or self.clock()
        key = course_key("moodle", course_id)
        result.completions.append(Fetched(key, course_id, None, done, "completed"))

    def _modules(
        self,
        user_id: str,
        course_id: str,
        modules: set[str],
        course: dict[str, Any],
        result: PersonFetch,
    ) -> None:
        if course.get("enablecompletion") is False:
            result.skipped.append(Skipped(course_id, TRACKING_OFF))
            return
        statuses = self._guarded(
            result, course_id, self.client.activities_completion, course_id, user_id
        )
        for status in statuses or []:
            module_id = str(status.get("cmid"))
            state = status.get("state")
            if module_id not in modules or state not in DONE_STATES:
                continue
            raw = f"state {state} ({STATES[state]})"
            if status.get("overrideby") is not None:
                raw += f", overridden by Moodle user {status['overrideby']}"
            done = _instant(status.get("timecompleted")) or self.clock()
            key = module_key("moodle", course_id, module_id)
            result.completions.append(Fetched(key, course_id, module_id, done, raw))

    def _guarded(self, result: PersonFetch, course_id: str, call: Any, *args: str) -> Any:
        """Run one detail call; a failure of that course is recorded, not raised.

        A broken connection is recorded on the result too (no further calls are made), so that
        what was fetched for this person before it is still stored.
        """
        try:
            return call(*args)
        except LmsConnectionBroken as error:
            result.broken = error
        except LmsRemoteError as error:
            if error.remote_code in NOT_APPLICABLE:
                result.skipped.append(Skipped(course_id, NOT_APPLICABLE[error.remote_code]))
            else:
                result.failures.append(Failure(error.remote_code, error.message, course_id))
        except LmsError as error:
            result.failures.append(Failure(error.code, error.message, course_id))
        return None


def moodle_http(
    base_url: str,
    token: str,
    *,
    sleep: Sleep | None = None,
    clock: Clock = utcnow,
    retry: RetryPolicy | None = None,
    session: requests.Session | None = None,
    timeout: tuple[float, float] = (5.0, 30.0),
    guard: CallGuard | None = None,
) -> LmsHttp:
    """The HTTP wrapper set up for Moodle (the token travels in the form body, masked in logs)."""
    extra: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
    return LmsHttp(base_url, secrets=[token], retry=retry, clock=clock, session=session,
                   timeout=timeout, guard=guard, **extra)  # fmt: skip
