"""The mentor's page: mentees, booking requests to accept or decline, load, weeks off."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from lti_pathing.auth import require
from lti_pathing.errors import Invalid
from lti_pathing.models import BookingStatus
from lti_pathing.services.mentoring import BOOKING_DAYS, MentorService
from lti_pathing.web.form_errors import shows_form_errors
from lti_pathing.web.learner import start_replan_from_today
from lti_pathing.web.viewing import acting, form_int, service, template_globals

bp = Blueprint("mentor", __name__, url_prefix="/mentoring")
bp.context_processor(template_globals)


@bp.get("/")
@require("mentor")
def index() -> str:
    """My mentees, requests waiting for my answer, my load by week, weeks I am away."""
    actor, tenant = acting()
    mentors = service(MentorService, tenant)
    me = mentors.mentor_of(actor.person_id)
    bookings = mentors.bookings(me)
    return render_template(
        "mentor/index.html", mentor=me, load=mentors.load(me), expiry_days=BOOKING_DAYS,
        requests=[b for b in bookings if b.booking.status is BookingStatus.requested],
        mentees=[b for b in bookings if b.booking.status is BookingStatus.accepted],
        off=sorted(mentors.unavailable(me)),
    )  # fmt: skip


@bp.post("/bookings/<int:booking_id>/answer")
@require("mentor")
@shows_form_errors(lambda booking_id: index())
def answer(booking_id: int) -> BaseResponse:
    """Accept or decline a booking; a decline re-plans the learner's plan without me."""
    actor, tenant = acting()
    action = request.form.get("action", "")
    if action not in ("accept", "decline"):
        raise Invalid("unknown answer", {"action": ["accept or decline"]})
    mentors = service(MentorService, tenant)
    booking = mentors.answer(actor.person_id, booking_id, action == "accept",
                             form_int("version", 1), request.form.get("comment", ""))  # fmt: skip
    name = booking.mentee.name
    if action == "accept":
        flash(f"You mentor {name} in {booking.item.activity.title}.", "success")
    else:
        plan = mentors.plan_to_replan(booking)
        if plan is not None:
            start_replan_from_today(tenant, plan, actor.person_id)
        flash(f"Declined; {name}'s plan is re-planned without you.", "success")
    return redirect(url_for("mentor.index"))


@bp.post("/unavailable")
@require("mentor")
@shows_form_errors(lambda: index())
def unavailable() -> BaseResponse:
    """Mark the weeks from a first to a last day as unavailable (or available again)."""
    actor, tenant = acting()
    free = request.form.get("mark") == "available"
    weeks = service(MentorService, tenant).set_unavailable(
        actor.person_id, request.form.get("first", ""), request.form.get("last", ""), free
    )
    state = "available" if free else "unavailable"
    flash(f"{weeks} week{'' if weeks == 1 else 's'} marked {state}.", "success")
    return redirect(url_for("mentor.index"))


@bp.post("/capacity")
@require("mentor")
@shows_form_errors(lambda: index())
def capacity() -> BaseResponse:
    """How many mentees I take at once."""
    actor, tenant = acting()
    mentor = service(MentorService, tenant).set_capacity(
        actor.person_id, request.form.get("capacity", ""), form_int("version", 1)
    )
    flash(f"You take up to {mentor.capacity} mentees at once.", "success")
    return redirect(url_for("mentor.index"))
