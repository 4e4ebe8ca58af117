"""Rules of the planning request that relate several of its parts.

Prerequisite cycles across the catalog, and a learner's pinned items against the catalog and the
learner's own limits. A pinned item that breaks one of these could never be kept by any plan, so
the request is rejected up front; conflicts between learners (seats, mentor capacity) and
prerequisite chains are the planner's to find, and end in the status "infeasible".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from solver.instance import CENTS_PER_UNIT, QUARTERS_PER_HOUR, Activity, Learner, Pin
from solver.request_fields import Reader, child


@dataclass(frozen=True)
class PinnedItem:
    """A pinned item read cleanly, with the JSON path it came from."""

    pin: Pin
    path: str


def hours(quarter_hours: int) -> str:
    """Quarter hours as hours for messages: '6', '2.5', '0.25'."""
    return _plain(Decimal(quarter_hours) / QUARTERS_PER_HOUR)


def money(cents: int) -> str:
    """Cents as money for messages: '450', '10.5'."""
    return _plain(Decimal(cents) / CENTS_PER_UNIT)


def _plain(number: Decimal) -> str:
    """A decimal without trailing zeros or exponent."""
    return format(number.normalize(), "f")


def check_prerequisite_cycles(
    reader: Reader, requires: Mapping[str, Sequence[str]], paths: Mapping[str, str]
) -> None:
    """Report each cycle of activity prerequisites once, at its first activity in document order."""
    order = {activity: index for index, activity in enumerate(requires)}
    reported: set[tuple[str, ...]] = set()
    for cycle in _cycles(requires):
        start = min(range(len(cycle)), key=lambda i: order[cycle[i]])
        rotated = (*cycle[start:], *cycle[:start])
        if rotated in reported:
            continue
        reported.add(rotated)
        chain = " -> ".join((*rotated, rotated[0]))
        reader.add(paths[rotated[0]], f"prerequisite cycle: {chain}")


def _cycles(requires: Mapping[str, Sequence[str]]) -> Iterator[tuple[str, ...]]:
    """The cycles closed by back edges of an iterative depth-first search."""
    done: set[str] = set()
    for root in requires:
        if root in done:
            continue
        stack: list[tuple[str, Iterator[str]]] = [(root, iter(requires[root]))]
        on_stack = {root}
        while stack:
            node, successors = stack[-1]
            nxt = next(successors, None)
            if nxt is None:
                stack.pop()
                on_stack.discard(node)
                done.add(node)
            elif nxt in on_stack:
                names = [name for name, _ in stack]
                yield tuple(names[names.index(nxt) :])
            elif nxt not in done and nxt in requires:
                stack.append((nxt, iter(requires[nxt])))
                on_stack.add(nxt)


def check_pins(
    reader: Reader,
    activities: Mapping[str, Activity],
    horizon: int,
    learner: Learner,
    pins: Sequence[PinnedItem],
    path: str,
) -> None:
    """Report pinned items that no plan of this learner could keep; `path` is `...pinned`."""
    first: dict[str, str] = {}
    known: list[tuple[PinnedItem, Activity]] = []  # each pinned activity once, if read cleanly
    for item in pins:
        _pin_lists(reader, learner, item, first)
        activity = activities.get(item.pin.activity)
        if activity is None or first[activity.id] != item.path:
            continue
        known.append((item, activity))
        _pin_timing(reader, horizon, learner, item, activity)
        _pin_mentor(reader, item, activity)
    _pin_hours(reader, learner, known, path)
    _pin_budget(reader, learner, known, path)


def _pin_lists(reader: Reader, learner: Learner, item: PinnedItem, first: dict[str, str]) -> None:
    """A pinned activity is neither excluded, nor completed, nor pinned twice."""
    name, at = item.pin.activity, child(item.path, "activity")
    if name in learner.excluded:
        reader.add(at, f"'{name}' is both pinned and excluded")
    if name in learner.completed:
        reader.add(at, f"'{name}' is already completed and cannot be pinned")
    if name in first:
        reader.add(at, f"'{name}' is pinned twice (first at {first[name]})")
    first.setdefault(name, item.path)


def _pin_timing(
    reader: Reader, horizon: int, learner: Learner, item: PinnedItem, activity: Activity
) -> None:
    """A pinned start is a cohort start, inside the window, and ends by the deadline."""
    start, name, at = item.pin.start_week, activity.id, child(item.path, "start_week")
    ends = f"'{name}' would end at week {start + activity.duration_weeks}, after"
    if activity.start_weeks is not None and start not in activity.start_weeks:
        starts = ", ".join(str(w) for w in activity.start_weeks)
        reader.add(at, f"week {start} is not a cohort start of '{name}' (starts: {starts})")
    if start < activity.earliest_start:
        opens = activity.earliest_start
        reader.add(at, f"'{name}' cannot start before its window opens at week {opens}")
    closes = activity.latest_end
    if closes is not None and start + activity.duration_weeks > closes:
        reader.add(at, f"{ends} its window's latest_end {closes}")
    deadline = learner.deadline_week
    if deadline is not None and deadline < horizon and start + activity.duration_weeks > deadline:
        reader.add(at, f"{ends} the learner's deadline_week {deadline}")
    elif start + activity.duration_weeks > horizon:
        reader.add(at, f"{ends} horizon_weeks {horizon}")


def _pin_mentor(reader: Reader, item: PinnedItem, activity: Activity) -> None:
    """A pinned mentor is one of the activity's eligible mentors."""
    mentor, name, at = item.pin.mentor, activity.id, child(item.path, "mentor")
    if mentor is None:
        return
    if not activity.needs_mentor:
        reader.add(at, f"'{name}' takes no mentor")
    elif mentor not in activity.mentors:
        eligible = ", ".join(activity.mentors)
        reader.add(at, f"mentor '{mentor}' is not eligible for '{name}' (eligible: {eligible})")


