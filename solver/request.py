"""Read the public planning request (JSON format version 1) into `solver.instance` dataclasses.

`parse_request` reports every problem it finds in one `RequestError`, each at its JSON path
(`$.activities[3].hours_per_week`). Field reading lives in `solver.request_fields`, the catalog part
(skills, activities, mentors) in `solver.request_catalog`, and the rules that relate several parts
of a request (prerequisite cycles, pinned items) in `solver.request_checks`.
The format is documented in docs/plan-format.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from solver.errors import Problem, RequestError
from solver.instance import (
    CENTS_PER_UNIT,
    MILLI_PER_WEIGHT,
    QUARTERS_PER_HOUR,
    Learner,
    Options,
    Pin,
    PlanRequest,
    Target,
)
from solver.request_catalog import (
    CENT_STEP,
    MAX_HORIZON_WEEKS,
    MAX_HOURS_PER_WEEK,
    MAX_MONEY,
    QUARTER_STEP,
    Catalog,
    CatalogReader,
    declared_ids,
)
from solver.request_checks import PinnedItem, check_pins, check_prerequisite_cycles
from solver.request_fields import Fields, Reader, child, element

VERSION = 1
MAX_WEIGHT = 1000
MAX_TIME_LIMIT_S = 3600
MAX_WORKERS = 8
MILLI_STEP = "a weight with at most 3 decimals"

TOP = (("version", "horizon_weeks", "skills", "activities", "learners"), ("mentors", "options"))
LEARNER = (
    ("id", "levels", "target", "hours_per_week"),
    ("blackout_weeks", "deadline_week", "budget", "completed", "pinned", "excluded"),
)
TARGET = (("level",), ("weight",))
PIN = (("activity", "start_week"), ("mentor",))
OPTIONS = ((), ("time_limit_s", "workers", "explain"))

T = TypeVar("T")


def read_json(text: str) -> object:
    """Decode JSON text; a syntax error becomes a `RequestError` at `$` with line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise RequestError([Problem("$", f"invalid JSON: {error.msg} at {where}")]) from None
    except (ValueError, RecursionError) as error:  # e.g. a 5000-digit integer, deep nesting
        raise RequestError([Problem("$", f"invalid JSON: {error}")]) from None


def load_request(text: str) -> PlanRequest:
    """Parse a request from JSON text (see `parse_request`)."""
    return parse_request(read_json(text))


def parse_request(data: object) -> PlanRequest:
    """Convert a JSON-loaded request into a `PlanRequest`; a `RequestError` lists every problem."""
    reader = Reader()
    top = reader.fields(data, "$", *TOP)
    if top is None:
        raise RequestError(reader.problems)
    request = _RequestParser(reader, top).parse()
    if reader.problems or request is None:
        raise RequestError(reader.problems)
    return request


