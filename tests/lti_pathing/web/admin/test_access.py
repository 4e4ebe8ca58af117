"""Who may open the admin pages, and that one tenant's admin never reaches another's records.

Both checks enumerate `app.url_map`, so a page added later is covered without editing this file.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

from lti_pathing.auth import Actor
from lti_pathing.models import ApiToken, Skill, Tenant
from tests.lti_pathing.web.conftest import Browser

PUBLIC_ID = "6f0c1e52-3f1b-4d55-9a52-0d7c3b1f2a71"  # a credential's address (none has it)


def admin_rules(app: Flask) -> list[Rule]:
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/admin")]
    assert len(rules) > 40  # every noun's pages are registered
    return rules


def methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) & {"GET", "POST"})


def build(rule: Rule, record_id: int = 1, prefix: str = "deadbeef") -> str:
    values = {"record_id": record_id, "prefix": prefix}
    return (
        rule.rule.replace("<int:record_id>", str(values["record_id"]))
        .replace("<prefix>", values["prefix"])
        .replace("<uuid:public_id>", PUBLIC_ID)
    )


def test_anonymous_gets_401_everywhere(app: Flask, browser: Browser) -> None:
    for rule in admin_rules(app):
        for method in methods(rule):
            response = browser.get(build(rule)) if method == "GET" else browser.post(build(rule))
            assert response.status_code == 401, f"{method} {rule.rule}"


@pytest.mark.parametrize("roles", [(), ("manager",)])
def test_learners_and_managers_get_403_everywhere(
    app: Flask,
    browser: Browser,
    tenant: Tenant,
    make_actor: Callable[..., Actor],
    seed: Callable[..., Any],
    roles: tuple[str, ...],
) -> None:
    ids = seed(tenant)
    browser.sign_in(make_actor(tenant, *roles))
    for rule in admin_rules(app):
        noun = rule.endpoint.split(".")[1]
        url = build(rule, ids.get(noun, 1), ids["token"])
        for method in methods(rule):
            response = browser.get(url) if method == "GET" else browser.post(url, {"version": 1})
            assert response.status_code == 403, f"{method} {rule.rule}"


@pytest.fixture
def other_admin(
    browser: Browser,
    make_tenant: Callable[..., Tenant],
    make_actor: Callable[..., Actor],
    seed: Callable[..., Any],
) -> tuple[Browser, dict[str, Any]]:
    """Tenant A ("alpha" records) and a browser signed in as an admin of tenant B ("beta")."""
    alpha, beta = make_tenant("alpha-corp"), make_tenant("beta-corp")
    ids = seed(alpha, "alpha")
    seed(beta, "beta")
    return browser.sign_in(make_actor(beta, "admin", name="Bea")), ids


def test_other_tenants_records_are_404_on_every_record_route(
    app: Flask, other_admin: tuple[Browser, dict[str, Any]], session: Session
) -> None:
    browser, ids = other_admin
    checked = 0
    for rule in admin_rules(app):
        if not rule.arguments:
            continue
        noun = rule.endpoint.split(".")[1]
        url = build(rule, ids.get(noun, 0), ids["token"])
        for method in methods(rule):
            data = {"version": 1, "name": "hijacked", "title": "hijacked", "capacity": 1}
            response = browser.get(url) if method == "GET" else browser.post(url, data)
            assert response.status_code == 404, f"{method} {url}"
            checked += 1
    assert checked >= 30
    session.expire_all()
    assert session.get_one(Skill, ids["skills"]).name == "Skill alpha"
    token = session.query(ApiToken).filter_by(prefix=ids["token"]).one()
    assert token.revoked_at is None


def test_other_tenants_records_never_show_in_pages_searches_or_exports(
    app: Flask, other_admin: tuple[Browser, dict[str, Any]]
) -> None:
    browser, _ids = other_admin
    pages = 0
    for rule in admin_rules(app):
        if rule.arguments or "GET" not in methods(rule):
            continue
        for query in ("", "?q=a", "?status=retired"):
            response = browser.get(rule.rule + query)
            assert response.status_code == 200, rule.rule
            body = response.get_data()
            if rule.rule.endswith(".zip"):
                with zipfile.ZipFile(io.BytesIO(body)) as archive:
                    body = b"".join(archive.read(name) for name in archive.namelist())
                assert b"beta" in body
            assert b"alpha" not in body.lower(), f"{rule.rule}{query}"
            pages += 1
    assert pages >= 60


def test_other_tenants_ids_are_not_valid_choices(
    other_admin: tuple[Browser, dict[str, Any]],
) -> None:
    browser, ids = other_admin
    role = {"title": "Spy", "external_id": "spy", "family_id": ids["job_families"],
            "track": "individual", "level": "mid", "level_rank": "2",
            "skills-0-skill_id": ids["skills"], "skills-0-level": "1"}  # fmt: skip
    response = browser.post("/admin/roles/new", role)
    assert response.status_code == 422
    assert response.get_data(as_text=True).count("Not a valid choice") == 4  # beside + summary
