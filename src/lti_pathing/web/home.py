"""`/`: where a launch lands — who is signed in, with which roles, and where each role goes."""

from __future__ import annotations

from flask import Blueprint, render_template

from lti_pathing.auth import actor_or_raise, require
from lti_pathing.web.form_errors import failed_form_context
from lti_pathing.web.menu import menu_context, menu_for

bp = Blueprint("home", __name__)
# Every page of the app (journeys, admin, error pages) shows the signed-in actor's menu, and
# every form reads the errors of a refused post the same way.
bp.app_context_processor(menu_context)
bp.app_context_processor(failed_form_context)


@bp.get("/")
@require()
def index() -> str:
    """The landing page after a launch: each role's pages, from the same menu as every page."""
    actor = actor_or_raise()
    return render_template("home.html", actor=actor, groups=menu_for(actor))
