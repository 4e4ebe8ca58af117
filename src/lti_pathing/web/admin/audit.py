"""Admin pages for oversight: the audit trail (export, retention), a person's data (access and
erasure requests), and the model-facts page. Each page asks one service (services/audit)."""

from __future__ import annotations

import io
import json
from typing import Any

from flask import Blueprint, flash, redirect, render_template, send_file, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lti_pathing.auth import require
from lti_pathing.errors import Invalid, NotFound
from lti_pathing.services.access import AccessService
from lti_pathing.services.audit.people import MAX_REASON, PersonDataService
from lti_pathing.services.audit.trail import MAX_RETENTION_DAYS, MIN_RETENTION_DAYS, AuditService
from lti_pathing.web.admin.context import AdminContext, admin_context
from lti_pathing.web.admin.forms import pairs

bp = Blueprint("audit", __name__, url_prefix="/audit")


class ExportForm(FlaskForm):  # type: ignore[misc]
    """A date range and a format for the audit-trail export."""

    start = DateField("From (UTC)", [DataRequired()])
    end = DateField("To (UTC, included)", [DataRequired()])
    format = SelectField("Format", choices=pairs([("csv", "CSV"), ("json", "JSON")]))


class RetentionForm(FlaskForm):  # type: ignore[misc]
    """How long audit records are kept."""

    days = IntegerField(
        "Keep audit records for (days)",
        [Optional(), NumberRange(min=MIN_RETENTION_DAYS, max=MAX_RETENTION_DAYS)],
        description=f"At least {MIN_RETENTION_DAYS} days (six months: the EU AI Act's minimum "
        "for a high-risk system's logs). Empty: kept for good. Older records are deleted daily.",
    )


class PersonForm(FlaskForm):  # type: ignore[misc]
    """One person, for an access request (export) or an erasure request."""

    person = StringField("Employee id or e-mail address", [DataRequired(), Length(max=255)])
    format = SelectField("Export as", choices=pairs([("json", "JSON"), ("zip", "ZIP")]))


class EraseForm(FlaskForm):  # type: ignore[misc]
    """An erasure request: whom, and why (kept in the audit trail; do not write their name)."""

    person = StringField("Employee id or e-mail address", [DataRequired(), Length(max=255)])
    reason = TextAreaField(
        "Why (e.g. the request's reference; not their name)",
        [DataRequired(), Length(max=MAX_REASON)],
    )
    confirm = StringField("Type ERASE to confirm", [DataRequired()])


def _page(ctx: AdminContext, status: int = 200, **forms: Any) -> tuple[str, int]:
    forms.setdefault("export", ExportForm(formdata=None))
    forms.setdefault("retention", RetentionForm(
        formdata=None, data={"days": ctx.tenant.audit_retention_days}))  # fmt: skip
    forms.setdefault("person", PersonForm(formdata=None, prefix="p"))
    forms.setdefault("erase", EraseForm(formdata=None, prefix="e"))
    return render_template("admin/audit.html", tenant=ctx.tenant, **forms), status


@bp.get("/")
@require("admin")
def index() -> tuple[str, int]:
    """Export, retention, and a person's data."""
    return _page(admin_context())


@bp.post("/export")
@require("admin")
def export() -> Response | tuple[str, int]:
    """The audit records of a date range as a CSV or JSON download (the export is recorded)."""
    ctx = admin_context()
    form = ExportForm()
    if not form.validate_on_submit():
        return _page(ctx, 422, export=form)
    service = ctx.service(AuditService)
    try:
        body = service.export(form.start.data, form.end.data, form.format.data)
    except Invalid as error:
        form.end.errors = list((error.errors or {}).get("end", [error.message]))
        return _page(ctx, 422, export=form)
    service.record("audit_exported", ctx.actor.person_id, data={
        "from": form.start.data.isoformat(), "to": form.end.data.isoformat(),
        "format": form.format.data})  # fmt: skip
    fmt = form.format.data
    name = f"audit-{ctx.tenant.slug}-{form.start.data}-{form.end.data}.{fmt}"
    mimetype = "text/csv" if fmt == "csv" else "application/json"
    return send_file(io.BytesIO(body.encode("utf-8")), mimetype=mimetype, as_attachment=True,
                     download_name=name)  # fmt: skip


@bp.post("/retention")
@require("admin")
def retention() -> Response | tuple[str, int]:
    """Set how long audit records are kept."""
    ctx = admin_context()
    form = RetentionForm()
    if not form.validate_on_submit():
        return _page(ctx, 422, retention=form)
    ctx.service(AuditService).set_retention(form.days.data, ctx.actor.person_id)
    days = form.days.data
    flash(f"Audit records are now kept {f'{days} days' if days else 'for good'}.", "success")
    return redirect(url_for(".index"))


@bp.post("/person/export")
@require("admin")
def person_export() -> Response | tuple[str, int]:
    """Everything about one person, as JSON or a ZIP (an access request)."""
    ctx = admin_context()
    form = PersonForm(prefix="p")
    if not form.validate_on_submit():
        return _page(ctx, 422, person=form)
    try:
        found = ctx.service(AccessService).find_person(form.person.data.strip())
    except (Invalid, NotFound) as error:
        form.person.errors = [error.message]
        return _page(ctx, 422, person=form)
    service = ctx.service(PersonDataService)
    if form.format.data == "zip":
        body = service.export_zip(found.id, ctx.actor.person_id)
        return send_file(io.BytesIO(body), mimetype="application/zip", as_attachment=True,
                         download_name=f"person-{found.id}.zip")  # fmt: skip
    text = json.dumps(service.export(found.id, ctx.actor.person_id), indent=1, sort_keys=True)
    return send_file(io.BytesIO(text.encode("utf-8")), mimetype="application/json",
                     as_attachment=True, download_name=f"person-{found.id}.json")  # fmt: skip


@bp.post("/person/erase")
@require("admin")
def person_erase() -> Response | tuple[str, int]:
    """Anonymise one person (an erasure request); plans and counts stay."""
    ctx = admin_context()
    form = EraseForm(prefix="e")
    if not form.validate_on_submit():
        return _page(ctx, 422, erase=form)
    if form.confirm.data.strip() != "ERASE":
        form.confirm.errors = ["type ERASE, in capitals, to confirm"]
        return _page(ctx, 422, erase=form)
    try:
        found = ctx.service(AccessService).find_person(form.person.data.strip())
        done = ctx.service(PersonDataService).erase(found.id, ctx.actor.person_id, form.reason.data)
    except (Invalid, NotFound) as error:
        ctx.rollback()
        details = [m for messages in (error.errors or {}).values() for m in messages]
        form.person.errors = [error.message, *details]
        return _page(ctx, 422, erase=form)
    flash(f"Erased person {done.person_id}: their identifying data is gone; plans and counts stay.",
          "success")  # fmt: skip
    return redirect(url_for(".index"))


@bp.get("/model-facts")
@require("admin")
def model_facts() -> str:
    """What the optimiser does and does not do, its data, its limits, and who oversees it."""
    return render_template("admin/model_facts.html")


def init(parent: Blueprint) -> None:
    """Register the audit pages."""
    parent.register_blueprint(bp)
