"""The learner's badges: their credentials, downloads, and whether the public page names them."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from lti_pathing.auth import require
from lti_pathing.services.credentials import CredentialService
from lti_pathing.web.credentials import published
from lti_pathing.web.viewing import acting, service, template_globals

bp = Blueprint("badges", __name__, url_prefix="/me/badges")
bp.context_processor(template_globals)


@bp.get("/")
@require()
def index() -> str:
    """My badges, each with its public page and downloads (signed on first showing)."""
    actor, tenant = acting()
    credentials = service(CredentialService, tenant)
    mine = [published(c) for c in credentials.of_person(actor.person_id)]
    return render_template("learner/badges.html", credentials=mine, standing=credentials.standing)


@bp.post("/<uuid:public_id>/name")
@require()
def name(public_id: uuid.UUID) -> Response:
    """Show or hide my name on the badge's public page."""
    actor, tenant = acting()
    show = request.form.get("show") == "yes"
    credential = service(CredentialService, tenant).show_name(actor.person_id, str(public_id), show)
    shown = "now shows your name" if show else "no longer shows your name"
    flash(f"The public page of “{credential.achievement['name']}” {shown}.", "success")
    return redirect(url_for(".index"))
