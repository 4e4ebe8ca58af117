"""Admin pages for people (LMS identities, roles, manager) and mentors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, flash, redirect, request, url_for
from werkzeug.wrappers import Response
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from lti_pathing.auth import require
from lti_pathing.errors import Invalid
from lti_pathing.models import Mentor, Person, Role
from lti_pathing.models.limits import MENTOR_CAPACITY
from lti_pathing.services.identities import COLUMNS, IdentityService
from lti_pathing.services.listing import ListQuery, Page
from lti_pathing.services.people import PeopleService
from lti_pathing.web.admin.context import AdminContext, admin_context, int_arg
from lti_pathing.web.admin.crud import Column, Filter, Noun, register
from lti_pathing.web.admin.forms import (
    NONE_CHOICE,
    PICK_CHOICE,
    AdminForm,
    SelectField,
    blank_to_none,
    external_id_field,
    hours_field,
    in_range,
    opt_int,
    set_choices,
)

PLAIN = ("name", "external_id", "email", "current_role_id", "target_role_id", "manager_id",
         "hours_per_week", "is_admin")  # fmt: skip


def _identity_field(label: str, hint: str) -> StringField:
    return StringField(label, [Optional(), Length(max=64)], filters=[blank_to_none],
                       description=hint)  # fmt: skip


class PersonForm(AdminForm):
    """A person: HRIS id, roles, manager, weekly budget, LMS identities."""

    name = StringField("Name", [DataRequired(), Length(max=200)], filters=[blank_to_none])
    external_id = external_id_field("Employee id")
    email = StringField(
        "Email", [Optional(), Regexp(r"^[^@\s]+@[^@\s]+$", message="not an email address"),
                  Length(max=255)],
        filters=[blank_to_none],
    )  # fmt: skip
    current_role_id = SelectField("Current role", coerce=opt_int)
    target_role_id = SelectField("Target role", coerce=opt_int)
    manager_id = SelectField("Manager", coerce=opt_int)
    hours_per_week = hours_field("Learning hours per week", required=False)
    is_admin = BooleanField(
        "L&D admin of lti-pathing",
        description="Admin pages for everything of the organisation, whatever roles their LMS "
        "sends. LMS roles that grant admin are set per platform registration.",
    )
    moodle_user_id = _identity_field("Moodle user id", "The numeric user id in Moodle.")
    canvas_user_id = _identity_field("Canvas user id", "The numeric user id in Canvas.")
    lti_subject = StringField("LTI subject", [Optional(), Length(max=255)],
                              filters=[blank_to_none],
                              description="The LTI 'sub' the LMS sends at launch.")  # fmt: skip

    def prepare(self, options: Mapping[str, Any]) -> None:
        """Role and manager choices."""
        set_choices(self.current_role_id, options["roles"], NONE_CHOICE)
        set_choices(self.target_role_id, options["roles"], NONE_CHOICE)
        set_choices(self.manager_id, options["people"], NONE_CHOICE)


def _fields(form: PersonForm) -> dict[str, Any]:
    return {name: form[name].data for name in PLAIN}


def _identities(form: PersonForm) -> dict[str, str | None]:
    return {column: form[column].data for column in COLUMNS}


def _create(ctx: AdminContext, form: PersonForm) -> Person:
    person = ctx.service(PeopleService).create_person(_fields(form))
    ctx.service(IdentityService).set_imported(person.id, _identities(form))
    return person


def _update(ctx: AdminContext, person_id: int, version: int, form: PersonForm) -> Person:
    person = ctx.service(PeopleService).update_person(person_id, version, _fields(form))
    ctx.service(IdentityService).set_imported(person_id, _identities(form))
    return person


def _initial(ctx: AdminContext, person: Person) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(person, name) for name in (*PLAIN, "version")}
    if person.hours_per_week is not None:
        data["hours_per_week"] = person.hours_per_week.normalize()
    data.update(ctx.service(IdentityService).imported(person))
    return data


def _list(ctx: AdminContext, query: ListQuery) -> Page[Person]:
    return ctx.service(PeopleService).list_people(query, manager_id=int_arg("manager"))


PEOPLE = Noun(
    name="people",
    singular="person",
    title="People",
    model=Person,
    form=PersonForm,
    columns=(
        Column("Name", lambda p: p.name, link=True),
        Column("Employee id", lambda p: p.external_id),
        Column("Role", lambda p: p.current_role.title if p.current_role else "—"),
        Column("Manager", lambda p: p.manager.name if p.manager else "—"),
        Column("Admin", lambda p: "admin" if p.is_admin else ""),
    ),
    list_page=_list,
    initial=_initial,
    create=_create,
    update=_update,
    delete=lambda ctx, i, v: ctx.service(PeopleService).delete_person(i, v),
    options=lambda ctx: {
        "roles": ctx.options(Role, "title"),
        "people": ctx.options(Person, "name"),
    },
    filters=(Filter("manager", "Manager", lambda ctx: ctx.options(Person, "name")),),
    search_label="Search names, employee ids, emails",
    edit_extra="admin/person_identities.html",
    extra_context=lambda ctx, person: {
        "launched": ctx.service(IdentityService).launched(person),
        "reports": ctx.service(PeopleService).list_people(ListQuery(per_page=50), person.id),
        "link_to": [o for o in ctx.options(Person, "name", active_only=True) if o[0] != person.id],
    },
)


class MentorForm(AdminForm):
    """A mentor's capacity of concurrent mentees."""

    capacity = IntegerField(
        "Capacity", [InputRequired(), in_range(MENTOR_CAPACITY)],
        description=f"How many mentees at once ({MENTOR_CAPACITY.low} to {MENTOR_CAPACITY.high}).",
    )  # fmt: skip


