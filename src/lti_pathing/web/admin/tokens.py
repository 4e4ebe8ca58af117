"""Admin page for REST API tokens: create (scopes, expiry; secret shown once), list, revoke.

Revoking asks first: the list links to a page naming the token and what stops working, and only
a post from that page (it carries `confirm`) revokes.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length, Optional

from lti_pathing.auth import require
from lti_pathing.errors import Invalid
from lti_pathing.models import Person
from lti_pathing.services.api_tokens import SCHEME, ApiTokenService, end_of_day, token_state
from lti_pathing.web.admin.context import AdminContext, admin_context
from lti_pathing.web.admin.forms import AdminForm, MultiCheckboxField, blank_to_none, pairs

bp = Blueprint("tokens", __name__, url_prefix="/api-tokens")

SCOPE_CHOICES = [
    ("read", "read: look things up (GET calls, the export)"),
    ("write", "write: create, change and delete records; start LMS syncs and re-plans"),
    ("import", "import: the bulk import of catalog, job architecture and people"),
]


class TokenForm(AdminForm):
    """A new token's name, scopes and optional last day."""

    name = StringField(
        "Token name", [DataRequired(), Length(max=200)], filters=[blank_to_none],
        description="Who or what will use it, e.g. 'HRIS nightly sync'.",
    )  # fmt: skip
    scopes = MultiCheckboxField(
        "What it may do", choices=pairs(SCOPE_CHOICES), default=["read"],
        description="Give only what the other system needs.",
    )  # fmt: skip
    valid_until = DateField(
        "Valid until (optional)", [Optional()],
        description="The last day (UTC) it works. Leave empty for a token that does not expire.",
    )  # fmt: skip


def masked(prefix: str) -> str:
    """How a stored token is shown: its scheme and prefix, never the secret."""
    return f"{SCHEME}_{prefix}_••••••••"


def _page(ctx: AdminContext, form: TokenForm, status: int = 200, **extra: Any) -> tuple[str, int]:
    service = ctx.service(ApiTokenService)
    body = render_template(
        "admin/tokens.html", form=form, tokens=service.list_tokens(), masked=masked,
        state=lambda token: token_state(token, service.clock()), **extra,
    )  # fmt: skip
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
    expires = end_of_day(form.valid_until.data) if form.valid_until.data else None
    try:
        token, secret = ctx.service(ApiTokenService).create_token(
            form.name.data, creator, form.scopes.data or (), expires
        )
    except Invalid as error:
        ctx.rollback()
        form.add_errors(error.errors, {"expires": "valid_until"})
        return _page(ctx, form, 422)
    body, _status = _page(ctx, TokenForm(formdata=None), created=token, secret=secret)
    return body, 201, {"Cache-Control": "no-store"}


@bp.route("/<prefix>/revoke", methods=["GET", "POST"])
@require("admin")
def revoke(prefix: str) -> Response | str:
    """Ask whether to revoke the token; a post carrying `confirm` refuses it from now on."""
    ctx = admin_context()
    service = ctx.service(ApiTokenService)
    token = service.find_token(prefix)
    if request.method == "POST" and request.form.get("confirm") == "revoke":
        service.revoke_token(prefix)
        flash(f"Revoked token {masked(prefix)} ({token.name}).", "success")
        return redirect(url_for(".index"))
    return render_template(
        "admin/token_revoke.html", token=token, masked=masked,
        state=token_state(token, service.clock()),
    )  # fmt: skip


def init(parent: Blueprint) -> None:
    """Register the API token page."""
    parent.register_blueprint(bp)
