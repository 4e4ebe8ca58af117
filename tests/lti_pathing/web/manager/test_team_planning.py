"""Plan my team together: from the team page, a proposal per report, the price of sharing."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.models import (
    Activity,
    ActivityKind,
    ActivityMentor,
    ActivityOutcome,
    Mentor,
    Person,
    Plan,
    PlanStatus,
    RoleSkill,
    Skill,
    SkillLevel,
)
from tests.lti_pathing.web.journeys_fixtures import post

AISHA, KENJI, SOFIA, FATIMA = "E1011", "E1029", "E1047", "E1056"
NO_TARGET = ("E1020", "E1038", "E1065")  # Aisha's reports without a target role
Client = Callable[..., FlaskClient]


def _plan_team(client: FlaskClient) -> str:
    answer = post(client, "/team/together/", {"back": "team"}, "/team/")
    assert answer.status_code == 302 and answer.location.endswith("/team/together/")
    return client.get("/team/together/").get_data(as_text=True)


def _proposals(db: Session, people: list[Person]) -> dict[str, Plan]:
    db.expire_all()
    stmt = select(Plan).where(
        Plan.person_id.in_([p.id for p in people]), Plan.status == PlanStatus.proposed
    )
    return {plan.person.external_id: plan for plan in db.scalars(stmt)}


def test_the_team_page_plans_the_team_together_and_shows_each_proposal(
    client_as: Client, person: Callable[[str], Person], db: Session
) -> None:
    boss = client_as(person(AISHA), "manager")
    team_page = boss.get("/team/").get_data(as_text=True)
    assert 'id="plan-team-form"' in team_page and 'action="/team/together/"' in team_page
    html = _plan_team(boss)
    planned = [person(KENJI), person(SOFIA), person(FATIMA)]
    proposals = _proposals(db, planned)
    assert set(proposals) == {KENJI, SOFIA, FATIMA}
    for who in planned:
        plan = proposals[who.external_id]
        assert plan.replaces_id is None  # nobody had a plan yet
        card = html[html.index(f'id="proposal-{plan.id}"') :]
        card = card[: card.index("</article>")]
        assert who.name in card and "Sharing cost" in card and "Approve " in card
        assert card.count("<li>") == len(plan.items)
    skipped = html[html.index('id="skipped"') :]
    assert all(person(e).name in skipped for e in NO_TARGET)
    assert "no target role yet" in skipped
    assert "Approve all 3 proposals" in html
    queue = boss.get("/team/queue").get_data(as_text=True)
    assert all(f'data-plan-id="{p.id}"' in queue for p in proposals.values())
    assert 'id="team-plan-link"' in boss.get("/team/").get_data(as_text=True)


def test_approving_one_then_all_makes_them_the_learners_plans(
    client_as: Client, person: Callable[[str], Person], db: Session
) -> None:
    boss = client_as(person(AISHA), "manager")
    _plan_team(boss)
    proposals = _proposals(db, [person(KENJI), person(SOFIA), person(FATIMA)])
    kenji = proposals[KENJI]
    one = post(boss, "/team/together/approve", {"plan": f"{kenji.id}:{kenji.version}"}, "/team/")
    assert one.status_code == 302
    db.expire_all()
    assert db.get_one(Plan, kenji.id).status == PlanStatus.approved
    html = boss.get("/team/together/").get_data(as_text=True)
    assert "Approve all 2 proposals" in html and f'id="approve-{kenji.id}"' not in html
    values = re.findall(
        r'name="plan" value="(\d+:\d+)"', html[html.index('id="approve-all-form"') :]
    )
    answer = boss.post("/team/together/approve", data={
        "plan": values[:2], "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html)[1],
    })  # fmt: skip
    assert answer.status_code == 302
    db.expire_all()
    assert {db.get_one(Plan, p.id).status for p in proposals.values()} == {PlanStatus.approved}
    learner = client_as(person(SOFIA)).get("/me/plan").get_data(as_text=True)
    assert 'data-status="approved"' in learner
    events = [e.kind for e in db.get_one(Plan, kenji.id).events]
    assert events == ["planned_with_team", "proposal_accepted"]


def test_a_stale_proposal_approves_nothing_of_the_batch(
    client_as: Client, person: Callable[[str], Person], db: Session
) -> None:
    boss = client_as(person(AISHA), "manager")
    _plan_team(boss)
    proposals = list(_proposals(db, [person(KENJI), person(SOFIA)]).values())
    fresh, stale = proposals
    data = {"plan": [f"{fresh.id}:{fresh.version}", f"{stale.id}:{stale.version + 1}"]}
    html = boss.get("/team/together/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token
    answer = boss.post("/team/together/approve", data={**data, "csrf_token": token[1]})
    assert answer.status_code == 409
    assert 'id="error-summary"' in answer.get_data(as_text=True)
    db.expire_all()
    assert {db.get_one(Plan, p.id).status for p in proposals} == {PlanStatus.proposed}


@pytest.mark.parametrize("value", ["", "x", "1:", "12:3:4", "\uff19:1"])
def test_a_malformed_choice_is_refused_on_the_page(
    client_as: Client, person: Callable[[str], Person], value: str
) -> None:
    boss = client_as(person(AISHA), "manager")
    answer = post(boss, "/team/together/approve", {"plan": value}, "/team/")
    assert answer.status_code == 422
    assert "choose" in answer.get_data(as_text=True)


def test_an_approved_team_plan_replaces_the_plan_in_effect(
    client_as: Client, person: Callable[[str], Person], db: Session
) -> None:
    kenji = person(KENJI)
    me = client_as(kenji)
    post(me, "/me/plan/generate", {"target_role_id": kenji.target_role_id, "hours_per_week": "5"})
    own = db.scalars(select(Plan).where(Plan.person_id == kenji.id)).one()
    boss = client_as(person(AISHA), "manager")
    _plan_team(boss)
    proposal = _proposals(db, [kenji])[KENJI]
    assert proposal.replaces_id == own.id
    assert proposal.request and proposal.request["learner"]["hours_per_week"] == 5  # carried over
    post(boss, "/team/together/approve", {"plan": f"{proposal.id}:{proposal.version}"}, "/team/")
    db.expire_all()
    assert db.get_one(Plan, own.id).status == PlanStatus.archived
    assert 'data-status="approved"' in me.get("/me/plan").get_data(as_text=True)


def test_a_manager_whose_reports_have_no_target_is_told_on_the_team_page(
    client_as: Client, person: Callable[[str], Person], db: Session
) -> None:
    for employee in (KENJI, SOFIA, FATIMA):
        person(employee).target_role_id = None
    db.flush()
    boss = client_as(person(AISHA), "manager")
    answer = post(boss, "/team/together/", {"back": "team"}, "/team/")
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "<h1>My team</h1>" in html and 'id="error-summary"' in html
    assert "none of your direct reports has a target role" in html


def test_a_non_manager_cannot_plan_a_team(
    client_as: Client, person: Callable[[str], Person]
) -> None:
    learner = client_as(person(KENJI))
    assert learner.get("/team/together/").status_code == 403
    assert post(learner, "/team/together/", {}).status_code == 403


def _one_mentor_for_everyone(db: Session, aisha: Person) -> str:
    """A skill every planned report's target needs, taught only by a 30-week mentorship of a
    mentor with one place: planned alone, each would start at once; together, one at a time."""
    tenant_id = aisha.tenant_id
    mentors = select(Mentor.person_id)
    mentor_person = db.scalars(
        select(Person)
        .where(
            Person.tenant_id == tenant_id, Person.manager_id != aisha.id, Person.id.not_in(mentors)
        )
        .order_by(Person.external_id)
    ).first()
    assert mentor_person is not None
    skill = Skill(tenant_id=tenant_id, external_id="team-x", name="Coaching a team")
    skill.levels.append(SkillLevel(tenant_id=tenant_id, level=1, name="Coaches"))
    mentor = Mentor(tenant_id=tenant_id, person_id=mentor_person.id, capacity=1)
    db.add_all([skill, mentor])
    db.flush()
    activity = Activity(
        tenant_id=tenant_id, external_id="team-x-coaching", kind=ActivityKind.mentorship,
        title="Coaching apprenticeship", duration_weeks=30, hours_per_week=Decimal("1"),
    )  # fmt: skip
    activity.outcomes.append(ActivityOutcome(tenant_id=tenant_id, skill_id=skill.id, level=1))
    activity.mentors.append(ActivityMentor(tenant_id=tenant_id, mentor_id=mentor.id))
    db.add(activity)
    roles = {
        p.target_role_id for p in db.scalars(select(Person).where(Person.manager_id == aisha.id))
    }
    for role_id in roles - {None}:
        db.add(RoleSkill(tenant_id=tenant_id, role_id=role_id, skill_id=skill.id, level=1,
                         weight=Decimal("10")))  # fmt: skip
    db.flush()
    return mentor_person.name


def test_the_page_says_what_sharing_one_mentor_cost(
    client_as: Client, person: Callable[[str], Person], db: Session
) -> None:
    aisha = person(AISHA)
    mentor = _one_mentor_for_everyone(db, aisha)
    html = _plan_team(client_as(aisha, "manager"))
    shared = html[html.index('id="contended-list"') :]
    shared = shared[: shared.index("</ul>")]
    assert f"Mentor {mentor}" in shared and "(1 place free)" in shared
    assert all(person(e).name in shared for e in (KENJI, SOFIA, FATIMA))
    holders = re.search(r"planned for ([^.]+)\.", shared)
    assert holders
    first = holders[1].split(", then ")[0]
    assert first in {person(e).name for e in (KENJI, SOFIA, FATIMA)}
    # The others who need the mentor wait for the 30 weeks of the first: one is ready later.
    cards = re.findall(
        r'<h3 id="proposal-\d+-name">([^→]+) →.*?data-weeks-later="(\d+)">([^<]+)<', html, re.S
    )
    later = [(name.strip(), int(w), text) for name, w, text in cards if int(w) > 0]
    assert later, cards
    for name, weeks, text in later:
        assert name != first and weeks >= 1
        assert text == f"ready {weeks} weeks later than planned alone"
