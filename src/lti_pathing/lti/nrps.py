"""LTI Names and Role Provisioning: the course roster, every page (`Link: rel="next"`) followed.

Members are read as Moodle and Canvas write them: Moodle's `user_id` is its user id and its roles
may be short (`Learner`); Canvas adds `lti11_legacy_user_id`, and with `rlid` (a resource link of
the tool in the course) each member's launch claims in `message`, among them
`https://www.instructure.com/canvas_user_id` and the expanded custom fields (`canvas_user_id`).
`lis_person_sourcedid` is the SIS id (Canvas: only for tools that may see names).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector
from pylti1p3.utils import add_param_to_url

from lti_pathing.errors import Invalid

# Enough for a course of 10,000 members at Canvas's 50 a page; a platform whose `next` never
# ends (or points back) is stopped there with a clear error instead of looping for ever.
MAX_PAGES = 200
CANVAS_USER_ID = "https://www.instructure.com/canvas_user_id"
CUSTOM = "https://purl.imsglobal.org/spec/lti/claim/custom"


class LinkRefused(Invalid):
    """The platform refused the roster for the `rlid` given (a link deleted since, say)."""


@dataclass(frozen=True)
class Member:
    """A course member as the LMS lists them."""

    user_id: str
    name: str | None
    email: str | None
    roles: tuple[str, ...]
    active: bool
    sourcedid: str | None = None  # the SIS id (`lis_person_sourcedid`)
    canvas_user_id: str | None = None  # from `message` (Canvas, with `rlid`)


def roster(
    connector: ServiceConnector, memberships_url: str, resource_link_id: str | None = None
) -> list[Member]:
    """All members of the course behind `memberships_url` (all pages), `rlid` when given."""
    service = NamesRolesProvisioningService(connector, {"context_memberships_url": memberships_url})
    url: str | None = memberships_url
    if resource_link_id:
        url = add_param_to_url(memberships_url, "rlid", resource_link_id)
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    try:
        while url:
            if url in seen or len(seen) >= MAX_PAGES:
                raise Invalid(f"the LMS's course roster did not end after {len(seen)} pages")
            seen.add(url)
            page, url = service.get_members_page(url)
            rows.extend(row for row in page if isinstance(row, dict))  # type: ignore[misc]
    except LtiServiceException as error:
        status = error.response.status_code
        if resource_link_id and len(seen) == 1 and status in (400, 403, 404):
            raise LinkRefused(f"the LMS refused the roster for link {resource_link_id}") from error
        raise Invalid(f"the LMS refused the course roster: {error}") from error
    except LtiException as error:
        raise Invalid(f"the LMS refused the course roster: {error}") from error
    return [member(row) for row in rows if row.get("user_id")]


def member(row: dict[str, Any]) -> Member:
    """One NRPS membership row, Moodle- or Canvas-shaped."""
    return Member(
        user_id=str(row["user_id"]),
        name=_text(row.get("name")),
        email=_text(row.get("email")),
        roles=tuple(str(r) for r in row.get("roles") or () if isinstance(r, str)),
        active=row.get("status", "Active") == "Active",
        sourcedid=_expanded(row.get("lis_person_sourcedid")),
        canvas_user_id=_canvas_user_id(row.get("message")),
    )


def _canvas_user_id(message: Any) -> str | None:
    """Canvas's user id from the member's `message` claims (a list of one, or an object)."""
    claims = message[0] if isinstance(message, list) and message else message
    if not isinstance(claims, dict):
        return None
    found = claims.get(CANVAS_USER_ID)
    custom = claims.get(CUSTOM)
    if found is None and isinstance(custom, dict):
        found = custom.get("canvas_user_id")
    return _expanded(str(found)) if found is not None else None


def _expanded(value: Any) -> str | None:
    """A value, unless it is a Canvas variable left unexpanded ("$Person.sourcedId")."""
    text = _text(value)
    return text if text and not text.startswith("$") else None


def _text(value: Any) -> str | None:
    text = str(value).strip() if isinstance(value, str | int) else ""
    return text[:255] or None
