"""Check-ins: the manager schedules, moves and records them; both people get the invitation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, flash, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from lti_pathing.auth import require
from lti_pathing.columns import utcnow
from lti_pathing.errors import Invalid, NotFound
from lti_pathing.models import CheckIn, PlanStatus
from lti_pathing.services.calendar import checkin_times, checkin_to_ics
from lti_pathing.services.checkins import CheckInService, NextSteps, When
from lti_pathing.services.plan_life import current_plan
from lti_pathing.services.plan_views import PlanViewService
from lti_pathing.services.team import TeamService
from lti_pathing.web import manager
from lti_pathing.web.form_errors import shows_form_errors
from lti_pathing.web.viewing import acting, form_int, optional_date, service, template_globals

bp = Blueprint("checkins", __name__)
bp.context_processor(template_globals)


@bp.app_template_global("checkin_end")
def checkin_end(check_in: CheckIn) -> dt.datetime | dt.date:
    """When a check-in ends (templates show its time)."""
    return checkin_times(check_in)[1]


@bp.app_template_global("checkin_steps")
def checkin_steps(check_in: CheckIn) -> NextSteps:
    """A held check-in's next steps against the plan in effect (the learner's plan page)."""
    _actor, tenant = acting()
    return service(CheckInService, tenant).next_steps(check_in)


def _person_page(check_in_id: int) -> str:
    """The report's page of a check-in (where its forms are shown again after an error)."""
    _actor, tenant = acting()
    return manager.person(service(CheckInService, tenant).get(CheckIn, check_in_id).person_id)


def _when() -> When:
    """The date, time, length and time zone posted by a scheduling form."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name, parse in (("on", lambda: optional_date("scheduled_on")), ("at", _time),
                        ("minutes", _minutes)):  # fmt: skip
        try:
            values[name] = parse()
        except Invalid as error:
            errors.update(error.errors or {})
    if errors:
        raise Invalid("check the date and time", errors)
    return When(**values, zone=request.form.get("time_zone", "").strip() or None)


def _time() -> dt.time | None:
    raw = request.form.get("starts_at", "").strip()
    if not raw:
        return None
    try:
        return dt.time.fromisoformat(raw).replace(second=0, microsecond=0, tzinfo=None)
    except ValueError:
        raise Invalid("not a time", {"starts_at": ["use the form HH:MM, such as 14:30"]}) from None


def _minutes() -> int | None:
    if not request.form.get("duration_minutes", "").strip():
        return None
    return form_int("duration_minutes", 15, 480)


@bp.post("/team/people/<int:person_id>/checkins")
@require("manager")
@shows_form_errors(lambda person_id: manager.person(person_id))
def schedule(person_id: int) -> BaseResponse:
    """Schedule a check-in with a report: a date, and a time in a time zone."""
    actor, tenant = acting()
    service(CheckInService, tenant).schedule(actor.person_id, person_id, when=_when())
    flash("Check-in scheduled; add it to your calendar from this page.", "success")
    return redirect(url_for("manager.person", person_id=person_id))


@bp.post("/team/checkins/<int:check_in_id>/time")
@require("manager")
@shows_form_errors(_person_page)
def reschedule(check_in_id: int) -> BaseResponse:
    """Move a check-in not yet held to another date or time."""
    actor, tenant = acting()
    checkins = service(CheckInService, tenant)
    moved = checkins.reschedule(actor.person_id, check_in_id, form_int("version", 1), _when())
    flash("Check-in moved; download the invitation again to update your calendar.", "success")
    return redirect(url_for("manager.person", person_id=moved.person_id))


@bp.post("/team/checkins/<int:check_in_id>")
@require("manager")
@shows_form_errors(_person_page)
def record(check_in_id: int) -> BaseResponse:
    """Record a held check-in with a snapshot of the report's plan progress."""
    actor, tenant = acting()
    checkins = service(CheckInService, tenant)
    held = checkins.get(CheckIn, check_in_id)
    snapshot: dict[str, Any] = {}
    latest = current_plan(checkins.session, tenant, held.person_id)
    if latest is not None and latest.status == PlanStatus.approved:
        progress = service(PlanViewService, tenant).view(latest).progress
        ready = progress.readiness_on.isoformat() if progress.readiness_on else None
        snapshot = {"plan_id": latest.id, "done": progress.done, "total": progress.total,
                    "percent": progress.percent, "state": progress.state,
                    "ready_on": ready}  # fmt: skip
    fields = {
        "held_on": optional_date("held_on"),
        "notes": request.form.get("notes", ""),
        "next_steps": request.form.get("next_steps", ""),
        "next_activity_ids": _ids("next_activity_ids"),
    }
    checkins.record(actor.person_id, check_in_id, form_int("version", 1), fields, snapshot)
    flash("Check-in recorded; the next one is scheduled for next quarter.", "success")
    return redirect(url_for("manager.person", person_id=held.person_id))


def _ids(name: str) -> list[int]:
    values = request.form.getlist(name)
    if len(values) > 100 or not all(v.isascii() and v.isdigit() and len(v) < 10 for v in values):
        raise Invalid("unknown activities", {name: ["choose activities from the list"]})
    return [int(v) for v in values]


@bp.get("/checkins/<int:check_in_id>/invitation.ics")
@require()
def invitation(check_in_id: int) -> Response:
    """The check-in as a calendar invitation: for the person it is about and their managers."""
    actor, tenant = acting()
    check_in = service(CheckInService, tenant).get(CheckIn, check_in_id)
    mine = check_in.person_id == actor.person_id
    if not mine and check_in.person_id not in service(TeamService, tenant).report_ids(
        actor.person_id
    ):
        raise NotFound(f"no CheckIn with id {check_in_id}")
    # Stamped with the check-in's last change: both people get the same file, byte for byte.
    body = checkin_to_ics(check_in, request.host, check_in.updated_at or utcnow())
    name = f"check-in-{check_in.scheduled_on.isoformat()}.ics"
    return Response(
        body, mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )  # fmt: skip
