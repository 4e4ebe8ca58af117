"""The tool's RSA keys: made on first use, stored encrypted, published at /.well-known/jwks.json.

The newest activated key signs (service-token assertions, deep-linking responses). `rotate` makes
a new signing key and retires the old one, which stays in the JWKS for the overlap period
(`KEY_OVERLAP_DAYS`) so platforms holding a cached key set still verify what it signed; after
that it disappears from the JWKS on its own and `prune` deletes it.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Blueprint, Flask, Response, current_app, jsonify, request
from jwcrypto.jwk import JWK
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from lti_pathing import crypto, db
from lti_pathing.columns import utcnow
from lti_pathing.models import ToolKey
from lti_pathing.services.base import Clock

KEY_BITS = 2048
ALGORITHM = "RS256"

bp = Blueprint("lti_keys", __name__)

KEY_READY = "lti_pathing.tool_key_ready"
LTI_BLUEPRINTS = frozenset({"lti", "lti_keys"})


@dataclass(frozen=True)
class SigningKey:
    """The key the tool signs with now: its kid and both halves as PEM."""

    kid: str
    private_pem: str
    public_pem: str


def new_key_pair() -> tuple[str, dict[str, Any]]:
    """A fresh RSA key: (private PEM, public JWK with kid = RFC 7638 thumbprint, alg, use)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    jwk = JWK.from_pem(pem.encode("ascii"))
    public: dict[str, Any] = json.loads(jwk.export_public())
    public.update(kid=jwk.thumbprint(), alg=ALGORITHM, use="sig")
    return pem, public


def public_pem_of(jwk: dict[str, Any]) -> str:
    """The PEM form of a public JWK."""
    pem: bytes = JWK(**jwk).export_to_pem()
    return pem.decode("ascii")


class KeyService:
    """Create, rotate, publish and prune the tool's keys (tool-wide, not per tenant)."""

    def __init__(self, session: Session, overlap: dt.timedelta, clock: Clock = utcnow) -> None:
        self.session = session
        self.overlap = overlap
        self.clock = clock

    def all_keys(self) -> list[ToolKey]:
        """Every stored key, newest first."""
        return list(self.session.scalars(select(ToolKey).order_by(ToolKey.id.desc())))

    def current(self) -> ToolKey | None:
        """The signing key: the newest activated key not retired."""
        return self.session.scalar(
            select(ToolKey)
            .where(ToolKey.activated_at.is_not(None), ToolKey.retired_at.is_(None))
            .order_by(ToolKey.activated_at.desc(), ToolKey.id.desc())
            .limit(1)
        )

    def ensure_key(self) -> ToolKey:
        """The signing key, generated (and activated) if the tool has none yet.

        Two processes may both find no key: `generation` is unique, so only one insert wins;
        the other rolls back its savepoint and reads the winner's key.
        """
        key = self.current()
        if key is not None:
            return key
        try:
            with self.session.begin_nested():
                return self._create()
        except IntegrityError:
            key = self.current()
            if key is None:
                raise
            return key

    def signing_key(self) -> SigningKey:
        """The signing key with its private half decrypted (never log it)."""
        key = self.ensure_key()
        return SigningKey(key.kid, crypto.decrypt(key.private_key), public_pem_of(key.jwk()))

    def rotate(self) -> ToolKey:
        """Make a new signing key; the old ones are retired but stay published for the overlap."""
        now = self.clock()
        for key in self.session.scalars(select(ToolKey).where(ToolKey.retired_at.is_(None))):
            key.retired_at = now
        return self._create()

    def published(self) -> list[ToolKey]:
        """The keys in the JWKS: the signing key and those retired less than `overlap` ago."""
        now = self.clock()
        return [
            k for k in self.all_keys() if k.state(now, self.overlap) in ("signing", "published")
        ]

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        """The public key set; generates the first key if there is none."""
        self.ensure_key()
        return {"keys": [key.jwk() for key in self.published()]}

    def prune(self) -> list[str]:
        """Delete keys whose overlap has ended; returns their kids."""
        now = self.clock()
        expired = [k for k in self.all_keys() if k.state(now, self.overlap) == "expired"]
        for key in expired:
            self.session.delete(key)
        self.session.flush()
        return [k.kid for k in expired]

    def _next_generation(self) -> int:
        latest = self.session.scalar(select(func.max(ToolKey.generation)))
        return (latest or 0) + 1

    def _create(self) -> ToolKey:
        pem, public = new_key_pair()
        now = self.clock()
        key = ToolKey(
            generation=self._next_generation(),
            kid=public["kid"],
            private_key=crypto.encrypt(pem),
            public_jwk=json.dumps(public, sort_keys=True),
            created_at=now,
            activated_at=now,
        )
        self.session.add(key)
        self.session.flush()
        return key


def ensure_tool_key(app: Flask, attempts: int = 5) -> str:
    """Make the tool's first key if it has none, in a transaction of its own; returns its kid.

    Runs at `init-db` and before the first LTI request of a process, so that requests find the
    key instead of racing to make it. A concurrent maker wins the unique `generation`, or on
    SQLite holds the write lock ("database is locked"): roll back and read its key.
    """
    overlap = dt.timedelta(days=app.config["KEY_OVERLAP_DAYS"])
    for attempt in range(attempts):
        with db.database(app).sessions() as session:
            try:
                with session.begin():
                    kid = KeyService(session, overlap).ensure_key().kid
                return kid
            except (IntegrityError, OperationalError):
                if attempt == attempts - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _ensure_before_lti_request() -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if request.blueprint in LTI_BLUEPRINTS and not app.extensions.get(KEY_READY):
        ensure_tool_key(app)
        app.extensions[KEY_READY] = True


bp.before_app_request(_ensure_before_lti_request)


def key_service(session: Session | None = None) -> KeyService:
    """A KeyService with the app's overlap setting, on the request's session by default."""
    days = current_app.config["KEY_OVERLAP_DAYS"]
    return KeyService(session or db.session(), dt.timedelta(days=days))


@bp.get("/.well-known/jwks.json")
def jwks() -> Response:
    """The tool's public keys (never a private one); platforms cache it for a few minutes."""
    response = jsonify(key_service().jwks())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
