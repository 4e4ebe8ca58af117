"""The manager's pages: my team, the approval queue, plan decisions and edits, check-ins."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from lti_pathing import db, jobs
from lti_pathing.auth import require
from lti_pathing.columns import utcnow
from lti_pathing.errors import Invalid, NotFound
from lti_pathing.models import Activity, Person, Plan, PlanStatus
from lti_pathing.services.approvals import ApprovalService
from lti_pathing.services.assessments import AssessmentService
from lti_pathing.services.calendar import week_date
from lti_pathing.services.checkins import CheckInService, time_zones
from lti_pathing.services.delegation import DelegationService
from lti_pathing.services.levels import LevelService
from lti_pathing.services.pathways import PathwayService, fit_for
from lti_pathing.services.plan_alternatives import PlanAlternativeService
from lti_pathing.services.plan_changes import PlanChangeService
from lti_pathing.services.plan_life import AWAITING_MANAGER, current_plan
from lti_pathing.services.plan_views import PlanViewService
from lti_pathing.services.planning import Pin, PlanSettings
from lti_pathing.services.progress import ProgressService
from lti_pathing.services.proposals import ProposalService
from lti_pathing.services.reschedule import RescheduleService
from lti_pathing.services.team import TeamService
from lti_pathing.services.team_budget import TeamBudgetService
from lti_pathing.services.team_impact import TeamImpactService
from lti_pathing.web import charts, plan_jobs
from lti_pathing.web.form_errors import shows_form_errors
from lti_pathing.web.learner import start_replan_from_today
from lti_pathing.web.viewing import acting, form_int, optional_date, service, template_globals

bp = Blueprint("manager", __name__, url_prefix="/team")
# What the manager is told after deciding (the learner sees the decision atop their plan).
DECIDED = {
    "approve": "Plan approved; {name} sees your decision at the top of their plan.",
    "reject": "Plan rejected; {name} sees your comment and what to do next.",
    "request_changes": "Changes requested; {name} sees your comment and what to do next.",
}
bp.context_processor(template_globals)


@bp.get("/")
@require("manager")
def index() -> str:
    """My team: skills heatmap (people x skills of their target roles), plans by status."""
    actor, tenant = acting()
    people = service(TeamService, tenant).reports(actor.person_id)
    levels = service(LevelService, tenant).levels_for([p.id for p in people])
    pathways = service(PathwayService, tenant)
    rows: list[tuple[Any, Any]] = []
    columns: dict[int, str] = {}
    for person in people:
        role_id = person.target_role_id or person.current_role_id
        fit = None
        if role_id is not None:
            plain = {sid: lv.level for sid, lv in levels.get(person.id, {}).items()}
            fit = fit_for(pathways.role_with_skills(role_id), plain)
            columns.update({g.skill_id: g.skill for g in fit.gaps})
        rows.append((person, fit))
    plans = service(ApprovalService, tenant).plans_of([p.id for p in people])
    by_status: dict[str, list[Plan]] = {}
    late: dict[int, int] = {}  # plan id -> items behind schedule (the sync's one rule)
    reschedule = service(RescheduleService, tenant)
    for plan in plans:
        by_status.setdefault(plan.status.value, []).append(plan)
        if behind := reschedule.behind(plan):
            late[plan.id] = len(behind)
    late_people = {p.person_id: late[p.id] for p in plans if p.id in late}
    return render_template(
        "manager/team.html", rows=rows, columns=sorted(columns.items(), key=lambda c: c[1]),
        by_status=by_status, heat=charts.heat, late=late, late_people=late_people,
        upcoming=service(CheckInService, tenant).upcoming(actor.person_id),
        progress=service(ProgressService, tenant).of_people(p.id for p in people),
        waiting=service(ApprovalService, tenant).waiting(actor.person_id),
        team_job=plan_jobs.latest_job(
            db.session(), tenant, {"manager_id": actor.person_id}, actor.person_id
        ),
        budgets=service(TeamBudgetService, tenant).budgets(actor.person_id),
        delegations=service(DelegationService, tenant).given_by(actor.person_id),
        delegates=service(DelegationService, tenant).candidates(actor.person_id),
        this_year=utcnow().year,
    )  # fmt: skip


@bp.post("/budget")
@require("manager")
@shows_form_errors(lambda: index())
def budget() -> BaseResponse:
    """Set my team's learning budget for a year."""
    actor, tenant = acting()
    budgets = service(TeamBudgetService, tenant)
    me = budgets.get(Person, actor.person_id)
    form = request.form
    saved = budgets.set(me, me.id, form.get("year", ""), form.get("amount", ""),
                        form.get("currency", ""))  # fmt: skip
    flash(f"Budget for {saved.year} saved: {saved.amount} {saved.currency or ''}.", "success")
    return redirect(url_for("manager.index", _anchor="team-budget"))


