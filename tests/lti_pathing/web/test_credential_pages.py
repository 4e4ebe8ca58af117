"""Credential pages: the learner's badges, the public verification page, the admin's revoke."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from sqlalchemy.orm import Session

from lti_pathing.auth import Actor
from lti_pathing.models import Credential, EvidenceSource, Person, Tenant
from lti_pathing.services.credentials import CredentialService
from lti_pathing.services.evidence import EvidenceService, EvidenceSpec
from lti_pathing.services.job_architecture import RoleSkillSpec
from tests.lti_pathing.web.conftest import Browser


@pytest.fixture
def earned(session: Session, tenant: Tenant, make_skill: Callable[..., Any],
           make_role: Callable[..., Any]) -> Credential:  # fmt: skip
    """Lee's credential for meeting the levels of their target role."""
    python = make_skill(tenant, "python", levels=3)
    role = make_role(tenant, "data-2", [RoleSkillSpec(python.id, 2)], title="Data analyst")
    lee = Person(tenant_id=tenant.id, external_id="e1", name="Lee Learner", target_role_id=role.id)
    session.add(lee)
    session.flush()
    today = dt.date.today()
    spec = EvidenceSpec(lee.id, python.id, 2, EvidenceSource.import_, today)
    EvidenceService(session, tenant).record(spec)
    [credential] = CredentialService(session, tenant).of_person(lee.id)
    return credential


def as_lee(browser: Browser, earned: Credential) -> Browser:
    return browser.sign_in(Actor(earned.tenant_id, earned.person_id, "Lee Learner",
                                 frozenset({"learner"})))  # fmt: skip


def text(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_learner_sees_their_badge_and_its_public_page_verifies(
    browser: Browser, earned: Credential, session: Session
) -> None:
    mine = as_lee(browser, earned).get("/me/badges/")
    assert mine.status_code == 200
    assert "Ready for Data analyst" in text(mine)
    assert 'id="nav-badges"' in text(mine)
    session.refresh(earned)
    assert earned.compact_jws is not None  # signed on first showing
    public = browser.sign_in(None).get(f"/credentials/{earned.public_id}")
    page = text(public)
    assert public.status_code == 200
    assert "Valid" in page and "Verified: signed by Acme Corp" in page
    assert "Lee Learner" not in page  # not named until they allow it
    assert "python" in page


def test_the_learner_chooses_to_show_their_name_by_a_form_with_csrf(
    browser: Browser, earned: Credential
) -> None:
    lee = as_lee(browser, earned)
    url = f"/me/badges/{earned.public_id}/name"
    assert lee.post(url, {"show": "yes"}, csrf=False).status_code == 400
    assert lee.post(url, {"show": "yes"}).status_code == 302
    assert "Lee Learner" in text(browser.client.get(f"/credentials/{earned.public_id}"))
    lee.post(url, {"show": "no"})
    assert "Lee Learner" not in text(browser.client.get(f"/credentials/{earned.public_id}"))


def test_downloads_carry_the_signed_credential(browser: Browser, earned: Credential) -> None:
    token = browser.get(f"/credentials/{earned.public_id}/credential.jwt?download=1")
    assert token.mimetype == "application/jwt"
    assert "attachment" in token.headers["Content-Disposition"]
    claims = jwt.decode(token.get_data(as_text=True), options={"verify_signature": False})
    assert claims["jti"].endswith(f"/credentials/{earned.public_id}")
    body = browser.get(f"/credentials/{earned.public_id}/credential.json").get_json()
    assert [a["targetCode"] for a in body["credentialSubject"]["achievement"]["alignment"]] == [
        "data-2",
        "python",
    ]
    assert body["id"] == claims["jti"] and body["issuer"]["id"] == claims["iss"]
    assert browser.get(body["issuer"]["id"].split("localhost", 1)[1]).get_json()["name"] == (
        "Acme Corp"
    )


def test_a_verifier_asking_for_json_gets_the_signed_credential_and_its_status(
    browser: Browser, earned: Credential
) -> None:
    url = f"/credentials/{earned.public_id}"
    answer = browser.get(url, headers={"Accept": "application/json"}).get_json()
    assert answer["status"] == "valid" and answer["signatureVerified"] is True
    claims = jwt.decode(answer["compactJwsString"], options={"verify_signature": False})
    assert answer["credential"]["id"] == claims["jti"]
    assert "<h1>" in browser.get(url, headers={"Accept": "text/html"}).get_data(as_text=True)


def test_an_unknown_credential_is_not_found(browser: Browser) -> None:
    assert browser.get("/credentials/6f0c1e52-3f1b-4d55-9a52-0d7c3b1f2a71").status_code == 404
    assert browser.get("/credentials/keys/no-such-key").status_code == 404
    assert browser.get("/credentials/issuers/nobody/revocations").status_code == 404


def test_the_admin_revokes_with_a_reason_and_the_public_page_says_so(
    admin: Browser, earned: Credential, session: Session
) -> None:
    listed = admin.get("/admin/credentials/")
    assert listed.status_code == 200 and "Lee Learner" in text(listed)
    url = f"/admin/credentials/{earned.public_id}/revoke"
    assert admin.get(url).status_code == 200
    refused = admin.post(url, {"reason": ""})
    assert refused.status_code == 422 and "say why it is revoked" in text(refused)
    assert admin.post(url, {"reason": "x"}, csrf=False).status_code == 400
    session.refresh(earned)
    assert earned.revoked_at is None
    assert admin.post(url, {"reason": "assessed in error"}).status_code == 302
    page = text(admin.client.get(f"/credentials/{earned.public_id}"))
    assert "Revoked" in page and "assessed in error" in page


def test_only_admins_of_its_tenant_reach_the_credentials_admin(
    browser: Browser, earned: Credential, make_tenant: Callable[..., Any],
    make_actor: Callable[..., Actor], session: Session,
) -> None:  # fmt: skip
    assert as_lee(browser, earned).get("/admin/credentials/").status_code == 403
    url = f"/admin/credentials/{earned.public_id}/revoke"
    assert browser.post(url, {"reason": "mine"}).status_code == 403
    stranger = browser.sign_in(make_actor(make_tenant("other"), "admin"))
    assert stranger.get("/admin/credentials/").status_code == 200
    assert "Lee Learner" not in text(stranger.get("/admin/credentials/"))
    assert stranger.post(url, {"reason": "not ours"}).status_code == 404
    session.refresh(earned)
    assert earned.revoked_at is None
    assert browser.sign_in(None).get("/me/badges/").status_code == 401
