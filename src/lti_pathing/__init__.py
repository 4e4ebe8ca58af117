"""lti-pathing: career pathing inside the LMS over LTI 1.3."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response


class LtiPathingApp(Flask):
    """Flask, with a read request run again when its database connection dropped under it."""

    def full_dispatch_request(self) -> Response:
        """Dispatch the request (see `db.read_again`)."""
        from lti_pathing import db

        return db.read_again(super().full_dispatch_request)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask application: settings, database, error handlers, blueprints."""
    app = LtiPathingApp(__name__, instance_relative_config=True)

    from lti_pathing import config

    config.load(app, test_config)

    from flask_wtf.csrf import CSRFProtect

    from lti_pathing import (
        auth,
        crypto,
        db,
        error_responses,
        frame_origins,
        health,
        input_guard,
        security,
    )
    from lti_pathing import logging as app_logging

    app_logging.init_app(app)
    security.init_app(app)  # only the configured host answers; security headers on responses
    db.init_app(app)
    frame_origins.init_app(app)  # cached frame-ancestors, forgotten when platforms change
    crypto.init_app(app)
    error_responses.init_app(app)
    auth.init_app(app)  # an ended session explains itself, also where a form post fails CSRF
    # Before any blueprint: route ids bounded by the database's INTEGER, hostile input refused.
    input_guard.init_app(app)
    # Every HTML form post carries a CSRF token; views that take posts from elsewhere (LTI
    # login/launch from the platform, the token-authenticated REST API) are exempted where
    # they are registered.
    app.extensions["csrf"] = CSRFProtect(app)
    app.register_blueprint(health.bp)

    from lti_pathing import api, lti
    from lti_pathing.jobs import notifications as notification_jobs
    from lti_pathing.services.calendar import day_in_words
    from lti_pathing.web import (
        admin,
        badges,
        checkins,
        credentials,
        dashboard,
        decisions,
        home,
        job_status,
        learner,
        manager,
        mentor,
        notifications,
        plan_choices,
        team_planning,
    )

    lti.init_app(app)
    api.init_app(app)
    notification_jobs.init_app(app)  # notifications go out after the commit that recorded them
    admin.init_app(app)
    # The pages people see after a launch: landing, learner, manager, organisation dashboard.
    for blueprint in (home.bp, learner.bp, plan_choices.bp, manager.bp, team_planning.bp,
                      mentor.bp, decisions.bp, checkins.bp, dashboard.bp, job_status.bp,
                      notifications.bp, badges.bp, credentials.bp):  # fmt: skip
        app.register_blueprint(blueprint)
    # Dates in words ("3 May 2027") in every template, imported macros included.
    app.add_template_global(day_in_words, "day_words")
    return app
