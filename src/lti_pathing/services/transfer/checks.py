"""Every rule of an import, checked against the state the tenant would have afterwards.

Rows are first typed by their schema; then the rules that need other rows or the tenant run:
duplicates, references, skill scales and levels, unique names, activity rules, and cycles.
All problems are collected; none stops the others.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from marshmallow import ValidationError

from lti_pathing.models import ActivityKind, Lms
from lti_pathing.services.transfer.reader import CHILDREN, KEYS, Document, Problem, Row
from lti_pathing.services.transfer.schemas import MESSAGES, ROW_SCHEMAS
from lti_pathing.services.transfer.stored import Stored

# (table, column, referenced table, what it is called in messages)
REFERENCES = [
    ("skills", "category", "skill_categories", "skill category"),
    ("roles", "family", "job_families", "job family"),
    ("role_skills", "skill", "skills", "skill"),
    ("skill_relations", "related", "skills", "skill"),
    ("career_paths", "to_role", "roles", "role"),
    ("activity_outcomes", "skill", "skills", "skill"),
    ("activity_skill_prereqs", "skill", "skills", "skill"),
    ("activity_prereqs", "requires", "activities", "activity"),
    ("activity_mentors", "mentor", "mentors", "mentor"),
    ("mentors", "person", "people", "person"),
    ("people", "manager_employee_id", "people", "manager"),
    ("people", "current_role", "roles", "role"),
    ("people", "target_role", "roles", "role"),
] + [(child, col, parent, parent.rstrip("s")) for child, (parent, col, _k, _s) in CHILDREN.items()]
LEVEL_REFERENCES = ("role_skills", "activity_outcomes", "activity_skill_prereqs")
SOURCED = ("skill_categories", "skills", "roles")  # tables whose items name their source


def check(doc: Document, stored: Stored) -> list[Problem]:
    """Type every row, then check every rule; return all problems (read problems first)."""
    return Checker(doc, stored).run()


class Checker:
    """Collects the problems of one import."""

    def __init__(self, doc: Document, stored: Stored) -> None:
        self.doc, self.stored = doc, stored
        self.problems: list[Problem] = list(doc.problems)
        self._index: dict[str, dict[Any, Row]] = {}
        self._groups: dict[str, dict[Any, list[Row]]] = {}
        # One schema per table: building one copies every field, dearer than loading a row.
        self._schemas = {table: schema() for table, schema in ROW_SCHEMAS.items()}

    def run(self) -> list[Problem]:
        """All problems of the import, in the order found."""
        for rows in self.doc.rows.values():
            for row in rows:
                self._load(row)
        self._duplicates()
        self._references()
        scales = self._scales()
        self._levels(scales)
        self._unique_names()
        for table in SOURCED:
            self._unique_source(table)
        self._activities()
        self._cycles("activity_prereqs", "prerequisite cycle", self._prereq_graph())
        self._cycles("people", "reporting cycle", self._manager_graph())
        return self.problems

    def rows(self, table: str) -> list[Row]:
        """The rows of a table in this import (none when the file or section is absent)."""
        return self.doc.rows.get(table, [])

    def add(self, row: Row, column: str | None, message: str, code: str = "invalid") -> None:
        """Record a problem at one cell."""
        self.problems.append(row.problem(column, message, code))

    def _load(self, row: Row) -> None:
        try:
            row.values = self._schemas[row.table].load(row.raw)
        except ValidationError as error:
            row.ok = False
            row.values = dict(error.valid_data or {})
            for column, messages in _flat(error.messages):
                for message in messages:
                    if row.line is not None and message == MESSAGES["required"]:
                        continue  # a column missing from a CSV header is reported once, on line 1
                    self.add(row, None if column == "_schema" else column, message)

    def ids(self, table: str) -> set[Any]:
        """Keys of a parent table after the import: this import's rows and the stored ones."""
        column = KEYS[table][0]
        found = {row.get(column) for row in self.rows(table)}
        return (found - {None}) | set(self.stored.of(table))

    def _duplicates(self) -> None:
        for table, rows in self.doc.rows.items():
            seen: dict[tuple[Any, ...], Row] = {}
            for row in rows:
                key = tuple(row.get(col) for col in KEYS[table])
                if None in key:
                    continue
                if key in seen:
                    first = seen[key]
                    where = f"line {first.line}" if first.line is not None else first.pointer
                    shown = ", ".join(str(part) for part in key)
                    self.add(row, KEYS[table][-1], f"duplicate of {where} ({shown})", "duplicate")
                else:
                    seen[key] = row

    def _references(self) -> None:
        known = {table: self.ids(table) for table in {ref[2] for ref in REFERENCES}}
        for table, column, target, what in REFERENCES:
            for row in self.rows(table):
                value = row.get(column)
                if value is not None and value not in known[target]:
                    message = (
                        f"{what} {value!r} is neither in {self.doc.where(target)} "
                        "nor in this tenant"
                    )
                    self.add(row, column, message, "unknown_reference")

    def _scales(self) -> dict[str, int]:
        """Each skill's number of levels after the import (0: none), checking given scales."""
        scales = {key: skill.max_level for key, skill in self.stored.skills.items()}
        given: dict[str, list[Row]] = {key: [] for key in self.doc.given.get("skill_levels", ())}
        for row in self.rows("skill_levels"):
            if row.get("skill") in given:
                given[row.values["skill"]].append(row)
        skill_rows = {row.get("id"): row for row in self.rows("skills")}
        for skill, rows in given.items():
            numbers = sorted(r.values["level"] for r in rows if "level" in r.values)
            scales[skill] = len(numbers)
            if numbers and numbers != list(range(1, len(numbers) + 1)):
                shown = ", ".join(map(str, numbers))
                self.add(
                    rows[-1],
                    "level",
                    f"levels of skill {skill!r} must be 1..N without gaps (got {shown})",
                )
            elif not numbers and skill in skill_rows:
                scales[skill] = -1  # reported below
        for key, row in skill_rows.items():
            if key is not None and scales.get(key, 0) <= 0:
                self.add(
                    row,
                    "id",
                    f"skill {key!r} needs its levels (1..N) in {self.doc.where('skill_levels')}",
                )
        self._scales_still_cover(scales)
        return scales

    def _scales_still_cover(self, scales: dict[str, int]) -> None:
        """A stored role or activity left alone may not require a level a new scale drops."""
        level_rows = defaultdict(list)
        for row in self.rows("skill_levels"):
            level_rows[row.get("skill")].append(row)
        for owner, level, skill in self._stored_level_uses():
            if level > scales.get(skill, level) > 0 and level_rows[skill]:
                self.add(
                    level_rows[skill][-1],
                    "level",
                    f"level {level} of skill {skill!r} is still used by {owner}",
                )

    def _stored_level_uses(self) -> Iterator[tuple[str, int, str]]:
        given = self.doc.given
        for key, role in self.stored.roles.items():
            if key not in given.get("role_skills", ()):
                for rs in role.skills:
                    yield f"role {key!r}", rs.level, rs.skill.external_id
        for key, activity in self.stored.activities.items():
            for table, rows in (
                ("activity_outcomes", activity.outcomes),
                ("activity_skill_prereqs", activity.skill_prereqs),
            ):
                if key not in given.get(table, ()):
                    for r in rows:
                        yield f"activity {key!r}", r.level, r.skill.external_id

    def _levels(self, scales: dict[str, int]) -> None:
        for row in self.rows("skills"):
            skill, level = row.get("id"), row.get("proficient_level")
            top = scales.get(skill, 0)
            if level is not None and top > 0 and level > top:
                self.add(row, "proficient_level", f"skill {skill!r} has levels 1..{top}",
                         "level_out_of_scale")  # fmt: skip
        for table in LEVEL_REFERENCES:
            for row in self.rows(table):
                skill, level = row.get("skill"), row.get("level")
                top = scales.get(skill, 0)
                if level is not None and top > 0 and level > top:
                    self.add(
                        row,
                        "level",
                        f"skill {skill!r} has levels 1..{top}; {level} is above its top",
                        "level_out_of_scale",
                    )

    def _unique_names(self) -> None:
        def stored_identity(lms: Lms | None) -> dict[str, Any]:
            found = {}
            for key, person in self.stored.people.items():
                for i in person.identities:
                    if i.issuer == "" and i.lms == lms and (i.lms_user_id if lms else i.subject):
                        found[key] = i.lms_user_id if lms else i.subject
            return found

        stored = self.stored
        self._unique(
            "skill_categories", "name", {k: c.name for k, c in stored.skill_categories.items()}
        )
        self._unique("skills", "name", {k: s.name for k, s in stored.skills.items()})
        self._unique("people", "email", {k: p.email for k, p in stored.people.items()})
        self._unique("people", "lti_subject", stored_identity(None))
        self._unique("people", "moodle_user_id", stored_identity(Lms.moodle))
        self._unique("people", "canvas_user_id", stored_identity(Lms.canvas))

    def _unique(self, table: str, column: str, values: dict[str, Any]) -> None:
        """A column unique in the tenant (case-insensitive), judged on the final values."""
        key_column = KEYS[table][0]
        final = dict(values)
        for row in self.rows(table):
            if column in row.values and row.get(key_column) is not None:
                final[row.values[key_column]] = row.values[column]
        owners: dict[str, list[str]] = defaultdict(list)
        for key, value in final.items():
            if value is not None:
                owners[value.lower()].append(key)
        for row in self.rows(table):
            value = row.get(column)
            if value is not None and column in row.values:
                others = sorted(k for k in owners[value.lower()] if k != row.get(key_column))
                if others:
                    self.add(row, column, f"{value!r} is also used by {others[0]!r}", "not_unique")

    def _unique_source(self, table: str) -> None:
        """(source, source_id) names one item per table in the tenant, after the import."""
        final = {key: (item.source, item.source_id) for key, item in self.stored.of(table).items()}
        for row in self.rows(table):
            if "source" in row.present and row.get("id") is not None:
                final[row.values["id"]] = (row.get("source"), row.get("source_id"))
        owners: dict[tuple[Any, Any], list[str]] = defaultdict(list)
        for key, pair in final.items():
            if None not in pair:
                owners[pair].append(key)
        for row in self.rows(table):
            pair = (row.get("source"), row.get("source_id"))
            if None in pair or "source" not in row.present:
                continue
            others = sorted(k for k in owners[pair] if k != row.get("id"))
            if others:
                message = f"{pair[1]!r} of {pair[0]!r} is also the source of {others[0]!r}"
                self.add(row, "source_id", message, "not_unique")

    def _final(self, table: str, key: str, column: str) -> Any:
        """A column's value after the import: this import's row, or the stored value."""
        row = self._by_key(table).get(key)
        if row is not None and column in row.values:
            return row.values[column]
        stored = self.stored.of(table).get(key)
        return getattr(stored, column, None) if stored is not None else None

    def _by_key(self, table: str) -> dict[Any, Row]:
        if table not in self._index:
            self._index[table] = {r.get(KEYS[table][0]): r for r in self.rows(table)}
        return self._index[table]

    def _children(self, table: str, parent: str, column: str) -> list[tuple[Row | None, Any]]:
        """A parent's child values after the import: from this import if given, else stored."""
        if parent not in self.doc.given.get(table, ()):
            return [(None, value) for value in _stored_children(self.stored, table, parent)]
        if table not in self._groups:
            groups = self._groups[table] = defaultdict(list)
            for r in self.rows(table):
                groups[r.get(CHILDREN[table][1])].append(r)
        return [(r, _value(r, column)) for r in self._groups[table].get(parent, [])]

    def _activities(self) -> None:
        keys = {row.get("id") for row in self.rows("activities")} - {None}
        for table in ("activity_outcomes", "activity_skill_prereqs", "activity_mentors", "cohorts"):
            keys |= self.doc.given.get(table, set()) & self.ids("activities")
        rows = {row.get("id"): row for row in self.rows("activities")}
        for key in sorted(keys):
            self._activity(key, rows.get(key))

    def _activity(self, key: str, row: Row | None) -> None:
        grants = {
            skill: level for _r, (skill, level) in self._children("activity_outcomes", key, "pair")
        }
        for prereq, (skill, level) in self._children("activity_skill_prereqs", key, "pair"):
            top = grants.get(skill)
            if prereq is not None and level is not None and top is not None and level >= top:
                self.add(
                    prereq,
                    "level",
                    f"must be lower than the level {key!r} grants in {skill!r} ({top})",
                )
        mentorship = self._final("activities", key, "kind") == ActivityKind.mentorship
        if row is not None and mentorship and not self._children("activity_mentors", key, "m"):
            where = self.doc.where("activity_mentors")
            self.add(row, "kind", f"a mentorship needs at least one mentor in {where}")
        start, end = (
            self._final("activities", key, "earliest_start"),
            self._final("activities", key, "latest_end"),
        )
        weeks = self._final("activities", key, "duration_weeks") or 0
        for cohort, starts_on in self._children("cohorts", key, "starts_on"):
            if cohort is None or starts_on is None:
                continue
            if start is not None and starts_on < start:
                self.add(cohort, "starts_on", f"before the activity's earliest_start ({start})")
            if end is not None and starts_on + dt.timedelta(weeks=weeks) > end:
                self.add(cohort, "starts_on", f"would end after the activity's latest_end ({end})")

    def _prereq_graph(self) -> dict[str, list[tuple[Row | None, str]]]:
        return {
            key: self._children("activity_prereqs", key, "requires")
            for key in self.ids("activities")
        }

    def _manager_graph(self) -> dict[str, list[tuple[Row | None, str]]]:
        graph: dict[str, list[tuple[Row | None, str]]] = {}
        for key, person in self.stored.people.items():
            graph[key] = [(None, person.manager.external_id)] if person.manager else []
        for row in self.rows("people"):
            key = row.get("employee_id")
            if key is not None and "manager_employee_id" in row.present:
                manager = row.get("manager_employee_id")
                graph[key] = [(row, manager)] if manager is not None else []
        return graph

    def _cycles(
        self, table: str, what: str, graph: dict[str, list[tuple[Row | None, Any]]]
    ) -> None:
        """Report every cycle once, on each row of this import that is an edge of it."""
        column = "requires" if table == "activity_prereqs" else "manager_employee_id"
        done: set[str] = set()
        for root in sorted(graph):
            if root in done:
                continue
            path: list[tuple[Row | None, str]] = [(None, root)]
            on_path = {root}
            stack = [iter(graph[root])]
            while stack:
                edge = next(stack[-1], None)
                if edge is None:
                    stack.pop()
                    done.add(path[-1][1])
                    on_path.discard(path.pop()[1])
                    continue
                row, target = edge
                if target is None or target not in graph or target in done:
                    continue
                if target in on_path:
                    start = next(i for i, (_r, n) in enumerate(path) if n == target)
                    cycle = [*path[start:], (row, target)]
                    shown = " -> ".join(n for _r, n in cycle)
                    for edge_row in {id(r): r for r, _n in cycle[1:] if r is not None}.values():
                        self.add(edge_row, column, f"{what}: {shown}", "cycle")
                    continue
                path.append((row, target))
                on_path.add(target)
                stack.append(iter(graph[target]))


def _stored_children(stored: Stored, table: str, parent: str) -> list[Any]:
    activity = stored.activities.get(parent)
    if activity is None:
        return []
    if table == "activity_outcomes":
        return [(o.skill.external_id, o.level) for o in activity.outcomes]
    if table == "activity_skill_prereqs":
        return [(p.skill.external_id, p.level) for p in activity.skill_prereqs]
    if table == "activity_prereqs":
        return [p.requires.external_id for p in activity.prereqs]
    if table == "activity_mentors":
        return [m.mentor_id for m in activity.mentors]
    if table == "cohorts":
        return [c.starts_on for c in activity.cohorts]
    raise ValueError(table)  # pragma: no cover - a caller bug


def _value(row: Row, column: str) -> Any:
    if column == "pair":
        return (row.get("skill"), row.get("level"))
    return row.get(column)


def _flat(messages: Any) -> Iterator[tuple[str, list[str]]]:
    if isinstance(messages, dict):
        for column, inner in messages.items():
            yield column, inner if isinstance(inner, list) else [str(inner)]
    else:
        yield "_schema", list(messages)
