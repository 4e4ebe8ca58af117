"""The organisation dashboard: numbers from the sample organisation, succession estimates."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from lti_pathing.models import Person
from lti_pathing.services import succession
from tests.lti_pathing.web.journeys_fixtures import post

Client = Callable[..., FlaskClient]


def test_admin_sees_coverage_statuses_and_succession(
    client_as: Client, person: Callable[[str], Person]
) -> None:
    html = client_as(person("E1001"), "admin").get("/admin/dashboard/").get_data(as_text=True)
    assert html.count('<tr data-role="') == 46  # every active role of the sample
    assert 'id="plans-approved">0<' in html
    assert len(re.findall(r'<ol class="succession" data-role="', html)) == 9  # critical roles
    assert "not estimated" in html
    # Bench strength and who is not a candidate, per critical role.
    assert len(re.findall(r'<p class="bench" data-role="', html)) == 9
    assert "0 ready now · 0 within 1 year · 0 later · 17 no estimate yet" in html  # CEO
    assert "Jin Dubois (holds the role)" in html


def test_succession_estimates_run_in_the_background_and_show_when_done(
    client_as: Client, person: Callable[[str], Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(succession, "CANDIDATES", 1)
    monkeypatch.setattr(succession, "ESTIMATED", 1)
    admin = client_as(person("E1001"), "admin")
    answer = post(admin, "/admin/dashboard/succession", {}, "/admin/dashboard/")
    assert answer.status_code == 302
    html = admin.get("/admin/dashboard/").get_data(as_text=True)
    assert 'id="job-progress"' not in html and 'id="job-error"' not in html
    assert "not estimated" not in html
    assert "ready in" in html or "not ready within the horizon" in html


def test_a_manager_is_not_an_admin(client_as: Client, person: Callable[[str], Person]) -> None:
    assert client_as(person("E1004"), "manager").get("/admin/dashboard/").status_code == 403
