"""The persistent menu: per tool role, every page that role may open, on every page.

Each link names an endpoint; `url_for` raises `BuildError` for a missing one, so a renamed or
removed page fails the request (and the tests) instead of quietly disappearing from the menu.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, has_request_context, request, url_for
from sqlalchemy.exc import SQLAlchemyError

from lti_pathing.auth import Actor, current_actor


@dataclass(frozen=True)
class MenuLink:
    """One page of the menu: its label, endpoint and element id."""

    label: str
    endpoint: str
    id: str


@dataclass(frozen=True)
class MenuGroup:
    """The pages of one tool role."""

    label: str
    role: str
    links: tuple[MenuLink, ...]


@dataclass(frozen=True)
class ShownLink:
    """A menu link resolved for this request."""

    label: str
    href: str
    id: str
    current: bool


@dataclass(frozen=True)
class ShownGroup:
    """A menu group resolved for this request."""

    label: str
    role: str
    links: tuple[ShownLink, ...]


MENU = (
    MenuGroup("Me", "learner", (
        MenuLink("Where I stand", "learner.index", "nav-stand"),
        MenuLink("Where I could go", "learner.paths", "nav-paths"),
        MenuLink("My plan", "learner.plan", "nav-plan"),
        MenuLink("My notifications", "notifications.index", "nav-notifications"),
        MenuLink("Notification settings", "notifications.settings", "nav-notify-settings"),
        MenuLink("My badges", "badges.index", "nav-badges"),
    )),
    MenuGroup("My team", "manager", (
        MenuLink("Team overview", "manager.index", "nav-team"),
        MenuLink("Approvals", "manager.queue", "nav-approvals"),
    )),
    MenuGroup("Mentoring", "mentor", (
        MenuLink("My mentees", "mentor.index", "nav-mentees"),
    )),
    MenuGroup("Organisation", "admin", (
        MenuLink("Dashboard", "dashboard.index", "nav-dashboard"),
        MenuLink("Administration", "admin.home", "nav-admin"),
        MenuLink("Skill categories", "admin.skill_categories.index", "nav-admin-categories"),
        MenuLink("Skills", "admin.skills.index", "nav-admin-skills"),
        MenuLink("Job families", "admin.job_families.index", "nav-admin-families"),
        MenuLink("Roles", "admin.roles.index", "nav-admin-roles"),
        MenuLink("Career paths", "admin.career_paths.index", "nav-admin-paths"),
        MenuLink("Activities", "admin.activities.index", "nav-admin-activities"),
        MenuLink("Mentors", "admin.mentors.index", "nav-admin-mentors"),
        MenuLink("People", "admin.people.index", "nav-admin-people"),
        MenuLink("Evidence", "admin.evidence.index", "nav-admin-evidence"),
        MenuLink("Credentials", "admin.credentials.index", "nav-admin-credentials"),
        MenuLink("Import and export", "admin.transfer.index", "nav-admin-transfer"),
        MenuLink("API tokens", "admin.tokens.index", "nav-admin-tokens"),
        MenuLink("LMS connection", "admin.lms.index", "nav-admin-lms"),
        MenuLink("Access", "admin.access.index", "nav-admin-access"),
        MenuLink("Course rosters", "admin.rosters.index", "nav-admin-rosters"),
        MenuLink("Grade books", "admin.gradebooks.index", "nav-admin-gradebooks"),
        MenuLink("Re-plans", "admin.replans.index", "nav-admin-replans"),
        MenuLink("Audit and data", "admin.audit.index", "nav-admin-audit"),
        MenuLink("About the optimiser", "admin.audit.model_facts", "nav-admin-model-facts"),
        MenuLink("Escalated plans", "admin.escalations.index", "nav-admin-escalations"),
        MenuLink("Team budgets", "admin.budgets.index", "nav-admin-budgets"),
    )),
)  # fmt: skip


def menu_for(actor: Actor | None) -> tuple[ShownGroup, ...]:
    """The groups `actor` may open, with each link resolved (BuildError if a page is missing)."""
    if actor is None:
        return ()
    here = request.endpoint if has_request_context() else None
    return tuple(
        ShownGroup(group.label, group.role, tuple(
            ShownLink(link.label, url_for(link.endpoint), link.id, link.endpoint == here)
            for link in group.links
        ))
        for group in MENU
        if actor.has(group.role)
    )  # fmt: skip


def menu_context() -> dict[str, object]:
    """Template context of every page: the signed-in actor's menu."""
    if not has_request_context():
        return {"menu": ()}
    try:
        actor = current_actor()  # checks the person against the database
    except SQLAlchemyError as error:  # the page may be the one saying the database is down
        current_app.logger.warning(
            "menu left out: the signed-in person was not checked (%s)", error
        )
        return {"menu": ()}
    return {"menu": menu_for(actor)}
