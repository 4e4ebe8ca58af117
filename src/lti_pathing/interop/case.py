"""CASE v1.1 (1EdTech Competencies and Academic Standards Exchange) CFPackage JSON: read.

A CFPackage holds one CFDocument, its CFItems and CFAssociations (and, in v1.1, CFRubrics).
`isChildOf` associations make the hierarchy: an item with children becomes a category, a leaf a
skill in its parent's category (a leaf under the document: in a category named after it). Every
other association between two items of the package is kept as a relation of that kind. A rubric
criterion naming an item gives that skill its levels (by score); an item without one gets the
two-level scale Moodle frameworks default to ("Not yet competent", "Competent").
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from lti_pathing.interop.framework import Framework, Item, Level
from lti_pathing.interop.text import MAX_RECORDS

SOURCE_PREFIX = "case:"
NAME_MAX = 200
MAX_LEVELS = 10
DEFAULT_LEVELS = (("Not yet competent", "1"), ("Competent", "2"))
DEFAULT_PROFICIENT = 2
LABELS = {
    "skills": {"name": "fullStatement", "description": "fullStatement", "id": "identifier",
               "source_id": "identifier"},
    "skill_categories": {"name": "fullStatement", "id": "identifier",
                         "source_id": "identifier"},
    "skill_levels": {"name": "CFRubricCriterionLevels", "level": "CFRubricCriterionLevels"},
}  # fmt: skip


def looks_like(head: str) -> bool:
    """Whether the start of a JSON file is a CASE package (it names a CFDocument)."""
    return head.lstrip().startswith("{") and '"CFDocument"' in head


def read(name: str, text: str) -> Framework:
    """The items of a CFPackage; problems are located by JSON pointer."""
    found = Framework(name, SOURCE_PREFIX, LABELS)
    try:
        body = json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        found.problem_at("", f"not valid JSON: {error.msg} ({where})")
        return found
    document = body.get("CFDocument") if isinstance(body, dict) else None
    if not isinstance(document, dict) or not _text(document.get("identifier")):
        found.problem_at("/CFDocument", "a CFPackage needs a CFDocument with an identifier")
        return found
    _Package(found, body, document).build()
    return found


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _ref(value: Any) -> str:
    """The identifier of a CASE link object (`{"identifier": ..., "uri": ...}`)."""
    return _text(value.get("identifier")) if isinstance(value, dict) else ""


class _Package:
    """One CFPackage turned into categories and skills."""

    def __init__(self, found: Framework, body: dict[str, Any], document: dict[str, Any]) -> None:
        self.found, self.body = found, body
        self.document_id = _text(document["identifier"])
        self.title = _text(document.get("title")) or self.document_id
        found.source = f"{SOURCE_PREFIX}{self.document_id}"
        self.items: dict[str, tuple[str, dict[str, Any]]] = {}  # identifier -> (pointer, item)
        self.parent: dict[str, str] = {}
        self.related: dict[str, list[tuple[str, str]]] = {}

    def build(self) -> None:
        """Check items and associations, then make one category or skill per item."""
        self._items(self.body.get("CFItems", []))
        self._associations(self.body.get("CFAssociations", []))
        self._cycles()
        if self.found.problems:
            return
        scales = self._rubrics(self.body.get("CFRubrics", []))
        children = Counter(self.parent.values())
        made = [self._item(identifier, children, scales) for identifier in self.items]
        if any(item.kind == "skill" and item.category is None for item in made):
            top = Item("category", self.document_id, self.title[:NAME_MAX], 0,
                       pointer="/CFDocument", note=f"CASE document '{self.title}'")  # fmt: skip
            for item in made:
                if item.kind == "skill" and item.category is None:
                    item.category = top.source_id
            made.insert(0, top)
        names = Counter((item.kind, item.name.casefold()) for item in made)
        for item in made:
            if names[(item.kind, item.name.casefold())] > 1:
                item.name = f"{item.name[: NAME_MAX - 40]} ({item.source_id})"
            self.found.items.append(item)
            self.found.notes.append(self._note(item))

    def _items(self, items: Any) -> None:
        if not isinstance(items, list):
            self.found.problem_at("/CFItems", "must be a list")
            return
        if len(items) > MAX_RECORDS:
            self.found.problem_at("/CFItems", f"more than {MAX_RECORDS:,} items")
            return
        for index, item in enumerate(items):
            pointer = f"/CFItems/{index}"
            identifier = _text(item.get("identifier")) if isinstance(item, dict) else ""
            if not identifier:
                self.found.problem_at(f"{pointer}/identifier", "required value is empty")
            elif not _text(item.get("fullStatement")):
                self.found.problem_at(f"{pointer}/fullStatement", "required value is empty")
            elif identifier in self.items:
                first = self.items[identifier][0]
                self.found.problem_at(f"{pointer}/identifier", f"also at {first}")
            else:
                self.items[identifier] = (pointer, item)

    def _associations(self, associations: Any) -> None:
        if not isinstance(associations, list):
            self.found.problem_at("/CFAssociations", "must be a list")
            return
        for index, association in enumerate(associations):
            pointer = f"/CFAssociations/{index}"
            if not isinstance(association, dict):
                self.found.problem_at(pointer, "must be an object")
                continue
            kind = _text(association.get("associationType"))
            origin = _ref(association.get("originNodeURI"))
            target = _ref(association.get("destinationNodeURI"))
            if not kind or not origin or not target:
                self.found.problem_at(pointer, "needs associationType, originNodeURI and "
                                      "destinationNodeURI with identifiers")  # fmt: skip
            elif kind == "isChildOf":
                self._child(pointer, origin, target)
            elif origin in self.items and target in self.items:
                self.related.setdefault(origin, []).append((target, kind))
            else:
                self.found.notes.append(f"CASE association {kind} {origin} → {target}: "
                                        "outside this package, skipped")  # fmt: skip

    def _child(self, pointer: str, origin: str, target: str) -> None:
        if origin not in self.items:
            self.found.problem_at(f"{pointer}/originNodeURI", f"{origin!r} is not an item here")
        elif target != self.document_id and target not in self.items:
            self.found.notes.append(
                f"CASE item {origin}: its parent {target} is outside this package; kept at the top"
            )
        elif origin in self.parent:
            self.found.notes.append(f"CASE item {origin}: a second parent {target} not kept")
        elif target != self.document_id:
            self.parent[origin] = target

    def _cycles(self) -> None:
        for identifier, (pointer, _item) in self.items.items():
            seen, current = {identifier}, self.parent.get(identifier)
            while current is not None:
                if current in seen:
                    self.found.problem_at(pointer, "is its own ancestor (an isChildOf cycle)")
                    break
                seen.add(current)
                current = self.parent.get(current)

    def _rubrics(self, rubrics: Any) -> dict[str, list[Level]]:
        """Item identifier -> its levels, from the rubric criteria that name it (by score)."""
        scales: dict[str, list[Level]] = {}
        for r, rubric in enumerate(rubrics if isinstance(rubrics, list) else []):
            criteria = rubric.get("CFRubricCriteria", []) if isinstance(rubric, dict) else []
            for c, criterion in enumerate(criteria if isinstance(criteria, list) else []):
                pointer = f"/CFRubrics/{r}/CFRubricCriteria/{c}/CFRubricCriterionLevels"
                item = _ref(criterion.get("CFItemURI")) if isinstance(criterion, dict) else ""
                levels = self._levels(pointer, criterion.get("CFRubricCriterionLevels", []))
                if item in self.items and levels:
                    scales[item] = levels
        return scales

    def _levels(self, pointer: str, levels: Any) -> list[Level]:
        steps = []
        for level in levels if isinstance(levels, list) else []:
            if not isinstance(level, dict) or not isinstance(level.get("score"), int | float):
                continue
            name = _text(level.get("quality")) or _text(level.get("description"))
            steps.append((level["score"], name or f"{level['score']} points"))
        if len(steps) > MAX_LEVELS:
            self.found.problem_at(pointer, f"{len(steps)} levels; at most {MAX_LEVELS}")
            return []
        return [Level(name[:NAME_MAX], f"{score:g}") for score, name in sorted(steps)]

    def _item(
        self, identifier: str, children: Counter[str], scales: dict[str, list[Level]]
    ) -> Item:
        pointer, item = self.items[identifier]
        statement = _text(item["fullStatement"])
        short = _text(item.get("abbreviatedStatement")) or statement
        code = _text(item.get("humanCodingScheme"))
        name = f"{code} {short}" if code else short
        if len(name) > NAME_MAX:
            name = name[: NAME_MAX - 1] + "…"
        kind = "category" if children[identifier] else "skill"
        made = Item(kind, identifier, name, 0, description=statement, pointer=pointer,
                    category=self.parent.get(identifier),
                    note=f"CASE item '{code or short[:60]}' ({identifier})")  # fmt: skip
        if kind == "skill":
            made.levels = scales.get(identifier) or [Level(n, v) for n, v in DEFAULT_LEVELS]
            made.proficient_level = None if identifier in scales else DEFAULT_PROFICIENT
            made.related = self.related.get(identifier, [])
        return made

    def _note(self, item: Item) -> str:
        if item.kind == "category":
            return f"{item.note} → category '{item.name}'"
        scale = ", ".join(level.name for level in item.levels)
        return f"{item.note} → skill '{item.name}', levels: {scale}"
