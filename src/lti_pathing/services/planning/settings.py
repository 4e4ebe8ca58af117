"""What a person (or their manager) chose for a plan: target, hours, dates, budget, pins."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Pin:
    """An activity the plan must keep, starting in the week of `starts_on` (with this mentor)."""

    activity_id: int
    starts_on: dt.date
    mentor_id: int | None = None


@dataclass(frozen=True)
class PlanSettings:
    """Choices for one plan; None means the default (person's target role, tenant hours...)."""

    target_role_id: int | None = None
    hours_per_week: Decimal | None = None
    starts_on: dt.date | None = None  # week 0 is its Monday; default: the coming Monday
    deadline: dt.date | None = None
    blackout: tuple[dt.date, ...] = ()  # any day in a week blacks out that whole week
    budget: Decimal | None = None
    preferred_mentor_id: int | None = None  # a mentor the learner asks for (matching ranks first)
    pins: tuple[Pin, ...] = ()
    excluded: tuple[int, ...] = ()  # activity ids never to plan
    # True: `pins` is the whole choice (none means none). False: a re-generated plan lends its
    # own pins when none are given (callers that only change limits keep what was pinned).
    pins_chosen: bool = False
    time_limit_s: float | None = None  # default: the SOLVER_TIME_LIMIT_S setting
    explain: bool = True
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def with_(self, **changes: Any) -> PlanSettings:
        """A copy with some fields changed."""
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """JSON form, stored on the plan (so a re-generation starts from the same choices)."""
        return {
            "target_role_id": self.target_role_id,
            "hours_per_week": None if self.hours_per_week is None else str(self.hours_per_week),
            "starts_on": None if self.starts_on is None else self.starts_on.isoformat(),
            "deadline": None if self.deadline is None else self.deadline.isoformat(),
            "blackout": [d.isoformat() for d in self.blackout],
            "budget": None if self.budget is None else str(self.budget),
            "preferred_mentor_id": self.preferred_mentor_id,
            "pins": [
                {
                    "activity_id": p.activity_id,
                    "starts_on": p.starts_on.isoformat(),
                    "mentor_id": p.mentor_id,
                }
                for p in self.pins
            ],
            "excluded": list(self.excluded),
            "pins_chosen": self.pins_chosen,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PlanSettings:
        """Read the stored form back (missing keys take their defaults)."""

        def day(value: Any) -> dt.date | None:
            return None if value is None else dt.date.fromisoformat(value)

        def dec(value: Any) -> Decimal | None:
            return None if value is None else Decimal(str(value))

        return cls(
            target_role_id=data.get("target_role_id"),
            hours_per_week=dec(data.get("hours_per_week")),
            starts_on=day(data.get("starts_on")),
            deadline=day(data.get("deadline")),
            blackout=tuple(dt.date.fromisoformat(d) for d in data.get("blackout", [])),
            budget=dec(data.get("budget")),
            preferred_mentor_id=data.get("preferred_mentor_id"),
            pins=tuple(
                Pin(p["activity_id"], dt.date.fromisoformat(p["starts_on"]), p.get("mentor_id"))
                for p in data.get("pins", [])
            ),
            excluded=tuple(data.get("excluded", [])),
            pins_chosen=bool(data.get("pins_chosen", False)),
        )
