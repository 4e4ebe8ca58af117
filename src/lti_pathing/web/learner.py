"""The learner's pages: where I stand, where I could go, my plan, my progress."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal as D
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from lti_pathing import db, jobs
from lti_pathing.auth import require
from lti_pathing.columns import utcnow
from lti_pathing.errors import Invalid, NotFound
from lti_pathing.input_guard import db_int
from lti_pathing.models import Person, Plan, Skill
from lti_pathing.services.approvals import ApprovalService
from lti_pathing.services.calendar import plan_to_ics, week_date
from lti_pathing.services.checkins import CheckInService
from lti_pathing.services.levels import LevelService
from lti_pathing.services.pathways import Fit, PathwayService, fit_for
from lti_pathing.services.plan_changes import PlanChangeService
from lti_pathing.services.plan_life import plans_shown
from lti_pathing.services.plan_views import PlanViewService
from lti_pathing.services.planning import PlanSettings
from lti_pathing.services.scales import ScaleService
from lti_pathing.services.self_assessment import SelfAssessmentService
from lti_pathing.services.why_plan import WhyPlanService
from lti_pathing.web import charts, own_plan, plan_jobs, why_words
from lti_pathing.web.form_errors import shows_form_errors
from lti_pathing.web.viewing import (
    acting,
    date_list,
    form_int,
    optional_date,
    optional_decimal,
    service,
    template_globals,
)

bp = Blueprint("learner", __name__, url_prefix="/me")
bp.context_processor(template_globals)
MAX_ESTIMATES = 6


@bp.get("/")
@require()
def index() -> str:
    """Where I stand: current and target role requirements against my levels and evidence."""
    actor, tenant = acting()
    person = db.session().get_one(Person, actor.person_id)
    levels = service(LevelService, tenant).current_levels(person.id)
    plain = {skill_id: lv.level for skill_id, lv in levels.items()}
    pathways = service(PathwayService, tenant)
    target_id = (
        request.args.get("target", type=db_int)
        or request.form.get("target", type=db_int)
        or person.target_role_id
    )
    current = target = None
    if person.current_role_id is not None:
        current = fit_for(pathways.role_with_skills(person.current_role_id), plain)
    if target_id is not None:
        target = fit_for(pathways.role_with_skills(target_id), plain)
    skills = (
        db.session()
        .scalars(pathways.scoped(Skill).where(Skill.active.is_(True)).order_by(Skill.name))
        .all()
    )
    scales = service(ScaleService, tenant).scales()
    return render_template(
        "learner/stand.html", person=person, levels=levels, current=current,
        target=target, roles=pathways.roles(), skill_groups=_by_category(skills), scales=scales,
        assessed=scales.get(_assessed_skill(skills, current, target) or 0),
    )  # fmt: skip


def _by_category(skills: Sequence[Skill]) -> list[tuple[str, list[Skill]]]:
    """Skills grouped by their category's name (uncategorised last), each group by name."""
    groups: dict[str, list[Skill]] = {}
    for skill in skills:
        groups.setdefault(skill.category.name if skill.category else "", []).append(skill)
    named = sorted((name, group) for name, group in groups.items() if name)
    return named + ([("Other skills", groups[""])] if "" in groups else [])


def _assessed_skill(skills: Sequence[Skill], *fits: Fit | None) -> int | None:
    """The skill the self-assessment form asks about: the one chosen, else the first short one."""
    active = {s.id for s in skills}
    chosen = request.args.get("assess", type=db_int) or request.form.get("skill_id", type=db_int)
    if chosen in active:
        return chosen
    short = [g.skill_id for fit in fits if fit for g in fit.open_gaps if g.skill_id in active]
    first = short or [s.id for s in skills]
    return first[0] if first else None


@bp.post("/assessment")
@require()
@shows_form_errors(index)
def assess() -> BaseResponse:
    """Record a self-assessment (creates evidence of source `self`), on the skill's own scale."""
    actor, tenant = acting()
    skill_id = form_int("skill_id", 1)
    if not request.form.get("level", "").strip():
        raise Invalid("no level chosen", {"level": ["choose one of the levels"]})
    level = form_int("level")  # the skill's own scale decides the range
    service(SelfAssessmentService, tenant).record(
        actor.person_id, skill_id, level, request.form.get("note", "")
    )
    flash("Your self-assessment was recorded.", "success")
    target = request.form.get("target") or None
    return redirect(url_for("learner.index", target=target, assess=skill_id))


