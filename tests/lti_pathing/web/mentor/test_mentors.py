"""Mentors who say yes: booking requests, answers, weeks off, capacity, expiry; and how the
planner's request counts them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.errors import Invalid
from lti_pathing.jobs.mentoring import expire_bookings
from lti_pathing.models import (
    Activity,
    ActivityKind,
    ActivityMentor,
    ActivityOutcome,
    BookingStatus,
    Evidence,
    EvidenceSource,
    Mentor,
    MentorBooking,
    Person,
    Plan,
    PlanStatus,
    RoleSkill,
    Skill,
    SkillLevel,
    Tenant,
)
from lti_pathing.services.approvals import ApprovalService
from lti_pathing.services.mentoring import MentorService
from lti_pathing.services.planning import (
    Calendar,
    Limits,
    Pin,
    PlanningService,
    PlanSettings,
    next_monday,
)
from lti_pathing.services.planning.catalog import CatalogLoader
from tests.lti_pathing.web.journeys_fixtures import Larkspur, post

FELIX, MENTORS = "E1013", ("E1002", "E1003")  # Amara Mwangi and another engineering mentor
Client = Callable[..., FlaskClient]
MONDAY = next_monday(dt.datetime.now(dt.UTC).date())  # the plans start next week


@pytest.fixture
def tenant(db: Session, larkspur: Larkspur) -> Tenant:
    return db.get_one(Tenant, larkspur.tenant_id)


@pytest.fixture
def mentorship(db: Session, tenant: Tenant, person: Callable[[str], Person]) -> Activity:
    """A 4-week mentorship two engineering mentors can run: the only way to learn code review,
    which Felix's target role now requires."""
    review = Skill(tenant_id=tenant.id, external_id="code-review", name="Code review")
    db.add(review)
    db.flush()
    db.add(SkillLevel(tenant_id=tenant.id, skill_id=review.id, level=1, name="Reviews"))
    db.add(RoleSkill(tenant_id=tenant.id, role_id=person(FELIX).target_role_id,
                     skill_id=review.id, level=1, weight=Decimal("1")))  # fmt: skip
    activity = Activity(tenant_id=tenant.id, external_id="mentor-python-pairing",
                        kind=ActivityKind.mentorship, title="Python pairing with a mentor",
                        duration_weeks=4, hours_per_week=Decimal("1"))  # fmt: skip
    db.add(activity)
    db.flush()
    db.add(ActivityOutcome(tenant_id=tenant.id, activity_id=activity.id, skill_id=review.id,
                           level=1))  # fmt: skip
    for ext in MENTORS:
        mentor = db.scalars(select(Mentor).where(Mentor.person_id == person(ext).id)).one()
        db.add(ActivityMentor(tenant_id=tenant.id, activity_id=activity.id, mentor_id=mentor.id))
    db.flush()
    return activity


def day(offset: int) -> str:
    """The ISO date `offset` days after the plans' first Monday."""
    return (MONDAY + dt.timedelta(days=offset)).isoformat()


def held_plan(db: Session, tenant: Tenant, learner: Person, activity: Activity) -> Plan:
    """The learner's plan with the mentorship pinned at its first week, submitted."""
    planning = PlanningService(db, tenant, limits=Limits(time_limit_s=5, quick_time_limit_s=2))
    settings = PlanSettings(starts_on=MONDAY, pins=(Pin(activity.id, MONDAY),), explain=False,
                            pins_chosen=True)  # fmt: skip
    plan = planning.generate(learner.id, settings, learner.id)
    return ApprovalService(db, tenant).act(learner.id, plan.id, "submit", plan.version)


def booking_of(db: Session, plan: Plan) -> MentorBooking:
    ids = [i.id for i in plan.items if i.mentor_id is not None]
    return db.scalars(select(MentorBooking).where(MentorBooking.plan_item_id.in_(ids))).one()


def mentor_person(db: Session, booking: MentorBooking) -> Person:
    return db.get_one(Mentor, booking.mentor_id).person


