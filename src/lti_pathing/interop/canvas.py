"""Canvas outcomes CSV (the Outcomes Import API's format, also what Canvas exports): read, write.

Columns are named in the header, in any order; `ratings` comes last and the cells after it
alternate points and description, highest points first. Groups become categories (a group
nested in another is one more category), outcomes skills in their first parent group's category,
ratings the skill's levels (lowest points = level 1), `mastery_points` the proficient level.
Items are matched by `vendor_guid`; `workflow_state = deleted` retires one.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from lti_pathing.interop.framework import Framework, Item, Level
from lti_pathing.interop.text import cell_out, records

SOURCE = "canvas"
REQUIRED = ("vendor_guid", "object_type", "title", "parent_guids")
OPTIONAL = ("canvas_id", "description", "display_name", "calculation_method", "calculation_int",
            "workflow_state", "mastery_points")  # fmt: skip
OUTCOME_ONLY = ("calculation_method", "calculation_int", "mastery_points")
MAX_LEVELS = 10
# What Canvas gives an outcome imported without ratings (LearningOutcome.default_rubric_criterion).
DEFAULT_RATINGS = [(Decimal(5), "Exceeds Expectations"), (Decimal(3), "Meets Expectations"),
                   (Decimal(0), "Does Not Meet Expectations")]  # fmt: skip
DEFAULT_MASTERY = Decimal(3)
LABELS = {
    "skills": {"id": "vendor_guid", "name": "title", "category": "parent_guids",
               "proficient_level": "mastery_points"},
    "skill_categories": {"id": "vendor_guid", "name": "title"},
    "skill_levels": {"name": "ratings", "level": "ratings", "source_value": "ratings"},
}  # fmt: skip
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")


def looks_like(header: list[str]) -> bool:
    """Whether a CSV header is a Canvas outcomes file."""
    names = {name.strip().lower() for name in header}
    return {"vendor_guid", "object_type"} <= names


def read(name: str, text: str) -> Framework:
    """The groups and outcomes of a Canvas outcomes CSV; problems name line and column."""
    found = Framework(name, SOURCE, LABELS)
    header = next(csv.reader(io.StringIO(text, newline="")), [])
    columns = _columns(found, [cell.strip() for cell in header])
    if columns is None:
        return found
    groups: dict[str, Item] = {}
    outcomes: dict[str, Item] = {}
    for line, cells in records(name, text):
        if not any(cells):
            continue
        row = {column: cells[i] if i < len(cells) else "" for column, i in columns.items()}
        ratings = cells[len(columns) :] if "ratings" in header else []
        _record(found, line, row, ratings, groups, outcomes)
    _dedupe([*groups.values(), *outcomes.values()])
    for item in [*groups.values(), *outcomes.values()]:
        found.items.append(item)
        found.notes.append(_note(item, groups))
    return found


def _columns(found: Framework, header: list[str]) -> dict[str, int] | None:
    end = header.index("ratings") if "ratings" in header else len(header)
    names = header[:end]
    after = [name for name in header[end + 1 :] if name]
    for name in after:
        found.problem(1, name, "a named column after ratings (ratings must come last)")
    for name in names:
        if name not in REQUIRED + OPTIONAL:
            found.problem(1, name or "(empty)", "unknown column")
    for name in REQUIRED:
        if name not in names:
            found.problem(1, name, "required column is missing")
    if found.problems:
        return None
    return {name: index for index, name in enumerate(names)}


def _record(
    found: Framework, line: int, row: dict[str, str], ratings: list[str],
    groups: dict[str, Item], outcomes: dict[str, Item],
) -> None:  # fmt: skip
    guid, kind, title = row["vendor_guid"], row["object_type"], row["title"]
    state = row.get("workflow_state", "")
    problems = len(found.problems)
    if not guid or any(ch.isspace() for ch in guid):
        found.problem(line, "vendor_guid", "required, without spaces")
    if not title:
        found.problem(line, "title", "required value is empty")
    if state not in ("", "active", "deleted"):
        found.problem(line, "workflow_state", f"{state!r} is not active or deleted")
    if guid in (groups if kind == "group" else outcomes):
        found.problem(line, "vendor_guid", f"{guid!r} has already appeared in this file")
    parents = row["parent_guids"].split()
    for parent in parents:
        if parent not in groups:
            found.problem(line, "parent_guids", f"{parent!r} is not a group on an earlier row")
    if kind == "group":
        _group_rules(found, line, row, ratings, parents)
    elif kind != "outcome":
        found.problem(line, "object_type", f"{kind!r} is not outcome or group")
    levels, proficient = _ratings(found, line, ratings, row.get("mastery_points", ""), kind)
    item = Item("category" if kind == "group" else "skill", guid, title, line,
                description=row.get("description") or None,
                category=parents[0] if parents else None, retired=state == "deleted",
                note=f"Canvas {kind} '{title}' (vendor_guid {guid})")  # fmt: skip
    if kind == "group":
        groups[guid] = item  # even a faulty group: its children's rows are judged on their own
        return
    if len(found.problems) > problems:
        return
    item.levels, item.proficient_level = levels, proficient
    outcomes[guid] = item
    if len(parents) > 1:
        others = ", ".join(parents[1:])
        found.notes.append(f"{item.note}: also in group(s) {others}; kept in the first only")
    if not ratings or not any(ratings):
        found.notes.append(f"{item.note}: no ratings; Canvas's default ratings used")


def _group_rules(
    found: Framework, line: int, row: dict[str, str], ratings: list[str], parents: list[str]
) -> None:
    for column in OUTCOME_ONLY:
        if row.get(column):
            found.problem(line, column, "must be empty for a group")
    if any(ratings):
        found.problem(line, "ratings", "must be empty for a group")
    if len(parents) > 1:
        found.problem(line, "parent_guids", "a group has at most one parent")


def _ratings(
    found: Framework, line: int, cells: list[str], mastery: str, kind: str
) -> tuple[list[Level], int | None]:
    """Levels from the ratings (lowest points first) and the lowest level at mastery."""
    if kind != "outcome":
        return [], None
    while cells and not cells[-1]:
        cells = cells[:-1]
    cells = [*cells, ""] if len(cells) % 2 else cells
    pairs = list(zip(cells[::2], cells[1::2], strict=True))
    tiers: list[tuple[Decimal, str]] = []
    for index, (points, description) in enumerate(pairs, start=1):
        if not _NUMBER.fullmatch(points):
            found.problem(line, "ratings", f"points of rating {index} are not a number: {points!r}")
            return [], None
        value = Decimal(points)
        if tiers and value > tiers[-1][0]:
            message = f"rating {index} has more points ({points}) than the one before it"
            found.problem(line, "ratings", message)
            return [], None
        tiers.append((value, description or f"{points} points"))
    if not tiers:
        tiers, mastery = DEFAULT_RATINGS, mastery or str(DEFAULT_MASTERY)
    if len(tiers) > MAX_LEVELS:
        found.problem(line, "ratings", f"{len(tiers)} ratings; at most {MAX_LEVELS}")
        return [], None
    levels = [Level(name, _points(points)) for points, name in reversed(tiers)]
    return levels, _mastery_level(found, line, mastery, [p for p, _n in reversed(tiers)])


def _mastery_level(found: Framework, line: int, mastery: str, points: list[Decimal]) -> int | None:
    if not mastery:
        return None
    try:
        threshold = Decimal(mastery)
    except InvalidOperation:
        found.problem(line, "mastery_points", f"{mastery!r} is not a number")
        return None
    reached = [number for number, value in enumerate(points, start=1) if value >= threshold]
    return reached[0] if reached else None


def _points(value: Decimal) -> str:
    return format(value.normalize(), "f") if value != value.to_integral() else str(int(value))


def _dedupe(items: list[Item]) -> None:
    """Names are unique per tenant: a repeated title gets its vendor_guid in brackets."""
    names = Counter((item.kind, item.name.casefold()) for item in items)
    for item in items:
        if names[(item.kind, item.name.casefold())] > 1:
            item.name = f"{item.name} ({item.source_id})"


def _note(item: Item, groups: dict[str, Item]) -> str:
    if item.kind == "category":
        return f"{item.note} → category '{item.name}'"
    where = f", in category '{groups[item.category].name}'" if item.category in groups else ""
    scale = ", ".join(f"{level.name} ({level.source_value})" for level in item.levels)
    return f"{item.note} → skill '{item.name}'{where}, levels: {scale}"


def write(categories: Iterable[Any], skills: Iterable[Any]) -> str:
    """An outcomes CSV Canvas imports: a group per category, an outcome per skill."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    skills = list(skills)
    width = max((len(skill.levels) for skill in skills), default=1) * 2
    writer.writerow(["vendor_guid", "object_type", "title", "description", "display_name",
                     "calculation_method", "calculation_int", "workflow_state", "parent_guids",
                     "mastery_points", "ratings"] + [""] * (width - 1))  # fmt: skip
    group_guids = {}
    for category in categories:
        guid = _guid(category, "category")
        group_guids[category.id] = guid
        writer.writerow([cell_out(c) for c in (guid, "group", category.name, "", "", "", "",
                                               "active", "", "")])  # fmt: skip
    for skill in skills:
        points = _rating_points(skill)
        mastery = points[(skill.proficient_level or len(points)) - 1] if points else ""
        ratings: list[str] = []
        for level, value in reversed(list(zip(skill.levels, points, strict=True))):
            ratings += [value, level.name]
        parent = group_guids.get(skill.category_id, "")
        cells = [_guid(skill, "skill"), "outcome", skill.name, skill.description or "", "",
                 "", "", "active", parent, mastery, *ratings]  # fmt: skip
        writer.writerow([cell_out(c) for c in cells])
    return out.getvalue()


def _rating_points(skill: Any) -> list[str]:
    """Each level's points: Canvas's own when the skill came from Canvas, else the level."""
    own = [level.source_value for level in skill.levels]
    if skill.source == SOURCE and all(v and _NUMBER.fullmatch(v) for v in own):
        values = [Decimal(v) for v in own]
        if all(a < b for a, b in itertools.pairwise(values)):
            return [v for v in own if v is not None]
    return [str(level.level) for level in skill.levels]


def _guid(item: Any, noun: str) -> str:
    """The item's vendor_guid: its own from Canvas, else one made of its external id."""
    if item.source == SOURCE and item.source_id:
        return str(item.source_id)
    return f"lti-pathing-{noun}-{item.external_id}"