def _pin_hours(
    reader: Reader, learner: Learner, known: Sequence[tuple[PinnedItem, Activity]], path: str
) -> None:
    """Pinned items fit the learner's weekly hours, alone, together and around blackout weeks."""
    load: dict[int, list[Activity]] = defaultdict(list)  # week -> pinned activities that fit alone
    for item, activity in known:
        if activity.quarter_hours == 0:
            continue
        weeks = range(item.pin.start_week, item.pin.start_week + activity.duration_weeks)
        blackout = ", ".join(str(w) for w in weeks if w in learner.blackout_weeks)
        if activity.quarter_hours > learner.quarter_hours:
            need, have = hours(activity.quarter_hours), hours(learner.quarter_hours)
            reader.add(
                item.path,
                f"'{activity.id}' needs {need} h/week, more than the learner's {have} h/week",
            )
        elif blackout:
            reader.add(item.path, f"'{activity.id}' runs in blackout week(s) {blackout}")
        else:
            for week in weeks:
                load[week].append(activity)
    _pins_together(reader, learner, load, path)


def _pins_together(
    reader: Reader, learner: Learner, load: Mapping[int, Sequence[Activity]], path: str
) -> None:
    """Report, once per set of pinned items, the first week they need more hours than there are."""
    reported: set[frozenset[str]] = set()
    for week in sorted(load):
        names = frozenset(a.id for a in load[week])
        total = sum(a.quarter_hours for a in load[week])
        if total > learner.quarter_hours and names not in reported:
            reported.add(names)
            listed = ", ".join(f"'{n}'" for n in sorted(names))
            reader.add(
                path,
                f"pinned {listed} need {hours(total)} h in week {week}, "
                f"more than the learner's {hours(learner.quarter_hours)} h/week",
            )


def _pin_budget(
    reader: Reader, learner: Learner, known: Sequence[tuple[PinnedItem, Activity]], path: str
) -> None:
    """Pinned items cost no more than the learner's budget."""
    if learner.budget_cents is None:
        return
    total = sum(activity.cost_cents for _, activity in known)
    if total > learner.budget_cents:
        limit = money(learner.budget_cents)
        reader.add(path, f"pinned items cost {money(total)}, more than the budget of {limit}")
