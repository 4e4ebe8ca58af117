"""Dashboard numbers and the plan page model on the tiny organisation."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from lti_pathing.models import ItemStatus, PlanStatus, Tenant
from lti_pathing.services.metrics import MetricsService
from lti_pathing.services.plan_views import PlanViewService
from tests.lti_pathing.services.journeys_org import Org, build_org


@pytest.fixture
def org(session: Session, tenant: Tenant) -> Org:
    return build_org(session, tenant)


NOT_WITHIN = "not with this plan: some skills stay short (see what stays open)"


def test_gap_coverage_counts_what_the_catalog_teaches(session: Session, org: Org) -> None:
    coverage = {c.role.external_id: c for c in MetricsService(session, org.tenant).gap_coverage()}
    # py-201 teaches python to 2; nothing teaches testing.
    assert (coverage["swe-2"].coverable, coverage["swe-2"].required) == (1, 2)
    assert coverage["swe-2"].percent == 50
    assert coverage["swe-3"].coverable == 0
    assert coverage["swe-1"].holders == 3


def test_status_completion_and_moves(session: Session, org: Org) -> None:
    metrics = MetricsService(session, org.tenant)
    assert metrics.plans_by_status()["draft"] == 1
    org.plan.status = PlanStatus.approved
    org.plan.items[0].status = ItemStatus.completed
    session.flush()
    completion = metrics.approved_completion()
    assert (completion.plans, completion.items, completion.done, completion.percent) == (
        1,
        1,
        1,
        100,
    )
    assert metrics.internal_moves() == []
    org.leo.current_role_id = org.swe2.id
    session.flush()
    assert [p.id for p in metrics.internal_moves()] == [org.plan.id]


def test_plan_view_dates_items_and_flags_late_ones(session: Session, org: Org) -> None:
    org.plan.response = {
        "status": "optimal", "closure": 1.0, "max_closure": 2.0,
        "gaps": [{"skill": "testing", "initial": 0, "required": 2, "final": 0, "weight": 1.0}],
        "open_gaps": [{"skill": "testing", "reason": "no_activity",
                       "detail": "nothing teaches testing", "suggestion": None}],
    }  # fmt: skip
    org.plan.target_role = org.swe2
    org.plan.status = PlanStatus.approved
    session.flush()
    views = PlanViewService(session, org.tenant)
    view = views.view(org.plan, today=dt.date(2026, 3, 1))
    [row] = view.rows
    assert (row.starts_on, row.ends_on) == (dt.date(2026, 1, 12), dt.date(2026, 2, 8))
    assert row.closes == [("Python", 2)] and row.late
    # The plan leaves testing open: the schedule line says so, not "behind" or "on track".
    assert view.progress.state == "short of the target role" and view.progress.late == 1
    assert view.progress.readiness_on is None
    assert view.progress.ready_label == NOT_WITHIN
    assert [(g.skill, g.reason) for g in view.open_gaps] == [("Testing", "no_activity")]
    org.plan.items[0].status = ItemStatus.completed
    org.plan.items[0].completed_on = dt.date(2026, 2, 1)
    view = views.view(org.plan, today=dt.date(2026, 3, 1))
    assert view.progress.state == "short of the target role" and view.progress.percent == 100


def test_schedule_and_readiness_agree(session: Session, org: Org) -> None:
    """A plan that reaches the target is on track, ahead or behind, always with a date."""
    org.plan.response = {"status": "optimal", "closure": 2.0, "max_closure": 2.0}
    org.plan.target_role = org.swe2
    org.plan.status = PlanStatus.approved
    session.flush()
    views = PlanViewService(session, org.tenant)
    on_time = views.view(org.plan, today=dt.date(2026, 1, 20)).progress
    assert (on_time.state, on_time.ready_label) == ("on track", "9 February 2026")
    late = views.view(org.plan, today=dt.date(2026, 3, 1)).progress
    assert late.state == "behind"
    assert late.ready_label == "9 February 2026 as planned, later until the late items are done"
    org.plan.response = {"status": "optimal", "closure": 1.0, "max_closure": 2.0}
    short = views.view(org.plan, today=dt.date(2026, 1, 20)).progress
    assert (short.state, short.ready_label) == ("short of the target role", NOT_WITHIN)
