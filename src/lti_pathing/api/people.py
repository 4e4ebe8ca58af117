"""People (LMS identities, current and target role, manager) and mentors."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView
from flask_smorest.pagination import PaginationParameters

from lti_pathing.api.core import (
    ApiBlueprint,
    ListArgs,
    Record,
    VersionArgs,
    counted,
    lifecycle_routes,
    list_query,
    patch_schema,
    service,
)
from lti_pathing.api.fields import Integer, Number, in_bounds
from lti_pathing.models import Lms, Mentor, Person
from lti_pathing.models.limits import MENTOR_CAPACITY
from lti_pathing.services.people import IDENTITY_FIELDS, PeopleService

people = ApiBlueprint(
    "people", __name__, url_prefix="/api/v1/people",
    description="Employees: LMS identities, roles, reporting lines, weekly learning hours.",
)  # fmt: skip
mentors = ApiBlueprint(
    "mentors", __name__, url_prefix="/api/v1/mentors",
    description="People who take mentees, with a capacity of concurrent mentees.",
)  # fmt: skip
BLUEPRINTS = (people, mentors)

Identity = ma.fields.String(allow_none=True, validate=ma.validate.Length(min=1, max=64))


class PersonIn(ma.Schema):
    """A person as sent; the identity fields are the ones an admin (or an import) sets."""

    external_id = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=64),
        metadata={"description": "HRIS employee id"},
    )
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    email = ma.fields.Email(allow_none=True, validate=ma.validate.Length(max=255))
    current_role_id = Integer(allow_none=True)
    target_role_id = Integer(allow_none=True)
    manager_id = Integer(allow_none=True)
    hours_per_week = Number(
        allow_none=True,
        validate=ma.validate.Range(min=0, max=40, min_inclusive=False),
        metadata={"description": "weekly learning budget; null: the tenant default"},
    )
    moodle_user_id = Identity
    canvas_user_id = Identity
    lti_subject = ma.fields.String(allow_none=True, validate=ma.validate.Length(min=1, max=255))


class PersonUpdate(PersonIn):
    """A person change with the version read."""

    version = Integer(required=True, validate=ma.validate.Range(min=1))


class IdentitySchema(ma.Schema):
    """How an LMS knows the person (launches record issuer and client id; admins set none)."""

    lms = ma.fields.Enum(Lms, by_value=True, allow_none=True)
    issuer = ma.fields.String()
    client_id = ma.fields.String()
    subject = ma.fields.String(allow_none=True)
    lms_user_id = ma.fields.String(allow_none=True)


class PersonSchema(Record):
    """A person."""

    external_id = ma.fields.String()
    name = ma.fields.String()
    email = ma.fields.String(allow_none=True)
    current_role_id = Integer(allow_none=True)
    target_role_id = Integer(allow_none=True)
    manager_id = Integer(allow_none=True)
    hours_per_week = Number(allow_none=True)
    active = ma.fields.Boolean()
    moodle_user_id = ma.fields.Method("_moodle", metadata={"type": "string", "nullable": True})
    canvas_user_id = ma.fields.Method("_canvas", metadata={"type": "string", "nullable": True})
    lti_subject = ma.fields.Method("_subject", metadata={"type": "string", "nullable": True})
    identities = ma.fields.List(ma.fields.Nested(IdentitySchema))

    def _moodle(self, person: Person) -> str | None:
        return _admin_identity(person, Lms.moodle)

    def _canvas(self, person: Person) -> str | None:
        return _admin_identity(person, Lms.canvas)

    def _subject(self, person: Person) -> str | None:
        return _admin_identity(person, None)


def _admin_identity(person: Person, lms: Lms | None) -> str | None:
    for identity in person.identities:
        if identity.issuer == "" and identity.lms == lms:
            value = identity.lms_user_id if lms is not None else identity.subject
            if value is not None:
                return value
    return None


class PersonArgs(ListArgs):
    """People list filters."""

    manager_id = Integer()
    current_role_id = Integer()
    target_role_id = Integer()


class MentorIn(ma.Schema):
    """Make a person a mentor."""

    person_id = Integer(required=True)
    capacity = Integer(required=True, validate=in_bounds(MENTOR_CAPACITY))


class MentorUpdate(ma.Schema):
    """A mentor change with the version read."""

    version = Integer(required=True, validate=ma.validate.Range(min=1))
    capacity = Integer(validate=in_bounds(MENTOR_CAPACITY))
    active = ma.fields.Boolean()


class MentorSchema(Record):
    """A mentor."""

    person_id = Integer()
    name = ma.fields.String(attribute="person.name")
    capacity = Integer()
    active = ma.fields.Boolean()


def _person_parts(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str | None]]:
    identities = {k: data[k] for k in IDENTITY_FIELDS if k in data}
    fields = {k: v for k, v in data.items() if k not in (*IDENTITY_FIELDS, "version")}
    return fields, identities


@people.route("")
class People(MethodView):
    """List and create people."""

    @people.arguments(PersonArgs, location="query")
    @people.response(200, PersonSchema(many=True))
    @people.paginated()
    def get(self, args: dict[str, Any], pagination_parameters: PaginationParameters) -> Any:
        """People by name; filter by `manager_id`, `current_role_id`, `target_role_id`, `active`."""
        found = service(PeopleService).list_people(
            list_query(args, pagination_parameters),
            args.get("manager_id"), args.get("current_role_id"), args.get("target_role_id"),
        )  # fmt: skip
        return counted(pagination_parameters, found)

    @people.arguments(PersonIn)
    @people.response(201, PersonSchema)
    def post(self, data: dict[str, Any]) -> Person:
        """Add a person."""
        return service(PeopleService).create_person(*_person_parts(data))


@people.route("/<int:person_id>")
class PersonItem(MethodView):
    """Read, change and delete one person."""

    @people.response(200, PersonSchema)
    def get(self, person_id: int) -> Person:
        """One person."""
        return service(PeopleService).get_person(person_id)

    @people.arguments(patch_schema(PersonUpdate))
    @people.response(200, PersonSchema)
    def patch(self, data: dict[str, Any], person_id: int) -> Person:
        """Change a person; a manager that would make a reporting cycle is refused."""
        fields, identities = _person_parts(data)
        return service(PeopleService).update_person(person_id, data["version"], fields, identities)

    @people.arguments(VersionArgs, location="query")
    @people.response(204)
    def delete(self, args: dict[str, Any], person_id: int) -> None:
        """Delete a person without history or reports (409 `referenced` otherwise)."""
        service(PeopleService).delete_person(person_id, args["version"])


lifecycle_routes(
    people,
    PersonSchema,
    "person_id",
    lambda i, v, on: (
        service(PeopleService).restore_person(i, v)
        if on
        else service(PeopleService).retire_person(i, v)
    ),
    ("Mark someone as having left; their history stays.", "Mark someone as active again."),
)


@mentors.route("")
class Mentors(MethodView):
    """List and create mentors."""

    @mentors.arguments(ListArgs, location="query")
    @mentors.response(200, MentorSchema(many=True))
    @mentors.paginated()
    def get(self, args: dict[str, Any], pagination_parameters: PaginationParameters) -> Any:
        """Mentors by name; filter by `active`, `q` (name or employee id)."""
        found = service(PeopleService).list_mentors(list_query(args, pagination_parameters))
        return counted(pagination_parameters, found)

    @mentors.arguments(MentorIn)
    @mentors.response(201, MentorSchema)
    def post(self, data: dict[str, Any]) -> Mentor:
        """Make a person of the tenant a mentor."""
        return service(PeopleService).make_mentor(data["person_id"], data["capacity"])


@mentors.route("/<int:mentor_id>")
class MentorItem(MethodView):
    """Read, change and delete one mentor."""

    @mentors.response(200, MentorSchema)
    def get(self, mentor_id: int) -> Mentor:
        """One mentor."""
        return service(PeopleService).get(Mentor, mentor_id)

    @mentors.arguments(MentorUpdate)
    @mentors.response(200, MentorSchema)
    def patch(self, data: dict[str, Any], mentor_id: int) -> Mentor:
        """Change capacity or retire (`active: false`) a mentor."""
        version = data.pop("version")
        return service(PeopleService).update_mentor(mentor_id, version, data)

    @mentors.arguments(VersionArgs, location="query")
    @mentors.response(204)
    def delete(self, args: dict[str, Any], mentor_id: int) -> None:
        """Delete a mentor no activity or plan names (409 `referenced` otherwise)."""
        service(PeopleService).delete_mentor(mentor_id, args["version"])