@bp.get("/paths")
@require()
def paths() -> str:
    """Where I could go: moves from my role with fit, and time-to-ready once estimated."""
    actor, tenant = acting()
    person = db.session().get_one(Person, actor.person_id)
    levels = service(LevelService, tenant).current_levels(person.id)
    moves = []
    if person.current_role_id is not None:
        plain = {skill_id: lv.level for skill_id, lv in levels.items()}
        moves = service(PathwayService, tenant).moves(person.current_role_id, plain)
    job = plan_jobs.latest_job(
        db.session(), tenant, {"purpose": "estimate", "person_id": person.id}, person.id
    )
    estimates = {e["role_id"]: e for e in ((job.result or {}).get("estimates", []) if job else [])}
    return render_template(
        "learner/paths.html", person=person, moves=moves, graph=charts.path_graph(moves),
        job=job, estimates=estimates, max_estimates=MAX_ESTIMATES,
    )  # fmt: skip


@bp.post("/paths/estimate")
@require()
@shows_form_errors(paths)
def estimate() -> BaseResponse:
    """Start the time-to-ready estimates for my best moves (in the background)."""
    actor, tenant = acting()
    person = db.session().get_one(Person, actor.person_id)
    if person.current_role_id is None:
        raise Invalid("no current role", {"role": ["your current role is not recorded yet"]})
    levels = service(LevelService, tenant).current_levels(person.id)
    plain = {skill_id: lv.level for skill_id, lv in levels.items()}
    moves = service(PathwayService, tenant).moves(person.current_role_id, plain)
    pairs = [[person.id, m.fit.role.id] for m in moves[:MAX_ESTIMATES]]
    params = {"purpose": "estimate", "pairs": pairs, "person_id": person.id}
    jobs.enqueue_estimate(db.session(), tenant, params, actor.person_id)
    flash("Estimating time to ready; the table fills in when it is done.", "success")
    return redirect(url_for("learner.paths"))


@bp.get("/plan")
@require()
def plan() -> str:
    """My plan: settings, generation progress, timeline, gaps, status and comments."""
    actor, tenant = acting()
    person = db.session().get_one(Person, actor.person_id)
    return _render_plan(person, tenant)


def _render_plan(person: Person, tenant: Any) -> str:
    job = plan_jobs.latest_job(db.session(), tenant, {"person_id": person.id}, person.id)
    job = job if job is None or "purpose" not in job.params else None
    current, alongside = plans_shown(db.session(), tenant, person.id)
    views = service(PlanViewService, tenant)
    view = views.view(current) if current is not None else None
    approvals = service(ApprovalService, tenant)
    events = approvals.history(current) if current is not None else []
    decision = approvals.decision(current) if current is not None else None
    settings = own_plan.settings_of(current, alongside)
    gantt = charts.gantt(view.rows, view.weeks, lambda w: week_date(view.plan, w)) if view else None
    return render_template(
        "learner/plan.html", person=person, view=view, events=events, job=job, gantt=gantt,
        decision=decision,
        settings=settings, roles=service(PathwayService, tenant).roles(),
        checkins=service(CheckInService, tenant).of_learner(person.id),
        alongside=views.view(alongside) if alongside is not None else None,
        **own_plan.choices_context(tenant, settings),
        notices=service(PlanChangeService, tenant).notices(person.id, current, alongside),
    )  # fmt: skip


@bp.post("/plan/generate")
@require()
@shows_form_errors(plan)
def generate() -> BaseResponse:
    """Start generating (or re-generating) my plan in the background, with my choices."""
    actor, tenant = acting()
    person = db.session().get_one(Person, actor.person_id)
    stored = own_plan.last_settings(tenant, person.id) or PlanSettings()
    settings = _settings_from_form().with_(pins=stored.pins, excluded=stored.excluded)
    own_plan.replan_own(tenant, person, settings, actor.person_id)
    flash("Generating your plan; this page shows it when it is ready.", "success")
    return redirect(url_for("learner.plan"))


