"""The plan's life in one place: its states, what each group of them means, and the transitions
people trigger (who may, from where, to where).

Every page, the REST API and the jobs ask here; no other module lists plan states.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.errors import Conflict, Invalid
from lti_pathing.models import Plan, PlanStatus, Tenant

S = PlanStatus

# The learner's own plan, not yet decided on or sent back: generating again replaces it in place.
REGENERATED_IN_PLACE = frozenset({S.draft, S.changes_requested, S.rejected})
# Drafts the learner may still submit.
OPEN_DRAFTS = frozenset({S.draft, S.changes_requested})
# In effect or waiting for a decision: changed only through a proposal the manager accepts; the
# activities these plans hold are committed (seats, mentors, retirement warnings).
HELD = frozenset({S.approved, S.submitted})
# Plans a proposal or a team plan supersedes when it is accepted.
REPLACEABLE = HELD | REGENERATED_IN_PLACE
# Being worked towards (progress is followed), besides an approved plan.
LIVE = frozenset({S.submitted, S.draft, S.changes_requested})
# Waiting for a manager: a submitted plan, or a re-plan proposal.
AWAITING_MANAGER = frozenset({S.submitted, S.proposed})
# Never the plan shown as a person's current one.
NOT_CURRENT = frozenset({S.archived, S.proposed})


@dataclass(frozen=True)
class Transition:
    """One action on a plan: from which states, to which, by whom, and how the log calls it."""

    action: str
    sources: frozenset[PlanStatus]
    target: PlanStatus
    by: Literal["owner", "manager"]
    done: str  # the event logged, and the past tense a message uses
    comment_required: bool = False

    def check(self, status: PlanStatus) -> None:
        """Refuse (409) when a plan in `status` cannot take this action."""
        if status not in self.sources:
            raise Conflict(
                f"this plan is {status.value.replace('_', ' ')}; it cannot be "
                f"{self.done.replace('_', ' ')} now"
            )


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("submit", OPEN_DRAFTS, S.submitted, "owner", "submitted"),
        Transition("withdraw", frozenset({S.submitted}), S.draft, "owner", "withdrawn"),
        Transition("approve", frozenset({S.submitted}), S.approved, "manager", "approved"),
        Transition("reject", frozenset({S.submitted}), S.rejected, "manager", "rejected", True),
        Transition(
            "request_changes",
            frozenset({S.submitted}),
            S.changes_requested,
            "manager",
            "changes_requested",
            True,
        ),
    )
}
# The events a manager's decision logs.
DECISIONS = frozenset(t.done for t in TRANSITIONS.values() if t.by == "manager")


def transition(action: str) -> Transition:
    """The transition named `action`; 422 for an unknown one."""
    found = TRANSITIONS.get(action)
    if found is None:
        raise Invalid("unknown action", {"action": [f"unknown action {action!r}"]})
    return found


def current_plan(session: Session, tenant: Tenant, person_id: int) -> Plan | None:
    """A person's plan in effect: the newest that is neither archived nor a pending proposal."""
    stmt = (
        select(Plan)
        .where(
            Plan.tenant_id == tenant.id,
            Plan.person_id == person_id,
            Plan.status.not_in(NOT_CURRENT),
        )
        .order_by(Plan.id.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def plans_shown(
    session: Session, tenant: Tenant, person_id: int
) -> tuple[Plan | None, Plan | None]:
    """(the plan in effect, a newer version or re-plan proposal to show alongside it).

    The newest approved plan stays the one in effect while a newer draft (re-generated after
    approval) or submitted version waits; with no newer version, a pending proposal to replace
    it is shown alongside. Without an approved plan, the newest plan is shown alone.
    """
    latest = current_plan(session, tenant, person_id)
    approved = _newest(session, tenant, person_id, Plan.status == S.approved)
    if latest is not None and approved is not None and latest.id != approved.id:
        return approved, latest
    if latest is None or latest.status is not S.approved:
        return latest, None
    proposal = _newest(
        session, tenant, person_id,
        Plan.status == S.proposed, Plan.replaces_id == latest.id,
    )  # fmt: skip
    return latest, proposal


def _newest(session: Session, tenant: Tenant, person_id: int, *where: Any) -> Plan | None:
    stmt = select(Plan).where(Plan.tenant_id == tenant.id, Plan.person_id == person_id, *where)
    return session.scalar(stmt.order_by(Plan.id.desc()).limit(1))