class _RequestParser:
    """Reads one request section by section, in document order."""

    def __init__(self, reader: Reader, top: Fields) -> None:
        self.r = reader
        self.top = top
        self._version()
        mark = reader.mark()
        horizon = top.integer("horizon_weeks", 1, MAX_HORIZON_WEEKS)
        self.cat = Catalog(
            horizon=horizon if reader.clean_since(mark) else None,
            skill_ids=declared_ids(top.value("skills")),
            activity_ids=declared_ids(top.value("activities")),
            mentor_ids=declared_ids(top.value("mentors")),
        )
        self.catalog = CatalogReader(reader, self.cat)

    def parse(self) -> PlanRequest | None:
        """The whole request, or None when anything was wrong."""
        mark = self.r.mark()
        skills = self._section("skills", self.catalog.skill)
        activities = self._section("activities", self.catalog.activity)
        check_prerequisite_cycles(self.r, self.cat.requires, self.cat.requires_paths)
        mentors = self._section("mentors", self.catalog.mentor) if "mentors" in self.top else []
        learners = self._section("learners", self._learner)
        options = self._options(self.top.fields("options", *OPTIONS))
        if not self.r.clean_since(mark) or self.cat.horizon is None:
            return None
        return PlanRequest(
            horizon_weeks=self.cat.horizon,
            skills=tuple(skills),
            activities=tuple(activities),
            mentors=tuple(mentors),
            learners=tuple(learners),
            options=options,
            version=VERSION,
        )

    def _version(self) -> None:
        """The format version, which must be exactly the integer 1."""
        if "version" not in self.top:
            return
        mark = self.r.mark()
        version = self.top.integer("version")
        if self.r.clean_since(mark) and version != VERSION:
            self.r.add(self.top.at("version"), f"unsupported version {version}: this is version 1")

    def _section(
        self, key: str, read: Callable[[object, str, dict[str, str]], T | None]
    ) -> list[T]:
        """An array of items with unique ids; each item read at its own path."""
        seen: dict[str, str] = {}
        out: list[T] = []
        for index, value in enumerate(self.top.array(key)):
            item = read(value, element(self.top.at(key), index), seen)
            if item is not None:
                out.append(item)
        return out

    def _learner(self, value: object, path: str, seen: dict[str, str]) -> Learner | None:
        """One learner: levels, target and limits, then their pinned items."""
        mark = self.r.mark()
        f = self.r.fields(value, path, *LEARNER)
        if f is None:
            return None
        learner_id = self.r.unique_id(f, seen)
        levels = self.r.levels(
            f.value("levels"), f.at("levels"), 0, self.cat.max_level, self.cat.skill_ids
        )
        target = self._target(f)
        limits = self.r.mark()  # pinned items are checked against what follows, when it is clean
        learner = Learner(
            id=learner_id,
            levels=levels,
            target=target,
            quarter_hours=f.exact(
                "hours_per_week", QUARTERS_PER_HOUR, MAX_HOURS_PER_WEEK, QUARTER_STEP
            ),
            blackout_weeks=frozenset(f.weeks("blackout_weeks", 0, self.cat.last_week)),
            deadline_week=self._optional_int(f, "deadline_week", 1, self.cat.horizon),
            budget_cents=(
                f.exact("budget", CENTS_PER_UNIT, MAX_MONEY, CENT_STEP) if "budget" in f else None
            ),
            completed=frozenset(f.ids("completed", self.cat.activity_ids, "activity")),
            excluded=frozenset(f.ids("excluded", self.cat.activity_ids, "activity")),
        )
        limits_clean = self.r.clean_since(limits)
        pins = [self._pin(v, element(f.at("pinned"), i)) for i, v in enumerate(f.array("pinned"))]
        pinned = [p for p in pins if p is not None]
        learner = replace(learner, pinned=tuple(p.pin for p in pinned))
        if limits_clean and self.cat.horizon is not None:
            check_pins(
                self.r, self.cat.activities, self.cat.horizon, learner, pinned, f.at("pinned")
            )
        return learner if self.r.clean_since(mark) else None

    def _optional_int(self, f: Fields, key: str, lo: int, hi: int | None) -> int | None:
        """An optional integer field; None when absent."""
        return f.integer(key, lo, hi) if key in f else None

    def _target(self, f: Fields) -> dict[str, Target]:
        """The learner's target: a required level and a weight (default 1) per skill."""
        out: dict[str, Target] = {}
        for skill, value in f.mapping("target").items():
            path = child(f.at("target"), skill)
            if skill not in self.cat.skill_ids:
                self.r.add(path, f"unknown skill '{skill}'")
                continue
            mark = self.r.mark()
            target = self.r.fields(value, path, *TARGET)
            if target is None:
                continue
            level = target.integer("level", 1, self.cat.max_level.get(skill))
            weight = MILLI_PER_WEIGHT
            if "weight" in target:
                weight = target.exact("weight", MILLI_PER_WEIGHT, MAX_WEIGHT, MILLI_STEP)
            if self.r.clean_since(mark):
                out[skill] = Target(level, weight)
        return out

    def _pin(self, value: object, path: str) -> PinnedItem | None:
        """One pinned item: an activity at a fixed start week, maybe with its mentor."""
        mark = self.r.mark()
        f = self.r.fields(value, path, *PIN)
        if f is None:
            return None
        activity = f.string("activity")
        if activity and activity not in self.cat.activity_ids:
            self.r.add(f.at("activity"), f"unknown activity '{activity}'")
        start = f.integer("start_week", 0, self.cat.last_week)
        mentor = f.string("mentor") if "mentor" in f else None
        if mentor and mentor not in self.cat.mentor_ids:
            self.r.add(f.at("mentor"), f"unknown mentor '{mentor}'")
        if not self.r.clean_since(mark):
            return None
        return PinnedItem(Pin(activity, start, mentor), path)

    def _options(self, f: Fields) -> Options:
        """Solver settings; absent ones keep their defaults."""
        defaults = Options()
        return Options(
            time_limit_s=self._time_limit(f) if "time_limit_s" in f else defaults.time_limit_s,
            workers=self._optional_int(f, "workers", 1, MAX_WORKERS) or defaults.workers,
            explain=f.boolean("explain") if "explain" in f else defaults.explain,
        )

    def _time_limit(self, f: Fields) -> float:
        """Seconds, more than 0 and at most an hour."""
        seconds = self.r.number(f.value("time_limit_s"), f.at("time_limit_s"))
        if seconds is None:
            return Options().time_limit_s
        if not 0 < seconds <= MAX_TIME_LIMIT_S:
            limit = f"more than 0 and at most {MAX_TIME_LIMIT_S}"
            self.r.add(f.at("time_limit_s"), f"must be {limit}, got {seconds}")
        return float(seconds)
