"""The learner keeps activities where they are, leaves some out, adds one from the catalog and
chooses the start: each re-plans with that choice, is shown in the plan's explanation, and a
choice that cannot hold is refused beside its control with the input kept and nothing queued."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lti_pathing.models import Activity, Job, Person, Plan
from lti_pathing.services.planning import next_monday
from tests.lti_pathing.web.journeys_fixtures import post

LEARNER = "E1013"
Client = Callable[..., FlaskClient]


def _plan(db: Session, learner: Person) -> Plan:
    db.expire_all()
    return db.scalars(
        select(Plan).where(Plan.person_id == learner.id).order_by(Plan.id.desc())
    ).first()  # type: ignore[return-value]


def _section(html: str, marker: str) -> str:
    return html.split(marker, 1)[1].split("</section>", 1)[0]


def _generated(client_as: Client, person: Callable[[str], Person], db: Session) -> tuple:
    learner = person(LEARNER)
    me = client_as(learner)
    post(me, "/me/plan/generate", {"target_role_id": learner.target_role_id,
                                   "hours_per_week": "4"})  # fmt: skip
    return learner, me, _plan(db, learner)


def test_keep_and_leave_out_from_the_plan_re_plan_and_are_explained(
    client_as: Client, person: Callable[[str], Person], db: Session
) -> None:
    learner, me, plan = _generated(client_as, person, db)
    page = me.get("/me/plan").get_data(as_text=True)
    assert '<th scope="col">Your choice</th>' in page and 'id="choices-none"' in page
    # Plain values: the items are re-written by each re-plan.
    out, kept = plan.items[0].activity, plan.items[-1].activity
    week = plan.items[-1].start_week
    kept_on = plan.starts_on + dt.timedelta(weeks=week)  # type: ignore[operator]

    answer = post(me, "/me/plan/choices", {"change": "exclude", "activity_id": out.id})
    assert answer.status_code == 302
    answer = post(me, "/me/plan/choices", {"change": "keep", "activity_id": kept.id,
                                           "starts_on": kept_on.isoformat()})  # fmt: skip
    assert answer.status_code == 302
    again = _plan(db, learner)
    assert again.id == plan.id  # the draft changes in place
    assert out.id not in {i.activity_id for i in again.items}
    pinned = [i for i in again.items if i.pinned]
    assert [(i.activity_id, i.start_week) for i in pinned] == [(kept.id, week)]
    assert again.settings["excluded"] == [out.id]

    page = me.get("/me/plan").get_data(as_text=True)
    choices = _section(page, 'id="choices"')
    assert out.title in choices.split('id="choices-left-out"', 1)[1].split("</ul>")[0]
    assert f"{kept.title}, from {kept_on.day} {kept_on:%B %Y}" in choices
    row = page.split(f'data-activity="{kept.external_id}">', 1)[1].split("</tr>", 1)[0]
    assert "kept here by you" in row and 'data-change="release"' in row

    post(me, "/me/plan/choices", {"change": "include", "activity_id": out.id})
    post(me, "/me/plan/choices", {"change": "release", "activity_id": kept.id})
    final = _plan(db, learner)
    assert final.settings["excluded"] == [] and not any(i.pinned for i in final.items)
    assert 'id="choices-none"' in me.get("/me/plan").get_data(as_text=True)


def test_an_activity_found_in_the_catalog_is_added_from_the_chosen_date(
    client_as: Client, person: Callable[[str], Person], db: Session
) -> None:
    learner, me, plan = _generated(client_as, person, db)
    page = me.get("/me/plan?find=typescript").get_data(as_text=True)
    found = _section(page, 'id="find"')
    assert 'id="find-count"' in found and "TypeScript" in found
    wanted = db.scalars(
        select(Activity).where(Activity.tenant_id == learner.tenant_id,
                               Activity.external_id == "typescript-practice")
    ).one()  # fmt: skip
    assert f'id="add-{wanted.id}"' in found and "Raises" in found
    start = plan.starts_on + dt.timedelta(weeks=6)  # type: ignore[operator]
    add = {"change": "add", "activity_id": wanted.id, "starts_on": start.isoformat(),
           "find": "typescript"}  # fmt: skip
    answer = post(me, "/me/plan/choices", add)
    assert answer.status_code == 302 and answer.headers["Location"].endswith(
        "/me/plan?find=typescript#find"
    )
    added = {i.activity_id: i for i in _plan(db, learner).items}
    assert added[wanted.id].pinned and added[wanted.id].start_week == 6


def test_a_choice_that_cannot_hold_is_refused_beside_its_field_and_nothing_is_queued(
    client_as: Client, person: Callable[[str], Person], db: Session
) -> None:
    learner, me, plan = _generated(client_as, person, db)
    jobs_before = db.scalar(select(func.count()).select_from(Job))
    wanted = plan.items[0].activity
    add = {"change": "add", "activity_id": wanted.id, "starts_on": "2020-03-02",
           "find": "zzz-nothing"}  # fmt: skip
    answer = post(me, "/me/plan/choices", add)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    summary = _section(html.replace('<div class="error-summary"', "<section"), "error-summary")
    assert f'href="#add-start-{wanted.id}"' in summary
    assert "would start on 2 March 2020, before the plan starts" in summary
    field = re.search(rf'<input type="date" id="add-start-{wanted.id}"[^>]*>', html)
    assert field and 'value="2020-03-02"' in field.group(0)  # what was typed, kept
    assert 'aria-invalid="true"' in field.group(0)
    assert f'aria-describedby="add-start-{wanted.id}-error"' in field.group(0)
    assert db.scalar(select(func.count()).select_from(Job)) == jobs_before

    past = {"target_role_id": learner.target_role_id, "hours_per_week": "4",
            "starts_on": "2020-03-02"}  # fmt: skip
    answer = post(me, "/me/plan/generate", past)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and 'href="#starts_on"' in html
    assert "2 March 2020 has passed" in html and 'value="2020-03-02"' in html
    assert db.scalar(select(func.count()).select_from(Job)) == jobs_before


def test_the_learner_chooses_the_start_and_what_ifs_keep_it(
    client_as: Client, person: Callable[[str], Person], db: Session
) -> None:
    learner = person(LEARNER)
    me = client_as(learner)
    start = next_monday(dt.date.today()) + dt.timedelta(weeks=5)
    chosen = (start + dt.timedelta(days=2)).isoformat()  # a Wednesday
    post(me, "/me/plan/generate", {"target_role_id": learner.target_role_id,
                                   "hours_per_week": "1", "starts_on": chosen})  # fmt: skip
    plan = _plan(db, learner)
    assert plan.starts_on == start  # the Monday of the chosen week
    page = me.get("/me/plan").get_data(as_text=True)
    assert f"The plan starts on <strong>{start.day} {start:%B %Y}</strong>" in page
    assert f'id="starts_on" name="starts_on" value="{start.isoformat()}"' in page
    what_if = page.split('class="what-if-form"', 1)[1].split("</form>", 1)[0]
    assert f'name="starts_on" value="{start.isoformat()}"' in what_if


def test_a_gap_only_left_out_activities_close_offers_to_allow_one_again(
    client_as: Client, person: Callable[[str], Person], db: Session
) -> None:
    learner, me, _ = _generated(client_as, person, db)
    teachers = [
        "peer-frontend-guild",
        "str-ts-migration",
        "typescript-intro",
        "typescript-practice",
    ]
    ids = {
        a.external_id: a.id
        for a in db.scalars(select(Activity).where(Activity.tenant_id == learner.tenant_id))
    }
    for external_id in teachers:  # every activity that teaches TypeScript
        post(me, "/me/plan/choices", {"change": "exclude", "activity_id": ids[external_id]})
    gaps = me.get("/me/plan").get_data(as_text=True).split('id="open-gaps"', 1)[1]
    gaps = gaps.split("</ul>", 1)[0]
    assert "Only activities left out of this plan teach TypeScript to level 1 (" in gaps
    form = gaps.split('class="what-if-form"', 1)[1].split("</form>", 1)[0]
    allowed = int(re.search(r'name="activity_id" value="(\d+)"', form).group(1))  # type: ignore[union-attr]
    assert 'name="change" value="include"' in form and "allowed again" in form
    assert (
        post(me, "/me/plan/choices", {"change": "include", "activity_id": allowed}).status_code
        == 302
    )
    assert allowed not in _plan(db, learner).settings["excluded"]
