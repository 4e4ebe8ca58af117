"""The API's number fields, bounded by the columns they are stored in.

A value no column can hold is a 422 naming the field when the request is read, not a database
error (a 500) when it is written. The bounds appear in the OpenAPI document as minimum/maximum.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import marshmallow as ma

from lti_pathing.db import INT_MAX, INT_MIN


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
