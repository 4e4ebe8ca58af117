"""Admin pages for course rosters: match a course's people (LTI NRPS) to the organisation's.

Courses appear here once someone launched lti-pathing from them with the roster service on. A
match reads the whole roster from the LMS now (a large course takes a few seconds) and records
the LMS identities of the people it finds; people suggested by e-mail are linked only when the
admin confirms them.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from lti_pathing.auth import require
from lti_pathing.lti.rosters import RosterService, read_roster
from lti_pathing.web.admin.context import admin_context
from lti_pathing.web.form_errors import shows_form_errors

bp = Blueprint("rosters", __name__, url_prefix="/rosters")


@bp.get("/")
@require("admin")
def index() -> str:
    """The courses whose roster the tool may read, with their last match."""
    service = admin_context().service(RosterService)
    rows = [(roster, service.last_match(roster)) for roster in service.rosters()]
    return render_template("admin/rosters.html", rows=rows)


def _roster_page(record_id: int) -> str:
    service = admin_context().service(RosterService)
    roster = service.get_roster(record_id)
    return render_template("admin/roster.html", roster=roster, result=service.last_match(roster))


@bp.get("/<int:record_id>")
@require("admin")
def show(record_id: int) -> str:
    """What the last match of one course's roster found."""
    return _roster_page(record_id)


@bp.post("/<int:record_id>/match")
@require("admin")
@shows_form_errors(lambda record_id: _roster_page(record_id))
def match(record_id: int) -> Response:
    """Read the roster from the LMS and match it now."""
    ctx = admin_context()
    found = ctx.service(RosterService).match(record_id, read_roster, dt.datetime.now(dt.UTC))
    flash(f"Roster matched: {len(found.matched)} found, {len(found.suggested)} suggested by "
          f"e-mail, {len(found.unmatched)} not found.", "success")  # fmt: skip
    return redirect(url_for(".show", record_id=record_id))


@bp.post("/<int:record_id>/link")
@require("admin")
@shows_form_errors(lambda record_id: _roster_page(record_id))
def link(record_id: int) -> Response:
    """Link the e-mail suggestions the admin confirmed."""
    chosen = request.form.getlist("user_id")
    linked = admin_context().service(RosterService).link_suggested(record_id, chosen)
    flash(f"Linked {len(linked)} {'person' if len(linked) == 1 else 'people'}: their launches "
          "now find them.", "success")  # fmt: skip
    return redirect(url_for(".show", record_id=record_id))


def init(parent: Blueprint) -> None:
    """Register the roster pages."""
    parent.register_blueprint(bp)
