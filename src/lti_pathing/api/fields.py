"""The API's fields that carry a rule: numbers bounded by their columns, links and descriptions.

A value no column can hold, or that a form or an import would refuse, is a 422 naming the field
when the request is read. The bounds appear in the OpenAPI document (minimum, maximum, maxLength).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import marshmallow as ma

from lti_pathing.db import INT_MAX, INT_MIN
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
