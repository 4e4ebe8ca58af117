"""What a completion source (Moodle, Canvas) is asked for and what it hands back.

Sources only talk HTTP; they never touch the database. The sync tells a source which courses
and course modules the catalog links (`Wanted`) and which of those it already holds (`known`,
never fetched again: a completion does not un-happen), and gets back the completions found and
what failed, per course. A connection that breaks part-way through a person (a token revoked
between two calls) is handed back as `PersonFetch.broken` with what was fetched before it, and
stops the run once that is stored; raised from the first call, it stops the run at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

from lti_pathing.lms.errors import LmsConnectionBroken


def course_key(lms: str, course_id: str) -> str:
    """The record key of a course completion."""
    return f"{lms}:course:{course_id}"


def module_key(lms: str, course_id: str, module_id: str) -> str:
    """The record key of a course-module (activity) completion."""
    return f"{lms}:module:{course_id}/{module_id}"


@dataclass(frozen=True)
class Wanted:
    """Courses and modules (course id, module id) the catalog links, and keys already held."""

    courses: frozenset[str] = frozenset()
    modules: frozenset[tuple[str, str]] = frozenset()
    known: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Fetched:
    """One completion as the LMS reported it."""

    key: str
    course_id: str
    module_id: str | None
    completed_at: dt.datetime
    raw_status: str


@dataclass(frozen=True)
class Failure:
    """Something that could not be fetched for a person (one course, or everything)."""

    code: str
    message: str
    course_id: str | None = None


@dataclass(frozen=True)
class Skipped:
    """A linked course the LMS cannot report completion of, and why (a fact, not a failure)."""

    course_id: str
    reason: str

    def __str__(self) -> str:
        return f"course {self.course_id}: {self.reason}"


@dataclass
class PersonFetch:
    """Everything fetched for one person, and what failed on the way."""

    completions: list[Fetched] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)  # linked courses that were not asked
    # The connection broke part-way through this person: what was fetched before is kept.
    broken: LmsConnectionBroken | None = None


class CompletionSource(Protocol):
    """A client for one LMS connection that reports a person's completions."""

    def fetch_person(self, lms_user_id: str, wanted: Wanted) -> PersonFetch:
        """Completions of the LMS user among the wanted courses and modules."""
        ...

    def close(self) -> None:
        """Close the connections to the LMS (the run is over)."""
        ...
