"""The rules a text value obeys at every entry point: forms, the REST API, imports, calendars.

One definition, so a value one door refuses is not let in by another (a `javascript:` link that
the API stored used to render as a link on plan pages and break the tenant's own export).
"""

from __future__ import annotations

from urllib.parse import urlsplit

NAME_MAX = 200
LINK_MAX = 500
DESCRIPTION_MAX = 4000
WEB_SCHEMES = ("http", "https")


def too_long(value: str, limit: int) -> str | None:
    """Why `value` is too long for a field of `limit` characters; None when it fits."""
    if len(value) > limit:
        return f"at most {limit} characters ({len(value)} given)"
    return None


def not_a_web_link(value: str) -> str | None:
    """Why `value` is not an absolute http(s) link with a host; None when it is one."""
    parts = urlsplit(value)
    spaced = value != "".join(value.split()) or not value.isprintable()
    if parts.scheme not in WEB_SCHEMES or not parts.netloc or spaced:
        return f"{value!r:.80} is not an absolute http(s) URI"
    return too_long(value, LINK_MAX)
