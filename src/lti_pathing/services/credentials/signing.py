"""VC-JWT proofs (Open Badges 3.0 §8.2, the JSON Web Token proof format) made and checked by PyJWT.

The JWT payload is the OpenBadgeCredential itself plus the registered claims the spec asks for:
`iss` = issuer.id, `jti` = id, `sub` = credentialSubject.id, `nbf` = validFrom and, when the
credential expires, `exp` = validUntil. The JOSE header holds only `alg` (RS256, the spec's
minimum), `typ` ("JWT") and `kid`: a URL that dereferences to the public JWK.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import jwt

ALGORITHM = "RS256"
REQUIRED_CLAIMS = ("iss", "jti", "nbf", "sub")


@dataclass(frozen=True)
class Signer:
    """The tool's signing key as a credential uses it: its kid (thumbprint) and both halves."""

    key_id: str
    private_pem: str
    public_jwk: dict[str, Any]


@dataclass(frozen=True)
class Checked:
    """What checking a compact JWS found: the credential it carries, or what is wrong."""

    document: dict[str, Any] | None
    problem: str | None = None

    @property
    def verified(self) -> bool:
        """True when the signature and the claims hold."""
        return self.problem is None and self.document is not None


def _epoch(stamp: str) -> int:
    return int(dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())


def claims_of(document: dict[str, Any]) -> dict[str, Any]:
    """The JWT payload: the credential and its registered claims."""
    claims = dict(document)
    claims.update(
        iss=document["issuer"]["id"], jti=document["id"], sub=document["credentialSubject"]["id"],
        nbf=_epoch(document["validFrom"]),
    )  # fmt: skip
    if "validUntil" in document:
        claims["exp"] = _epoch(document["validUntil"])
    return claims


def sign(document: dict[str, Any], signer: Signer, key_url: str) -> str:
    """The credential as a compact JWS signed with the tool's key."""
    return jwt.encode(
        claims_of(document), signer.private_pem, algorithm=ALGORITHM,
        headers={"kid": key_url, "typ": "JWT"},
    )  # fmt: skip


def key_id_of(token: str) -> str | None:
    """The thumbprint at the end of the token's `kid` URL (None when the token is unreadable)."""
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError:
        return None
    return kid.rstrip("/").rsplit("/", 1)[-1] if isinstance(kid, str) and kid else None


def _mismatch(claims: dict[str, Any]) -> str | None:
    """The first registered claim that disagrees with the credential inside the payload."""
    expected = {
        "iss": claims.get("issuer", {}).get("id"), "jti": claims.get("id"),
        "sub": claims.get("credentialSubject", {}).get("id"),
        "nbf": _epoch(claims["validFrom"]) if "validFrom" in claims else None,
    }  # fmt: skip
    if "validUntil" in claims or "exp" in claims:
        expected["exp"] = _epoch(claims["validUntil"]) if "validUntil" in claims else None
    wrong = [name for name, value in expected.items() if claims.get(name) != value]
    return f"the claims {', '.join(wrong)} do not match the credential" if wrong else None


def check(token: str, public_jwk: dict[str, Any] | None, now: dt.datetime) -> Checked:
    """Verify the signature with `public_jwk` and the claims against the credential.

    Times are compared with `now` (the caller's clock). Expiry is not an error here: the
    caller compares `validUntil` with its clock, so an expired credential still shows as
    genuinely signed.
    """
    if public_jwk is None:
        return Checked(None, "the key that signed it is not published by this tool")
    try:
        key = jwt.PyJWK(public_jwk, algorithm=ALGORITHM)
        claims = jwt.decode(
            token, key.key, algorithms=[ALGORITHM],
            options={"verify_exp": False, "verify_nbf": False, "require": list(REQUIRED_CLAIMS)},
        )  # fmt: skip
    except jwt.PyJWTError as error:
        return Checked(None, f"the signature does not verify ({error})")
    problem = _mismatch(claims)
    if problem is None and int(claims["nbf"]) > now.timestamp():
        problem = "it is not valid yet (validFrom is in the future)"
    document = {k: v for k, v in claims.items() if k not in (*REQUIRED_CLAIMS, "exp")}
    return Checked(document, problem)
