"""Mentor matching: among the mentors with room, the one who knows most of what the learner needs.

The planner picks any eligible mentor with room (mentors do not change what a plan closes). After
a one-person solve, each mentored item that was not pinned to a mentor is given the best match
with room in all of its weeks: the learner's preferred mentor first, then the mentor whose
evidenced levels exceed the learner's in the most (weighted) skills the learner still needs for
the target, then the deeper lead, then the planner's own pick.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from lti_pathing.models import Mentor, Person
from lti_pathing.services.base import TenantService
from lti_pathing.services.levels import LevelService
from lti_pathing.services.planning.request import BuiltRequest


@dataclass(frozen=True)
class Match:
    """How well a mentor fits a learner: skills needed that they hold higher, and by how much."""

    mentor_id: int
    name: str
    skills: float  # weighted count of needed skills the mentor holds above the learner
    depth: int  # levels the mentor holds above the learner in those skills, up to the target
    preferred: bool

    @property
    def key(self) -> tuple[bool, float, int]:
        """Larger is better."""
        return (self.preferred, self.skills, self.depth)


class MentorMatcher(TenantService):
    """Rank mentors for a learner and give each mentored item the best one with room."""

    def rank(
        self, learner: Person, target: Mapping[int, tuple[int, float]], mentor_ids: Iterable[int],
        preferred: int | None = None,
    ) -> list[Match]:  # fmt: skip
        """Mentors best first; `target` is skill id -> (required level, weight)."""
        ids = list(mentor_ids)
        rows = list(self.session.execute(
            select(Mentor.id, Mentor.person_id, Person.name).join(Person)
            .where(Mentor.tenant_id == self.tenant.id, Mentor.id.in_(ids))
        ))  # fmt: skip
        levels = LevelService(self.session, self.tenant).levels_for(
            [learner.id, *(pid for _, pid, _ in rows)]
        )
        mine = {sid: lv.level for sid, lv in levels.get(learner.id, {}).items()}
        out = []
        for mid, pid, name in rows:
            theirs = {sid: lv.level for sid, lv in levels.get(pid, {}).items()}
            skills, depth = 0.0, 0
            for sid, (required, weight) in target.items():
                have = mine.get(sid, 0)
                if have < required and theirs.get(sid, 0) > have:
                    skills += weight
                    depth += min(theirs[sid], required) - have
            out.append(Match(mid, name, skills, depth, mid == preferred))
        return sorted(out, key=lambda m: (m.key, -m.mentor_id), reverse=True)

    def assign(self, built: BuiltRequest, answer: dict[str, Any]) -> dict[str, Any]:
        """The answer with each free mentored item given the best-ranked mentor with room."""
        if len(built.data["learners"]) != 1 or not answer.get("plans"):
            return answer  # team plans share mentors across learners: the planner's choice holds
        learner = built.data["learners"][0]
        subject = built.subjects[learner["id"]]
        pinned = {p["activity"] for p in learner.get("pinned", []) if p.get("mentor")}
        target = {built.catalog.skill_ids[k]: (t["level"], float(t.get("weight", 1)))
                  for k, t in learner["target"].items()}  # fmt: skip
        ext = {v: k for k, v in built.catalog.mentor_ids.items()}
        activities = {a["id"]: a for a in built.data["activities"]}
        items = answer["plans"][0]["items"]
        for item in items:
            if not item["mentor"] or item["activity"] in pinned:
                continue
            eligible = [
                built.catalog.mentor_ids[m] for m in activities[item["activity"]]["mentors"]
            ]
            ranked = self.rank(subject.person, target, eligible,
                               subject.settings.preferred_mentor_id)  # fmt: skip
            for match in ranked:
                if match.mentor_id == built.catalog.mentor_ids[item["mentor"]]:
                    break  # the planner's pick is the best with room
                if _has_room(built, items, item, ext[match.mentor_id]):
                    item["mentor"] = ext[match.mentor_id]
                    break
        return answer


def _has_room(
    built: BuiltRequest, items: list[dict[str, Any]], item: dict[str, Any], mentor: str
) -> bool:
    """True when `mentor` can take the item in each of its weeks, beside their other mentees."""
    spec = next(m for m in built.data["mentors"] if m["id"] == mentor)
    for week in range(item["start_week"], item["end_week"]):
        taken = sum(b["mentees"] for b in spec.get("booked", [])
                    if b["from_week"] <= week < b["to_week"])  # fmt: skip
        taken += sum(1 for other in items if other is not item and other["mentor"] == mentor
                     and other["start_week"] <= week < other["end_week"])  # fmt: skip
        if taken + 1 > spec["capacity"]:
            return False
    return True
