"""Credentials are awarded once when earned, by assessed levels or a completed approved plan."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from sqlalchemy.orm import Session

from lti_pathing.errors import Conflict, Invalid, NotFound
from lti_pathing.lti.keys import new_key_pair
from lti_pathing.models import (
    Activity,
    ActivityKind,
    ActivityOutcome,
    CompletionChannel,
    CompletionRecord,
    Credential,
    CredentialKind,
    EvidenceSource,
    ItemStatus,
    Person,
    Plan,
    PlanItem,
    PlanStatus,
    Tenant,
)
from lti_pathing.services.completions import CompletionService
from lti_pathing.services.credentials import CredentialService, Standing, status, verify_stored
from lti_pathing.services.credentials.document import Addresses
from lti_pathing.services.credentials.signing import Signer, check
from lti_pathing.services.evidence import EvidenceService, EvidenceSpec
from lti_pathing.services.job_architecture import RoleSkillSpec
from lti_pathing.services.self_assessment import SelfAssessmentService

NOW = dt.datetime(2027, 3, 1, 9, 30, tzinfo=dt.UTC)


def urls(key: Signer) -> Addresses:
    """The addresses a credential names, its `kid` URL ending in the key's thumbprint."""
    return Addresses("https://tool.example/credentials/x",
                     "https://tool.example/credentials/issuers/acme",
                     f"https://tool.example/credentials/keys/{key.key_id}",
                     "https://tool.example/credentials/issuers/acme/revocations")  # fmt: skip


def clock() -> dt.datetime:
    return NOW


@pytest.fixture
def org(session: Session, tenant: Tenant, make_skill: Callable[..., Any],
        make_role: Callable[..., Any]) -> dict[str, Any]:  # fmt: skip
    """A role needing Python 2 and SQL 1, and a learner targeting it."""
    python = make_skill(
        tenant, "python", levels=3, source_uri="http://data.europa.eu/esco/skill/ccd0a1d9"
    )
    sql = make_skill(tenant, "sql", levels=3)
    role = make_role(tenant, "data-2", [RoleSkillSpec(python.id, 2), RoleSkillSpec(sql.id, 1)])
    boss = Person(tenant_id=tenant.id, external_id="m1", name="Mia Manager")
    session.add(boss)
    session.flush()
    learner = Person(tenant_id=tenant.id, external_id="e1", name="Lee Learner",
                     email="Lee@Example.org", target_role_id=role.id,
                     manager_id=boss.id)  # fmt: skip
    session.add(learner)
    session.flush()
    return {"python": python, "sql": sql, "role": role, "learner": learner, "boss": boss}


def assess(session: Session, tenant: Tenant, org: dict[str, Any], skill: str, level: int,
           source: EvidenceSource = EvidenceSource.manager) -> None:  # fmt: skip
    spec = EvidenceSpec(org["learner"].id, org[skill].id, level, source, NOW.date(),
                        recorded_by_id=org["boss"].id)  # fmt: skip
    EvidenceService(session, tenant, clock).record(spec)


def credentials(session: Session, tenant: Tenant, person: Person) -> list[Credential]:
    return CredentialService(session, tenant, clock).of_person(person.id)


def signer() -> Signer:
    pem, public = new_key_pair()
    return Signer(public["kid"], pem, public)


def test_assessed_levels_meeting_the_target_role_award_one_credential(
    session: Session, tenant: Tenant, org: dict[str, Any]
) -> None:
    assess(session, tenant, org, "python", 2)
    assert credentials(session, tenant, org["learner"]) == []  # SQL not assessed yet
    assess(session, tenant, org, "sql", 1)
    [badge] = credentials(session, tenant, org["learner"])
    assert badge.kind is CredentialKind.role_ready
    assert badge.achievement["name"] == "Ready for DATA-2"
    assert [s["external_id"] for s in badge.achievement["skills"]] == ["python", "sql"]
    assess(session, tenant, org, "sql", 3)  # earned again: still one
    assert len(credentials(session, tenant, org["learner"])) == 1


