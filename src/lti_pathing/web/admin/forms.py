"""Form building blocks shared by the admin pages: the base form, coercions, row sub-forms."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    DecimalField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from lti_pathing.models.limits import HOURS_MAX, HOURS_MESSAGE, HOURS_STEP, SKILL_LEVEL, Bounds
from lti_pathing.services.scales import Scale
from lti_pathing.services.text_rules import DESCRIPTION_MAX, not_a_web_link

NONE_CHOICE = ("", "— none —")
PICK_CHOICE = ("", "— choose —")
BLANK_ROWS = 2  # empty rows offered under the filled ones (no JavaScript needed to add more)


def opt_int(value: Any) -> int | None:
    """Select-box coercion: '' and None are no choice, anything else an id."""
    if value is None or value == "" or value == "None":
        return None
    return int(value)


def blank_to_none(value: Any) -> Any:
    """Field filter: strip text; an empty string becomes None."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def external_id_field(label: str = "External id") -> StringField:
    """The stable key imports and exports match records by."""
    return StringField(
        label,
        [DataRequired(), Length(max=64)],
        filters=[blank_to_none],
        description="Stable key used by imports and exports (letters, digits, '-', '_', '.').",
    )


def in_range(bounds: Bounds) -> NumberRange:
    """The form validator of a number the records bound (models/limits.py), with their message."""
    return NumberRange(bounds.low, bounds.high, message=bounds.message)


def quarter_hours(form: Any, field: Field) -> None:
    """Hours per week come in quarters of an hour (the planner's unit)."""
    if field.data is not None and Decimal(field.data) % HOURS_STEP != 0:
        raise ValidationError(HOURS_MESSAGE)


def rule(check: Callable[[Any], str | None]) -> Callable[[Any, Field], None]:
    """A form validator from a service's rule (`check` says why a value is wrong, or None)."""

    def validate(form: Any, field: Field) -> None:
        problem = check(field.data) if field.data else None
        if problem is not None:
            raise ValidationError(problem)

    return validate


# The catalog's link rule, as the API and imports apply it: an absolute http(s) URL.
web_link = rule(not_a_web_link)


def description_field(label: str = "Description") -> TextAreaField:
    """Free text, as long as the API and imports allow."""
    return TextAreaField(label, [Length(max=DESCRIPTION_MAX)], filters=[blank_to_none])


def hours_field(label: str, required: bool = True) -> DecimalField:
    """Weekly hours, 0.25 to 40 in quarters."""
    first = InputRequired() if required else Optional()
    return DecimalField(
        label,
        [first, NumberRange(min=HOURS_STEP, max=HOURS_MAX, message=HOURS_MESSAGE), quarter_hours],
        places=None,
    )


