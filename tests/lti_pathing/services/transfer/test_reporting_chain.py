"""People and their managers import in two steps, whatever the depth of the reporting lines.

New people are written in bulk (one INSERT for all, then managers by one UPDATE for all), so
import time is linear in rows (bench/import_chain.py measures it); these tests check that the
result, dry runs and refusals are the same as through the unit of work.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from lti_pathing.errors import Conflict
from lti_pathing.models import LmsIdentity, Mentor, Person, Tenant
from lti_pathing.services.people import PeopleService
from lti_pathing.services.transfer import importer
from lti_pathing.services.transfer.importer import ImportService
from lti_pathing.services.transfer.reader import read_csv_files
from lti_pathing.services.transfer.stored import Stored

DEPTH = 400


def people_csv(rows: list[tuple[str, str | None]]) -> bytes:
    """people.csv with (employee id, manager's employee id) rows."""
    lines = ["employee_id,name,manager_employee_id"]
    lines += [f"{key},Person {key},{manager or ''}" for key, manager in rows]
    return ("\n".join(lines) + "\n").encode()


def import_people(session: Session, tenant: Tenant, rows: list[tuple[str, str | None]]) -> int:
    """Import the rows; how many people were created or updated."""
    doc = read_csv_files({"people.csv": people_csv(rows)})
    return ImportService(session, tenant).import_document(doc).changed


def managers(session: Session, tenant: Tenant) -> dict[str, str | None]:
    """Everyone's manager by employee id, read back from the database."""
    session.expire_all()
    people = session.scalars(select(Person).where(Person.tenant_id == tenant.id))
    return {p.external_id: p.manager.external_id if p.manager else None for p in people}


def chain(depth: int) -> list[tuple[str, str | None]]:
    """e0 manages e1, who manages e2, ... (listed deepest first, the order hardest to sort)."""
    return [(f"e{n}", f"e{n - 1}" if n else None) for n in reversed(range(depth))]


def test_a_deep_reporting_chain_imports_with_every_manager_and_first_versions(
    session: Session, tenant: Tenant
) -> None:
    assert import_people(session, tenant, chain(DEPTH)) == DEPTH
    assert managers(session, tenant) == dict(chain(DEPTH))
    versions = session.scalars(select(Person.version).where(Person.tenant_id == tenant.id))
    assert set(versions) == {1}
    assert import_people(session, tenant, chain(DEPTH)) == 0  # the same file again: unchanged


def test_stored_people_move_under_new_managers_as_one_new_version(
    session: Session, tenant: Tenant
) -> None:
    people = PeopleService(session, tenant)
    boss = people.create_person({"external_id": "boss", "name": "Person boss"})
    ann = people.create_person({"external_id": "ann", "name": "Person ann", "manager_id": boss.id})
    bob = people.create_person({"external_id": "bob", "name": "Person bob", "manager_id": ann.id})
    session.flush()
    assert ann.manager is boss  # loaded before the import, so it must not go stale
    rows = [("ann", "new"), ("bob", "boss"), ("new", "boss"), ("boss", None)]
    assert import_people(session, tenant, rows) == 3
    assert ann.manager is not None and ann.manager.external_id == "new"
    assert (ann.version, bob.version, boss.version) == (2, 2, 1)
    assert managers(session, tenant) == {"boss": None, "ann": "new", "bob": "boss", "new": "boss"}


def statements(session: Session, tenant: Tenant, rows: list[tuple[str, str | None]]) -> int:
    """How many SQL statements importing the rows takes."""
    seen: list[str] = []

    def count(conn: object, cursor: object, statement: str, *rest: object) -> None:
        seen.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        import_people(session, tenant, rows)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_a_chain_takes_as_many_statements_as_a_flat_organisation(
    session: Session, tenant: Tenant, make_tenant: Callable[..., Tenant]
) -> None:
    # Rows written one by one in reporting order would take a statement per rung of the chain.
    flat = [("e0", None), *((f"e{n}", "e0") for n in range(1, DEPTH))]
    assert statements(session, tenant, chain(DEPTH)) == statements(session, make_tenant(), flat)


def test_the_statements_do_not_grow_with_the_number_of_people(
    session: Session, tenant: Tenant, make_tenant: Callable[..., Tenant]
) -> None:
    assert statements(session, tenant, chain(30)) == statements(session, make_tenant(), chain(1200))


def test_a_dry_run_of_new_people_leaves_no_rows_and_no_objects_behind(
    session: Session, tenant: Tenant
) -> None:
    doc = read_csv_files({
        "people.csv": people_csv(chain(50)),
        "mentors.csv": b"person,capacity\ne3,2\n",  # asks for the new people's objects
    })  # fmt: skip
    report = ImportService(session, tenant).import_document(doc, dry_run=True)
    assert report.dry_run and report.counts["people"]["created"] == 50
    assert session.scalars(select(Person).where(Person.tenant_id == tenant.id)).all() == []
    assert not [o for o in session.identity_map.values() if isinstance(o, Person)]
    ImportService(session, tenant).import_document(doc)
    assert managers(session, tenant) == dict(chain(50))


def test_new_people_get_their_lms_ids_and_can_be_mentors_at_once(
    session: Session, tenant: Tenant
) -> None:
    people = PeopleService(session, tenant)
    boss = people.create_person({"external_id": "boss", "name": "Person boss"})
    session.flush()
    doc = read_csv_files({
        "people.csv": b"employee_id,name,manager_employee_id,moodle_user_id,lti_subject\n"
                      b"ann,Ann,boss,41,sub-ann\nbob,Bob,ann,,\n",
        "mentors.csv": b"person,capacity\nann,3\n",
    })  # fmt: skip
    report = ImportService(session, tenant).import_document(doc)
    assert report.counts["people"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert report.counts["mentors"] == {"created": 1, "updated": 0, "unchanged": 0}
    session.expire_all()
    ann = session.scalars(select(Person).where(Person.external_id == "ann")).one()
    assert ann.manager is boss and ann.reports[0].external_id == "bob"
    assert {(i.lms_user_id, i.subject) for i in ann.identities} == {("41", None), (None, "sub-ann")}
    mentor = session.scalars(select(Mentor)).one()
    assert mentor.person is ann and mentor.capacity == 3
    assert session.scalars(select(LmsIdentity).where(LmsIdentity.person_id != ann.id)).all() == []


def test_a_clash_only_the_database_sees_writes_nothing(
    session: Session, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    ImportService(session, tenant).import_document(
        read_csv_files({"people.csv": people_csv(chain(20))})
    )
    real = importer.load_stored

    def stale(work: Session, of: Tenant) -> Stored:
        """What the tenant held before another process imported the same people meanwhile."""
        stored = real(work, of)
        stored.people.clear()
        return stored

    monkeypatch.setattr(importer, "load_stored", stale)
    again = read_csv_files({"people.csv": people_csv([("z", None), *chain(20)])})
    with pytest.raises(Conflict, match="clashes with stored data; nothing was written"):
        ImportService(session, tenant).import_document(again)
    assert managers(session, tenant) == dict(chain(20))  # and no "z"


def test_new_people_are_found_even_below_a_higher_stored_id(
    session: Session, tenant: Tenant, make_tenant: Callable[..., Tenant]
) -> None:
    # A row stored with an explicit id (a restore) above what the id sequence hands out next:
    # on PostgreSQL the new rows' ids are then below the highest id read before inserting.
    other = make_tenant()
    session.add(Person(id=1_000_000, tenant_id=other.id, external_id="x", name="Restored"))
    session.flush()
    assert import_people(session, tenant, chain(30)) == 30
    assert managers(session, tenant) == dict(chain(30))
