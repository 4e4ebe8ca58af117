"""The audit trail on the sample organisation: every generation and decision is exported with
what made it; retention purges old records of one tenant only; "why this plan" has reasons."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.errors import Invalid
from lti_pathing.models import Person, PlanEvent, Tenant
from lti_pathing.services.approvals import ApprovalService
from lti_pathing.services.audit.trail import AuditService
from lti_pathing.services.planning import PlanningService, PlanSettings
from lti_pathing.services.proposals import ProposalService
from lti_pathing.services.why_plan import WhyPlanService
from lti_pathing.web.why_words import TEMPLATES, sentence
from solver.rationale import CODES
from tests.lti_pathing.services.planning.conftest import TODAY, clock

DAY = dt.timedelta(days=1)


def test_every_generation_and_decision_is_in_the_export(
    planning: PlanningService, person: Callable[[str], Person], work: Session, larkspur: Tenant
) -> None:
    amir = person("E1026")
    boss = work.get_one(Person, amir.manager_id)
    approvals = ApprovalService(work, larkspur, clock)
    plan = planning.generate(amir.id, actor_id=amir.id)
    plan = approvals.act(amir.id, plan.id, "submit", plan.version, "my first plan")
    plan = approvals.act(boss.id, plan.id, "request_changes", plan.version, "fewer courses")
    plan = planning.generate(amir.id, PlanSettings(hours_per_week=6), amir.id, plan.id)
    plan = approvals.act(amir.id, plan.id, "submit", plan.version)
    plan = approvals.act(boss.id, plan.id, "approve", plan.version, "go ahead")
    proposal = planning.generate(amir.id, PlanSettings(hours_per_week=8), boss.id,
                                 replaces_id=plan.id)  # fmt: skip
    ProposalService(work, larkspur, clock).accept(boss.id, proposal.id, proposal.version, "faster")

    service = AuditService(work, larkspur, clock)
    records = json.loads(service.export(TODAY, TODAY, "json"))["records"]
    seen = [(r["kind"], r["actor"], r["comment"], r["plan_id"]) for r in records]
    assert seen == [
        ("generated", amir.name, None, plan.id),
        ("submitted", amir.name, "my first plan", plan.id),
        ("changes_requested", boss.name, "fewer courses", plan.id),
        ("regenerated", amir.name, None, plan.id),
        ("submitted", amir.name, None, plan.id),
        ("approved", boss.name, "go ahead", plan.id),
        ("generated", boss.name, None, proposal.id),
        ("superseded", boss.name, "faster", plan.id),
        ("proposal_accepted", boss.name, "faster", proposal.id),
    ]
    assert {r["subject"] for r in records} == {amir.name}
    first = records[0]["data"]["generation"]
    assert len(first["request_sha256"]) == 64 and first["versions"]["ortools"].startswith("9.")
    assert first["inputs"]["learner"]["target"] and "id" not in first["inputs"]["learner"]
    names = [t["tier"] for t in first["tiers"]]  # each deadline the readiness tier tried
    assert names[0] == "closure" and "readiness" in names
    assert first["tiers"][0]["status"] in ("optimal", "at_bound")
    hours = [r["data"]["generation"]["inputs"]["learner"]["hours_per_week"]
             for r in records if "generation" in r["data"]]  # fmt: skip
    assert hours[1:] == [6, 8]

    rows = list(csv.DictReader(io.StringIO(service.export(TODAY, TODAY, "csv"))))
    assert [r["kind"] for r in rows] == [r["kind"] for r in records]
    assert json.loads(rows[0]["data"])["generation"]["request_sha256"] == first["request_sha256"]
    assert service.export(TODAY + DAY, TODAY + 2 * DAY, "csv").count("\n") == 1  # header only


def test_a_bad_range_or_format_is_refused(work: Session, larkspur: Tenant) -> None:
    service = AuditService(work, larkspur, clock)
    with pytest.raises(Invalid) as raised:
        service.export(TODAY, TODAY - DAY, "csv")
    assert "end" in raised.value.errors
    with pytest.raises(Invalid):
        service.export(TODAY, TODAY, "xml")


def test_a_formula_in_a_comment_is_exported_as_text(
    planning: PlanningService, person: Callable[[str], Person], work: Session, larkspur: Tenant
) -> None:
    amir = person("E1026")
    plan = planning.generate(amir.id, PlanSettings(explain=False), amir.id)
    ApprovalService(work, larkspur, clock).comment(amir.id, plan.id, '=HYPERLINK("x")')
    rows = list(csv.DictReader(io.StringIO(AuditService(work, larkspur, clock).export(
        TODAY, TODAY, "csv"))))  # fmt: skip
    assert rows[-1]["comment"] == '\'=HYPERLINK("x")'


def test_retention_purges_old_records_of_this_tenant_only(
    planning: PlanningService, person: Callable[[str], Person], work: Session, larkspur: Tenant
) -> None:
    amir = person("E1026")
    planning.generate(amir.id, PlanSettings(explain=False), amir.id)
    other = Tenant(slug="other-org", name="Other")
    work.add(other)
    work.flush()
    AuditService(work, other, clock).record("retention_changed", None, data={"to": 200})
    service = AuditService(work, larkspur, clock)
    with pytest.raises(Invalid):
        service.set_retention(30, amir.id)  # under six months
    service.set_retention(200, amir.id)
    later = AuditService(work, larkspur, lambda: clock() + dt.timedelta(days=201))
    assert later.purge() == 2  # the generation and the retention change
    AuditService(
        work, other, lambda: clock() + dt.timedelta(days=999)
    ).tenant.audit_retention_days = None
    left = work.scalars(select(PlanEvent.tenant_id)).all()
    assert larkspur.id not in left and other.id in left


def test_why_this_plan_gives_a_reason_for_every_item(
    planning: PlanningService, person: Callable[[str], Person], work: Session, larkspur: Tenant
) -> None:
    amir = person("E1026")
    plan = planning.generate(amir.id, PlanSettings(hours_per_week=3), amir.id)
    why = WhyPlanService(work, larkspur, clock).explain(plan)
    assert not why.stale and len(why.items) == len(plan.items)
    for item in why.items:
        assert {r.code for r in item.purpose} & {"closes", "unlocks", "pinned"}, item.title
        assert item.timing
        for reason in item.purpose + item.timing:
            assert "{" not in str(sentence(reason))
    closes = next(r for i in why.items for r in i.purpose if r.code == "closes")
    assert str(sentence(closes)).startswith(f"It raises {closes.params['skill']} from level")
    assert why.not_chosen  # the catalog has alternatives
    for left in why.not_chosen:
        assert left.reasons and all("{" not in str(sentence(r)) for r in left.reasons)


def test_every_reason_code_has_a_whole_sentence() -> None:
    assert set(CODES) <= set(TEMPLATES)
    assert {
        f"open_{r}" for r in ("no_activity", "time", "prerequisites", "capacity", "budget")
    } <= set(TEMPLATES)
