"""Every journey route is guarded: signed in, the right role, a CSRF token on every post.

The routes come from the app's url_map, so a new page cannot slip through without a check.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from lti_pathing import jobs
from lti_pathing.auth import SESSION_KEY
from lti_pathing.models import Person
from tests.lti_pathing.web.journeys_fixtures import csrf_token, journey_routes, post

Client = Callable[..., FlaskClient]
BLUEPRINTS = ("learner", "plan_choices", "manager", "dashboard", "badges")
NEEDS = {"learner": set(), "plan_choices": set(), "manager": {"manager"}, "dashboard": {"admin"},
         "badges": set()}  # fmt: skip


@pytest.fixture(autouse=True)
def queued_only(inline_jobs: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Posts that start solves only queue them here (these tests are about the guards)."""
    monkeypatch.setattr(jobs, "dispatch", lambda *args: None)


def _all_routes(app: Flask) -> list[tuple[str, str, str]]:
    return [(bp, method, url) for bp in BLUEPRINTS for method, url in journey_routes(app, bp)]


def test_the_journey_blueprints_have_the_expected_routes(web: Flask) -> None:
    routes = _all_routes(web)
    assert {bp for bp, _, _ in routes} == set(BLUEPRINTS)
    assert len(routes) >= 19


def test_nothing_without_a_session(
    web: Flask, client_as: Client, person: Callable[[str], Person]
) -> None:
    client = client_as(person("E1013"), "manager", "admin")
    token = csrf_token(client)
    with client.session_transaction() as session:
        del session[SESSION_KEY]  # signed out, but the CSRF token still valid
    for _bp, method, url in _all_routes(web):
        answer = client.open(url, method=method, data={"csrf_token": token})
        assert answer.status_code == 401, (method, url)


# Roles come from the data on every request: E1004 has reports (a manager), E1013 has none.
@pytest.mark.parametrize(("who", "roles"), [("E1013", ()), ("E1004", ("manager",)),
                                            ("E1013", ("admin",))])  # fmt: skip
def test_each_role_reaches_only_its_pages(
    web: Flask, client_as: Client, person: Callable[[str], Person], who: str,
    roles: tuple[str, ...],
) -> None:  # fmt: skip
    client = client_as(person(who), *roles)
    token = csrf_token(client)
    held = {"learner", *roles}
    for bp, method, url in _all_routes(web):
        answer = client.open(url, method=method, data={"csrf_token": token})
        if NEEDS[bp] <= held:
            assert answer.status_code != 403, (method, url)
        else:
            assert answer.status_code == 403, (method, url, roles)


def test_every_post_needs_the_csrf_token(
    web: Flask, client_as: Client, person: Callable[[str], Person]
) -> None:
    client = client_as(person("E1004"), "manager", "admin")
    posts = [(m, u) for _, m, u in _all_routes(web) if m == "POST"]
    assert posts
    for method, url in posts:
        for data in ({}, {"csrf_token": "forged"}):
            answer = client.open(url, method=method, data=data)
            assert answer.status_code == 400, (url, data)


def test_output_is_escaped(client_as: Client, person: Callable[[str], Person], db: Session) -> None:
    learner = person("E1013")
    learner.name = '<script>alert("x")</script>'
    db.commit()
    boss = client_as(person("E1004"), "manager")
    html = boss.get("/team/").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    me = client_as(learner)
    skill_id = learner.current_role.skills[0].skill_id
    post(me, "/me/assessment", {"skill_id": skill_id, "level": 1, "note": "<img src=x onerror=1>"})
    page = me.get("/me/").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
