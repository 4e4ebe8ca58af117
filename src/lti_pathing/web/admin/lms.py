"""Admin pages for the LMS connections: connect, deactivate, sync now, sync runs, CSV upload.

Tokens are typed into a password field, stored encrypted and shown only as their masked hint;
a refused form never echoes the token back. Syncs run as background jobs (never in the request);
a CSV upload is all or nothing, with every bad row listed.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.wrappers import Response
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from lti_pathing import jobs
from lti_pathing.auth import require
from lti_pathing.errors import Conflict, Invalid
from lti_pathing.lms.check import check_token
from lti_pathing.lms.circuit import BreakerState
from lti_pathing.models import Job, JobKind, Lms, LmsConnection
from lti_pathing.security import public_url
from lti_pathing.services.completions.connections import (
    LmsConnectionService,
    check_token_first,
)
from lti_pathing.services.completions.live_events import LiveEventService
from lti_pathing.services.completions.upload import CompletionUploadService
from lti_pathing.services.grades import GradeService
from lti_pathing.services.transfer.importer import ImportRejected
from lti_pathing.web.admin.context import AdminContext, admin_context
from lti_pathing.web.admin.forms import pairs

bp = Blueprint("lms", __name__, url_prefix="/lms")


class ConnectForm(FlaskForm):  # type: ignore[misc]
    """A new LMS connection (or a new token for an existing one)."""

    kind = SelectField(
        "LMS", choices=pairs([("moodle", "Moodle web services"), ("canvas", "Canvas REST API")])
    )
    url = StringField(
        "LMS address", [DataRequired(), Length(max=500)],
        description="The site address, e.g. https://moodle.example.org",
    )  # fmt: skip
    token = PasswordField(
        "Token", [DataRequired(), Length(max=500)],
        description="Moodle web service token or Canvas access token; stored encrypted, "
        "shown afterwards only as its last characters.",
    )  # fmt: skip
    no_check = BooleanField(
        "Store without checking the token against the LMS now",
        description="The token is normally tried against the LMS first and refused if it fails.",
    )


class UploadForm(FlaskForm):  # type: ignore[misc]
    """A completions CSV (person, LMS course or activity, completed date)."""

    file = FileField("Completions CSV", [FileRequired("choose a file")])
    dry_run = BooleanField("Only check the file (write nothing)")


def _page(ctx: AdminContext, status: int = 200, **extra: Any) -> tuple[str, int]:
    connections = ctx.service(LmsConnectionService)
    extra.setdefault("form", ConnectForm(formdata=None))
    extra.setdefault("upload", UploadForm(formdata=None))
    job = ctx.session.scalar(
        connections.scoped(Job).where(Job.kind == JobKind.lms_sync).order_by(Job.id.desc()).limit(1)
    )
    now = connections.clock()
    rows = [
        (c, connections.last_run(c), BreakerState.of(c).describe(now))
        for c in connections.list_connections()
    ]
    body = render_template(
        "admin/lms.html", connections=rows, runs=connections.runs(), job=job, **extra
    )
    return body, status


@bp.get("/")
@require("admin")
def index() -> tuple[str, int]:
    """Connections, the latest sync job, recent sync runs and the upload form."""
    return _page(admin_context())


@bp.post("/connect")
@require("admin")
def connect() -> Response | tuple[str, int]:
    """Add a connection, or replace the token of the one with this LMS and address."""
    ctx = admin_context()
    form = ConnectForm()
    if form.validate_on_submit():
        ctx.session.commit()  # ends the read of the admin check: nothing held while the LMS answers
        try:
            kind = Lms(form.kind.data)
            check = None if form.no_check.data else check_token
            url, token = check_token_first(kind, form.url.data, form.token.data, check)
            found = ctx.service(LmsConnectionService).connect(kind, url, token)
        except Invalid as error:
            ctx.rollback()
            for name, messages in (error.errors or {}).items():
                if name in form:
                    form[name].errors = list(messages)
        else:
            flash(
                f"Connected {found.kind.value} {found.base_url} (token {found.token_hint}).",
                "success",
            )
            return redirect(url_for(".index"))
    form.token.data = None  # never sent back
    return _page(ctx, 422, form=form)


@bp.post("/<int:record_id>/deactivate")
@require("admin")
def deactivate(record_id: int) -> Response:
    """Stop syncing over a connection."""
    ctx = admin_context()
    found = ctx.service(LmsConnectionService).deactivate(record_id, int_form("version"))
    flash(
        f"Deactivated {found.kind.value} {found.base_url}; connect it again to resume.", "success"
    )
    return redirect(url_for(".index"))


@bp.post("/<int:record_id>/events")
@require("admin")
def events_on(record_id: int) -> Response | tuple[str, int]:
    """Make (or replace) a Canvas connection's live-events webhook URL; shown this once."""
    ctx = admin_context()
    events = ctx.service(LiveEventService)
    try:
        key = events.enable(record_id, unsigned=request.form.get("unsigned") == "y")
    except Invalid as error:
        ctx.rollback()
        flash(error.message, "error")
        return redirect(url_for(".index"))
    connection = events.get(LmsConnection, record_id)
    url = public_url("lms_events.receive", key=key)
    return _page(ctx, events_url=url, events_connection=connection)


