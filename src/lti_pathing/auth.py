"""Who is acting: the signed-in person of this browser session, and the role checks views use.

An LTI launch (`lti/launch.py`) is the only way into the HTML pages: it resolves the platform user
to a `Person` of a tenant and calls `sign_in`. Views read `current_actor()` and guard themselves
with `require()`; services receive the actor's ids as arguments and never read the session.

Roles here are the tool's own, not LTI's: `learner` (everyone), `manager` (the person has direct
reports in the tool's data; an LTI Mentor role is never proof) and `admin` (a grant of the
tenant: the person is marked admin, or the launch carries a role its platform allowlists; see
`lti/roles.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar, cast

from flask import session

from lti_pathing.errors import PermissionDenied, Unauthenticated

SESSION_KEY = "actor"
ROLES = ("learner", "manager", "admin")

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
            )
        except (KeyError, TypeError, ValueError):
            return None


def sign_in(actor: Actor) -> None:
    """Start a fresh session for `actor` (anything left from an earlier user is dropped)."""
    session.clear()
    session[SESSION_KEY] = actor.to_session()
    session.permanent = True


def sign_out() -> None:
    """Forget the signed-in user."""
    session.clear()


def current_actor() -> Actor | None:
    """The signed-in user of this request, if any."""
    return Actor.from_session(session.get(SESSION_KEY))


def actor_or_raise() -> Actor:
    """The signed-in user; Unauthenticated (401 page) when the session has none."""
    actor = current_actor()
    if actor is None:
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
