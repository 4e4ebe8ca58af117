"""Moodle competency framework CSV (admin tool `tool_lpimportcsv`): read and write.

Moodle reads the 14 columns by position (the header's wording is the site language's); so do we,
after recognising the first two names. The framework row (`Is framework` set) names the
framework and its default scale; every other row is a competency with its parent's id number.
A competency with children becomes a category, a leaf a skill in its parent's category (a leaf
at the top: in a category named after the framework). The scale's values become the skill's
levels, its configuration the proficient level; cross-references become skill relations.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from lti_pathing.interop.framework import Framework, Item, Level
from lti_pathing.interop.text import cell_out, records

HEADER = ["Parent id number", "Id number", "Shortname", "Description", "Description format",
          "Scale values", "Scale configuration", "Rule type (optional)", "Rule outcome (optional)",
          "Rule config (optional)", "Cross referenced competency id numbers",
          "Exported id (optional)", "Is framework", "Taxonomy"]  # fmt: skip
PARENT, IDNUMBER, SHORTNAME, DESCRIPTION, FORMAT, SCALE, CONFIG, RULE = range(8)
RELATED, IS_FRAMEWORK = 10, 12
SOURCE_PREFIX = "moodle:"
FORMAT_HTML, FORMAT_PLAIN = "1", "2"
MAX_LEVELS = 10
LABELS = {
    "skills": {"id": HEADER[IDNUMBER], "source_id": HEADER[IDNUMBER], "name": HEADER[SHORTNAME],
               "description": HEADER[DESCRIPTION], "category": HEADER[PARENT],
               "proficient_level": HEADER[CONFIG]},
    "skill_categories": {"id": HEADER[IDNUMBER], "source_id": HEADER[IDNUMBER],
                         "name": HEADER[SHORTNAME]},
    "skill_levels": {"name": HEADER[SCALE], "level": HEADER[SCALE],
                     "source_value": HEADER[SCALE]},
    "skill_relations": {"related": HEADER[RELATED]},
}  # fmt: skip


def looks_like(header: list[str]) -> bool:
    """Whether a CSV header is Moodle's framework export (its first two columns, any case)."""
    names = [name.strip().lower() for name in header[:2]]
    return names == ["parent id number", "id number"]


def _truthy(cell: str) -> bool:
    return cell not in ("", "0")  # PHP's truth, as Moodle's importer tests the cell


def read(name: str, text: str) -> Framework:
    """The framework in a Moodle export; problems name the line and Moodle's column."""
    rows: list[tuple[int, list[str]]] = []
    framework_row: tuple[int, list[str]] | None = None
    found = Framework(name, SOURCE_PREFIX, LABELS)
    for line, cells in records(name, text):
        if not any(cells):
            continue
        cells = (cells + [""] * len(HEADER))[: max(len(cells), len(HEADER))]
        if len(cells) > len(HEADER) and any(cells[len(HEADER) :]):
            found.problem(line, None, f"{len(cells)} cells; Moodle's export has {len(HEADER)}")
        elif _truthy(cells[IS_FRAMEWORK]) and framework_row is not None:
            found.problem(line, HEADER[IS_FRAMEWORK], "a second framework row (one per file)")
        elif _truthy(cells[IS_FRAMEWORK]):
            framework_row = (line, cells)
        else:
            rows.append((line, cells))
    if framework_row is None:
        found.problem(1, HEADER[IS_FRAMEWORK], "no framework row (Is framework = 1)")
        return found
    _Builder(found, framework_row, rows).build()
    return found


