"""Each person's notifications: what they were told and how it went, and their settings.

Admins also set the tenant's defaults (what applies where a person chose nothing) on the same page.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from lti_pathing.auth import require
from lti_pathing.notify.outbox import EVENTS
from lti_pathing.notify.preferences import NotificationListService, PreferenceService
from lti_pathing.services.checkins import time_zones
from lti_pathing.web.form_errors import shows_form_errors
from lti_pathing.web.viewing import acting, service, template_globals

bp = Blueprint("notifications", __name__, url_prefix="/me/notifications")
bp.context_processor(template_globals)


@bp.get("/")
@require("learner")
def index() -> str:
    """The person's notifications, newest first: what, when, and each channel's outcome."""
    actor, tenant = acting()
    notes = service(NotificationListService, tenant).of_person(actor.person_id)
    return render_template("notifications/index.html", notes=notes, events=EVENTS)


@bp.get("/settings")
@require("learner")
def settings() -> str:
    """The person's channels, digest and quiet hours (and the tenant's defaults for admins)."""
    actor, tenant = acting()
    preferences = service(PreferenceService, tenant)
    return render_template(
        "notifications/settings.html", own=preferences.row(actor.person_id),
        tenant_row=preferences.row(None), defaults=preferences.defaults(),
        effective=preferences.effective(actor.person_id), zones=time_zones(),
        is_admin=actor.has("admin"),
    )  # fmt: skip


@bp.post("/settings")
@require("learner")
@shows_form_errors(lambda: settings())
def save() -> BaseResponse:
    """Store the person's choices."""
    actor, tenant = acting()
    service(PreferenceService, tenant).save(actor.person_id, request.form)
    flash("Your notification settings are saved.", "success")
    return redirect(url_for("notifications.settings"))


@bp.post("/defaults")
@require("admin")
@shows_form_errors(lambda: settings())
def save_defaults() -> BaseResponse:
    """Store the tenant's defaults."""
    _actor, tenant = acting()
    service(PreferenceService, tenant).save(None, request.form)
    flash("The organisation's notification defaults are saved.", "success")
    return redirect(url_for("notifications.settings"))
