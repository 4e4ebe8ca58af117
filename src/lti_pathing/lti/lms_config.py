"""Registration material for LMS administrators, made for this deployment's base URL.

`/lti/config/canvas.json` is a Canvas developer key (LTI key, "Paste JSON"); `/lti/config/moodle`
lists the exact values of Moodle's "Configure a tool manually" form. `lti-config/` in the
repository holds the same, made for https://lti-pathing.example.com, and a test keeps it current.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Response, jsonify, render_template

from lti_pathing.lti import bp
from lti_pathing.lti.registration import CANVAS_CUSTOM, CANVAS_PLACEMENTS, SCOPES
from lti_pathing.security import public_base_url

AGS_CHOICE = "Use this service for grade sync and column management"
NRPS_CHOICE = "Use this service to retrieve members' information as per privacy settings"
EXAMPLE_BASE_URL = "https://lti-pathing.example.com"
TITLE = "lti-pathing"
DESCRIPTION = "Career pathing: skill gaps, development plans that fit your time, manager approval."


def urls(base_url: str) -> dict[str, str]:
    """The tool's LTI endpoints under `base_url`."""
    base = base_url.rstrip("/")
    return {
        "login": f"{base}/lti/login", "launch": f"{base}/lti/launch",
        "jwks": f"{base}/.well-known/jwks.json", "register": f"{base}/lti/register",
    }  # fmt: skip


def canvas_config(base_url: str) -> dict[str, Any]:
    """The Canvas developer-key JSON: navigation placements, link selection, custom fields."""
    endpoints = urls(base_url)
    launch = endpoints["launch"]

    def placement(name: str, text: str, message: str = "LtiResourceLinkRequest") -> dict[str, Any]:
        return {"placement": name, "message_type": message, "text": text, "target_link_uri": launch}

    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "oidc_initiation_url": endpoints["login"],
        "target_link_uri": launch,
        "public_jwk_url": endpoints["jwks"],
        "scopes": list(SCOPES),
        "custom_fields": dict(CANVAS_CUSTOM),
        "extensions": [{
            "platform": "canvas.instructure.com",
            "domain": urlsplit(base_url).netloc,
            "tool_id": TITLE,
            "privacy_level": "public",
            "settings": {"text": "Career plan", "placements": [
                placement(name, label, message) for name, message, label in CANVAS_PLACEMENTS
            ]},
        }],
    }  # fmt: skip


def moodle_fields(base_url: str) -> list[tuple[str, str]]:
    """Moodle's "Configure a tool manually" form, field by field."""
    endpoints = urls(base_url)
    return [
        ("Tool name", TITLE),
        ("Tool URL", endpoints["launch"]),
        ("Tool description", DESCRIPTION),
        ("LTI version", "LTI 1.3"),
        ("Public key type", "Keyset URL"),
        ("Public keyset", endpoints["jwks"]),
        ("Initiate login URL", endpoints["login"]),
        ("Redirection URI(s)", endpoints["launch"]),
        ("Tool configuration usage", "Show in activity chooser and as a preconfigured tool"),
        ("Default launch container", "Embed, without blocks"),
        ("Supports Deep Linking (Content-Item Message)", "checked"),
        ("Content Selection URL", endpoints["launch"]),
        ("IMS LTI Assignment and Grade Services", AGS_CHOICE),
        ("IMS LTI Names and Role Provisioning", NRPS_CHOICE),
        ("Tool Settings", "Do not use this service"),
        ("Share launcher's name with tool", "Always"),
        ("Share launcher's email with tool", "Always"),
        # Per activity: a grade column only where a teacher wants plan progress (lms-setup.md).
        ("Accept grades from the tool", "Delegate to teacher"),
    ]  # fmt: skip


def _base_url() -> str:
    return public_base_url()


@bp.get("/config/canvas.json")
def canvas_json() -> Response:
    """The Canvas developer-key JSON for this deployment."""
    return jsonify(canvas_config(_base_url()))


@bp.get("/config/moodle")
def moodle_guide() -> str:
    """The Moodle registration values for this deployment."""
    return render_template(
        "lti/moodle_config.html", fields=moodle_fields(_base_url()), urls=urls(_base_url())
    )