class _Builder:
    """Turns Moodle's rows into categories and skills (one framework)."""

    def __init__(
        self, found: Framework, framework_row: tuple[int, list[str]],
        rows: list[tuple[int, list[str]]],
    ) -> None:  # fmt: skip
        self.found, (self.line, self.head), self.rows = found, framework_row, rows
        self.framework_id = self.head[IDNUMBER] or self.head[SHORTNAME]
        found.source = f"{SOURCE_PREFIX}{self.framework_id}"
        self.by_id: dict[str, tuple[int, list[str]]] = {}
        self.children: Counter[str] = Counter()

    def build(self) -> None:
        """Check the rows, then make one item per competency."""
        if not self.framework_id:
            self.found.problem(self.line, HEADER[IDNUMBER], "the framework needs an id number")
            return
        default_scale = self._scale(self.line, self.head)
        for line, cells in self.rows:
            self._index(line, cells)
        for line, cells in self.rows:
            parent = cells[PARENT]
            if parent and parent not in self.by_id:
                self.found.problem(line, HEADER[PARENT], f"{parent!r} is not a competency here")
        self._cycles()
        names: Counter[tuple[str, str]] = Counter()
        items = [self._item(line, cells, default_scale) for line, cells in self.by_id.values()]
        for item in items:
            names[(item.kind, item.name.casefold())] += 1
        if any(item.kind == "skill" and item.category is None for item in items):
            top = Item("category", self.framework_id, self.head[SHORTNAME] or self.framework_id,
                       self.line, note=f"Moodle framework '{self.head[SHORTNAME]}'")  # fmt: skip
            for item in items:
                if item.kind == "skill" and item.category is None:
                    item.category = top.source_id
            items.insert(0, top)
            names[("category", top.name.casefold())] += 1
        for item in items:
            if names[(item.kind, item.name.casefold())] > 1:
                item.name = f"{item.name} ({item.source_id})"
            self.found.items.append(item)
            self.found.notes.append(self._note(item))
        self._related_notes(items)

    def _index(self, line: int, cells: list[str]) -> None:
        idnumber, shortname = cells[IDNUMBER], cells[SHORTNAME]
        if not idnumber or not shortname:
            missing = HEADER[IDNUMBER] if not idnumber else HEADER[SHORTNAME]
            self.found.problem(line, missing, "required value is empty")
        elif idnumber in self.by_id:
            first = self.by_id[idnumber][0]
            self.found.problem(line, HEADER[IDNUMBER], f"{idnumber!r} is also on line {first}")
        else:
            self.by_id[idnumber] = (line, cells)
            if cells[PARENT]:
                self.children[cells[PARENT]] += 1

    def _cycles(self) -> None:
        for idnumber, (line, _cells) in self.by_id.items():
            seen, current = {idnumber}, self.by_id[idnumber][1][PARENT]
            while current in self.by_id:
                if current in seen:
                    message = f"{idnumber!r} is its own ancestor (a parent cycle)"
                    self.found.problem(line, HEADER[PARENT], message)
                    break
                seen.add(current)
                current = self.by_id[current][1][PARENT]

    def _item(self, line: int, cells: list[str], default: tuple[list[Level], int | None]) -> Item:
        idnumber, parent = cells[IDNUMBER], cells[PARENT] or None
        kind = "category" if self.children[idnumber] else "skill"
        note = f"Moodle competency '{cells[SHORTNAME]}' (idnumber {idnumber})"
        item = Item(kind, idnumber, cells[SHORTNAME], line,
                    description=cells[DESCRIPTION] or None, category=parent, note=note)  # fmt: skip
        if kind == "skill":
            levels, proficient = self._scale(line, cells) if cells[SCALE] else default
            item.levels, item.proficient_level = levels, proficient
            item.related = [(ref.replace("%2C", ","), "related")
                            for ref in cells[RELATED].split(",") if ref.strip()]  # fmt: skip
        return item

    def _scale(self, line: int, cells: list[str]) -> tuple[list[Level], int | None]:
        """The levels of a scale (its values in order) and the lowest proficient one."""
        values = [value.strip() for value in cells[SCALE].split(",")] if cells[SCALE] else []
        if not values or "" in values or len(values) > MAX_LEVELS:
            self.found.problem(line, HEADER[SCALE], f"a scale of 1 to {MAX_LEVELS} named values")
            return [], None
        levels = [Level(value, str(number)) for number, value in enumerate(values, start=1)]
        return levels, self._proficient(line, cells[CONFIG], len(values))

    def _proficient(self, line: int, config: str, size: int) -> int | None:
        if not config:
            return None
        try:
            entries = json.loads(config)
            proficient = [int(e["id"]) for e in entries[1:] if int(e.get("proficient") or 0)]
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            self.found.problem(line, HEADER[CONFIG], "not Moodle's scale configuration (JSON)")
            return None
        if any(not 1 <= number <= size for number in proficient):
            self.found.problem(line, HEADER[CONFIG], f"names a scale value outside 1..{size}")
            return None
        return min(proficient, default=None)

    def _note(self, item: Item) -> str:
        if item.kind == "category":
            return f"{item.note} → category '{item.name}'"
        scale = ", ".join(level.name for level in item.levels)
        proficient = (
            f"; proficient from {item.levels[item.proficient_level - 1].name}"
            if item.proficient_level and item.proficient_level <= len(item.levels) else ""
        )  # fmt: skip
        category = self.by_id.get(item.category or "", (0, [""] * len(HEADER)))[1][SHORTNAME]
        where = f", in category '{category or self.head[SHORTNAME]}'"
        return f"{item.note} → skill '{item.name}'{where}, levels: {scale}{proficient}"

    def _related_notes(self, items: list[Item]) -> None:
        skills = {item.source_id for item in items if item.kind == "skill"}
        for item in items:
            for related, _kind in item.related:
                if related not in skills:
                    what = "a category" if related in self.by_id else "not in this framework"
                    self.found.notes.append(
                        f"{item.note}: cross-reference to {related!r} skipped ({what})"
                    )
        rules = sum(1 for _line, cells in self.rows if cells[RULE])
        if rules:
            self.found.notes.append(f"{rules} competency rule(s) not kept (Moodle-only)")