@bp.post("/<int:record_id>/events/off")
@require("admin")
def events_off(record_id: int) -> Response:
    """Stop taking live events for a connection (syncs go on by polling)."""
    ctx = admin_context()
    found = ctx.service(LiveEventService).disable(record_id)
    flash(f"Live events from {found.base_url} are off; syncs go on as scheduled.", "success")
    return redirect(url_for(".index"))


@bp.post("/sync")
@require("admin")
def sync() -> Response:
    """Sync everyone now, in the background (a pending sync is not started twice)."""
    ctx = admin_context()
    if not ctx.service(LmsConnectionService).active():
        flash("No active LMS connection: connect one first.", "error")
        return redirect(url_for(".index"))
    job = jobs.enqueue_sync(ctx.session, ctx.tenant, None, ctx.actor.person_id, trigger="admin")
    flash(f"Sync job {job.id} is {job.status.value}; this page shows its progress.", "success")
    return redirect(url_for(".index"))


@bp.get("/runs/<int:record_id>")
@require("admin")
def run(record_id: int) -> str:
    """One sync run: what it fetched and every failure."""
    ctx = admin_context()
    return render_template(
        "admin/lms_run.html", run=ctx.service(LmsConnectionService).run(record_id)
    )


@bp.post("/upload")
@require("admin")
def upload() -> tuple[str, int]:
    """Import a completions CSV all at once, or nothing and every problem listed."""
    ctx = admin_context()
    form = UploadForm()
    if not form.validate_on_submit():
        return _page(ctx, 422, upload=form)
    name = form.file.data.filename or "completions.csv"
    started = ctx.service(GradeService).clock()
    try:
        report = ctx.service(CompletionUploadService).import_csv(
            name, form.file.data.read(), bool(form.dry_run.data)
        )
    except ImportRejected as rejected:
        ctx.rollback()
        return _page(ctx, 422, upload=form, name=name, problems=rejected.problems)
    except (Invalid, Conflict) as error:
        ctx.rollback()
        return _page(ctx, 422, upload=form, name=name, failure=error.message)
    if not report.dry_run:
        changed = ctx.service(GradeService).people_with_items_done_since(started)
        if changed:
            jobs.enqueue_passback(ctx.session, ctx.tenant, changed, ctx.actor.person_id)
    return _page(ctx, name=name, report=report)


def int_form(name: str) -> int | None:
    """An integer form field; None when absent or not a number."""
    try:
        return int(request.form.get(name, ""))
    except ValueError:
        return None


def init(parent: Blueprint) -> None:
    """Register the LMS pages."""
    parent.register_blueprint(bp)
