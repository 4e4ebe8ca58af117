"""Where a message links to: back into the LMS page the person launched the tool from.

Never the tool's own URL: opened outside the LMS it has no launch, so no session. Built from the
launch's claims, per LMS:

- Moodle: the activity, `{issuer}/mod/lti/view.php?l={resource link id}` (Moodle's resource link
  id is the LTI activity's instance id, which mod/lti/view.php takes as `l`);
- Canvas: `{canvas}/courses/{course}/external_tools/retrieve?url={target link}` (Canvas finds the
  course's tool for that URL and launches it), from the custom fields `canvas_course_id` and
  `canvas_api_base_url` (lti-config/canvas-developer-key.json).

Anything else: None (messages then link to the LMS's address, or say "open it from your LMS").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


def launch_url(issuer: str, claims: Mapping[str, Any]) -> str | None:
    """The LMS URL that launches the tool where these claims came from, if one can be made."""
    platform = claims.get(CLAIM + "tool_platform") or {}
    family = str(platform.get("product_family_code") or "").lower()
    custom = claims.get(CLAIM + "custom") or {}
    link = claims.get(CLAIM + "resource_link") or {}
    if family == "moodle" and link.get("id"):
        return f"{issuer.rstrip('/')}/mod/lti/view.php?l={quote(str(link['id']))}"
    course, base = _given(custom, "canvas_course_id"), _given(custom, "canvas_api_base_url")
    target = claims.get(CLAIM + "target_link_uri")
    if family == "canvas" and course and base and isinstance(target, str):
        query = urlencode({"url": target})
        return f"{base.rstrip('/')}/courses/{quote(course)}/external_tools/retrieve?{query}"
    return None


def _given(custom: Any, name: str) -> str | None:
    """A custom field the LMS substituted (an unsubstituted `$Canvas...` is not a value)."""
    value = custom.get(name) if isinstance(custom, Mapping) else None
    if not isinstance(value, str | int) or str(value).startswith("$") or not str(value):
        return None
    return str(value)