@bp.get("/queue")
@require("manager")
def queue() -> str:
    """Plans waiting for my decision, and re-plan proposals to accept or dismiss."""
    actor, tenant = acting()
    proposals = service(ProposalService, tenant).pending(actor.person_id)
    approvals = service(ApprovalService, tenant)
    plans = approvals.queue(actor.person_id)
    return render_template(
        "manager/queue.html", plans=plans, proposals=proposals,
        changes=service(PlanChangeService, tenant).of_plans(proposals),
        standing_in={p.id: f for p in plans if (f := approvals.deciding_for(actor.person_id, p))},
    )  # fmt: skip


@bp.post("/plans/<int:plan_id>/proposal")
@require("manager")
@shows_form_errors(lambda plan_id: _plan_page(plan_id))
def proposal(plan_id: int) -> BaseResponse:
    """Accept a re-plan proposal (it becomes the approved plan) or dismiss it."""
    actor, tenant = acting()
    action = request.form.get("action", "")
    proposals = service(ProposalService, tenant)
    args = (actor.person_id, plan_id, form_int("version", 1), request.form.get("comment", ""))
    if action == "accept":
        accepted = proposals.accept(*args)
        jobs.enqueue_passback(proposals.session, tenant, [accepted.person_id], actor.person_id)
        flash("Proposal accepted: it is now the approved plan.", "success")
    elif action == "dismiss":
        proposals.dismiss(*args)
        flash("Proposal dismissed; the current plan stays.", "success")
    else:
        raise Invalid("unknown decision", {"action": ["accept or dismiss"]})
    return redirect(url_for("manager.plan", plan_id=plan_id))


@bp.post("/plans/<int:plan_id>/replan")
@require("manager")
@shows_form_errors(lambda plan_id: _plan_page(plan_id))
def replan(plan_id: int) -> BaseResponse:
    """Re-plan a report's slipped plan from today; an approved plan gets a proposal."""
    actor, tenant = acting()
    found = service(ApprovalService, tenant).plan_for(actor.person_id, plan_id)
    if found.person_id == actor.person_id:
        raise NotFound(f"no Plan with id {plan_id}")
    start_replan_from_today(tenant, found, actor.person_id)
    flash("Re-planning from today; done and pinned items stay.", "success")
    return redirect(url_for("manager.plan", plan_id=plan_id))


@bp.get("/plans/<int:plan_id>")
@require("manager")
def plan(plan_id: int) -> str:
    """One report's plan: timeline, gaps, log, decision and edit forms."""
    actor, tenant = acting()
    approvals = service(ApprovalService, tenant)
    found = approvals.plan_for(actor.person_id, plan_id)
    if found.person_id == actor.person_id:  # one's own plan is decided by one's own manager
        raise NotFound(f"no Plan with id {plan_id}")
    view = service(PlanViewService, tenant).view(found)
    gantt = charts.gantt(view.rows, view.weeks, lambda w: week_date(found, w))
    job = plan_jobs.latest_job(approvals.session, tenant, {"plan_id": found.id})
    job = job or plan_jobs.latest_job(approvals.session, tenant, {"replaces_id": found.id})
    replaces = approvals.session.get(Plan, found.replaces_id) if found.replaces_id else None
    proposed = found.status is PlanStatus.proposed
    deciding = found.status in AWAITING_MANAGER
    impact = service(TeamImpactService, tenant).impact(found) if deciding else None
    return render_template(
        "manager/plan.html", view=view, gantt=gantt, events=approvals.history(found), job=job,
        replaces=replaces,
        change=service(PlanChangeService, tenant).of_plan(found) if proposed else None,
        activities=service(PlanViewService, tenant).activities(),
        impact=impact, hours=charts.hours_chart(list(impact.weeks)) if impact else None,
        **_alternatives(found),
    )  # fmt: skip


