"""Launch the tool the way a platform does, through the real /lti/login and /lti/launch.

Other test folders use this to sign in (import it; it is not a conftest):

    from tests.lti_pathing.lti.launching import LaunchingPlatform, PlatformKey, register_platform

    key = PlatformKey.generate()
    register_platform(session, tenant, key)                    # issuer/client of the Moodle fixture
    platform = LaunchingPlatform(app.test_client(), key)
    response = platform.launch(roles=["...#Administrator"], sub="42", name="Ada")   # 302 to /

`launch()` does the OIDC login (following the cookie-check page), signs an id_token made from the
recorded Moodle 4.5 launch (re-signed with the test key, fresh iat/exp, the login's nonce) and posts
it with the login's state. Every claim can be overridden, or removed by passing None.

`storage_launch()` does the same for a login that keeps its state in the platform
(`lti_storage_target`, as Canvas sends it): it reads the settings of the tool's two pages (what
their script would store and read back) and returns the launch page's; `verify()` then plays that
script's last step, the same-origin check that signs the person in.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from flask.testing import FlaskClient
from jwcrypto.jwk import JWK
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from lti_pathing.lti.platforms import PlatformService, PlatformSpec
from lti_pathing.models import PlatformRegistration, Tenant

FIXTURE = Path(__file__).parents[2] / "fixtures/moodle-4.5/lti/launch-id-token-decoded.json"
MOODLE_CLAIMS: dict[str, Any] = json.loads(FIXTURE.read_text())["payload"]
ISSUER = MOODLE_CLAIMS["iss"]
CLIENT_ID = MOODLE_CLAIMS["aud"]
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DEPLOYMENT_ID = MOODLE_CLAIMS[CLAIM + "deployment_id"]
AUTH_LOGIN_URL = ISSUER + "/mod/lti/auth.php"
AUTH_TOKEN_URL = ISSUER + "/mod/lti/token.php"
KEY_SET_URL = ISSUER + "/mod/lti/certs.php"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
CONTEXT_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator"
INSTITUTION_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"

SHORT_CLAIMS = frozenset(
    {"roles", "message_type", "deployment_id", "resource_link", "version", "custom", "context",
     "tool_platform", "target_link_uri", "lis"}
)  # fmt: skip

_KEYS: dict[str, PlatformKey] = {}


@dataclass(frozen=True)
class PlatformKey:
    """The test platform's RSA key: signs id_tokens; its public JWK goes in the registration."""

    kid: str
    private_pem: str
    jwk: dict[str, Any]

    @classmethod
    def generate(cls, name: str = "platform") -> PlatformKey:
        """A key per name, made once per test run (RSA generation is slow)."""
        if name not in _KEYS:
            key = JWK.generate(kty="RSA", size=2048, kid=f"{name}-{uuid.uuid4().hex[:8]}")
            public = json.loads(key.export_public())
            public.update(alg="RS256", use="sig")
            pem = key.export_to_pem(private_key=True, password=None).decode()
            _KEYS[name] = cls(public["kid"], pem, public)
        return _KEYS[name]

    def jwks(self) -> dict[str, Any]:
        """A key set holding this key."""
        return {"keys": [self.jwk]}

    def sign(self, claims: dict[str, Any], headers: dict[str, Any] | None = None) -> str:
        """A JWT of `claims` signed RS256 with kid (headers may override or drop it with None)."""
        head: dict[str, Any] = {"kid": self.kid, **(headers or {})}
        head = {k: v for k, v in head.items() if v is not None}
        return jwt.encode(claims, self.private_pem, algorithm="RS256", headers=head)


def register_platform(
    session: Session,
    tenant: Tenant,
    key: PlatformKey | None = None,
    *,
    client_id: str = CLIENT_ID,
    deployment_ids: tuple[str, ...] = (DEPLOYMENT_ID,),
    key_set_url: str | None = None,
    **fields: Any,
) -> PlatformRegistration:
    """Register the Moodle fixture's issuer with `tenant`: key set stored, or fetched from a URL."""
    spec = PlatformSpec(
        issuer=fields.pop("issuer", ISSUER),
        client_id=client_id,
        auth_login_url=fields.pop("auth_login_url", AUTH_LOGIN_URL),
        auth_token_url=fields.pop("auth_token_url", AUTH_TOKEN_URL),
        key_set_url=key_set_url,
        key_set=key.jwks() if key is not None and key_set_url is None else None,
        deployment_ids=list(deployment_ids),
        **fields,
    )
    return PlatformService(session, tenant).add_platform(spec)


STORAGE_FRAME = "post_message_forwarding"


