"""Write a checked import: upsert by external id, touching only what differs.

Runs only after `checks.check` found nothing wrong, so every reference resolves. A value equal to
the stored one is never assigned, so an unchanged row causes no UPDATE and no new version.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from lti_pathing.models import (
    Activity,
    JobFamily,
    Lms,
    LmsIdentity,
    Mentor,
    Person,
    Role,
    Skill,
    SkillCategory,
    Tenant,
)
from lti_pathing.services.base import Clock
from lti_pathing.services.transfer import bulk
from lti_pathing.services.transfer.children import ROLE_SKILL_WEIGHT, SYNCS
from lti_pathing.services.transfer.reader import CHILDREN, KEYS, Document, Row
from lti_pathing.services.transfer.stored import Stored

# Parent tables in writing order: model, and column -> (attribute, referenced table or None).
Columns = dict[str, tuple[str, str | None]]
_plain: str | None = None  # a column that is a plain value, not a reference
SOURCE_COLUMNS: Columns = {"source": ("source", None), "source_id": ("source_id", None)}
ENTITIES: dict[str, tuple[type[Any], Columns]] = {
    "skill_categories": (SkillCategory, {
        "id": ("external_id", None), "name": ("name", None), "active": ("active", None),
        **SOURCE_COLUMNS,
    }),
    "skills": (Skill, {
        "id": ("external_id", None), "name": ("name", None),
        "category": ("category", "skill_categories"), "description": ("description", None),
        "source_uri": ("source_uri", None), "proficient_level": ("proficient_level", None),
        "active": ("active", None), **SOURCE_COLUMNS,
    }),
    "job_families": (JobFamily, {
        "id": ("external_id", None), "name": ("name", None), "description": ("description", None),
    }),
    "roles": (Role, {
        "id": ("external_id", None), "title": ("title", None), "family": ("family", "job_families"),
        "track": ("track", None), "level": ("level", None), "level_rank": ("level_rank", None),
        "critical": ("critical", None), "description": ("description", None),
        **SOURCE_COLUMNS,
    }),
    "people": (Person, {
        "employee_id": ("external_id", None), "name": ("name", None), "email": ("email", None),
        "manager_employee_id": ("manager", "people"), "current_role": ("current_role", "roles"),
        "target_role": ("target_role", "roles"), "hours_per_week": ("hours_per_week", None),
        "active": ("active", None),
    }),
    "mentors": (Mentor, {
        "person": ("person", "people"), "capacity": ("capacity", None), "active": ("active", None),
    }),
    "activities": (Activity, {
        name: (name, _plain) for name in (
            "title", "kind", "provider", "url", "duration_weeks", "hours_per_week", "cost",
            "currency", "earliest_start", "latest_end", "seats", "active", "description",
        )
    } | {"id": ("external_id", None)}),
}  # fmt: skip
# References from a table to itself: column -> foreign-key attribute. New rows of these tables
# are written in bulk (bulk.py: one INSERT executemany, then the references by one UPDATE
# executemany), never through the unit of work: a reporting chain set through `Person.manager`
# makes it sort rows one by one, quadratic in the chain's depth, and its per-row statements were
# most of a large import's time.
SELF_REFERENCES: dict[str, dict[str, str]] = {"people": {"manager_employee_id": "manager_id"}}
# Collections a row created by the import cannot have yet (loaded as empty, without a query).
NEW_AND_EMPTY: dict[str, tuple[str, ...]] = {"people": ("identities",)}
DEFAULTS: dict[tuple[str, str], Any] = {
    ("skill_categories", "active"): True,
    ("skills", "active"): True,
    ("roles", "critical"): False,
    ("activities", "cost"): Decimal(0),
    ("activities", "active"): True,
    ("mentors", "active"): True,
    ("people", "active"): True,
    ("role_skills", "weight"): ROLE_SKILL_WEIGHT,
}
PARENT_NOUNS = {"skills": "skill", "roles": "role", "activities": "activity"}
IDENTITY_COLUMNS = {"moodle_user_id": Lms.moodle, "canvas_user_id": Lms.canvas, "lti_subject": None}


@dataclass
class ImportReport:
    """What an import did (or would do, in a dry run), per entity, and each child row removed."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    dry_run: bool = False
    # One line per child row the import removes, e.g. "activity JS-101: LMS link canvas 1187".
    removals: list[str] = field(default_factory=list)
    # What each item of another format became (interop), e.g. "Moodle competency 'X' ... → skill".
    notes: list[str] = field(default_factory=list)

    def count(self, entity: str, outcome: str) -> None:
        """Add one created / updated / unchanged entity."""
        tally = self.counts.setdefault(entity, {"created": 0, "updated": 0, "unchanged": 0})
        tally[outcome] += 1

    @property
    def changed(self) -> int:
        """How many entities were created or updated."""
        return sum(c["created"] + c["updated"] for c in self.counts.values())

    def lines(self) -> list[str]:
        """One human line per entity."""
        return [
            f"{entity}: {c['created']} created, {c['updated']} updated, {c['unchanged']} unchanged"
            for entity, c in self.counts.items()
        ]