def test_a_retired_role_or_person_earns_nothing(
    session: Session, tenant: Tenant, org: dict[str, Any]
) -> None:
    org["role"].active = False
    assess(session, tenant, org, "python", 2)
    assess(session, tenant, org, "sql", 1)
    assert credentials(session, tenant, org["learner"]) == []
    org["role"].active, org["learner"].active = True, False
    assert CredentialService(session, tenant, clock).award_due(org["learner"].id) == []
    org["learner"].active = True
    assert len(CredentialService(session, tenant, clock).award_due(org["learner"].id)) == 1


def test_self_assessment_alone_never_earns_a_credential(
    session: Session, tenant: Tenant, org: dict[str, Any]
) -> None:
    assess(session, tenant, org, "python", 3)
    SelfAssessmentService(session, tenant, clock).record(org["learner"].id, org["sql"].id, 3)
    service = CredentialService(session, tenant, clock)
    assert service.award_due(org["learner"].id) == []
    assess(session, tenant, org, "sql", 1, EvidenceSource.import_)
    assert len(credentials(session, tenant, org["learner"])) == 1


def test_a_completed_approved_plan_awards_its_credential_through_the_lms_completion(
    session: Session, tenant: Tenant, org: dict[str, Any]
) -> None:
    course = Activity(tenant_id=tenant.id, external_id="sql-101", kind=ActivityKind.course,
                      title="SQL basics", duration_weeks=2, hours_per_week=2)  # fmt: skip
    course.outcomes.append(ActivityOutcome(tenant_id=tenant.id, skill_id=org["sql"].id, level=1))
    session.add(course)
    session.flush()
    plan = Plan(tenant_id=tenant.id, person_id=org["learner"].id, status=PlanStatus.approved,
                target_role_id=org["role"].id, starts_on=NOW.date())  # fmt: skip
    plan.items.append(
        PlanItem(tenant_id=tenant.id, activity_id=course.id, start_week=0, end_week=2)
    )
    session.add(plan)
    session.flush()
    record = CompletionRecord(tenant_id=tenant.id, person_id=org["learner"].id,
                              channel=CompletionChannel.csv, key="sql-101", activity_id=course.id,
                              completed_at=NOW, raw_status="complete")  # fmt: skip
    session.add(record)
    session.flush()
    CompletionService(session, tenant, clock).apply_record(record)
    [badge] = credentials(session, tenant, org["learner"])
    assert badge.kind is CredentialKind.plan_completed and badge.plan_id == plan.id
    assert badge.achievement["name"] == "Completed a development plan towards DATA-2"
    assert badge.achievement["skills"][0]["external_id"] == "sql"
    assert plan.items[0].status is ItemStatus.completed
    assert CredentialService(session, tenant, clock).award_due(org["learner"].id) == []


