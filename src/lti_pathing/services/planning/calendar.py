"""Weeks of a plan and the dates they stand for: week 0 is the Monday of the plan's start date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

DAYS = 7


def monday_of(day: dt.date) -> dt.date:
    """The Monday of the week holding `day`."""
    return day - dt.timedelta(days=day.weekday())


def next_monday(day: dt.date) -> dt.date:
    """`day` if it is a Monday, else the Monday after it (the default plan start)."""
    return day + dt.timedelta(days=(DAYS - day.weekday()) % DAYS)


@dataclass(frozen=True)
class Calendar:
    """Converts between plan weeks and dates for one plan."""

    week_zero: dt.date  # always a Monday

    @classmethod
    def starting(cls, start: dt.date) -> Calendar:
        """The calendar of a plan starting on `start` (week 0 is that week's Monday)."""
        return cls(monday_of(start))

    def week_of(self, day: dt.date) -> int:
        """The week holding `day` (negative before the plan starts)."""
        return (day - self.week_zero).days // DAYS

    def first_week_from(self, day: dt.date) -> int:
        """The first week starting on or after `day` (an earliest start)."""
        return -((self.week_zero - day).days // DAYS)

    def weeks_ending_by(self, day: dt.date) -> int:
        """How many whole weeks end on or before `day` (a deadline or latest end as an end week)."""
        return ((day - self.week_zero).days + 1) // DAYS

    def start_date(self, week: int) -> dt.date:
        """The Monday that starts `week`."""
        return self.week_zero + dt.timedelta(days=DAYS * week)

    def last_day(self, end_week: int) -> dt.date:
        """The Sunday that closes an item whose (exclusive) end week is `end_week`."""
        return self.start_date(end_week) - dt.timedelta(days=1)
