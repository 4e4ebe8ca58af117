"""Import (all or nothing, dry run) and export of the whole tenant over the API."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from tests.lti_pathing.api.conftest import ApiClient, ok

SMALL = {
    "format": "lti-pathing.catalog", "version": 1,
    "skill_categories": [{"id": "data", "name": "Data"}],
    "skills": [{"id": "sql", "name": "SQL", "category": "data",
                "levels": [{"level": 1, "name": "Aware"}, {"level": 2, "name": "Fluent"}]}],
    "job_families": [{"id": "eng", "name": "Engineering"}],
    "roles": [{"id": "analyst", "title": "Analyst", "family": "eng", "track": "individual",
               "level": "mid", "level_rank": 2, "skills": [{"skill": "sql", "level": 2}]}],
}  # fmt: skip


def test_import_then_export_round_trips(api: ApiClient) -> None:
    dry = ok(api.post("import?dry_run=1", json=SMALL))
    assert dry["dry_run"] is True and dry["counts"]["skills"]["created"] == 1
    assert ok(api.get("skills")) == []  # a dry run writes nothing

    report = ok(api.post("import", json=SMALL))
    assert report["dry_run"] is False and report["changed"] == 4
    assert [s["name"] for s in ok(api.get("skills"))] == ["SQL"]
    assert ok(api.get("roles"))[0]["skills"][0]["level"] == 2

    again = ok(api.post("import", json=SMALL))
    assert again["changed"] == 0  # idempotent by external ids
    exported = ok(api.get("export"))
    assert exported["format"] == "lti-pathing.catalog"
    assert [s["id"] for s in exported["skills"]] == ["sql"] and "people" in exported
    assert "people" not in ok(api.get("export?people=false"))
    assert ok(api.post("import", json=exported))["changed"] == 0


def test_a_bad_import_is_rejected_whole_with_every_problem(api: ApiClient) -> None:
    bad: dict[str, Any] = {
        **SMALL,
        "skills": [*SMALL["skills"], {"id": "py", "name": "Python", "levels": []}],
        "roles": [{**SMALL["roles"][0], "family": "nope"}],
    }
    body = ok(api.post("import", json=bad), 422)
    assert body["code"] == "import_rejected" and body["status"] == 422
    paths = {problem["path"] for problem in body["errors"]}
    assert any(p.startswith("/skills/1") for p in paths)
    assert any(p.startswith("/roles/0") for p in paths)
    assert ok(api.get("skills")) == [] and ok(api.get("skill-categories")) == []

    broken = api.post("import", data=b"{not json", content_type="application/json")
    assert ok(broken, 422)["errors"][0]["code"] == "syntax"


def test_the_sample_organisation_imports_over_the_api(api: ApiClient) -> None:
    data = resources.files("lti_pathing").joinpath("sample_data/catalog.json").read_bytes()
    report = ok(api.post("import", data=data, content_type="application/json"))
    assert report["counts"]["people"]["created"] == 200
    response = api.get("people?page_size=50&page=4")
    assert len(ok(response)) == 50 and '"total": 200' in response.headers["X-Pagination"]


def test_a_framework_csv_is_told_by_its_content_and_reported_item_by_item(
    api: ApiClient,
) -> None:
    outcomes = (Path(__file__).parents[2] / "fixtures/interop/canvas/demo.csv").read_bytes()
    dry = ok(api.post("import?dry_run=1", data=outcomes, content_type="text/csv"))
    assert dry["counts"]["skills"]["created"] == 1 and ok(api.get("skills")) == []
    assert "Canvas group 'A' (vendor_guid a) → category 'A'" in dry["notes"]
    done = ok(api.post("import", data=outcomes, content_type="text/csv"))
    assert done["changed"] == 3 and [s["name"] for s in ok(api.get("skills"))] == ["C"]
    bad = ok(api.post("import?format=moodle-csv", data=outcomes, content_type="text/csv"), 422)
    assert {"file": "request", "row": 4, "column": None, "code": "invalid",
            "message": "18 cells; Moodle's export has 14"} in bad["errors"]  # fmt: skip
    assert {"file": "request", "row": 1, "column": "Is framework", "code": "invalid",
            "message": "no framework row (Is framework = 1)"} in bad["errors"]  # fmt: skip
    assert ok(api.post("import?format=excel", data=outcomes), 422)["code"] == "invalid"
