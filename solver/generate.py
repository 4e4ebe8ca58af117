"""Deterministic random planning instances for tests, property tests and the benchmark.

Every generator takes a seed and draws from its own `random.Random`, so the same arguments always
give the same request. Catalogs look like a real L&D catalog: skills with five levels, activities
that form progression ladders (granting level l usually requires l-1 or l-2 of the same skill),
many free items, some cohort courses with seats, mentorships and seated stretch assignments.
"""

from __future__ import annotations

import random
from dataclasses import replace

from solver.instance import (
    CENTS_PER_UNIT,
    MILLI_PER_WEIGHT,
    QUARTERS_PER_HOUR,
    Activity,
    Booking,
    Learner,
    Mentor,
    Pin,
    PlanRequest,
    Skill,
    Target,
)

MAX_LEVEL = 5

# Weeks each kind usually lasts (all within 1..12).
_DURATIONS = {
    "course": (2, 8),
    "certification": (4, 12),
    "shadowing": (1, 2),
    "peer_group": (4, 8),
    "mentorship": (8, 12),
    "stretch": (6, 12),
}
_PLAIN_KINDS = ("course", "course", "course", "certification", "shadowing", "peer_group")


def catalog(
    n_activities: int,
    n_skills: int = 30,
    seed: int = 0,
    horizon: int = 52,
    mentors: int = 5,
    *,
    cohort_share: float = 0.1,
    mentorship_share: float = 0.1,
    stretch_share: float = 0.1,
) -> PlanRequest:
    """A request holding a realistic catalog (skills, activities, mentors) and no learners."""
    rng = random.Random(f"catalog:{seed}")
    skills = tuple(Skill(f"skill-{i:02d}", MAX_LEVEL) for i in range(n_skills))
    mentor_list = tuple(_mentor(rng, i, horizon) for i in range(mentors))
    shares = (cohort_share, mentorship_share if mentors >= 2 else 0.0, stretch_share)
    activities: list[Activity] = []
    for i in range(n_activities):
        activities.append(_activity(rng, i, skills, mentor_list, horizon, shares, activities))
    return PlanRequest(horizon, skills, tuple(activities), mentor_list)


def single_learner_request(
    n_activities: int,
    seed: int = 0,
    targets: int = 8,
    hours: tuple[int, int] = (4, 10),
    *,
    n_skills: int = 30,
    horizon: int = 52,
) -> PlanRequest:
    """One learner with `targets` target skills against a generated catalog."""
    request = catalog(n_activities, n_skills, seed, horizon)
    rng = random.Random(f"learners:{seed}")
    learner = _learner(rng, "learner-0", request, targets, hours)
    return replace(request, learners=(learner,))


def team_request(
    n_learners: int,
    n_activities: int,
    seed: int = 0,
    mentors: int = 5,
    seated_stretch: float = 0.1,
    *,
    targets: int = 8,
    hours: tuple[int, int] = (4, 10),
    horizon: int = 52,
) -> PlanRequest:
    """Learners sharing one catalog's mentors and seats (`seated_stretch`: share of stretch)."""
    request = catalog(n_activities, 30, seed, horizon, mentors, stretch_share=seated_stretch)
    rng = random.Random(f"team:{seed}")
    learners = tuple(
        _learner(rng, f"learner-{i}", request, targets, hours) for i in range(n_learners)
    )
    return replace(request, learners=learners)


def _mentor(rng: random.Random, index: int, horizon: int) -> Mentor:
    """A mentor with 1-3 places, sometimes partly booked already."""
    booked: tuple[Booking, ...] = ()
    if rng.random() < 0.3:
        start = rng.randrange(horizon)
        booked = (Booking(start, min(horizon, start + rng.randint(4, 16)), 1),)
    return Mentor(f"mentor-{index}", rng.randint(1, 3), booked)


