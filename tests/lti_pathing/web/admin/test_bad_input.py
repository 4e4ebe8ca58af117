"""Bad input on HTML pages is a 4xx (or ignored, for list filters), never a server error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy.exc import DataError

from lti_pathing.models import Tenant
from tests.lti_pathing.web.conftest import Browser

TOO_BIG = 3420376831720


def test_a_record_id_beyond_the_column_is_not_found(admin: Browser) -> None:
    assert admin.get(f"/admin/people/{TOO_BIG}").status_code == 404
    assert admin.get(f"/team/plans/{2**31}").status_code == 404


def test_list_numbers_beyond_the_column_are_ignored_like_other_bad_values(
    admin: Browser, tenant: Tenant, seed: Callable[..., Any]
) -> None:
    seed(tenant)
    page = admin.get(f"/admin/people/?page=5919783946546109558554624&manager={TOO_BIG}")
    assert page.status_code == 200
    assert "Person a" in page.get_data(as_text=True)


def test_a_nul_character_in_a_form_is_refused_naming_the_field(admin: Browser) -> None:
    page = admin.post("/admin/skill_categories/new", {"external_id": "a\x00b", "name": "N"})
    assert page.status_code == 422
    assert "external id: must not contain NUL" in page.get_data(as_text=True)


def test_a_nul_character_in_the_search_is_refused(admin: Browser) -> None:
    page = admin.get("/admin/people/?q=a%00b")
    assert page.status_code == 422
    assert "q: must not contain NUL" in page.get_data(as_text=True)


def test_a_wildcard_searches_for_itself(
    admin: Browser, tenant: Tenant, seed: Callable[..., Any]
) -> None:
    seed(tenant)
    assert "emp-a" in admin.get("/admin/people/?q=erson").get_data(as_text=True)
    for wildcard in ("%25", "_", "erson%25", "ers_n"):
        html = admin.get(f"/admin/people/?q={wildcard}").get_data(as_text=True)
        assert "emp-a" not in html  # the employee id column of the row


def test_a_value_the_database_cannot_store_is_a_422_not_a_500(app: Flask) -> None:
    def overflow() -> str:
        # What PostgreSQL says of a value no validation bounded.
        raise DataError("INSERT ...", {}, Exception("value too long for type varchar(64)"))

    app.add_url_rule("/overflow", view_func=overflow)
    response = app.test_client().get("/overflow", headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert "too large" in response.json["message"]


def test_the_activity_form_refuses_a_script_link_dressed_as_a_url(
    admin: Browser, tenant: Tenant, seed: Callable[..., Any]
) -> None:
    seed(tenant)
    form = {"title": "JS", "external_id": "js", "kind": "course", "duration_weeks": "1",
            "hours_per_week": "1", "url": "javascript://example.com/%0Aalert(1)"}  # fmt: skip
    page = admin.post("/admin/activities/new", form)
    assert page.status_code == 422
    assert "is not an absolute http(s) URI" in page.get_data(as_text=True)
