"""Admin page for who gets in and as what: LTI platforms (admin roles, deployments, what dynamic
registration granted), tool admins, whether the LMS's SIS ids find people, and what launches of
LMS users no person matches do.

Registrations themselves are added by dynamic registration or `lti-pathing platform add`; here an
admin sees each one's deployments (installs) and revokes or restores them, and chooses the LMS
roles that make a launch a tool admin. People are marked admin on their own page.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from lti_pathing.auth import require
from lti_pathing.errors import Invalid
from lti_pathing.lti.platforms import PlatformService
from lti_pathing.lti.registration import WHAT_IT_GIVES
from lti_pathing.models import PlatformDeployment, PlatformRegistration, UnmatchedLaunch
from lti_pathing.services.access import AccessService
from lti_pathing.web.admin.context import AdminContext, admin_context
from lti_pathing.web.admin.forms import pairs

bp = Blueprint("access", __name__, url_prefix="/access")


class AdminRolesForm(FlaskForm):  # type: ignore[misc]
    """The LMS roles of one registration that make a launch a tool admin."""

    roles = TextAreaField(
        "LMS roles that make a launch an admin of lti-pathing", [Length(max=4000)],
        description="One full role URI a line; empty: only people marked admin. Canvas sends "
        "institution/person#Administrator for any account role, even a limited sub-account one.",
    )  # fmt: skip


class UnmatchedForm(FlaskForm):  # type: ignore[misc]
    """What a launch by an LMS user whom no person matches does."""

    policy = SelectField(
        "LMS users lti-pathing does not know",
        choices=pairs([("create", "become new people of the organisation"),
                       ("refuse", "are refused, with a page naming whom to ask")]),
    )  # fmt: skip
    contact = StringField(
        "Whom refused users should ask",
        [Optional(), Length(max=200)],
        description="Shown to them, e.g. 'the L&D team (learning@example.org)'.",
    )


class SisIdForm(FlaskForm):  # type: ignore[misc]
    """Whether the LMS's SIS user id finds people by their employee id."""

    match = BooleanField(
        "Find people by the LMS's SIS user id",
        description="When the LMS's SIS user ids are your employee ids: a launch (or a course "
        "roster) naming SIS id E1029 finds the person whose employee id is E1029. Canvas sends it "
        "to tools whose privacy level shares names; Moodle sends its ID number field.",
    )  # fmt: skip


def _page(ctx: AdminContext, status: int = 200, **extra: Any) -> tuple[str, int]:
    tenant = ctx.tenant
    extra.setdefault("sis", SisIdForm(formdata=None, data={"match": tenant.match_sis_id}))
    extra.setdefault("unmatched", UnmatchedForm(
        formdata=None, data={"policy": tenant.unmatched_launch.value,
                             "contact": tenant.access_contact}))  # fmt: skip
    platforms = ctx.service(PlatformService).list_platforms()
    forms = extra.pop("forms", {})
    for row in platforms:
        stored = {"roles": "\n".join(row.admin_roles)}
        forms.setdefault(row.id, AdminRolesForm(formdata=None, prefix=f"r{row.id}", data=stored))
    admins = ctx.service(AccessService).admins()
    body = render_template(
        "admin/access.html", platforms=platforms, forms=forms, admins=admins,
        gives=WHAT_IT_GIVES, **extra,
    )  # fmt: skip
    return body, status


@bp.get("/")
@require("admin")
def index() -> tuple[str, int]:
    """Platforms with their admin roles and deployments; tool admins; the unmatched policy."""
    return _page(admin_context())


@bp.post("/platforms/<int:record_id>/admin-roles")
@require("admin")
def admin_roles(record_id: int) -> Response | tuple[str, int]:
    """Replace one registration's admin-role allowlist."""
    ctx = admin_context()
    row = ctx.service(PlatformService).get(PlatformRegistration, record_id)
    form = AdminRolesForm(prefix=f"r{row.id}")
    if form.validate_on_submit():
        try:
            ctx.service(PlatformService).set_admin_roles(row, form.roles.data.splitlines())
        except Invalid as error:
            ctx.rollback()
            form.roles.errors = list((error.errors or {}).get("admin_roles", [error.message]))
        else:
            flash(f"Saved the admin roles of {row.name or row.issuer}.", "success")
            return redirect(url_for(".index"))
    return _page(ctx, 422, forms={record_id: form})


@bp.post("/deployments/<int:record_id>/revoke")
@require("admin")
def revoke_deployment(record_id: int) -> Response:
    """Revoke one deployment (install) of a registration: its launches are refused."""
    return _set_deployment(record_id, False)


@bp.post("/deployments/<int:record_id>/restore")
@require("admin")
def restore_deployment(record_id: int) -> Response:
    """Accept launches from a revoked deployment again."""
    return _set_deployment(record_id, True)


def _set_deployment(record_id: int, active: bool) -> Response:
    service = admin_context().service(PlatformService)
    found = service.get(PlatformDeployment, record_id)
    service.set_deployment_active(found.registration, found.deployment_id, active)
    flash(f"Deployment {found.deployment_id} {'restored' if active else 'revoked'}.", "success")
    return redirect(url_for(".index"))


@bp.post("/unmatched")
@require("admin")
def unmatched() -> Response | tuple[str, int]:
    """Set what launches of LMS users no person matches do."""
    ctx = admin_context()
    form = UnmatchedForm()
    if form.validate_on_submit():
        try:
            ctx.service(AccessService).set_unmatched_launch(
                UnmatchedLaunch(form.policy.data), form.contact.data or ""
            )
        except Invalid as error:
            ctx.rollback()
            form.contact.errors = list((error.errors or {}).get("contact", [error.message]))
        else:
            flash("Saved what happens to LMS users lti-pathing does not know.", "success")
            return redirect(url_for(".index"))
    return _page(ctx, 422, unmatched=form)


@bp.post("/sis-id")
@require("admin")
def sis_id() -> Response | tuple[str, int]:
    """Turn matching by the LMS's SIS user id on or off."""
    ctx = admin_context()
    form = SisIdForm()
    if not form.validate_on_submit():
        return _page(ctx, 422, sis=form)
    ctx.service(AccessService).set_match_sis_id(bool(form.match.data))
    told = "now find" if form.match.data else "no longer find"
    flash(f"The LMS's SIS user ids {told} people by their employee id.", "success")
    return redirect(url_for(".index"))


def init(parent: Blueprint) -> None:
    """Register the access page."""
    parent.register_blueprint(bp)
