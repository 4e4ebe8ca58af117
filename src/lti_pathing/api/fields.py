"""The API's fields that carry a rule: numbers bounded by their columns, links and descriptions.

A value no column can hold, or that a form or an import would refuse, is a 422 naming the field
when the request is read. The bounds appear in the OpenAPI document (minimum, maximum, maxLength).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import marshmallow as ma

from lti_pathing.columns import INT_MAX, INT_MIN
from lti_pathing.models.limits import HOURS_MAX, HOURS_MESSAGE, HOURS_STEP, Bounds
from lti_pathing.services.text_rules import DESCRIPTION_MAX, LINK_MAX, not_a_web_link


class Integer(ma.fields.Integer):
    """An integer that fits the database's INTEGER columns (ids, versions, levels, counts)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.insert(
            0, ma.validate.Range(INT_MIN, INT_MAX, error="must be from {min} to {max}")
        )


class Number(ma.fields.Decimal):
    """A decimal loaded exactly, bounded by its NUMERIC(digits, places) column, dumped as a number.

    The default is the money column, NUMERIC(12, 2): less than 10**10 either way.
    """

    def __init__(self, *, digits: int = 12, places: int = 2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        bound = 10 ** (digits - places)
        self.validators.insert(
            0,
            ma.validate.Range(
                -bound,
                bound,
                min_inclusive=False,
                max_inclusive=False,
                error="must be more than {min} and less than {max}",
            ),
        )

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        number = Decimal(value).normalize()
        return int(number) if number == number.to_integral_value() else float(number)


def _rule(check: Callable[[str], str | None]) -> Callable[[str], None]:
    def validate(value: str) -> None:
        problem = check(value)
        if problem is not None:
            raise ma.ValidationError(problem)

    return validate


class WebLink(ma.fields.String):
    """An absolute http(s) link: the rule forms, imports and calendars apply (text_rules)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators += [ma.validate.Length(max=LINK_MAX), _rule(not_a_web_link)]


class Description(ma.fields.String):
    """Free text of a description, as long as forms and imports allow."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(ma.validate.Length(max=DESCRIPTION_MAX))


def in_bounds(bounds: Bounds) -> ma.validate.Range:
    """The validator of a number the records bound (models/limits.py), with their message."""
    return ma.validate.Range(bounds.low, bounds.high, error=bounds.message)


def _quarter_hours(value: Decimal) -> None:
    if value % HOURS_STEP != 0:
        raise ma.ValidationError(HOURS_MESSAGE)


class WeeklyHours(Number):
    """Weekly hours: quarters of an hour, more than 0, at most 40 (as every door takes them)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {"description": "a multiple of 0.25, at most 40"})
        super().__init__(digits=4, places=2, **kwargs)
        self.validators += [
            ma.validate.Range(0, HOURS_MAX, min_inclusive=False, error=HOURS_MESSAGE),
            _quarter_hours,
        ]
