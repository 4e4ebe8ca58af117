"""Hypothesis strategies for planning requests, built on the seeded generators in `solver.generate`.

Shrinking works on the seed (and the learner count), so a failing example is reported as the
smallest seed that fails; rebuild it with `generate.tiny_request(seed, learners)`.
"""

from __future__ import annotations

from hypothesis import strategies as st

from solver import generate
from solver.instance import PlanRequest

seeds = st.integers(min_value=0, max_value=2**32 - 1)


def tiny_requests(
    learners: int | None = None,
    *,
    max_activities: int = 6,
    cohorts: bool | None = None,
    pin: bool | None = None,
) -> st.SearchStrategy[PlanRequest]:
    """Requests small enough for `solver.exhaustive`: one or two learners unless `learners` says."""
    counts = st.sampled_from([1, 2]) if learners is None else st.just(learners)
    return st.builds(
        lambda seed, n: generate.tiny_request(
            seed, n, max_activities=max_activities, cohorts=cohorts, pin=pin
        ),
        seeds,
        counts,
    )


def single_learner_requests(n_activities: int = 60) -> st.SearchStrategy[PlanRequest]:
    """One learner against a generated catalog of `n_activities`."""
    return st.builds(lambda seed: generate.single_learner_request(n_activities, seed=seed), seeds)


def team_requests(n_learners: int = 4, n_activities: int = 80) -> st.SearchStrategy[PlanRequest]:
    """Several learners sharing a generated catalog's mentors and seats."""
    return st.builds(lambda seed: generate.team_request(n_learners, n_activities, seed=seed), seeds)
