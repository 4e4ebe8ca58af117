"""A credential verifies on its own: fetched over HTTP, checked with jwcrypto against the JWKS.

The tool serves on 127.0.0.1 with its own SQLite database. The verifier here shares no code with
the tool's signing (PyJWT): it follows the JOSE header's `kid` URL, and the tool's published key
set, as a wallet or another organisation would, and a changed byte fails the check.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from jwcrypto.common import JWException, base64url_decode, base64url_encode
from jwcrypto.jwk import JWK
from jwcrypto.jws import JWS

from lti_pathing import create_app, migrate
from lti_pathing.db import database, transaction
from lti_pathing.models import EvidenceSource, Person, RoleLevel, Track
from lti_pathing.services.credentials import CredentialService
from lti_pathing.services.credentials.status import is_set
from lti_pathing.services.evidence import EvidenceService, EvidenceSpec
from lti_pathing.services.job_architecture import JobArchitectureService, RoleSkillSpec
from lti_pathing.services.skills import LevelSpec, SkillService
from lti_pathing.services.tenants import TenantService
from tests.support.servers import LiveServer


@pytest.fixture(scope="module")
def tool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str, Flask]]:
    """The tool on 127.0.0.1, the public id of a credential it awarded, and the tool's app."""
    folder: Path = tmp_path_factory.mktemp("credential-tool")
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'tool.sqlite3'}",
                      "SECRET_KEY": "credentials-" * 4})  # fmt: skip
    app.instance_path = str(folder)
    with database(app).engine.begin() as connection:
        migrate.upgrade(connection)
    with transaction(app) as session:
        tenant = TenantService(session).get_or_create("acme")
        skill = SkillService(session, tenant).create_skill(
            {"external_id": "python", "name": "Python"},
            [LevelSpec(1, "Basic"), LevelSpec(2, "Good")],
        )
        jobs = JobArchitectureService(session, tenant)
        family = jobs.create_family({"external_id": "eng", "name": "Engineering"})
        role = jobs.create_role({"external_id": "data-2", "title": "Data analyst",
                                 "family_id": family.id, "track": Track.individual,
                                 "level": RoleLevel.mid, "level_rank": 2},
                                [RoleSkillSpec(skill.id, 2)])  # fmt: skip
        lee = Person(tenant_id=tenant.id, external_id="e1", name="Lee", target_role_id=role.id)
        session.add(lee)
        session.flush()
        spec = EvidenceSpec(lee.id, skill.id, 2, EvidenceSource.import_, dt.date.today())
        EvidenceService(session, tenant).record(spec)
        public_id = CredentialService(session, tenant).of_person(lee.id)[0].public_id
    server = LiveServer("127.0.0.1").start(app)
    try:
        yield server, public_id, app
    finally:
        server.stop()
        database(app).engine.dispose()


def fetch(url: str) -> requests.Response:
    response = requests.get(url, timeout=30)
    response.raise_for_status()
    return response


def header_of(token: str) -> dict[str, Any]:
    header: dict[str, Any] = json.loads(base64url_decode(token.split(".")[0]))
    return header


def verified_payload(token: str, key: JWK) -> dict[str, Any]:
    """The payload, after jwcrypto checked the RS256 signature (JWException if it does not)."""
    jws = JWS()
    jws.deserialize(token)
    jws.verify(key, alg="RS256")
    payload: dict[str, Any] = json.loads(jws.payload)
    return payload


def test_the_credential_verifies_with_the_published_key_and_tampering_fails(
    tool: tuple[LiveServer, str, Flask],
) -> None:
    server, public_id, _app = tool
    page = fetch(f"{server.url}/credentials/{public_id}")
    assert "Verified" in page.text
    token = fetch(f"{server.url}/credentials/{public_id}/credential.jwt").text
    header = header_of(token)
    assert header["alg"] == "RS256" and set(header) == {"alg", "kid", "typ"}
    # The key set the tool publishes for every platform holds the key the `kid` URL names.
    kid_url = header["kid"]
    assert kid_url.startswith(f"{server.url}/credentials/keys/")
    published = {k["kid"]: k for k in fetch(f"{server.url}/.well-known/jwks.json").json()["keys"]}
    from_set = JWK(**published[kid_url.rsplit("/", 1)[1]])
    from_kid = JWK(**fetch(kid_url).json())
    assert from_kid.thumbprint() == from_set.thumbprint()
    assert not from_kid.has_private
    payload = verified_payload(token, from_set)
    assert payload["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert payload["iss"] == payload["issuer"]["id"] and payload["jti"] == payload["id"]
    assert payload["sub"] == payload["credentialSubject"]["id"]
    assert fetch(payload["issuer"]["id"]).json()["name"] == "acme"  # the tenant's name
    aligned = payload["credentialSubject"]["achievement"]["alignment"]
    assert [a["targetCode"] for a in aligned] == ["data-2", "python"]
    as_json = fetch(f"{server.url}/credentials/{public_id}/credential.json").json()
    assert {k: v for k, v in payload.items() if k not in ("iss", "jti", "sub", "nbf")} == as_json

    head, body, signature = token.split(".")
    changed = dict(payload, name="Ready for Chief Executive")
    forged = base64url_encode(json.dumps(changed).encode())
    with pytest.raises(JWException):
        verified_payload(f"{head}.{forged}.{signature}", from_set)
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    with pytest.raises(JWException):
        verified_payload(f"{head}.{body}.{flipped}", from_set)


def test_a_revocation_reaches_the_signed_revocation_list_a_wallet_checks(
    tool: tuple[LiveServer, str, Flask],
) -> None:
    server, public_id, app = tool
    token = fetch(f"{server.url}/credentials/{public_id}/credential.jwt").text
    keys = fetch(f"{server.url}/.well-known/jwks.json").json()["keys"]
    entry = verified_payload(token, JWK(**keys[0]))["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry"

    def revoked() -> bool:
        listing = fetch(entry["statusListCredential"]).text
        key_id = header_of(listing)["kid"].rsplit("/", 1)[1]
        key = JWK(**next(k for k in keys if k["kid"] == key_id))
        subject = verified_payload(listing, key)["credentialSubject"]
        assert subject["statusPurpose"] == "revocation"
        return is_set(subject["encodedList"], int(entry["statusListIndex"]))

    assert revoked() is False
    with transaction(app) as session:
        tenant = TenantService(session).get_or_create("acme")
        CredentialService(session, tenant).revoke(public_id, None, "issued in error")
    assert revoked() is True
    assert fetch(f"{server.url}/credentials/{public_id}").text.count("issued in error") == 1
