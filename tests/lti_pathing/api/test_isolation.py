"""Tenant isolation: tenant B's token can neither see, change, delete nor reference A's records."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from lti_pathing.models import Plan
from tests.lti_pathing.api.conftest import ApiClient, ok
from tests.lti_pathing.api.test_activities import new_activity, new_person
from tests.lti_pathing.api.test_job_architecture import new_family, new_role
from tests.lti_pathing.api.test_skills import new_skill


@pytest.fixture
def world(api: ApiClient, session: Session, tenant: Any) -> dict[str, dict[str, Any]]:
    """One record of every kind in tenant A (acme), made through A's token."""
    category = ok(api.post("skill-categories", json={"external_id": "c", "name": "Secret"}), 201)
    skill = new_skill(api, "secret-skill", category_id=category["id"])
    family = new_family(api, "secret-family")
    role = new_role(api, family["id"], "secret-role")
    other_role = new_role(api, family["id"], "secret-role-2")
    path = ok(
        api.post(
            "career-paths",
            json={"from_role_id": role["id"], "to_role_id": other_role["id"], "kind": "vertical"},
        ),
        201,
    )
    boss = new_person(api, "secret-boss")
    mentor = ok(api.post("mentors", json={"person_id": boss["id"], "capacity": 2}), 201)
    activity = new_activity(api, "secret-course", outcomes=[{"skill_id": skill["id"], "level": 1}])
    evidence = ok(
        api.post(
            "evidence",
            json={"person_id": boss["id"], "skill_id": skill["id"], "level": 1,
                  "source": "manager", "observed_on": "2026-01-05"},
        ),
        201,
    )  # fmt: skip
    plan = Plan(tenant_id=tenant.id, person_id=boss["id"], target_role_id=role["id"])
    session.add(plan)
    session.flush()
    return {
        "skill-categories": category, "skills": skill, "job-families": family, "roles": role,
        "career-paths": path, "people": boss, "mentors": mentor, "activities": activity,
        "evidence": evidence, "plans": {"id": plan.id},
    }  # fmt: skip


@pytest.fixture
def intruder(make_api: Callable[[Any], ApiClient], make_tenant: Callable[..., Any]) -> ApiClient:
    """A client of tenant B (globex)."""
    return make_api(make_tenant("globex"))


