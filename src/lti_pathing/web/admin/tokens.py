"""Admin page for REST API tokens: create (secret shown once), list (masked), revoke."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from lti_pathing.auth import require
from lti_pathing.models import Person
from lti_pathing.services.api_tokens import SCHEME, ApiTokenService
from lti_pathing.web.admin.context import AdminContext, admin_context
from lti_pathing.web.admin.forms import blank_to_none

bp = Blueprint("tokens", __name__, url_prefix="/api-tokens")


class TokenForm(FlaskForm):  # type: ignore[misc]
    """A new token's name."""

    name = StringField(
        "Token name", [DataRequired(), Length(max=200)], filters=[blank_to_none],
        description="Who or what will use it, e.g. 'HRIS nightly sync'.",
    )  # fmt: skip


def masked(prefix: str) -> str:
    """How a stored token is shown: its scheme and prefix, never the secret."""
    return f"{SCHEME}_{prefix}_••••••••"


def _page(ctx: AdminContext, form: TokenForm, status: int = 200, **extra: Any) -> tuple[str, int]:
    tokens = ctx.service(ApiTokenService).list_tokens()
    body = render_template("admin/tokens.html", form=form, tokens=tokens, masked=masked, **extra)
    return body, status


@bp.get("/")
@require("admin")
def index() -> tuple[str, int]:
    """The tenant's tokens and the form to create one."""
    return _page(admin_context(), TokenForm())


@bp.post("/")
@require("admin")
def create() -> tuple[str, int, dict[str, str]] | tuple[str, int]:
    """Create a token and show its secret this once (the page is not cached)."""
    ctx = admin_context()
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(ctx, form, 422)
    person = ctx.session.get(Person, ctx.actor.person_id)
    creator = person.id if person is not None and person.tenant_id == ctx.tenant_id else None
    token, secret = ctx.service(ApiTokenService).create_token(form.name.data, creator)
    body, _status = _page(ctx, TokenForm(formdata=None), created=token, secret=secret)
    return body, 201, {"Cache-Control": "no-store"}


@bp.post("/<prefix>/revoke")
@require("admin")
def revoke(prefix: str) -> Response:
    """Refuse the token from now on."""
    ctx = admin_context()
    ctx.service(ApiTokenService).revoke_token(prefix)
    flash(f"Revoked token {masked(prefix)}.", "success")
    return redirect(url_for(".index"))


def init(parent: Blueprint) -> None:
    """Register the API token page."""
    parent.register_blueprint(bp)
