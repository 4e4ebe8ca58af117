"""The learner's own choices on their plan page: keep an activity at a date, leave one out (from
the plan or the catalog), each re-planning at once (services/planning/choices.py checks it
first); and "noted" on the notice that says their plan changed."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from lti_pathing import db
from lti_pathing.auth import require
from lti_pathing.errors import NotFound
from lti_pathing.models import Activity, Person, Plan
from lti_pathing.services.approvals import ApprovalService
from lti_pathing.services.planning import PlanSettings
from lti_pathing.services.planning.choices import ChoiceService
from lti_pathing.web.form_errors import shows_form_errors
from lti_pathing.web.learner import plan
from lti_pathing.web.own_plan import last_settings, replan_own
from lti_pathing.web.viewing import acting, form_int, optional_date, service, template_globals

bp = Blueprint("plan_choices", __name__, url_prefix="/me/plan")
bp.context_processor(template_globals)
DONE = {
    "keep": "{title} stays where it is; re-planning the rest around it.",
    "add": "{title} is in your plan from {day}; re-planning the rest around it.",
    "release": "The planner may move {title} again; re-planning.",
    "exclude": "{title} is left out; re-planning without it.",
    "include": "{title} may be planned again; re-planning.",
}


@bp.post("/choices")
@require()
@shows_form_errors(plan)
def change() -> BaseResponse:
    """Keep, add, release, leave out or allow again one activity, then re-plan with it."""
    actor, tenant = acting()
    person = db.session().get_one(Person, actor.person_id)
    choices = service(ChoiceService, tenant)
    settings = last_settings(tenant, person.id) or PlanSettings()
    settings = settings.with_(starts_on=choices.start_of(settings))
    what = request.form.get("change", "")
    starts_on = optional_date("starts_on")
    mentor = request.form.get("mentor_id", type=int)
    changed = choices.change(
        person.id, settings, what, form_int("activity_id", 1), starts_on, mentor
    )
    replan_own(tenant, person, changed, actor.person_id)
    title = choices.get(Activity, form_int("activity_id", 1)).title
    day = f"{starts_on.day} {starts_on.strftime('%B %Y')}" if starts_on else ""
    flash(DONE[what].format(title=title, day=day), "success")
    found = request.form.get("find", "").strip()
    return redirect(url_for("learner.plan", find=found or None) + ("#find" if found else ""))


@bp.post("/<int:plan_id>/seen")
@require()
def seen(plan_id: int) -> BaseResponse:
    """Note that I have read what changed in my plan (the notice at the top goes away)."""
    actor, tenant = acting()
    approvals = service(ApprovalService, tenant)
    own = approvals.get(Plan, plan_id)
    if own.person_id != actor.person_id:
        raise NotFound(f"no Plan with id {plan_id}")
    event = request.form.get("event", type=int)
    approvals.log(own, "change_seen", actor.person_id, data={"event": event})
    flash("Noted; what changed stays in the plan's history.", "success")
    return redirect(url_for("learner.plan"))
