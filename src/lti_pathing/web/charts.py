"""Geometry for the inline SVG charts (Gantt timeline, career-path graph, heatmap colours).

Only numbers and the records to label are computed here; templates draw them, so every label
goes through Jinja's escaping.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

GANTT_LABEL = 0  # labels sit above the bars, so the chart stays readable at 360 px
GANTT_ROW = 34
GANTT_WIDTH = 640
GANTT_TOP = 22


@dataclass(frozen=True)
class Bar:
    """One item of the timeline."""

    row: Any
    x: float
    y: float
    width: float

    @property
    def label_end(self) -> bool:
        """Labels of bars in the right half end at the bar's end, so they never run off."""
        return self.x + self.width / 2 > GANTT_WIDTH / 2

    @property
    def label_x(self) -> float:
        """Where the label is anchored."""
        return round(self.x + self.width, 1) if self.label_end else self.x


@dataclass(frozen=True)
class Gantt:
    """A timeline of plan items by week, with month-ish ticks every few weeks."""

    bars: list[Bar]
    ticks: list[tuple[float, Any]]  # (x, the row's date at that week)
    width: int
    height: int


def gantt(rows: list[Any], weeks: int, week_start: Any) -> Gantt:
    """Bars for `rows` (each with `.item.start_week`/`.item.end_week`) over `weeks` weeks."""
    scale = GANTT_WIDTH / max(weeks, 1)
    bars = [
        Bar(
            row,
            round(row.item.start_week * scale, 1),
            GANTT_TOP + i * GANTT_ROW + 14,
            max(round((row.item.end_week - row.item.start_week) * scale, 1), 3.0),
        )
        for i, row in enumerate(rows)
    ]
    step = max(1, -(-weeks // 8))
    ticks = [(round(w * scale, 1), week_start(w)) for w in range(0, weeks + 1, step)]
    return Gantt(bars, ticks, GANTT_WIDTH, GANTT_TOP + len(rows) * GANTT_ROW + 8)


@dataclass(frozen=True)
class Node:
    """A role in the career-path graph."""

    move: Any  # None for the person's current role
    x: int
    y: int


@dataclass(frozen=True)
class Graph:
    """The current role on the left, first moves in the middle, second moves on the right."""

    start: Node
    nodes: list[Node]
    edges: list[tuple[Node, Node]]
    width: int
    height: int


NODE_GAP = 64


def path_graph(moves: list[Any]) -> Graph:
    """Lay out moves (with `.depth`, `.via`, `.fit.role`) in columns by depth."""
    columns: dict[int, list[Any]] = {}
    for move in moves:
        columns.setdefault(move.depth, []).append(move)
    rows = max([len(c) for c in columns.values()] + [1])
    height = rows * NODE_GAP + 16
    start = Node(None, 8, height // 2 - 20)
    placed: dict[int, Node] = {}
    nodes: list[Node] = []
    edges: list[tuple[Node, Node]] = []
    for depth in sorted(columns):
        for i, move in enumerate(columns[depth]):
            node = Node(move, 8 + depth * 220, 8 + i * NODE_GAP)
            nodes.append(node)
            placed[move.fit.role.id] = node
            parent = placed.get(move.via.id) if move.via is not None else start
            edges.append((parent or start, node))
    width = 8 + (max(columns, default=0) + 1) * 220
    return Graph(start, nodes, edges, width, height)


def heat(level: int, required: int) -> str:
    """Cell class for a level against its requirement (met: green; far off: red).

    A class, not a style attribute: the Content-Security-Policy allows no inline style.
    """
    if required <= 0 or level >= required:
        return "heat-met"
    share = level / required
    if share >= 0.5:
        return "heat-near"
    return "heat-far"
