"""Skill categories and skills over the API: CRUD, pages, filters, validation, locking, deletes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Flask

from tests.lti_pathing.api.conftest import ApiClient, ok

SCALE = [
    {"level": 1, "name": "Aware"},
    {"level": 2, "name": "Practising"},
    {"level": 3, "name": "Expert"},
]


def new_skill(api: ApiClient, external_id: str, **fields: Any) -> dict[str, Any]:
    """Create a skill through the API and return it."""
    body = {"external_id": external_id, "name": external_id.title(), "levels": SCALE, **fields}
    created: dict[str, Any] = ok(api.post("skills", json=body), 201)
    return created


def test_create_read_update_a_skill_with_its_scale(api: ApiClient) -> None:
    category = ok(api.post("skill-categories", json={"external_id": "d", "name": "Data"}), 201)
    skill = new_skill(api, "sql", category_id=category["id"], description="Queries")
    assert skill["version"] == 1 and skill["max_level"] == 3 and skill["active"] is True
    assert [lv["name"] for lv in skill["levels"]] == ["Aware", "Practising", "Expert"]
    assert ok(api.get(f"skills/{skill['id']}")) == skill

    changed = ok(api.patch(f"skills/{skill['id']}", json={"version": 1, "name": "SQL"}))
    assert changed["name"] == "SQL" and changed["version"] == 2
    assert changed["levels"] == skill["levels"]  # no `levels`: the scale is left alone

    shorter = ok(api.patch(f"skills/{skill['id']}", json={"version": 2, "levels": SCALE[:2]}))
    assert shorter["max_level"] == 2 and shorter["version"] == 3


def test_list_pages_with_the_x_pagination_header(api: ApiClient, app: Flask) -> None:
    for name in ("delta", "alpha", "charlie", "bravo", "echo"):
        new_skill(api, name)
    response = api.get("skills?page=2&page_size=2")
    assert [s["name"] for s in ok(response)] == ["Charlie", "Delta"]
    meta = json.loads(response.headers["X-Pagination"])
    assert meta == {
        "total": 5,
        "total_pages": 3,
        "first_page": 1,
        "last_page": 3,
        "page": 2,
        "previous_page": 1,
        "next_page": 3,
    }

    app.config["PAGE_SIZE"] = 4
    assert len(ok(api.get("skills"))) == 4
    app.config["MAX_PAGE_SIZE"] = 10
    too_big = api.get("skills?page_size=11")
    assert too_big.status_code == 422
    assert too_big.json is not None and "page_size" in too_big.json["errors"]
    assert "page" in ok(api.get("skills?page=0"), 422)["errors"]


def test_list_filters_by_search_category_and_active(api: ApiClient) -> None:
    data = ok(api.post("skill-categories", json={"external_id": "d", "name": "Data"}), 201)
    sql = new_skill(api, "sql", category_id=data["id"])
    new_skill(api, "python", description="A programming language")
    new_skill(api, "pandas", category_id=data["id"])
    assert [s["name"] for s in ok(api.get(f"skills?category_id={data['id']}"))] == ["Pandas", "Sql"]
    assert [s["name"] for s in ok(api.get("skills?q=PROGRAMMING"))] == ["Python"]
    assert [s["name"] for s in ok(api.get("skills?q=sq"))] == ["Sql"]

    retired = ok(api.post(f"skills/{sql['id']}/retire", json={"version": 1}))
    assert retired["active"] is False and retired["version"] == 2
    assert [s["name"] for s in ok(api.get("skills?active=false"))] == ["Sql"]
    assert len(ok(api.get("skills?active=true"))) == 2
    restored = ok(api.post(f"skills/{sql['id']}/restore", json={"version": 2}))
    assert restored["active"] is True


def test_validation_errors_name_the_field(api: ApiClient) -> None:
    body = ok(api.post("skills", json={"name": "", "levels": [{"level": 11, "name": "x"}]}), 422)
    assert body["code"] == "invalid" and body["status"] == 422
    assert set(body["errors"]) == {"external_id", "name", "levels"}
    assert "level" in body["errors"]["levels"]["0"]
    assert "external_id" in body["message"]

    unknown = ok(
        api.post(
            "skills", json={"external_id": "x", "name": "X", "levels": SCALE, "colour": "red"}
        ),
        422,
    )
    assert "colour" in unknown["errors"]

    gap = ok(
        api.post(
            "skills",
            json={
                "external_id": "x",
                "name": "X",
                "levels": [{"level": 1, "name": "a"}, {"level": 3, "name": "c"}],
            },
        ),
        422,
    )
    assert "levels" in gap["errors"]

    new_skill(api, "sql")
    duplicate = ok(
        api.post("skills", json={"external_id": "y", "name": "SQL", "levels": SCALE}), 422
    )
    assert "name" in duplicate["errors"]

    same_id = ok(
        api.post("skills", json={"external_id": "sql", "name": "Other", "levels": SCALE}), 409
    )
    assert same_id["code"] == "conflict"

    no_version = ok(api.patch("skills/1", json={"name": "Nope"}), 422)
    assert "version" in no_version["errors"]


def test_a_stale_edit_is_refused_not_overwritten(api: ApiClient) -> None:
    skill = new_skill(api, "sql")
    ok(api.patch(f"skills/{skill['id']}", json={"version": 1, "name": "Mine"}))
    stale = ok(api.patch(f"skills/{skill['id']}", json={"version": 1, "name": "Theirs"}), 409)
    assert stale["code"] == "stale_edit"
    assert stale["errors"] == {"expected_version": 1, "current_version": 2}
    assert ok(api.get(f"skills/{skill['id']}"))["name"] == "Mine"
    assert ok(api.delete(f"skills/{skill['id']}?version=1"), 409)["code"] == "stale_edit"


def test_deleting_a_used_skill_lists_the_references(
    api: ApiClient, make_role: Callable[..., Any], tenant: Any
) -> None:
    from lti_pathing.services.job_architecture import RoleSkillSpec

    skill = new_skill(api, "sql")
    make_role(tenant, "analyst", skills=[RoleSkillSpec(skill["id"], 2)])
    refused = ok(api.delete(f"skills/{skill['id']}?version=1"), 409)
    assert refused["code"] == "referenced"
    assert refused["errors"] == [
        {"kind": "role", "id": refused["errors"][0]["id"], "label": "ANALYST requires level 2"}
    ]
    assert ok(api.get(f"skills/{skill['id']}"))["id"] == skill["id"]

    unused = new_skill(api, "cobol")
    assert api.delete(f"skills/{unused['id']}?version=1").status_code == 204
    assert ok(api.get(f"skills/{unused['id']}"), 404)["code"] == "not_found"
    assert "version" in ok(api.delete(f"skills/{skill['id']}"), 422)["errors"]


def test_categories_crud_and_guarded_delete(api: ApiClient) -> None:
    category = ok(api.post("skill-categories", json={"external_id": "d", "name": "Data"}), 201)
    renamed = ok(
        api.patch(f"skill-categories/{category['id']}", json={"version": 1, "name": "Data & AI"})
    )
    assert renamed["name"] == "Data & AI" and renamed["version"] == 2
    new_skill(api, "sql", category_id=category["id"])
    refused = ok(api.delete(f"skill-categories/{category['id']}?version=2"), 409)
    assert refused["code"] == "referenced" and refused["errors"][0]["kind"] == "skill"
    retired = ok(api.post(f"skill-categories/{category['id']}/retire", json={"version": 2}))
    assert retired["active"] is False
    assert ok(api.get("skill-categories?active=false"))[0]["id"] == category["id"]
    empty = ok(api.post("skill-categories", json={"external_id": "e", "name": "Empty"}), 201)
    assert api.delete(f"skill-categories/{empty['id']}?version=1").status_code == 204
    assert ok(api.post("skill-categories", json={"external_id": "f", "name": "data & ai"}), 422)
