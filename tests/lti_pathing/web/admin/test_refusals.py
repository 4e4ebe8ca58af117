"""Refused changes: messages beside the field, stale saves, referenced deletes, CSRF, escaping."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lti_pathing.models import Role, Skill, SkillCategory, Tenant
from lti_pathing.services.skills import SkillService
from tests.lti_pathing.web.conftest import Browser, field_value


def error_beside(html: str, field_id: str) -> str:
    """The message shown for a field, after checking the input points at it."""
    tag = re.search(rf'<(input|select|textarea)[^>]*id="{re.escape(field_id)}"[^>]*>', html)
    assert tag is not None, f"no input {field_id}"
    assert 'aria-invalid="true"' in tag.group(0)
    assert f"{field_id}-error" in tag.group(0)  # aria-describedby
    message = re.search(rf'id="{re.escape(field_id)}-error">([^<]*)<', html)
    assert message is not None
    return message.group(1)


def test_service_message_shows_beside_the_field_and_input_is_kept(
    admin: Browser, tenant: Tenant, seed: Callable[..., Any]
) -> None:
    seed(tenant)
    page = admin.post("/admin/skills/new", {"name": "skill A", "external_id": "typed-id",
                                            "levels-0-name": "Basic"})  # fmt: skip
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "already used" in error_beside(html, "name")
    assert field_value(html, "external_id") == "typed-id"
    assert field_value(html, "name") == "skill A"
    assert 'role="alert"' in html and 'href="#name"' in html  # the summary links to the field


def test_form_checks_and_service_rules_on_an_activity(
    admin: Browser, tenant: Tenant, seed: Callable[..., Any], session: Session
) -> None:
    ids = seed(tenant)
    data = {"title": "Mentoring", "external_id": "mentoring", "kind": "mentorship",
            "duration_weeks": "4", "hours_per_week": "0.3",
            "outcomes-0-skill_id": ids["skills"], "outcomes-0-level": "7"}  # fmt: skip
    html = admin.post("/admin/activities/new", data).get_data(as_text=True)
    assert "multiple of 0.25" in error_beside(html, "hours_per_week")
    assert "Skill a: choose a level from 1 to 3" in error_beside(html, "outcomes-0-level")
    data.update({"hours_per_week": "2", "outcomes-0-level": "2", "cost": "50"})
    page = admin.post("/admin/activities/new", data)
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "required when cost" in error_beside(html, "currency")
    assert 'id="mentors-error">a mentorship needs at least one mentor' in html
    data.update({"currency": "EUR", "mentors": [str(ids["mentors"])], "external_id": "act-a"})
    html = admin.post("/admin/activities/new", data).get_data(as_text=True)
    assert "already uses this id" in error_beside(html, "external_id")


def test_reporting_cycle_and_bad_role_skill_level(
    admin: Browser, tenant: Tenant, seed: Callable[..., Any]
) -> None:
    ids = seed(tenant)
    boss_page = admin.get(f"/admin/people/{ids['boss']}").get_data(as_text=True)
    data = {"name": "Boss a", "external_id": "boss-a", "manager_id": ids["people"],
            "version": field_value(boss_page, "version")}  # fmt: skip
    html = admin.post(f"/admin/people/{ids['boss']}", data).get_data(as_text=True)
    assert "reporting cycle" in error_beside(html, "manager_id")
    role = {"title": "New", "external_id": "new", "family_id": ids["job_families"],
            "track": "individual", "level": "mid", "level_rank": "2",
            "skills-0-skill_id": ids["skills"], "skills-0-level": "9"}  # fmt: skip
    html = admin.post("/admin/roles/new", role).get_data(as_text=True)
    assert "Skill a: choose a level from 1 to 3" in error_beside(html, "skills-0-level")
    # The level's hint names the skill's scale (what each level is called)
    assert "Skill a: 1 Level 1, 2 Level 2, 3 Level 3." in html


def test_stale_edit_is_refused_with_what_changed(
    admin: Browser, tenant: Tenant, seed: Callable[..., Any], session: Session
) -> None:
    ids = seed(tenant)
    page = admin.get(f"/admin/skills/{ids['skills']}").get_data(as_text=True)
    loaded = field_value(page, "version")
    # Someone else renames it meanwhile.
    SkillService(session, tenant).update_skill(ids["skills"], None, {"name": "Renamed elsewhere"})
    session.flush()
    data = {"name": "My rename", "external_id": "skill-a", "levels-0-name": "Level 1",
            "version": loaded}  # fmt: skip
    stale = admin.post(f"/admin/skills/{ids['skills']}", data)
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "Not saved: someone else changed this skill" in html
    assert "Name: <strong>Renamed elsewhere</strong>" in html
    assert f'href="/admin/skills/{ids["skills"]}">Reload the current version' in html
    assert field_value(html, "name") == "My rename"  # what the user typed is still there
    session.expire_all()
    assert session.get_one(Skill, ids["skills"]).name == "Renamed elsewhere"


def test_stale_retire_is_refused(
    admin: Browser, tenant: Tenant, seed: Callable[..., Any], session: Session
) -> None:
    ids = seed(tenant)
    response = admin.post(f"/admin/roles/{ids['roles']}/retire", {"version": "0"})
    assert response.status_code == 302
    assert "changed by someone else" in admin.get(response.headers["Location"]).get_data(
        as_text=True
    )
    session.expire_all()
    assert session.get_one(Role, ids["roles"]).active is True


def test_referenced_delete_lists_references_and_offers_retire(
    admin: Browser, tenant: Tenant, seed: Callable[..., Any], session: Session
) -> None:
    ids = seed(tenant)
    version = str(session.get_one(Skill, ids["skills"]).version)
    refused = admin.post(f"/admin/skills/{ids['skills']}/delete", {"version": version})
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert f'<a href="/admin/roles/{ids["roles"]}">Role a requires level 2</a>' in html
    assert f'<a href="/admin/activities/{ids["activities"]}">Activity a teaches level 2</a>' in html
    assert "evidence record(s)" in html
    assert f'action="/admin/skills/{ids["skills"]}/retire"' in html and "Retire it instead" in html
    session.expire_all()
    assert session.get(Skill, ids["skills"]) is not None
    role_version = str(session.get_one(Role, ids["roles"]).version)
    html = admin.post(f"/admin/roles/{ids['roles']}/delete", {"version": role_version}).get_data(
        as_text=True
    )
    assert f'<a href="/admin/people/{ids["people"]}">Person a</a>' in html


def test_post_without_csrf_token_is_rejected_and_writes_nothing(
    admin: Browser, tenant: Tenant, session: Session
) -> None:
    def count() -> int:
        return session.scalar(select(func.count()).select_from(SkillCategory)) or 0

    before = count()
    response = admin.post("/admin/skill-categories/new", {"name": "X", "external_id": "x"},
                          csrf=False)  # fmt: skip
    assert response.status_code == 400
    forged_form = {"name": "X", "external_id": "x", "csrf_token": "forged"}
    forged = admin.post("/admin/skill-categories/new", forged_form, csrf=False)
    assert forged.status_code == 400
    assert count() == before


def test_names_are_escaped_everywhere_they_show(admin: Browser, tenant: Tenant) -> None:
    evil = "<script>alert(1)</script>"
    created = admin.post("/admin/skills/new", {"name": evil, "external_id": "evil",
                                               "levels-0-name": evil})  # fmt: skip
    assert created.status_code == 302
    for page in ("/admin/skills/", created.headers["Location"]):
        html = admin.get(page).get_data(as_text=True)
        assert "<script>alert(1)" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