class NewMentorForm(MentorForm):
    """Make a person a mentor."""

    person_id = SelectField("Person", [InputRequired()], coerce=opt_int)

    def prepare(self, options: Mapping[str, Any]) -> None:
        """People choices."""
        set_choices(self.person_id, options["people"], PICK_CHOICE)


MENTORS = Noun(
    name="mentors",
    singular="mentor",
    title="Mentors",
    model=Mentor,
    form=MentorForm,
    new_form=NewMentorForm,
    columns=(
        Column("Name", lambda m: m.person.name, link=True),
        Column("Capacity", lambda m: m.capacity),
    ),
    list_page=lambda ctx, q: ctx.service(PeopleService).list_mentors(q),
    initial=lambda ctx, m: {"capacity": m.capacity, "version": m.version},
    create=lambda ctx, f: ctx.service(PeopleService).make_mentor(f.person_id.data, f.capacity.data),
    update=lambda ctx, i, v, f: ctx.service(PeopleService).update_mentor(
        i, v, {"capacity": f.capacity.data}
    ),
    delete=lambda ctx, i, v: ctx.service(PeopleService).delete_mentor(i, v),
    options=lambda ctx: {"people": ctx.options(Person, "name", active_only=True)},
    search_label="Search names",
    describe=lambda m: m.person.name,
)


@require("admin")
def link_identities(record_id: int) -> Response:
    """Move this person's LMS sign-ins to the person they really are (picked in the form)."""
    ctx = admin_context()
    ctx.service(PeopleService).get_person(record_id)  # another tenant's person: 404
    target = int_or_none(request.form.get("person_id"))
    if target is None:
        flash("Choose the person this LMS user is.", "error")
        return redirect(url_for(".edit", record_id=record_id))
    try:
        moved = ctx.service(IdentityService).move_launched(record_id, target)
    except Invalid as error:
        ctx.rollback()
        flash(error.message, "error")
        return redirect(url_for(".edit", record_id=record_id))
    name = ctx.service(PeopleService).get_person(target).name
    flash(f"{len(moved)} LMS sign-in(s) now open lti-pathing as {name}; retire this record if it "
          "is no longer needed.", "success")  # fmt: skip
    return redirect(url_for(".edit", record_id=record_id))


def int_or_none(value: str | None) -> int | None:
    """An integer form value; None when absent or not a number."""
    try:
        return int(value or "")
    except ValueError:
        return None


def init(parent: Blueprint) -> None:
    """Register the people and mentor pages."""
    people = register(parent, PEOPLE)
    people.add_url_rule("/<int:record_id>/link", "link", link_identities, methods=["POST"])
    register(parent, MENTORS)
