"""Plan progress for LMS grade books: where it may go (chosen contexts), for whom, what was sent.

Passback is never on by default: Canvas turns a line item created without a resource link into
a real course assignment that counts toward the final grade, so an ordinary course the tool is
launched from (course navigation) must never get one. A course's grade book receives progress
only when it was chosen (`Gradebook`): a link placed with its own line item (the launch's AGS
claim carries `lineitem`: the LMS made that column), or the tenant admin set the course aside.
Only the course's learners are targets (not teachers, TAs, admins, Canvas's Test Student): the
platform refuses scores for anyone else. The score is `services.progress` of the learner's
reported plan, and nothing is sent before there is some progress. Sending is a background job
(`lti_pathing.jobs`); this service only reads and records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lti_pathing.errors import Invalid
from lti_pathing.models import (
    Gradebook,
    GradePassback,
    LtiContext,
    Person,
    Plan,
    PlanEvent,
    PlatformRegistration,
)
from lti_pathing.services.base import TenantService
from lti_pathing.services.progress import ProgressService, plan_progress

# The tool's own column in a course set aside for it: unmistakable in a list of assignments.
PLAN_TAG = "lti-pathing-plan"
PLAN_LABEL = "Career plan progress (lti-pathing)"
PLAN_RESOURCE_ID = "lti-pathing:career-plan-progress"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
CONTEXT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/context"
ROLES_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/roles"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
# Context roles that make a launch not gradable even beside Learner (a TA who is also enrolled
# as a student is still graded by the course's own staff, not by this tool).
STAFF = ("Instructor", "TeachingAssistant", "Administrator", "ContentDeveloper", "Mentor")
# Canvas's Student View ("Test Student"): Learner in the course, but never a gradable person.
TEST_USER_SUFFIX = "/system/person#TestUser"  # Canvas: http://purl.imsglobal.org/vocab/lti/...


def is_gradable_learner(roles: Iterable[str]) -> bool:
    """True for a learner of the launch's course whom its grade book grades."""
    given = [r for r in roles if isinstance(r, str)]
    if any(r.endswith(TEST_USER_SUFFIX) for r in given):  # lti/ or lis/v2/ vocabulary alike
        return False
    names = {_context_role(r) for r in given} - {None}
    return "Learner" in names and not names & set(STAFF)


def _context_role(role: str) -> str | None:
    """The LIS context role a claim value names (full, sub-role, or short form); else None."""
    if role.startswith(MEMBERSHIP + "/"):  # a sub-role: membership/Instructor#TeachingAssistant
        principal, _, sub = role[len(MEMBERSHIP) + 1 :].partition("#")
        return sub if sub == "TeachingAssistant" else principal
    if role.startswith(MEMBERSHIP + "#"):
        return role.split("#", 1)[1]
    return role if "/" not in role and ":" not in role else None


@dataclass(frozen=True)
class GradebookRow:
    """A course the tool was launched from, where its grade book stands, and who is in it."""

    context: LtiContext
    learners: list[GradePassback]

    @property
    def refused(self) -> list[GradePassback]:
        """Learners the LMS refused a score for good (not retried)."""
        return [t for t in self.learners if t.refused_status is not None]

    @property
    def sent(self) -> int:
        """Learners whose progress the LMS holds."""
        return sum(t.sent_at is not None for t in self.learners)