def _alternatives(found: Plan) -> dict[str, Any]:
    """The alternatives job of this version of a submitted plan, and its variants once solved."""
    if found.status is not PlanStatus.submitted:
        return {}
    alternatives = service(PlanAlternativeService, acting()[1])
    alt_job = alternatives.job_for(found)
    return {"alt_job": alt_job, "variants": alternatives.kept(alt_job),
            "as_submitted": alternatives.submitted(found)}  # fmt: skip


@bp.post("/plans/<int:plan_id>/alternatives")
@require("manager")
@shows_form_errors(lambda plan_id: _plan_page(plan_id))
def alternatives(plan_id: int) -> BaseResponse:
    """Solve the cheapest and the fastest alternatives to a submitted plan (background)."""
    actor, tenant = acting()
    found = service(ApprovalService, tenant).plan_for(actor.person_id, plan_id)
    if found.person_id == actor.person_id or found.status is not PlanStatus.submitted:
        raise NotFound(f"no submitted Plan with id {plan_id}")
    jobs.enqueue_alternatives(db.session(), tenant, found, actor.person_id)
    flash("Planning the cheapest and the fastest alternatives…", "success")
    return redirect(url_for("manager.plan", plan_id=plan_id, _anchor="alternatives"))


@bp.post("/plans/<int:plan_id>/approve-variant")
@require("manager")
@shows_form_errors(lambda plan_id: _plan_page(plan_id))
def approve_variant(plan_id: int) -> BaseResponse:
    """Approve an alternative in one click: it becomes the learner's plan, approved."""
    actor, tenant = acting()
    kind = request.form.get("variant", "")
    alternatives = service(PlanAlternativeService, tenant)
    decided = alternatives.approve_kept(
        actor.person_id, plan_id, form_int("job_id", 1), kind, form_int("version", 1),
        request.form.get("comment", ""),
    )  # fmt: skip
    jobs.enqueue_passback(alternatives.session, tenant, [decided.person_id], actor.person_id)
    flash(f"The {kind} plan is now {decided.person.name}'s plan, approved.", "success")
    return redirect(url_for("manager.plan", plan_id=plan_id))


@bp.post("/plans/<int:plan_id>/decide")
@require("manager")
@shows_form_errors(lambda plan_id: _plan_page(plan_id))
def decide(plan_id: int) -> BaseResponse:
    """Approve, reject or request changes, with a comment; a stale version is a conflict."""
    actor, tenant = acting()
    action = request.form.get("action", "")
    if action not in ("approve", "reject", "request_changes"):
        raise Invalid("unknown decision", {"action": ["approve, reject or request_changes"]})
    approvals = service(ApprovalService, tenant)
    decided = approvals.act(
        actor.person_id, plan_id, action, form_int("version", 1), request.form.get("comment", "")
    )
    if action == "approve":  # the approved plan's progress is what the grade book shows now
        jobs.enqueue_passback(approvals.session, tenant, [decided.person_id], actor.person_id)
    flash(DECIDED[action].format(name=decided.person.name), "success")
    return redirect(url_for("manager.plan", plan_id=plan_id))


