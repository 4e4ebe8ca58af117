"""Plan approval: who may do what, from which status, with a log entry and a version check."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from lti_pathing.errors import Conflict, Invalid, NotFound, PermissionDenied, StaleEdit
from lti_pathing.models import Plan, PlanStatus, Tenant
from lti_pathing.services.approvals import ApprovalService
from tests.lti_pathing.services.journeys_org import Org, build_org


@pytest.fixture
def org(session: Session, tenant: Tenant) -> Org:
    return build_org(session, tenant)


@pytest.fixture
def approvals(session: Session, tenant: Tenant) -> ApprovalService:
    return ApprovalService(session, tenant)


def test_submit_then_approve_logs_who_did_what(org: Org, approvals: ApprovalService) -> None:
    plan = approvals.act(org.leo.id, org.plan.id, "submit", org.plan.version)
    assert plan.status == PlanStatus.submitted
    plan = approvals.act(org.maya.id, plan.id, "approve", plan.version, "  Looks good  ")
    assert plan.status == PlanStatus.approved
    log = [(e.kind, who.name if who else None, e.comment) for e, who in approvals.events(plan)]
    assert log == [
        ("submitted", "Leo Learner", None),
        ("approved", "Maya Manager", "Looks good"),
    ]


def test_an_indirect_manager_may_decide(org: Org, approvals: ApprovalService) -> None:
    plan = approvals.act(org.leo.id, org.plan.id, "submit", org.plan.version)
    plan = approvals.act(org.director.id, plan.id, "request_changes", plan.version, "Add testing")
    assert plan.status == PlanStatus.changes_requested
    plan = approvals.act(org.leo.id, plan.id, "submit", plan.version)
    assert plan.status == PlanStatus.submitted


def test_another_manager_does_not_see_the_plan(org: Org, approvals: ApprovalService) -> None:
    approvals.act(org.leo.id, org.plan.id, "submit", org.plan.version)
    with pytest.raises(NotFound):
        approvals.act(org.omar.id, org.plan.id, "approve", org.plan.version)
    with pytest.raises(NotFound):
        approvals.plan_for(org.lea.id, org.plan.id)


def test_learner_cannot_approve_own_plan_and_manager_cannot_submit_it(
    org: Org, approvals: ApprovalService
) -> None:
    with pytest.raises(PermissionDenied):
        approvals.act(org.maya.id, org.plan.id, "submit", org.plan.version)
    approvals.act(org.leo.id, org.plan.id, "submit", org.plan.version)
    with pytest.raises(PermissionDenied):
        approvals.act(org.leo.id, org.plan.id, "approve", org.plan.version)


def test_reject_and_request_changes_need_a_comment(org: Org, approvals: ApprovalService) -> None:
    plan = approvals.act(org.leo.id, org.plan.id, "submit", org.plan.version)
    for action in ("reject", "request_changes"):
        with pytest.raises(Invalid) as caught:
            approvals.act(org.maya.id, plan.id, action, plan.version, "   ")
        assert "comment" in caught.value.errors
    assert plan.status == PlanStatus.submitted


def test_a_draft_cannot_be_approved(org: Org, approvals: ApprovalService) -> None:
    with pytest.raises(Conflict, match="draft"):
        approvals.act(org.maya.id, org.plan.id, "approve", org.plan.version)


def test_a_stale_version_is_a_conflict(org: Org, approvals: ApprovalService) -> None:
    seen = org.plan.version
    plan = approvals.act(org.leo.id, org.plan.id, "submit", seen)
    approvals.act(org.maya.id, plan.id, "approve", plan.version)
    with pytest.raises(StaleEdit):
        approvals.act(org.director.id, plan.id, "reject", seen + 1, "no")
    assert plan.status == PlanStatus.approved
    assert [e.kind for e, _ in approvals.events(plan)] == ["submitted", "approved"]


def test_two_managers_at_once_the_second_gets_a_conflict(engine: Engine) -> None:
    """Two sessions load the same submitted plan; the first commit wins, the second is refused.

    The second session's read transaction ends before the first commits (as two web requests
    would, each loading then posting), so the refusal comes from the database's version check.
    """
    with Session(engine) as setup:
        tenant = Tenant(slug="race", name="Race")
        setup.add(tenant)
        setup.flush()
        org = build_org(setup, tenant)
        ApprovalService(setup, tenant).act(org.leo.id, org.plan.id, "submit", org.plan.version)
        setup.commit()
        ids: dict[str, Any] = {"tenant": tenant.id, "plan": org.plan.id, "maya": org.maya.id,
                               "dana": org.director.id}  # fmt: skip
    try:
        with Session(engine) as first, Session(engine, expire_on_commit=False) as second:
            one = ApprovalService(first, first.get_one(Tenant, ids["tenant"]))
            two = ApprovalService(second, second.get_one(Tenant, ids["tenant"]))
            seen_one = one.plan_for(ids["maya"], ids["plan"]).version
            seen_two = two.plan_for(ids["dana"], ids["plan"]).version
            second.commit()  # keeps the loaded plan (expire_on_commit off below) at its version
            one.act(ids["maya"], ids["plan"], "approve", seen_one)
            first.commit()
            with pytest.raises(StaleEdit):
                two.act(ids["dana"], ids["plan"], "reject", seen_two, "not now")
            second.rollback()
        with Session(engine) as check:
            assert check.get_one(Plan, ids["plan"]).status == PlanStatus.approved
    finally:
        with Session(engine) as cleanup:
            cleanup.delete(cleanup.get_one(Tenant, ids["tenant"]))
            cleanup.commit()


def test_queue_lists_submitted_plans_of_reports_only(org: Org, approvals: ApprovalService) -> None:
    assert approvals.queue(org.maya.id) == []
    approvals.act(org.leo.id, org.plan.id, "submit", org.plan.version)
    assert [p.id for p in approvals.queue(org.maya.id)] == [org.plan.id]
    assert [p.id for p in approvals.queue(org.director.id)] == [org.plan.id]
    assert approvals.queue(org.omar.id) == []


def test_comments_are_logged_and_bounded(org: Org, approvals: ApprovalService) -> None:
    event = approvals.comment(org.maya.id, org.plan.id, "<b>hi</b>")
    assert event.comment == "<b>hi</b>" and event.actor_id == org.maya.id
    with pytest.raises(Invalid):
        approvals.comment(org.leo.id, org.plan.id, "x" * 4001)
    with pytest.raises(NotFound):
        approvals.comment(org.omar.id, org.plan.id, "hello")
