"""Job families, roles with weighted skill levels, and typed career paths over the API."""

from __future__ import annotations

import json
from typing import Any

from tests.lti_pathing.api.conftest import ApiClient, ok
from tests.lti_pathing.api.test_skills import new_skill


def new_family(api: ApiClient, external_id: str = "eng") -> dict[str, Any]:
    """Create a job family through the API."""
    body = {"external_id": external_id, "name": external_id.title()}
    created: dict[str, Any] = ok(api.post("job-families", json=body), 201)
    return created


def new_role(api: ApiClient, family_id: int, external_id: str, **fields: Any) -> dict[str, Any]:
    """Create a role through the API."""
    body = {
        "external_id": external_id,
        "title": external_id.upper(),
        "family_id": family_id,
        "track": "individual",
        "level": "mid",
        "level_rank": 2,
        **fields,
    }
    created: dict[str, Any] = ok(api.post("roles", json=body), 201)
    return created


def test_role_with_required_skills_and_weights(api: ApiClient) -> None:
    family = new_family(api)
    sql, python = new_skill(api, "sql"), new_skill(api, "python")
    role = new_role(
        api,
        family["id"],
        "analyst",
        skills=[
            {"skill_id": sql["id"], "level": 3, "weight": 2.5},
            {"skill_id": python["id"], "level": 1},
        ],
    )
    assert [(s["skill_name"], s["level"], s["weight"]) for s in role["skills"]] == [
        ("Sql", 3, 2.5),
        ("Python", 1, 1),
    ]
    changed = ok(
        api.patch(
            f"roles/{role['id']}",
            json={
                "version": 1,
                "level": "senior",
                "skills": [{"skill_id": sql["id"], "level": 2}],
            },
        )
    )
    assert changed["level"] == "senior" and changed["version"] > 1
    assert [(s["skill_id"], s["level"]) for s in changed["skills"]] == [(sql["id"], 2)]

    too_high = api.patch(
        f"roles/{role['id']}",
        json={"version": changed["version"], "skills": [{"skill_id": sql["id"], "level": 4}]},
    )
    assert "skills" in ok(too_high, 422)["errors"]
    bad_weight = api.post(
        "roles", json={"skills": [{"skill_id": sql["id"], "level": 1, "weight": 0}]}
    )
    errors = ok(bad_weight, 422)["errors"]
    assert "weight" in errors["skills"]["0"] and {"external_id", "title", "track"} <= set(errors)
    assert "level" in ok(api.post("roles", json={"level": "wizard"}), 422)["errors"]


def test_roles_filter_by_family_level_track_and_search(api: ApiClient) -> None:
    eng, data = new_family(api, "eng"), new_family(api, "data")
    new_role(api, eng["id"], "dev-1", level="entry", level_rank=1)
    new_role(api, eng["id"], "dev-3", level="senior", level_rank=3)
    new_role(api, eng["id"], "em", level="manager", level_rank=4, track="management")
    new_role(api, data["id"], "analyst", level="senior", level_rank=3)
    titles = lambda path: [r["title"] for r in ok(api.get(path))]  # noqa: E731
    assert titles(f"roles?family_id={eng['id']}") == ["DEV-1", "DEV-3", "EM"]
    assert sorted(titles("roles?level=senior")) == ["ANALYST", "DEV-3"]
    assert titles("roles?track=management") == ["EM"]
    assert titles("roles?q=analy") == ["ANALYST"]
    page = api.get("roles?page_size=3")
    assert json.loads(page.headers["X-Pagination"])["total"] == 4 and len(ok(page)) == 3


def test_career_paths_are_typed_and_guard_role_deletes(api: ApiClient) -> None:
    family = new_family(api)
    junior = new_role(api, family["id"], "dev-1")
    senior = new_role(api, family["id"], "dev-2")
    path = ok(
        api.post(
            "career-paths",
            json={"from_role_id": junior["id"], "to_role_id": senior["id"], "kind": "vertical"},
        ),
        201,
    )
    assert path["kind"] == "vertical"
    again = api.post(
        "career-paths",
        json={"from_role_id": junior["id"], "to_role_id": senior["id"], "kind": "lateral"},
    )
    assert ok(again, 409)["code"] == "conflict"
    self_edge = api.post(
        "career-paths",
        json={"from_role_id": junior["id"], "to_role_id": junior["id"], "kind": "lateral"},
    )
    assert "to_role_id" in ok(self_edge, 422)["errors"]
    assert (
        "kind"
        in ok(
            api.post(
                "career-paths",
                json={"from_role_id": junior["id"], "to_role_id": senior["id"], "kind": "diagonal"},
            ),
            422,
        )["errors"]
    )

    assert path["version"] == 1
    retyped = ok(
        api.patch(f"career-paths/{path['id']}", json={"kind": "cross_functional", "version": 1})
    )
    assert retyped["kind"] == "cross_functional" and retyped["version"] == 2
    stale = api.patch(f"career-paths/{path['id']}", json={"kind": "lateral", "version": 1})
    assert ok(stale, 409)["code"] == "stale_edit"
    onto_itself = api.patch(
        f"career-paths/{path['id']}",
        json={"kind": "lateral", "version": 2, "to_role_id": junior["id"]},
    )
    assert "to_role_id" in ok(onto_itself, 422)["errors"]
    assert ok(api.get(f"career-paths?to_role_id={senior['id']}")) == [retyped]
    assert ok(api.get("career-paths?kind=vertical")) == []

    refused = ok(api.delete(f"roles/{senior['id']}?version=1"), 409)
    assert refused["code"] == "referenced" and refused["errors"][0]["kind"] == "career_path"
    assert api.delete(f"career-paths/{path['id']}").status_code == 204
    assert api.delete(f"roles/{senior['id']}?version=1").status_code == 204


def test_families_crud_retire_and_guarded_delete(api: ApiClient) -> None:
    family = new_family(api)
    changed = ok(
        api.patch(f"job-families/{family['id']}", json={"version": 1, "description": "Builders"})
    )
    assert changed["description"] == "Builders" and changed["version"] == 2
    role = new_role(api, family["id"], "dev")
    refused = ok(api.delete(f"job-families/{family['id']}?version=2"), 409)
    assert refused["errors"] == [{"kind": "role", "id": role["id"], "label": "DEV"}]
    assert (
        ok(api.post(f"job-families/{family['id']}/retire", json={"version": 2}))["active"] is False
    )
    assert (
        ok(api.post(f"job-families/{family['id']}/restore", json={"version": 3}))["active"] is True
    )
    assert ok(api.post(f"roles/{role['id']}/retire", json={"version": 1}))["active"] is False
    assert ok(api.get("roles?active=false"))[0]["id"] == role["id"]
    assert ok(api.post(f"roles/{role['id']}/restore", json={"version": 2}))["active"] is True
    stale = ok(api.patch(f"roles/{role['id']}", json={"version": 1, "title": "x"}), 409)
    assert stale["code"] == "stale_edit"
