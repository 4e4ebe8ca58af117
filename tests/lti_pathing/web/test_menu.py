"""The persistent menu: each role sees every page it may open, on every page, and no dead link."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from werkzeug.routing import BuildError

from lti_pathing.auth import Actor
from lti_pathing.models import Tenant
from lti_pathing.web import menu
from tests.lti_pathing.web.conftest import Browser

HREF = re.compile(r'<nav aria-label="Main" id="menu".*?</nav>', re.S)


def _menu_links(html: str) -> set[str]:
    found = HREF.search(html)
    assert found, "the page has no menu"
    return set(re.findall(r'href="([^"]+)"', found.group(0)))


def _expected(app: Flask, roles: set[str]) -> set[str]:
    with app.test_request_context():
        actor = Actor(1, 1, "x", frozenset(roles))
        return {"/"} | {link.href for group in menu.menu_for(actor) for link in group.links}


@pytest.mark.parametrize(
    ("roles", "pages"),
    [
        ((), ["/", "/me/", "/me/paths", "/me/plan"]),
        (("manager",), ["/", "/team/", "/team/queue", "/me/plan"]),
        (("admin",), ["/", "/admin/", "/admin/dashboard/", "/admin/skills/", "/me/"]),
    ],
)
def test_every_page_shows_the_roles_whole_menu(
    app: Flask,
    browser: Browser,
    tenant: Tenant,
    make_actor: Callable[..., Actor],
    roles: tuple[str, ...],
    pages: list[str],
) -> None:
    browser.sign_in(make_actor(tenant, *roles))
    expected = _expected(app, {"learner", *roles})
    for page in pages:
        response = browser.get(page)
        assert response.status_code == 200, page
        assert _menu_links(response.get_data(as_text=True)) == expected, page


def test_the_admin_menu_reaches_the_admin_area_and_the_dashboard(app: Flask) -> None:
    expected = _expected(app, {"learner", "admin"})
    assert {"/admin/", "/admin/dashboard/", "/admin/transfer/", "/admin/lms/"} <= expected
    assert "/team/" not in expected  # an admin who manages nobody has no team pages


def test_a_link_to_a_missing_page_fails_instead_of_vanishing(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = menu.MenuGroup("Me", "learner", (menu.MenuLink("Gone", "admin.index", "nav-x"),))
    monkeypatch.setattr(menu, "MENU", (broken,))
    with app.test_request_context(), pytest.raises(BuildError):
        menu.menu_for(Actor(1, 1, "x", frozenset({"learner"})))
