"""List, create, edit, retire and delete pages for one noun, built from a small description.

Each noun module (skills, roles, activities, ...) describes its columns, filters, form and the
service calls; `register` turns that into a blueprint whose every view requires an admin. Refused
changes (validation, stale versions, references) re-render the page with the reason and roll back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from lti_pathing.auth import require
from lti_pathing.errors import Conflict, Invalid, Referenced, StaleEdit
from lti_pathing.services.base import TenantService, label_of
from lti_pathing.services.listing import ListQuery, Page
from lti_pathing.web.admin.context import AdminContext, admin_context, int_arg, list_query
from lti_pathing.web.admin.forms import AdminForm

Rendered = tuple[str, int] | Response | str

# Where a reference of each kind can be looked at (kinds come from the services' Reference).
REFERENCE_PAGES = {
    "role": "admin.roles.edit",
    "activity": "admin.activities.edit",
    "person": "admin.people.edit",
    "skill": "admin.skills.edit",
    "mentor": "admin.mentors.edit",
}


@dataclass(frozen=True)
class Column:
    """A column of a list page: header and how to show a record (text is escaped)."""

    header: str
    value: Callable[[Any], Any]
    link: bool = False


@dataclass(frozen=True)
class Filter:
    """A select-box filter of a list page (query-string `name`)."""

    name: str
    label: str
    options: Callable[[AdminContext], Sequence[tuple[Any, str]]]


@dataclass
class Noun:
    """Everything the generic pages need to know about one kind of record."""

    name: str  # blueprint name and URL segment
    singular: str
    title: str
    model: type[Any]
    form: type[AdminForm]
    columns: Sequence[Column]
    list_page: Callable[[AdminContext, ListQuery], Page[Any]]
    initial: Callable[[AdminContext, Any], dict[str, Any]]
    create: Callable[[AdminContext, Any], Any] | None
    update: Callable[[AdminContext, int, int, Any], Any] | None
    delete: Callable[[AdminContext, int, int], None] | None
    options: Callable[[AdminContext], Mapping[str, Any]] = lambda c: {}
    filters: Sequence[Filter] = ()
    retirable: bool = True
    aliases: Mapping[str, str] = field(default_factory=dict)
    search_label: str = "Search"
    new_form: type[AdminForm] | None = None  # when creating needs other fields than editing
    prefill: Sequence[str] = ()  # query-string ids that pre-select fields of the "new" form
    edit_extra: str | None = None  # template included under the edit form
    extra_context: Callable[[AdminContext, Any], dict[str, Any]] = lambda c, r: {}
    describe: Callable[[Any], str] = label_of  # how a record is named in headings and messages
    # What retiring a record would leave behind, as (text, link) lines; any line means the admin
    # is asked to confirm first, and told again afterwards.
    retire_impact: Callable[[AdminContext, Any], list[tuple[str, str | None]]] | None = None


def register(parent: Blueprint, noun: Noun) -> Blueprint:
    """Create the noun's blueprint with its pages under the parent (every view admin-only)."""
    bp = Blueprint(noun.name, __name__, url_prefix=f"/{noun.name.replace('_', '-')}")
    pages = _Pages(noun)
    bp.add_url_rule("/", "index", require("admin")(pages.index))
    if noun.create is not None:
        bp.add_url_rule("/new", "new", require("admin")(pages.new), methods=["GET", "POST"])
    if noun.update is not None:
        rule, view = "/<int:record_id>", require("admin")(pages.edit)
        bp.add_url_rule(rule, "edit", view, methods=["GET", "POST"])
    if noun.retirable:
        retire, restore = require("admin")(pages.retire), require("admin")(pages.restore)
        bp.add_url_rule("/<int:record_id>/retire", "retire", retire, methods=["POST"])
        bp.add_url_rule("/<int:record_id>/restore", "restore", restore, methods=["POST"])
    if noun.delete is not None:
        view = require("admin")(pages.delete)
        bp.add_url_rule("/<int:record_id>/delete", "delete", view, methods=["POST"])
    parent.register_blueprint(bp)
    return bp


def conflict_changes(form: AdminForm, stored: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field label, stored value) of the simple fields where the stored record differs."""
    changes = []
    for name, value in stored.items():
        current = form._fields.get(name)
        if current is None or isinstance(value, list | dict) or name == "version":
            continue
        if _shown(current, value) != _shown(current, current.data):
            changes.append((str(current.label.text), _shown(current, value)))
    return changes


def _shown(form_field: Any, value: Any) -> str:
    choices = getattr(form_field, "choices", None)
    if choices:
        for choice in choices:
            if str(choice.value) == str(value if value is not None else ""):
                return str(choice.label)
    return "" if value is None else str(value)


def fill_errors(ctx: AdminContext, form: AdminForm, error: Exception, noun: Noun | None) -> None:
    """Roll back and put a refused change's reasons beside the fields."""
    ctx.rollback()
    if isinstance(error, Invalid):
        form.add_errors(error.errors or error.message, noun.aliases if noun else None)
    elif isinstance(error, Conflict):
        if "external_id" in form._fields and "duplicate" in error.message:
            form.add_errors({"external_id": ["another record already uses this id"]})
        else:
            form.form_errors_extra.append(error.message)


