"""The shipped sample organisation is well-formed, consistent and plannable.

Plain Python over the files in src/lti_pathing/sample_data/: no application code is imported, so
these tests also pin the import format (docs/import-format.md) from the data side.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.sample_data.import_files import (
    COLUMNS,
    DATA,
    NESTED,
    by_id,
    canonical,
    csv_as_document,
    doc,
    has_cycle,
    read_csv,
)

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_sample_org.py"

# Required (role, skill) levels that nothing teaches, on purpose (see the generator's docstring).
HARD_GAPS = {
    ("swe-5", "software-design"),
    ("ceo", "strategic-planning"),
    ("ceo", "negotiate-stakeholders"),
}
SENIOR_LEVELS = {"senior", "lead", "principal", "manager", "director"}


# --- format -------------------------------------------------------------------------------------


def test_every_csv_file_is_present_and_every_cell_valid() -> None:
    files = {p.name for p in (DATA / "csv").iterdir()}
    assert files == set(COLUMNS)
    for name in COLUMNS:
        assert read_csv(name), f"{name} is empty"


def test_json_has_only_documented_keys() -> None:
    assert doc()["format"] == "lti-pathing.catalog" and doc()["version"] == 1
    assert set(doc()) == {"format", "version"} | {
        n.removesuffix(".csv") for n in COLUMNS if n not in NESTED
    }
    nested = {key for _s, _p, key, _c in NESTED.values()}
    for section in (n.removesuffix(".csv") for n in COLUMNS if n not in NESTED):
        name = f"{section}.csv"
        expected = {c.rstrip("?") for c in COLUMNS[name]}
        for row in doc()[section]:
            assert set(row) - nested == expected, (section, set(row) ^ expected)


def test_json_and_csv_describe_the_same_data() -> None:
    assert canonical(csv_as_document()) == canonical(doc())


def test_ids_and_child_keys_are_unique() -> None:
    keys = {
        "skill_categories.csv": ("id",),
        "skills.csv": ("id",),
        "job_families.csv": ("id",),
        "roles.csv": ("id",),
        "activities.csv": ("id",),
        "mentors.csv": ("person",),
        "people.csv": ("employee_id",),
        "skill_levels.csv": ("skill", "level"),
        "role_skills.csv": ("role", "skill"),
        "career_paths.csv": ("from_role", "to_role"),
        "activity_outcomes.csv": ("activity", "skill"),
        "activity_skill_prereqs.csv": ("activity", "skill"),
        "activity_prereqs.csv": ("activity", "requires"),
        "cohorts.csv": ("activity", "id"),
        "activity_mentors.csv": ("activity", "mentor"),
        "lms_links.csv": ("activity", "lms"),
    }
    for name, key in keys.items():
        seen = Counter(tuple(row[k] for k in key) for row in read_csv(name))
        assert [k for k, n in seen.items() if n > 1] == [], name
    for name, column in (
        ("skills.csv", "name"),
        ("skill_categories.csv", "name"),
        ("people.csv", "email"),
    ):
        values = [row[column].casefold() for row in read_csv(name) if row[column]]
        assert len(values) == len(set(values)), name
    course_ids = [(r["lms"], r["course_id"]) for r in read_csv("lms_links.csv")]
    assert len(course_ids) == len(set(course_ids))


def test_every_reference_resolves() -> None:
    ids = {
        "category": set(by_id("skill_categories")),
        "skill": set(by_id("skills")),
        "family": set(by_id("job_families")),
        "role": set(by_id("roles")),
        "activity": set(by_id("activities")),
        "person": set(by_id("people", "employee_id")),
        "mentor": set(by_id("mentors", "person")),
    }
    refs = [
        ("skills.csv", "category", "category"),
        ("skill_levels.csv", "skill", "skill"),
        ("roles.csv", "family", "family"),
        ("role_skills.csv", "role", "role"),
        ("role_skills.csv", "skill", "skill"),
        ("career_paths.csv", "from_role", "role"),
        ("career_paths.csv", "to_role", "role"),
        ("activity_outcomes.csv", "activity", "activity"),
        ("activity_outcomes.csv", "skill", "skill"),
        ("activity_skill_prereqs.csv", "activity", "activity"),
        ("activity_skill_prereqs.csv", "skill", "skill"),
        ("activity_prereqs.csv", "activity", "activity"),
        ("activity_prereqs.csv", "requires", "activity"),
        ("cohorts.csv", "activity", "activity"),
        ("activity_mentors.csv", "activity", "activity"),
        ("activity_mentors.csv", "mentor", "mentor"),
        ("lms_links.csv", "activity", "activity"),
        ("mentors.csv", "person", "person"),
        ("people.csv", "manager_employee_id", "person"),
        ("people.csv", "current_role", "role"),
        ("people.csv", "target_role", "role"),
    ]
    for name, column, kind in refs:
        dangling = {r[column] for r in read_csv(name) if r[column]} - ids[kind]
        assert dangling == set(), (name, column, dangling)


def test_levels_are_contiguous_and_references_in_range() -> None:
    levels: dict[str, list[int]] = {}
    for row in read_csv("skill_levels.csv"):
        levels.setdefault(row["skill"], []).append(row["level"])
    assert set(levels) == set(by_id("skills"))
    for skill, found in levels.items():
        assert sorted(found) == [1, 2, 3, 4, 5], skill
    names = {r["name"] for r in read_csv("skill_levels.csv")}
    assert names == {"Awareness", "Working", "Practitioner", "Advanced", "Expert"}
    for name in ("role_skills.csv", "activity_outcomes.csv", "activity_skill_prereqs.csv"):
        assert all(1 <= r["level"] <= 5 for r in read_csv(name)), name


# --- job architecture ---------------------------------------------------------------------------


def test_roles_require_five_to_ten_skills_with_sane_levels_and_weights() -> None:
    for role in doc()["roles"]:
        assert 5 <= len(role["skills"]) <= 10, role["id"]
        for req in role["skills"]:
            assert 1 <= req["level"] <= 5 and req["weight"] in (1, 2, 3), (role["id"], req)
        assert role["track"] == (
            "management" if role["level"] in ("manager", "director") else "individual"
        )


def test_career_paths_have_every_kind_and_no_self_loops() -> None:
    roles = by_id("roles")
    kinds = Counter(p["kind"] for p in doc()["career_paths"])
    assert kinds["vertical"] >= 20 and kinds["lateral"] >= 10 and kinds["cross_functional"] >= 8
    for path in doc()["career_paths"]:
        src, dst = roles[path["from_role"]], roles[path["to_role"]]
        assert src["id"] != dst["id"]
        if path["kind"] == "vertical":
            assert dst["level_rank"] > src["level_rank"], path
        if path["kind"] == "cross_functional":
            assert dst["family"] != src["family"], path
        else:
            assert dst["family"] == src["family"] or dst["id"] == "ceo", path


# --- catalog ------------------------------------------------------------------------------------


def test_activity_prerequisites_are_acyclic() -> None:
    edges = [(r["activity"], r["requires"]) for r in read_csv("activity_prereqs.csv")]
    assert len(edges) >= 5
    assert not has_cycle(edges)


def test_activities_are_well_formed() -> None:
    for a in doc()["activities"]:
        assert 1 <= a["duration_weeks"] <= 12, a["id"]
        assert 1 <= a["hours_per_week"] <= 8 and (a["hours_per_week"] * 4) % 1 == 0, a["id"]
        assert a["outcomes"], a["id"]
        assert (a["cost"] > 0) == (a["currency"] is not None), a["id"]
        granted = {o["skill"]: o["level"] for o in a["outcomes"]}
        for pre in a["skill_prereqs"]:
            assert pre["level"] < granted.get(pre["skill"], 6), (a["id"], pre)
        if a["earliest_start"] and a["latest_end"]:
            start = dt.date.fromisoformat(a["earliest_start"])
            end = dt.date.fromisoformat(a["latest_end"])
            assert end - start >= dt.timedelta(weeks=a["duration_weeks"]), a["id"]
        for cohort in a["cohorts"]:
            assert cohort["starts_on"].startswith("2027-"), a["id"]
            assert a["seats"] or cohort["seats"], a["id"]


def test_catalog_has_every_kind_in_realistic_proportions() -> None:
    acts = doc()["activities"]
    kinds = Counter(a["kind"] for a in acts)
    assert set(kinds) == {
        "course",
        "mentorship",
        "stretch",
        "certification",
        "shadowing",
        "peer_group",
    }
    assert kinds["course"] > len(acts) / 2
    assert all(a["cost"] > 0 for a in acts if a["kind"] == "certification")
    assert all(a["seats"] for a in acts if a["kind"] in ("stretch", "peer_group"))
    assert sum(bool(a["cohorts"]) for a in acts) >= 15
    assert sum(bool(a["earliest_start"]) for a in acts) >= 5
    assert 3 <= sum(not a["active"] for a in acts) <= 10
    courses = [a for a in acts if a["kind"] == "course"]
    moodle = sum(any(link["lms"] == "moodle" for link in a["lms_links"]) for a in courses)
    canvas = sum(any(link["lms"] == "canvas" for link in a["lms_links"]) for a in courses)
    assert 0.25 <= moodle / len(courses) <= 0.45 and canvas >= 10
    progressions = [
        a
        for a in acts
        for p in a["skill_prereqs"]
        if {"skill": p["skill"], "level": p["level"] + 1} in a["outcomes"]
    ]
    assert len(progressions) >= 50


def test_mentorships_list_two_or_three_active_senior_mentors() -> None:
    people, roles = by_id("people", "employee_id"), by_id("roles")
    mentors = by_id("mentors", "person")
    for m in mentors.values():
        assert roles[people[m["person"]]["current_role"]]["level"] in SENIOR_LEVELS
        assert people[m["person"]]["active"] and 1 <= m["capacity"] <= 20
    for a in doc()["activities"]:
        if a["kind"] == "mentorship":
            assert 2 <= len(a["mentors"]) <= 3, a["id"]
            assert any(mentors[p]["active"] for p in a["mentors"]), a["id"]


def attainable_levels() -> dict[str, int]:
    """Highest level per skill reachable from nothing through active activities."""
    levels: dict[str, int] = {}
    done: set[str] = set()
    active = [a for a in doc()["activities"] if a["active"]]
    progress = True
    while progress:
        progress = False
        for a in active:
            ready = all(levels.get(p["skill"], 0) >= p["level"] for p in a["skill_prereqs"])
            if a["id"] not in done and ready and set(a["prereqs"]) <= done:
                done.add(a["id"])
                for o in a["outcomes"]:
                    levels[o["skill"]] = max(levels.get(o["skill"], 0), o["level"])
                progress = True
    return levels


def test_required_skills_can_be_learnt_except_the_deliberately_hard_ones() -> None:
    reach = attainable_levels()
    gaps = {
        (r["id"], s["skill"])
        for r in doc()["roles"]
        for s in r["skills"]
        if reach.get(s["skill"], 0) < s["level"]
    }
    assert gaps == HARD_GAPS


# --- people -------------------------------------------------------------------------------------


def test_reporting_lines_form_one_tree() -> None:
    people = by_id("people", "employee_id")
    roots = [p for p in people.values() if p["manager_employee_id"] is None]
    assert [r["current_role"] for r in roots] == ["ceo"]
    edges = [
        (p["employee_id"], p["manager_employee_id"])
        for p in people.values()
        if p["manager_employee_id"]
    ]
    assert not has_cycle(edges)
    for person in people.values():  # every chain ends at the root
        seen, node = set(), person
        while node["manager_employee_id"]:
            assert node["employee_id"] not in seen
            seen.add(node["employee_id"])
            node = people[node["manager_employee_id"]]
        assert node is roots[0]


def test_managers_have_four_to_eight_reports_and_leavers_manage_nobody() -> None:
    people, roles = by_id("people", "employee_id"), by_id("roles")
    reports = Counter(p["manager_employee_id"] for p in people.values())
    for pid, person in people.items():
        if roles[person["current_role"]]["level"] == "manager":
            assert 4 <= reports[pid] <= 8, pid
        if not person["active"]:
            assert reports[pid] == 0, pid


def test_people_fields_are_realistic() -> None:
    people = doc()["people"]
    moves = {(p["from_role"], p["to_role"]) for p in doc()["career_paths"]}
    assert all(p["email"].endswith("@example.com") for p in people)
    assert all(2 <= p["hours_per_week"] <= 8 for p in people)
    targets = [p for p in people if p["target_role"]]
    assert 0.3 <= len(targets) / len(people) <= 0.5
    assert all((p["current_role"], p["target_role"]) in moves for p in targets)
    assert sum(bool(p["moodle_user_id"]) for p in people) / len(people) >= 0.8
    assert 0.1 <= sum(bool(p["canvas_user_id"]) for p in people) / len(people) <= 0.5
    assert len({p["name"] for p in people}) == len(people)


def test_counts_are_in_the_expected_ranges() -> None:
    counts = {k: len(v) for k, v in doc().items() if isinstance(v, list)}
    expected = {
        "job_families": (5, 8),
        "roles": (35, 50),
        "skills": (50, 70),
        "skill_categories": (6, 10),
        "activities": (250, 350),
        "people": (180, 230),
        "mentors": (15, 25),
    }
    for section, (low, high) in expected.items():
        assert low <= counts[section] <= high, (section, counts[section])


def test_sizes_stay_reasonable() -> None:
    total = sum(p.stat().st_size for p in DATA.rglob("*") if p.is_file())
    assert total < 2_000_000


def test_skills_cite_esco_concepts() -> None:
    uris = [s["source_uri"] for s in doc()["skills"]]
    assert all(u.startswith("http://data.europa.eu/esco/skill/") for u in uris)
    assert len(set(uris)) == len(uris)
    assert "CC BY 4.0" in (DATA / "ATTRIBUTION.md").read_text(encoding="utf-8")


@pytest.mark.skipif(not SCRIPT.exists(), reason="generator not in this distribution")
def test_generator_reproduces_the_shipped_files(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path)], check=True, capture_output=True
    )
    for fresh in tmp_path.rglob("*"):
        if fresh.is_file():
            shipped = DATA / fresh.relative_to(tmp_path)
            assert fresh.read_bytes() == shipped.read_bytes(), fresh.name


# --- histories ----------------------------------------------------------------------------------
def histories() -> list[dict[str, object]]:
    """The evidence rows of histories.json."""
    import json

    rows: list[dict[str, object]] = json.loads(
        (DATA / "histories.json").read_text(encoding="utf-8")
    )["evidence"]
    return rows


def test_histories_name_stored_people_skills_courses_and_managers() -> None:
    people, skills = by_id("people", "employee_id"), by_id("skills")
    activities = by_id("activities")
    for row in histories():
        person, skill = people[str(row["person"])], skills[str(row["skill"])]
        top = max(level["level"] for level in skill["levels"])
        assert 1 <= int(str(row["level"])) <= top, row
        assert dt.date.fromisoformat(str(row["observed_on"])) < dt.date(2026, 11, 1), row
        if row["source"] == "lms_completion":
            outcomes = activities[str(row["activity"])]["outcomes"]
            assert {"skill": row["skill"], "level": row["level"]} in outcomes, row
        if row["source"] == "manager":
            assert row["recorded_by"] == person["manager_employee_id"] is not None, row
