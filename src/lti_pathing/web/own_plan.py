"""What the learner's plan page and its forms share: the choices last made, and re-planning with
them (the settings form, a what-if, keeping or leaving out an activity all end here)."""

from __future__ import annotations

from typing import Any

from flask import g, request

from lti_pathing import db, jobs
from lti_pathing.errors import Invalid
from lti_pathing.models import Activity, Person, Plan, Tenant
from lti_pathing.services.mentoring import MentorService
from lti_pathing.services.plan_life import REGENERATED_IN_PLACE, current_plan, plans_shown
from lti_pathing.services.planning import PlanSettings
from lti_pathing.services.planning.choices import ChoiceService
from lti_pathing.services.scales import ScaleService
from lti_pathing.web.viewing import service

MAX_FIND = 200


def last_settings(tenant: Tenant, person_id: int) -> PlanSettings | None:
    """The settings the person last planned with (a newer version's over the plan in effect)."""
    return settings_of(*plans_shown(db.session(), tenant, person_id))


def settings_of(current: Plan | None, alongside: Plan | None) -> PlanSettings | None:
    """The settings of the newest of the plans shown (what `last_settings` reads)."""
    newest = alongside or current
    return PlanSettings.from_json(newest.settings or {}) if newest is not None else None


def replan_own(tenant: Tenant, person: Person, settings: PlanSettings, actor_id: int) -> None:
    """Check the choices, then queue the plan: a draft changes in place, else a new version."""
    if settings.target_role_id is None and person.target_role_id is None:
        raise Invalid("no target role", {"target_role_id": ["choose a target role first"]})
    choices = service(ChoiceService, tenant)
    choices.check(person.id, settings)
    settings = settings.with_(starts_on=choices.start_of(settings), pins_chosen=True)
    current = current_plan(db.session(), tenant, person.id)
    plan_id = current.id if current is not None and current.status in REGENERATED_IN_PLACE else None
    jobs.enqueue_plan(db.session(), tenant, person.id, settings, actor_id, plan_id)


def choices_context(tenant: Tenant, settings: PlanSettings | None) -> dict[str, Any]:
    """Template context of the choices and the catalog search (`?find=`) on the plan page."""
    choices = service(ChoiceService, tenant)
    text = (request.args.get("find") or request.form.get("find") or "").strip()[:MAX_FIND]
    found = choices.find(text) if text else None
    shown = list(found.items) if found is not None else []
    failed = g.get("failed_form")
    if failed is not None and failed.endpoint == "plan_choices.change" and text:
        typed = failed.values.get("activity_id", "")
        if typed.isdigit() and int(typed) not in {a.id for a in shown}:
            shown.insert(0, choices.get(Activity, int(typed)))  # the row whose form failed
    skill_ids = {o.skill_id for a in shown for o in a.outcomes}
    return {
        "choices": choices.shown(settings or PlanSettings()),
        "find": text,
        "found": found,
        "found_items": shown,
        "found_scales": service(ScaleService, tenant).scales(skill_ids),
        "mentor_choices": service(MentorService, tenant).choices(),
    }
