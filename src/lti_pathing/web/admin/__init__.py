"""The L&D admin pages under /admin/: one blueprint per noun, all admin-only, tenant-scoped."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template

from lti_pathing.auth import require
from lti_pathing.services.overview import OverviewService
from lti_pathing.web.admin import (
    access,
    activities,
    audit,
    budgets,
    credentials,
    escalations,
    evidence,
    gradebooks,
    jobs,
    lms,
    people,
    replans,
    rosters,
    skills,
    tokens,
    transfer,
)
from lti_pathing.web.admin.context import admin_context

bp = Blueprint("admin", __name__, url_prefix="/admin")

# Heading and page of each count on the home page, in the order an organisation is set up.
SECTIONS = [
    ("skill_categories", "Skill categories", "admin.skill_categories.index"),
    ("skills", "Skills", "admin.skills.index"),
    ("job_families", "Job families", "admin.job_families.index"),
    ("roles", "Roles", "admin.roles.index"),
    ("career_paths", "Career paths", "admin.career_paths.index"),
    ("activities", "Activities", "admin.activities.index"),
    ("mentors", "Mentors", "admin.mentors.index"),
    ("people", "People", "admin.people.index"),
    ("evidence", "Evidence", "admin.evidence.index"),
    ("api_tokens", "API tokens", "admin.tokens.index"),
]


@bp.before_request
@require("admin")
def _only_admins() -> None:
    """A second lock behind each view's own guard: nothing under /admin/ without the role."""
    admin_context()


@bp.get("/")
@require("admin")
def home() -> str:
    """Counts of everything the organisation has set up, with links."""
    counts = admin_context().service(OverviewService).counts()
    return render_template("admin/home.html", sections=SECTIONS, counts=counts)


for module in (skills, jobs, activities, people, evidence, transfer, tokens, lms, replans, access,
               gradebooks, rosters, audit, credentials, escalations, budgets):  # fmt: skip
    module.init(bp)


def init_app(app: Flask) -> None:
    """Register the admin pages."""
    app.register_blueprint(bp)
