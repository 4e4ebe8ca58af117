"""One behaviour for every form error: the same page again, the input kept, errors by field.

A post view wrapped in `shows_form_errors(page)` that raises `Invalid` (or a `Conflict`: a stale
version, a decision already taken; or `Unavailable`: the job queue does not answer) answers 422
(409, 503) with `page` rendered again. The templates read
`failed` (the posted form's endpoint, its errors by field and what was typed) to draw the error
summary at the top (which static/forms.js focuses), each message beside its field
(`aria-describedby`, `aria-invalid`) and the typed values back in the fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

from flask import g, request

from lti_pathing import db
from lti_pathing.errors import Conflict, Invalid, LtiPathingError, Unavailable

F = TypeVar("F", bound=Callable[..., Any])
FORM = "_form"  # the key of an error that belongs to the whole form, not one field


@dataclass(frozen=True)
class FailedForm:
    """The form whose post failed: its endpoint, messages by field name, the values typed."""

    endpoint: str = ""
    errors: Mapping[str, list[str]] = field(default_factory=dict)
    values: Mapping[str, str] = field(default_factory=dict)

    def of(self, endpoint: str) -> Mapping[str, list[str]]:
        """The errors if `endpoint` is the form that failed, else none."""
        return self.errors if endpoint == self.endpoint else {}

    def value(self, endpoint: str, name: str, default: Any = "") -> Any:
        """What was typed into `name` if `endpoint` failed, else `default`."""
        return self.values.get(name, default) if endpoint == self.endpoint else default


NOTHING_FAILED = FailedForm()


def by_field(error: LtiPathingError) -> dict[str, list[str]]:
    """The error's messages by field name; a conflict's message belongs to the whole form."""
    if isinstance(error, Invalid) and isinstance(error.errors, Mapping) and error.errors:
        return {
            str(name): [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])]
            for name, msgs in error.errors.items()
        }
    return {FORM: [error.message]}


def shows_form_errors(page: Callable[..., Any]) -> Callable[[F], F]:
    """Wrap a post view: on Invalid, Conflict or Unavailable, render `page(**view_kwargs)` again."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            try:
                return view(*args, **kwargs)
            except (Invalid, Conflict, Unavailable) as error:
                db.session().rollback()  # nothing of the refused change stays
                values = {k: v for k, v in request.form.items() if k != "csrf_token"}
                g.failed_form = FailedForm(request.endpoint or "", by_field(error), values)
                return page(**kwargs), error.status, error.headers()

        return wrapped  # type: ignore[return-value]

    return decorate


def failed_form_context() -> dict[str, FailedForm]:
    """Template context of every page: the form whose post failed in this request, if any."""
    return {"failed": g.get("failed_form", NOTHING_FAILED)}
