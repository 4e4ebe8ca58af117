"""Marshmallow schemas for one row of every import file: types, enums, ranges, required columns.

A schema sees one row at a time, with strings already stripped and empty cells turned into None.
Rules that need other rows or the tenant (references, uniqueness, cycles) live in `checks.py`.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import Schema, ValidationError, fields, validates_schema

from lti_pathing.models import ActivityKind, Lms, PathKind, RoleLevel, Track
from lti_pathing.models.limits import (
    DURATION_WEEKS,
    HOURS_MAX,
    HOURS_STEP,
    LEVEL_RANK,
    MENTOR_CAPACITY,
    SEATS,
    SKILL_LEVEL,
)
from lti_pathing.services.activities import currency_problem, window_problem
from lti_pathing.services.text_rules import DESCRIPTION_MAX, NAME_MAX, not_a_web_link, too_long

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
INT_PATTERN = re.compile(r"-?[0-9]+")
DECIMAL_PATTERN = re.compile(r"-?[0-9]+(\.[0-9]+)?")
MESSAGES: dict[str, str | list[Any] | dict[Any, Any]] = {
    "required": "required column is missing",
    "null": "required value is empty",
    "unknown": "unknown column",
}


class Cell(fields.Field[Any]):
    """Base of the import cell types: one error message per bad value, in the format's words."""

    def __init__(self, *, required: bool = False, **kwargs: Any) -> None:
        super().__init__(
            required=required, allow_none=not required, error_messages=MESSAGES, **kwargs
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        return self.parse(value)

    def parse(self, value: Any) -> Any:
        """The typed value, or ValidationError naming what is wrong."""
        raise NotImplementedError


class Id(Cell):
    """An external id: 1-64 characters of A-Z a-z 0-9 . _ - :, starting with a letter or digit."""

    def parse(self, value: Any) -> str:
        if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
            raise ValidationError(f"{value!r} is not an id (1-64 of A-Z a-z 0-9 . _ - :)")
        return value


class Text(Cell):
    """Free text up to a length."""

    def __init__(self, max_length: int = NAME_MAX, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_length = max_length

    def parse(self, value: Any) -> str:
        if not isinstance(value, str):
            raise ValidationError("must be text")
        problem = too_long(value, self.max_length)
        if problem is not None:
            raise ValidationError(problem)
        return value


class Int(Cell):
    """A whole number within a range."""

    def __init__(self, low: int, high: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.low, self.high = low, high

    def parse(self, value: Any) -> int:
        if isinstance(value, str) and INT_PATTERN.fullmatch(value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(f"{value!r} is not a whole number")
        if not self.low <= value <= self.high:
            raise ValidationError(f"must be from {self.low} to {self.high} ({value} given)")
        return value


class Dec(Cell):
    """A decimal number: `.` as point, no exponent; within a range, at most `places` decimals."""

    def __init__(
        self, low: Decimal, high: Decimal | None, places: int, step: Decimal | None = None,
        low_open: bool = False, **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(**kwargs)
        self.low, self.high, self.places, self.step, self.low_open = (
            low,
            high,
            places,
            step,
            low_open,
        )

    def parse(self, value: Any) -> Decimal:
        number = _decimal(value)
        too_low = number <= self.low if self.low_open else number < self.low
        if too_low or (self.high is not None and number > self.high):
            low = f"> {self.low}" if self.low_open else f">= {self.low}"
            high = f" and <= {self.high}" if self.high is not None else ""
            raise ValidationError(f"must be {low}{high} ({value} given)")
        if self.step is not None and number % self.step != 0:
            raise ValidationError(f"must be a multiple of {self.step} ({value} given)")
        if -number.as_tuple().exponent > self.places:  # type: ignore[operator]
            raise ValidationError(f"at most {self.places} decimals ({value} given)")
        return number


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValidationError(f"{value!r} is not a number")
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str) or not DECIMAL_PATTERN.fullmatch(value):
        raise ValidationError(f"{value!r} is not a decimal number (digits, '.' as point)")
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        raise ValidationError(f"{value!r} is not a decimal number") from None


class Bool(Cell):
    """Exactly `true` or `false`."""

    def parse(self, value: Any) -> bool:
        if isinstance(value, bool):
            return bool(value)
        if value in ("true", "false"):
            return bool(value == "true")
        raise ValidationError(f"{value!r} is not true or false")


class Date(Cell):
    """An ISO 8601 calendar date, YYYY-MM-DD."""

    def parse(self, value: Any) -> dt.date:
        if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise ValidationError(f"{value!r} is not a date (YYYY-MM-DD)")


class Uri(Cell):
    """An absolute http or https URI."""

    def parse(self, value: Any) -> str:
        problem = not_a_web_link(value) if isinstance(value, str) else "must be text"
        if problem is not None:
            raise ValidationError(problem)
        return str(value)


class Choice(Cell):
    """One value of an enum, exactly."""

    def __init__(self, choices: type[enum.Enum], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.choices = choices

    def parse(self, value: Any) -> enum.Enum:
        for member in self.choices:
            if member.value == value:
                return member
        allowed = ", ".join(str(m.value) for m in self.choices)
        raise ValidationError(f"{value!r} is not one of: {allowed}")


class Email(Text):
    """A work e-mail address: one @ with text on both sides."""

    def parse(self, value: Any) -> str:
        text = super().parse(value)
        local, at, domain = text.partition("@")
        if not at or not local or not domain or "@" in domain or " " in text:
            raise ValidationError(f"{value!r} is not an e-mail address")
        return text


LEVEL: dict[str, Any] = {"low": SKILL_LEVEL.low, "high": SKILL_LEVEL.high}
SOURCE_MAX, SOURCE_ID_MAX = 200, 255
HOURS: dict[str, Any] = {
    "low": HOURS_STEP,
    "high": HOURS_MAX,
    "places": 2,
    "step": HOURS_STEP,
}


class SourcedRow(Schema):
    """Where an item came from: a framework (or file kind) and the item's identifier there."""

    source = Text(SOURCE_MAX)
    source_id = Text(SOURCE_ID_MAX)

    @validates_schema
    def both_or_neither(self, data: dict[str, Any], **kwargs: Any) -> None:
        """A source names its item's identifier, and an identifier needs its source."""
        if (data.get("source") is None) != (data.get("source_id") is None):
            missing = "source_id" if data.get("source_id") is None else "source"
            raise ValidationError("source and source_id are set together", missing)


class SkillCategoryRow(SourcedRow):
    id = Id(required=True)
    name = Text(required=True)
    active = Bool()


class SkillRow(SourcedRow):
    id = Id(required=True)
    name = Text(required=True)
    category = Id()  # a skill may stand outside every category (the admin form allows it)
    description = Text(DESCRIPTION_MAX)
    source_uri = Uri()
    proficient_level = Int(**LEVEL)
    active = Bool()


class SkillLevelRow(Schema):
    skill = Id(required=True)
    level = Int(**LEVEL, required=True)
    name = Text(required=True)
    description = Text(DESCRIPTION_MAX)
    source_value = Text(64)


class SkillRelationRow(Schema):
    skill = Id(required=True)
    related = Id(required=True)
    kind = Text(64, required=True)

    @validates_schema
    def not_itself(self, data: dict[str, Any], **kwargs: Any) -> None:
        """A skill is not related to itself."""
        if data.get("skill") is not None and data.get("skill") == data.get("related"):
            raise ValidationError("a skill cannot be related to itself", "related")


class JobFamilyRow(Schema):
    id = Id(required=True)
    name = Text(required=True)
    description = Text(DESCRIPTION_MAX)


class RoleRow(SourcedRow):
    id = Id(required=True)
    title = Text(required=True)
    family = Id(required=True)
    track = Choice(Track, required=True)
    level = Choice(RoleLevel, required=True)
    level_rank = Int(LEVEL_RANK.low, LEVEL_RANK.high, required=True)
    critical = Bool()
    description = Text(DESCRIPTION_MAX)


class RoleSkillRow(Schema):
    role = Id(required=True)
    skill = Id(required=True)
    level = Int(**LEVEL, required=True)
    weight = Dec(Decimal(0), Decimal(10), 3, low_open=True)


class CareerPathRow(Schema):
    from_role = Id(required=True)
    to_role = Id(required=True)
    kind = Choice(PathKind, required=True)

    @validates_schema
    def not_a_self_edge(self, data: dict[str, Any], **kwargs: Any) -> None:
        """A role cannot lead to itself."""
        if data.get("from_role") is not None and data.get("from_role") == data.get("to_role"):
            raise ValidationError("a role cannot lead to itself", "to_role")


class ActivityRow(Schema):
    id = Id(required=True)
    title = Text(required=True)
    kind = Choice(ActivityKind, required=True)
    provider = Text()
    url = Uri()
    duration_weeks = Int(DURATION_WEEKS.low, DURATION_WEEKS.high, required=True)
    hours_per_week = Dec(**HOURS, required=True)
    cost = Dec(Decimal(0), None, 2)
    currency = Text(3)
    earliest_start = Date()
    latest_end = Date()
    seats = Int(SEATS.low, SEATS.high)
    active = Bool()
    description = Text(DESCRIPTION_MAX)

    @validates_schema
    def consistent(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Currency with a price; a window long enough for the activity."""
        currency = data.get("currency")
        problem = currency_problem(currency)
        if problem is not None:
            raise ValidationError(problem, "currency")
        if data.get("cost") and currency is None:
            raise ValidationError("required when cost > 0", "currency")
        window = window_problem(
            data.get("earliest_start"), data.get("latest_end"), data.get("duration_weeks")
        )
        if window is not None:
            raise ValidationError(window, "latest_end")


class ActivitySkillRow(Schema):
    activity = Id(required=True)
    skill = Id(required=True)
    level = Int(**LEVEL, required=True)


class ActivityPrereqRow(Schema):
    activity = Id(required=True)
    requires = Id(required=True)

    @validates_schema
    def not_itself(self, data: dict[str, Any], **kwargs: Any) -> None:
        """An activity cannot require itself."""
        if data.get("activity") is not None and data.get("activity") == data.get("requires"):
            raise ValidationError("an activity cannot require itself", "requires")


class CohortRow(Schema):
    activity = Id(required=True)
    id = Id(required=True)
    starts_on = Date(required=True)
    seats = Int(SEATS.low, SEATS.high)


class ActivityMentorRow(Schema):
    activity = Id(required=True)
    mentor = Id(required=True)


class LmsLinkRow(Schema):
    activity = Id(required=True)
    lms = Choice(Lms, required=True)
    course_id = Text(64, required=True)


class MentorRow(Schema):
    person = Id(required=True)
    capacity = Int(MENTOR_CAPACITY.low, MENTOR_CAPACITY.high, required=True)
    active = Bool()


class PersonRow(Schema):
    employee_id = Id(required=True)
    name = Text(required=True)
    email = Email(255)
    manager_employee_id = Id()
    current_role = Id()
    target_role = Id()
    hours_per_week = Dec(**HOURS)
    moodle_user_id = Text(64)
    canvas_user_id = Text(64)
    lti_subject = Text(255)
    active = Bool()

    @validates_schema
    def not_own_manager(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Nobody manages themselves."""
        if data.get("employee_id") and data.get("manager_employee_id") == data["employee_id"]:
            raise ValidationError("a person cannot be their own manager", "manager_employee_id")


ROW_SCHEMAS: dict[str, type[Schema]] = {
    "skill_categories": SkillCategoryRow,
    "skills": SkillRow,
    "skill_levels": SkillLevelRow,
    "skill_relations": SkillRelationRow,
    "job_families": JobFamilyRow,
    "roles": RoleRow,
    "role_skills": RoleSkillRow,
    "career_paths": CareerPathRow,
    "activities": ActivityRow,
    "activity_outcomes": ActivitySkillRow,
    "activity_skill_prereqs": ActivitySkillRow,
    "activity_prereqs": ActivityPrereqRow,
    "cohorts": CohortRow,
    "activity_mentors": ActivityMentorRow,
    "lms_links": LmsLinkRow,
    "mentors": MentorRow,
    "people": PersonRow,
}
