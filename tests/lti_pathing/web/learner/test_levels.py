"""Skill levels in words wherever they are shown or chosen: the learner's gaps, the
self-assessment (on each skill's own scale), plan items, open gaps, the manager's plan page."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.models import Evidence, Person, Plan, Tenant
from lti_pathing.services.scales import ScaleService
from tests.lti_pathing.web.journeys_fixtures import post

LEARNER, MANAGER = "E1013", "E1004"
Client = Callable[..., FlaskClient]


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_gaps_show_each_level_by_name_with_the_scale_one_click_away(
    client_as: Client, person: Callable[[str], Person], db: Session
) -> None:
    me = person(LEARNER)
    html = client_as(me).get("/me/").get_data(as_text=True)
    need = me.current_role.skills[0]  # type: ignore[union-attr]
    scale = ScaleService(db, db.get_one(Tenant, me.tenant_id)).scales([need.skill_id])[
        need.skill_id
    ]
    row = html.split(f'<tr data-skill="{need.skill_id}"', 1)[1].split("</tr>", 1)[0]
    assert f'<span class="level" data-level="{need.level}">{scale.label(need.level)}</span>' in row
    assert '<span class="level" data-level="0">0 None yet</span>' in row
    details = unescape(row.split('<details class="scale"', 1)[1].split("</details>", 1)[0])
    for meaning in scale.levels:  # every level, named and described
        assert f"<strong>{meaning.level} {meaning.name}</strong>: {meaning.description}" in details
    assert f"{need.level} {scale.at(need.level).name}</strong>" in details
    assert '<span class="badge">needed</span>' in details
    assert f"assess={need.skill_id}#assess-heading" in row


def test_the_self_assessment_offers_the_skills_own_scale_and_keeps_the_choice(
    client_as: Client, person: Callable[[str], Person], db: Session
) -> None:
    me = person(LEARNER)
    client = client_as(me)
    skill_id = me.current_role.skills[0].skill_id  # type: ignore[union-attr]
    scale = ScaleService(db, db.get_one(Tenant, me.tenant_id)).scales([skill_id])[skill_id]
    html = client.get(f"/me/?assess={skill_id}").get_data(as_text=True)
    form = html.split('id="assessment-form"', 1)[1].split("</form>", 1)[0]
    levels = re.findall(r'<input type="radio" name="level" value="(\d+)"', form)
    assert levels == [str(n) for n in range(scale.top + 1)]  # 0..5, not 0..10
    assert f"My level in {scale.skill}" in form
    assert scale.levels[2].description in unescape(form)
    assert f'name="skill_id" value="{skill_id}"' in form
    picker = html.split('id="assess-pick"', 1)[1].split("</form>", 1)[0]
    assert "<optgroup" in picker and f'<option value="{skill_id}" selected>' in picker

    answer = post(client, "/me/assessment", {"skill_id": skill_id, "level": "3", "note": "mine"})
    assert answer.status_code == 302 and f"assess={skill_id}" in answer.headers["Location"]
    recorded = db.scalars(select(Evidence).where(Evidence.person_id == me.id)).one()
    assert recorded.level == 3
    html = client.get(f"/me/?assess={skill_id}").get_data(as_text=True)
    form = html.split('id="assessment-form"', 1)[1].split("</form>", 1)[0]
    assert re.search(r'value="3" id="assess-level-3" checked', form)
    assert '<span class="badge">your level now</span>' in form
    row = html.split(f'<tr data-skill="{skill_id}"', 1)[1].split("</tr>", 1)[0]
    assert f'data-level="3">{scale.label(3)}</span>' in row

    missing = post(client, "/me/assessment", {"skill_id": skill_id, "note": "forgot"})
    assert missing.status_code == 422
    assert "My level: choose one of the levels" in _text(missing.get_data(as_text=True))


def test_plan_items_and_open_gaps_name_the_levels_on_both_plan_pages(
    client_as: Client, person: Callable[[str], Person], db: Session
) -> None:
    learner = person(LEARNER)
    me = client_as(learner)
    post(me, "/me/plan/generate", {"target_role_id": learner.target_role_id,
                                   "hours_per_week": "2", "budget": "0"})  # fmt: skip
    plan = db.scalars(select(Plan).where(Plan.person_id == learner.id)).one()
    page = me.get("/me/plan").get_data(as_text=True)
    items = page.split('id="plan-items"', 1)[1].split("</table>", 1)[0]
    assert re.search(r'→ <span class="level" data-level="\d">\d [A-Z][a-z]+</span>', items)
    assert '<details class="scale-one"><summary>What it means' in items
    gaps = page.split('id="open-gaps"', 1)[1].split("</ul>", 1)[0]
    assert re.search(r"to level \d \([A-Z][a-z]+\)", _text(gaps)), _text(gaps)

    post(me, f"/me/plan/{plan.id}/submit", {"version": plan.version})
    boss = client_as(person(MANAGER), "manager")
    page = boss.get(f"/team/plans/{plan.id}").get_data(as_text=True)
    items = page.split('id="plan-items"', 1)[1].split("</table>", 1)[0]
    assert re.search(r'→ <span class="level" data-level="\d">\d [A-Z][a-z]+</span>', items)
    assert "Your choice" not in items  # keeping and leaving out are the learner's own


def test_an_admin_sees_levels_by_name_in_evidence_and_role_requirements(
    client_as: Client, person: Callable[[str], Person], db: Session
) -> None:
    learner = person(LEARNER)
    skill_id = learner.current_role.skills[0].skill_id  # type: ignore[union-attr]
    post(client_as(learner), "/me/assessment", {"skill_id": skill_id, "level": "2"})
    admin = client_as(person("E1001"), "admin")
    scale = ScaleService(db, db.get_one(Tenant, learner.tenant_id)).scales([skill_id])[skill_id]
    listing = admin.get(f"/admin/evidence/?person={learner.id}").get_data(as_text=True)
    assert scale.label(2) in listing
    role = learner.current_role
    page = admin.get(f"/admin/roles/{role.id}").get_data(as_text=True)  # type: ignore[union-attr]
    first = role.skills[0]  # type: ignore[union-attr]
    hint = page.split('id="skills-0-level-hint">', 1)[1].split("</span>", 1)[0]
    names = ", ".join(scale.label(m.level) for m in scale.levels)
    assert hint.startswith(f"{scale.skill}: {names}.")
    assert f"{scale.label(first.level)}: {scale.at(first.level).description}" in unescape(hint)


def test_target_role_pickers_group_the_roles_by_job_family(
    client_as: Client, person: Callable[[str], Person]
) -> None:
    me = person(LEARNER)
    client = client_as(me)
    for url, picker in (("/me/plan", 'id="target_role_id"'), ("/me/", 'id="target"')):
        html = client.get(url).get_data(as_text=True)
        select_ = html.split(picker, 1)[1].split("</select>", 1)[0]
        families = re.findall(r'<optgroup label="([^"]+)">', select_)
        assert len(families) > 1 and len(families) == len(set(families)), url  # one group each
        assert me.target_role is not None
        chosen = re.findall(r'<option value="(\d+)" selected>', select_)
        assert url == "/me/" or chosen == [str(me.target_role_id)]
