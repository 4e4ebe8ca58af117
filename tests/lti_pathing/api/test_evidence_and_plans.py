"""Evidence (list and record) and plans (read-only, with items) over the API."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from lti_pathing.models import Plan, PlanItem, PlanStatus
from tests.lti_pathing.api.conftest import ApiClient, ok
from tests.lti_pathing.api.test_activities import new_activity, new_person
from tests.lti_pathing.api.test_skills import new_skill


def test_record_and_list_evidence(api: ApiClient) -> None:
    ann, boss = new_person(api, "ann"), new_person(api, "boss")
    sql, python = new_skill(api, "sql"), new_skill(api, "python")
    course = new_activity(api, "sql-101")
    seen = {"person_id": ann["id"], "skill_id": sql["id"], "level": 2, "source": "manager",
            "observed_on": "2026-03-01", "recorded_by_id": boss["id"],
            "note": "code review"}  # fmt: skip
    first = ok(api.post("evidence", json=seen), 201)
    assert first == {**seen, "id": first["id"], "activity_id": None,
                     "created_at": first["created_at"]}  # fmt: skip
    ok(api.post("evidence", json={**seen, "skill_id": python["id"], "level": 1,
                                  "source": "lms_completion", "observed_on": "2026-04-01",
                                  "activity_id": course["id"],
                                  "recorded_by_id": None}), 201)  # fmt: skip
    ok(api.post("evidence", json={**seen, "source": "import", "observed_on": "2025-12-01"}), 201)

    assert [e["observed_on"] for e in ok(api.get("evidence"))] == [
        "2026-04-01", "2026-03-01", "2025-12-01"]  # fmt: skip
    assert len(ok(api.get(f"evidence?skill_id={sql['id']}"))) == 2
    assert [e["source"] for e in ok(api.get("evidence?source=import"))] == ["import"]
    assert len(ok(api.get(f"evidence?person_id={boss['id']}"))) == 0

    assert "level" in ok(api.post("evidence", json={**seen, "level": 4}), 422)["errors"]
    mine = {**seen, "source": "self", "recorded_by_id": ann["id"], "level": 7}
    refused = ok(api.post("evidence", json=mine), 422)  # a self-assessment off the skill's scale
    assert refused["errors"] == {
        "level": [f"{sql['name']} is measured from 0 to {sql['max_level']}"]
    }
    assert "source" in ok(api.post("evidence", json={**seen, "source": "rumour"}), 422)["errors"]
    future = ok(api.post("evidence", json={**seen, "observed_on": "2999-01-01"}), 422)
    assert "observed_on" in future["errors"]
    refused = ok(api.delete(f"skills/{sql['id']}?version=1"), 409)
    assert refused["errors"][-1]["kind"] == "evidence"


def test_plans_are_listed_and_read_with_their_items(
    api: ApiClient, session: Session, tenant: Any
) -> None:
    ann, bob = new_person(api, "ann"), new_person(api, "bob")
    course = new_activity(api, "sql-101")
    plans = []
    for person, status in ((ann, PlanStatus.approved), (bob, PlanStatus.draft)):
        plan = Plan(tenant_id=tenant.id, person_id=person["id"], status=status)
        plan.items.append(PlanItem(tenant_id=tenant.id, activity_id=course["id"],
                                   start_week=2, end_week=6))  # fmt: skip
        session.add(plan)
        plans.append(plan)
    session.flush()

    listed = ok(api.get("plans"))
    assert [p["id"] for p in listed] == [plans[1].id, plans[0].id]  # newest first
    assert ok(api.get(f"plans?person_id={ann['id']}"))[0]["status"] == "approved"
    assert [p["person_id"] for p in ok(api.get("plans?status=draft"))] == [bob["id"]]
    plan = ok(api.get(f"plans/{plans[0].id}"))
    assert plan["items"] == [{**plan["items"][0], "activity_id": course["id"],
                              "activity_title": "Sql-101", "start_week": 2, "end_week": 6,
                              "status": "planned", "pinned": False}]  # fmt: skip
    assert api.patch(f"plans/{plans[0].id}", json={"version": 1}).status_code == 405
    refused = ok(api.delete(f"activities/{course['id']}?version=1"), 409)
    assert refused["errors"][0]["kind"] == "plan_item"
