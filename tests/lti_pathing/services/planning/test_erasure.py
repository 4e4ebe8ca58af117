"""Access and erasure requests: an export holds everything about the person; an erasure leaves
nothing that identifies them in any table, keeps plans and counts whole, and touches no other
tenant. Runs on SQLite and PostgreSQL (`-m db`)."""

from __future__ import annotations

import contextlib
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import lti_pathing.models  # noqa: F401 (every table on the metadata)
from lti_pathing.columns import Base
from lti_pathing.errors import Invalid
from lti_pathing.models import (
    CheckIn,
    Evidence,
    LmsIdentity,
    Person,
    Plan,
    PlanItem,
    Tenant,
)
from lti_pathing.services.approvals import ApprovalService
from lti_pathing.services.audit.people import PersonDataService
from lti_pathing.services.audit.trail import AuditService
from lti_pathing.services.metrics import MetricsService
from lti_pathing.services.planning import PlanningService, PlanSettings
from tests.lti_pathing.services.planning.conftest import TODAY, clock

NAME, EMAIL = "Zebulon Quixote", "zebulon.quixote@example.org"
SUBJECT, LMS_ID = "c0ffee-sub-7781", "lmsuser-99317"


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a cell (JSON cells walked, keys included)."""
    if isinstance(value, str):
        yield value
        if value[:1] in "{[":
            with contextlib.suppress(ValueError):
                yield from _strings(json.loads(value))
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif value is not None:
        yield str(value)


def leaks(work: Session, tenant_id: int, external_id: str, exact: set[str]) -> list[str]:
    """Where, in any table of the tenant, the person's identifying values still stand."""
    found = []
    for table in Base.metadata.sorted_tables:
        stmt = table.select()
        if "tenant_id" in table.c:
            stmt = stmt.where(table.c.tenant_id == tenant_id)
        elif table.name == "tenant":
            continue
        for row in work.execute(stmt).mappings():
            for column, cell in row.items():
                for text in _strings(cell):
                    low = text.lower()
                    if (NAME.lower() in low or EMAIL in low or "quixote" in low
                            or external_id in text or text in exact):  # fmt: skip
                        found.append(f"{table.name}.{column}: {text[:80]}")
    return found


@pytest.fixture
def zeb(work: Session, larkspur: Tenant, person: Callable[[str], Person]) -> Person:
    """Amir (E1026) under a name and LMS ids no other text in the sample holds."""
    amir = person("E1026")
    amir.name, amir.email = NAME, EMAIL
    identity = LmsIdentity(
        tenant_id=larkspur.id,
        person_id=amir.id,
        subject=SUBJECT,
        lms_user_id=LMS_ID,
        issuer="https://lms.example.org",
        client_id="c1",
    )
    work.add(identity)
    work.flush()
    return amir


