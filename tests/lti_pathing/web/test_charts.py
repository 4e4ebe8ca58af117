"""The charts' geometry: the timeline in per cent with labels that stay inside, the narrow graph."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from lti_pathing.web.charts import LABEL_CHARS, MAX_TICKS, gantt, path_graph


def _row(start: int, end: int, title: str = "Python Essentials") -> SimpleNamespace:
    activity = SimpleNamespace(title=title)
    return SimpleNamespace(item=SimpleNamespace(start_week=start, end_week=end, activity=activity))


def test_labels_of_late_bars_end_at_the_bar_so_they_stay_inside_the_chart() -> None:
    chart = gantt([_row(0, 4), _row(40, 52)], 52, lambda w: dt.date(2027, 1, 4))
    early, late = chart.bars
    assert not early.label_end and early.label_x == early.x == 0
    assert late.label_end and late.label_x == 100


def test_long_titles_wrap_into_lines_that_fit_half_a_narrow_chart() -> None:
    title = "Extend the design system with a new component family"  # 52 characters
    chart = gantt([_row(10, 14, title), _row(0, 2)], 20, lambda w: dt.date(2027, 1, 4))
    long, short = chart.bars
    assert " ".join(long.lines) == title and all(len(line) <= LABEL_CHARS for line in long.lines)
    assert len(long.lines) == 3 and long.label_y == long.y - 3 - 2 * 13
    assert short.y > long.y + 12  # the next row starts below this bar, its label lines too
    assert chart.height > short.y + 12


def test_at_most_four_date_ticks_the_last_at_the_end_and_ending_there() -> None:
    days: list[int] = []
    chart = gantt([_row(0, 21)], 21, lambda w: days.append(w) or dt.date(2027, 1, 4))
    assert len(chart.ticks) <= MAX_TICKS
    assert [t.anchor for t in chart.ticks] == ["start", "middle", "middle", "end"]
    assert chart.ticks[0].x == 0 and chart.ticks[-1].x == 100 and days[-1] == 21


def _move(role_id: int, depth: int, via: int | None) -> SimpleNamespace:
    return SimpleNamespace(
        depth=depth,
        via=SimpleNamespace(id=via) if via is not None else None,
        fit=SimpleNamespace(role=SimpleNamespace(id=role_id)),
    )


def test_the_narrow_graph_lists_each_move_under_the_role_it_leads_from() -> None:
    moves = [_move(2, 1, None), _move(3, 1, None), _move(4, 2, 3), _move(5, 2, 2)]
    tree = path_graph(moves).tree
    order = [(n.move.fit.role.id if n.move else None, n.depth) for n in tree.nodes]
    assert order == [(None, 0), (2, 1), (5, 2), (3, 1), (4, 2)]
    links = [(a.move.fit.role.id if a.move else None, b.move.fit.role.id) for a, b in tree.links]
    assert links == [(None, 2), (2, 5), (None, 3), (3, 4)]
    assert all(n.x + n.width <= 99 for n in tree.nodes)
    assert [n.y for n in tree.nodes] == sorted(n.y for n in tree.nodes)
