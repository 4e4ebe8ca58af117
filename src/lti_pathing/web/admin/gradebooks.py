"""Admin page for grade books: which courses receive plan progress, and what the LMS refused.

Nothing is sent to a course by default. An admin sets a course aside for the tool (its own
"Career plan progress" column there), stops it, or lifts the LMS's refusals for good once the
cause is fixed in the LMS; each change queues a passback of the course's learners.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from lti_pathing import jobs
from lti_pathing.auth import require
from lti_pathing.services.grades import PLAN_LABEL, GradeService
from lti_pathing.web.admin.context import admin_context

bp = Blueprint("gradebooks", __name__, url_prefix="/gradebooks")
MESSAGES = {
    "set_aside": "Set aside: learners' progress goes to this course's grade book.",
    "stop": "Stopped: nothing more is sent to this course.",
    "send_again": "Refusals lifted; the course's learners get their progress sent again.",
}


@bp.get("/")
@require("admin")
def index() -> str:
    """Courses the tool was launched from, where their grade book stands, refusals listed."""
    rows = admin_context().service(GradeService).gradebooks()
    return render_template("admin/gradebooks.html", rows=rows, label=PLAN_LABEL)


@bp.post("/<int:record_id>")
@require("admin")
def change(record_id: int) -> Response:
    """Set a course aside for progress, stop it, or send again where the LMS refused."""
    ctx = admin_context()
    action = request.form.get("action", "")
    people = ctx.service(GradeService).change(record_id, action)
    if people and action != "stop":
        jobs.enqueue_passback(ctx.session, ctx.tenant, people, ctx.actor.person_id)
    flash(MESSAGES[action], "success")
    return redirect(url_for(".index"))


def init(parent: Blueprint) -> None:
    """Register the grade books page."""
    parent.register_blueprint(bp)
