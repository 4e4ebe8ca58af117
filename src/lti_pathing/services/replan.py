"""Organisation (or team) re-plan: per-learner solves in parallel, then a ledger and a repair.

1. `ideal_chunk`: each learner of a chunk planned alone, all shared capacity free (any worker).
2. `settle_and_store`: the solver's organisation settle (`solver.org.settle_organisation`) splits
   the learners who contend for over-booked mentors and seats into groups, settles each group
   under the job's sharing policy (ledger, then price and branch) and reports the organisation's
   bound and who lost what to sharing; then plans are stored. Approved and submitted plans are
   never replaced: a changed plan becomes a proposal (status `proposed`, `replaces_id` set) that
   a manager accepts.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_pathing.errors import Invalid, LtiPathingError
from lti_pathing.models import Job, Person, Plan, PlanStatus, Tenant
from lti_pathing.services.plan_life import HELD, OPEN_DRAFTS
from lti_pathing.services.planning import Calendar, Limits, PlanningService, PlanSettings
from lti_pathing.services.planning.catalog import CatalogLoader
from lti_pathing.services.planning.request import BuiltRequest, Subject
from lti_pathing.services.planning.store import PlanWriter, items_key, plan_items_key
from solver.instance import PlanRequest
from solver.org import (
    OrgSettled,
    merge,
    open_gap,
    plan_alone,
    settle_group,
    settle_organisation,
    split_organisation,
)
from solver.org_format import plans_from_json, plans_to_json, settled_from_json, work_to_json
from solver.org_policy import POLICIES
from solver.response import open_gap_to_json
from solver.solution import LearnerPlan, OpenGap, PlanItem

EXPLAIN_SHARE = 0.15  # of a learner's solve limit, for explaining what stays open
SETTLE_S_PER_LEARNER = 0.1  # a contending learner's share of the settle step's time
SHARING_POLICIES = POLICIES  # policy -> what it means, for forms and the API
LOSSES_SHOWN = 200  # learners who lost closure to sharing, listed in the job's result


def chunks(items: Sequence[int], size: int) -> Iterator[list[int]]:
    """`items` in consecutive lists of at most `size`."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _settled(
    request: PlanRequest,
    built: BuiltRequest,
    found: dict[str, list[PlanItem]],
    alone: dict[str, list[PlanItem]],
    alone_gaps: dict[str, tuple[OpenGap, ...]],
) -> tuple[LearnerPlan, ...]:
    """Everyone's settled plan, with the open gaps explained for those who asked."""
    from solver.explain import explain_shared
    from solver.measure import learner_plan

    out = []
    for lr in request.learners:
        items = found.get(lr.id, [])
        gaps: tuple[OpenGap, ...] = ()
        if built.subjects[lr.id].settings.explain:
            gaps = explain_shared(request, lr, items, alone[lr.id], alone_gaps.get(lr.id, ()))
        out.append(learner_plan(request, lr, items, gaps))
    return tuple(out)


def _spans(marks: list[float]) -> list[float]:
    """Seconds between consecutive readings, rounded."""
    return [round(b - a, 1) for a, b in itertools.pairwise(marks)]


def _explain_until(limit: float) -> float:
    """When one learner's explanations must end: a share of the learner's solve limit."""
    return time.monotonic() + EXPLAIN_SHARE * limit


def _bounds(
    request: PlanRequest, plans: dict[str, list[PlanItem]], proven: dict[str, int]
) -> dict[str, int]:
    """Each learner's closure bound: proven alone, else all of their gap (never below the plan)."""
    from solver.measure import learner_plan

    out = {}
    for lr in request.learners:
        plan = learner_plan(request, lr, plans[lr.id])
        out[lr.id] = max(plan.closure_milli, proven.get(lr.id, plan.max_closure_milli))
    return out


