"""Admin page of issued credentials: list, search, and revoke with a reason (asked first)."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from lti_pathing.auth import require
from lti_pathing.errors import Invalid
from lti_pathing.services.credentials import MAX_REASON, CredentialService
from lti_pathing.web.admin.context import admin_context, list_query

bp = Blueprint("credentials", __name__, url_prefix="/credentials")


@bp.get("/")
@require("admin")
def index() -> str:
    """Every credential the organisation has issued, newest first."""
    service = admin_context().service(CredentialService)
    page = service.list_credentials(list_query())
    return render_template("admin/credentials.html", page=page, standing=service.standing)


@bp.route("/<uuid:public_id>/revoke", methods=["GET", "POST"])
@require("admin")
def revoke(public_id: uuid.UUID) -> Response | tuple[str, int]:
    """Ask why, then revoke: the public page says so from then on (never undone)."""
    ctx = admin_context()
    service = ctx.service(CredentialService)
    credential = service.find(str(public_id))
    reason = request.form.get("reason", "")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            service.revoke(credential.public_id, ctx.actor.person_id, reason)
        except Invalid as error:
            ctx.rollback()
            errors = error.errors
            credential = ctx.service(CredentialService).find(str(public_id))
        else:
            flash(f"Revoked “{credential.achievement['name']}” of {credential.person.name}.",
                  "success")  # fmt: skip
            return redirect(url_for(".index"))
    body = render_template(
        "admin/credential_revoke.html", credential=credential, reason=reason, errors=errors,
        standing=service.standing(credential), max_reason=MAX_REASON,
    )  # fmt: skip
    return body, 422 if errors else 200


def init(parent: Blueprint) -> None:
    """Register the credentials page."""
    parent.register_blueprint(bp)
