"""A manager assesses a report's skills: on the skill's scale, dated, shown to them, trusted."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.models import Evidence, EvidenceSource, Person, Role, Skill
from tests.lti_pathing.web.journeys_fixtures import post

AISHA, KENJI, OUTSIDER = "E1011", "E1029", "E1015"
Client = Callable[..., FlaskClient]


def _target_skill(db: Session, who: Person) -> tuple[Skill, int]:
    """A skill of the person's target role and the level it requires."""
    role = db.get_one(Role, who.target_role_id)
    needed = max(role.skills, key=lambda rs: (rs.level, rs.skill.name))
    return needed.skill, needed.level


def _fit(client: FlaskClient) -> int:
    html = client.get("/me/").get_data(as_text=True)
    found = re.search(r'id="target-fit">(\d+) %', html)
    assert found, "no target fit on Where I stand"
    return int(found[1])


def test_the_report_page_lists_the_skills_of_their_roles_with_each_skills_scale(
    client_as: Client, person: Callable[[str], Person], db: Session
) -> None:
    kenji = person(KENJI)
    html = (
        client_as(person(AISHA), "manager").get(f"/team/people/{kenji.id}").get_data(as_text=True)
    )
    skill, _level = _target_skill(db, kenji)
    assert f'data-skill="{skill.id}"' in html
    options = re.findall(rf'<option value="{skill.id}:(\d+)"[^>]*>([^<]+)<', html)
    assert [int(n) for n, _ in options] == list(range(skill.max_level + 1))
    top = skill.levels[-1]
    assert f"{skill.name}: {top.level} · {top.name} — {top.description}" in html.replace(
        "&#39;", "'"
    ).replace("&amp;", "&")


def test_an_assessment_changes_the_level_gap_and_what_the_report_sees(
    client_as: Client, person: Callable[[str], Person], db: Session
) -> None:
    kenji = person(KENJI)
    me = client_as(kenji)
    skill, needed = _target_skill(db, kenji)
    # Kenji says he is at the top of the scale; his manager's assessment counts more.
    post(me, "/me/assessment", {"skill_id": skill.id, "level": skill.max_level})
    before = _fit(me)
    boss = client_as(person(AISHA), "manager")
    page = f"/team/people/{kenji.id}"
    day = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    answer = post(boss, f"{page}/assessments", {
        "assessment": f"{skill.id}:0", "observed_on": day, "note": "Not yet <b>seen</b> at work",
    }, page)  # fmt: skip
    assert answer.status_code == 302
    flash = boss.get(page).get_data(as_text=True)
    assert f"Assessment recorded: {skill.name} at level 0" in flash
    recorded = db.scalars(
        select(Evidence).where(Evidence.person_id == kenji.id, Evidence.source == "manager")
    ).one()
    assert (recorded.level, recorded.observed_on.isoformat()) == (0, day)
    assert recorded.recorded_by_id == person(AISHA).id
    assert _fit(me) < before  # the gap is measured with the manager's level
    stand = me.get("/me/").get_data(as_text=True)
    row = stand[stand.index(f'data-skill="{skill.id}"') :]
    row = row[: row.index("</tr>")]
    assert "manager" in row and "Aisha Okafor" in row
    assert "Not yet &lt;b&gt;seen&lt;/b&gt; at work" in row  # the comment, escaped
    # his level now: the manager's 0, named on the skill's scale
    assert re.search(r'<td><span class="level" data-level="0">', row) and needed > 0


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"assessment": "SKILL:6"}, "Skill and level", "is measured from 0 to 5"),
        ({"assessment": ""}, "Skill and level", "choose a skill and a level"),
        ({"assessment": "SKILL:2", "observed_on": "2999-01-01"}, "Observed on", "future"),
        ({"assessment": "SKILL:2", "observed_on": "31/12/2026"}, "Observed on", "YYYY-MM-DD"),
        ({"assessment": "SKILL:2", "note": "x" * 2001}, "Comment", "at most 2000"),
    ],
)
def test_a_refused_assessment_is_explained_on_the_page_with_the_input_kept(
    client_as: Client,
    person: Callable[[str], Person],
    db: Session,
    form: dict[str, str],
    field: str,
    message: str,
) -> None:
    kenji = person(KENJI)
    skill, _ = _target_skill(db, kenji)
    data = {k: v.replace("SKILL", str(skill.id)) for k, v in form.items()}
    page = f"/team/people/{kenji.id}"
    answer = post(client_as(person(AISHA), "manager"), f"{page}/assessments", data, page)
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    summary = html[
        html.index('id="error-summary"') : html.index("</div>", html.index('id="error-summary"'))
    ]
    assert field in summary and message in summary
    if data.get("note"):
        assert data["note"] in html
    kept = data.get("assessment")
    if kept:
        assert f'<option value="{kept}" selected>' in html or kept.endswith(":6")
    assert db.scalars(select(Evidence).where(Evidence.source == EvidenceSource.manager)).all() == []


def test_only_a_manager_of_the_person_can_assess_them(
    client_as: Client, person: Callable[[str], Person], db: Session
) -> None:
    outsider = person(OUTSIDER)
    skill = db.scalars(select(Skill).where(Skill.tenant_id == outsider.tenant_id)).first()
    assert skill is not None
    boss = client_as(person(AISHA), "manager")
    answer = post(boss, f"/team/people/{outsider.id}/assessments",
                  {"assessment": f"{skill.id}:1"}, f"/team/people/{person(KENJI).id}")  # fmt: skip
    assert answer.status_code == 404
    kenji = client_as(person(KENJI))  # a learner, not a manager
    answer = post(kenji, f"/team/people/{outsider.id}/assessments", {"assessment": f"{skill.id}:1"})
    assert answer.status_code == 403
    mine = select(Evidence).where(
        Evidence.person_id == outsider.id, Evidence.recorded_by_id == person(AISHA).id
    )
    assert db.scalars(mine).all() == []