def _sharing(org: OrgSettled, built: BuiltRequest) -> dict[str, Any]:
    """The price of sharing in the job's result: closure shared, alone, the bound; who lost what."""
    person = {lid: subject.person for lid, subject in built.subjects.items()}
    return {
        "closure": org.closure_milli / 1000,
        "closure_alone": org.alone_milli / 1000,  # each learner planned alone
        "closure_bound": org.bound_milli / 1000,  # the organisation's (Lagrangian) bound
        "policy": org.policy,
        "policy_text": POLICIES[org.policy],
        "groups": org.stats,
        "losses": [
            {
                **loss.to_json(),
                "person_id": person[loss.learner].id,
                "name": person[loss.learner].name,
                "holders": [person[h].name for h in loss.holders],
            }
            for loss in org.losses[:LOSSES_SHOWN]
        ],
        "losers": len(org.losses),
    }


@dataclass
class _Alone:
    """What the chunks found: plans made alone, their bounds and explained gaps, who was skipped."""

    plans: dict[str, list[PlanItem]] = field(default_factory=dict)
    bounds: dict[str, int] = field(default_factory=dict)
    open_gaps: dict[str, tuple[OpenGap, ...]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    proven: bool = True

    @classmethod
    def gather(cls, ideals: Sequence[dict[str, Any]]) -> _Alone:
        """The chunks' results together."""
        out = cls()
        for part in ideals:
            out.skipped.update(part["skipped"])
            for lid, gaps in part.get("open_gaps", {}).items():
                out.open_gaps[lid] = tuple(OpenGap(**g) for g in gaps)
            out.proven = out.proven and part["proven"]
            out.bounds.update(part.get("bounds", {}))
            out.plans.update(plans_from_json(part["plans"]))
        return out

    def people(self, job: Job) -> list[int]:
        """The job's people the chunks did not skip."""
        return [p for p in job.params["person_ids"] if str(p) not in self.skipped]

    def plans_for(self, request: PlanRequest) -> dict[str, list[PlanItem]]:
        """Each learner's plan made alone (none for someone the chunks did not see)."""
        return {lr.id: self.plans.get(lr.id, []) for lr in request.learners}


class ReplanService(PlanningService):
    """Re-plans many people of the acting tenant (used by jobs, the CLI and the admin pages)."""

    def __init__(self, session: Session, tenant: Tenant, limits: Limits, job: Job) -> None:
        super().__init__(session, tenant, limits=limits)
        self.job = job

    @classmethod
    def for_job(cls, session: Session, app: Flask, job_id: int) -> ReplanService:
        """The service acting for one re-plan job."""
        job = session.get_one(Job, job_id)
        tenant = session.get_one(Tenant, job.tenant_id)
        return cls(session, tenant, Limits.from_config(app.config), job)

    @staticmethod
    def affected(session: Session, tenant: Tenant, manager_id: int | None = None) -> list[int]:
        """Active people with a target role; with a manager, only those in their reporting tree."""
        people = session.scalars(
            select(Person).where(Person.tenant_id == tenant.id, Person.active.is_(True))
        ).all()
        keep = {p.id for p in people if p.target_role_id is not None}
        if manager_id is not None:
            under: set[int] = set()
            frontier = {manager_id}
            while frontier:
                frontier = {p.id for p in people if p.manager_id in frontier} - under
                under |= frontier
            keep &= under
        return sorted(keep)

    # --- building ---------------------------------------------------------------------------
    @property
    def calendar_(self) -> Calendar:
        """The job's calendar: every plan of one re-plan starts the same Monday."""
        import datetime as dt

        return Calendar.starting(dt.date.fromisoformat(self.job.params["starts_on"]))

    def _subject(self, person_id: int) -> tuple[Subject, Plan | None]:
        """The person's choices and the plan a re-plan writes over; the held plan, if any.

        With an approved or submitted plan, the re-plan updates (or creates) the proposal on it
        and leaves any draft alone; without one, it re-generates the newest open draft.
        """
        plans = self.session.scalars(
            select(Plan).where(Plan.person_id == person_id).order_by(Plan.id.desc())
        ).all()
        held = next((p for p in plans if p.status in HELD), None)
        if held is not None:
            target = next(
                (p for p in plans if p.status is PlanStatus.proposed and p.replaces_id == held.id),
                None,
            )
        else:
            target = next((p for p in plans if p.status in OPEN_DRAFTS), None)
        basis = target or held
        stored = basis.settings if basis is not None and basis.settings else {}
        settings = PlanSettings.from_json(stored).with_(
            starts_on=self.calendar_.week_zero, target_role_id=None
        )
        subject = self.subject(person_id, settings)
        subject.plan = target
        return subject, held

    def _try(
        self, subjects: list[Subject], loader: CatalogLoader
    ) -> tuple[BuiltRequest, PlanRequest]:
        """Build and parse; raises Invalid or the solver's RequestError."""
        from solver.request import parse_request

        built = self.build(
            subjects,
            self.calendar_,
            self.limits.quick_time_limit_s,
            False,
            loader,
            replanned=self.job.params["person_ids"],
        )
        return built, parse_request(built.data)

    def _build(
        self, person_ids: Sequence[int], loader: CatalogLoader
    ) -> tuple[BuiltRequest | None, PlanRequest | None, dict[str, str]]:
        """The request for these people; anyone who cannot be planned is skipped, with why."""
        from solver.errors import RequestError

        skipped: dict[str, str] = {}
        subjects = []
        for pid in person_ids:
            try:
                subjects.append(self._subject(pid)[0])
            except LtiPathingError as error:
                skipped[str(pid)] = error.message
        if not subjects:
            return None, None, skipped
        try:
            built, request = self._try(subjects, loader)
            return built, request, skipped
        except (LtiPathingError, RequestError):
            pass
        good = []
        for subject in subjects:  # find who cannot be planned, one by one
            try:
                self._try([subject], loader)
                good.append(subject)
            except (LtiPathingError, RequestError) as error:
                skipped[str(subject.person.id)] = str(error)
        if not good:
            return None, None, skipped
        built, request = self._try(good, loader)
        return built, request, skipped

    # --- phase 1 ----------------------------------------------------------------------------
    def ideal_chunk(self, person_ids: Sequence[int]) -> dict[str, Any]:
        """Plan each learner of the chunk alone (all shared capacity free); JSON-ready result.

        Open gaps are explained here, in the parallel phase, for everyone who asked for
        explanations (`settle_and_store` adapts them to the shared plan without solving again).
        """
        from solver.explain import explain_alone

        built, request, skipped = self._build(person_ids, CatalogLoader(self.session, self.tenant))
        if built is None or request is None:
            return {"plans": {}, "bounds": {}, "bound_milli": 0, "proven": True, "skipped": skipped}
        limit = self.limits.quick_time_limit_s
        ideal = plan_alone(request, limit * len(request.learners))
        gaps = {
            lr.id: [
                open_gap_to_json(g)
                for g in explain_alone(request, lr, ideal.plans[lr.id], _explain_until(limit))
            ]
            for lr in request.learners
            if built.subjects[lr.id].settings.explain
            and open_gap(request, lr, ideal.plans[lr.id])  # nothing to explain otherwise
        }
        return {
            "plans": plans_to_json(ideal.plans),
            "open_gaps": {lid: g for lid, g in gaps.items() if g},
            "bounds": ideal.bounds,
            "bound_milli": sum(ideal.bounds.values()),
            "proven": ideal.proven,
            "skipped": skipped,
        }

    # --- phase 2 and 3 ----------------------------------------------------------------------
    def group_works(self, ideals: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """The settle step's contention groups as JSON work (Celery settles each on a worker)."""
        alone = _Alone.gather(ideals)
        built, request, _ = self._build(alone.people(self.job), self._loader())
        if built is None or request is None:
            return []
        plans = alone.plans_for(request)
        _, works = split_organisation(
            request, plans, _bounds(request, plans, alone.bounds), SETTLE_S_PER_LEARNER,
            self.policy,
        )  # fmt: skip
        return [work_to_json(work) for work in works]

    def settle_and_store(
        self,
        ideals: Sequence[dict[str, Any]],
        groups: Sequence[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Settle everyone's plans together, store drafts and proposals; completes the job.

        `groups`: the contention groups already settled elsewhere (`group_works`, then
        `solver.org.settle_group` on workers); without them every group is settled here.
        """
        from lti_pathing.jobs.work import complete
        from solver.response import response_to_json
        from solver.solution import PlanResponse

        if self.job.status.value == "done":
            return dict(self.job.result or {})
        alone = _Alone.gather(ideals)
        skipped = dict(alone.skipped)
        marks = [time.monotonic()]
        built, request, more = self._build(alone.people(self.job), self._loader())
        marks.append(time.monotonic())
        skipped.update(more)
        stored: list[int] = []
        counts = {"drafts": 0, "proposals": 0, "unchanged": 0}
        sharing: dict[str, Any] = {"closure": 0.0, "closure_alone": 0.0, "closure_bound": 0.0}
        if built is not None and request is not None:
            plans = alone.plans_for(request)
            org = self._settle(request, plans, _bounds(request, plans, alone.bounds),
                               alone.proven, groups)  # fmt: skip
            alone_gaps = alone.open_gaps
            marks.append(time.monotonic())
            answer = response_to_json(
                PlanResponse(
                    org.status, _settled(request, built, org.plans, plans, alone_gaps), org.stats
                )
            )
            sharing = _sharing(org, built)
            writer = PlanWriter(self.session, self.tenant, self.clock(), answer.get("stats"))
            for lp in answer["plans"]:
                plan_id = self._store(writer, built, answer["status"], lp, counts)
                if plan_id is not None:
                    stored.append(plan_id)
        marks.append(time.monotonic())
        out = {
            "plan_ids": stored,
            **counts,
            "skipped": skipped,
            **sharing,
            # Where the settle step's time went: loading people, sharing, storing.
            "seconds": dict(zip(("build", "settle", "store"), _spans(marks), strict=False)),
        }
        complete(
            self.session,
            self.job,
            out,
            f"{counts['drafts']} draft(s), {counts['proposals']} proposal(s), "
            f"{counts['unchanged']} unchanged, {len(skipped)} skipped",
        )
        return out

    def _loader(self) -> CatalogLoader:
        return CatalogLoader(self.session, self.tenant)

    def _settle(
        self,
        request: PlanRequest,
        plans: dict[str, list[PlanItem]],
        bounds: dict[str, int],
        proven: bool,
        groups: Sequence[dict[str, Any]] | None,
    ) -> OrgSettled:
        """Settle every group here, or merge the groups settled on workers.

        A group whose learners changed since it was sent (someone became unplannable between
        the two builds) is settled here again.
        """
        policy = self.policy
        if groups is None:
            return settle_organisation(
                request, plans, bounds, SETTLE_S_PER_LEARNER, policy, proven=proven
            )
        settled, works = split_organisation(request, plans, bounds, SETTLE_S_PER_LEARNER, policy)
        found = {frozenset(g.plans): g for g in map(settled_from_json, groups)}
        done = [found.get(frozenset(w.plans)) or settle_group(w) for w in works]
        return merge(request, plans, bounds, settled, works, done, policy, proven)

    @staticmethod
    def checked_policy(policy: str) -> str:
        """The sharing policy if it is one we know; Invalid (listing the choices) if not."""
        if policy not in POLICIES:
            raise Invalid(
                "Unknown sharing policy.",
                {"policy": [f"one of: {', '.join(POLICIES)} (not {policy!r})"]},
            )
        return policy

    @property
    def policy(self) -> str:
        """The job's sharing policy (total readiness unless the admin chose another)."""
        return str(self.job.params.get("policy") or "total")

    def _store(
        self,
        writer: PlanWriter,
        built: BuiltRequest,
        status: str,
        lp: dict[str, Any],
        counts: dict[str, int],
    ) -> int | None:
        """A draft, a proposal on the held plan, or nothing when the held plan is unchanged."""
        subject = built.subjects[lp["learner"]]
        _, held = self._subject(subject.person.id)
        if held is not None and plan_items_key(held, built) == items_key(lp["items"]):
            counts["unchanged"] += 1
            return None
        plan = writer.write(built, status, lp, self.job.params.get("actor_id"), self.job.id, held)
        counts["proposals" if held is not None else "drafts"] += 1
        return plan.id