def _set(obj: Any, attribute: str, value: Any) -> bool:
    current = getattr(obj, attribute)
    if current is value or (not hasattr(value, "_sa_instance_state") and current == value):
        return False
    setattr(obj, attribute, value)
    return True


class Writer:
    """Applies one checked document to one tenant."""

    def __init__(
        self, session: Session, tenant: Tenant, doc: Document, stored: Stored, clock: Clock,
        keep_existing: bool = False,
    ) -> None:  # fmt: skip
        self.session, self.tenant, self.doc, self.clock = session, tenant, doc, clock
        # Seeding mode: an entity already stored (and its children) is left exactly as it is.
        self.keep = {t: set(stored.of(t)) for t in ENTITIES} if keep_existing else {}
        self.objects: dict[str, dict[Any, Any]] = {t: dict(stored.of(t)) for t in ENTITIES}
        self.bulk: dict[str, bulk.Entities] = {}  # tables whose new rows are written in bulk
        for table in SELF_REFERENCES:
            model, key = ENTITIES[table][0], ENTITIES[table][1][KEYS[table][0]][0]
            load = bulk.loader(session, model, tenant.id, key, NEW_AND_EMPTY.get(table, ()))
            self.objects[table] = self.bulk[table] = bulk.Entities(stored.of(table), load)
        self.report = ImportReport()
        # LMS ids are unique per tenant, so an import that swaps two people's ids would clash
        # half-way through the flush; new values are set only after the old ones are cleared.
        self.identity_values: list[tuple[LmsIdentity, str, str]] = []
        self._parent = ""  # how removals name the parent whose children `sync` sets
        self._merging = False  # whether `sync` keeps the parent's rows the import does not name

    def run(self) -> ImportReport:
        """Write every table in order (parents before children); return the counts."""
        with self.session.no_autoflush:
            for table in ENTITIES:
                self._table(table)
        if self.identity_values:
            self.session.flush()
            for identity, attribute, value in self.identity_values:
                setattr(identity, attribute, value)
        return self.report

    def _table(self, table: str) -> None:
        model, columns = ENTITIES[table]
        key_column = KEYS[table][0]
        rows = self.doc.rows.get(table, [])
        new = [row for row in rows if row.values[key_column] not in self.objects[table]]
        created = {row.values[key_column] for row in new}
        written: set[Any] = set()  # new rows whose columns are all stored already
        if table in SELF_REFERENCES and new:
            self._insert_then_link(table, new)
            written = created
        else:
            for row in new:
                obj = model(tenant_id=self.tenant.id)
                self.session.add(obj)
                self.objects[table][row.values[key_column]] = obj
        seen = set()
        kept = self.keep.get(table, set())
        for row in rows:
            key = row.values[key_column]
            seen.add(key)
            if key in kept:
                self.report.count(table, "unchanged")
                continue
            if key in written and not self._more_to_write(table, key, row):
                self.report.count(table, "created")
                continue
            obj = self.objects[table][key]
            todo = {} if key in written else columns
            changed = self._fields(table, row, obj, todo, key in created)
            changed = self._children(table, key, obj) or changed
            self._count(table, key in created, changed, obj)
        for key in sorted(self._given_parents(table) - seen - kept):
            obj = self.objects[table][key]
            self._count(table, False, self._children(table, key, obj), obj)

    def _insert_then_link(self, table: str, rows: list[Row]) -> None:
        """Insert new rows with their plain values, then set their references to their own table.

        Both steps are linear in rows (bulk.py): one INSERT for all rows, one UPDATE for all
        references (part of creating the record, so no new version).
        """
        model, columns = ENTITIES[table]
        key_column, refs = KEYS[table][0], SELF_REFERENCES[table]
        key_attribute = columns[key_column][0]
        self.session.flush()  # rows of other tables this import made get their ids
        now = self.clock()
        values = []
        for row in rows:
            record: dict[str, Any] = {"tenant_id": self.tenant.id, "version": 1,
                                      "created_at": now, "updated_at": now}  # fmt: skip
            record.update(dict.fromkeys(refs.values()))
            for column, (attribute, target) in columns.items():
                if column in refs:
                    continue
                value = self._value(table, row, column, target)
                if target is None:
                    record[attribute] = value
                else:
                    to = value.id if value is not None else None
                    record[bulk.foreign_key(model, attribute)] = to
            values.append(record)
        ids = bulk.insert_rows(self.session, model, self.tenant.id, key_attribute, values)
        entities = self.bulk[table]
        entities.add_unloaded(ids)
        for column, foreign_key in refs.items():
            links = []
            for row in rows:
                ref = row.values.get(column)
                if ref is not None:
                    to = ids[ref] if ref in ids else entities[ref].id
                    links.append((ids[row.values[key_column]], to))
            bulk.set_references(self.session, model, foreign_key, links)

    def _more_to_write(self, table: str, key: str, row: Row) -> bool:
        """Whether a row written in bulk still has LMS identities or children to write."""
        if table == "people" and any(row.values.get(c) for c in IDENTITY_COLUMNS):
            return True
        return any(key in self.doc.given.get(child, ()) for child in CHILDREN
                   if CHILDREN[child][0] == table)  # fmt: skip

    def forget_loaded(self) -> None:
        """Drop objects loaded for bulk-written rows from the session (after a rollback)."""
        for entities in self.bulk.values():
            for obj in entities.loaded:
                if obj in self.session:
                    self.session.expunge(obj)

    def _value(self, table: str, row: Row, column: str, target: str | None) -> Any:
        """A column's value to store: the default when empty, the entity for a reference."""
        value = row.values.get(column)
        if value is None:
            return DEFAULTS.get((table, column))
        return value if target is None else self.objects[target][value]

    def _count(self, table: str, created: bool, changed: bool, obj: Any) -> None:
        if changed and not created and not self.session.is_modified(obj, include_collections=False):
            obj.updated_at = (
                self.clock()
            )  # only children changed: still a new version of the parent
        self.report.count(table, "created" if created else "updated" if changed else "unchanged")

    def _fields(self, table: str, row: Row, obj: Any, columns: Any, new: bool) -> bool:
        changed = False
        refs = SELF_REFERENCES.get(table, {})
        for column, (attribute, target) in columns.items():
            if column not in row.present and not new:
                continue  # an absent optional column leaves the stored value alone
            value = self._value(table, row, column, target)
            if column in refs:
                changed = self._set_reference(obj, attribute, refs[column], value) or changed
            else:
                changed = _set(obj, attribute, value) or changed
        if table == "people":
            for column, lms in IDENTITY_COLUMNS.items():
                if column in row.present:
                    changed = self._identity(obj, lms, row.values.get(column)) or changed
        return changed

    def _set_reference(self, obj: Any, attribute: str, foreign_key: str, to: Any) -> bool:
        """Point `obj` at `to` (same table, already stored) by id; the relationship reloads."""
        if not _set(obj, foreign_key, to.id if to is not None else None):
            return False
        self.session.expire(obj, [attribute])
        return True

    def _identity(self, person: Person, lms: Lms | None, value: str | None) -> bool:
        attribute = "lms_user_id" if lms is not None else "subject"
        mine = [
            i for i in person.identities
            if i.issuer == "" and i.lms == lms and getattr(i, attribute) is not None
        ]  # fmt: skip
        if value is None:
            for identity in mine:
                person.identities.remove(identity)
            return bool(mine)
        if mine and getattr(mine[0], attribute) == value:
            return False
        if mine:
            identity = mine[0]
            setattr(identity, attribute, None)  # cleared now, set after the flush (see run)
        else:
            identity = LmsIdentity(tenant_id=self.tenant.id, lms=lms, issuer="", client_id="")
            person.identities.append(identity)
        self.identity_values.append((identity, attribute, value))
        return True

    def _given_parents(self, table: str) -> set[str]:
        found: set[str] = set()
        for child, (parent, *_rest) in CHILDREN.items():
            if parent == table:
                found |= self.doc.given.get(child, set())
        return found

    def _children(self, table: str, key: str, obj: Any) -> bool:
        changed = False
        for child, (parent, parent_column, *_rest) in CHILDREN.items():
            if parent != table or key not in self.doc.given.get(child, ()):
                continue
            rows = self._groups(child, parent_column).get(key, [])
            self._parent = f"{PARENT_NOUNS[table]} {key}"
            self._merging = child in self.doc.merged
            changed = SYNCS[child](self, obj, rows) or changed
        return changed

    def _groups(self, child: str, parent_column: str) -> dict[str, list[Row]]:
        cache: dict[str, dict[str, list[Row]]] = self.__dict__.setdefault("_group_cache", {})
        if child not in cache:
            groups: dict[str, list[Row]] = defaultdict(list)
            for row in self.doc.rows.get(child, []):
                groups[row.values[parent_column]].append(row)
            cache[child] = groups
        return cache[child]

    def sync(
        self, collection: list[Any], current: dict[Any, Any], wanted: dict[Any, dict[str, Any]],
        make: Callable[[], Any], name: Callable[[Any], str],
    ) -> bool:  # fmt: skip
        """Make a child collection hold exactly `wanted` (key -> attributes), reusing rows.

        When the import merges this table (a partial upload), rows it does not name stay. Each
        row removed is reported by `name` (e.g. "LMS link canvas 1187").
        """
        changed = False
        for key, attributes in wanted.items():
            row = current.pop(key, None)
            if row is None:
                row = make()
                row.tenant_id = self.tenant.id
                collection.append(row)
                changed = True
            for attribute, value in attributes.items():
                changed = _set(row, attribute, value) or changed
        if self._merging:
            return changed
        for row in current.values():
            self.report.removals.append(f"{self._parent}: {name(row)} removed")
            collection.remove(row)
            changed = True
        return changed

    def ref(self, table: str, key: Any) -> Any:
        """The entity (stored or created by this import) with this key."""
        return self.objects[table][key]
