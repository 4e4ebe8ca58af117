"""Child collections of an import's entities: each made to hold exactly the rows given.

(LMS links uploaded without activities merge instead; see `MERGED_WHEN_PARTIAL` in reader.py.)

One function per child table (skill levels, role skills, career paths, an activity's outcomes,
prerequisites, cohorts, mentors and LMS links); `Writer` calls them through `SYNCS`.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from lti_pathing.models import (
    Activity,
    ActivityMentor,
    ActivityOutcome,
    ActivityPrereq,
    ActivitySkillPrereq,
    CareerPath,
    Cohort,
    LmsCourseLink,
    Role,
    RoleSkill,
    Skill,
    SkillLevel,
    SkillRelation,
)
from lti_pathing.services.transfer.reader import Row

if TYPE_CHECKING:
    from lti_pathing.services.transfer.apply import Writer

ROLE_SKILL_WEIGHT = Decimal(1)  # a required skill's weight when the import leaves it empty


def _skill_levels(w: Writer, skill: Skill, rows: list[Row]) -> bool:
    wanted = {r.values["level"]: {"level": r.values["level"], "name": r.values["name"],
              "description": r.values.get("description"),
              "source_value": r.values.get("source_value")} for r in rows}  # fmt: skip
    return w.sync(
        skill.levels,
        {lv.level: lv for lv in skill.levels},
        wanted,
        SkillLevel,
        lambda lv: f"level {lv.level}",
    )


def _skill_relations(w: Writer, skill: Skill, rows: list[Row]) -> bool:
    wanted = {r.values["related"]: {"related": w.ref("skills", r.values["related"]),
              "kind": r.values["kind"]} for r in rows}  # fmt: skip
    return w.sync(
        skill.relations,
        {r.related.external_id: r for r in skill.relations},
        wanted,
        SkillRelation,
        lambda r: f"relation {r.kind} to {r.related.external_id}",
    )


def _role_skills(w: Writer, role: Role, rows: list[Row]) -> bool:
    wanted = {
        r.values["skill"]: {"skill": w.ref("skills", r.values["skill"]), "level": r.values["level"],
                            "weight": r.values.get("weight") or ROLE_SKILL_WEIGHT}
        for r in rows
    }  # fmt: skip
    current = {rs.skill.external_id: rs for rs in role.skills}
    return w.sync(role.skills, current, wanted, RoleSkill,
                  lambda rs: f"required skill {rs.skill.external_id}")  # fmt: skip


def _career_paths(w: Writer, role: Role, rows: list[Row]) -> bool:
    wanted = {r.values["to_role"]: {"to_role": w.ref("roles", r.values["to_role"]),
              "kind": r.values["kind"]} for r in rows}  # fmt: skip
    return w.sync(
        role.paths,
        {p.to_role.external_id: p for p in role.paths},
        wanted,
        CareerPath,
        lambda p: f"career path to {p.to_role.external_id}",
    )


def _skill_rows(
    model: type[Any], attribute: str, noun: str
) -> Callable[[Writer, Activity, list[Row]], bool]:
    def sync(w: Writer, activity: Activity, rows: list[Row]) -> bool:
        collection = getattr(activity, attribute)
        wanted = {r.values["skill"]: {"skill": w.ref("skills", r.values["skill"]),
                  "level": r.values["level"]} for r in rows}  # fmt: skip
        current = {r.skill.external_id: r for r in collection}
        return w.sync(collection, current, wanted, model,
                      lambda r: f"{noun} {r.skill.external_id} level {r.level}")  # fmt: skip

    return sync


def _prereqs(w: Writer, activity: Activity, rows: list[Row]) -> bool:
    wanted = {r.values["requires"]: {"requires": w.ref("activities", r.values["requires"])}
              for r in rows}  # fmt: skip
    current = {p.requires.external_id: p for p in activity.prereqs}
    return w.sync(activity.prereqs, current, wanted, ActivityPrereq,
                  lambda p: f"prerequisite {p.requires.external_id}")  # fmt: skip


def _cohorts(w: Writer, activity: Activity, rows: list[Row]) -> bool:
    wanted = {r.values["id"]: {"external_id": r.values["id"], "starts_on": r.values["starts_on"],
              "seats": r.values.get("seats")} for r in rows}  # fmt: skip
    current = {c.external_id: c for c in activity.cohorts}
    return w.sync(activity.cohorts, current, wanted, Cohort,
                  lambda c: f"cohort {c.external_id}")  # fmt: skip


def _mentors(w: Writer, activity: Activity, rows: list[Row]) -> bool:
    wanted = {r.values["mentor"]: {"mentor": w.ref("mentors", r.values["mentor"])} for r in rows}
    current = {m.mentor.person.external_id: m for m in activity.mentors}
    return w.sync(activity.mentors, current, wanted, ActivityMentor,
                  lambda m: f"mentor {m.mentor.person.external_id}")  # fmt: skip


def _links(w: Writer, activity: Activity, rows: list[Row]) -> bool:
    wanted = {r.values["lms"]: {"lms": r.values["lms"], "course_id": r.values["course_id"],
              "issuer": ""} for r in rows}  # fmt: skip
    current = {link.lms: link for link in activity.lms_links if link.issuer == ""}
    return w.sync(activity.lms_links, current, wanted, LmsCourseLink,
                  lambda link: f"LMS link {link.lms.value} {link.course_id}")  # fmt: skip


SYNCS: dict[str, Callable[[Writer, Any, list[Row]], bool]] = {
    "skill_levels": _skill_levels,
    "skill_relations": _skill_relations,
    "role_skills": _role_skills,
    "career_paths": _career_paths,
    "activity_outcomes": _skill_rows(ActivityOutcome, "outcomes", "outcome"),
    "activity_skill_prereqs": _skill_rows(
        ActivitySkillPrereq, "skill_prereqs", "skill prerequisite"
    ),
    "activity_prereqs": _prereqs,
    "cohorts": _cohorts,
    "activity_mentors": _mentors,
    "lms_links": _links,
}
