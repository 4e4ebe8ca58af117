"""The JSON Schemas of the planning format: valid, in step with the parser and the docs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from solver import request as request_module
from solver import request_catalog
from solver.instance import Options
from solver.measure import learner_plan
from solver.request import parse_request
from solver.response import request_to_json, response_to_json
from solver.schema import SchemaName, load_schema, schema_text
from solver.solution import OpenGap, PlanItem, PlanResponse

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = Path(__file__).parent / "examples"
DOC = ROOT / "docs" / "plan-format.md"


def validator(name: SchemaName) -> Draft202012Validator:
    """A validator for the request or response schema."""
    return Draft202012Validator(load_schema(name))


def errors(name: SchemaName, document: object) -> list[str]:
    """What the schema says is wrong with a document."""
    return [e.message for e in validator(name).iter_errors(document)]


def doc_blocks() -> list[Any]:
    """The JSON examples of docs/plan-format.md, in order: the request, then its response."""
    return [json.loads(b) for b in re.findall(r"```json\n(.*?)```", DOC.read_text(), re.S)]


def example(name: str) -> Any:
    return json.loads((EXAMPLES / f"{name}.json").read_text())


@pytest.mark.parametrize("name", ["request", "response"])
def test_schemas_are_valid_draft_2020_12(name: SchemaName) -> None:
    Draft202012Validator.check_schema(load_schema(name))
    assert json.loads(schema_text(name)) == load_schema(name)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_example_requests_validate(path: Path) -> None:
    data = json.loads(path.read_text())
    assert errors("request", data) == []
    assert errors("request", request_to_json(parse_request(data))) == []


def test_the_documented_example_is_the_team_example_and_validates() -> None:
    request, response = doc_blocks()
    assert request == example("team")
    assert errors("request", request) == []
    parse_request(request)
    assert errors("response", response) == []
    assert [p["learner"] for p in response["plans"]] == [lr["id"] for lr in request["learners"]]


def test_the_documented_response_is_what_response_to_json_writes() -> None:
    request_data, response = doc_blocks()
    request = parse_request(request_data)
    plans = []
    for learner, plan in zip(request.learners, response["plans"], strict=True):
        items = [PlanItem(**item) for item in plan["items"]]
        open_gaps = tuple(OpenGap(**gap) for gap in plan["open_gaps"])
        plans.append(learner_plan(request, learner, items, open_gaps))
    written = response_to_json(PlanResponse(response["status"], tuple(plans), response["stats"]))
    assert written == response


BROKEN: list[tuple[str, dict[str, Any]]] = [
    ("no learners", {"learners": None}),
    ("extra field", {"learner": []}),
    ("version 2", {"version": 2}),
    (
        "hours not a quarter",
        {"activities": [{"id": "a", "kind": "course", "duration_weeks": 1, "hours_per_week": 0.3}]},
    ),
    (
        "bad kind",
        {"activities": [{"id": "a", "kind": "webinar", "duration_weeks": 1, "hours_per_week": 1}]},
    ),
    (
        "mentorship without mentors",
        {
            "activities": [
                {"id": "a", "kind": "mentorship", "duration_weeks": 1, "hours_per_week": 1}
            ]
        },
    ),
    ("boolean weeks", {"horizon_weeks": True}),
    ("empty id", {"skills": [{"id": "", "max_level": 2}]}),
]


@pytest.mark.parametrize("change", [b[1] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_structurally_broken_requests_do_not_validate(change: dict[str, Any]) -> None:
    data = example("tiny")
    for key, value in change.items():
        if value is None:
            del data[key]
        else:
            data[key] = value
    assert errors("request", data) != []


def test_a_broken_response_does_not_validate() -> None:
    response = doc_blocks()[1]
    response["status"] = "timed_out"
    del response["plans"][0]["items"][0]["mentor"]
    assert len(errors("response", response)) == 2


def _object_defs(schema: dict[str, Any]) -> dict[str, tuple[set[str], set[str]]]:
    """(required, optional) field names of each object definition of a schema."""
    out = {}
    for name, definition in [("top", schema), *schema["$defs"].items()]:
        if definition.get("additionalProperties") is False:
            required = set(definition.get("required", []))
            out[name] = (required, set(definition["properties"]) - required)
    return out


def test_the_request_schema_names_the_fields_the_parser_reads() -> None:
    defs = _object_defs(load_schema("request"))
    specs = {
        "top": request_module.TOP,
        "skill": request_catalog.SKILL,
        "activity": request_catalog.ACTIVITY,
        "mentor": request_catalog.MENTOR,
        "booking": request_catalog.BOOKING,
        "learner": request_module.LEARNER,
        "target": request_module.TARGET,
        "pin": request_module.PIN,
        "options": request_module.OPTIONS,
    }
    assert set(defs) == set(specs)
    for name, (required, optional) in specs.items():
        assert defs[name] == (set(required), set(optional)), name
    activity = load_schema("request")["$defs"]["activity"]["properties"]
    assert set(activity["requires"]["properties"]) == set(request_catalog.REQUIRES[1])
    assert set(activity["window"]["properties"]) == set(request_catalog.WINDOW[1])


def test_the_schema_defaults_are_the_solver_defaults() -> None:
    options = load_schema("request")["$defs"]["options"]["properties"]
    defaults = Options()
    assert options["time_limit_s"]["default"] == defaults.time_limit_s
    assert options["workers"]["default"] == defaults.workers
    assert options["explain"]["default"] == defaults.explain
