"""Scope analysis: a readiness candidate's scope derived from the learner's full scope is the one a
fresh analysis with that deadline gives (up to the filters' pass limit), so no optimum is lost."""

from __future__ import annotations

from dataclasses import replace

import pytest

from solver import generate
from solver.scope import build_scope, scope_by


@pytest.mark.parametrize("seed", [1, 4, 7])
def test_a_derived_deadline_scope_matches_a_fresh_analysis(seed: int) -> None:
    request = generate.single_learner_request(300, seed=seed)
    learner = request.learners[0]
    base = build_scope(request, learner)
    kept = {a.id for a in base.candidates}
    narrow = replace(request, activities=tuple(a for a in request.activities if a.id in kept))
    for week in range(base.readiness_bound, base.end_week, 3):
        fresh = build_scope(narrow, replace(learner, deadline_week=week))
        derived = scope_by(base, week)
        assert derived.end_week == fresh.end_week == week
        assert derived.closure_bound_milli == fresh.closure_bound_milli
        assert derived.readiness_bound == fresh.readiness_bound
        assert [a.id for a in derived.candidates] == [a.id for a in fresh.candidates]
        for a in derived.candidates:
            assert derived.starts[a.id] == fresh.starts[a.id]
            assert all(w + a.duration_weeks <= week for w in derived.starts[a.id])
