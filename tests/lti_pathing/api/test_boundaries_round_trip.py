"""What any door accepts, a backup restores: records at the edge of every bound the API takes,
exported and imported into another tenant, come back unchanged (models/limits.py and
services/text_rules.py hold each bound once)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lti_pathing.models.limits import DURATION_WEEKS, LEVEL_RANK, MENTOR_CAPACITY, SEATS
from lti_pathing.services.text_rules import DESCRIPTION_MAX, LINK_MAX, NAME_MAX
from tests.lti_pathing.api.conftest import ApiClient, ok
from tests.lti_pathing.api.test_activities import new_activity, new_person
from tests.lti_pathing.api.test_job_architecture import new_family, new_role

TOP_SCALE = [{"level": n, "name": f"Level {n}"} for n in range(1, 11)]


def _link(length: int) -> str:
    head = "https://example.org/"
    return head + "a" * (length - len(head))


def _fill_at_the_edges(api: ApiClient) -> None:
    sql = ok(api.post("skills", json={"external_id": "sql", "name": "S" * NAME_MAX,
                                      "description": "d" * DESCRIPTION_MAX,
                                      "levels": TOP_SCALE}), 201)  # fmt: skip
    family = new_family(api)
    new_role(api, family["id"], "lowest", level_rank=LEVEL_RANK.low,
             skills=[{"skill_id": sql["id"], "level": 10, "weight": 10}])  # fmt: skip
    new_role(api, family["id"], "highest", level_rank=LEVEL_RANK.high)
    idle = new_person(api, "idle")
    busy = new_person(api, "busy")
    ok(api.post("mentors", json={"person_id": idle["id"], "capacity": MENTOR_CAPACITY.low}), 201)
    ok(api.post("mentors", json={"person_id": busy["id"], "capacity": MENTOR_CAPACITY.high}), 201)
    new_activity(api, "short", duration_weeks=DURATION_WEEKS.low, hours_per_week=0.25,
                 seats=SEATS.low, url=_link(LINK_MAX), title="T" * NAME_MAX,
                 description="d" * DESCRIPTION_MAX,
                 outcomes=[{"skill_id": sql["id"], "level": 10}])  # fmt: skip
    new_activity(api, "long", duration_weeks=DURATION_WEEKS.high, hours_per_week=40,
                 seats=SEATS.high, cost=0)  # fmt: skip
    new_activity(api, "tight", duration_weeks=2, earliest_start="2027-01-04",
                 latest_end="2027-01-18", cost=9.99, currency="EUR")  # fmt: skip


def test_records_at_every_bound_export_and_import_into_another_tenant_unchanged(
    make_api: Callable[..., ApiClient], make_tenant: Callable[..., Any], tenant: Any
) -> None:
    source = make_api(tenant)
    _fill_at_the_edges(source)
    exported = ok(source.get("export"))

    target = make_api(make_tenant("restored", "Restored Ltd"))
    report = ok(target.post("import", json=exported))
    assert report["dry_run"] is False
    assert ok(target.get("export")) == exported


@pytest.mark.parametrize(
    ("path", "field", "value"),
    [
        ("mentors", "capacity", MENTOR_CAPACITY.high + 1),
        ("activities", "duration_weeks", DURATION_WEEKS.high + 1),
        ("activities", "hours_per_week", 0.3),
        ("activities", "seats", SEATS.high + 1),
        ("roles", "level_rank", LEVEL_RANK.high + 1),
        ("activities", "currency", "eur"),
    ],
)
def test_one_step_past_a_bound_is_refused_with_the_rule(
    api: ApiClient, path: str, field: str, value: Any
) -> None:
    body = ok(api.post(path, json={field: value}), 422)
    assert field in body["errors"]
    message = " ".join(body["errors"][field])
    assert "must be" in message or "ISO 4217" in message


def test_a_window_shorter_than_the_activity_is_refused_as_the_import_refuses_it(
    api: ApiClient,
) -> None:
    body = {"external_id": "x", "kind": "course", "title": "X", "duration_weeks": 3,
            "hours_per_week": 1, "earliest_start": "2027-01-04",
            "latest_end": "2027-01-18"}  # fmt: skip
    errors = ok(api.post("activities", json=body), 422)["errors"]
    assert errors["latest_end"] == ["must be at least 3 weeks after earliest_start (2027-01-04)"]
