"""What a learner's plan can possibly use: relevance filtering, earliest starts and dominance.

Before any CP-SAT variable exists, each learner's catalog is cut down to the activities that can
matter: they teach a missing target level, or (transitively) unlock one that does, they can fit
somewhere in time, and no other activity does the same job at least as well in every respect.
The same analysis yields the closure upper bound, a readiness lower bound and the facts the
open-gap explanations start from.
"""

from __future__ import annotations

import bisect
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from solver.instance import Activity, Learner, Mentor, PlanRequest

NEVER = 10**9
CACHED_SCOPES = 512  # scope analyses kept per request
_CACHES: dict[int, dict[tuple[object, ...], LearnerScope]] = {}
SkillLevel = tuple[str, int]


@dataclass
class LearnerScope:
    """The per-learner facts the model, the explanations and the benchmarks use."""

    learner: Learner
    initial: dict[str, int]
    end_week: int
    candidates: list[Activity]
    starts: dict[str, list[int]]  # activity id -> allowed start weeks, ascending
    earliest_end: dict[str, int]  # activity id -> earliest week it could end (relaxation)
    needed: dict[SkillLevel, list[str]]  # (skill, level) -> candidate ids granting >= level
    target_levels: list[
        SkillLevel
    ]  # missing target levels, (skill, level) for initial < level <= req
    reachable: set[SkillLevel]  # target levels some candidate can reach in time
    taught: set[SkillLevel]  # target levels some non-excluded catalog activity teaches at all
    dropped: dict[str, str] = field(default_factory=dict)  # activity id -> why it was cut
    shared: bool = False  # other learners compete for the same seats
    _start_sets: dict[str, frozenset[int]] = field(default_factory=dict)

    def start_set(self, activity: str) -> frozenset[int]:
        """Allowed start weeks as a set (cached; starts only shrink between passes)."""
        cached = self._start_sets.get(activity)
        if cached is None or len(cached) != len(self.starts[activity]):
            cached = self._start_sets[activity] = frozenset(self.starts[activity])
        return cached

    @property
    def closure_bound_milli(self) -> int:
        """Upper bound on weighted closure: every reachable missing target level is reached."""
        weights = self.learner.target
        return sum(
            weights[s].weight_milli for s, _ in self.target_levels if (s, _) in self.reachable
        )

    @property
    def readiness_bound(self) -> int:
        """Lower bound on readiness when every reachable target level is reached."""
        return max(
            (min(self.earliest_end[a] for a in self.needed[sl]) for sl in self.reachable), default=0
        )


def start_weeks(
    request: PlanRequest,
    learner: Learner,
    activity: Activity,
    mentor_free: MentorFree,
    calendar: Calendar | None = None,
) -> list[int]:
    """Every start week at which the activity fits on its own (window, cohorts, hours, mentors)."""
    pin = next((p for p in learner.pinned if p.activity == activity.id), None)
    d = activity.duration_weeks
    hi = request.end_week(learner) - d
    if activity.latest_end is not None:
        hi = min(hi, activity.latest_end - d)
    lo = activity.earliest_start
    weeks: Iterable[int] = (
        activity.start_weeks if activity.start_weeks is not None else range(lo, hi + 1)
    )
    calendar = calendar or Calendar(learner, request.horizon_weeks)
    fits = [w for w in weeks if lo <= w <= hi and calendar.fits(activity, w)]
    if activity.needs_mentor:
        eligible = [m for m in activity.mentors if m in mentor_free]
        fits = [w for w in fits if any(mentor_free.has_room(m, w, d) for m in eligible)]
    if pin is not None:
        return [
            pin.start_week
        ]  # the parser has checked the pin fits; keep it even if a ledger is full
    return fits


class Calendar:
    """A learner's weekly hours, to tell fast whether an activity's hours fit from a start week."""

    def __init__(self, learner: Learner, horizon: int) -> None:
        self.weekly = learner.quarter_hours
        # The first week at or after w with fewer hours than a normal week (blackouts).
        self.next_short = [horizon] * (horizon + 1)
        for w in range(horizon - 1, -1, -1):
            short = learner.capacity(w) < self.weekly
            self.next_short[w] = w if short else self.next_short[w + 1]
        self.learner = learner

    def fits(self, activity: Activity, start: int) -> bool:
        """True when every week of the activity from `start` has room for its weekly hours."""
        q = activity.quarter_hours
        if q == 0:
            return True
        if q > self.weekly:
            return False
        end = start + activity.duration_weeks
        if 0 <= start < len(self.next_short):
            short = self.next_short[start]
            if short >= end:
                return True  # only normal weeks
            if self.learner.capacity(short) < q:
                return False  # e.g. a blackout week inside the span
        return all(self.learner.capacity(w) >= q for w in range(start, end))