def test_a_submitted_plan_asks_its_mentor_who_accepts_on_their_page(
    client_as: Client, person: Callable[[str], Person], db: Session, tenant: Tenant,
    mentorship: Activity,
) -> None:  # fmt: skip
    plan = held_plan(db, tenant, person(FELIX), mentorship)
    booking = booking_of(db, plan)
    assert booking.status is BookingStatus.requested
    mentor = client_as(mentor_person(db, booking))
    home = mentor.get("/").get_data(as_text=True)
    assert 'id="nav-mentees"' in home  # a mentor of the catalog gets the mentor's menu
    page = mentor.get("/mentoring/").get_data(as_text=True)
    assert f'data-booking="{booking.id}"' in page and "Felix Mensah" in page
    answer = post(mentor, f"/mentoring/bookings/{booking.id}/answer",
                  {"action": "accept", "version": booking.version}, "/mentoring/")  # fmt: skip
    assert answer.status_code == 302
    db.refresh(booking)
    assert booking.status is BookingStatus.accepted
    page = mentor.get("/mentoring/").get_data(as_text=True)
    assert 'id="no-requests"' in page
    assert "Python pairing with a mentor" in page.split('id="mentee-list"')[1]
    capacity = db.get_one(Mentor, booking.mentor_id).capacity
    week = page.split(f'<tr data-week="{MONDAY.isoformat()}">')[1].split("</tr>")[0]
    assert f"1 of {capacity}" in week


def test_someone_who_is_not_a_mentor_has_no_mentor_page_nor_their_answers(
    client_as: Client, person: Callable[[str], Person], db: Session, tenant: Tenant,
    mentorship: Activity,
) -> None:  # fmt: skip
    booking = booking_of(db, held_plan(db, tenant, person(FELIX), mentorship))
    learner = client_as(person(FELIX))
    assert learner.get("/mentoring/").status_code == 403
    other = next(p for p in MENTORS if person(p).id != mentor_person(db, booking).id)
    answer = post(client_as(person(other)), f"/mentoring/bookings/{booking.id}/answer",
                  {"action": "accept", "version": booking.version}, "/mentoring/")  # fmt: skip
    assert answer.status_code == 404
    db.refresh(booking)
    assert booking.status is BookingStatus.requested


def test_a_decline_re_plans_the_learner_with_the_other_mentor(
    client_as: Client, person: Callable[[str], Person], db: Session, tenant: Tenant,
    mentorship: Activity,
) -> None:  # fmt: skip
    plan = held_plan(db, tenant, person(FELIX), mentorship)
    booking = booking_of(db, plan)
    first = booking.mentor_id
    mentor = client_as(mentor_person(db, booking))
    answer = post(mentor, f"/mentoring/bookings/{booking.id}/answer",
                  {"action": "decline", "version": booking.version, "comment": "On leave"},
                  "/mentoring/")  # fmt: skip
    assert answer.status_code == 302
    db.expire_all()
    assert db.get_one(MentorBooking, booking.id).status is BookingStatus.declined
    proposal = db.scalars(select(Plan).where(Plan.replaces_id == plan.id,
                                             Plan.status == PlanStatus.proposed)).one()  # fmt: skip
    mentors = {i.mentor_id for i in proposal.items if i.activity_id == mentorship.id}
    assert mentors and first not in mentors  # the other mentor, with room


def test_weeks_off_and_declines_fill_the_mentor_in_the_planners_request(
    client_as: Client, person: Callable[[str], Person], db: Session, tenant: Tenant,
    mentorship: Activity,
) -> None:  # fmt: skip
    amara = person(MENTORS[0])
    client = client_as(amara)
    answer = post(client, "/mentoring/unavailable",
                  {"first": day(8), "last": day(16), "mark": "unavailable"},
                  "/mentoring/")  # fmt: skip
    assert answer.status_code == 302
    mentor = db.scalars(select(Mentor).where(Mentor.person_id == amara.id)).one()
    catalog = CatalogLoader(db, tenant).build(Calendar.starting(MONDAY), 52, [person(FELIX).id])
    entry = next(m for m in catalog.mentors if m["id"] == amara.external_id)
    assert {"from_week": 1, "to_week": 3, "mentees": mentor.capacity} in entry["booked"]
    form = {"first": day(8), "last": day(8), "mark": "available"}
    post(client, "/mentoring/unavailable", form, "/mentoring/")
    catalog = CatalogLoader(db, tenant).build(Calendar.starting(MONDAY), 52, [person(FELIX).id])
    entry = next(m for m in catalog.mentors if m["id"] == amara.external_id)
    assert {"from_week": 2, "to_week": 3, "mentees": mentor.capacity} in entry["booked"]


def test_bad_weeks_and_capacity_are_refused_with_every_problem_and_kept(
    client_as: Client, person: Callable[[str], Person], db: Session
) -> None:
    client = client_as(person(MENTORS[0]))
    answer = post(client, "/mentoring/unavailable",
                  {"first": "2027-02-10", "last": "2027-02-01", "mark": "unavailable"},
                  "/mentoring/")  # fmt: skip
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "on or after the first day" in html
    assert 'value="2027-02-10"' in html
    mentor = db.scalars(select(Mentor).where(Mentor.person_id == person(MENTORS[0]).id)).one()
    answer = post(client, "/mentoring/capacity", {"capacity": "25", "version": mentor.version},
                  "/mentoring/")  # fmt: skip
    assert answer.status_code == 422 and 'value="25"' in answer.get_data(as_text=True)
    answer = post(client, "/mentoring/capacity", {"capacity": "1", "version": mentor.version},
                  "/mentoring/")  # fmt: skip
    assert answer.status_code == 302
    db.refresh(mentor)
    assert mentor.capacity == 1


