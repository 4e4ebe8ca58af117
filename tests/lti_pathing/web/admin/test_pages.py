"""Every admin page renders for an admin, with the tenant's records in it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lti_pathing.models import Tenant
from tests.lti_pathing.web.conftest import Browser

NOUNS = ["skill_categories", "skills", "job_families", "roles", "activities", "people", "mentors"]
SHOWN = {
    "skill_categories": "Cat a", "skills": "Skill a", "job_families": "Family a",
    "roles": "Role a", "career_paths": "Senior a", "activities": "Activity a",
    "people": "Person a", "mentors": "Boss a", "evidence": "Person a",
}  # fmt: skip


def url(noun: str, suffix: str = "") -> str:
    return f"/admin/{noun.replace('_', '-')}/{suffix}"


def test_home_counts_and_links(admin: Browser, tenant: Tenant, seed: Callable[..., Any]) -> None:
    seed(tenant)
    page = admin.get("/admin/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'href="/admin/skills/"><span class="count">1</span> Skills' in html
    assert '<span class="count">2</span> Roles' in html


@pytest.mark.parametrize("noun", sorted(SHOWN))
def test_list_pages_show_records(
    admin: Browser, tenant: Tenant, seed: Callable[..., Any], noun: str
) -> None:
    seed(tenant)
    page = admin.get(url(noun))
    assert page.status_code == 200, page.get_data(as_text=True)
    assert SHOWN[noun] in page.get_data(as_text=True)


@pytest.mark.parametrize("noun", NOUNS)
def test_edit_and_new_pages_render(
    admin: Browser, tenant: Tenant, seed: Callable[..., Any], noun: str
) -> None:
    ids = seed(tenant)
    edit = admin.get(url(noun, str(ids[noun])))
    assert edit.status_code == 200, edit.get_data(as_text=True)
    assert 'name="version"' in edit.get_data(as_text=True)
    assert admin.get(url(noun, "new")).status_code == 200
