"""A plan's approval life: draft -> submitted -> approved / rejected / changes requested.

Every transition checks the version the actor saw (optimistic locking: of two managers acting on
the same plan at once, the second gets a StaleEdit conflict, never a silent overwrite) and appends
a `PlanEvent` saying who did what, when, with their comment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from lti_pathing.errors import Invalid, NotFound, PermissionDenied
from lti_pathing.models import Person, Plan, PlanEvent, PlanStatus
from lti_pathing.notify import events as notify_events
from lti_pathing.services.base import TenantService
from lti_pathing.services.credentials import CredentialService
from lti_pathing.services.delegation import DelegationService
from lti_pathing.services.mentoring import MentorService
from lti_pathing.services.plan_life import AWAITING_MANAGER, DECISIONS, TRANSITIONS, transition
from lti_pathing.services.team import TeamService

MAX_COMMENT = 4000

QUIET_EVENTS = ("change_seen",)  # kept in the log, not shown in the history
MAX_VERSIONS = 50  # versions of a plan whose history is shown


@dataclass(frozen=True)
class Decision:
    """A manager's decision on a plan: what, who, when, and their comment."""

    kind: str
    by: Person | None
    at: dt.datetime
    comment: str | None


class ApprovalService(TenantService):
    """Move plans through their approval states and keep their event log."""

    def plan_for(self, actor_id: int, plan_id: int) -> Plan:
        """A plan the actor may see: their own or a (direct or indirect) report's; else NotFound."""
        plan = self.get(Plan, plan_id)
        if plan.person_id != actor_id and not self._manages(actor_id, plan.person_id):
            raise NotFound(f"no Plan with id {plan_id}")
        return plan

    def act(
        self, actor_id: int, plan_id: int, action: str, expected_version: int, comment: str = ""
    ) -> Plan:
        """Apply `action` as `actor_id`, if they may and the plan is still as they saw it."""
        step = transition(action)
        comment = _clean_comment(comment)
        if step.comment_required and not comment:
            raise Invalid("comment required", {"comment": ["say what should change, or why"]})
        plan = self.plan_for(actor_id, plan_id)
        self.check_allowed(actor_id, plan, action)
        self.check_version(plan, expected_version)
        step.check(plan.status)
        before = plan.status
        plan.status = step.target
        self.flush()  # the version check against the database happens here
        data: dict[str, Any] = {"from": before.value, "to": step.target}
        if step.by == "manager" and (delegator := self.deciding_for(actor_id, plan)):
            data.update({"for": delegator.id, "for_name": delegator.name})  # "by X for Y"
        self.log(plan, step.done, actor_id, comment, data)
        MentorService(self.session, self.tenant, self.clock).request_for(plan)  # held: ask mentors
        notify_events.plan_acted(self.session, self.tenant, plan, action, actor_id, comment, before)
        if step.target is PlanStatus.approved:  # its target role may be met, its items done
            CredentialService(self.session, self.tenant, self.clock).award_due(plan.person_id)
        return plan

    def act_many(
        self, actor_id: int, action: str, plans: Mapping[int, tuple[int, str]]
    ) -> list[Plan]:
        """Decide several plans at once (plan id -> (version seen, comment)): all or nothing.

        Every plan's problem is listed (a missing comment as `comment-<plan id>`), and nothing
        is decided unless every plan can be.
        """
        step = TRANSITIONS.get(action)
        if step is None or step.by != "manager":
            raise Invalid("unknown decision", {"action": ["approve, reject or request_changes"]})
        if not plans:
            raise Invalid("nothing chosen", {"plans": ["tick at least one plan"]})
        errors: dict[str, list[str]] = {}
        for plan_id, (_, text) in plans.items():
            if step.comment_required and not (text or "").strip():
                errors[f"comment-{plan_id}"] = ["say what should change, or why"]
        if errors:
            raise Invalid("a comment is needed for each plan", errors)
        return [self.act(actor_id, pid, action, version, text)
                for pid, (version, text) in plans.items()]  # fmt: skip

    def comment(self, actor_id: int, plan_id: int, text: str) -> PlanEvent:
        """Add a comment to the plan's log (owner or one of their managers)."""
        text = _clean_comment(text)
        if not text:
            raise Invalid("empty comment", {"comment": ["write something"]})
        plan = self.plan_for(actor_id, plan_id)
        return self.log(plan, "commented", actor_id, text)

    def log(
        self,
        plan: Plan,
        kind: str,
        actor_id: int | None,
        comment: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> PlanEvent:
        """Append one event to the plan's log."""
        event = PlanEvent(
            plan_id=plan.id,
            kind=kind,
            actor_id=actor_id,
            at=self.clock(),
            comment=comment or None,
            data={"version": plan.version, **(data or {})},
        )
        return self.add(event)

    def events(self, plan: Plan) -> list[tuple[PlanEvent, Person | None]]:
        """The plan's log, oldest first, each with the person who acted."""
        stmt = (
            select(PlanEvent, Person)
            .outerjoin(Person, PlanEvent.actor_id == Person.id)
            .where(PlanEvent.tenant_id == self.tenant.id, PlanEvent.plan_id == plan.id)
            .order_by(PlanEvent.id)
        )
        return [(event, person) for event, person in self.session.execute(stmt)]

    def history(self, plan: Plan) -> list[tuple[PlanEvent, Person | None]]:
        """The plan's log with those of the versions it replaced (a re-plan keeps the history
        and comments), oldest first; notes that a notice was read are left out."""
        ids: list[int] = []
        seen: set[int] = set()
        version: Plan | None = plan
        while version is not None and version.id not in seen and len(ids) < MAX_VERSIONS:
            seen.add(version.id)
            ids.append(version.id)
            version = self.session.get(Plan, version.replaces_id) if version.replaces_id else None
        stmt = (
            select(PlanEvent, Person)
            .outerjoin(Person, PlanEvent.actor_id == Person.id)
            .where(PlanEvent.tenant_id == self.tenant.id, PlanEvent.plan_id.in_(ids),
                   PlanEvent.kind.not_in(QUIET_EVENTS))
            .order_by(PlanEvent.at, PlanEvent.id)
        )  # fmt: skip
        return [(event, person) for event, person in self.session.execute(stmt)]

    def waiting(self, manager_id: int) -> int:
        """How many plans wait for the manager: submitted plans and re-plan proposals."""
        reports = self.decided_by(manager_id)
        return len(self.plans_of(reports, AWAITING_MANAGER))

    def decided_by(self, actor_id: int) -> set[int]:
        """Whose plans the actor decides: their reports, and those of managers they stand in for."""
        team = TeamService(self.session, self.tenant)
        ids = team.report_ids(actor_id)
        for manager in DelegationService(self.session, self.tenant, self.clock).managers_for(
            actor_id
        ):  # fmt: skip
            ids |= team.report_ids(manager.id)
        return ids - {actor_id}

    def deciding_for(self, actor_id: int, plan: Plan) -> Person | None:
        """The manager the actor stands in for on this plan (None: it is their own report)."""
        team = TeamService(self.session, self.tenant)
        if plan.person_id in team.report_ids(actor_id):
            return None
        delegation = DelegationService(self.session, self.tenant, self.clock)
        for manager in delegation.managers_for(actor_id):
            if plan.person_id in team.report_ids(manager.id):
                return manager
        return None

    def decision(self, plan: Plan) -> Decision | None:
        """The newest decision on the plan, unless the learner has submitted it again since."""
        for event, person in reversed(self.events(plan)):
            if event.kind == "submitted":
                return None
            if event.kind in DECISIONS:
                return Decision(event.kind, person, event.at, event.comment)
        return None

    def queue(self, manager_id: int) -> list[Plan]:
        """Submitted plans of the manager's reports (and theirs they stand in for), oldest first."""
        return self.plans_of(self.decided_by(manager_id), (PlanStatus.submitted,))

    def plans_of(
        self, person_ids: Iterable[int], statuses: Iterable[PlanStatus] | None = None
    ) -> list[Plan]:
        """Plans of these people (optionally only in these statuses), oldest change first."""
        ids = list(person_ids)
        if not ids:
            return []
        stmt = self.scoped(Plan).where(Plan.person_id.in_(ids))
        if statuses is not None:
            stmt = stmt.where(Plan.status.in_(list(statuses)))
        return list(self.session.scalars(stmt.order_by(Plan.updated_at, Plan.id)))

    def _manages(self, manager_id: int, person_id: int) -> bool:
        return person_id in self.decided_by(manager_id)

    def check_allowed(self, actor_id: int, plan: Plan, action: str) -> None:
        """Refuse an action the actor may not take on this plan (owner or manager actions)."""
        step = transition(action)
        if step.by == "owner" and plan.person_id != actor_id:
            raise PermissionDenied("only the plan's owner can submit or withdraw it")
        if step.by == "manager" and not self._manages(actor_id, plan.person_id):
            raise PermissionDenied("only a manager of the plan's owner can decide on it")


def _clean_comment(text: str | None) -> str:
    cleaned = (text or "").strip()
    if len(cleaned) > MAX_COMMENT:
        raise Invalid("comment too long", {"comment": [f"at most {MAX_COMMENT} characters"]})
    return cleaned