def test_signed_document_is_an_open_badge_whose_proof_verifies_and_tampering_fails(
    session: Session, tenant: Tenant, org: dict[str, Any]
) -> None:
    assess(session, tenant, org, "python", 2)
    assess(session, tenant, org, "sql", 1)
    [badge] = credentials(session, tenant, org["learner"])
    key = signer()
    CredentialService(session, tenant, clock).publish(badge, key, urls(key), valid_days=0)
    body = json.loads(badge.credential_json or "")
    assert body["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert body["validFrom"] == "2027-03-01T09:30:00Z" and "validUntil" not in body
    role, python, sql = body["credentialSubject"]["achievement"]["alignment"]
    assert (role["targetCode"], role["targetName"]) == ("data-2", "DATA-2")
    assert role["targetUrl"] == "https://tool.example/credentials/x#role"
    assert python["targetCode"] == "python"
    assert python["targetUrl"] == "http://data.europa.eu/esco/skill/ccd0a1d9"
    assert sql["targetUrl"] == "https://tool.example/credentials/x#skill-2"
    [who] = body["credentialSubject"]["identifier"]
    assert who["hashed"] is True and "lee@example.org" not in json.dumps(body).lower()
    assert jwt.get_unverified_header(badge.compact_jws or "") == {
        "alg": "RS256", "kid": urls(key).key, "typ": "JWT"}  # fmt: skip
    checked = verify_stored(session, badge, NOW)
    assert checked.verified and checked.document == body
    header, _payload, signature = (badge.compact_jws or "").split(".")
    claims = jwt.decode(badge.compact_jws or "", options={"verify_signature": False})
    forged = jwt.utils.base64url_encode(json.dumps({**claims, "name": "Ready for CEO"}).encode())
    assert check(badge.compact_jws or "", key.public_jwk, NOW).verified
    assert not check(f"{header}.{forged.decode()}.{signature}", key.public_jwk, NOW).verified
    assert not check(badge.compact_jws or "", signer().public_jwk, NOW).verified  # another key
    again = signer()
    CredentialService(session, tenant, clock).publish(badge, again, urls(again), valid_days=0)
    assert verify_stored(
        session, badge, NOW
    ).verified  # signed once: a second publish changes nothing


def test_expiry_and_revocation_show_in_the_standing(
    session: Session, tenant: Tenant, org: dict[str, Any]
) -> None:
    assess(session, tenant, org, "python", 2)
    assess(session, tenant, org, "sql", 1)
    [badge] = credentials(session, tenant, org["learner"])
    key = signer()
    CredentialService(session, tenant, clock).publish(badge, key, urls(key), valid_days=30)
    assert json.loads(badge.credential_json or "")["validUntil"] == "2027-03-31T09:30:00Z"
    assert CredentialService(session, tenant, clock).standing(badge) is Standing.valid
    later = CredentialService(session, tenant, lambda: NOW + dt.timedelta(days=31))
    assert later.standing(badge) is Standing.expired
    assert verify_stored(session, badge, NOW + dt.timedelta(days=31)).verified  # expired, signed
    assert not verify_stored(session, badge, NOW - dt.timedelta(days=1)).verified  # not yet
    service = CredentialService(session, tenant, clock)
    with pytest.raises(Invalid) as refused:
        service.revoke(badge.public_id, org["boss"].id, "   ")
    assert refused.value.errors == {"reason": ["say why it is revoked"]}
    assert badge.revoked_at is None
    service.revoke(badge.public_id, org["boss"].id, "assessed in error")
    assert (
        service.standing(badge) is Standing.revoked and badge.revoke_reason == "assessed in error"
    )
    with pytest.raises(Conflict):
        service.revoke(badge.public_id, org["boss"].id, "again")
    assess(session, tenant, org, "python", 3)  # earned again: a revoked award is not re-issued
    assert len(credentials(session, tenant, org["learner"])) == 1


def test_the_revocation_list_a_wallet_checks_sets_the_revoked_credentials_bit(
    session: Session, tenant: Tenant, org: dict[str, Any]
) -> None:
    assess(session, tenant, org, "python", 2)
    assess(session, tenant, org, "sql", 1)
    [badge] = credentials(session, tenant, org["learner"])
    key = signer()
    service = CredentialService(session, tenant, clock)
    service.publish(badge, key, urls(key), valid_days=0)
    entry = json.loads(badge.credential_json or "")["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry" and entry["statusPurpose"] == "revocation"
    assert entry["statusListCredential"] == urls(key).status
    index = int(entry["statusListIndex"])

    def listed() -> bool:
        token = service.revocation_list(key, urls(key))
        checked = check(token, key.public_jwk, NOW)
        assert checked.verified and checked.document is not None
        subject = checked.document["credentialSubject"]
        assert subject["type"] == "BitstringStatusList"
        assert len(gzip.decompress(base64.urlsafe_b64decode(subject["encodedList"][1:] + "==")))
        return status.is_set(subject["encodedList"], index)

    assert listed() is False
    service.revoke(badge.public_id, None, "wrong person")
    assert listed() is True
    assert not status.is_set(status.encode([index]), index + 1)
    assert len(status.encode([])) < 200  # 16 KB of zeros compress to little


def test_another_tenant_never_reaches_a_credential(
    session: Session, tenant: Tenant, org: dict[str, Any], make_tenant: Callable[..., Any]
) -> None:
    assess(session, tenant, org, "python", 2)
    assess(session, tenant, org, "sql", 1)
    [badge] = credentials(session, tenant, org["learner"])
    other = CredentialService(session, make_tenant("other"), clock)
    with pytest.raises(NotFound):
        other.find(badge.public_id)
    with pytest.raises(NotFound):
        other.revoke(badge.public_id, None, "not theirs")
    assert other.of_person(org["learner"].id) == []
    with pytest.raises(NotFound):  # and a person reaches only their own
        CredentialService(session, tenant, clock).show_name(org["boss"].id, badge.public_id, True)
