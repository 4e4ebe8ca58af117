"""Readers for the JSON values of a planning request that collect problems instead of raising.

Each reader checks one value, records a `Problem` at the value's JSON path when something is wrong
and returns a harmless fallback, so `solver.request` can keep reading and report every problem of a
request in one pass. Numbers are converted exactly (through `Decimal`), never through float maths.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal

from solver.errors import Problem

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_MISSING = object()  # an absent field: already reported by `Reader.fields` if it was required


def child(path: str, key: str) -> str:
    """The path of `key` in the object at `path`: `$.a.b`, or `$.a['data-viz']` for other keys."""
    if _NAME.match(key):
        return f"{path}.{key}"
    escaped = key.replace("\\", "\\\\").replace("'", "\\'")
    return f"{path}['{escaped}']"


def element(path: str, index: int) -> str:
    """The path of item `index` in the array at `path`."""
    return f"{path}[{index}]"


def describe(value: object) -> str:
    """A value as a message shows it: numbers by value, everything else by its JSON type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return str(value) if value.bit_length() <= 64 else "a very large integer"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def _bounds(lo: int | Decimal | None, hi: int | Decimal | None) -> str:
    """'between 1 and 520', 'at least 0' or 'at most 8'."""
    if lo is not None and hi is not None:
        return f"between {lo} and {hi}"
    return f"at least {lo}" if lo is not None else f"at most {hi}"


def _suggest(key: str, allowed: Sequence[str]) -> str:
    """' (did you mean 'x'?)' when an allowed name is close to a misspelt one."""
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class Fields:
    """The recognised fields of one JSON object, each read at its own path."""

    def __init__(self, reader: Reader, path: str, values: dict[str, object]) -> None:
        self.reader = reader
        self.path = path
        self.values = values

    def __contains__(self, key: str) -> bool:
        return key in self.values

    def at(self, key: str) -> str:
        """The JSON path of field `key`."""
        return child(self.path, key)

    def value(self, key: str) -> object:
        """The raw value of field `key` (a marker the readers skip when it is absent)."""
        return self.values.get(key, _MISSING)

    def integer(self, key: str, lo: int | None = None, hi: int | None = None) -> int:
        """Field `key` as an integer in lo..hi."""
        return self.reader.integer(self.value(key), self.at(key), lo, hi)

    def exact(self, key: str, scale: int, hi: int, step: str) -> int:
        """Field `key`, a number in 0..hi, as a whole count of 1/scale units."""
        return self.reader.exact(self.value(key), self.at(key), scale, hi, step)

    def string(self, key: str) -> str:
        """Field `key` as a non-empty string."""
        return self.reader.string(self.value(key), self.at(key))

    def boolean(self, key: str) -> bool:
        """Field `key` as a boolean."""
        return self.reader.boolean(self.value(key), self.at(key))

    def array(self, key: str) -> list[object]:
        """Field `key` as an array."""
        return self.reader.array(self.value(key), self.at(key))

    def mapping(self, key: str) -> dict[str, object]:
        """Field `key` as an object with arbitrary keys (a map)."""
        return self.reader.mapping(self.value(key), self.at(key))

    def fields(self, key: str, required: Sequence[str], optional: Sequence[str] = ()) -> Fields:
        """Field `key` as an object with known fields (empty when it is not an object)."""
        found = self.reader.fields(self.value(key), self.at(key), required, optional)
        return found if found is not None else Fields(self.reader, self.at(key), {})

    def ids(self, key: str, known: Collection[str], noun: str) -> tuple[str, ...]:
        """Field `key` as an array of distinct ids, each one of `known`."""
        return self.reader.ids(self.value(key), self.at(key), known, noun)

    def weeks(self, key: str, lo: int, hi: int | None) -> tuple[int, ...]:
        """Field `key` as an array of distinct week numbers in lo..hi."""
        return self.reader.weeks(self.value(key), self.at(key), lo, hi)


