"""Bad input is a 4xx naming the field, never a server error (on PostgreSQL above all)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.lti_pathing.api.conftest import ApiClient

TOO_BIG = 3420376831720


def error_fields(response: Any, status: int = 422) -> dict[str, Any]:
    """The per-field errors of a refused request, after checking its status."""
    assert response.status_code == status, response.get_data(as_text=True)
    errors: dict[str, Any] = response.json["errors"]
    return errors


@pytest.mark.parametrize(
    "path",
    [f"jobs/{TOO_BIG}", f"people/{TOO_BIG}", f"activities/{TOO_BIG}", f"skills/{2**31}"],
)
def test_a_path_id_beyond_the_column_is_not_found(api: ApiClient, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 404
    assert response.json["code"] == "not_found"


def test_a_page_beyond_any_offset_is_refused_naming_page(api: ApiClient) -> None:
    assert "page" in error_fields(api.get("people?page=5919783946546109558554624"))


def test_an_id_filter_beyond_the_column_is_refused_naming_it(api: ApiClient) -> None:
    assert "manager_id" in error_fields(api.get(f"people?manager_id={TOO_BIG}"))


def test_an_id_in_a_body_beyond_the_column_is_refused_naming_it(api: ApiClient) -> None:
    body = {
        "person_id": -7e26,
        "skill_id": 1,
        "level": 1,
        "source": "manager",
        "observed_on": "2026-01-05",
    }
    assert "person_id" in error_fields(api.post("evidence", json=body))


def test_a_cost_beyond_the_column_is_refused_naming_it(api: ApiClient) -> None:
    body = {"external_id": "big", "kind": "course", "title": "Big", "duration_weeks": 1,
            "hours_per_week": 1, "cost": 1e20}  # fmt: skip
    assert "cost" in error_fields(api.post("activities", json=body))


def test_a_nul_character_in_a_body_string_is_refused_naming_it(api: ApiClient) -> None:
    body = {"external_id": "x\u0000y", "name": "Nul"}
    assert "external_id" in error_fields(api.post("skill-categories", json=body))


def test_a_nul_character_in_the_query_is_refused_naming_it(api: ApiClient) -> None:
    assert "q" in error_fields(api.get("people?q=a%00b"))


def test_json_nested_too_deep_is_refused(api: ApiClient) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    response = api.post("skills", data=deep, content_type="application/json")
    assert response.status_code == 400
    assert "nested" in response.json["message"]


@pytest.mark.parametrize("number", ["Infinity", "-Infinity", "NaN", "1e400"])
def test_a_number_no_column_holds_is_refused(api: ApiClient, number: str) -> None:
    body = f'{{"person_id": {number}, "skill_id": 1, "level": 1}}'
    response = api.post("evidence", data=body, content_type="application/json")
    assert response.status_code == 400


def test_a_wildcard_in_the_search_matches_only_itself(
    api: ApiClient, tenant: Any, session: Any
) -> None:
    from lti_pathing.services.people import PeopleService

    PeopleService(session, tenant).create_person({"external_id": "p-1", "name": "Ada 100%"})
    PeopleService(session, tenant).create_person({"external_id": "p2", "name": "Bob"})
    session.flush()
    assert [p["name"] for p in api.get("people?q=%").json] == ["Ada 100%"]
    assert [p["name"] for p in api.get("people?q=p_").json] == []
    assert [p["name"] for p in api.get("people?q=p-").json] == ["Ada 100%"]


ACTIVITY = {"external_id": "js", "kind": "course", "title": "JS", "duration_weeks": 1,
            "hours_per_week": 1}  # fmt: skip


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(document.domain)", "data:text/html,<script>alert(1)</script>",
     "javascript://example.com/%0Aalert(1)", "ftp://files.example.com/course",
     "https://example.com/" + "a" * 500],
)  # fmt: skip
def test_the_api_refuses_links_that_forms_and_imports_refuse(api: ApiClient, url: str) -> None:
    assert "url" in error_fields(api.post("activities", json={**ACTIVITY, "url": url}))
    skill = {"external_id": "s", "name": "S", "levels": [{"level": 1, "name": "L1"}]}
    assert "source_uri" in error_fields(api.post("skills", json={**skill, "source_uri": url}))


def test_the_api_refuses_descriptions_longer_than_forms_and_imports_take(api: ApiClient) -> None:
    body = {**ACTIVITY, "description": "x" * 100_000}
    assert "description" in error_fields(api.post("activities", json=body))


def test_what_the_api_accepts_the_tenants_export_imports_again(api: ApiClient) -> None:
    body = {**ACTIVITY, "url": "https://learn.example.com/course?id=7", "description": "d" * 4000}
    assert api.post("activities", json=body).status_code == 201
    exported = api.get("export").json
    report = api.post("import?dry_run=true", json=exported)
    assert report.status_code == 200, report.get_data(as_text=True)
