"""A person's own choices for their plan: activities kept at a date, activities left out, the start.

The planning contract takes all three (pins, excluded activities, the plan's start week). This
service changes them one at a time and checks them before anything is planned, so a choice that
cannot hold is refused at once, in words, beside the control that made it, and nothing is queued.
Only whether pins fit together (prerequisites, seats, hours) needs the planner; that answer comes
from the planning job.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import selectinload

from lti_pathing.errors import Invalid
from lti_pathing.models import Activity, Person
from lti_pathing.services.base import TenantService
from lti_pathing.services.listing import ListQuery, Page, filtered, paginate
from lti_pathing.services.planning.calendar import monday_of, next_monday
from lti_pathing.services.planning.request import completed_activities
from lti_pathing.services.planning.settings import Pin, PlanSettings

MAX_KEPT = 20
MAX_LEFT_OUT = 100
MAX_START_AHEAD = dt.timedelta(days=366)
KEPT_WITHIN = dt.timedelta(weeks=104)  # a kept activity starts within two years of the plan
CHANGES = ("keep", "add", "release", "exclude", "include")
FOUND_PER_PAGE = 10


@dataclass(frozen=True)
class KeptActivity:
    """An activity the person keeps at a date."""

    activity: Activity
    starts_on: dt.date


@dataclass(frozen=True)
class Choices:
    """The choices as a plan page shows them."""

    starts_on: dt.date
    kept: list[KeptActivity]
    left_out: list[Activity]

    @property
    def kept_ids(self) -> set[int]:
        """Ids of the kept activities."""
        return {k.activity.id for k in self.kept}

    @property
    def left_out_ids(self) -> set[int]:
        """Ids of the activities left out."""
        return {a.id for a in self.left_out}


def _day(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"


class ChoiceService(TenantService):
    """Change and check a person's choices for their plan."""

    def start_of(self, settings: PlanSettings) -> dt.date:
        """The plan's first Monday: the chosen start's unless that week has passed, else the
        coming Monday (the plan's weeks run Monday to Sunday)."""
        today = self.clock().date()
        chosen = settings.starts_on
        if chosen is not None and monday_of(chosen) >= monday_of(today):
            return monday_of(chosen)
        return next_monday(today)

    def change(
        self,
        person_id: int,
        settings: PlanSettings,
        change: str,
        activity_id: int,
        starts_on: dt.date | None = None,
        mentor_id: int | None = None,
    ) -> PlanSettings:
        """The settings with one choice changed and checked (Invalid, by field, if it cannot be)."""
        if change not in CHANGES:
            raise Invalid("unknown change", {"change": ["keep, add, release, exclude or include"]})
        activity = self.get(Activity, activity_id)
        pins = {p.activity_id: p for p in settings.pins}
        excluded = [a for a in settings.excluded if a != activity.id]
        if change in ("keep", "add"):
            if starts_on is None:
                raise Invalid("no date", {"starts_on": [f"choose when to start {activity.title}"]})
            pins[activity.id] = Pin(activity.id, starts_on, mentor_id)
        elif change in ("release", "exclude"):
            pins.pop(activity.id, None)
        if change == "exclude":
            excluded.append(activity.id)
        changed = settings.with_(
            pins=tuple(pins.values()), excluded=tuple(excluded), pins_chosen=True
        )
        self.check(person_id, changed)
        return changed

    def check(self, person_id: int, settings: PlanSettings) -> None:
        """Refuse choices that cannot hold: a start in the past, kept activities that are
        retired, done, before the start or too far after it, too many choices."""
        person = self.get(Person, person_id)
        errors: dict[str, list[str]] = {}
        today = self.clock().date()
        start = self.start_of(settings)
        if settings.starts_on is not None and monday_of(settings.starts_on) < monday_of(today):
            errors["starts_on"] = [f"{_day(settings.starts_on)} has passed: choose today or later"]
        elif settings.starts_on is not None and settings.starts_on > today + MAX_START_AHEAD:
            errors["starts_on"] = ["choose a start within a year from today"]
        if len(settings.pins) > MAX_KEPT:
            errors.setdefault("activity_id", []).append(f"keep at most {MAX_KEPT} activities")
        if len(settings.excluded) > MAX_LEFT_OUT:
            errors.setdefault("activity_id", []).append(f"leave out at most {MAX_LEFT_OUT}")
        done = completed_activities(self.session, self.tenant, [person.id])[person.id]
        hours = settings.hours_per_week or person.weekly_hours(self.tenant.default_hours_per_week)
        activities = self._activities([p.activity_id for p in settings.pins])
        for pin in settings.pins:
            activity = activities.get(pin.activity_id)
            if activity is None or not activity.active:
                title = activity.title if activity else f"activity {pin.activity_id}"
                problem = ("activity_id", f"{title} is no longer offered: let the planner place it")
            elif activity.id in done:
                problem = ("activity_id", f"you have already completed {activity.title}")
            elif activity.hours_per_week > hours:
                problem = (
                    "activity_id",
                    f"{activity.title} takes {activity.hours_per_week.normalize():f} hours a "
                    f"week, more than the {hours.normalize():f} you have",
                )
            elif pin.starts_on < start:
                problem = (
                    "starts_on",
                    f"{activity.title} would start on {_day(pin.starts_on)}, before the plan "
                    f"starts ({_day(start)}): choose a later date",
                )
            elif pin.starts_on > start + KEPT_WITHIN:
                problem = ("starts_on", f"{activity.title}: choose a date within two years")
            else:
                continue
            errors.setdefault(problem[0], []).append(problem[1])
        if errors:
            raise Invalid("these choices cannot be kept", errors)

    def shown(self, settings: PlanSettings) -> Choices:
        """The choices with their activities, for a plan page."""
        activities = self._activities([*(p.activity_id for p in settings.pins), *settings.excluded])
        kept = [
            KeptActivity(activities[p.activity_id], p.starts_on)
            for p in sorted(settings.pins, key=lambda p: p.starts_on)
            if p.activity_id in activities
        ]
        left_out = sorted(
            (activities[a] for a in settings.excluded if a in activities), key=lambda a: a.title
        )
        return Choices(self.start_of(settings), kept, left_out)

    def find(self, text: str, page: int = 1) -> Page[Activity]:
        """Activities on offer whose title, provider or description holds `text`, by title."""
        query = ListQuery(search=text.strip() or None, active=True, page=page,
                          per_page=FOUND_PER_PAGE)  # fmt: skip
        stmt = filtered(
            self.scoped(Activity), Activity, query, ("title", "provider", "description")
        )
        stmt = stmt.options(selectinload(Activity.outcomes)).order_by(Activity.title, Activity.id)
        return paginate(self.session, stmt, query)

    def _activities(self, ids: list[int]) -> dict[int, Activity]:
        if not ids:
            return {}
        found = self.session.scalars(self.scoped(Activity).where(Activity.id.in_(set(ids))))
        return {a.id: a for a in found}
