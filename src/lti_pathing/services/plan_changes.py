"""A re-plan's change in words: what was added, removed and moved, readiness before and after, why.

`planning/changes.py` records the change on the event of the version a re-plan wrote; this
module reads it back for the pages: the manager's approval queue and proposal page, and the notice
at the top of the learner's plan page that says their plan changed (until they have read it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from lti_pathing.models import Activity, Person, Plan, PlanEvent, PlanStatus, Role
from lti_pathing.services.base import TenantService
from lti_pathing.services.scales import ScaleService

WRITTEN = ("generated", "regenerated")
SEEN = "change_seen"
SETTING_NAMES = {
    "target_role_id": "target role",
    "hours_per_week": "hours per week",
    "deadline": "deadline",
    "budget": "budget",
}


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def day(when: dt.date) -> str:
    """A date as people write it: 7 September 2026."""
    return f"{when.day} {when.strftime('%B %Y')}"


@dataclass(frozen=True)
class ItemChange:
    """One item added, removed or moved."""

    title: str
    starts_on: dt.date | None
    ends_on: dt.date | None = None
    moved_from: dt.date | None = None


@dataclass(frozen=True)
class ChangeWords:
    """A version's change against the one it replaces, as people read it."""

    added: list[ItemChange]
    removed: list[ItemChange]
    moved: list[ItemChange]
    ready_before: dt.date | None
    ready_after: dt.date | None
    reasons: list[str]

    @property
    def changed(self) -> bool:
        """Whether any item or the readiness date changed."""
        moved = self.added or self.removed or self.moved
        return bool(moved) or self.ready_before != self.ready_after

    @property
    def summary(self) -> str:
        """ "2 added, 1 removed, 1 moved; ready 3 weeks later" (or "no activity changed")."""
        counts = [(len(self.added), "added"), (len(self.removed), "removed"),
                  (len(self.moved), "moved")]  # fmt: skip
        parts = [f"{n} {what}" for n, what in counts if n]
        items = ", ".join(parts) if parts else "no activity changed"
        return f"{items}; {self.readiness}"

    @property
    def readiness(self) -> str:
        """Readiness before and after, in one phrase."""
        before, after = self.ready_before, self.ready_after
        if after is None:
            return (
                "still short of the target role"
                if before is None
                else (f"no longer ready by the plan's end (was {day(before)})")
            )
        if before is None:
            return f"ready on {day(after)} (before, some skills stayed short)"
        weeks = (after - before).days // 7
        if weeks == 0:
            return f"ready on {day(after)}, as before"
        later = "later" if weeks > 0 else "sooner"
        return f"ready on {day(after)} instead of {day(before)} ({abs(weeks)} week" + (
            f"{'' if abs(weeks) == 1 else 's'} {later})"
        )


@dataclass(frozen=True)
class Notice:
    """Something the learner should know at the top of their plan page."""

    kind: str  # "proposed" (waiting for the manager), "accepted" or "replanned" (in effect)
    plan: Plan
    event: PlanEvent
    by: Person | None
    words: ChangeWords | None
    seen_event: int | None = None  # the event "noted" refers to (None: nothing to dismiss)


