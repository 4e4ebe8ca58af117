"""Create, edit and retire every noun through its pages; the database holds what was typed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.models import (
    Activity,
    JobFamily,
    Lms,
    Mentor,
    Person,
    Role,
    Skill,
    SkillCategory,
    Tenant,
)
from tests.lti_pathing.web.conftest import Browser, field_value

MODELS: dict[str, Any] = {
    "skill_categories": SkillCategory, "skills": Skill, "job_families": JobFamily,
    "roles": Role, "activities": Activity, "people": Person, "mentors": Mentor,
}  # fmt: skip


def create_data(noun: str, ids: dict[str, Any]) -> dict[str, Any]:
    """What an admin types into the "new" form of each noun."""
    return {
        "skill_categories": {"name": "Data", "external_id": "data"},
        "skills": {
            "name": "SQL", "external_id": "sql", "category_id": ids["skill_categories"],
            "levels-0-name": "Basic", "levels-1-name": "Fluent",
            "levels-1-description": "Writes window queries", "levels-2-name": "",
        },
        "job_families": {"name": "Data", "external_id": "data", "description": "Analysts"},
        "roles": {
            "title": "Analyst", "external_id": "analyst", "family_id": ids["job_families"],
            "track": "individual", "level": "entry", "level_rank": "1",
            "skills-0-skill_id": ids["skills"], "skills-0-level": "2", "skills-0-weight": "2.5",
            "skills-1-skill_id": "",
        },
        "activities": {
            "title": "Pairing with a senior", "external_id": "pairing", "kind": "mentorship",
            "duration_weeks": "6", "hours_per_week": "1.5", "cost": "120", "currency": "eur",
            "outcomes-0-skill_id": ids["skills"], "outcomes-0-level": "3",
            "prereqs-0-requires_id": ids["activities"], "mentors": [str(ids["mentors"])],
            "cohorts-0-external_id": "spring", "cohorts-0-starts_on": "2030-03-04",
            "cohorts-0-seats": "4", "moodle_course_id": "42", "canvas_course_id": "77",
            "earliest_start": "2030-01-01", "latest_end": "2030-12-31",
        },
        "people": {
            "name": "Grace", "external_id": "E-9", "email": "grace@example.org",
            "current_role_id": ids["roles"], "target_role_id": ids["senior"],
            "manager_id": ids["boss"], "hours_per_week": "3", "moodle_user_id": "501",
        },
        "mentors": {"person_id": ids["people"], "capacity": "3"},
    }[noun]  # fmt: skip


def check_created(noun: str, record: Any, ids: dict[str, Any]) -> None:
    """The stored record matches what was typed."""
    if noun == "skills":
        assert [(lv.level, lv.name) for lv in record.levels] == [(1, "Basic"), (2, "Fluent")]
    elif noun == "roles":
        assert [(rs.skill_id, rs.level, float(rs.weight)) for rs in record.skills] == [
            (ids["skills"], 2, 2.5)
        ]
    elif noun == "activities":
        assert record.currency == "EUR" and float(record.hours_per_week) == 1.5
        assert [(o.skill_id, o.level) for o in record.outcomes] == [(ids["skills"], 3)]
        assert [p.requires_id for p in record.prereqs] == [ids["activities"]]
        assert [m.mentor_id for m in record.mentors] == [ids["mentors"]]
        assert [(c.external_id, c.seats) for c in record.cohorts] == [("spring", 4)]
        assert {(link.lms, link.course_id) for link in record.lms_links} == {
            (Lms.moodle, "42"), (Lms.canvas, "77"),
        }  # fmt: skip
    elif noun == "people":
        assert record.manager_id == ids["boss"] and record.target_role_id == ids["senior"]
        assert [(i.lms, i.lms_user_id) for i in record.identities] == [(Lms.moodle, "501")]
    elif noun == "mentors":
        assert record.person_id == ids["people"] and record.capacity in (3, 5)


EDITS = {
    "skill_categories": ("name", "Data science"),
    "skills": ("name", "Structured Query Language"),
    "job_families": ("name", "Data & analytics"),
    "roles": ("title", "Data analyst"),
    "activities": ("title", "Pairing with a staff engineer"),
    "people": ("name", "Grace H."),
    "mentors": ("capacity", "5"),
}


def url(noun: str, suffix: str = "") -> str:
    return f"/admin/{noun.replace('_', '-')}/{suffix}"


def fresh(session: Session, model: Any, record_id: int) -> Any:
    """The stored record, not a cached copy."""
    session.expire_all()
    return session.scalar(select(model).where(model.id == record_id))


@pytest.mark.parametrize("noun", list(MODELS))
def test_create_edit_retire_restore_round_trip(
    admin: Browser, tenant: Tenant, seed: Callable[..., Any], session: Session, noun: str
) -> None:
    ids = seed(tenant)
    created = admin.post(url(noun, "new"), create_data(noun, ids))
    assert created.status_code == 302, created.get_data(as_text=True)
    record_id = int(created.headers["Location"].rstrip("/").split("/")[-1])
    record = fresh(session, MODELS[noun], record_id)
    assert record.tenant_id == tenant.id
    check_created(noun, record, ids)

    page = admin.get(url(noun, str(record_id))).get_data(as_text=True)
    assert "Created" in page  # the flash message
    form = create_data(noun, ids)
    form.pop("person_id", None)
    name, value = EDITS[noun]
    form.update({name: value, "version": field_value(page, "version")})
    saved = admin.post(url(noun, str(record_id)), form)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    record = fresh(session, MODELS[noun], record_id)
    assert str(getattr(record, name)) == value
    check_created(noun, record, ids)  # the child rows survived an edit that kept them

    version = str(record.version)
    assert admin.post(url(noun, f"{record_id}/retire"), {"version": version}).status_code == 302
    record = fresh(session, MODELS[noun], record_id)
    assert record.active is False
    listed = admin.get(url(noun) + "?status=retired").get_data(as_text=True)
    assert "retired" in listed
    restore = admin.post(url(noun, f"{record_id}/restore"), {"version": str(record.version)})
    assert restore.status_code == 302
    assert fresh(session, MODELS[noun], record_id).active is True


@pytest.mark.parametrize("noun", ["skill_categories", "job_families", "skills", "mentors"])
def test_unreferenced_record_is_deleted(
    admin: Browser, tenant: Tenant, seed: Callable[..., Any], session: Session, noun: str
) -> None:
    ids = seed(tenant)
    created = admin.post(url(noun, "new"), create_data(noun, ids))
    record_id = int(created.headers["Location"].rstrip("/").split("/")[-1])
    version = str(fresh(session, MODELS[noun], record_id).version)
    deleted = admin.post(url(noun, f"{record_id}/delete"), {"version": version})
    assert deleted.status_code == 302
    assert fresh(session, MODELS[noun], record_id) is None


def test_career_path_added_from_role_page_and_removed(
    admin: Browser, tenant: Tenant, seed: Callable[..., Any]
) -> None:
    ids = seed(tenant)
    role_page = admin.get(url("roles", str(ids["senior"]))).get_data(as_text=True)
    assert f"/admin/career-paths/new?from_role_id={ids['senior']}" in role_page
    form_page = admin.get(f"/admin/career-paths/new?from_role_id={ids['senior']}")
    assert f'<option selected value="{ids["senior"]}">' in form_page.get_data(as_text=True)
    data = {"from_role_id": ids["senior"], "to_role_id": ids["roles"], "kind": "lateral"}
    assert admin.post(url("career_paths", "new"), data).status_code == 302
    listed = admin.get(url("career_paths") + "?kind=lateral").get_data(as_text=True)
    assert "Senior a" in listed and "<td>lateral (same level)</td>" in listed
    assert "<td>vertical (promotion)</td>" not in listed
    removed = admin.post(url("career_paths", f"{ids['career_paths']}/delete"), {"version": "1"})
    assert removed.status_code == 302
    assert "<td>vertical (promotion)</td>" not in admin.get(url("career_paths")).get_data(
        as_text=True
    )


def test_career_path_is_retyped_and_a_stale_edit_refused(
    admin: Browser, tenant: Tenant, seed: Callable[..., Any]
) -> None:
    ids = seed(tenant)
    path = url("career_paths", str(ids["career_paths"]))
    data = {"from_role_id": ids["roles"], "to_role_id": ids["senior"], "version": "1"}
    assert admin.post(path, {**data, "kind": "lateral"}).status_code == 302
    assert "<td>lateral (same level)</td>" in admin.get(url("career_paths")).get_data(as_text=True)
    stale = admin.post(path, {**data, "kind": "cross_functional"})
    assert stale.status_code == 409
    assert "<td>cross-functional" not in admin.get(url("career_paths")).get_data(as_text=True)


def test_manager_evidence_is_recorded_with_who(
    admin: Browser, tenant: Tenant, seed: Callable[..., Any]
) -> None:
    ids = seed(tenant)
    data = {"person_id": ids["people"], "skill_id": ids["skills"], "level": "3",
            "source": "manager", "observed_on": "2024-06-01", "note": "led it"}  # fmt: skip
    assert admin.post(url("evidence", "new"), data).status_code == 302
    listed = admin.get(url("evidence") + "?source=manager&q=person").get_data(as_text=True)
    assert "2024-06-01" in listed and "Ada Admin" in listed


def test_list_search_filter_and_pagination(
    admin: Browser, tenant: Tenant, seed: Callable[..., Any]
) -> None:
    seed(tenant, "a")
    seed(tenant, "b")
    found = admin.get("/admin/skills/?q=skill+b").get_data(as_text=True)
    assert "Skill b" in found and "Skill a" not in found
    first = admin.get("/admin/roles/?per_page=2").get_data(as_text=True)
    assert "Page 1 of 2" in first and 'rel="next"' in first
    second = admin.get("/admin/roles/?per_page=2&page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second