class MentorFree:
    """Free mentee places per mentor and week: capacity less bookings (and a ledger's usage)."""

    def __init__(self, mentors: Iterable[Mentor], horizon: int) -> None:
        self.free: dict[str, list[int]] = {
            m.id: [m.free(w) for w in range(horizon)] for m in mentors
        }

    def __contains__(self, mentor: object) -> bool:
        return mentor in self.free

    def has_room(self, mentor: str, start: int, duration: int) -> bool:
        """True when the mentor has a free place in every week of the span."""
        return min(self.free[mentor][start : start + duration], default=0) > 0

    def take(self, mentor: str, start: int, end: int) -> None:
        """Record one more mentee in weeks start..end-1."""
        row = self.free[mentor]
        for w in range(start, end):
            row[w] -= 1


def build_scope(
    request: PlanRequest,
    learner: Learner,
    mentor_free: MentorFree | None = None,
    shared: bool = False,
) -> LearnerScope:
    """Cut the catalog to what can matter for this learner's plan.

    The analysis depends on the learner's levels, target and limits, not on who they are: it is
    kept with the request and reused for every learner with the same inputs (the same target
    role and history), and for the same learner solved again.
    """
    mentor_free = mentor_free or MentorFree(request.mentors, request.horizon_weeks)
    key = (_learner_key(learner), tuple(map(tuple, mentor_free.free.values())), shared)
    cache = _cache_of(request)
    found = cache.get(key)
    if found is None:
        found = cache[key] = _build_scope(request, learner, mentor_free, shared)
        if len(cache) > CACHED_SCOPES:  # the oldest first: re-solves against a ledger rarely repeat
            del cache[next(iter(cache))]
    return _copy(found, learner)


def _cache_of(request: PlanRequest) -> dict[tuple[object, ...], LearnerScope]:
    """The request's scope cache, dropped with the request (kept out of it: never pickled)."""
    cache = _CACHES.get(id(request))
    if cache is None:
        cache = _CACHES[id(request)] = {}
        weakref.finalize(request, _CACHES.pop, id(request), None)
    return cache


def _learner_key(learner: Learner) -> tuple[object, ...]:
    """Everything of a learner the scope depends on (all but their id)."""
    return (
        tuple(sorted(learner.levels.items())),
        tuple(sorted((s, t.level, t.weight_milli) for s, t in learner.target.items())),
        learner.quarter_hours,
        learner.blackout_weeks,
        learner.deadline_week,
        learner.budget_cents,
        learner.completed,
        learner.pinned,
        learner.excluded,
    )


def _copy(scope: LearnerScope, learner: Learner) -> LearnerScope:
    """A scope for `learner` whose containers are its own (callers may narrow them)."""
    return replace(
        scope,
        learner=learner,
        initial=dict(scope.initial),
        candidates=list(scope.candidates),
        starts={k: list(v) for k, v in scope.starts.items()},
        earliest_end=dict(scope.earliest_end),
        needed={k: list(v) for k, v in scope.needed.items()},
        target_levels=list(scope.target_levels),
        reachable=set(scope.reachable),
        taught=set(scope.taught),
        dropped=dict(scope.dropped),
        _start_sets={},
    )


def _build_scope(
    request: PlanRequest, learner: Learner, mentor_free: MentorFree, shared: bool
) -> LearnerScope:
    initial = request.initial_levels(learner)
    pinned = {p.activity for p in learner.pinned}
    open_acts = [
        a
        for a in request.activities
        if a.id not in learner.excluded and a.id not in learner.completed
    ]
    targets = [
        (s, lvl)
        for s, t in learner.target.items()
        for lvl in range(initial.get(s, 0) + 1, t.level + 1)
    ]
    taught = {(s, lvl) for s, lvl in targets if any(a.grants.get(s, 0) >= lvl for a in open_acts)}
    calendar = Calendar(learner, request.horizon_weeks)
    starts: dict[str, list[int]] = {}
    scope = LearnerScope(
        learner,
        initial,
        request.end_week(learner),
        [],
        starts,
        {},
        {},
        targets,
        set(),
        taught,
        {},
        shared,
    )
    # Start weeks are the costly part: only for activities that could matter at all (the
    # usefulness pass below gives the same pool as if every activity had them).
    relevant = _useful({a.id: a for a in open_acts}, scope, pinned)
    for a in relevant.values():
        starts[a.id] = start_weeks(request, learner, a, mentor_free, calendar)
        if not starts[a.id]:
            scope.dropped[a.id] = "does not fit in time"
    for a in open_acts:
        starts.setdefault(a.id, [])
    pool = {a.id: a for a in relevant.values() if starts[a.id]}
    return _settle(scope, pool, request.activities, pinned)


