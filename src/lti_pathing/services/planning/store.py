"""Write a planner answer back as Plan rows: items with dates and mentors, measures, an event."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from lti_pathing.models import ItemStatus, Plan, PlanEvent, PlanItem, PlanStatus, Tenant
from lti_pathing.notify import events as notify_events
from lti_pathing.services.audit.generation import generation_facts
from lti_pathing.services.planning.changes import plan_change
from lti_pathing.services.planning.request import BuiltRequest, Subject


def items_key(items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """What makes two plans the same for a person: activities, weeks and mentors."""
    return sorted((i["activity"], i["start_week"], i["end_week"], i["mentor"]) for i in items)


def plan_items_key(plan: Plan, built: BuiltRequest) -> list[tuple[Any, ...]]:
    """The same key for a stored plan, in the weeks of the new calendar."""
    from lti_pathing.services.planning.calendar import Calendar

    if plan.starts_on is None:
        return []
    theirs = Calendar.starting(plan.starts_on)
    mentors = {v: k for k, v in built.catalog.mentor_ids.items()}
    out = []
    for item in plan.items:
        if item.status is ItemStatus.completed:  # kept as they are; the solver plans the rest
            continue
        shift = built.calendar.week_of(theirs.start_date(0))
        out.append(
            (
                item.activity.external_id,
                item.start_week + shift,
                item.end_week + shift,
                mentors.get(item.mentor_id) if item.mentor_id else None,
            )
        )
    return sorted(out)


def kept_done(plan: Plan, week_zero: dt.date) -> list[PlanItem]:
    """Copies of a plan's done items in the weeks of a plan starting `week_zero`.

    A re-generated plan or a proposal keeps what the learner has done; an item that would start
    before the new plan's week 0 cannot be placed there and is left out (its completion still
    counts: the planner gets it as completed).
    """
    if plan.starts_on is None:
        return []
    shift = (plan.starts_on - week_zero).days // 7
    return [
        PlanItem(
            tenant_id=item.tenant_id, activity_id=item.activity_id,
            start_week=item.start_week + shift, end_week=item.end_week + shift,
            cohort_id=item.cohort_id, mentor_id=item.mentor_id, pinned=item.pinned,
            status=ItemStatus.completed, completed_on=item.completed_on,
        )
        for item in plan.items
        if item.status is ItemStatus.completed and item.start_week + shift >= 0
    ]  # fmt: skip


def _status_after_writing(
    regenerated: Plan | None, replaces: Plan | None, proposed: bool = False
) -> PlanStatus:
    """A proposal, a new draft, or the re-generated plan's status (a rejected one: a new draft).

    A rejected plan cannot be submitted; re-generating it is the learner's revision, so it
    becomes a draft they can submit again.
    """
    if replaces is not None or proposed:
        return PlanStatus.proposed
    if regenerated is None or regenerated.status is PlanStatus.rejected:
        return PlanStatus.draft
    return regenerated.status


class PlanWriter:
    """Persists plans for the learners of one solved request.

    `stats` are the planner's statistics of that solve: each plan's audit record keeps its
    objective tiers (docs/audit.md).
    """

    def __init__(
        self,
        session: Session,
        tenant: Tenant,
        now: dt.datetime,
        stats: dict[str, Any] | None = None,
    ) -> None:
        self.session = session
        self.tenant = tenant
        self.now = now
        self.stats = stats

    def write(
        self,
        built: BuiltRequest,
        status: str,
        learner_plan: dict[str, Any],
        actor_id: int | None,
        job_id: int | None = None,
        replaces: Plan | None = None,
        proposed: bool = False,
        kind: str | None = None,
    ) -> Plan:
        """Create (or, for a re-generated draft, update) the plan of one learner.

        `proposed` makes a new plan a proposal even when it replaces nothing (a team plan for
        someone without a plan); `kind` names its log event (default: generated/regenerated).
        """
        subject = built.subjects[learner_plan["learner"]]
        plan = subject.plan
        kind = kind or ("regenerated" if plan is not None else "generated")
        source = plan if plan is not None else replaces
        done = kept_done(source, built.calendar.week_zero) if source is not None else []
        change = (
            plan_change(source, built, subject, learner_plan, self.now.date())
            if source is not None and source.starts_on is not None
            else None
        )
        if plan is None:
            plan = Plan(tenant_id=self.tenant.id, person_id=subject.person.id)
            self.session.add(plan)
        else:
            plan.items.clear()
            self.session.flush()
        plan.items.extend(done)
        plan.target_role_id = subject.role.id
        plan.status = _status_after_writing(subject.plan, replaces, proposed)
        plan.replaces_id = replaces.id if replaces is not None else None
        plan.job_id = job_id
        plan.starts_on = built.calendar.week_zero
        plan.settings = subject.settings.with_(starts_on=built.calendar.week_zero).to_json()
        plan.request = _learner_request(built, subject)
        plan.response = {"status": status, **learner_plan}
        plan.solve_status = status
        plan.closure = Decimal(str(learner_plan["closure"]))
        plan.max_closure = Decimal(str(learner_plan["max_closure"]))
        ready = learner_plan["closure"] == learner_plan["max_closure"]
        plan.ready_on = built.calendar.start_date(learner_plan["readiness_week"]) if ready else None
        self._items(plan, built, subject, learner_plan["items"])
        self.session.flush()
        self.session.add(
            PlanEvent(
                tenant_id=self.tenant.id,
                plan_id=plan.id,
                kind=kind,
                actor_id=actor_id,
                at=self.now,
                data={
                    "status": status,
                    "closure": learner_plan["closure"],
                    "max_closure": learner_plan["max_closure"],
                    "job_id": job_id,
                    "replaces": plan.replaces_id,
                    **({"change": change} if change is not None else {}),
                    "generation": generation_facts(
                        built.data, subject.person.external_id, status, learner_plan, self.stats
                    ),
                },
            )
        )
        self.session.flush()
        notify_events.proposal_written(self.session, self.tenant, plan, change)
        return plan

    def _items(
        self, plan: Plan, built: BuiltRequest, subject: Subject, items: list[dict[str, Any]]
    ) -> None:
        cat = built.catalog
        learner = next(
            lr for lr in built.data["learners"] if lr["id"] == subject.person.external_id
        )
        pinned = {(p["activity"], p["start_week"]) for p in learner.get("pinned", [])}
        for item in items:
            key = (item["activity"], item["start_week"])
            plan.items.append(
                PlanItem(
                    tenant_id=self.tenant.id,
                    activity_id=cat.activity_ids[item["activity"]],
                    start_week=item["start_week"],
                    end_week=item["end_week"],
                    cohort_id=cat.cohort_ids.get(key),
                    mentor_id=cat.mentor_ids[item["mentor"]] if item["mentor"] else None,
                    pinned=key in pinned,
                )
            )


def _learner_request(built: BuiltRequest, subject: Subject) -> dict[str, Any]:
    """The learner's part of the request (the shared catalog is not copied into every plan)."""
    learner = next(lr for lr in built.data["learners"] if lr["id"] == subject.person.external_id)
    return {
        "horizon_weeks": built.data["horizon_weeks"],
        "options": built.data["options"],
        "learner": learner,
    }