def assert_no_leak(response: Any, status: int = 404) -> None:
    """Refused with `status`, and nothing of A's data in the answer."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert "secret" not in response.get_data(as_text=True).lower()


READABLE = ("skill-categories", "skills", "job-families", "roles", "career-paths", "people",
            "mentors", "activities", "plans")  # fmt: skip
RETIRABLE = ("skill-categories", "skills", "job-families", "roles", "people", "activities")


def test_b_sees_nothing_of_a(world: dict[str, Any], intruder: ApiClient) -> None:
    for kind in (*READABLE, "evidence"):
        response = intruder.get(kind)
        assert ok(response) == [], kind
        assert '"total": 0' in response.headers["X-Pagination"]
    for kind in READABLE:
        assert_no_leak(intruder.get(f"{kind}/{world[kind]['id']}"))
    people = intruder.get(f"people?manager_id={world['people']['id']}")
    assert ok(people) == []
    assert ok(intruder.get(f"skills?category_id={world['skill-categories']['id']}")) == []
    assert ok(intruder.get(f"evidence?person_id={world['people']['id']}")) == []
    export = ok(intruder.get("export"))
    assert all(export[section] == [] for section in ("skills", "roles", "people", "activities"))


def test_b_can_neither_change_nor_delete_a(
    world: dict[str, Any], intruder: ApiClient, api: ApiClient
) -> None:
    changes = {
        "skill-categories": {"name": "Pwned"}, "skills": {"name": "Pwned"},
        "job-families": {"name": "Pwned"}, "roles": {"title": "Pwned"},
        "people": {"name": "Pwned"}, "mentors": {"capacity": 0}, "activities": {"title": "Pwned"},
    }  # fmt: skip
    for kind, change in changes.items():
        record = world[kind]
        assert_no_leak(intruder.patch(f"{kind}/{record['id']}", json={"version": 1, **change}))
        assert_no_leak(intruder.delete(f"{kind}/{record['id']}?version=1"))
    assert_no_leak(
        intruder.patch(
            f"career-paths/{world['career-paths']['id']}", json={"kind": "lateral", "version": 1}
        )
    )
    assert_no_leak(intruder.delete(f"career-paths/{world['career-paths']['id']}"))
    for kind in RETIRABLE:
        assert_no_leak(intruder.post(f"{kind}/{world[kind]['id']}/retire", json={"version": 1}))
    for kind in READABLE:
        if kind != "plans":
            assert ok(api.get(f"{kind}/{world[kind]['id']}")) == world[kind], kind


def test_b_cannot_reference_a(world: dict[str, Any], intruder: ApiClient) -> None:
    skill, role, person = world["skills"], world["roles"], world["people"]
    family = new_family(intruder, "mine")
    mine = new_person(intruder, "me")
    scale = [{"level": 1, "name": "a"}]
    a_role = {"external_id": "r", "title": "R", "track": "individual", "level": "mid",
              "level_rank": 1}  # fmt: skip
    course = {"external_id": "a", "kind": "course", "title": "A", "duration_weeks": 1,
              "hours_per_week": 1}  # fmt: skip
    seen = {"level": 1, "source": "self", "observed_on": "2026-01-05"}
    attempts: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", "skills", {"external_id": "s", "name": "S", "levels": scale,
                            "category_id": world["skill-categories"]["id"]}),
        ("POST", "roles", {**a_role, "family_id": world["job-families"]["id"]}),
        ("POST", "roles", {**a_role, "family_id": family["id"],
                           "skills": [{"skill_id": skill["id"], "level": 1}]}),
        ("POST", "career-paths", {"from_role_id": role["id"], "kind": "lateral",
                                  "to_role_id": world["roles"]["id"]}),
        ("POST", "people", {"external_id": "p", "name": "P", "manager_id": person["id"]}),
        ("POST", "people", {"external_id": "p", "name": "P", "current_role_id": role["id"]}),
        ("PATCH", f"people/{mine['id']}", {"version": 1, "manager_id": person["id"]}),
        ("PATCH", f"people/{mine['id']}", {"version": 1, "target_role_id": role["id"]}),
        ("POST", "mentors", {"person_id": person["id"], "capacity": 1}),
        ("POST", "activities", {**course, "outcomes": [{"skill_id": skill["id"], "level": 1}]}),
        ("POST", "activities", {**course, "prereqs": [world["activities"]["id"]]}),
        ("POST", "activities", {**course, "kind": "mentorship",
                                "mentors": [world["mentors"]["id"]]}),
        ("POST", "evidence", {**seen, "person_id": person["id"], "skill_id": skill["id"]}),
        ("POST", "evidence", {**seen, "person_id": mine["id"], "skill_id": skill["id"]}),
    ]  # fmt: skip
    refused = [intruder.call(method, path, json=body) for method, path, body in attempts]
    for response in refused:
        assert response.status_code in (404, 422), response.get_data(as_text=True)
        assert "secret" not in response.get_data(as_text=True).lower()
    assert [p["external_id"] for p in ok(intruder.get("people"))] == ["me"]
    assert ok(intruder.get(f"people/{mine['id']}"))["manager_id"] is None
    assert ok(intruder.get("roles")) == [] and ok(intruder.get("activities")) == []
    assert ok(intruder.get("evidence")) == [] and ok(intruder.get("mentors")) == []


def test_an_import_through_b_does_not_touch_a(
    world: dict[str, Any], intruder: ApiClient, api: ApiClient
) -> None:
    document = ok(api.get("export"))
    report = ok(intruder.post("import", json=document))
    assert report["counts"]["skills"]["created"] == 1
    assert ok(api.get(f"skills/{world['skills']['id']}")) == world["skills"]
    assert len(ok(api.get("skills"))) == 1 and len(ok(intruder.get("skills"))) == 1
