"""The numeric bounds of the records, defined once.

The database's CHECK constraints, the REST API's fields, the admin forms and the importer all
read these, so a value one door accepts is never refused by another (an export of what the API
accepted imports back).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Bounds:
    """Whole numbers from `low` to `high`, both included."""

    low: int
    high: int
    unit: str = ""

    @property
    def message(self) -> str:
        """What a refused value is told."""
        unit = f" {self.unit}" if self.unit else ""
        return f"must be from {self.low} to {self.high}{unit}"

    def sql(self, column: str) -> str:
        """The CHECK constraint's condition on `column`."""
        return f"{column} BETWEEN {self.low} AND {self.high}"


DURATION_WEEKS = Bounds(1, 104, "weeks")
MENTOR_CAPACITY = Bounds(0, 20, "mentees at once")
LEVEL_RANK = Bounds(0, 99)
SKILL_LEVEL = Bounds(1, 10)
SEATS = Bounds(1, 1_000_000, "seats")

# Weekly hours: quarters of an hour (the planner's unit), more than 0, at most 40.
HOURS_STEP = Decimal("0.25")
HOURS_MAX = Decimal(40)
HOURS_MESSAGE = "must be a multiple of 0.25 hours, from 0.25 to 40"
HOURS_SQL = (
    "hours_per_week > 0 AND hours_per_week <= 40 "
    "AND hours_per_week * 4 = CAST(hours_per_week * 4 AS INTEGER)"
)
