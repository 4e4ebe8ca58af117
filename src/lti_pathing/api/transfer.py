"""Import and export of the whole tenant over the API (the `lti-pathing import` JSON format)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, jsonify, request

from lti_pathing.api.core import ApiBlueprint, needs_scope, service
from lti_pathing.api.fields import Integer
from lti_pathing.interop.formats import AUTO, CHOICES, parse_mapping, read_any
from lti_pathing.services.transfer.apply import ImportReport
from lti_pathing.services.transfer.export import ExportService
from lti_pathing.services.transfer.importer import ImportService
from lti_pathing.services.transfer.reader import read_json

transfer = ApiBlueprint(
    "transfer", __name__, url_prefix="/api/v1",
    description="Import (all or nothing) and export of catalog, job architecture and people; "
    "the format is docs/import-format.md.",
)  # fmt: skip
BLUEPRINTS = (transfer,)

DOCUMENT = {"type": "object", "description": "an lti-pathing.catalog document (version 1)"}


class ImportArgs(ma.Schema):
    """Import options."""

    dry_run = ma.fields.Boolean(
        load_default=False, metadata={"description": "check and count, write nothing"}
    )
    format = ma.fields.String(
        load_default=AUTO, validate=ma.validate.OneOf(CHOICES),
        metadata={"description": "auto (told by the content), native (the JSON document), "
                  "moodle-csv, canvas-csv or case-json (docs/interop.md)"},
    )  # fmt: skip
    map = ma.fields.String(
        load_default="",
        metadata={"description": "a framework's skills onto the tenant's: "
                  "`SOURCE_ID=SKILL_ID` pairs separated by commas"},
    )  # fmt: skip


class CountsSchema(ma.Schema):
    """What happened to one entity."""

    created = Integer()
    updated = Integer()
    unchanged = Integer()


class ImportReportSchema(ma.Schema):
    """Per entity, how many were created, updated and unchanged."""

    dry_run = ma.fields.Boolean()
    changed = Integer()
    counts = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(CountsSchema))
    removals = ma.fields.List(
        ma.fields.String(),
        metadata={"description": "each child row removed, e.g. 'activity A1: cohort C1 removed'"},
    )
    notes = ma.fields.List(
        ma.fields.String(),
        metadata={"description": "what each item of a framework file became, e.g. \"Moodle "
                  "competency 'X' (idnumber Y) → skill 'X', in category 'Z', levels: ...\""},
    )  # fmt: skip


class ExportArgs(ma.Schema):
    """Export options."""

    people = ma.fields.Boolean(load_default=True, metadata={"description": "include people"})


@transfer.route("/import", methods=["POST"])
@needs_scope("import")
@transfer.arguments(ImportArgs, location="query")
@transfer.doc(requestBody={"required": True, "content": {
    "application/json": {"schema": DOCUMENT},
    "text/csv": {"schema": {"type": "string", "description": "a Moodle or Canvas framework CSV"}},
    "application/zip": {"schema": {"type": "string", "format": "binary",
                                   "description": "O*NET database text files"}},
}})  # fmt: skip
@transfer.response(200, ImportReportSchema)
def import_document(args: dict[str, Any]) -> ImportReport:
    """Import a JSON document or a framework CSV: all or nothing; any bad row is a 422 listing
    every problem.

    Needs a token with the `import` scope (a dry run too).
    """
    data = request.get_data(cache=False)
    mapping = parse_mapping(args["map"])
    native = lambda: read_json("request", data)  # noqa: E731 - read only if not a framework
    document = read_any("request", data, args["format"], native, mapping)
    return service(ImportService).import_document(document, dry_run=args["dry_run"])


@transfer.route("/export", methods=["GET"])
@transfer.arguments(ExportArgs, location="query")
@transfer.response(200, {"type": "object"}, description="the import format, re-importable")
def export_document(args: dict[str, Any]) -> Response:
    """The tenant's catalog, job architecture (and people) as one JSON document."""
    return jsonify(service(ExportService).document(people=args["people"]))
