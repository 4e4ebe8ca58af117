"""PeopleService: reporting lines stay a forest; mentors; guarded deletes; isolation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from lti_pathing.errors import Invalid, NotFound, Referenced, StaleEdit
from lti_pathing.services.people import PeopleService


def test_reporting_cycles_are_refused(session: Session, tenant: Any) -> None:
    service = PeopleService(session, tenant)
    boss = service.create_person({"external_id": "E1", "name": "Boss"})
    lead = service.create_person({"external_id": "E2", "name": "Lead", "manager_id": boss.id})
    dev = service.create_person({"external_id": "E3", "name": "Dev", "manager_id": lead.id})
    assert service.reports_chain(dev) == [lead, boss]
    with pytest.raises(Invalid, match="reporting cycle"):
        service.update_person(boss.id, boss.version, {"manager_id": dev.id})
    with pytest.raises(Invalid):
        service.update_person(boss.id, boss.version, {"manager_id": boss.id})


def test_a_manager_cannot_be_deleted_but_can_be_retired(session: Session, tenant: Any) -> None:
    service = PeopleService(session, tenant)
    boss = service.create_person({"external_id": "E1", "name": "Boss"})
    service.create_person({"external_id": "E2", "name": "Dev", "manager_id": boss.id})
    with pytest.raises(Referenced):
        service.delete_person(boss.id, boss.version)
    service.retire_person(boss.id, boss.version)
    assert boss.active is False and boss.version == 2


def test_stale_person_edit_is_refused(session: Session, tenant: Any) -> None:
    service = PeopleService(session, tenant)
    person = service.create_person({"external_id": "E1", "name": "Ann"})
    service.update_person(person.id, 1, {"name": "Ann B."})
    with pytest.raises(StaleEdit):
        service.update_person(person.id, 1, {"name": "Ann C."})


def test_mentors_and_capacity(session: Session, tenant: Any) -> None:
    service = PeopleService(session, tenant)
    person = service.create_person({"external_id": "E1", "name": "Ann"})
    mentor = service.make_mentor(person.id, 3)
    assert service.list_mentors(service_query()).total == 1
    with pytest.raises(Invalid):
        service.update_mentor(mentor.id, mentor.version, {"capacity": 99})
    with pytest.raises(Referenced):
        service.delete_person(person.id, None)


def test_tenant_b_cannot_manage_tenant_a_people(
    session: Session, make_tenant: Callable[..., Any]
) -> None:
    a, b = make_tenant("a"), make_tenant("b")
    ann = PeopleService(session, a).create_person({"external_id": "E1", "name": "Ann"})
    as_b = PeopleService(session, b)
    with pytest.raises(NotFound):
        as_b.create_person({"external_id": "E2", "name": "Bob", "manager_id": ann.id})
    with pytest.raises(NotFound):
        as_b.update_person(ann.id, None, {"name": "x"})
    with pytest.raises(NotFound):
        as_b.make_mentor(ann.id, 2)


def service_query() -> Any:
    from lti_pathing.services.listing import ListQuery

    return ListQuery()
