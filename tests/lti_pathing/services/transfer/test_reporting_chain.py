"""People and their managers import in two steps, whatever the depth of the reporting lines.

People are written first and managers set by id afterwards, so import time is linear in rows
(bench/import_chain.py measures it); these tests check that the result is the same as before.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from lti_pathing.models import Person, Tenant
from lti_pathing.services.people import PeopleService
from lti_pathing.services.transfer.importer import ImportService
from lti_pathing.services.transfer.reader import read_csv_files

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
