"""Skill histories of the sample people: LMS completions, manager assessments, self-assessments.

Built from the finished organisation document, with its own seeded generator, so the files are
byte-identical on every run and loading them involves no randomness. Each active person with a
current role meets most of that role's required levels: most levels come from a completed LMS
course that grants them, the rest from their manager's assessment; one or two skills per person
are assessed a level short (the specific gaps a plan then closes), a few people are a level
ahead in one skill, and some people rated themselves (usually more kindly than their manager).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

FIRST_DAY = dt.date(2024, 9, 2)
LAST_DAY = dt.date(2026, 10, 30)  # every observation lies in the past of the demo
SELF_SHARE = 0.2
AHEAD_SHARE = 0.15
LMS_SHARE = 0.6


def _day(rng: random.Random, first: dt.date = FIRST_DAY, last: dt.date = LAST_DAY) -> str:
    return (first + dt.timedelta(days=rng.randrange((last - first).days + 1))).isoformat()


class HistoryBuilder:
    """Evidence rows (import-style keys: employee ids, skill and activity ids) for everyone."""

    def __init__(self, doc: dict[str, Any], rng: random.Random) -> None:
        self.rng = rng
        self.roles = {r["id"]: r for r in doc["roles"]}
        self.top = {s["id"]: max(lv["level"] for lv in s["levels"]) for s in doc["skills"]}
        self.people = doc["people"]
        # (skill, level) -> LMS-linked activities granting exactly that level, by id
        self.courses: dict[tuple[str, int], list[dict[str, Any]]] = {}
        for activity in sorted(doc["activities"], key=lambda a: a["id"]):
            if activity["lms_links"] and activity["active"]:
                for outcome in activity["outcomes"]:
                    key = (outcome["skill"], outcome["level"])
                    self.courses.setdefault(key, []).append(activity)

    def build(self) -> list[dict[str, Any]]:
        """Every evidence row, sorted by person, date, skill and source."""
        rows: list[dict[str, Any]] = []
        for person in self.people:
            if person["active"] and person["current_role"]:
                rows += self._person(person)
        return sorted(rows, key=lambda r: (r["person"], r["observed_on"], r["skill"], r["source"]))

    def _person(self, person: dict[str, Any]) -> list[dict[str, Any]]:
        required = [
            (rs["skill"], rs["level"]) for rs in self.roles[person["current_role"]]["skills"]
        ]
        short = set(
            self.rng.sample(
                [s for s, _ in required], k=min(len(required), self.rng.choice((1, 1, 2)))
            )
        )
        ahead = self.rng.choice(required)[0] if self.rng.random() < AHEAD_SHARE else None
        rows: list[dict[str, Any]] = []
        for skill, level in required:
            shown = level - 1 if skill in short else min(self.top[skill], level + (skill == ahead))
            rows += self._evidence(person, skill, shown, skill in short)
        if self.rng.random() < SELF_SHARE:
            skill, level = self.rng.choice(required)
            rows.append(self._row(person, skill, level, "self", None, None, _day(self.rng)))
        return rows

    def _evidence(
        self, person: dict[str, Any], skill: str, level: int, gap: bool
    ) -> list[dict[str, Any]]:
        if level <= 0:
            return []
        courses = self.courses.get((skill, level), [])
        manager = person["manager_employee_id"]
        if courses and ((gap is False and self.rng.random() < LMS_SHARE) or manager is None):
            course = self.rng.choice(courses)
            day = _day(self.rng)
            return [
                self._row(person, o["skill"], o["level"], "lms_completion", course["id"], None, day)
                for o in course["outcomes"]
            ]
        if manager is None:
            return [self._row(person, skill, level, "self", None, None, _day(self.rng))]
        note = "Assessed a level short of the role; the next step is the plan." if gap else None
        return [self._row(person, skill, level, "manager", None, manager, _day(self.rng), note)]

    @staticmethod
    def _row(
        person: dict[str, Any], skill: str, level: int, source: str, activity: str | None,
        recorded_by: str | None, observed_on: str, note: str | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        return {
            "person": person["employee_id"], "skill": skill, "level": level, "source": source,
            "observed_on": observed_on, "activity": activity, "recorded_by": recorded_by,
            "note": note,
        }  # fmt: skip


def build_histories(doc: dict[str, Any], seed: int) -> dict[str, Any]:
    """The histories document shipped beside catalog.json."""
    rows = HistoryBuilder(doc, random.Random(seed)).build()
    return {"format": "lti-pathing.sample-histories", "version": 1, "evidence": rows}
