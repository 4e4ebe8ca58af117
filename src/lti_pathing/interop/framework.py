"""A framework read from another format, and how it becomes rows of the import.

Every reader (Moodle, Canvas, ...) produces a `Framework`: categories and skills, each with its
identifier in the source. `to_document` turns it into the import's `Document`, whose `prepare`
step runs once the tenant's stored entities are loaded: an item an earlier import of the same
source made keeps its external id (updated in place, never duplicated), and an item of that
source the file no longer holds is retired (`active = false`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from lti_pathing.services.transfer.reader import Document, Problem, Row
from lti_pathing.services.transfer.schemas import ID_PATTERN
from lti_pathing.services.transfer.stored import Stored

ID_MAX = 64
TABLES_OF = {"category": "skill_categories", "skill": "skills", "family": "job_families",
             "role": "roles"}  # fmt: skip
TABLES = ("skill_categories", "skills", "skill_levels", "skill_relations", "job_families",
          "roles", "role_skills")  # fmt: skip
_NOT_ID = re.compile(r"[^A-Za-z0-9._:-]+")


@dataclass
class Level:
    """One step of a source scale: its name and what the source calls it (value, points)."""

    name: str
    source_value: str
    description: str | None = None


@dataclass
class Item:
    """A category or a skill of the framework, located at its line in the file."""

    kind: str  # "category", "skill", "family" (job family) or "role"
    source_id: str
    name: str
    line: int
    description: str | None = None
    category: str | None = None  # source id of the category (skills)
    levels: list[Level] = field(default_factory=list)
    proficient_level: int | None = None
    related: list[tuple[str, str]] = field(default_factory=list)  # (source id, kind)
    retired: bool = False  # the source says it is deleted
    pointer: str | None = None  # a JSON source: where the item is (instead of a line)
    extra: dict[str, str] = field(default_factory=dict)  # a role's family, track, level, rank
    required: list[tuple[str, int, str]] = field(default_factory=list)  # (skill, level, weight)
    note: str = ""  # what the source called it, e.g. "Moodle competency 'X' (idnumber Y)"


@dataclass
class Framework:
    """What a reader found in one file: its items and problems, named by `source`."""

    file: str
    source: str  # e.g. "moodle:OECD-CORE", "canvas"
    labels: dict[str, dict[str, str]]  # table -> import column -> the source file's column
    items: list[Item] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Whether items of this source the file no longer holds are retired (a framework file is
    # whole; O*NET slices are not).
    retire_vanished: bool = True
    # Source id -> the external id of a skill the tenant already has, chosen by the admin: that
    # skill becomes the item (keeps its name and description, takes the source and its scale).
    mapping: dict[str, str] = field(default_factory=dict)

    def problem(self, line: int | None, column: str | None, message: str) -> None:
        """Record a problem at a line (and column) of the source file."""
        self.problems.append(Problem(self.file, message, row=line, column=column))

    def problem_at(self, pointer: str, message: str) -> None:
        """Record a problem at a JSON pointer of the source document."""
        self.problems.append(Problem(self.file, message, path=pointer))


def to_document(framework: Framework, mapping: dict[str, str] | None = None) -> Document:
    """The import document of a framework; ids are settled by `prepare` against the tenant."""
    framework.mapping = dict(mapping or {})
    doc = Document("csv", framework.file, problems=list(framework.problems))
    doc.notes = list(framework.notes)
    doc.prepare = lambda stored: _prepare(doc, framework, stored)
    return doc


def _prepare(doc: Document, framework: Framework, stored: Stored) -> None:
    doc.problems += _check_mapping(framework, stored)
    ids = {
        "category": _settle(framework, "category", stored.skill_categories),
        "skill": _settle(framework, "skill", stored.skills),
        "role": _settle(framework, "role", stored.roles),
        # Job families keep no source: a reader names them by a stable external id.
        "family": {i.source_id: i.source_id for i in framework.items if i.kind == "family"},
    }
    rows: dict[str, list[Row]] = {table: [] for table in TABLES}
    for item in framework.items:
        table = TABLES_OF[item.kind]
        known = ids[item.kind][item.source_id] in stored.of(table)
        if item.retired and not known:
            doc.notes.append(f"{item.note}: deleted in the source and never imported: skipped")
        elif item.kind in ("family", "role"):
            _job_rows(framework, item, ids, rows)
        elif item.kind == "skill" and item.source_id in framework.mapping:
            skill = stored.skills[ids["skill"][item.source_id]]
            doc.notes.append(
                f"{item.note} → mapped onto skill '{skill.name}' ({skill.external_id})"
            )
            _item_rows(framework, item, ids, rows, skill.name)
        else:
            _item_rows(framework, item, ids, rows)
    for table, kind in (("skill_categories", "category"), ("skills", "skill")):
        if framework.retire_vanished:
            doc.notes += _retire(framework, table, stored.of(table), ids[kind], rows)
    doc.rows = {table: found for table, found in rows.items() if found}
    parents = {row.raw["id"] for row in rows["skills"] if "source" in row.raw}
    doc.given = {"skill_levels": parents, "skill_relations": parents}
    if rows["roles"]:
        doc.given["role_skills"] = {row.raw["id"] for row in rows["roles"]}


def _check_mapping(framework: Framework, stored: Stored) -> list[Problem]:
    """Each mapping names a skill of the file and a skill of the tenant; bad ones are dropped."""
    skills = {item.source_id for item in framework.items if item.kind == "skill"}
    problems = []
    for source_id, key in sorted(framework.mapping.items()):
        if source_id not in skills:
            message = f"map: {source_id!r} is not a skill of this file"
        elif key not in stored.skills:
            message = f"map: no skill {key!r} in this tenant"
        else:
            continue
        problems.append(Problem(framework.file, message, code="unknown_reference"))
        del framework.mapping[source_id]
    return problems


def parse_mapping(text: str) -> dict[str, str]:
    """`source-id=skill-id` pairs, separated by commas or new lines, as a mapping."""
    pairs = [part.split("=", 1) for part in text.replace("\n", ",").split(",") if "=" in part]
    return {source.strip(): key.strip() for source, key in pairs if source.strip()}


def _settle(framework: Framework, kind: str, stored: dict[str, Any]) -> dict[str, str]:
    """Source id -> external id: the stored item's of the same source, else a new free one."""
    mine = {
        item.source_id: key
        for key, item in stored.items()
        if item.source == framework.source and item.source_id is not None
    }
    taken = set(stored)
    settled: dict[str, str] = {}
    for item in framework.items:
        if item.kind != kind or item.source_id in settled:
            continue
        mapped = framework.mapping.get(item.source_id) if kind == "skill" else None
        key = mapped or mine.get(item.source_id) or _free_id(item.source_id, taken)
        settled[item.source_id] = key
        taken.add(key)
    return settled


