"""Current skill levels from evidence: the most trusted source wins, then the latest observation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from lti_pathing.errors import NotFound
from lti_pathing.models import Evidence, EvidenceSource, Person, Tenant
from lti_pathing.services.levels import LevelService


@pytest.fixture
def people(session: Session, tenant: Tenant, make_skill: Callable[..., Any]) -> dict[str, Any]:
    python = make_skill(tenant, "python", levels=4)
    sql = make_skill(tenant, "sql", levels=3)
    ada = Person(tenant_id=tenant.id, external_id="E1", name="Ada")
    boss = Person(tenant_id=tenant.id, external_id="E2", name="Grace")
    session.add_all([ada, boss])
    session.flush()
    return {"python": python, "sql": sql, "ada": ada, "boss": boss}


def observe(
    session: Session,
    person: Person,
    skill: Any,
    level: int,
    source: str,
    on: dt.date,
    **fields: Any,
) -> Evidence:
    row = Evidence(
        tenant_id=person.tenant_id,
        person_id=person.id,
        skill_id=skill.id,
        level=level,
        source=EvidenceSource(source),
        observed_on=on,
        **fields,
    )
    session.add(row)
    session.flush()
    return row


def test_a_manager_assessment_outranks_a_newer_higher_self_assessment(
    session: Session, tenant: Tenant, people: dict[str, Any]
) -> None:
    ada, python = people["ada"], people["python"]
    observe(session, ada, python, 4, "self", dt.date(2026, 9, 1))
    observe(session, ada, python, 1, "lms_completion", dt.date(2026, 8, 1))
    manager = observe(
        session,
        ada,
        python,
        2,
        "manager",
        dt.date(2026, 1, 5),
        recorded_by_id=people["boss"].id,
        note="pairing sessions",
    )
    level = LevelService(session, tenant).current_levels(ada.id)[python.id]
    assert level.level == 2
    assert level.basis.evidence_id == manager.id
    assert level.basis.source is EvidenceSource.manager
    assert level.basis.recorded_by_name == "Grace"
    assert [b.source for b in level.outranked] == [
        EvidenceSource.lms_completion,
        EvidenceSource.self,
    ]


def test_within_one_source_the_latest_observation_wins_even_when_lower(
    session: Session, tenant: Tenant, people: dict[str, Any]
) -> None:
    ada, sql = people["ada"], people["sql"]
    observe(session, ada, sql, 3, "import", dt.date(2025, 3, 1))
    newer = observe(session, ada, sql, 1, "import", dt.date(2026, 3, 1))
    observe(session, ada, sql, 3, "lms_completion", dt.date(2026, 10, 1))
    level = LevelService(session, tenant).current_levels(ada.id)[sql.id]
    assert (level.level, level.basis.evidence_id) == (1, newer.id)


def test_order_is_manager_import_lms_self() -> None:
    from lti_pathing.services.levels import TRUST

    order = sorted(TRUST, key=TRUST.__getitem__, reverse=True)
    assert order == [
        EvidenceSource.manager,
        EvidenceSource.import_,
        EvidenceSource.lms_completion,
        EvidenceSource.self,
    ]


def test_skills_without_evidence_are_absent_and_levels_are_capped(
    session: Session, tenant: Tenant, people: dict[str, Any]
) -> None:
    ada, sql = people["ada"], people["sql"]
    observe(session, ada, sql, 7, "self", dt.date(2026, 3, 1))
    levels = LevelService(session, tenant).current_levels(ada.id)
    assert set(levels) == {sql.id}
    assert levels[sql.id].level == 3  # the top of the skill's scale


def test_another_tenants_person_is_not_found(
    session: Session, people: dict[str, Any], make_tenant: Callable[..., Any]
) -> None:
    other = make_tenant("other")
    with pytest.raises(NotFound):
        LevelService(session, other).current_levels(people["ada"].id)