def test_an_unanswered_request_expires_and_the_plan_is_re_planned(
    web: Flask, person: Callable[[str], Person], db: Session, tenant: Tenant,
    mentorship: Activity,
) -> None:  # fmt: skip
    plan = held_plan(db, tenant, person(FELIX), mentorship)
    booking = booking_of(db, plan)
    booking.requested_at = booking.requested_at - dt.timedelta(days=8)
    db.flush()
    assert expire_bookings(web) == 1
    db.expire_all()
    assert db.get_one(MentorBooking, booking.id).status is BookingStatus.expired
    proposal = db.scalars(select(Plan).where(Plan.replaces_id == plan.id)).one()
    assert booking.mentor_id not in {i.mentor_id for i in proposal.items}
    assert expire_bookings(web) == 0  # nothing twice


def code_review(db: Session, tenant: Tenant) -> Skill:
    return db.scalars(select(Skill).where(Skill.tenant_id == tenant.id,
                                          Skill.external_id == "code-review")).one()  # fmt: skip


@pytest.mark.parametrize("expert", MENTORS)
def test_the_mentor_who_holds_the_needed_skill_higher_is_matched(
    person: Callable[[str], Person], db: Session, tenant: Tenant, mentorship: Activity,
    expert: str,
) -> None:  # fmt: skip
    db.add(Evidence(tenant_id=tenant.id, person_id=person(expert).id,
                    skill_id=code_review(db, tenant).id, level=1,
                    source=EvidenceSource.manager, observed_on=MONDAY))  # fmt: skip
    db.flush()
    plan = held_plan(db, tenant, person(FELIX), mentorship)
    assert booking_of(db, plan).mentor_id == mentor_id(db, person(expert))


def mentor_id(db: Session, who: Person) -> int:
    return db.scalars(select(Mentor.id).where(Mentor.person_id == who.id)).one()


def test_a_preferred_mentor_with_room_is_matched_first_and_an_unknown_one_refused(
    person: Callable[[str], Person], db: Session, tenant: Tenant, mentorship: Activity
) -> None:
    expert, preferred = person(MENTORS[0]), person(MENTORS[1])
    db.add(Evidence(tenant_id=tenant.id, person_id=expert.id, skill_id=code_review(db, tenant).id,
                    level=1, source=EvidenceSource.manager, observed_on=MONDAY))  # fmt: skip
    db.flush()
    planning = PlanningService(db, tenant, limits=Limits(time_limit_s=5, quick_time_limit_s=2))
    base = PlanSettings(starts_on=MONDAY, pins=(Pin(mentorship.id, MONDAY),), explain=False,
                        pins_chosen=True)  # fmt: skip
    plan = planning.generate(person(FELIX).id,
                             base.with_(preferred_mentor_id=mentor_id(db, preferred)))  # fmt: skip
    assert {i.mentor_id for i in plan.items if i.mentor_id} == {mentor_id(db, preferred)}
    with pytest.raises(Invalid) as caught:
        planning.generate(person(FELIX).id, base.with_(preferred_mentor_id=999999), None, plan.id)
    assert "preferred_mentor_id" in caught.value.errors


def test_a_declined_booking_frees_the_place_for_others_and_fills_it_for_that_learner(
    person: Callable[[str], Person], db: Session, tenant: Tenant, mentorship: Activity
) -> None:
    felix, other = person(FELIX), person("E1040")
    booking = booking_of(db, held_plan(db, tenant, felix, mentorship))
    mentor = db.get_one(Mentor, booking.mentor_id)

    def booked(planned: Person) -> list[dict[str, int]]:
        catalog = CatalogLoader(db, tenant).build(Calendar.starting(MONDAY), 52, [planned.id])
        return next(m for m in catalog.mentors if m["id"] == mentor.person.external_id)["booked"]

    held = {"from_week": 0, "to_week": 4, "mentees": 1}
    assert held in booked(other)  # a request holds the place while it waits for an answer
    MentorService(db, tenant).answer(mentor.person_id, booking.id, True, booking.version)
    assert held in booked(other)  # accepted: it still counts
    booking.status = BookingStatus.declined  # as if declined (answers are final on the page)
    db.flush()
    assert held not in booked(other)
    assert {"from_week": 0, "to_week": 52, "mentees": mentor.capacity} in booked(felix)