class PlanChangeService(TenantService):
    """Read the changes re-plans recorded, in words."""

    def latest_written(self, plan: Plan) -> PlanEvent | None:
        """The event of the newest planner run that wrote this plan."""
        stmt = (
            select(PlanEvent)
            .where(PlanEvent.tenant_id == self.tenant.id, PlanEvent.plan_id == plan.id,
                   PlanEvent.kind.in_(WRITTEN))
            .order_by(PlanEvent.id.desc())
            .limit(1)
        )  # fmt: skip
        return self.session.scalar(stmt)

    def of_plan(self, plan: Plan) -> ChangeWords | None:
        """The change the newest run recorded on this plan (None: it changed nothing earlier)."""
        event = self.latest_written(plan)
        change = (event.data or {}).get("change") if event is not None else None
        return self.words(change) if change else None

    def of_plans(self, plans: Iterable[Plan]) -> dict[int, ChangeWords]:
        """Plan id -> its change, for the plans that record one (the approval queue)."""
        out = {}
        for plan in plans:
            words = self.of_plan(plan)
            if words is not None:
                out[plan.id] = words
        return out

    def words(self, change: Mapping[str, Any]) -> ChangeWords:
        """One recorded change in words (titles and names as they are now)."""
        reasons = change.get("reasons", [])
        ids = {r["activity"] for r in reasons if "activity" in r}
        for key in ("added", "removed", "moved"):
            ids |= {i["activity"] for i in change.get(key, [])}
        titles = self._titles(ids)

        def title(activity_id: int) -> str:
            return titles.get(activity_id, f"an activity no longer in the catalog (#{activity_id})")

        return ChangeWords(
            added=[ItemChange(title(i["activity"]), _date(i["starts_on"]), _date(i["ends_on"]))
                   for i in change.get("added", [])],
            removed=[ItemChange(title(i["activity"]), _date(i["starts_on"]), _date(i["ends_on"]))
                     for i in change.get("removed", [])],
            moved=[ItemChange(title(i["activity"]), _date(i["to"]), None, _date(i["from"]))
                   for i in change.get("moved", [])],
            ready_before=_date(change.get("ready_before")),
            ready_after=_date(change.get("ready_after")),
            reasons=self._reasons(reasons, title),
        )  # fmt: skip

    def _reasons(self, reasons: list[dict[str, Any]], title: Any) -> list[str]:
        scales = ScaleService(self.session, self.tenant).scales(
            {r["skill"] for r in reasons if "skill" in r}
        )
        out: list[str] = []
        for r in reasons:
            kind = r["kind"]
            scale = scales.get(r.get("skill", 0))
            if kind == "retired":
                out.append(f"{title(r['activity'])} was retired from the catalog")
            elif kind == "unoffered":
                out.append(f"{title(r['activity'])} is no longer offered in the plan's weeks "
                           "(no run, window, mentor or seat left)")  # fmt: skip
            elif kind == "missed":
                due = _date(r.get("due"))
                out.append(f"{title(r['activity'])} was due to end by {day(due)} and is not done"
                           if due else f"{title(r['activity'])} is behind schedule")  # fmt: skip
            elif kind == "completed":
                out.append(f"{title(r['activity'])} was completed")
            elif kind in ("level", "target") and scale is not None:
                subject = "level" if kind == "level" else "required level"
                out.append(f"{scale.skill}: {subject} now {scale.label(r['after'])} "
                           f"(was {scale.label(r['before'])})")  # fmt: skip
            elif kind == "setting":
                out.append(self._setting(r))
            elif kind in ("kept", "left_out", "allowed"):
                verb = {"kept": "is kept at a date", "left_out": "is left out",
                        "allowed": "may be planned again"}[kind]  # fmt: skip
                out.append(f"{title(r['activity'])} {verb}")
        return out or ["mentors' and seats' availability or the catalog changed"]

    def _setting(self, reason: Mapping[str, Any]) -> str:
        name = SETTING_NAMES.get(reason["setting"], reason["setting"])
        before, after = reason.get("before"), reason.get("after")
        if reason["setting"] == "target_role_id":
            roles = {r.id: r.title for r in self.session.scalars(
                self.scoped(Role).where(Role.id.in_([int(v) for v in (before, after) if v]))
            )}  # fmt: skip
            before = roles.get(int(before)) if before else None
            after = roles.get(int(after)) if after else None
        elif reason["setting"] == "deadline":
            before = day(dt.date.fromisoformat(before)) if before else None
            after = day(dt.date.fromisoformat(after)) if after else None
        return f"{name} now {after}" + (f" (was {before})" if before else "")

    def _titles(self, ids: set[int]) -> dict[int, str]:
        if not ids:
            return {}
        stmt = select(Activity.id, Activity.title).where(
            Activity.tenant_id == self.tenant.id, Activity.id.in_(ids)
        )
        return {row[0]: row[1] for row in self.session.execute(stmt)}

    # --- the learner's notices ----------------------------------------------------------
    def notices(self, person_id: int, current: Plan | None, alongside: Plan | None) -> list[Notice]:
        """What changed in the person's plan that they have not noted yet, and proposals."""
        out: list[Notice] = []
        if alongside is not None and alongside.status is PlanStatus.proposed:
            event = self.latest_written(alongside)
            if event is not None:
                out.append(Notice("proposed", alongside, event, self._who(event),
                                  self.of_plan(alongside)))  # fmt: skip
        if current is not None:
            notice = self._unseen(person_id, current)
            if notice is not None:
                out.append(notice)
        return out

    def _unseen(self, person_id: int, plan: Plan) -> Notice | None:
        """The newest change someone else made to the plan in effect, unless it was noted."""
        events = list(self.session.scalars(
            select(PlanEvent).where(PlanEvent.tenant_id == self.tenant.id,
                                    PlanEvent.plan_id == plan.id).order_by(PlanEvent.id)
        ))  # fmt: skip
        seen = {e.data.get("event") for e in events if e.kind == SEEN and e.data}
        for event in reversed(events):
            if event.kind in WRITTEN and event.actor_id == person_id:
                return None  # they re-planned it themselves since
            if event.kind == "proposal_accepted":
                written = self.latest_written(plan)
            elif event.kind == "regenerated":
                written = event
            else:
                continue
            if event.id in seen:
                return None
            change = (written.data or {}).get("change") if written is not None else None
            kind = "accepted" if event.kind == "proposal_accepted" else "replanned"
            words = self.words(change) if change else None
            if kind == "replanned" and (words is None or not words.changed):
                return None  # re-planned to the same plan: nothing to tell
            return Notice(kind, plan, event, self._who(event), words, seen_event=event.id)
        return None

    def _who(self, event: PlanEvent) -> Person | None:
        return self.session.get(Person, event.actor_id) if event.actor_id is not None else None