class GradeService(TenantService):
    """Passback targets of the acting tenant and the record of scores sent to them."""

    def remember_launch(
        self, registration: PlatformRegistration, claims: Mapping[str, Any], person: Person
    ) -> GradePassback | None:
        """Record the launch's course (and its graded link), and a learner as a target."""
        endpoint = claims.get(AGS_CLAIM) or {}
        context = claims.get(CONTEXT_CLAIM) or {}
        lineitems = str(endpoint.get("lineitems") or "")[:500]
        lineitem = str(endpoint.get("lineitem") or "")[:500]
        if not (lineitems or lineitem) or SCORE_SCOPE not in (endpoint.get("scope") or []):
            return None
        if not context.get("id"):
            return None
        row = self._context(registration, context, lineitems)
        if lineitem:  # a link placed with its own column: the LMS chose to grade it
            row.gradebook, row.lineitem_url = Gradebook.link, lineitem
        self.flush()
        return self._target(row, person, claims)

    def _context(
        self, registration: PlatformRegistration, context: Mapping[str, Any], lineitems: str
    ) -> LtiContext:
        """The launch's course, found or recorded (never chosen for grades by this alone)."""
        found = self.session.scalar(
            self.scoped(LtiContext).where(
                LtiContext.registration_id == registration.id,
                LtiContext.context_id == str(context["id"]),
            )
        )
        row = found or self.add(
            LtiContext(
                registration_id=registration.id,
                context_id=str(context["id"])[:255],
                lineitems_url=lineitems,
                title="",
            )
        )
        row.title = str(context.get("title") or context.get("label") or "")[:255]
        if lineitems and row.lineitems_url != lineitems:  # the course moved: find it again
            row.lineitems_url = lineitems
            if row.gradebook is Gradebook.course:
                row.lineitem_url = None
        return row

    def _target(
        self, row: LtiContext, person: Person, claims: Mapping[str, Any]
    ) -> GradePassback | None:
        """The person as a target of the course if a learner of it; else no target at all."""
        target = self.session.scalar(
            self.scoped(GradePassback).where(
                GradePassback.context_id == row.id, GradePassback.person_id == person.id
            )
        )
        roles = claims.get(ROLES_CLAIM) or []
        if not is_gradable_learner([roles] if isinstance(roles, str) else roles):
            if target is not None:  # no longer a learner there: their scores stop
                self.session.delete(target)
            return None
        if target is None:
            target = self.add(GradePassback(context_id=row.id, person_id=person.id,
                                            subject=str(claims["sub"])[:255]))  # fmt: skip
        target.subject = str(claims["sub"])[:255]
        target.refused_status = None  # a learner again: a refusal for good is lifted
        return target

    def targets(self, person_ids: Iterable[int] | None = None) -> list[GradePassback]:
        """Targets (of these people) in chosen grade books, not refused for good."""
        stmt = (
            self.scoped(GradePassback)
            .join(LtiContext, LtiContext.id == GradePassback.context_id)
            .join(PlatformRegistration, PlatformRegistration.id == LtiContext.registration_id)
            .where(
                PlatformRegistration.active.is_(True),
                LtiContext.gradebook != Gradebook.none,
                GradePassback.refused_status.is_(None),
            )
            .order_by(GradePassback.id)
        )
        if person_ids is not None:
            stmt = stmt.where(GradePassback.person_id.in_(list(person_ids)))
        return list(self.session.scalars(stmt))

    def with_targets(self, person_ids: Iterable[int]) -> list[int]:
        """Of these people, those with somewhere to send their progress."""
        return sorted({t.person_id for t in self.targets(person_ids)})

    def score_for(self, person_id: int) -> tuple[Plan | None, Decimal | None]:
        """The plan reported and its progress score out of 100; None while there is none."""
        plan = ProgressService(self.session, self.tenant, self.clock).reported_plan(person_id)
        progress = plan_progress(plan) if plan is not None else None
        return plan, progress.score if progress is not None and progress.started else None

    def record_sent(
        self, target: GradePassback, plan: Plan | None, score: Decimal, line_item: str | None
    ) -> None:
        """Note a score the LMS accepted."""
        now = self.clock()
        target.score, target.sent_at, target.attempted_at = score, now, now
        target.plan_id = plan.id if plan is not None else None
        target.error = None
        if line_item:
            target.context.lineitem_url = line_item[:500]

    def record_failed(self, target: GradePassback, error: str, final: int | None = None) -> None:
        """Note the LMS's refusal (the last score sent stays); `final`: its 4xx status, for good."""
        target.attempted_at, target.error = self.clock(), error[:2000]
        target.refused_status = final

    def people_with_items_done_since(self, since: dt.datetime) -> list[int]:
        """People whose plan items were marked done (by a sync or an upload) since `since`."""
        stmt = (
            select(Plan.person_id)
            .join(PlanEvent, PlanEvent.plan_id == Plan.id)
            .where(
                Plan.tenant_id == self.tenant.id,
                PlanEvent.kind == "item_completed",
                PlanEvent.at >= since,
            )
            .distinct()
        )
        return sorted(self.session.scalars(stmt))

    def gradebooks(self) -> list[GradebookRow]:
        """Every course the tool was launched from (with AGS), by title, with its learners."""
        contexts = self.session.scalars(
            self.scoped(LtiContext)
            .options(selectinload(LtiContext.registration))
            .order_by(LtiContext.title, LtiContext.id)
        ).all()
        targets = self.session.scalars(
            self.scoped(GradePassback)
            .options(selectinload(GradePassback.person))
            .order_by(GradePassback.id)
        ).all()
        by_context: dict[int, list[GradePassback]] = {}
        for target in targets:
            by_context.setdefault(target.context_id, []).append(target)
        return [GradebookRow(c, by_context.get(c.id, [])) for c in contexts]

    def change(self, context_id: int, action: str) -> list[int]:
        """An admin's choice for a course's grade book; the people whose passback it affects.

        `set_aside`: the course receives progress in the tool's own column; `stop`: nothing more
        is sent; `send_again`: lift the LMS's refusals for good, once fixed in the LMS.
        """
        context = self.get(LtiContext, context_id)
        if action == "send_again":
            for target in self._targets_of(context):
                target.refused_status = None
        elif action in ("set_aside", "stop"):
            if context.gradebook is Gradebook.link:
                raise Invalid("this course has a graded link placed in the LMS; remove its "
                              "grade column in the LMS to stop progress there")  # fmt: skip
            context.gradebook = Gradebook.course if action == "set_aside" else Gradebook.none
            context.lineitem_url = None
        else:
            raise Invalid("unknown action", {"action": ["set_aside, stop or send_again"]})
        return self._people_of(context)

    def _targets_of(self, context: LtiContext) -> list[GradePassback]:
        return list(
            self.session.scalars(
                self.scoped(GradePassback).where(GradePassback.context_id == context.id)
            )
        )

    def _people_of(self, context: LtiContext) -> list[int]:
        self.flush()
        return sorted({t.person_id for t in self._targets_of(context)})
