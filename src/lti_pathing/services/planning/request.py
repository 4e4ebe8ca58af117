"""Assemble a planning request for one or more people from the catalog and their evidence."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.errors import Invalid
from lti_pathing.models import ItemStatus, Person, Plan, PlanItem, Role, Tenant
from lti_pathing.services.levels import LevelService
from lti_pathing.services.planning.calendar import Calendar
from lti_pathing.services.planning.catalog import Catalog, CatalogLoader, _number
from lti_pathing.services.planning.settings import PlanSettings

MAX_HORIZON_WEEKS = 520
_LEARNER_PATH = re.compile(r"^\$\.learners\[(\d+)\]\.?")


@dataclass
class Subject:
    """One person to plan for, towards one role, with their choices."""

    person: Person
    role: Role
    settings: PlanSettings
    plan: Plan | None = None  # the draft being re-generated, if any
    on_the_way: tuple[Role, ...] = ()  # roles passed through first: their levels count too


@dataclass
class BuiltRequest:
    """A request in JSON form with everything needed to map its answer back to rows."""

    data: dict[str, Any]
    catalog: Catalog
    calendar: Calendar
    subjects: dict[str, Subject]  # learner id (person external id) -> subject


def horizon_for(calendar: Calendar, subjects: Sequence[Subject], default: int) -> int:
    """The default horizon, stretched to reach the latest deadline (at most ten years)."""
    weeks = [calendar.weeks_ending_by(s.settings.deadline) for s in subjects if s.settings.deadline]
    return min(MAX_HORIZON_WEEKS, max([default, *weeks]))


def build_request(
    session: Session,
    tenant: Tenant,
    subjects: Sequence[Subject],
    calendar: Calendar,
    options: dict[str, Any],
    horizon: int,
    loader: CatalogLoader | None = None,
    replanned: Sequence[int] | None = None,
) -> BuiltRequest:
    """The request for these people on this calendar (other people's bookings count)."""
    loader = loader or CatalogLoader(session, tenant)
    ids = [s.person.id for s in subjects]
    catalog = loader.build(calendar, horizon, replanned=ids if replanned is None else replanned)
    ids = [s.person.id for s in subjects]
    levels = LevelService(session, tenant).levels_for(ids)
    completed = _completed(session, tenant, ids, catalog)
    learners = []
    for subject in subjects:
        learners.append(
            _learner(
                tenant,
                subject,
                calendar,
                horizon,
                catalog,
                levels[subject.person.id],
                completed[subject.person.id],
            )
        )
    data = {
        "version": 1,
        "horizon_weeks": horizon,
        "skills": catalog.skills,
        "activities": catalog.activities,
        "mentors": catalog.mentors,
        "learners": learners,
        "options": options,
    }
    return BuiltRequest(data, catalog, calendar, {s.person.external_id: s for s in subjects})


def completed_activities(
    session: Session, tenant: Tenant, person_ids: Sequence[int]
) -> dict[int, set[int]]:
    """Activity ids each person completed: evidence naming an activity, or a completed plan item."""
    done = LevelService(session, tenant).completed_activity_ids(person_ids)
    stmt = (
        select(Plan.person_id, PlanItem.activity_id)
        .join(PlanItem, PlanItem.plan_id == Plan.id)
        .where(
            Plan.tenant_id == tenant.id,
            Plan.person_id.in_(list(person_ids)),
            PlanItem.status == ItemStatus.completed,
        )
    )
    for pid, aid in session.execute(stmt):
        done[pid].add(aid)
    return done


def _completed(
    session: Session, tenant: Tenant, person_ids: list[int], catalog: Catalog
) -> dict[int, set[str]]:
    """Activities each person completed, by the catalog's external ids."""
    done = completed_activities(session, tenant, person_ids)
    by_id = {v: k for k, v in catalog.activity_ids.items()}
    return {pid: {by_id[a] for a in acts if a in by_id} for pid, acts in done.items()}


def _learner(
    tenant: Tenant,
    subject: Subject,
    calendar: Calendar,
    horizon: int,
    catalog: Catalog,
    levels: dict[int, Any],
    completed: set[str],
) -> dict[str, Any]:
    """One learner of the request: levels, target, limits, completed, pinned and excluded."""
    s, person = subject.settings, subject.person
    skill_key = {v: k for k, v in catalog.skill_ids.items()}
    learner: dict[str, Any] = {
        "id": person.external_id,
        "levels": {
            skill_key[sid]: min(cur.level, catalog.max_level[skill_key[sid]])
            for sid, cur in levels.items()
            if sid in skill_key
        },
        "target": _target(subject, catalog),
        "hours_per_week": _hours(
            s.hours_per_week or person.weekly_hours(tenant.default_hours_per_week)
        ),
    }
    blackout = sorted({w for d in s.blackout if 0 <= (w := calendar.week_of(d)) < horizon})
    if blackout:
        learner["blackout_weeks"] = blackout
    if s.deadline is not None:
        week = calendar.weeks_ending_by(s.deadline)
        if week < 1:
            raise Invalid(
                "the deadline is before the end of the plan's first week",
                {"deadline": [f"{s.deadline} is before {calendar.last_day(1)}"]},
            )
        learner["deadline_week"] = min(week, horizon)
    if s.budget is not None:
        learner["budget"] = _number(s.budget)
    if completed:
        learner["completed"] = sorted(completed)
    learner["pinned"] = _pins(subject, calendar, catalog, completed)
    excluded = {catalog.external(a) for a in s.excluded} - {None}
    excluded |= catalog.unofferable - completed
    learner["excluded"] = sorted(str(a) for a in excluded - completed)
    return learner


def _target(subject: Subject, catalog: Catalog) -> dict[str, dict[str, Any]]:
    """Required levels of the role and of every role on the way (the higher level and weight)."""
    skill_key = {v: k for k, v in catalog.skill_ids.items()}
    target: dict[str, dict[str, Any]] = {}
    for role in (*subject.on_the_way, subject.role):
        for rs in role.skills:
            if rs.skill_id not in skill_key:
                continue
            key = skill_key[rs.skill_id]
            level = min(rs.level, catalog.max_level[key])
            before = target.get(key, {"level": 0, "weight": 0})
            target[key] = {
                "level": max(level, before["level"]),
                "weight": max(_number(rs.weight), before["weight"]),
            }
    return target


def _hours(value: Decimal) -> int | float:
    """Weekly hours rounded down to a quarter hour (the planner's unit); at least a quarter."""
    quarters = (Decimal(str(value)) * 4).to_integral_value(rounding=ROUND_FLOOR)
    if quarters < 1:
        raise Invalid("hours per week must be at least 0.25", {"hours_per_week": [f"got {value}"]})
    return _number(quarters / 4)


def _pins(
    subject: Subject, calendar: Calendar, catalog: Catalog, completed: set[str]
) -> list[dict[str, Any]]:
    """Pinned items in weeks; a pin the catalog cannot hold is refused with its reason."""
    out, errors = [], {}
    mentor_key = {v: k for k, v in catalog.mentor_ids.items()}
    for index, pin in enumerate(subject.settings.pins):
        field = f"pins[{index}]"
        activity = catalog.external(pin.activity_id)
        week = calendar.week_of(pin.starts_on)
        if activity is None:
            errors[field] = [f"no activity with id {pin.activity_id}"]
        elif activity in completed:
            errors[field] = [f"'{activity}' is already completed"]
        elif activity in catalog.unofferable:
            errors[field] = [
                f"'{activity}' is not offered in the plan's weeks "
                "(retired, no cohort, window, mentor or seat left)"
            ]
        elif week < 0:
            errors[field] = [
                f"starts on {pin.starts_on}, before the plan starts ({calendar.week_zero})"
            ]
        elif pin.mentor_id is not None and pin.mentor_id not in mentor_key:
            errors[field] = [f"no active mentor with id {pin.mentor_id}"]
        else:
            item: dict[str, Any] = {"activity": activity, "start_week": week}
            if pin.mentor_id is not None:
                item["mentor"] = mentor_key[pin.mentor_id]
            out.append(item)
    if errors:
        raise Invalid("some pinned items cannot be kept", errors)
    return out


def explain_problems(built: BuiltRequest, problems: Sequence[Any]) -> dict[str, list[str]]:
    """The planner's request problems as field -> messages, in the words of the plan settings."""
    learners = built.data["learners"]
    out: dict[str, list[str]] = {}
    for problem in problems:
        path, message = problem.path, problem.message
        match = _LEARNER_PATH.match(path)
        if match:
            rest = path[match.end() :]
            rest = rest.replace("pinned", "pins")
            who = learners[int(match.group(1))]["id"]
            field = rest if len(learners) == 1 else f"{who}.{rest}"
        else:
            field = "catalog: " + path
        out.setdefault(field or "settings", []).append(message)
    return out
