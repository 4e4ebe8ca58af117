"""What each change tells whom: one function per place in the services that changes something.

Each is one call from its service, inside the service's transaction, and each goes through
`notify` (the outbox). Mentor bookings follow the plans that hold them: a plan submitted asks
for its mentors (requested), approved books them (confirmed), and one that leaves the submitted
or approved states (withdrawn, rejected, sent back for changes, superseded) lets them go
(cancelled). The mentor and the learner are both told.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.models import LmsSyncRun, Mentor, Person, Plan, PlanStatus, Tenant
from lti_pathing.notify.outbox import notify
from lti_pathing.services.plan_changes import PlanChangeService
from lti_pathing.services.plan_life import HELD

DECIDED = {
    "approve": ("plan_approved", "approved"),
    "reject": ("plan_rejected", "rejected"),
    "request_changes": ("plan_changes_requested", "asked for changes to"),
}


def plan_acted(
    session: Session, tenant: Tenant, plan: Plan, action: str, actor_id: int, comment: str,
    before: PlanStatus,
) -> None:  # fmt: skip
    """A plan was submitted, withdrawn or decided: its manager or learner, and its mentors."""
    learner = plan.person
    actor = session.get(Person, actor_id)
    by = actor.name if actor is not None else "someone"
    role = _role(plan)
    if action == "submit" and learner.manager_id is not None:
        notify(session, tenant, learner.manager_id, "plan_submitted",
               f"{learner.name} submitted a development plan for your approval",
               f"{learner.name} submitted their plan{role} and waits for your decision."
               + _said(learner.name, comment),
               data={**_plan_data(plan), "by": learner.name})  # fmt: skip
    elif action in DECIDED:
        event, verb = DECIDED[action]
        notify(session, tenant, learner.id, event, f"{by} {verb} your development plan",
               f"{by} {verb} your plan{role}." + _said(by, comment),
               data={**_plan_data(plan), "by": by})  # fmt: skip
    bookings_moved(session, tenant, plan, before, plan.status)


def bookings_moved(
    session: Session, tenant: Tenant, plan: Plan, before: PlanStatus | None, after: PlanStatus
) -> None:
    """Tell mentors (and the learner) that the plan asks for, books or lets go of them."""
    if (before in HELD) == (after in HELD) and not (
        before is PlanStatus.submitted and after is PlanStatus.approved
    ):
        return
    if after is PlanStatus.submitted:
        event, words = "mentor_requested", "asks for"
    elif after is PlanStatus.approved:
        event, words = "mentor_confirmed", "books"
    else:
        event, words = "mentor_cancelled", "no longer needs"
    for mentor, titles in _mentors(session, plan).items():
        _tell_mentor(session, tenant, plan, mentor, titles, event, words)


def _tell_mentor(
    session: Session, tenant: Tenant, plan: Plan, mentor: Mentor, titles: set[str], event: str,
    words: str,
) -> None:  # fmt: skip
    what = ", ".join(sorted(titles))
    data = {**_plan_data(plan), "mentor_id": mentor.id}
    notify(session, tenant, mentor.person_id, event,
           f"{plan.person.name}'s plan {words} you as a mentor",
           f"{plan.person.name}'s development plan {words} you as a mentor ({what}).",
           data=data)  # fmt: skip
    notify(session, tenant, plan.person_id, event,
           f"Your plan {words} {mentor.person.name} as a mentor",
           f"Your development plan {words} {mentor.person.name} as a mentor ({what}).",
           data=data)  # fmt: skip


def proposal_written(
    session: Session, tenant: Tenant, plan: Plan, change: Mapping[str, Any] | None
) -> None:
    """A re-plan proposed a change to a plan: the learner and their manager, with what changed."""
    if plan.status is not PlanStatus.proposed:
        return
    learner = plan.person
    summary = _change_words(session, tenant, change)
    text = f"A re-plan proposes a new version of {{whose}} plan{_role(plan)}: {summary}."
    notify(session, tenant, learner.id, "replan_proposed",
           "A re-plan proposes changes to your plan",
           text.format(whose="your") + " Your manager accepts or dismisses it.",
           data=_plan_data(plan))  # fmt: skip
    if learner.manager_id is not None:
        notify(session, tenant, learner.manager_id, "replan_proposed",
               f"A re-plan proposes changes to {learner.name}'s plan",
               text.format(whose=f"{learner.name}'s") + " It waits for your decision.",
               data=_plan_data(plan))  # fmt: skip


def sync_failed(session: Session, tenant: Tenant, run: LmsSyncRun, day: dt.date) -> None:
    """An LMS sync failed or stopped: every admin of the tenant, once a day per connection."""
    connection = run.connection
    admins = session.scalars(
        select(Person.id).where(
            Person.tenant_id == tenant.id, Person.is_admin.is_(True), Person.active.is_(True)
        )
    ).all()
    text = (f"The sync from {connection.kind.value} {connection.base_url} ended "
            f"{run.status.value}: {run.message or 'see the run for each failure'}. "
            "lti-pathing tries again on the next sync; the LMS connection page (Administration) "
            "shows every run.")  # fmt: skip
    for admin_id in admins:
        notify(session, tenant, admin_id, "lms_sync_failing",
               f"LMS sync failing: {connection.kind.value} {connection.base_url}", text,
               data={"run_id": run.id, "connection_id": connection.id},
               dedupe_key=f"sync:{connection.id}:{day.isoformat()}:{admin_id}")  # fmt: skip


def _mentors(session: Session, plan: Plan) -> Mapping[Mentor, set[str]]:
    found: dict[Mentor, set[str]] = {}
    for item in plan.items:
        if item.mentor_id is None:
            continue
        mentor = session.get(Mentor, item.mentor_id)
        if mentor is not None and mentor.person_id != plan.person_id:
            found.setdefault(mentor, set()).add(item.activity.title)
    return found


def _change_words(session: Session, tenant: Tenant, change: Mapping[str, Any] | None) -> str:
    if not change:
        return "a new plan"
    words = PlanChangeService(session, tenant).words(change)
    lines = [words.summary]
    lines += [f"added {c.title}" for c in words.added[:5]]
    lines += [f"removed {c.title}" for c in words.removed[:5]]
    lines += [f"moved {c.title}" for c in words.moved[:5]]
    return "; ".join(lines) + (f" (why: {'; '.join(words.reasons[:3])})" if words.reasons else "")


def _role(plan: Plan) -> str:
    return f" towards {plan.target_role.title}" if plan.target_role is not None else ""


def _said(who: str, comment: str | None) -> str:
    return f'\n\n{who} wrote: "{comment}"' if comment else ""


def _plan_data(plan: Plan) -> dict[str, Any]:
    return {"plan_id": plan.id, "learner_id": plan.person_id}


def proposal_accepted(
    session: Session, tenant: Tenant, proposal: Plan, old: Plan | None, actor_id: int, comment: str
) -> None:
    """A manager accepted a re-plan: the learner, and the mentors it books or lets go."""
    actor = session.get(Person, actor_id)
    by = actor.name if actor is not None else "someone"
    notify(session, tenant, proposal.person_id, "plan_approved",
           f"{by} accepted a re-plan of your development plan",
           f"{by} accepted the re-plan proposal: it is now your approved plan{_role(proposal)}."
           + _said(by, comment), data={**_plan_data(proposal), "by": by})  # fmt: skip
    before = set(_mentors(session, old)) if old is not None else set()
    after = _mentors(session, proposal)
    for mentor, titles in after.items():
        if mentor not in before:
            _tell_mentor(session, tenant, proposal, mentor, titles, "mentor_confirmed", "books")
    for mentor, titles in (_mentors(session, old) if old is not None else {}).items():
        if mentor not in after:
            _tell_mentor(session, tenant, proposal, mentor, titles, "mentor_cancelled",
                         "no longer needs")  # fmt: skip