def _settle(
    scope: LearnerScope, pool: dict[str, Activity], catalog: Iterable[Activity], pinned: set[str]
) -> LearnerScope:
    """Filter the pool to its fixpoint, then record candidates, providers and reachable levels."""
    for _ in range(4):  # each pass can only shrink the pool; a few suffice in practice
        before = len(pool)
        pool = _useful(pool, scope, pinned)
        pool = _reachable(pool, scope, scope.learner, pinned)
        pool = _undominated(pool, scope, pinned)
        if len(pool) == before:
            break
    scope.candidates = [a for a in catalog if a.id in pool]
    scope.needed = _providers(scope.candidates, _needed_levels(scope.candidates, scope))
    scope.reachable = {sl for sl in scope.target_levels if scope.needed.get(sl)}
    return scope


def scope_by(base: LearnerScope, week: int) -> LearnerScope:
    """The scope of the same learner with everything ended by `week` (a readiness candidate).

    Derived from `base` (same request, mentors and sharing, deadline at or after `week`) instead
    of starting over: the starts of its candidates that end in time are a superset of what a fresh
    analysis finds after its earliest-start pass, which the filters here repeat.
    """
    learner = replace(base.learner, deadline_week=week)
    pinned = {p.activity for p in learner.pinned}
    starts = {
        a.id: list(base.starts[a.id])
        if a.id in pinned
        else [w for w in base.starts[a.id] if w + a.duration_weeks <= week]
        for a in base.candidates
    }
    scope = LearnerScope(
        learner,
        base.initial,
        min(base.end_week, week),
        [],
        starts,
        {},
        {},
        base.target_levels,
        set(),
        base.taught,
        {},
        base.shared,
    )
    pool = {a.id: a for a in base.candidates if starts[a.id]}
    return _settle(scope, pool, base.candidates, pinned)


def _needed_levels(acts: Iterable[Activity], scope: LearnerScope) -> set[SkillLevel]:
    needed = set(scope.target_levels)
    for a in acts:
        for s, lvl in a.requires_skills.items():
            if lvl > scope.initial.get(s, 0):
                needed.add((s, lvl))
    return needed


def _providers(
    acts: Iterable[Activity], needed: Iterable[SkillLevel]
) -> dict[SkillLevel, list[str]]:
    order = {}
    index = GranterIndex(acts)
    for i, a in enumerate(acts):
        order[a.id] = i
    # Sorted: the model creates its level variables in this order, the same in every process.
    return {sl: sorted(index.providers(sl), key=order.__getitem__) for sl in sorted(needed)}


def _useful(
    pool: dict[str, Activity], scope: LearnerScope, pinned: set[str]
) -> dict[str, Activity]:
    """Keep activities that raise a missing target level, or unlock one that does (fixpoint)."""
    index = GranterIndex(pool.values())
    needed = set(scope.target_levels)
    keep: dict[str, Activity] = {}
    frontier = [pool[p] for p in pinned if p in pool]
    for sl in needed:
        frontier += [pool[b] for b in index.providers(sl)]
    while frontier:
        a = frontier.pop()
        if a.id in keep:
            continue
        keep[a.id] = a
        for s, lvl in a.requires_skills.items():
            if lvl > scope.initial.get(s, 0) and (s, lvl) not in needed:
                needed.add((s, lvl))
                frontier += [pool[b] for b in index.providers((s, lvl)) if b not in keep]
        frontier += [pool[b] for b in a.requires_activities if b in pool and b not in keep]
    for a in pool.values():
        if a.id not in keep:
            scope.dropped.setdefault(a.id, "adds nothing to the target")
    # In catalog order, not search order: dominance ties go to the earlier activity, whatever
    # the process's string hashing.
    return {k: v for k, v in pool.items() if k in keep}


class GranterIndex:
    """Which activities grant each skill, highest level first, to list providers of a level fast."""

    def __init__(self, acts: Iterable[Activity]) -> None:
        self.by_skill: dict[str, list[tuple[int, str]]] = {}
        for a in acts:
            for s, g in a.grants.items():
                self.by_skill.setdefault(s, []).append((g, a.id))
        for rows in self.by_skill.values():
            rows.sort(key=lambda r: -r[0])  # stable: catalog order within a level

    def providers(self, sl: SkillLevel) -> list[str]:
        """Activities granting skill sl[0] at level sl[1] or higher, in catalog order per level."""
        rows = self.by_skill.get(sl[0], [])
        return [a for g, a in rows if g >= sl[1]]


