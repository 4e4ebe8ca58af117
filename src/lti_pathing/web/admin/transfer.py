"""Admin import and export page: upload, dry run with the full report, then apply; downloads."""

from __future__ import annotations

import io
import json
import secrets
import tempfile
import time
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.wrappers import Response
from wtforms import SelectField, StringField

from lti_pathing.auth import require
from lti_pathing.errors import Conflict, Invalid
from lti_pathing.interop.export import WRITERS, FrameworkExportService
from lti_pathing.interop.formats import NAMES, parse_mapping, read_any
from lti_pathing.services.transfer.export import ExportService, csv_columns
from lti_pathing.services.transfer.importer import ImportRejected, ImportService
from lti_pathing.services.transfer.reader import (
    Document,
    read_csv_files,
    read_json,
    read_zip,
)
from lti_pathing.web.admin.context import admin_context
from lti_pathing.web.admin.forms import pairs

bp = Blueprint("transfer", __name__, url_prefix="/transfer")
STASH_KEY = "admin_import"
STASH_FOLDER = "admin-imports"
STASH_MAX_AGE_S = 24 * 3600  # a checked file nobody imported within a day is deleted
KINDS = [
    ("auto", "Tell from the content (Moodle, Canvas) or the file name (.json, .zip, .csv)"),
    ("json", "JSON document"),
    ("zip", "ZIP archive of CSV files"),
    ("people", "People CSV (HRIS export)"),
    *NAMES.items(),
]


class UploadForm(FlaskForm):  # type: ignore[misc]
    """The file to check."""

    file = FileField("File to import", [FileRequired("choose a file")])
    kind = SelectField("What the file is", choices=pairs(KINDS), default="auto")
    mapping = StringField(
        "Map framework skills onto skills you have (optional)",
        description="Id in the file = id of your skill, comma-separated, e.g. DR-AT1=analysis",
    )


class ApplyForm(FlaskForm):  # type: ignore[misc]
    """Confirm the import that was just checked (CSRF token only)."""


def read_upload(name: str, data: bytes, kind: str, mapping: str = "") -> Document:
    """Turn uploaded bytes into the importer's document, as the import command reads files."""
    if kind == "auto" or kind in NAMES:
        native = lambda: _read_native(name, data, "auto")  # noqa: E731 - only if not a framework
        return read_any(name, data, kind, native, parse_mapping(mapping))
    return _read_native(name, data, kind)


def _read_native(name: str, data: bytes, kind: str) -> Document:
    lower = name.lower()
    if kind == "auto":
        kind = "json" if lower.endswith(".json") else "zip" if lower.endswith(".zip") else "csv"
    if kind == "json":
        return read_json(name, data)
    if kind == "zip":
        return read_zip(name, io.BytesIO(data))
    table = PurePosixPath(lower).name.removesuffix(".csv")
    file_name = f"{table}.csv" if kind == "csv" and table in csv_columns() else "people.csv"
    return read_csv_files({file_name: data}, name)


def _folder() -> Path:
    folder = Path(current_app.instance_path) / STASH_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sweep_stale_uploads(folder: Path, now: float | None = None) -> list[str]:
    """Delete checked uploads older than a day (never imported); returns their names."""
    cutoff = (time.time() if now is None else now) - STASH_MAX_AGE_S
    swept = []
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                swept.append(path.name)
        except FileNotFoundError:  # another request swept it first
            continue
    return swept


def _stash(tenant_id: int, name: str, kind: str, data: bytes, mapping: str) -> None:
    _drop_stash()
    token = secrets.token_hex(16)
    (_folder() / token).write_bytes(data)
    session[STASH_KEY] = {"token": token, "tenant_id": tenant_id, "name": name, "kind": kind,
                          "mapping": mapping}  # fmt: skip


def _drop_stash() -> None:
    stash = session.pop(STASH_KEY, None)
    if isinstance(stash, dict) and str(stash.get("token", "")).isalnum():
        (_folder() / str(stash["token"])).unlink(missing_ok=True)


def _page(status: int = 200, **context: Any) -> tuple[str, int]:
    context.setdefault("upload", UploadForm())
    return render_template("admin/transfer.html", **context), status


