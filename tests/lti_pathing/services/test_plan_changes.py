"""A re-plan's recorded change in words: readiness before and after, and each reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from lti_pathing.models import Activity, ActivityKind, Tenant
from lti_pathing.services.plan_changes import ChangeWords, PlanChangeService

D = dt.date


def words(before: D | None, after: D | None) -> ChangeWords:
    return ChangeWords([], [], [], before, after, [])


def test_readiness_before_and_after_in_one_phrase() -> None:
    assert words(D(2027, 4, 26), D(2027, 4, 12)).readiness == (
        "ready on 12 April 2027 instead of 26 April 2027 (2 weeks sooner)"
    )
    assert words(D(2027, 4, 12), D(2027, 4, 19)).readiness.endswith("(1 week later)")
    assert words(D(2027, 4, 12), D(2027, 4, 12)).readiness == "ready on 12 April 2027, as before"
    assert words(None, None).readiness == "still short of the target role"
    assert not words(None, None).changed and words(None, D(2027, 4, 12)).changed
    assert words(D(2027, 4, 12), None).readiness.startswith("no longer ready by the plan's end")
    assert words(None, D(2027, 4, 12)).summary == (
        "no activity changed; ready on 12 April 2027 (before, some skills stayed short)"
    )


def test_each_recorded_reason_reads_as_a_sentence_with_names(
    session: Session, tenant: Tenant, make_skill: Callable[..., Any], make_role: Callable[..., Any]
) -> None:
    skill = make_skill(tenant, "sql", levels=3)
    course = Activity(tenant_id=tenant.id, external_id="sql-101", kind=ActivityKind.course,
                      title="SQL basics", duration_weeks=2, hours_per_week=2)  # fmt: skip
    session.add(course)
    session.flush()
    role = make_role(tenant, "analyst")
    change = {
        "added": [{"activity": course.id, "starts_on": "2027-01-04", "ends_on": "2027-01-17"}],
        "removed": [{"activity": 999_999, "starts_on": "2026-12-07", "ends_on": "2026-12-20"}],
        "moved": [],
        "ready_before": "2027-02-01",
        "ready_after": "2027-02-15",
        "reasons": [
            {"kind": "retired", "activity": course.id},
            {"kind": "missed", "activity": course.id, "due": "2026-11-29"},
            {"kind": "completed", "activity": course.id},
            {"kind": "level", "skill": skill.id, "before": 1, "after": 2},
            {"kind": "target", "skill": skill.id, "before": 2, "after": 3},
            {"kind": "setting", "setting": "target_role_id", "before": None, "after": role.id},
            {
                "kind": "setting",
                "setting": "deadline",
                "before": "2027-06-30",
                "after": "2027-03-31",
            },
            {"kind": "left_out", "activity": course.id},
        ],
    }
    said = PlanChangeService(session, tenant).words(change)
    assert said.summary == (
        "1 added, 1 removed; ready on 15 February 2027 instead of 1 February 2027 (2 weeks later)"
    )
    assert said.removed[0].title.startswith("an activity no longer in the catalog")
    assert said.reasons == [
        "SQL basics was retired from the catalog",
        "SQL basics was due to end by 29 November 2026 and is not done",
        "SQL basics was completed",
        "Sql: level now 2 Level 2 (was 1 Level 1)",
        "Sql: required level now 3 Level 3 (was 2 Level 2)",
        "target role now ANALYST",
        "deadline now 31 March 2027 (was 30 June 2027)",
        "SQL basics is left out",
    ]
    assert PlanChangeService(session, tenant).words({"reasons": []}).reasons == [
        "mentors' and seats' availability or the catalog changed"
    ]