class MultiCheckboxField(SelectMultipleField):  # type: ignore[misc]
    """A list of checkboxes, each with its own label (keyboard-friendly, no JS)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class SkillLevelRow(Form):  # type: ignore[misc]
    """One (skill, level) pair: an outcome, a prerequisite or a role requirement."""

    skill_id = SelectField("Skill", coerce=opt_int, validate_choice=True)
    level = IntegerField("Level", [Optional(), in_range(SKILL_LEVEL)])

    def is_blank(self) -> bool:
        """No skill chosen: the row is ignored."""
        return self.skill_id.data is None


class AdminForm(FlaskForm):  # type: ignore[misc]
    """Every admin form: a CSRF token, the record version, and errors from the services."""

    version = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.form_errors_extra: list[str] = []
        self.group_errors: dict[str, list[str]] = {}

    def prepare(self, options: Mapping[str, Any]) -> None:
        """Give select boxes their choices (every form knows which option lists it needs)."""

    def expected_version(self) -> int:
        """The version the editor loaded; 0 (never stored) when missing or tampered with."""
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return 0

    def pad_rows(self) -> None:
        """Offer a few empty rows under the filled ones in every row list."""
        for field in self:
            if isinstance(field, FieldList):
                filled = sum(1 for entry in field if not _blank(entry))
                while len(field) < filled + BLANK_ROWS:
                    field.append_entry()

    def add_errors(self, errors: Any, aliases: Mapping[str, str] | None = None) -> None:
        """Show a service's per-field errors beside the matching fields (others on top)."""
        if not isinstance(errors, Mapping):
            self.form_errors_extra.append(str(errors))
            return
        for name, messages in errors.items():
            target = (aliases or {}).get(name, name)
            texts = [str(m) for m in messages] if isinstance(messages, list) else [str(messages)]
            field = self._fields.get(target)
            if isinstance(field, FieldList | MultiCheckboxField):
                self.group_errors.setdefault(target, []).extend(texts)
            elif field is not None and target not in ("version", "csrf_token"):
                field.errors = [*field.errors, *texts]
            else:
                self.form_errors_extra.extend(f"{name}: {t}" for t in texts)

    def all_errors(self) -> list[tuple[str, str, str]]:
        """(field id, label, message) of every error, for the summary at the top of the form."""
        found: list[tuple[str, str, str]] = []
        for field in self:
            if isinstance(field, FieldList):
                found += [
                    (field.id, str(field.label.text), m)
                    for m in self.group_errors.get(field.name, [])
                ]
                for entry in field:
                    for sub in entry.form:
                        found += [
                            (sub.id, f"{field.label.text}: {sub.label.text}", m) for m in sub.errors
                        ]
            elif field.name in self.group_errors:
                found += [
                    (field.id, str(field.label.text), m) for m in self.group_errors[field.name]
                ]
            elif field.errors and field.name != "csrf_token":
                found += [(field.id, str(field.label.text), str(m)) for m in field.errors]
        return found


def _blank(entry: Any) -> bool:
    form = entry.form
    if hasattr(form, "is_blank"):
        return bool(form.is_blank())
    return all(not sub.data for sub in form)


def filled(rows: FieldList) -> list[Any]:
    """The sub-forms of a row list that are not blank."""
    return [entry.form for entry in rows if not _blank(entry)]


def scale_hint(scale: Scale | None, level: Any, fallback: str) -> str:
    """A level field's hint: the skill's scale by name, and what the chosen level means."""
    if scale is None or not scale.levels:
        return fallback
    text = f"{scale.skill}: " + ", ".join(scale.label(m.level) for m in scale.levels) + "."
    if isinstance(level, int) and 1 <= level <= scale.top and scale.at(level).description:
        text += f" {scale.label(level)}: {scale.at(level).description}"
    return text


def level_hints(rows: FieldList, scales: Mapping[int, Scale]) -> None:
    """Under each row's level: the chosen skill's scale, and what the chosen level means."""
    for entry in rows:
        scale = scales.get(entry.form.skill_id.data)
        entry.form.level.description = scale_hint(
            scale, entry.form.level.data, "From 1 to the skill's top level (its scale names them)."
        )


def levels_on_scale(rows: FieldList, scales: Mapping[int, Scale]) -> bool:
    """Each filled row's level is on its skill's own scale (1..top); else an error beside it."""
    ok = True
    for row in filled(rows):
        scale = scales.get(row.skill_id.data)
        top = scale.top if scale is not None else 0
        if row.level.data is None or not 1 <= row.level.data <= top:
            name = scale.skill if scale is not None else "this skill"
            row.level.errors = [*row.level.errors, f"{name}: choose a level from 1 to {top}"]
            ok = False
    return ok


def pairs(options: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """Select-box choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in options]


def set_choices(field: Any, options: Iterable[tuple[Any, str]], first: tuple[str, str]) -> None:
    """Choices of a select box, with a leading empty option."""
    field.choices = pairs([first, *options])


def row_list(subform: type[Form], label: str, description: str = "") -> FieldList:
    """A list of row sub-forms; blank rows are ignored."""
    return FieldList(FormField(subform), label, min_entries=1, description=description)


__all__ = [
    "AdminForm", "DecimalField", "FieldList", "FormField", "HiddenField", "IntegerField",
    "MultiCheckboxField", "SelectField", "SkillLevelRow", "StringField", "TextAreaField",
    "level_hints", "levels_on_scale", "scale_hint",
]  # fmt: skip
