"""A readiness lower bound from hours and money: what closing every target by week D must cost.

The scope's static bound only asks when each missing level could end if nothing else competed for
the learner's time. Here, for a candidate readiness week D, every target skill needs a chain of
activities ending by D (a provider of its required level, a provider of the level that one requires
of the same skill, and so on), and the chains' weekly hours must fit the weeks before D (blackout
weeks give none). An activity that raises several target skills is shared: its hours are split
evenly between them, so summing the skills' cheapest chains never counts an hour twice. If the sum
exceeds the learner's hours up to D (or the same sum of costs exceeds the budget), D is impossible.

The bound holds only for plans that reach every reachable missing level, which is what the caller
asks for when the closure optimum equals the closure bound.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from fractions import Fraction

from solver.instance import Activity
from solver.scope import LearnerScope

Price = Callable[[Activity], int]


def energy_bound(scope: LearnerScope) -> int:
    """The first week D from the static bound on by which the hours and the budget can suffice."""
    needs = _needs(scope)
    start = scope.readiness_bound
    if not needs:
        return start
    hours = _Chains(scope, _hours)
    money = _Chains(scope, _cost) if scope.learner.budget_cents is not None else None
    hours_by = _hours_before(scope)
    for week in range(start, scope.end_week):
        if hours.least(needs, week) > hours_by[week]:
            continue
        if money is not None and money.least(needs, week) > (scope.learner.budget_cents or 0):
            continue
        return week
    return max(start, scope.end_week)


def _hours(a: Activity) -> int:
    return a.quarter_hours * a.duration_weeks


def _cost(a: Activity) -> int:
    return a.cost_cents


def _needs(scope: LearnerScope) -> dict[str, int]:
    """Per target skill that counts toward closure, the highest reachable level to reach."""
    needs: dict[str, int] = {}
    for s, lvl in scope.reachable:
        if scope.learner.target[s].weight_milli > 0:
            needs[s] = max(needs.get(s, 0), lvl)
    return needs


def _hours_before(scope: LearnerScope) -> list[int]:
    """Quarter hours the learner has in weeks 0..D-1, for every D up to the end week."""
    total = [0]
    for w in range(scope.end_week):
        total.append(total[-1] + scope.learner.capacity(w))
    return total


class _Chains:
    """The cheapest chain of same-skill providers reaching a level by a week, under one price."""

    def __init__(self, scope: LearnerScope, price: Price) -> None:
        self.scope = scope
        self.acts = {a.id: a for a in scope.candidates}
        skills = {s for s, _ in scope.target_levels}
        initial = scope.initial
        self.price = {}
        for a in scope.candidates:
            shared_by = sum(1 for s, g in a.grants.items() if s in skills and g > initial.get(s, 0))
            self.price[a.id] = Fraction(price(a), max(1, shared_by))
        self.memo: dict[tuple[str, int, int], Fraction | None] = {}

    def least(self, needs: dict[str, int], week: int) -> Fraction | float:
        """The least summed price of reaching every needed level with all chains ended by week."""
        total = Fraction(0)
        for s, lvl in needs.items():
            best = self.chain(s, lvl, week)
            if best is None:
                return float("inf")
            total += best
        return total

    def chain(self, skill: str, level: int, by: int) -> Fraction | None:
        """The cheapest way to hold `level` of `skill` by week `by` (None: impossible)."""
        if level <= self.scope.initial.get(skill, 0):
            return Fraction(0)
        key = (skill, level, by)
        if key in self.memo:
            return self.memo[key]
        best: Fraction | None = None
        for aid in self.scope.needed.get((skill, level), ()):
            a = self.acts[aid]
            starts = self.scope.starts[aid]
            i = bisect.bisect_right(starts, by - a.duration_weeks)
            if i == 0:
                continue
            cost: Fraction | None = self.price[aid]
            below = a.requires_skills.get(skill, 0)
            if below > self.scope.initial.get(skill, 0):
                # Its own prerequisite in this skill ends before its latest possible start.
                rest = self.chain(skill, below, starts[i - 1])
                cost = None if rest is None else self.price[aid] + rest
            if cost is not None and (best is None or cost < best):
                best = cost
        self.memo[key] = best
        return best