class Reader:
    """Reads JSON values, collecting a `Problem` for everything wrong; each returns a fallback."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        """Record one problem."""
        self.problems.append(Problem(path, message))

    def mark(self) -> int:
        """A point to ask `clean_since` about."""
        return len(self.problems)

    def clean_since(self, mark: int) -> bool:
        """Whether nothing was recorded since `mark`."""
        return len(self.problems) == mark

    def _expect(self, value: object, path: str, wanted: str) -> None:
        """Record a type mismatch, unless the value is absent (reported once, as missing)."""
        if value is not _MISSING:
            self.add(path, f"expected {wanted}, got {describe(value)}")

    def fields(
        self, value: object, path: str, required: Sequence[str], optional: Sequence[str] = ()
    ) -> Fields | None:
        """An object whose keys must be among `required` and `optional`, with all `required`."""
        if not isinstance(value, dict):
            self._expect(value, path, "an object")
            return None
        allowed = [*required, *optional]
        known: dict[str, object] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                self.add(path, f"object keys must be strings, got {describe(key)}")
            elif key in allowed:
                known[key] = item
            else:
                self.add(child(path, key), f"unknown field '{key}'{_suggest(key, allowed)}")
        for key in required:
            if key not in value:
                self.add(child(path, key), "required field is missing")
        return Fields(self, path, known)

    def mapping(self, value: object, path: str) -> dict[str, object]:
        """An object used as a map from ids to values."""
        if not isinstance(value, dict):
            self._expect(value, path, "an object")
            return {}
        if not all(isinstance(key, str) for key in value):
            self.add(path, "object keys must be strings")
        return {key: item for key, item in value.items() if isinstance(key, str)}

    def array(self, value: object, path: str) -> list[object]:
        """An array (a list; a tuple too when the data was built in Python)."""
        if not isinstance(value, list | tuple):
            self._expect(value, path, "an array")
            return []
        return list(value)

    def string(self, value: object, path: str) -> str:
        """A non-empty string."""
        if not isinstance(value, str):
            self._expect(value, path, "a string")
            return ""
        if not value:
            self.add(path, "must not be empty")
        return value

    def boolean(self, value: object, path: str) -> bool:
        """true or false."""
        if not isinstance(value, bool):
            self._expect(value, path, "a boolean (true or false)")
            return False
        return value

    def integer(
        self, value: object, path: str, lo: int | None = None, hi: int | None = None
    ) -> int:
        """A whole number in lo..hi; 2.0 counts as 2, as in JSON Schema, but true is no integer."""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self._expect(value, path, "an integer")
            return 0
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            self.add(path, f"must be {_bounds(lo, hi)}, got {describe(value)}")
            return 0
        return value

    def number(self, value: object, path: str) -> Decimal | None:
        """Any finite JSON number, exactly as written (floats go through their shortest repr)."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            self._expect(value, path, "a number")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.add(path, f"expected a finite number, got {describe(value)}")
            return None
        return Decimal(str(value)) if isinstance(value, float) else Decimal(value)

    def exact(self, value: object, path: str, scale: int, hi: int, step: str) -> int:
        """A number in 0..hi that is a whole multiple of 1/scale, as a count of 1/scale units."""
        number = self.number(value, path)
        if number is None:
            return 0
        if not 0 <= number <= hi:
            self.add(path, f"must be {_bounds(0, hi)}, got {describe(value)}")
            return 0
        units = number * scale
        if units != units.to_integral_value():
            self.add(path, f"must be {step}, got {describe(value)}")
            return 0
        return int(units)

    def ids(self, value: object, path: str, known: Collection[str], noun: str) -> tuple[str, ...]:
        """Distinct ids, each one of `known`; `noun` names what they refer to in messages."""
        out: list[str] = []
        for index, item in enumerate(self.array(value, path)):
            at = element(path, index)
            name = self.string(item, at)
            if not name:
                continue
            if name not in known:
                self.add(at, f"unknown {noun} '{name}'")
            elif name in out:
                self.add(at, f"'{name}' is listed twice")
            else:
                out.append(name)
        return tuple(out)

    def weeks(self, value: object, path: str, lo: int, hi: int | None) -> tuple[int, ...]:
        """Distinct week numbers in lo..hi, in the order given."""
        out: list[int] = []
        for index, item in enumerate(self.array(value, path)):
            mark = self.mark()
            week = self.integer(item, element(path, index), lo, hi)
            if not self.clean_since(mark):
                continue
            if week in out:
                self.add(element(path, index), f"week {week} is listed twice")
            else:
                out.append(week)
        return tuple(out)

    def unique_id(self, f: Fields, seen: dict[str, str]) -> str:
        """The `id` field of an item, which must be unique among `seen` (id -> path)."""
        item_id = f.string("id")
        if item_id in seen:
            self.add(f.at("id"), f"duplicate id '{item_id}' (first at {seen[item_id]})")
        elif item_id:
            seen[item_id] = f.at("id")
        return item_id

    def levels(
        self,
        value: object,
        path: str,
        lo: int,
        max_level: Mapping[str, int],
        known: Collection[str],
    ) -> dict[str, int]:
        """A {skill: level} map: skills among `known`, levels lo..their max_level."""
        out: dict[str, int] = {}
        for skill, item in self.mapping(value, path).items():
            at = child(path, skill)
            if skill not in known:
                self.add(at, f"unknown skill '{skill}'")
                continue
            mark = self.mark()
            level = self.integer(item, at, lo, max_level.get(skill))
            if self.clean_since(mark):
                out[skill] = level
        return out
