"""Who is acting: the signed-in person of this browser session, and the role checks views use.

An LTI launch (`lti/launch.py`) is the only way into the HTML pages: it resolves the platform user
to a `Person` of a tenant and calls `sign_in`. Views read `current_actor()` and guard themselves
with `require()`; services receive the actor's ids as arguments and never read the session.

Roles here are the tool's own, not LTI's: `learner` (everyone), `manager` (the person has direct
reports in the tool's data; an LTI Mentor role is never proof), `mentor` (an active mentor of
the catalog) and `admin` (a grant of the
tenant: the person is marked admin, or the launch carries a role its platform allowlists; see
`lti/roles.py`).

The signed cookie is not trusted beyond who signed in: on every request that reads the actor,
one query (services/standing.py) checks the person and their organisation are still active and
recomputes their roles, so retiring someone or withdrawing a grant applies at their next click.
The session lasts `SESSION_HOURS` after the last request (each request renews it); a session
that ran out, or whose person or organisation was retired, ends with a page saying why and to
open the tool again from the LMS (a new launch also picks up LMS roles newly allowlisted).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from flask import Flask, current_app, g, session
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError

from lti_pathing.error_responses import from_http, render_error
from lti_pathing.errors import PermissionDenied, Unauthenticated

if TYPE_CHECKING:
    from lti_pathing.services.standing import Standing

SESSION_KEY = "actor"
ROLES = ("learner", "manager", "mentor", "admin")
_CHECKED = "lti_pathing_actor"  # `g` key: the actor of this request, once checked
_ENDED = "lti_pathing_session_ended"  # `g` key: why this request's session ended
RELAUNCH = "Open lti-pathing again from your course in the LMS to sign in again."

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Actor:
    """The signed-in user: their tenant, their person record and the tool roles they hold."""

    tenant_id: int
    person_id: int
    name: str
    roles: frozenset[str] = field(default_factory=lambda: frozenset({"learner"}))
    # Where the launch came from (issuer, client id, deployment, context), for services that
    # call back into the LMS (AGS, NRPS); empty when signed in another way (tests, the CLI).
    launch: dict[str, str] = field(default_factory=dict)
    # The launch's LMS roles that its platform's allowlist named (they made the person admin);
    # each request checks they are still allowlisted.
    lms_admin_roles: tuple[str, ...] = ()

    def has(self, role: str) -> bool:
        """True if the actor holds this tool role."""
        return role in self.roles

    def to_session(self) -> dict[str, Any]:
        """The JSON-safe form kept in the signed session cookie."""
        return {
            "tenant_id": self.tenant_id,
            "person_id": self.person_id,
            "name": self.name,
            "roles": sorted(self.roles),
            "launch": dict(self.launch),
            "lms_admin_roles": list(self.lms_admin_roles),
        }

    @classmethod
    def from_session(cls, data: Any) -> Actor | None:
        """Rebuild the actor from the session; None when absent or not in the expected shape."""
        if not isinstance(data, dict):
            return None
        try:
            roles = frozenset(str(role) for role in data["roles"]) & frozenset(ROLES)
            return cls(
                tenant_id=int(data["tenant_id"]),
                person_id=int(data["person_id"]),
                name=str(data["name"]),
                roles=roles | {"learner"},
                launch={str(k): str(v) for k, v in dict(data.get("launch") or {}).items()},
                lms_admin_roles=tuple(str(role) for role in data.get("lms_admin_roles") or ()),
            )
        except (KeyError, TypeError, ValueError):
            return None


class SessionEnded(Unauthenticated):
    """The browser's session is no longer valid: it ran out, or its person or tenant was retired."""

    code = "session_ended"
    title = "Your lti-pathing session has ended"

    def __init__(self, reason: str) -> None:
        super().__init__(f"{reason} {RELAUNCH}")


