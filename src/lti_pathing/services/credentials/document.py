"""The Open Badges 3.0 document of a credential: achievement snapshot in, OpenBadgeCredential out.

`snapshot_*` fix what a credential says when it is awarded (names, levels, criteria), as plain
JSON kept on the row; `open_badge` turns a snapshot into the credential (W3C Verifiable
Credentials Data Model 2.0, 1EdTech OB 3.0 context) once the tool's public address is known.
`alignment` is the one place that says how a role or a skill is aligned: other sources of
identifiers (a framework's own id, kept by an import) extend it there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lti_pathing.models import Credential, Person, Plan, Role, Skill, Tenant
from lti_pathing.services.credentials.status import VC_CONTEXT, entry

CONTEXT = [
    VC_CONTEXT,
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
SCHEMA = {
    "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
    "type": "1EdTechJsonSchemaValidator2019",
}
# A fixed namespace: a person's subject id is the same in every credential of theirs (a wallet
# groups them) without revealing their employee id.
SUBJECT_NAMESPACE = uuid.UUID("6f0c1e52-3f1b-4d55-9a52-0d7c3b1f2a71")


@dataclass(frozen=True)
class Addresses:
    """The public URLs a credential names (the tool's address is known only in a request)."""

    credential: str  # the verification page; also the credential's id
    issuer: str  # the issuer Profile as JSON
    key: str  # the signing key as a JWK: the JOSE header's `kid`
    status: str  # the issuer's revocation list (a Bitstring Status List credential)


def skill_row(skill: Skill, required: int, level: int) -> dict[str, Any]:
    """What a snapshot keeps of one skill: its identifiers, the level asked and the level held."""
    names = {lv.level: lv.name for lv in skill.levels}
    return {
        "external_id": skill.external_id, "name": skill.name,
        "description": skill.description or "", "source_uri": skill.source_uri,
        "required": required, "required_name": names.get(required, f"level {required}"),
        "level": level,
    }  # fmt: skip


def snapshot_role(tenant: Tenant, role: Role, levels: dict[int, int]) -> dict[str, Any]:
    """The achievement of meeting every required level of `role`."""
    skills = [skill_row(rs.skill, rs.level, levels.get(rs.skill_id, 0)) for rs in role.skills]
    wanted = "; ".join(
        f"{s['name']} at level {s['required']} ({s['required_name']})" for s in skills
    )
    return {
        "name": f"Ready for {role.title}",
        "description": f"Has shown every skill level that the role {role.title} at "
        f"{tenant.name} requires, as assessed by the organisation.",
        "criteria": f"Assessed at or above every required level of {role.title}: {wanted}. "
        "Self-assessment alone does not count.",
        "achievement_type": "Competency",
        "about": {"kind": "role", "external_id": role.external_id, "title": role.title},
        "skills": skills,
    }


def snapshot_plan(tenant: Tenant, plan: Plan, skills: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The achievement of completing every item of an approved development plan."""
    role = plan.target_role
    towards = f" towards {role.title}" if role is not None else ""
    done = [item.activity.title for item in plan.items if item.status.value == "completed"]
    return {
        "name": f"Completed a development plan{towards}",
        "description": f"Completed every activity of a development plan{towards} that their "
        f"manager at {tenant.name} approved.",
        "criteria": "Completed, as recorded by the organisation's learning platform: "
        + "; ".join(done) + ".",
        "achievement_type": "LearningProgram",
        "about": {"kind": "plan", "plan_id": plan.id,
                  "external_id": role.external_id if role else None,
                  "title": role.title if role else None},
        "skills": list(skills),
    }  # fmt: skip


def alignment(item: dict[str, Any], target_url: str) -> dict[str, Any]:
    """The OB 3.0 Alignment of a role or skill snapshot: its organisation id, and its source.

    `targetCode` is the external id the organisation gives it; `targetUrl` is the framework
    item it came from when it names one (an ESCO or O*NET URI), else `target_url` (its entry on
    the credential's public page).
    """
    aligned: dict[str, Any] = {
        "type": ["Alignment"],
        "targetName": item.get("name") or item.get("title"),
        "targetCode": item["external_id"],
        "targetUrl": item.get("source_uri") or target_url,
    }
    if item.get("description"):
        aligned["targetDescription"] = item["description"]
    return aligned


def alignments(snapshot: dict[str, Any], credential_url: str) -> list[dict[str, Any]]:
    """The achievement's alignments: the role it is about (if any), then each skill."""
    about = snapshot["about"]
    role = [alignment(about, f"{credential_url}#role")] if about.get("external_id") else []
    return role + [
        alignment(skill, f"{credential_url}#skill-{n}")
        for n, skill in enumerate(snapshot["skills"], start=1)
    ]


def subject_id(tenant: Tenant, person: Person) -> str:
    """The person's stable, opaque subject id (a UUID derived from tool-internal ids)."""
    return f"urn:uuid:{uuid.uuid5(SUBJECT_NAMESPACE, f'{tenant.id}:{person.id}')}"


def identity(person: Person, salt: str) -> list[dict[str, Any]]:
    """The recipient's e-mail as a salted hash (a backpack matches it), when one is known."""
    if not person.email:
        return []
    digest = hashlib.sha256((person.email.strip().lower() + salt).encode()).hexdigest()
    return [{
        "type": "IdentityObject", "identityHash": f"sha256${digest}",
        "identityType": "emailAddress", "hashed": True, "salt": salt,
    }]  # fmt: skip


def stamp(moment: dt.datetime) -> str:
    """An XML Schema dateTime in UTC, to the second (what `nbf`/`exp` can say exactly)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def achievement_of(credential: Credential, tenant: Tenant, url: str) -> dict[str, Any]:
    """The OB 3.0 Achievement of a credential's snapshot."""
    snap = credential.achievement
    about = snap["about"]
    key = about.get("external_id") or f"plan-{about.get('plan_id')}"
    return {
        "id": f"urn:lti-pathing:{tenant.slug}:{about['kind']}:{key}",
        "type": ["Achievement"],
        "achievementType": snap["achievement_type"],
        "name": snap["name"],
        "description": snap["description"],
        "criteria": {"narrative": snap["criteria"]},
        "alignment": alignments(snap, url),
    }


def open_badge(
    credential: Credential, tenant: Tenant, urls: Addresses, valid_until: dt.datetime | None
) -> dict[str, Any]:
    """The OpenBadgeCredential that is signed (the VC-JWT payload less the JWT claims)."""
    subject: dict[str, Any] = {
        "id": subject_id(tenant, credential.person),
        "type": ["AchievementSubject"],
        "achievement": achievement_of(credential, tenant, urls.credential),
    }
    found = identity(credential.person, credential.public_id.replace("-", "")[:16])
    if found:
        subject["identifier"] = found
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "id": urls.credential,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": urls.issuer, "type": ["Profile"], "name": tenant.name},
        "validFrom": stamp(credential.awarded_at),
        "name": credential.achievement["name"],
        "credentialSubject": subject,
        "credentialStatus": entry(urls.status, credential.id),
        "credentialSchema": [SCHEMA],
    }
    if valid_until is not None:
        document["validUntil"] = stamp(valid_until)
    return document


def issuer_profile(tenant: Tenant, issuer_url: str) -> dict[str, Any]:
    """The issuer's OB 3.0 Profile, as its id URL serves it."""
    return {"@context": CONTEXT, "id": issuer_url, "type": ["Profile"], "name": tenant.name}