def _free_id(source_id: str, taken: set[str]) -> str:
    """An external id like the source's identifier, made valid and unique (hashed when not)."""
    slug = _NOT_ID.sub("-", source_id).strip("-._:")[:ID_MAX]
    if slug and ID_PATTERN.fullmatch(slug) and slug not in taken:
        return slug
    digest = hashlib.sha256(source_id.encode("utf-8")).hexdigest()
    for length in (8, 16, 40):
        candidate = f"{slug[: ID_MAX - length - 1]}-{digest[:length]}".lstrip("-._:")
        if candidate not in taken:
            return candidate
    raise ValueError(source_id)  # pragma: no cover - a sha256 clash


def _row(framework: Framework, table: str, item: Item, raw: dict[str, Any]) -> Row:
    labels = framework.labels.get(table, {})
    if item.pointer is not None:
        pointers = {column: f"{item.pointer}/{label}" for column, label in labels.items()}
        return Row(table, framework.file, raw, pointer=item.pointer, pointers=pointers)
    return Row(table, framework.file, raw, line=item.line, labels=labels)


def _active(item: Item) -> str:
    return "false" if item.retired else "true"


def _item_rows(
    framework: Framework, item: Item, ids: dict[str, dict[str, str]], rows: dict[str, list[Row]],
    stored_name: str | None = None,
) -> None:  # fmt: skip
    raw: dict[str, str | None] = {
        "name": item.name, "source": framework.source, "source_id": item.source_id,
        "active": _active(item),
    }  # fmt: skip
    if item.kind == "category":
        raw["id"] = ids["category"][item.source_id]
        rows["skill_categories"].append(_row(framework, "skill_categories", item, raw))
        return
    key = ids["skill"][item.source_id]
    category = ids["category"].get(item.category) if item.category is not None else None
    level = str(item.proficient_level) if item.proficient_level is not None else None
    raw.update(id=key, category=category, description=item.description, proficient_level=level)
    if item.source_id in framework.mapping:  # the tenant's skill keeps its own words
        raw["name"] = stored_name
        del raw["description"]
    rows["skills"].append(_row(framework, "skills", item, raw))
    for number, step in enumerate(item.levels, start=1):
        level_raw = {"skill": key, "level": str(number), "name": step.name,
                     "description": step.description,
                     "source_value": step.source_value}  # fmt: skip
        rows["skill_levels"].append(_row(framework, "skill_levels", item, level_raw))
    for related, kind in item.related:
        if related in ids["skill"] and related != item.source_id:
            relation = {"skill": key, "related": ids["skill"][related], "kind": kind}
            rows["skill_relations"].append(_row(framework, "skill_relations", item, relation))


def _job_rows(
    framework: Framework, item: Item, ids: dict[str, dict[str, str]], rows: dict[str, list[Row]]
) -> None:
    """A job family, or a role with the skill levels it requires."""
    if item.kind == "family":
        raw = {"id": item.source_id, "name": item.name, "description": item.description}
        rows["job_families"].append(_row(framework, "job_families", item, raw))
        return
    key = ids["role"][item.source_id]
    role: dict[str, str | None] = {
        "id": key, "title": item.name, "description": item.description,
        "source": framework.source, "source_id": item.source_id, **item.extra,
    }  # fmt: skip
    rows["roles"].append(_row(framework, "roles", item, role))
    for skill, level, weight in item.required:
        required = {"role": key, "skill": ids["skill"][skill], "level": str(level),
                    "weight": weight}  # fmt: skip
        rows["role_skills"].append(_row(framework, "role_skills", item, required))


def _retire(
    framework: Framework, table: str, stored: dict[str, Any], ids: dict[str, str],
    rows: dict[str, list[Row]],
) -> list[str]:  # fmt: skip
    """Retire what an earlier import of this source made and this file no longer holds."""
    noun = "skill" if table == "skills" else "category"
    notes = []
    settled = set(ids.values())
    for key in sorted(stored):
        item = stored[key]
        if item.source != framework.source or key in settled or not item.active:
            continue
        raw = {"id": key, "name": item.name, "active": "false"}
        rows[table].append(Row(table, framework.file, raw))
        notes.append(
            f"{noun} '{item.name}' ({item.source_id}) is no longer in {framework.source}: retired"
        )
    return notes