def sign_in(actor: Actor) -> None:
    """Start a fresh session for `actor` (anything left from an earlier user is dropped)."""
    session.clear()
    session[SESSION_KEY] = actor.to_session()
    session.permanent = True
    setattr(g, _CHECKED, actor)  # just checked by the launch itself
    g.pop(_ENDED, None)


def sign_out() -> None:
    """Forget the signed-in user."""
    session.clear()
    setattr(g, _CHECKED, None)


def current_actor() -> Actor | None:
    """The signed-in user of this request, checked against the stored data (once a request).

    None when nobody is signed in, or when the session has just ended; `session_ended()` then
    says why.
    """
    if _CHECKED not in g:
        stored = Actor.from_session(session.get(SESSION_KEY))
        actor = None
        if stored is not None:
            try:
                actor = _recheck(stored)
            except SQLAlchemyError:
                # The database did not answer: the error page (503) renders as for nobody
                # signed in rather than asking again; a read run again starts with a fresh `g`.
                setattr(g, _CHECKED, None)
                raise
        elif getattr(session, "expired", False):
            hours = current_app.config["SESSION_HOURS"]
            setattr(g, _ENDED, SessionEnded(f"You were signed out after {hours} hours without "
                                            "activity."))  # fmt: skip
        setattr(g, _CHECKED, actor)
    checked: Actor | None = getattr(g, _CHECKED)
    return checked


def session_ended() -> SessionEnded | None:
    """Why this request's session ended (ran out, person or organisation retired), if it did."""
    current_actor()
    ended: SessionEnded | None = g.get(_ENDED)
    return ended


def _recheck(stored: Actor) -> Actor | None:
    """The actor with today's roles; None (and the session cleared) when it no longer holds."""
    from lti_pathing import db
    from lti_pathing.lti.roles import tool_roles
    from lti_pathing.services.standing import current_standing

    registration = stored.launch.get("registration_id", "")
    found = current_standing(
        db.session(), stored.tenant_id, stored.person_id,
        int(registration) if registration.isdigit() else None,
    )  # fmt: skip
    if found is None or not (found.person_active and found.tenant_active):
        session.clear()
        setattr(g, _ENDED, SessionEnded(_ended_because(found)))
        return None
    roles = set(tool_roles(stored.lms_admin_roles, found.admin_roles, found.marked_admin))
    if found.manages:
        roles.add("manager")
    if found.mentors:
        roles.add("mentor")
    actor = replace(stored, name=found.name, roles=frozenset(roles))
    if actor != stored:
        session[SESSION_KEY] = actor.to_session()
    return actor


def _ended_because(found: Standing | None) -> str:
    if found is None:
        return "Your record in lti-pathing no longer exists, so you were signed out."
    if not found.tenant_active:
        return (
            "Your organisation's use of lti-pathing has been switched off, so you were signed out."
        )
    return (
        "Your record in lti-pathing has been retired, so you were signed out. If that is a "
        "mistake, ask your organisation's L&D administrator to restore it."
    )


def actor_or_raise() -> Actor:
    """The signed-in user; SessionEnded or Unauthenticated (401 page) when there is none."""
    actor = current_actor()
    if actor is None:
        ended = session_ended()
        if ended is not None:
            raise ended
        raise Unauthenticated("no session: open lti-pathing from your LMS (it signs you in)")
    return actor


def require(*roles: str) -> Callable[[F], F]:
    """Guard a view: signed in, and holding at least one of `roles` (any signed-in user if none)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            actor = actor_or_raise()
            if roles and not any(actor.has(role) for role in roles):
                raise PermissionDenied(f"this page is for: {', '.join(roles)}")
            return view(*args, **kwargs)

        return cast(F, guarded)

    return decorate


def _refused_form(error: CSRFError) -> Any:
    """A form posted after the session ended says so (its CSRF token went with the session)."""
    ended = session_ended()
    if ended is not None:
        return render_error(ended)
    return from_http(error)


def init_app(app: Flask) -> None:
    """Explain an ended session instead of the CSRF failure it causes on a form post."""
    app.register_error_handler(CSRFError, _refused_form)
