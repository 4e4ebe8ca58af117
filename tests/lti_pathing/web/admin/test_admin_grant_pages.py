"""Admin pages for access: people marked admin, platforms' admin roles and deployments, policy."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.lti.platforms import PlatformService, PlatformSpec
from lti_pathing.models import Lms, Person, PlatformRegistration, Tenant, UnmatchedLaunch
from tests.lti_pathing.web.conftest import Browser, field_value


def test_an_admin_marks_a_person_admin_and_unmarks_them(
    admin: Browser, tenant: Tenant, session: Session
) -> None:
    created = admin.post("/admin/people/new", {"name": "Lin", "external_id": "E-7",
                                               "is_admin": "y"})  # fmt: skip
    assert created.status_code == 302, created.get_data(as_text=True)
    person = session.scalars(select(Person).where(Person.external_id == "E-7")).one()
    assert person.is_admin
    listed = admin.get("/admin/people/").get_data(as_text=True)
    assert listed.count("<td>admin</td>") == 2  # Lin, and the signed-in admin (marked, too)

    page = admin.get(f"/admin/people/{person.id}").get_data(as_text=True)
    assert 'name="is_admin"' in page and "checked" in page
    form = {"name": "Lin", "external_id": "E-7", "version": field_value(page, "version")}
    assert admin.post(f"/admin/people/{person.id}", form).status_code == 302
    session.expire_all()
    assert not session.get_one(Person, person.id).is_admin


SYSTEM_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"
ACCOUNT_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"


def _registration(session: Session, tenant: Tenant) -> PlatformRegistration:
    return PlatformService(session, tenant).add_platform(PlatformSpec(
        issuer="https://canvas.example.edu", client_id="10000000000042", name="Canvas",
        auth_login_url="https://canvas.example.edu/api/lti/authorize_redirect",
        auth_token_url="https://canvas.example.edu/login/oauth2/token",
        key_set_url="https://canvas.example.edu/api/lti/security/jwks",
        deployment_ids=["7:abc", "8:def"], lms=Lms.canvas,
    ))  # fmt: skip


def test_the_access_page_shows_platforms_and_edits_their_admin_roles(
    admin: Browser, tenant: Tenant, session: Session
) -> None:
    row = _registration(session, tenant)
    page = admin.get("/admin/access/").get_data(as_text=True)
    assert "system/person#SysAdmin" in page  # Canvas's default
    assert "Deployments (2)" in page and 'data-deployment="8:def"' in page

    saved = admin.post(f"/admin/access/platforms/{row.id}/admin-roles",
                       {f"r{row.id}-roles": f"{ACCOUNT_ADMIN}\n\n{SYSTEM_ADMIN}\n"})  # fmt: skip
    assert saved.status_code == 302, saved.get_data(as_text=True)
    session.refresh(row)
    assert row.admin_roles == [ACCOUNT_ADMIN, SYSTEM_ADMIN]

    bad = admin.post(f"/admin/access/platforms/{row.id}/admin-roles",
                     {f"r{row.id}-roles": "not a role"})  # fmt: skip
    assert bad.status_code == 422 and "is not an LTI role" in bad.get_data(as_text=True)
    session.refresh(row)
    assert row.admin_roles == [ACCOUNT_ADMIN, SYSTEM_ADMIN]


def test_an_admin_revokes_and_restores_a_deployment(
    admin: Browser, tenant: Tenant, session: Session
) -> None:
    row = _registration(session, tenant)
    second = row.deployments[1]
    assert admin.post(f"/admin/access/deployments/{second.id}/revoke").status_code == 302
    session.refresh(second)
    assert second.active is False
    assert "Restore 8:def" in admin.get("/admin/access/").get_data(as_text=True)
    assert admin.post(f"/admin/access/deployments/{second.id}/restore").status_code == 302
    session.refresh(second)
    assert second.active is True


def test_an_admin_sets_the_unmatched_launch_policy(
    admin: Browser, tenant: Tenant, session: Session
) -> None:
    refused = admin.post("/admin/access/unmatched", {"policy": "refuse", "contact": ""})
    assert refused.status_code == 422
    assert "is required to refuse" in refused.get_data(as_text=True)
    session.refresh(tenant)
    assert tenant.unmatched_launch is UnmatchedLaunch.create

    done = admin.post("/admin/access/unmatched", {"policy": "refuse", "contact": "Lin (L&D)"})
    assert done.status_code == 302
    session.refresh(tenant)
    assert tenant.unmatched_launch is UnmatchedLaunch.refuse
    assert tenant.access_contact == "Lin (L&D)"


def test_the_access_page_says_what_dynamic_registration_did_not_grant(
    admin: Browser, tenant: Tenant, session: Session
) -> None:
    nrps = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
    outcome = {"scopes": {"granted": [], "refused": [nrps]},
               "placements": {"granted": ["course_navigation"], "refused": ["user_navigation"],
                              "not_offered": ["account_navigation"]}}  # fmt: skip
    PlatformService(session, tenant).add_platform(PlatformSpec(
        issuer="https://canvas.instructure.com", client_id="10000000000042",
        auth_login_url="https://sso.canvaslms.com/api/lti/authorize_redirect",
        auth_token_url="https://sso.canvaslms.com/login/oauth2/token",
        key_set_url="https://sso.canvaslms.com/api/lti/security/jwks", deployment_pending=True,
        lms=Lms.canvas, outcome=outcome,
    ))  # fmt: skip
    page = admin.get("/admin/access/").get_data(as_text=True)
    assert "Career plan in every course&#39;s navigation" in page
    assert f'data-refused="{nrps}"' in page and 'data-refused="user_navigation"' in page
    assert "reading course rosters to match people" in page
    assert 'data-not-offered="account_navigation"' in page


def test_an_admin_lets_sis_ids_find_people(
    admin: Browser, tenant: Tenant, session: Session
) -> None:
    page = admin.get("/admin/access/").get_data(as_text=True)
    assert "Find people by the LMS&#39;s SIS user id" in page and 'id="match-hint"' in page
    assert admin.post("/admin/access/sis-id", {"match": "y"}).status_code == 302
    session.refresh(tenant)
    assert tenant.match_sis_id
    off = admin.post("/admin/access/sis-id", {}, follow_redirects=True)
    assert "no longer find people by their employee id" in off.get_data(as_text=True)
    session.refresh(tenant)
    assert not tenant.match_sis_id


def test_another_tenants_deployment_is_not_found(
    admin: Browser, session: Session, make_tenant: Any
) -> None:
    other = _registration(session, make_tenant("other", "Other"))
    response = admin.post(f"/admin/access/deployments/{other.deployments[0].id}/revoke")
    assert response.status_code == 404
    session.refresh(other.deployments[0])
    assert other.deployments[0].active is True


def test_an_admin_links_an_auto_created_lms_user_to_the_real_person(
    admin: Browser, tenant: Tenant, session: Session
) -> None:
    from lti_pathing.lti.identity import LaunchIdentityService, LaunchUser

    launched = LaunchIdentityService(session, tenant).person_for(LaunchUser(
        "https://moodle.example.edu", "client-1", "2", name="Admin User", lms=Lms.moodle,
        lms_user_id="2"))  # fmt: skip
    real = Person(tenant_id=tenant.id, external_id="E-2", name="Robin (HR record)")
    session.add(real)
    session.flush()

    page = admin.get(f"/admin/people/{launched.id}").get_data(as_text=True)
    assert "This LMS user is really" in page and "Robin (HR record)" in page
    linked = admin.post(f"/admin/people/{launched.id}/link", {"person_id": str(real.id)})
    assert linked.status_code == 302
    assert "now open lti-pathing as Robin (HR record)" in admin.get(
        linked.headers["Location"]).get_data(as_text=True)  # fmt: skip

    session.expire_all()
    again = LaunchIdentityService(session, tenant).person_for(LaunchUser(
        "https://moodle.example.edu", "client-1", "2", name="Admin User", lms=Lms.moodle,
        lms_user_id="2"))  # fmt: skip
    assert again.id == real.id  # the next launch is the real person
    itself = admin.post(f"/admin/people/{real.id}/link", {"person_id": str(real.id)})
    assert "choose another person" in admin.get(itself.headers["Location"]).get_data(as_text=True)
