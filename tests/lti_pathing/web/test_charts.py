"""The plan timeline's geometry."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from lti_pathing.web.charts import GANTT_WIDTH, gantt


def _row(start: int, end: int) -> SimpleNamespace:
    return SimpleNamespace(item=SimpleNamespace(start_week=start, end_week=end))


def test_labels_of_late_bars_end_at_the_bar_so_they_stay_inside_the_chart() -> None:
    chart = gantt([_row(0, 4), _row(40, 52)], 52, lambda w: dt.date(2027, 1, 4))
    early, late = chart.bars
    assert not early.label_end and early.label_x == early.x
    assert late.label_end and late.label_x == GANTT_WIDTH
