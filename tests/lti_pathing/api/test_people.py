"""People and mentors over the API: identities, roles, reporting lines, capacity, deletes."""

from __future__ import annotations

from tests.lti_pathing.api.conftest import ApiClient, ok
from tests.lti_pathing.api.test_activities import new_person
from tests.lti_pathing.api.test_job_architecture import new_family, new_role


def test_person_with_roles_manager_and_lms_identities(api: ApiClient) -> None:
    family = new_family(api)
    dev, lead = new_role(api, family["id"], "dev"), new_role(api, family["id"], "lead")
    boss = new_person(api, "E1")
    ann = new_person(
        api,
        "E2",
        email="ann@example.org",
        current_role_id=dev["id"],
        target_role_id=lead["id"],
        manager_id=boss["id"],
        hours_per_week=3.5,
        moodle_user_id="17",
        lti_subject="sub-ann",
    )
    assert ann["manager_id"] == boss["id"] and ann["hours_per_week"] == 3.5
    assert ann["moodle_user_id"] == "17" and ann["lti_subject"] == "sub-ann"
    assert ann["canvas_user_id"] is None and len(ann["identities"]) == 2

    changed = ok(
        api.patch(
            f"people/{ann['id']}",
            json={"version": 1, "moodle_user_id": None, "canvas_user_id": "c-9"},
        )
    )
    assert changed["moodle_user_id"] is None and changed["canvas_user_id"] == "c-9"
    assert changed["version"] > 1
    taken = api.post("people", json={"external_id": "E3", "name": "Bob", "canvas_user_id": "c-9"})
    assert "canvas_user_id" in ok(taken, 422)["errors"]
    assert (
        "email"
        in ok(api.post("people", json={"external_id": "E4", "name": "X", "email": "nope"}), 422)[
            "errors"
        ]
    )

    assert [p["id"] for p in ok(api.get(f"people?manager_id={boss['id']}"))] == [ann["id"]]
    assert [p["id"] for p in ok(api.get(f"people?target_role_id={lead['id']}"))] == [ann["id"]]
    assert [p["id"] for p in ok(api.get(f"people?current_role_id={dev['id']}"))] == [ann["id"]]
    assert [p["id"] for p in ok(api.get("people?q=ann@"))] == [ann["id"]]
    refused = ok(api.delete(f"roles/{lead['id']}?version=1"), 409)
    assert refused["errors"][0] == {"kind": "person", "id": ann["id"], "label": "E2"}


def test_reporting_cycles_and_guarded_person_deletes(api: ApiClient) -> None:
    boss = new_person(api, "E1")
    dev = new_person(api, "E2", manager_id=boss["id"])
    cycle = api.patch(f"people/{boss['id']}", json={"version": 1, "manager_id": dev["id"]})
    assert "manager_id" in ok(cycle, 422)["errors"]
    refused = ok(api.delete(f"people/{boss['id']}?version=1"), 409)
    assert refused["errors"] == [{"kind": "person", "id": dev["id"], "label": "E2 reports to them"}]
    retired = ok(api.post(f"people/{boss['id']}/retire", json={"version": 1}))
    assert retired["active"] is False
    assert [p["id"] for p in ok(api.get("people?active=false"))] == [boss["id"]]
    assert ok(api.post(f"people/{boss['id']}/restore", json={"version": 2}))["active"] is True
    assert api.delete(f"people/{dev['id']}?version=1").status_code == 204


def test_mentors_capacity_and_retirement(api: ApiClient) -> None:
    zoe = new_person(api, "zoe")
    mentor = ok(api.post("mentors", json={"person_id": zoe["id"], "capacity": 3}), 201)
    assert mentor == {**mentor, "name": "Zoe", "capacity": 3, "active": True, "version": 1}
    assert (
        "capacity"
        in ok(api.post("mentors", json={"person_id": zoe["id"], "capacity": 21}), 422)["errors"]
    )
    changed = ok(
        api.patch(f"mentors/{mentor['id']}", json={"version": 1, "capacity": 1, "active": False})
    )
    assert changed["capacity"] == 1 and changed["active"] is False
    assert ok(api.get("mentors?active=false"))[0]["id"] == mentor["id"]
    assert ok(api.get("mentors?q=zo"))[0]["id"] == mentor["id"]
    stale = ok(api.patch(f"mentors/{mentor['id']}", json={"version": 1, "capacity": 2}), 409)
    assert stale["code"] == "stale_edit"
    refused = ok(api.delete(f"people/{zoe['id']}?version=1"), 409)
    assert refused["errors"][0]["kind"] == "mentor"
    assert api.delete(f"mentors/{mentor['id']}?version=2").status_code == 204