def _activity(
    rng: random.Random,
    index: int,
    skills: tuple[Skill, ...],
    mentors: tuple[Mentor, ...],
    horizon: int,
    shares: tuple[float, float, float],
    earlier: list[Activity],
) -> Activity:
    """One catalog activity, possibly building on the `earlier` ones."""
    cohort_share, mentorship_share, stretch_share = shares
    draw = rng.random()
    if draw < cohort_share:
        kind = "cohort"
    elif draw < cohort_share + mentorship_share:
        kind = "mentorship"
    elif draw < cohort_share + mentorship_share + stretch_share:
        kind = "stretch"
    else:
        kind = rng.choice(_PLAIN_KINDS)
    low, high = _DURATIONS["course" if kind == "cohort" else kind]
    duration = min(rng.randint(low, high), horizon)
    grants, requires = _ladder_step(rng, skills)
    activity = Activity(
        id=f"act-{index:04d}",
        kind="course" if kind == "cohort" else kind,
        duration_weeks=duration,
        quarter_hours=rng.randint(1 * QUARTERS_PER_HOUR, 8 * QUARTERS_PER_HOUR),
        cost_cents=_cost(rng, kind),
        grants=grants,
        requires_skills=requires,
    )
    if kind == "cohort":
        step = rng.randint(4, 8)
        starts = tuple(range(rng.randrange(step), horizon, step))
        activity = replace(activity, start_weeks=starts or (0,), seats=rng.randint(5, 20))
    elif kind == "mentorship":
        chosen = rng.sample(mentors, min(len(mentors), rng.randint(2, 3)))
        activity = replace(activity, mentors=tuple(sorted(m.id for m in chosen)))
    elif kind == "stretch":
        activity = replace(activity, seats=rng.randint(1, 3))
    return _extras(rng, activity, horizon, earlier)


def _ladder_step(
    rng: random.Random, skills: tuple[Skill, ...]
) -> tuple[dict[str, int], dict[str, int]]:
    """Grants of 1-2 skills, and the lower rung of the main skill it usually requires."""
    taught = rng.sample(skills, 2 if rng.random() < 0.25 and len(skills) > 1 else 1)
    grants = {s.id: rng.randint(1, s.max_level) for s in taught}
    main = taught[0].id
    requires: dict[str, int] = {}
    if grants[main] >= 2 and rng.random() < 0.8:
        requires[main] = max(1, grants[main] - rng.choice((1, 1, 2)))
    return grants, requires


def _cost(rng: random.Random, kind: str) -> int:
    """Free for most mentoring, shadowing, stretch and peer groups, often else; or 1-2000 units."""
    free_chance = 0.8 if kind in ("mentorship", "shadowing", "stretch", "peer_group") else 0.4
    if rng.random() < free_chance:
        return 0
    return rng.randint(1, 2000) * CENTS_PER_UNIT