def write(
    framework_id: str, framework_name: str, categories: Iterable[Any], skills: Iterable[Any]
) -> str:
    """A framework CSV Moodle imports: categories, then skills with their own scales."""
    skills = list(skills)
    scales = Counter(_values(skill) for skill in skills)
    default = scales.most_common(1)[0][0] if scales else "Not yet competent,Competent"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    depth = "competency,competency"
    framework_config = _config(default.count(",") + 1, None)
    writer.writerow(["", framework_id, framework_name, "", FORMAT_PLAIN, default,
                     framework_config, "", "", "", "", "", "1", depth])  # fmt: skip
    used: set[str] = set()
    category_ids = {}
    for number, category in enumerate(categories, start=1):
        idnumber = _idnumber(category, used, "category-")
        category_ids[category.id] = idnumber
        writer.writerow(_cells(["", idnumber, category.name, "", FORMAT_PLAIN, "", "", "",
                                "0", "null", "", str(number), "", ""]))  # fmt: skip
    skill_ids = {skill.id: _idnumber(skill, used, "skill-") for skill in skills}
    for number, skill in enumerate(skills, start=len(category_ids) + 1):
        parent = category_ids.get(skill.category_id, "")
        related = ",".join(skill_ids[r.related_id].replace(",", "%2C") for r in skill.relations
                           if r.related_id in skill_ids)  # fmt: skip
        html = (skill.source or "").startswith(SOURCE_PREFIX)
        writer.writerow(_cells([
            parent, skill_ids[skill.id], skill.name, skill.description or "",
            FORMAT_HTML if html else FORMAT_PLAIN, _values(skill),
            _config(len(skill.levels), skill.proficient_level), "", "0", "null", related,
            str(number), "", "",
        ]))  # fmt: skip
    return out.getvalue()


def _cells(cells: list[str]) -> list[str]:
    return [cell_out(cell) for cell in cells]


def _values(skill: Any) -> str:
    # Moodle separates a scale's values by commas: a comma inside a level name cannot stay.
    return ",".join(level.name.replace(",", ";") for level in skill.levels)


def _config(size: int, proficient: int | None) -> str:
    """Moodle's scale configuration: the first value is the default, proficient from a level."""
    lowest = proficient or size
    entries: list[dict[str, Any]] = [{"scaleid": "0"}]
    entries += [{"id": n, "scaledefault": int(n == 1), "proficient": int(n >= lowest)}
                for n in range(1, size + 1)]  # fmt: skip
    return json.dumps(entries, separators=(",", ":"))


def _idnumber(item: Any, used: set[str], prefix: str) -> str:
    """The item's Moodle id number: its own from Moodle, else its external id (unique)."""
    own = item.source_id if (item.source or "").startswith(SOURCE_PREFIX) else None
    idnumber = str(own or item.external_id)
    if idnumber in used:
        idnumber = f"{prefix}{item.external_id}"
    used.add(idnumber)
    return idnumber