@bp.post("/plans/<int:plan_id>/edit")
@require("manager")
@shows_form_errors(lambda plan_id: _plan_page(plan_id))
def edit(plan_id: int) -> BaseResponse:
    """Pin an item to a week, drop one or add one; the planner repairs the rest (background)."""
    actor, tenant = acting()
    approvals = service(ApprovalService, tenant)
    found = approvals.plan_for(actor.person_id, plan_id)
    change = request.form.get("change", "")
    activity_id = approvals.get(Activity, form_int("activity_id", 1)).id  # 404 if not ours
    stored = PlanSettings.from_json(found.settings or {})
    pins = {p.activity_id: p for p in stored.pins}
    pins.update({i.activity_id: Pin(i.activity_id, week_date(found, i.start_week), i.mentor_id)
                 for i in found.items if i.pinned and i.activity_id not in pins})  # fmt: skip
    excluded = set(stored.excluded)
    if change in ("pin", "add"):
        week = form_int("week", 1, 521) - 1  # the form counts weeks from 1, the plan from 0
        pins[activity_id] = Pin(activity_id, week_date(found, week))
        excluded.discard(activity_id)
    elif change == "drop":
        pins.pop(activity_id, None)
        excluded.add(activity_id)
    else:
        raise Invalid("unknown change", {"change": ["pin, drop or add"]})
    comment = request.form.get("comment", "") or f"{change} activity {activity_id}"
    found = approvals.act(
        actor.person_id, plan_id, "request_changes", form_int("version", 1), comment
    )
    settings = stored.with_(pins=tuple(pins.values()), excluded=tuple(sorted(excluded)))
    jobs.enqueue_plan(
        approvals.session, tenant, found.person_id, settings, actor.person_id, found.id
    )
    flash(
        "The planner is re-planning around your change; the plan goes back to "
        f"{found.person.name} to review and submit again.",
        "success",
    )
    return redirect(url_for("manager.plan", plan_id=plan_id))


@bp.get("/people/<int:person_id>")
@require("manager")
def person(person_id: int) -> str:
    """A report: their plan and check-ins (404 for anyone who is not my report)."""
    actor, tenant = acting()
    report = service(TeamService, tenant).report_of(actor.person_id, person_id)
    diary = service(CheckInService, tenant)
    checkins = diary.for_person(actor.person_id, report.id)
    latest = current_plan(service(TeamService, tenant).session, tenant, report.id)
    view = service(PlanViewService, tenant).view(latest) if latest is not None else None
    skills = service(AssessmentService, tenant).sheet(actor.person_id, report.id)
    return render_template(
        "manager/person.html", person=report, checkins=checkins, view=view, skills=skills,
        today=utcnow().date(), zones=time_zones(), zone=diary.zone_of(actor.person_id),
        choices=diary.step_choices(report.id),
        steps={c.id: diary.next_steps(c) for c in checkins if c.held_on},
    )  # fmt: skip


@bp.post("/people/<int:person_id>/assessments")
@require("manager")
@shows_form_errors(lambda person_id: person(person_id))
def assess(person_id: int) -> BaseResponse:
    """Record my assessment of one of a report's skills (evidence the planner trusts most)."""
    actor, tenant = acting()
    skill_id, level = _skill_and_level(request.form.get("assessment", ""))
    recorded = service(AssessmentService, tenant).assess(
        actor.person_id, person_id, skill_id, level, optional_date("observed_on"),
        request.form.get("note", ""),
    )  # fmt: skip
    flash(
        f"Assessment recorded: {recorded.skill.name} at level {level}. {recorded.person.name} "
        "sees it on Where I stand, and their gaps and plans count it from now on.",
        "success",
    )
    return redirect(url_for("manager.person", person_id=person_id))


def _skill_and_level(value: str) -> tuple[int, int]:
    """A posted "skill id:level" choice of the assessment form."""
    skill, _, level = value.partition(":")
    if not (skill.isascii() and skill.isdigit() and level.isascii() and level.isdigit()):
        raise Invalid("choose a skill and a level", {"assessment": ["choose a skill and a level"]})
    if len(skill) > 9 or len(level) > 3:
        raise Invalid("unknown skill", {"assessment": ["choose one of the skills listed"]})
    return int(skill), int(level)


def _plan_page(plan_id: int) -> str:
    """The plan page (where a refused decision, edit or proposal form is shown again)."""
    return plan(plan_id)