@bp.get("/")
@require("admin")
def index() -> tuple[str, int]:
    """The upload form and the export downloads."""
    admin_context()
    return _page()


@bp.post("/check")
@require("admin")
def check() -> tuple[str, int]:
    """Dry-run an uploaded file: every problem, or what would change; nothing is written."""
    ctx = admin_context()
    sweep_stale_uploads(_folder())
    upload = UploadForm()
    if not upload.validate_on_submit():
        return _page(422, upload=upload)
    name = upload.file.data.filename or "upload"
    data = upload.file.data.read()
    try:
        report = ctx.service(ImportService).import_document(
            read_upload(name, data, upload.kind.data, upload.mapping.data or ""), dry_run=True
        )
    except ImportRejected as rejected:
        return _page(422, upload=upload, name=name, problems=rejected.problems)
    except (Invalid, Conflict) as error:
        return _page(422, upload=upload, name=name, failure=error.message)
    _stash(ctx.tenant_id, name, upload.kind.data, data, upload.mapping.data or "")
    return _page(upload=upload, name=name, report=report, confirm=ApplyForm())


@bp.post("/apply")
@require("admin")
def apply() -> Response | tuple[str, int]:
    """Import the file checked last, for real (checked again: data may have changed since)."""
    ctx = admin_context()
    sweep_stale_uploads(_folder())
    stash = session.get(STASH_KEY)
    if not ApplyForm().validate_on_submit() or not isinstance(stash, dict):
        flash("Nothing to import: upload and check a file first.", "error")
        return redirect(url_for(".index"))
    path = _folder() / str(stash.get("token", ""))
    if stash.get("tenant_id") != ctx.tenant_id or not path.is_file():
        _drop_stash()
        flash("The checked file is no longer available: upload it again.", "error")
        return redirect(url_for(".index"))
    name, doc = (
        str(stash["name"]),
        read_upload(
            str(stash["name"]), path.read_bytes(), stash["kind"], str(stash.get("mapping", ""))
        ),
    )
    try:
        report = ctx.service(ImportService).import_document(doc)
    except ImportRejected as rejected:
        ctx.rollback()
        return _page(422, name=name, problems=rejected.problems)
    except (Invalid, Conflict) as error:
        ctx.rollback()
        return _page(422, name=name, failure=error.message)
    _drop_stash()
    flash(f"Imported {name}: {report.changed} record(s) created or updated.", "success")
    return _page(name=name, report=report, applied=True)


def _wants_people() -> bool:
    return request.args.get("people", "1") != "0"


@bp.get("/export.json")
@require("admin")
def export_json() -> Response:
    """The tenant's catalog, job architecture (and people) as one JSON document."""
    ctx = admin_context()
    doc = ctx.service(ExportService).document(people=_wants_people())
    body = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    return send_file(
        io.BytesIO(body.encode("utf-8")), mimetype="application/json", as_attachment=True,
        download_name=f"lti-pathing-{ctx.tenant.slug}.json",
    )  # fmt: skip


@bp.get("/export.zip")
@require("admin")
def export_zip() -> Response:
    """The same as one CSV file per entity (the import format), in a ZIP archive."""
    ctx = admin_context()
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder:
        files = ctx.service(ExportService).write_csv(Path(folder), people=_wants_people())
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in files:
                archive.write(path, path.name)
    buffer.seek(0)
    return send_file(
        buffer, mimetype="application/zip", as_attachment=True,
        download_name=f"lti-pathing-{ctx.tenant.slug}-csv.zip",
    )  # fmt: skip


@bp.get("/export-<fmt>.csv")
@require("admin")
def export_framework(fmt: str) -> Response:
    """The tenant's skills as a Moodle competency framework or Canvas outcomes CSV."""
    ctx = admin_context()
    if fmt not in WRITERS:
        abort(404)
    service = ctx.service(FrameworkExportService)
    body = service.write(fmt).encode("utf-8")
    return send_file(
        io.BytesIO(body), mimetype="text/csv", as_attachment=True,
        download_name=service.file_name(fmt),
    )  # fmt: skip


def init(parent: Blueprint) -> None:
    """Register the import/export page."""
    parent.register_blueprint(bp)