def _settings_from_form() -> PlanSettings:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    parsers: dict[str, Callable[[], Any]] = {
        "target_role_id": lambda: form_int("target_role_id", 1),
        "hours_per_week": lambda: optional_decimal("hours_per_week", D("0.25"), D("40")),
        "starts_on": lambda: optional_date("starts_on"),
        "deadline": lambda: optional_date("deadline"),
        "blackout": lambda: date_list("blackout"),
        "budget": lambda: optional_decimal("budget", D("0"), D("1000000")),
        "preferred_mentor_id": lambda: (
            form_int("preferred_mentor_id", 1)
            if request.form.get("preferred_mentor_id", "").strip()
            else None
        ),
    }
    for name, parse in parsers.items():
        try:
            values[name] = parse()
        except Invalid as error:
            errors.update(error.errors or {})
    if errors:
        raise Invalid("check the plan settings", errors)
    return PlanSettings(**values)


@bp.post("/plan/<int:plan_id>/<any(submit, withdraw):action>")
@require()
@shows_form_errors(lambda **_: plan())
def act(plan_id: int, action: str) -> BaseResponse:
    """Submit my plan for approval, or withdraw it."""
    actor, tenant = acting()
    version = form_int("version", 1)
    service(ApprovalService, tenant).act(
        actor.person_id, plan_id, action, version, request.form.get("comment", "")
    )
    flash("Plan submitted for approval." if action == "submit" else "Plan withdrawn.", "success")
    return redirect(url_for("learner.plan"))


@bp.post("/plan/<int:plan_id>/replan")
@require()
@shows_form_errors(lambda **_: plan())
def replan(plan_id: int) -> BaseResponse:
    """Re-plan my slipped plan from today (done and pinned items kept), in the background."""
    actor, tenant = acting()
    own = _own_plan(tenant, actor.person_id, plan_id)
    start_replan_from_today(tenant, own, actor.person_id)
    flash("Re-planning from today; done and pinned items stay.", "success")
    return redirect(url_for("learner.plan"))


def start_replan_from_today(tenant: Any, plan: Plan, actor_id: int) -> None:
    """Queue the re-plan: a draft changes in place, a held plan gets a proposal for the manager."""
    jobs.enqueue_from_today(db.session(), tenant, plan, actor_id)


@bp.post("/plan/<int:plan_id>/comment")
@require()
@shows_form_errors(lambda **_: plan())
def comment(plan_id: int) -> BaseResponse:
    """Add a comment to my plan's log."""
    actor, tenant = acting()
    _own_plan(tenant, actor.person_id, plan_id)
    service(ApprovalService, tenant).comment(
        actor.person_id, plan_id, request.form.get("comment", "")
    )
    flash("Comment added to the history.", "success")
    return redirect(url_for("learner.plan") + "#log")


@bp.get("/plan/<int:plan_id>/calendar.ics")
@require()
def calendar(plan_id: int) -> Response:
    """My plan as an iCalendar file."""
    actor, tenant = acting()
    own = _own_plan(tenant, actor.person_id, plan_id)
    body = plan_to_ics(own, request.host, utcnow())
    return Response(
        body, mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="plan-{own.id}.ics"'},
    )  # fmt: skip


@bp.get("/plan/<int:plan_id>/why")
@require()
def why(plan_id: int) -> str:
    """Why this plan: what each item is for and why then, what was left out, what stays open."""
    actor, tenant = acting()
    own = _own_plan(tenant, actor.person_id, plan_id)
    explained = service(WhyPlanService, tenant).explain(own)
    return render_template("learner/why.html", why=explained, sentence=why_words.sentence)


def _own_plan(tenant: Any, person_id: int, plan_id: int) -> Plan:
    found = service(ApprovalService, tenant).get(Plan, plan_id)
    if found.person_id != person_id:
        raise NotFound(f"no Plan with id {plan_id}")
    return found