class _Pages:
    """The views of one noun (bound methods become the blueprint's view functions)."""

    def __init__(self, noun: Noun) -> None:
        self.noun = noun

    def index(self) -> Rendered:
        ctx = admin_context()
        query = list_query()
        page = self.noun.list_page(ctx, query)
        filters = [(f, f.options(ctx), request.args.get(f.name, "")) for f in self.noun.filters]
        return render_template(
            "admin/list.html", noun=self.noun, page=page, query=query, filters=filters,
            status=request.args.get("status", "all"),
        )  # fmt: skip

    def new(self) -> Rendered:
        ctx, noun = admin_context(), self.noun
        given = {name: int_arg(name) for name in noun.prefill if int_arg(name) is not None}
        form_class = noun.new_form or noun.form
        form = form_class() if request.method == "POST" else form_class(data=given)
        form.prepare(noun.options(ctx))
        status = 200
        if form.validate_on_submit():
            try:
                assert noun.create is not None
                record = noun.create(ctx, form)
            except (Invalid, Conflict) as error:
                fill_errors(ctx, form, error, noun)
            else:
                flash(f"Created {noun.singular} {noun.describe(record)}.", "success")
                if noun.update is None:
                    return redirect(url_for(".index"))
                return redirect(url_for(".edit", record_id=record.id))
        if request.method == "POST":
            status = 422
        return self._form_page(ctx, form, None, status)

    def edit(self, record_id: int) -> Rendered:
        ctx, noun = admin_context(), self.noun
        record = ctx.service(TenantService).get(noun.model, record_id)
        if request.method == "GET":
            form = noun.form(data=noun.initial(ctx, record))
            form.prepare(noun.options(ctx))
            return self._form_page(ctx, form, record, 200)
        form = noun.form()
        form.prepare(noun.options(ctx))
        conflict = None
        if form.validate_on_submit():
            try:
                assert noun.update is not None
                noun.update(ctx, record_id, form.expected_version(), form)
            except StaleEdit as error:
                ctx.rollback()
                record = ctx.service(TenantService).get(noun.model, record_id)
                changes = conflict_changes(form, noun.initial(ctx, record))
                conflict = {"message": error.message, "changes": changes}
                return self._form_page(ctx, form, record, 409, conflict)
            except (Invalid, Conflict) as error:
                fill_errors(ctx, form, error, noun)
                record = ctx.service(TenantService).get(noun.model, record_id)
            else:
                flash(f"Saved {noun.singular} {noun.describe(record)}.", "success")
                return redirect(url_for(".edit", record_id=record_id))
        return self._form_page(ctx, form, record, 422)

    def retire(self, record_id: int) -> Rendered:
        ctx, noun = admin_context(), self.noun
        if noun.retire_impact is None:
            return self._set_active(record_id, False)
        record = ctx.service(TenantService).get(noun.model, record_id)
        impact = noun.retire_impact(ctx, record)
        if impact and request.form.get("confirm") != "yes":
            return render_template(
                "admin/retire_confirm.html", noun=noun, record=record, impact=impact
            ), 409
        done = self._set_active(record_id, False)
        if impact and record.active is False:
            s = "" if len(impact) == 1 else "s"
            flash(
                f"It stays in {len(impact)} plan{s} until they are re-planned (Re-plans).",
                "warning",
            )
        return done

    def restore(self, record_id: int) -> Rendered:
        return self._set_active(record_id, True)

    def delete(self, record_id: int) -> Rendered:
        ctx, noun = admin_context(), self.noun
        record = ctx.service(TenantService).get(noun.model, record_id)
        label = noun.describe(record)
        try:
            assert noun.delete is not None
            noun.delete(ctx, record_id, _posted_version())
        except Referenced as refused:
            ctx.rollback()
            record = ctx.service(TenantService).get(noun.model, record_id)
            links = [(ref, _reference_url(ref.kind, ref.id)) for ref in refused.references]
            return render_template(
                "admin/referenced.html", noun=noun, record=record, message=refused.message,
                references=links,
            ), 409  # fmt: skip
        except StaleEdit as error:
            ctx.rollback()
            flash(error.message, "error")
            return redirect(self._back(record_id))
        flash(f"Deleted {noun.singular} {label}.", "success")
        return redirect(url_for(".index"))

    def _set_active(self, record_id: int, active: bool) -> Rendered:
        ctx, noun = admin_context(), self.noun
        service = ctx.service(TenantService)
        record = service.get(noun.model, record_id)
        try:
            service.set_active(record, _posted_version(), active)
        except StaleEdit as error:
            ctx.rollback()
            flash(error.message, "error")
            return redirect(self._back(record_id))
        done = "Restored" if active else "Retired"
        flash(f"{done} {noun.singular} {noun.describe(record)}.", "success")
        return redirect(self._back(record_id))

    def _back(self, record_id: int) -> str:
        if self.noun.update is not None:
            return url_for(".edit", record_id=record_id)
        return url_for(".index")

    def _form_page(
        self,
        ctx: AdminContext,
        form: AdminForm,
        record: Any,
        status: int,
        conflict: dict[str, Any] | None = None,
    ) -> tuple[str, int]:
        form.pad_rows()
        form.prepare(self.noun.options(ctx))
        extra = self.noun.extra_context(ctx, record) if record is not None else {}
        body = render_template(
            "admin/form.html", noun=self.noun, form=form, record=record, conflict=conflict,
            **extra,
        )  # fmt: skip
        return body, status


def _posted_version() -> int:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        return 0


def _reference_url(kind: str, record_id: int) -> str | None:
    endpoint = REFERENCE_PAGES.get(kind)
    return url_for(endpoint, record_id=record_id) if endpoint and record_id else None
