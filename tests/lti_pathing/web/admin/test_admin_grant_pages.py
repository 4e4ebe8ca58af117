"""An admin marks a person as a tool admin on the person's page; the list shows who is one."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.models import Person, Tenant
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
    assert listed.count("<td>admin</td>") == 1  # Lin; the signed-in admin is not marked

    page = admin.get(f"/admin/people/{person.id}").get_data(as_text=True)
    assert 'name="is_admin"' in page and "checked" in page
    form = {"name": "Lin", "external_id": "E-7", "version": field_value(page, "version")}
    assert admin.post(f"/admin/people/{person.id}", form).status_code == 302
    session.expire_all()
    assert not session.get_one(Person, person.id).is_admin
