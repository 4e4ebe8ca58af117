"""Open gaps in the learner's words, and each what-if a button that re-plans with that change."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.models import Person, Plan, Skill
from tests.lti_pathing.web.journeys_fixtures import post

LEARNER = "E1013"


def _open_gaps(html: str) -> str:
    found = re.search(r'<ul id="open-gaps">.*?</ul>', html, re.S)
    assert found, "no open gaps on the page"
    return found.group(0)


def test_open_gaps_name_skills_and_each_what_if_re_plans_with_its_change(
    client_as: Callable[..., FlaskClient], person: Callable[[str], Person], db: Session
) -> None:
    learner = person(LEARNER)
    me = client_as(learner)
    post(me, "/me/plan/generate", {"target_role_id": learner.target_role_id,
                                   "hours_per_week": "1", "budget": "0"})  # fmt: skip
    gaps = _open_gaps(me.get("/me/plan").get_data(as_text=True))
    text = re.sub(r"<[^>]+>", " ", gaps)
    ids = db.scalars(select(Skill.external_id).where(Skill.tenant_id == learner.tenant_id)).all()
    named = [i for i in ids if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text)]
    assert not named, f"skill ids shown instead of names: {named}"
    assert "What if" not in text
    forms = re.findall(r'<form method="post" action="/me/plan/generate" class="what-if-form">'
                       r'.*?</form>', gaps, re.S)  # fmt: skip
    assert forms, "no what-if button"
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', forms[0]))
    setting = re.search(r'data-setting="(\w+)"', forms[0]).group(1)  # type: ignore[union-attr]
    assert fields[setting] not in ("", "1", "0")  # the change it names
    fields.pop("csrf_token")
    assert post(me, "/me/plan/generate", fields).status_code == 302
    db.expire_all()
    plan = db.scalars(select(Plan).where(Plan.person_id == learner.id)).one()
    chosen = {"hours_per_week": "1", "budget": "0", setting: fields[setting]}
    for name, value in chosen.items():
        assert str(plan.settings.get(name)).rstrip("0").rstrip(".") == value.rstrip("0").rstrip(".")