def _reachable(
    pool: dict[str, Activity], scope: LearnerScope, learner: Learner, pinned: set[str]
) -> dict[str, Activity]:
    """Earliest start of each activity given its prerequisite chains; drop the never-startable."""
    est = dict.fromkeys(pool, NEVER)
    changed = True
    while changed:
        changed = False
        avail = _earliest_levels(pool.values(), est)
        for a in pool.values():
            ready = 0
            for s, lvl in a.requires_skills.items():
                if lvl > scope.initial.get(s, 0):
                    row = avail.get(s, ())
                    ready = max(ready, row[lvl] if lvl < len(row) else NEVER)
            for b in a.requires_activities:
                if b not in learner.completed:
                    ready = max(ready, est[b] + pool[b].duration_weeks if b in pool else NEVER)
            weeks = scope.starts[a.id]
            i = bisect.bisect_left(weeks, ready)
            new = weeks[i] if i < len(weeks) and ready < NEVER else NEVER
            if new < est[a.id]:
                est[a.id] = new
                changed = True
    keep = {}
    for a in pool.values():
        if est[a.id] >= NEVER and a.id not in pinned:
            scope.dropped[a.id] = "its prerequisites cannot be met in time"
            continue
        if a.id not in pinned:
            scope.starts[a.id] = [w for w in scope.starts[a.id] if w >= est[a.id]]
        scope.earliest_end[a.id] = min(est[a.id], scope.starts[a.id][0]) + a.duration_weeks
        keep[a.id] = a
    return keep


def _earliest_levels(acts: Iterable[Activity], est: Mapping[str, int]) -> dict[str, list[int]]:
    """Per skill and level, the earliest week some activity granting that level could end."""
    top: dict[str, list[int]] = {}
    for a in acts:
        if est[a.id] >= NEVER:
            continue
        end = est[a.id] + a.duration_weeks
        for s, g in a.grants.items():
            row = top.setdefault(s, [NEVER])
            if len(row) <= g:
                row.extend([NEVER] * (g + 1 - len(row)))
            row[g] = min(row[g], end)
    for row in top.values():  # a level is available once any level at or above it is
        for lvl in range(len(row) - 2, -1, -1):
            row[lvl] = min(row[lvl], row[lvl + 1])
    return top


def _undominated(
    pool: dict[str, Activity], scope: LearnerScope, pinned: set[str]
) -> dict[str, Activity]:
    """Drop B when some A grants as much (where it matters), needs less and fits wherever B fits."""
    needed = _needed_levels(pool.values(), scope)
    cap: dict[str, int] = {}
    for s, lvl in needed:
        cap[s] = max(cap.get(s, 0), lvl)
    by_id_required = {b for a in pool.values() for b in a.requires_activities}
    order = {a: i for i, a in enumerate(pool)}
    providers = _providers(list(pool.values()), needed)
    dropped: set[str] = set()
    capped = {a.id: _capped(a, cap, scope.initial) for a in pool.values()}
    for b in pool.values():
        if b.id in pinned or b.id in by_id_required:
            continue
        gains = capped[b.id]
        if not gains:
            continue
        rarest = min(gains.items(), key=lambda kv: len(providers.get(kv, ())))
        for a_id in providers.get(rarest, ()):
            if a_id == b.id or a_id in dropped:
                continue
            a = pool[a_id]
            if _dominates(a, b, capped, scope) and (
                not _dominates(b, a, capped, scope) or order[a_id] < order[b.id]
            ):
                dropped.add(b.id)
                scope.dropped[b.id] = f"dominated by {a_id}"
                break
    return {k: v for k, v in pool.items() if k not in dropped}


def _capped(a: Activity, cap: Mapping[str, int], initial: Mapping[str, int]) -> dict[str, int]:
    return {
        s: min(g, cap[s])
        for s, g in a.grants.items()
        if s in cap and min(g, cap[s]) > initial.get(s, 0)
    }


def _dominates(
    a: Activity, b: Activity, capped: Mapping[str, dict[str, int]], scope: LearnerScope
) -> bool:
    if (
        a.duration_weeks > b.duration_weeks
        or a.quarter_hours > b.quarter_hours
        or a.cost_cents > b.cost_cents
    ):
        return False
    if a.seats is not None and scope.shared:  # A's seats are a pool of their own in a team
        return False
    if a.needs_mentor and not (b.needs_mentor and set(b.mentors) <= set(a.mentors)):
        return False
    ga, gb = capped[a.id], capped[b.id]
    if any(ga.get(s, 0) < lvl for s, lvl in gb.items()):
        return False
    done = scope.learner.completed
    if not {x for x in a.requires_activities if x not in done} <= set(b.requires_activities):
        return False
    for s, lvl in a.requires_skills.items():
        if lvl > scope.initial.get(s, 0) and b.requires_skills.get(s, 0) < lvl:
            return False
    return scope.start_set(b.id) <= scope.start_set(a.id)
