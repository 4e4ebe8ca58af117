"""Badges: a learner opens their badge and its public page; an admin revokes it, with a reason.

Reached by clicking from the landing page in the LMS iframe; axe-core runs on every page and
state. The badge is earned the real way (assessed levels meeting the learner's target role);
the evidence and the badge are removed afterwards so the other journeys see the sample data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from sqlalchemy import delete, select

from lti_pathing.db import transaction
from lti_pathing.models import Credential, Evidence, EvidenceSource, Person, Tenant
from lti_pathing.services.credentials import CredentialService
from lti_pathing.services.evidence import EvidenceService, EvidenceSpec
from lti_pathing.services.pathways import PathwayService
from tests.browser.axe import assert_accessible
from tests.browser.lms import ADMIN, LEARNER, download, open_tool
from tests.support.lti_servers import LtiServers

LEARNER_ID = "E1029"  # the employee id of the LMS user LEARNER (Kenji)


@pytest.fixture
def badge(servers: LtiServers) -> Iterator[str]:
    """The learner's badge for their target role (its achievement's name)."""
    with transaction(servers.tool_app) as session:
        person = session.scalars(select(Person).where(Person.external_id == LEARNER_ID)).one()
        tenant = session.get_one(Tenant, person.tenant_id)
        assert person.target_role_id is not None
        role = PathwayService(session, tenant).role_with_skills(person.target_role_id)
        recorded = [
            EvidenceService(session, tenant).record(EvidenceSpec(
                person.id, need.skill_id, need.level, EvidenceSource.import_,
                dt.date.today(), note="browser test",
            )).id
            for need in role.skills
        ]  # fmt: skip
        [credential] = CredentialService(session, tenant).of_person(person.id)
        name = credential.achievement["name"]
    try:
        yield name
    finally:
        with transaction(servers.tool_app) as session:
            session.execute(delete(Credential).where(Credential.person_id == person.id))
            session.execute(delete(Evidence).where(Evidence.id.in_(recorded)))


def test_a_learner_opens_their_badge_and_an_admin_revokes_it(
    page: Any, servers: LtiServers, badge: str
) -> None:
    frame = open_tool(page, servers, LEARNER)
    frame.get_by_role("link", name="My badges", exact=True).first.click()
    frame.get_by_role("heading", name="My badges", level=1).wait_for()
    assert badge in frame.locator("#badges").inner_text()
    assert_accessible(frame)
    saved = download(page, frame.get_by_role("link", name=f"Download signed (JWT) {badge}"))
    token = Path(saved.path()).read_text()
    assert jwt.decode(token, options={"verify_signature": False})["name"] == badge
    frame.get_by_role("button", name="Show my name").click()
    frame.get_by_text("now shows your name").wait_for()
    assert_accessible(frame)
    frame.get_by_role("link", name=f"Public page of {badge}").click()
    frame.get_by_role("heading", name=badge, level=1).wait_for()
    assert frame.locator("#credential-status").inner_text().strip() == "Valid"
    assert frame.locator("#credential-signature").inner_text().startswith("Verified")
    public_url = frame.url
    assert_accessible(frame)

    frame = open_tool(page, servers, ADMIN)
    frame.get_by_role("link", name="Credentials", exact=True).first.click()
    frame.get_by_role("heading", name="Credentials", level=1).wait_for()
    assert_accessible(frame)
    frame.locator("#credentials tr", has_text=badge).get_by_role("link", name="Revoke").click()
    frame.get_by_role("button", name="Revoke credential").click()  # no reason: asked for one
    frame.locator("#error-summary").wait_for()
    assert_accessible(frame)
    frame.get_by_label("Reason (shown on the public page)").fill("Assessed against the wrong role")
    frame.get_by_role("button", name="Revoke credential").click()
    frame.get_by_role("heading", name="Credentials", level=1).wait_for()
    assert "Revoked" in frame.locator("#credentials tr", has_text=badge).inner_text()

    page.goto(public_url)  # the public page, outside the LMS, signed in or not
    page.get_by_role("heading", name=badge, level=1).wait_for()
    assert page.locator("#credential-status").inner_text().startswith("Revoked")
    assert "Assessed against the wrong role" in page.locator("#revocation").inner_text()
    assert_accessible(page)