class _StorageSettings(HTMLParser):
    """The data-* settings of the tool's platform-storage page (#lti-platform-storage)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id") == "lti-platform-storage":
            self.found = {k[5:]: v or "" for k, v in attrs if k.startswith("data-")}


def storage_settings(html: str) -> dict[str, str]:
    """The settings the platform-storage page gives its script (data-auth-url -> "auth-url")."""
    parser = _StorageSettings()
    parser.feed(html)
    assert parser.found, html
    return parser.found


@dataclass
class Login:
    """What the tool's login sent the browser to the platform with."""

    state: str
    nonce: str
    redirect_uri: str
    params: dict[str, str] = field(default_factory=dict)


class LaunchingPlatform:
    """Plays the platform (and the user's browser) against the tool's test client."""

    def __init__(
        self,
        client: FlaskClient,
        key: PlatformKey,
        issuer: str = ISSUER,
        client_id: str = CLIENT_ID,
        deployment_id: str = DEPLOYMENT_ID,
        base_url: str = "http://localhost",
    ) -> None:
        self.client = client
        self.key = key
        self.issuer = issuer
        self.client_id = client_id
        self.deployment_id = deployment_id
        self.base_url = base_url

    def login_response(self, **params: str | None) -> TestResponse:
        """POST the third-party-initiated login; returns the tool's first answer."""
        form = {
            "iss": self.issuer,
            "login_hint": "3",
            "target_link_uri": self.base_url + "/lti/launch",
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
            "lti_message_hint": "hint-1",
            **params,
        }
        data = {k: v for k, v in form.items() if v is not None}
        return self.client.post("/lti/login", data=data, base_url=self.base_url)

    def login(self, **params: str | None) -> Login:
        """Do the login (following the cookie-check page) and read the redirect to the platform."""
        response = self.login_response(**params)
        if response.status_code == 200:  # the cookie check: follow its continue link
            match = re.search(r'id="lti-open-window" href="([^"]+)"', response.text)
            assert match, response.text
            response = self.client.get(unescape(match.group(1)), base_url=self.base_url)
        assert response.status_code == 302, response.text
        location = response.headers["Location"]
        query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        return Login(query["state"], query["nonce"], query["redirect_uri"], query)

    def claims(
        self, nonce: str, /, base: dict[str, Any] | None = None, **overrides: Any
    ) -> dict[str, Any]:
        """The recorded Moodle launch (or `base`: another decoded id_token) with fresh times,
        this platform's ids, and `overrides`.

        Keys may be short (`roles`, `message_type`, `deployment_id`, `resource_link`, `version`,
        `custom`, `context`) for LTI claims; None removes a claim.
        """
        now = int(time.time())
        claims = json.loads(json.dumps(MOODLE_CLAIMS if base is None else base))
        claims.update(iss=self.issuer, aud=self.client_id, nonce=nonce, iat=now, exp=now + 60)
        claims[CLAIM + "deployment_id"] = self.deployment_id
        for name, value in overrides.items():
            full = CLAIM + name if name in SHORT_CLAIMS else name
            if value is None:
                claims.pop(full, None)
            else:
                claims[full] = value
        return claims

    def post_launch(self, id_token: str | None, state: str | None) -> TestResponse:
        """POST the id_token and state to the tool, as the platform's auto-submitted form does."""
        data = {k: v for k, v in (("id_token", id_token), ("state", state)) if v is not None}
        return self.client.post("/lti/launch", data=data, base_url=self.base_url)

    def launch(self, headers: dict[str, Any] | None = None, **overrides: Any) -> TestResponse:
        """A whole launch: login, id_token with `overrides`, post. A valid one answers 302 to /."""
        login = self.login()
        token = self.key.sign(self.claims(login.nonce, **overrides), headers)
        return self.post_launch(token, login.state)

    def storage_login(self, target: str = STORAGE_FRAME, **params: str | None) -> dict[str, str]:
        """A login with `lti_storage_target`: the settings of the page the tool answers with."""
        response = self.login_response(lti_storage_target=target, **params)
        assert response.status_code == 200, response.text
        return storage_settings(response.text)

    def storage_launch(self, **overrides: Any) -> tuple[TestResponse, dict[str, str]]:
        """Login and launch through platform storage: the launch answer and its page's settings."""
        login = self.storage_login()
        token = self.key.sign(self.claims(login["nonce"], **overrides))
        response = self.post_launch(token, login["state"])
        found = 'id="lti-platform-storage"' in response.text
        settings = storage_settings(response.text) if found else {}
        return response, settings

    def verify(
        self, settings: dict[str, str], origin: str | None = "", **values: str
    ) -> TestResponse:
        """The launch page's check: the state and nonce the platform gave back (by default the
        ones the login stored), from this tool's origin (`origin=None`: no Origin header)."""
        body = {"check": settings["check"], "state": settings["state"],
                "nonce": settings["nonce"], **values}  # fmt: skip
        headers = {} if origin is None else {"Origin": origin or self.base_url}
        return self.client.post(
            settings["verify-url"], json=body, headers=headers, base_url=self.base_url
        )
