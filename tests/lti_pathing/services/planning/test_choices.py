"""A learner's own choices (kept activities, left-out ones, the start) on the sample organisation:
each is checked before anything is planned, and the planner keeps to them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.errors import Invalid
from lti_pathing.models import Activity, Evidence, EvidenceSource, Person, Tenant
from lti_pathing.services.planning import Pin, PlanningService, PlanSettings
from lti_pathing.services.planning.choices import MAX_KEPT, ChoiceService
from tests.lti_pathing.services.planning.conftest import clock

MONDAY = dt.date(2026, 12, 7)  # the coming Monday of the fixed clock (Wednesday 2 December)


@pytest.fixture
def choices(work: Session, larkspur: Tenant) -> ChoiceService:
    return ChoiceService(work, larkspur, clock)


def activity(work: Session, larkspur: Tenant, external_id: str) -> Activity:
    found = work.scalar(
        select(Activity).where(Activity.tenant_id == larkspur.id,
                               Activity.external_id == external_id)
    )  # fmt: skip
    assert found is not None, external_id
    return found


def test_the_start_is_the_chosen_weeks_monday_unless_that_week_has_passed(
    choices: ChoiceService,
) -> None:
    assert choices.start_of(PlanSettings()) == MONDAY
    assert choices.start_of(PlanSettings(starts_on=dt.date(2026, 12, 3))) == dt.date(2026, 11, 30)
    assert choices.start_of(PlanSettings(starts_on=dt.date(2026, 11, 20))) == MONDAY
    assert choices.start_of(PlanSettings(starts_on=dt.date(2027, 1, 6))) == dt.date(2027, 1, 4)


def test_keep_leave_out_and_undo_one_activity_at_a_time(
    choices: ChoiceService, person: Callable[[str], Person], work: Session, larkspur: Tenant
) -> None:
    felix = person("E1013")
    python = activity(work, larkspur, "python-intro")
    kept = choices.change(felix.id, PlanSettings(), "add", python.id, dt.date(2027, 1, 11))
    assert [(p.activity_id, p.starts_on) for p in kept.pins] == [(python.id, dt.date(2027, 1, 11))]
    assert kept.pins_chosen and kept.excluded == ()
    out = choices.change(felix.id, kept, "exclude", python.id)
    assert out.pins == () and out.excluded == (python.id,)  # left out: no longer kept
    back = choices.change(felix.id, out, "include", python.id)
    assert back.excluded == () and back.pins == ()
    released = choices.change(felix.id, kept, "release", python.id)
    assert released.pins == () and released.pins_chosen
    shown = choices.shown(out)
    assert shown.starts_on == MONDAY and [a.title for a in shown.left_out] == [python.title]


def test_choices_that_cannot_hold_are_refused_by_field_in_words(
    choices: ChoiceService, person: Callable[[str], Person], work: Session, larkspur: Tenant
) -> None:
    felix = person("E1013")
    python = activity(work, larkspur, "python-intro")

    def refused(settings: PlanSettings, change: str = "add", day: dt.date | None = None,
                target: Activity = python) -> dict[str, list[str]]:  # fmt: skip
        with pytest.raises(Invalid) as raised:
            choices.change(felix.id, settings, change, target.id, day)
        return dict(raised.value.errors)

    assert refused(PlanSettings()) == {"starts_on": ["choose when to start Python Essentials"]}
    early = refused(PlanSettings(), day=dt.date(2026, 11, 2))["starts_on"][0]
    assert early.startswith("Python Essentials would start on 2 November 2026, before the plan")
    assert "within two years" in refused(PlanSettings(), day=dt.date(2029, 1, 1))["starts_on"][0]
    past = refused(PlanSettings(starts_on=dt.date(2026, 11, 1)), "exclude")["starts_on"][0]
    assert past == "1 November 2026 has passed: choose today or later"
    ahead = PlanSettings(starts_on=dt.date(2028, 1, 3))
    assert refused(ahead, "exclude") == {"starts_on": ["choose a start within a year from today"]}

    python.active = False
    assert "no longer offered" in refused(PlanSettings(), day=MONDAY)["activity_id"][0]
    python.active = True
    done = Evidence(tenant_id=larkspur.id, person_id=felix.id, level=2, activity_id=python.id,
                    skill_id=python.outcomes[0].skill_id, source=EvidenceSource.lms_completion,
                    observed_on=dt.date(2026, 6, 1))  # fmt: skip
    work.add(done)
    work.flush()
    assert refused(PlanSettings(), day=MONDAY) == {
        "activity_id": ["you have already completed Python Essentials"]
    }
    others = work.scalars(
        select(Activity).where(Activity.tenant_id == larkspur.id, Activity.active.is_(True),
                               Activity.id != python.id).limit(MAX_KEPT)
    ).all()  # fmt: skip
    many = PlanSettings(pins=tuple(Pin(other.id, MONDAY) for other in others))
    with pytest.raises(Invalid, match="cannot be kept") as raised:
        choices.check(felix.id, many.with_(pins=(*many.pins, Pin(python.id, MONDAY))))
    assert f"keep at most {MAX_KEPT} activities" in raised.value.errors["activity_id"]


def test_the_planner_keeps_to_the_choices_and_a_released_pin_is_released(
    planning: PlanningService, choices: ChoiceService, person: Callable[[str], Person],
    work: Session, larkspur: Tenant,
) -> None:  # fmt: skip
    felix = person("E1013")
    first = planning.generate(felix.id, PlanSettings(hours_per_week=4), felix.id)
    dropped, kept = first.items[0], first.items[-1]
    day = MONDAY + dt.timedelta(weeks=kept.start_week + 1)  # a week later than the planner put it
    settings = PlanSettings.from_json(first.settings)
    settings = choices.change(felix.id, settings, "keep", kept.activity_id, day)
    settings = choices.change(felix.id, settings, "exclude", dropped.activity_id)
    again = planning.generate(felix.id, settings, felix.id, plan_id=first.id)
    assert again.id == first.id
    by_activity = {i.activity_id: i for i in again.items}
    assert dropped.activity_id not in by_activity
    assert by_activity[kept.activity_id].pinned
    assert by_activity[kept.activity_id].start_week == kept.start_week + 1

    released = choices.change(felix.id, PlanSettings.from_json(again.settings), "release",
                              kept.activity_id)  # fmt: skip
    third = planning.generate(felix.id, released, felix.id, plan_id=first.id)
    assert not any(i.pinned for i in third.items)  # the draft's old pin is not lent back


def test_find_searches_what_is_on_offer(
    choices: ChoiceService, work: Session, larkspur: Tenant
) -> None:
    found = choices.find("python")
    assert found.total >= 3 and all(a.active for a in found.items)
    assert all("python" in f"{a.title} {a.provider} {a.description}".lower() for a in found.items)
    activity(work, larkspur, "python-intro").active = False
    work.flush()
    assert "python-intro" not in {a.external_id for a in choices.find("python").items}
    assert choices.find("100%_sure").total == 0  # wildcards are plain characters


def test_an_activity_over_the_weekly_hours_is_refused_before_planning(
    choices: ChoiceService, person: Callable[[str], Person], work: Session, larkspur: Tenant
) -> None:
    felix = person("E1013")
    course = activity(work, larkspur, "python-intro")  # 2 hours a week
    with pytest.raises(Invalid) as raised:
        choices.change(
            felix.id, PlanSettings(hours_per_week=Decimal("1.5")), "add", course.id, MONDAY
        )
    assert raised.value.errors == {
        "activity_id": ["Python Essentials takes 2 hours a week, more than the 1.5 you have"]
    }
