"""One edit is one version: a PATCH of fields and child lists together bumps `version` once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lti_pathing.services.base import broken_check
from tests.lti_pathing.api.conftest import ApiClient, ok
from tests.lti_pathing.api.test_activities import new_activity, new_person
from tests.lti_pathing.api.test_job_architecture import new_family, new_role
from tests.lti_pathing.api.test_skills import SCALE, new_skill


def edit_twice(api: ApiClient, path: str, record: dict[str, Any], change: dict[str, Any]) -> None:
    """PATCH fields + children: version + 1; a second edit on that version is accepted."""
    first = ok(api.patch(path, json={"version": record["version"], **change}))
    assert first["version"] == record["version"] + 1
    again = ok(api.patch(path, json={"version": first["version"], **change}))
    assert again["version"] == first["version"]  # nothing changed: no new version


def test_a_role_edit_of_fields_and_skills_is_one_version(api: ApiClient) -> None:
    sql = new_skill(api, "sql")
    role = new_role(api, new_family(api)["id"], "analyst")
    change = {"title": "Data analyst", "skills": [{"skill_id": sql["id"], "level": 2}]}
    edit_twice(api, f"roles/{role['id']}", role, change)


def test_a_skill_edit_of_fields_and_scale_is_one_version(api: ApiClient) -> None:
    skill = new_skill(api, "sql")
    change = {"name": "SQL", "levels": [*SCALE, {"level": 4, "name": "Master"}]}
    edit_twice(api, f"skills/{skill['id']}", skill, change)


def test_an_activity_edit_of_fields_and_children_is_one_version(api: ApiClient) -> None:
    sql = new_skill(api, "sql")
    activity = new_activity(api, "sql-101")
    change = {
        "title": "SQL basics",
        "outcomes": [{"skill_id": sql["id"], "level": 2}],
        "cohorts": [{"external_id": "spring", "starts_on": "2027-03-01", "seats": 8}],
    }
    edit_twice(api, f"activities/{activity['id']}", activity, change)


def test_a_person_edit_of_fields_and_identities_is_one_version(api: ApiClient) -> None:
    person = new_person(api, "E1")
    change = {"name": "Ann Lee", "moodle_user_id": "17", "canvas_user_id": "c-9"}
    edit_twice(api, f"people/{person['id']}", person, change)


def test_a_patch_that_breaks_a_rule_with_stored_values_is_a_422_naming_the_field(
    api: ApiClient,
) -> None:
    activity = new_activity(
        api, "sql-101", earliest_start="2027-01-04", latest_end="2027-06-30", seats=10
    )
    path = f"activities/{activity['id']}"

    late_start = ok(api.patch(path, json={"version": 1, "earliest_start": "2027-07-01"}), 422)
    assert late_start["code"] == "invalid"
    message = "must be at least 4 weeks after earliest_start (2027-07-01)"
    assert late_start["errors"] == {"latest_end": [message]}
    early_end = ok(api.patch(path, json={"version": 1, "latest_end": "2027-01-04"}), 422)
    assert "latest_end" in early_end["errors"]
    assert ok(api.get(path))["earliest_start"] == "2027-01-04"  # nothing written
    assert ok(api.get(path))["version"] == 1


def test_a_check_the_database_refuses_is_reported_on_its_field(
    api: ApiClient, session: Session
) -> None:
    person = new_person(api, "E1")
    error = None
    try:
        with session.begin_nested():
            session.execute(
                text("UPDATE person SET manager_id = id WHERE id = :id"),
                {"id": person["id"]},
            )
    except IntegrityError as caught:
        error = caught
    assert error is not None
    invalid = broken_check(error)
    assert invalid is not None and invalid.errors == {
        "manager_id": ["a person cannot be their own manager"]
    }