def test_erasure_leaves_nothing_identifying_and_keeps_plans_and_counts(
    planning: PlanningService,
    work: Session,
    larkspur: Tenant,
    zeb: Person,
    add_evidence: Callable[..., Evidence],
) -> None:
    boss = work.get_one(Person, zeb.manager_id)
    approvals = ApprovalService(work, larkspur, clock)
    plan = planning.generate(zeb.id, PlanSettings(hours_per_week=3), zeb.id)
    plan = approvals.act(zeb.id, plan.id, "submit", plan.version, f"I am {NAME}, {EMAIL}")
    approvals.act(boss.id, plan.id, "approve", plan.version, f"Good luck {NAME.split()[0]}")
    work.add(CheckIn(tenant_id=larkspur.id, person_id=zeb.id, manager_id=boss.id,
                     scheduled_on=TODAY, notes=f"{NAME} wants to lead"))  # fmt: skip
    add_evidence(zeb, "python", 2, "manager", note=f"observed by {EMAIL}")
    other = Tenant(slug="elsewhere", name="Elsewhere")
    work.add(other)
    work.flush()
    twin = Person(tenant_id=other.id, external_id="E1026", name=NAME, email=EMAIL)
    work.add(twin)
    work.flush()
    external_id = zeb.external_id
    found = work.scalars(select(LmsIdentity).where(LmsIdentity.person_id == zeb.id)).all()
    identities = len(found)
    exact = {v for i in found for v in (i.subject, i.lms_user_id) if v}
    assert leaks(work, larkspur.id, external_id, exact)  # the test can see them before
    metrics = MetricsService(work, larkspur)
    before = (metrics.plans_by_status(), metrics.gap_coverage(),
              [(i.activity_id, i.start_week) for i in plan.items], plan.closure)  # fmt: skip

    service = PersonDataService(work, larkspur, clock)
    done = service.erase(zeb.id, boss.id, "erasure request 2026-12-02, ticket 881")
    work.flush()

    assert leaks(work, larkspur.id, external_id, exact) == []
    work.expire_all()
    after_plan = work.get_one(Plan, plan.id)
    items = [(i.activity_id, i.start_week) for i in after_plan.items]
    after = (metrics.plans_by_status(), metrics.gap_coverage(), items, after_plan.closure)
    assert after == before
    assert (
        after_plan.person_id == zeb.id
        and work.get_one(Person, zeb.id).name == f"Erased person {zeb.id}"
    )
    assert after_plan.response is not None and after_plan.response["learner"] == f"erased-{zeb.id}"
    assert done.counts["lms_identity"] == identities > 1 and done.counts["audit_comment"] == 2
    kinds = [e.kind for e, _ in approvals.events(after_plan)]
    assert kinds == ["generated", "submitted", "approved"]  # decisions stay, their words go
    assert (
        work.get_one(Person, twin.id).name == NAME and work.get_one(Person, twin.id).email == EMAIL
    )
    record = AuditService(work, larkspur, clock).rows(TODAY, TODAY)[-1]
    assert (record.kind, record.subject_id, record.actor_id) == ("person_erased", zeb.id, boss.id)
    assert record.comment == "erasure request 2026-12-02, ticket 881"


def test_erasure_needs_a_reason_and_another_admin(
    work: Session, larkspur: Tenant, zeb: Person
) -> None:
    service = PersonDataService(work, larkspur, clock)
    with pytest.raises(Invalid):
        service.erase(zeb.id, None, "  ")
    with pytest.raises(Invalid):
        service.erase(zeb.id, zeb.id, "my own")
    assert work.get_one(Person, zeb.id).name == NAME


def test_an_access_export_holds_their_records_and_is_logged(
    planning: PlanningService,
    work: Session,
    larkspur: Tenant,
    zeb: Person,
    add_evidence: Callable[..., Evidence],
) -> None:
    add_evidence(zeb, "python", 2)
    plan = planning.generate(zeb.id, PlanSettings(explain=False), zeb.id)
    service = PersonDataService(work, larkspur, clock)
    data = service.export(zeb.id, None)
    assert data["person"]["name"] == NAME and data["person"]["email"] == EMAIL
    assert LMS_ID in [i["lms_user_id"] for i in data["lms_identities"]]
    assert [p["id"] for p in data["plans"]] == [plan.id]
    assert len(data["plan_items"]) == len(work.scalars(select(PlanItem).where(
        PlanItem.plan_id == plan.id)).all())  # fmt: skip
    assert [r["kind"] for r in data["audit_records"]] == ["generated"]
    assert data["evidence"]
    archive = zipfile.ZipFile(io.BytesIO(service.export_zip(zeb.id, None)))
    assert {"person.json", "plans.json", "audit_records.json"} <= set(archive.namelist())
    assert json.loads(archive.read("person.json"))["person"]["external_id"] == "E1026"
    logged = [r.kind for r in AuditService(work, larkspur, clock).rows(TODAY, TODAY)]
    assert logged.count("person_data_exported") == 2
