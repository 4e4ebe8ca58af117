"""Geometry for the inline SVG charts (Gantt timeline, career-path graph, heatmap colours).

Only numbers and the records to label are computed here; templates draw them, so every label
goes through Jinja's escaping.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

# The timeline is drawn in per cent of its width (x) and pixels (y, text), so its text keeps its
# size at any width, from a 320 px phone to a desktop: nothing is scaled down to unreadable.
GANTT_LINE = 13  # px per line of a label
GANTT_BAR = 12
GANTT_GAP = 10
GANTT_TOP = 22
LABEL_CHARS = 24  # a label line fits in half of a 320 px chart, so it never runs off either side
MAX_TICKS = 4  # a third of a 320 px chart apart, date labels (about 65 px) never overlap


@dataclass(frozen=True)
class Bar:
    """One item of the timeline: x and width in per cent, y in pixels, its label's lines."""

    row: Any
    x: float
    y: float
    width: float
    lines: tuple[str, ...]

    @property
    def label_end(self) -> bool:
        """Labels of bars in the right half end at the bar's end, so they never run off."""
        return self.x + self.width / 2 > 50

    @property
    def label_x(self) -> float:
        """Where the label is anchored (per cent)."""
        return round(self.x + self.width, 2) if self.label_end else self.x

    @property
    def label_y(self) -> float:
        """The baseline of the label's first line."""
        return self.y - 3 - GANTT_LINE * (len(self.lines) - 1)


@dataclass(frozen=True)
class Tick:
    """A date label of the timeline (x in per cent)."""

    x: float
    day: Any
    anchor: str  # the first starts at its tick, the last ends at it, others are centred


@dataclass(frozen=True)
class Gantt:
    """A timeline of plan items by week, with a few dated ticks."""

    bars: list[Bar]
    ticks: list[Tick]
    height: int


def label_lines(text: str, width: int = LABEL_CHARS) -> tuple[str, ...]:
    """A label broken into lines of at most `width` characters (long words are cut)."""
    return tuple(textwrap.wrap(text, width, break_long_words=True)) or ("",)


def gantt(rows: list[Any], weeks: int, week_start: Any) -> Gantt:
    """Bars for `rows` (each with `.item.start_week`/`.item.end_week`) over `weeks` weeks."""
    scale = 100 / max(weeks, 1)
    bars, y = [], GANTT_TOP
    for row in rows:
        lines = label_lines(row.item.activity.title)
        y += GANTT_LINE * len(lines)
        start, end = row.item.start_week, row.item.end_week
        bars.append(Bar(row, round(start * scale, 2), y, max(round((end - start) * scale, 2), 0.5),
                        lines))  # fmt: skip
        y += GANTT_BAR + GANTT_GAP
    parts = max(1, min(MAX_TICKS - 1, weeks))
    marks = sorted({round(k * weeks / parts) for k in range(parts + 1)})
    ticks = [
        Tick(round(w * scale, 2), week_start(w),
             "start" if i == 0 else "end" if i == len(marks) - 1 else "middle")
        for i, w in enumerate(marks)
    ]  # fmt: skip
    return Gantt(bars, ticks, y)


@dataclass(frozen=True)
class Node:
    """A role in the career-path graph."""

    move: Any  # None for the person's current role
    x: int
    y: int


TREE_ROW = 56  # px from one role to the next in the narrow layout
TREE_INDENT = 7  # per cent of the width per move


@dataclass(frozen=True)
class TreeNode:
    """A role in the narrow layout: one row each, indented by how many moves away it is."""

    move: Any  # None for the person's current role
    depth: int
    y: int

    @property
    def x(self) -> int:
        """Left edge, per cent."""
        return self.depth * TREE_INDENT

    @property
    def width(self) -> int:
        """Width, per cent (to one per cent from the right edge)."""
        return 99 - self.x


@dataclass(frozen=True)
class Tree:
    """The same moves as a list for a narrow frame: each move under the role it leads from."""

    nodes: list[TreeNode]
    links: list[tuple[TreeNode, TreeNode]]
    height: int


@dataclass(frozen=True)
class Graph:
    """The current role on the left, first moves in the middle, second moves on the right."""

    start: Node
    nodes: list[Node]
    edges: list[tuple[Node, Node]]
    width: int
    height: int
    tree: Tree = field(default_factory=lambda: Tree([], [], 0))


def path_tree(moves: list[Any]) -> Tree:
    """Rows for the narrow layout: the current role, then each move followed by its next moves."""
    start = TreeNode(None, 0, 4)
    nodes, links = [start], []
    placed: dict[int, TreeNode] = {}

    def add(move: Any, parent: TreeNode) -> None:
        node = TreeNode(move, move.depth, 4 + len(nodes) * TREE_ROW)
        nodes.append(node)
        links.append((parent, node))
        placed[move.fit.role.id] = node
        for child in moves:
            after = child.via is not None and child.via.id == move.fit.role.id
            if after and child.depth == move.depth + 1 and child.fit.role.id not in placed:
                add(child, node)

    for move in moves:
        if move.depth == 1:
            add(move, start)
    for move in moves:  # a move whose way in is not shown hangs from the current role
        if move.fit.role.id not in placed:
            add(move, start)
    return Tree(nodes, links, len(nodes) * TREE_ROW)


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
    return Graph(start, nodes, edges, width, height, path_tree(moves))


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


@dataclass(frozen=True)
class Column:
    """One week of the hours chart: x and width in per cent, heights in pixels from the base."""

    week: Any
    x: float
    width: float
    mine: float
    team: float


@dataclass(frozen=True)
class HoursChart:
    """Hours away per week: the learner's, with their teammates' stacked on top."""

    columns: list[Column]
    height: int
    top_hours: Any


HOURS_HEIGHT = 80


def hours_chart(weeks: list[Any]) -> HoursChart:
    """Columns for `weeks` (each with `.hours` and `.others` holding `.hours`), tallest = 80 px."""
    team = [sum((a.hours for a in w.others), 0) for w in weeks]
    top = max([w.hours + t for w, t in zip(weeks, team, strict=True)] or [0]) or 1
    scale, width = HOURS_HEIGHT / float(top), 100 / max(len(weeks), 1)
    columns = [
        Column(w, round(i * width, 2), round(max(width - 0.2, 0.1), 2),
               round(float(w.hours) * scale, 1), round(float(t) * scale, 1))
        for i, (w, t) in enumerate(zip(weeks, team, strict=True))
    ]  # fmt: skip
    return HoursChart(columns, HOURS_HEIGHT, top)
