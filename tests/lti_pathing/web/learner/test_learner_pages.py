"""Where I stand and where I could go, over HTTP."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.models import Evidence, EvidenceSource, Person
from lti_pathing.web import learner as learner_views
from tests.lti_pathing.web.journeys_fixtures import post

Client = Callable[..., FlaskClient]


def test_stand_compares_current_and_target_with_evidence(
    client_as: Client, person: Callable[[str], Person], db: Session
) -> None:
    me = person("E1013")
    client = client_as(me)
    html = client.get("/me/").get_data(as_text=True)
    assert 'id="current-skills"' in html and 'id="target-skills"' in html
    skill_id = me.current_role.skills[0].skill_id
    answer = post(
        client, "/me/assessment", {"skill_id": skill_id, "level": 2, "note": "Did a course"}
    )
    assert answer.status_code == 302
    row = db.scalars(select(Evidence).where(Evidence.person_id == me.id)).one()
    assert (row.source, row.level, row.recorded_by_id) == (EvidenceSource.self, 2, me.id)
    html = client.get("/me/").get_data(as_text=True)
    assert f'<tr data-skill="{skill_id}"' in html and "self, " in html


def test_self_assessment_off_the_scale_is_refused(
    client_as: Client, person: Callable[[str], Person], db: Session
) -> None:
    me = person("E1013")
    skill_id = me.current_role.skills[0].skill_id
    answer = post(client_as(me), "/me/assessment", {"skill_id": skill_id, "level": 9})
    assert answer.status_code == 422
    assert db.scalars(select(Evidence).where(Evidence.person_id == me.id)).all() == []


def test_paths_show_moves_and_time_to_ready_once_estimated(
    client_as: Client, person: Callable[[str], Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(learner_views, "MAX_ESTIMATES", 2)
    client = client_as(person("E1013"))
    html = client.get("/me/paths").get_data(as_text=True)
    assert 'id="path-graph"' in html and "<svg" in html
    assert html.count('<tr data-role="') >= 2
    assert post(client, "/me/paths/estimate", {}, "/me/paths").status_code == 302
    html = client.get("/me/paths").get_data(as_text=True)
    assert html.count(" weeks (") + html.count("not within the planning period") == 2