def _extras(
    rng: random.Random, activity: Activity, horizon: int, earlier: list[Activity]
) -> Activity:
    """Occasionally a window, and occasionally prerequisites on earlier activities (acyclic)."""
    if rng.random() < 0.05 and activity.start_weeks is None:
        earliest = rng.randint(0, horizon // 2)
        latest = min(horizon, earliest + activity.duration_weeks + rng.randint(4, 20))
        if latest - earliest >= activity.duration_weeks:
            activity = replace(activity, earliest_start=earliest, latest_end=latest)
    if earlier and rng.random() < 0.05:
        chosen = rng.sample(earlier, min(len(earlier), rng.choice((1, 1, 2))))
        activity = replace(activity, requires_activities=tuple(a.id for a in chosen))
    return activity


def _learner(
    rng: random.Random,
    learner_id: str,
    request: PlanRequest,
    targets: int,
    hours: tuple[int, int],
) -> Learner:
    """A learner with targets of level 3-5, a few starting levels, hours and blackout weeks."""
    horizon = request.horizon_weeks
    chosen = rng.sample(request.skills, min(targets, len(request.skills)))
    target = {
        s.id: Target(min(s.max_level, rng.randint(3, 5)), rng.randint(1, 3) * MILLI_PER_WEIGHT)
        for s in chosen
    }
    levels = {s.id: level for s in chosen if (level := rng.randint(0, 2)) > 0}
    blackouts = frozenset(rng.sample(range(horizon), min(horizon, rng.randint(1, 3))))
    budget = rng.randint(1000, 5000) * CENTS_PER_UNIT if rng.random() < 0.3 else None
    return Learner(
        id=learner_id,
        levels=levels,
        target=target,
        quarter_hours=rng.randint(hours[0] * QUARTERS_PER_HOUR, hours[1] * QUARTERS_PER_HOUR),
        blackout_weeks=blackouts,
        deadline_week=horizon,
        budget_cents=budget,
    )


def tiny_request(
    seed: int,
    learners: int = 1,
    *,
    max_activities: int = 6,
    cohorts: bool | None = None,
    pin: bool | None = None,
) -> PlanRequest:
    """A request small enough for `solver.exhaustive`, with constraints that bind.

    2-3 skills, 3..`max_activities` activities, a horizon of 4-8 weeks, a mentorship whose mentor
    takes one mentee, sometimes a cohort course with one seat (`cohorts` forces it on or off), a
    blackout week, a budget, few hours per week, and sometimes a pin (`pin` forces it).
    """
    rng = random.Random(f"tiny:{seed}:{learners}")
    horizon = rng.randint(4, 8)
    skills = tuple(Skill(f"s{i}", 3) for i in range(rng.randint(2, 3)))
    mentors = [Mentor("m0", 1)]
    if rng.random() < 0.5:
        week = rng.randrange(horizon)
        mentors.append(Mentor("m1", 1, (Booking(week, week + rng.randint(1, 3), 1),)))
    with_cohort = rng.random() < 0.5 if cohorts is None else cohorts
    activities: list[Activity] = []
    for i in range(rng.randint(3, max(3, max_activities))):
        activities.append(_tiny_activity(rng, i, skills, mentors, horizon, with_cohort, activities))
    request = PlanRequest(horizon, skills, tuple(activities), tuple(mentors))
    people = tuple(_tiny_learner(rng, f"l{i}", request) for i in range(learners))
    if pin if pin is not None else rng.random() < 0.3:
        people = (_with_pin(rng, request, people[0]), *people[1:])
    return replace(request, learners=people)


def _tiny_activity(
    rng: random.Random,
    index: int,
    skills: tuple[Skill, ...],
    mentors: list[Mentor],
    horizon: int,
    with_cohort: bool,
    earlier: list[Activity],
) -> Activity:
    """A short, cheap activity; the first is a mentorship, the second maybe a one-seat cohort."""
    skill = rng.choice(skills).id
    level = rng.randint(1, 3)
    requires = {skill: level - 1} if level >= 2 and rng.random() < 0.7 else {}
    activity = Activity(
        id=f"a{index}",
        kind=rng.choice(("course", "certification", "shadowing")),
        duration_weeks=rng.randint(1, 3),
        quarter_hours=rng.choice((0, 2, 4, 4, 6, 8)),
        cost_cents=rng.choice((0, 0, 1, 2, 5)) * 100 * CENTS_PER_UNIT,
        grants={skill: level},
        requires_skills=requires,
    )
    if index == 0:
        activity = replace(activity, kind="mentorship", mentors=tuple(m.id for m in mentors))
    elif index == 1 and with_cohort:
        step = rng.randint(2, 3)
        activity = replace(activity, start_weeks=tuple(range(0, horizon, step)), seats=1)
    elif rng.random() < 0.2:
        activity = replace(activity, kind="stretch", seats=1)
    if earlier and rng.random() < 0.15:
        activity = replace(activity, requires_activities=(rng.choice(earlier).id,))
    if (
        rng.random() < 0.15
        and activity.start_weeks is None
        and horizon - 2 >= activity.duration_weeks
    ):
        activity = replace(activity, earliest_start=1, latest_end=horizon - 1)
    return activity


def _tiny_learner(rng: random.Random, learner_id: str, request: PlanRequest) -> Learner:
    """A learner with a few targets, little time, a blackout week and sometimes a budget."""
    horizon = request.horizon_weeks
    chosen = rng.sample(request.skills, rng.randint(1, len(request.skills)))
    ids = [a.id for a in request.activities]
    target = {s.id: Target(rng.randint(2, 3), rng.randint(1, 3) * MILLI_PER_WEIGHT) for s in chosen}
    return Learner(
        id=learner_id,
        levels={s.id: level for s in request.skills if (level := rng.choice((0, 0, 1))) > 0},
        target=target,
        quarter_hours=rng.choice((4, 6, 8, 12)),
        blackout_weeks=frozenset({rng.randrange(horizon)} if rng.random() < 0.8 else ()),
        deadline_week=horizon - 1 if rng.random() < 0.2 else horizon,
        budget_cents=rng.randint(1, 8) * 100 * CENTS_PER_UNIT if rng.random() < 0.5 else None,
        completed=frozenset({rng.choice(ids)} if rng.random() < 0.1 else ()),
        excluded=frozenset({rng.choice(ids)} if rng.random() < 0.1 else ()),
    )


def _with_pin(rng: random.Random, request: PlanRequest, learner: Learner) -> Learner:
    """The learner with one pin that fits on its own (no prerequisites, mentor or seats)."""
    end = request.end_week(learner)
    options = [
        Pin(a.id, start)
        for a in request.activities
        if not (a.requires_skills or a.requires_activities or a.needs_mentor or a.seats)
        and a.id not in learner.excluded | learner.completed
        and (learner.budget_cents is None or a.cost_cents <= learner.budget_cents)
        for start in (a.start_weeks or range(a.earliest_start, end))
        if start + a.duration_weeks <= min(end, a.latest_end or end)
        and all(
            learner.capacity(w) >= a.quarter_hours for w in range(start, start + a.duration_weeks)
        )
    ]
    return replace(learner, pinned=(rng.choice(options),)) if options else learner
