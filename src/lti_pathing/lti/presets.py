"""Known platforms' issuer and endpoints, for `platform add --preset` (Canvas cloud).

Each Instructure-hosted Canvas environment has its own issuer, its own SSO domain for the OIDC,
token and key-set endpoints, and its own signing keys: a registration for one never accepts
launches from another. A self-hosted Canvas uses the `lti_iss` of its config/security.yml as
issuer and its own host for the endpoints; there is no preset for it (docs/lms-setup.md).
"""

from __future__ import annotations

ENDPOINTS = ("auth_login_url", "auth_token_url", "key_set_url")


def _canvas(issuer: str, sso: str) -> dict[str, str]:
    return {
        "issuer": issuer,
        "auth_login_url": f"{sso}/api/lti/authorize_redirect",
        "auth_token_url": f"{sso}/login/oauth2/token",
        "key_set_url": f"{sso}/api/lti/security/jwks",
    }


PRESETS = {
    "canvas": _canvas("https://canvas.instructure.com", "https://sso.canvaslms.com"),
    "canvas-beta": _canvas("https://canvas.beta.instructure.com", "https://sso.beta.canvaslms.com"),
    "canvas-test": _canvas("https://canvas.test.instructure.com", "https://sso.test.canvaslms.com"),
}


def fill(preset: str | None, given: dict[str, str]) -> dict[str, str]:
    """`given` with its empty issuer and endpoints taken from the preset (given values win)."""
    if preset is None:
        return given
    return {**given, **{k: v for k, v in PRESETS[preset].items() if not given.get(k)}}
