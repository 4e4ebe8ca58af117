"""Catalog activities over the API: child sets, windows, kinds, validation, guarded deletes."""

from __future__ import annotations

from typing import Any

from tests.lti_pathing.api.conftest import ApiClient, ok
from tests.lti_pathing.api.test_skills import new_skill


def new_person(api: ApiClient, external_id: str, **fields: Any) -> dict[str, Any]:
    """Create a person through the API."""
    body = {"external_id": external_id, "name": external_id.title(), **fields}
    created: dict[str, Any] = ok(api.post("people", json=body), 201)
    return created


def new_activity(api: ApiClient, external_id: str, **fields: Any) -> dict[str, Any]:
    """Create a course (unless `kind` says otherwise) through the API."""
    body = {
        "external_id": external_id,
        "kind": "course",
        "title": external_id.title(),
        "duration_weeks": 4,
        "hours_per_week": 2,
        **fields,
    }
    created: dict[str, Any] = ok(api.post("activities", json=body), 201)
    return created


def test_an_activity_with_every_child_set(api: ApiClient) -> None:
    sql, python = new_skill(api, "sql"), new_skill(api, "python")
    basics = new_activity(api, "sql-101", outcomes=[{"skill_id": sql["id"], "level": 1}])
    mentor = ok(
        api.post("mentors", json={"person_id": new_person(api, "m1")["id"], "capacity": 2}), 201
    )
    body = {
        "kind": "mentorship",
        "cost": 120.5,
        "currency": "EUR",
        "earliest_start": "2027-01-04",
        "latest_end": "2027-06-30",
        "outcomes": [{"skill_id": sql["id"], "level": 3}],
        "skill_prereqs": [{"skill_id": python["id"], "level": 1}],
        "prereqs": [basics["id"]],
        "mentors": [mentor["id"]],
        "cohorts": [{"external_id": "spring", "starts_on": "2027-03-01", "seats": 8}],
        "lms_links": [{"lms": "moodle", "course_id": "42"}, {"lms": "canvas", "course_id": "7"}],
    }
    activity = new_activity(api, "sql-mentoring", **body)
    assert activity["kind"] == "mentorship" and activity["cost"] == 120.5
    assert activity["outcomes"] == [{"skill_id": sql["id"], "skill_name": "Sql", "level": 3}]
    assert activity["prereqs"] == [basics["id"]] and activity["mentors"] == [mentor["id"]]
    assert activity["cohorts"] == [{"external_id": "spring", "starts_on": "2027-03-01", "seats": 8}]
    assert {(x["lms"], x["course_id"]) for x in activity["lms_links"]} == {
        ("moodle", "42"),
        ("canvas", "7"),
    }
    assert activity["earliest_start"] == "2027-01-04"

    changed = ok(
        api.patch(
            f"activities/{activity['id']}",
            json={
                "version": activity["version"],
                "lms_links": [],
                "cohorts": [],
                "hours_per_week": 1.25,
            },
        )
    )
    assert (
        changed["lms_links"] == []
        and changed["cohorts"] == []
        and changed["hours_per_week"] == 1.25
    )
    assert changed["outcomes"] == activity["outcomes"]  # not sent: unchanged

    refused = ok(api.delete(f"activities/{basics['id']}?version={basics['version']}"), 409)
    assert refused["code"] == "referenced" and refused["errors"][0]["id"] == activity["id"]
    refused = ok(api.delete(f"mentors/{mentor['id']}?version=1"), 409)
    assert refused["errors"][0]["kind"] == "activity"


def test_activity_rules_are_reported_per_field(api: ApiClient) -> None:
    errors = ok(
        api.post(
            "activities",
            json={
                "external_id": "x",
                "kind": "lecture",
                "title": "X",
                "duration_weeks": 0,
                "hours_per_week": 0.3,
                "earliest_start": "2027-05-01",
                "latest_end": "2027-04-01",
            },
        ),
        422,
    )["errors"]
    assert {"kind", "duration_weeks"} <= set(errors)
    errors = ok(
        api.post(
            "activities",
            json={
                "external_id": "x",
                "kind": "course",
                "title": "X",
                "duration_weeks": 2,
                "hours_per_week": 0.3,
                "earliest_start": "2027-05-01",
                "latest_end": "2027-04-01",
            },
        ),
        422,
    )["errors"]
    assert {"hours_per_week", "latest_end"} <= set(errors)
    no_mentor = api.post(
        "activities",
        json={
            "external_id": "m",
            "kind": "mentorship",
            "title": "M",
            "duration_weeks": 2,
            "hours_per_week": 1,
        },
    )
    assert "mentors" in ok(no_mentor, 422)["errors"]
    no_currency = api.post(
        "activities",
        json={
            "external_id": "c",
            "kind": "course",
            "title": "C",
            "duration_weeks": 2,
            "hours_per_week": 1,
            "cost": 10,
        },
    )
    assert "currency" in ok(no_currency, 422)["errors"]
    assert ok(api.get("activities")) == []  # nothing half-written


def test_activities_filter_by_kind_active_and_search(api: ApiClient) -> None:
    course = new_activity(api, "rust-course", provider="Ferris Academy")
    new_activity(api, "stretch-1", kind="stretch", title="Lead the migration")
    new_activity(api, "cert", kind="certification", title="Cloud cert")
    assert [a["title"] for a in ok(api.get("activities?kind=stretch"))] == ["Lead the migration"]
    assert [a["id"] for a in ok(api.get("activities?q=ferris"))] == [course["id"]]
    ok(api.post(f"activities/{course['id']}/retire", json={"version": 1}))
    assert [a["id"] for a in ok(api.get("activities?active=false"))] == [course["id"]]
    assert len(ok(api.get("activities?active=true"))) == 2
    assert ok(api.post(f"activities/{course['id']}/restore", json={"version": 2}))["active"] is True
    assert api.delete(f"activities/{course['id']}?version=3").status_code == 204
