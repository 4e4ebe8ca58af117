"""Admin page: each manager's yearly team learning budget (the manager can set theirs too)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from lti_pathing.auth import require
from lti_pathing.models import Person
from lti_pathing.services.team_budget import TeamBudgetService
from lti_pathing.web.admin.context import admin_context
from lti_pathing.web.form_errors import shows_form_errors

bp = Blueprint("budgets", __name__, url_prefix="/budgets")


@bp.get("/")
@require("admin")
def index() -> str:
    """Budgets by manager and year, and a form to set one."""
    ctx = admin_context()
    budgets = ctx.service(TeamBudgetService)
    return render_template("admin/budgets.html", budgets=budgets.all_budgets(),
                           managers=budgets.managers())  # fmt: skip


@bp.post("/")
@require("admin")
@shows_form_errors(lambda: index())
def save() -> Response:
    """Set a manager's budget for a year."""
    ctx = admin_context()
    budgets = ctx.service(TeamBudgetService)
    form = request.form
    saved = budgets.set(
        budgets.get(Person, ctx.actor.person_id), budgets.manager_id(form.get("manager_id", "")),
        form.get("year", ""), form.get("amount", ""), form.get("currency", ""),
    )  # fmt: skip
    flash(f"Budget of {saved.manager.name}'s team for {saved.year} saved.", "success")
    return redirect(url_for(".index"))


def init(parent: Blueprint) -> None:
    """Register the budgets page."""
    parent.register_blueprint(bp)
