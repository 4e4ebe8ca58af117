"""Creating many rows of one table at once, in time linear in rows.

The unit of work inserts new objects with one parameter set per row, renders every batch as one
long statement (psycopg parses each in Python) and, for rows that reference their own table,
sorts them one by one. For 100,000 new people that was most of an import's time. Here:

1. one INSERT run for all rows (an executemany: psycopg pipelines it, parsing the statement once),
   every column given, references to the same table left empty;
2. one SELECT reads the new ids back by key;
3. one UPDATE run for all rows sets the references to the same table (the reporting lines);
4. ORM objects for the new rows are loaded in one SELECT, and only if something later asks for
   one (a mentor record, an LMS identity).

It runs inside the import's savepoint like everything else, so all-or-nothing and dry runs hold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import bindparam, func, insert, inspect, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

LOOKUP_CHUNK = 1000  # keys per IN list when ids are looked up by key


def foreign_key(model: type[Any], relationship: str) -> str:
    """The column behind a many-to-one relationship (`current_role` -> `current_role_id`)."""
    (column,) = inspect(model).relationships[relationship].local_columns
    return str(column.key)


def insert_rows(
    session: Session, model: type[Any], tenant_id: int, key: str, rows: list[dict[str, Any]]
) -> dict[Any, int]:
    """INSERT `rows` (the same columns in each) in one executemany; the new ids by `key`."""
    table = model.__table__
    before = session.scalar(select(func.max(table.c.id))) or 0
    session.execute(insert(table), rows)
    wanted = {row[key] for row in rows}
    mine = select(table.c[key], table.c.id).where(table.c.tenant_id == tenant_id)
    ids = {value: row_id for value, row_id in session.execute(mine.where(table.c.id > before))
           if value in wanted}  # fmt: skip
    # New ids are above `before`, except where the sequence is behind a row stored with an
    # explicit id (a restore) or hands each connection a cached range: those are looked up by key.
    missing = sorted(wanted - ids.keys())
    for start in range(0, len(missing), LOOKUP_CHUNK):
        chunk = missing[start : start + LOOKUP_CHUNK]
        ids.update(dict(session.execute(mine.where(table.c[key].in_(chunk))).all()))
    return ids


def set_references(
    session: Session, model: type[Any], column: str, links: Iterable[tuple[int, int]]
) -> None:
    """Set `column` of each row id to its target id, in one executemany of UPDATEs."""
    table = model.__table__
    values = [{"row_id": row_id, "to": to} for row_id, to in links]
    if values:
        stmt = update(table).where(table.c.id == bindparam("row_id"))
        session.connection().execute(stmt.values({column: bindparam("to")}), values)


class Entities(dict[Any, Any]):
    """An import's entities of one table by key; rows inserted in bulk load on first use.

    `add_unloaded` records keys and ids of rows written with `insert_rows`; asking for any of
    them loads them all as ORM objects in one SELECT (their `empty` collections marked loaded
    and empty, so touching them costs no query per row).
    """

    def __init__(self, stored: Mapping[Any, Any], load: Callable[[dict[Any, int]], dict[Any, Any]]):
        super().__init__(stored)
        self.unloaded: dict[Any, int] = {}
        self.loaded: list[Any] = []
        self._load = load

    def add_unloaded(self, ids: Mapping[Any, int]) -> None:
        """Rows written by `insert_rows`, to load when one is asked for."""
        self.unloaded.update(ids)

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key) or key in self.unloaded

    def __missing__(self, key: Any) -> Any:
        if key not in self.unloaded:
            raise KeyError(key)
        found = self._load(self.unloaded)
        self.loaded.extend(found.values())
        self.update(found)
        self.unloaded = {}
        return super().__getitem__(key)


def loader(
    session: Session, model: type[Any], tenant_id: int, key: str, empty: tuple[str, ...] = ()
) -> Callable[[dict[Any, int]], dict[Any, Any]]:
    """Load rows of `model` by {key: id} as ORM objects, in one SELECT over their id range."""

    def load(ids: dict[Any, int]) -> dict[Any, Any]:
        wanted = set(ids.values())
        stmt = select(model).where(
            model.tenant_id == tenant_id, model.id.between(min(wanted), max(wanted))
        )
        objects = {}
        for obj in session.scalars(stmt):
            if obj.id in wanted:
                for collection in empty:  # new rows: nothing refers to them yet
                    set_committed_value(obj, collection, [])
                objects[getattr(obj, key)] = obj
        return objects

    return load
