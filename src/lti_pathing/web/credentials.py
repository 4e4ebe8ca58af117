"""Public pages of credentials: verification page, signed JSON and JWT, issuer profile, keys.

No sign-in: a credential's address is handed out by its holder (the public id is random). The
document is signed on its first publication (here or on the learner's page), with the tool's
current key, and never changes after.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from sqlalchemy import select

from lti_pathing import db
from lti_pathing.errors import NotFound
from lti_pathing.lti.keys import key_service
from lti_pathing.models import Credential, Tenant
from lti_pathing.security import public_url
from lti_pathing.services.credentials import (
    CredentialService,
    Standing,
    public_credential,
    published_key,
    verify_stored,
)
from lti_pathing.services.credentials.document import Addresses, issuer_profile
from lti_pathing.services.credentials.signing import Checked, Signer

bp = Blueprint("credentials", __name__, url_prefix="/credentials")
JWT_TYPE = "application/jwt"  # RFC 7519's media type for a compact JWT


def signer() -> Signer:
    """The tool's current signing key, as credentials use it."""
    keys = key_service()
    key = keys.ensure_key()
    return Signer(key.kid, keys.signing_key().private_pem, key.jwk())


def published(credential: Credential) -> Credential:
    """The credential with its signed document (signed now if it never was)."""
    if credential.compact_jws is not None:
        return credential
    tenant = db.session().get_one(Tenant, credential.tenant_id)
    key = signer()
    urls = addresses(tenant, key, credential.public_id)
    days = current_app.config["CREDENTIAL_VALID_DAYS"]
    return CredentialService(db.session(), tenant).publish(credential, key, urls, days)


def addresses(tenant: Tenant, key: Signer, public_id: str | None = None) -> Addresses:
    """The public URLs a credential (or the issuer's revocation list) names."""
    page = public_url("credentials.verify", public_id=public_id) if public_id else ""
    return Addresses(
        credential=page,
        issuer=public_url("credentials.issuer", slug=tenant.slug),
        key=public_url("credentials.key", kid=key.key_id),
        status=public_url("credentials.revocations", slug=tenant.slug),
    )


def _found(public_id: uuid.UUID) -> Credential:
    credential = public_credential(db.session(), str(public_id))
    if credential is None:
        raise NotFound("No credential has this address.")
    return published(credential)


def _download(body: str, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    if "download" in request.args:
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def verification(credential: Credential, checked: Checked, standing: Standing) -> dict[str, Any]:
    """The verification as JSON: the signed credential (both forms), its status and why."""
    return {
        "credential": json.loads(credential.credential_json or "{}"),
        "compactJwsString": credential.compact_jws,
        "status": standing.value,
        "revocationReason": credential.revoke_reason,
        "signatureVerified": checked.verified,
        "problem": checked.problem,
    }


@bp.get("/<uuid:public_id>")
def verify(public_id: uuid.UUID) -> str | Response:
    """The verification page: who issued what to whom, when, its status and its signature.

    A client asking for JSON (a verifier dereferencing the credential's id) gets the same as JSON.
    """
    credential = _found(public_id)
    tenant = db.session().get_one(Tenant, credential.tenant_id)
    service = CredentialService(db.session(), tenant)
    checked = verify_stored(db.session(), credential, service.clock())
    standing = service.standing(credential)
    if _wants_json():
        return jsonify(verification(credential, checked, standing))
    document: dict[str, Any] = json.loads(credential.credential_json or "{}")
    return render_template(
        "credentials/verify.html", credential=credential, tenant=tenant, checked=checked,
        standing=standing, document=document,
        key_url=public_url("credentials.key", kid=credential.key_id),
        jwks_url=public_url("lti_keys.jwks"),
    )  # fmt: skip


@bp.get("/<uuid:public_id>/credential.json")
def as_json(public_id: uuid.UUID) -> Response:
    """The signed OpenBadgeCredential as JSON (`?download` saves it as a file)."""
    credential = _found(public_id)
    return _download(credential.credential_json or "", "application/json",
                     f"credential-{credential.public_id}.json")  # fmt: skip


@bp.get("/<uuid:public_id>/credential.jwt")
def as_jwt(public_id: uuid.UUID) -> Response:
    """The credential with its proof: a VC-JWT compact JWS, for a wallet or backpack."""
    credential = _found(public_id)
    return _download(credential.compact_jws or "", JWT_TYPE,
                     f"credential-{credential.public_id}.jwt")  # fmt: skip


@bp.get("/keys/<kid>")
def key(kid: str) -> Response:
    """The public JWK a credential's `kid` names (never a private key)."""
    found = published_key(db.session(), kid[:100])
    if found is None:
        raise NotFound("This tool has no key with this id.")
    response = jsonify(found)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _issuer(slug: str) -> Tenant:
    tenant = db.session().scalar(select(Tenant).where(Tenant.slug == slug[:64]))
    if tenant is None:
        raise NotFound("No issuer has this address.")
    return tenant


@bp.get("/issuers/<slug>")
def issuer(slug: str) -> Response:
    """The issuing organisation's Open Badges Profile."""
    tenant = _issuer(slug)
    return jsonify(issuer_profile(tenant, public_url("credentials.issuer", slug=tenant.slug)))


@bp.get("/issuers/<slug>/revocations")
def revocations(slug: str) -> Response:
    """The organisation's revocation list: a Bitstring Status List credential, as a VC-JWT."""
    tenant = _issuer(slug)
    key = signer()
    token = CredentialService(db.session(), tenant).revocation_list(key, addresses(tenant, key))
    response = Response(token, mimetype=JWT_TYPE)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
