"""`/`: where a launch lands — who is signed in, with which roles, and where each role goes."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for

from lti_pathing.auth import actor_or_raise, require

bp = Blueprint("home", __name__)

# (tool role, label, endpoint): shown when the actor holds the role and the page exists.
LINKS = (
    ("learner", "My skills and career plan", "learner.index"),
    ("manager", "My team", "manager.index"),
    ("admin", "Administration", "admin.index"),
)


@bp.get("/")
@require()
def index() -> str:
    """The landing page after a launch."""
    actor = actor_or_raise()
    links = [
        (label, url_for(endpoint))
        for role, label, endpoint in LINKS
        if actor.has(role) and endpoint in current_app.view_functions
    ]
    return render_template("home.html", actor=actor, links=links)
