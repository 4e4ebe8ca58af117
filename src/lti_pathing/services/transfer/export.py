"""Export a tenant's catalog, job architecture and people as one JSON document or CSV files."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from lti_pathing.models import Activity, Lms, Person, Role, Skill
from lti_pathing.services.base import TenantService
from lti_pathing.services.transfer.stored import load_stored

FORMAT = "lti-pathing.catalog"
VERSION = 1
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _plain(value: Any) -> Any:
    """JSON-ready scalar: decimals as numbers without trailing zeros, dates as ISO text."""
    if isinstance(value, Decimal):
        normal = value.normalize()
        return int(normal) if normal == normal.to_integral_value() else float(normal)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class ExportService(TenantService):
    """Build the export document of the acting tenant (every entity, rows sorted by key)."""

    def document(self, people: bool = True) -> dict[str, Any]:
        """The whole tenant as the JSON document of the import format."""
        # Everything with its children in a few queries (the importer's loader); the
        # many-to-one references below then resolve from the session's identity map.
        stored = load_stored(self.session, self.tenant)
        doc: dict[str, Any] = {"format": FORMAT, "version": VERSION}
        doc["skill_categories"] = [
            {"id": c.external_id, "name": c.name, **_source(c), "active": c.active}
            for c in _sorted(stored.skill_categories)
        ]
        doc["skills"] = [self._skill(s) for s in _sorted(stored.skills)]
        doc["job_families"] = [
            {"id": f.external_id, "name": f.name, "description": f.description}
            for f in _sorted(stored.job_families)
        ]
        roles = _sorted(stored.roles)
        doc["roles"] = [self._role(r) for r in roles]
        doc["career_paths"] = sorted(
            (
                {"from_role": r.external_id, "to_role": p.to_role.external_id,
                 "kind": p.kind.value}
                for r in roles for p in r.paths
            ),
            key=lambda row: (row["from_role"], row["to_role"]),
        )  # fmt: skip
        doc["activities"] = [self._activity(a) for a in _sorted(stored.activities)]
        doc["mentors"] = sorted(
            (
                {"person": key, "capacity": m.capacity, "active": m.active}
                for key, m in stored.mentors.items()
            ),
            key=lambda row: row["person"],
        )
        if people:
            doc["people"] = [self._person(p) for p in _sorted(stored.people)]
        return doc

    def write_csv(self, folder: Path, people: bool = True) -> list[Path]:
        """Write one CSV file per entity into `folder`; return the files written."""
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for name, header, rows in self.csv_tables(self.document(people)):
            path = folder / f"{name}.csv"
            with path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(header)
                writer.writerows([_cell(row.get(col)) for col in header] for row in rows)
            written.append(path)
        return written

    @staticmethod
    def csv_tables(doc: dict[str, Any]) -> list[tuple[str, list[str], list[dict[str, Any]]]]:
        """Flatten the JSON document into (file name, header, rows) per CSV file."""
        tables = csv_columns()
        rows: dict[str, list[dict[str, Any]]] = {name: [] for name in tables}
        rows["skill_categories"] = doc["skill_categories"]
        rows["job_families"] = doc["job_families"]
        rows["career_paths"] = doc["career_paths"]
        rows["mentors"] = doc["mentors"]
        rows["people"] = doc.get("people", [])
        for skill in doc["skills"]:
            rows["skills"].append(skill)
            rows["skill_levels"] += [{"skill": skill["id"], **lv} for lv in skill["levels"]]
            rows["skill_relations"] += [{"skill": skill["id"], **r} for r in skill["relations"]]
        for role in doc["roles"]:
            rows["roles"].append(role)
            rows["role_skills"] += [{"role": role["id"], **rs} for rs in role["skills"]]
        for act in doc["activities"]:
            rows["activities"].append(act)
            key = {"activity": act["id"]}
            rows["activity_outcomes"] += [{**key, **o} for o in act["outcomes"]]
            rows["activity_skill_prereqs"] += [{**key, **o} for o in act["skill_prereqs"]]
            rows["activity_prereqs"] += [{**key, "requires": r} for r in act["prereqs"]]
            rows["cohorts"] += [{**key, **c} for c in act["cohorts"]]
            rows["activity_mentors"] += [{**key, "mentor": m} for m in act["mentors"]]
            rows["lms_links"] += [{**key, **link} for link in act["lms_links"]]
        if "people" not in doc:
            del tables["people"]
        return [(name, header, rows[name]) for name, header in tables.items()]

    def _skill(self, skill: Skill) -> dict[str, Any]:
        return {
            "id": skill.external_id, "name": skill.name,
            "category": skill.category.external_id if skill.category else None,
            "description": skill.description, "source_uri": skill.source_uri, **_source(skill),
            "proficient_level": skill.proficient_level, "active": skill.active,
            "levels": [
                {"level": lv.level, "name": lv.name, "description": lv.description,
                 "source_value": lv.source_value}
                for lv in skill.levels
            ],
            "relations": sorted(
                ({"related": r.related.external_id, "kind": r.kind} for r in skill.relations),
                key=lambda r: r["related"],
            ),
        }  # fmt: skip

    def _role(self, role: Role) -> dict[str, Any]:
        skills = sorted(role.skills, key=lambda rs: rs.skill.external_id)
        return {
            "id": role.external_id, "title": role.title, "family": role.family.external_id,
            "track": role.track.value, "level": role.level.value, "level_rank": role.level_rank,
            "critical": role.critical, "description": role.description, **_source(role),
            "skills": [
                {"skill": rs.skill.external_id, "level": rs.level, "weight": _plain(rs.weight)}
                for rs in skills
            ],
        }  # fmt: skip

    def _activity(self, a: Activity) -> dict[str, Any]:
        def skill_rows(rows: list[Any]) -> list[dict[str, Any]]:
            pairs = sorted((r.skill.external_id, r.level) for r in rows)
            return [{"skill": s, "level": lv} for s, lv in pairs]

        return {
            "id": a.external_id, "title": a.title, "kind": a.kind.value, "provider": a.provider,
            "url": a.url, "duration_weeks": a.duration_weeks,
            "hours_per_week": _plain(a.hours_per_week), "cost": _plain(a.cost),
            "currency": a.currency, "earliest_start": _plain(a.earliest_start),
            "latest_end": _plain(a.latest_end), "seats": a.seats, "active": a.active,
            "description": a.description,
            "outcomes": skill_rows(a.outcomes), "skill_prereqs": skill_rows(a.skill_prereqs),
            "prereqs": sorted(p.requires.external_id for p in a.prereqs),
            "cohorts": sorted(
                ({"id": c.external_id, "starts_on": c.starts_on.isoformat(), "seats": c.seats}
                 for c in a.cohorts),
                key=lambda c: str(c["id"]),
            ),
            "mentors": sorted(m.mentor.person.external_id for m in a.mentors),
            "lms_links": sorted(
                ({"lms": link.lms.value, "course_id": link.course_id}
                 for link in a.lms_links if link.issuer == ""),
                key=lambda link: link["lms"],
            ),
        }  # fmt: skip

    def _person(self, p: Person) -> dict[str, Any]:
        imported = [i for i in p.identities if i.issuer == ""]
        ids = {i.lms: i.lms_user_id for i in imported if i.lms is not None}
        subject = next((i.subject for i in imported if i.subject), None)
        return {
            "employee_id": p.external_id, "name": p.name, "email": p.email,
            "manager_employee_id": p.manager.external_id if p.manager else None,
            "current_role": p.current_role.external_id if p.current_role else None,
            "target_role": p.target_role.external_id if p.target_role else None,
            "hours_per_week": _plain(p.hours_per_week),
            "moodle_user_id": ids.get(Lms.moodle), "canvas_user_id": ids.get(Lms.canvas),
            "lti_subject": subject, "active": p.active,
        }  # fmt: skip


def _source(item: Any) -> dict[str, Any]:
    """Where an imported item came from (both None for one made here)."""
    return {"source": item.source, "source_id": item.source_id}


def _sorted(by_key: dict[str, Any]) -> list[Any]:
    return [by_key[key] for key in sorted(by_key)]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return neutralise_formula(value)
    return str(value)


def _looks_like_formula(text: str) -> bool:
    # Quotes already in front count too, so that escaping is reversible for every text.
    return text.lstrip("'").startswith(FORMULA_STARTS)


def neutralise_formula(text: str) -> str:
    """A CSV cell a spreadsheet shows as text: `'` in front of one that starts like a formula."""
    return f"'{text}" if _looks_like_formula(text) else text


def restore_formula(cell: str) -> str:
    """The text `neutralise_formula` escaped, unchanged; any other cell as it is."""
    if cell.startswith("'") and _looks_like_formula(cell[1:]):
        return cell[1:]
    return cell


def csv_columns() -> dict[str, list[str]]:
    """Every CSV file of the format, in import order, with its full header."""
    return {
        "skill_categories": ["id", "name", "source", "source_id", "active"],
        "skills": [
            "id", "name", "category", "description", "source_uri", "source", "source_id",
            "proficient_level", "active",
        ],
        "skill_levels": ["skill", "level", "name", "description", "source_value"],
        "skill_relations": ["skill", "related", "kind"],
        "job_families": ["id", "name", "description"],
        "roles": [
            "id", "title", "family", "track", "level", "level_rank", "critical", "description",
            "source", "source_id",
        ],
        "role_skills": ["role", "skill", "level", "weight"],
        "career_paths": ["from_role", "to_role", "kind"],
        "activities": [
            "id", "title", "kind", "provider", "url", "duration_weeks", "hours_per_week", "cost",
            "currency", "earliest_start", "latest_end", "seats", "active", "description",
        ],
        "activity_outcomes": ["activity", "skill", "level"],
        "activity_skill_prereqs": ["activity", "skill", "level"],
        "activity_prereqs": ["activity", "requires"],
        "cohorts": ["activity", "id", "starts_on", "seats"],
        "activity_mentors": ["activity", "mentor"],
        "lms_links": ["activity", "lms", "course_id"],
        "mentors": ["person", "capacity", "active"],
        "people": [
            "employee_id", "name", "email", "manager_employee_id", "current_role", "target_role",
            "hours_per_week", "moodle_user_id", "canvas_user_id", "lti_subject", "active",
        ],
    }  # fmt: skip
