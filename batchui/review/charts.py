"""The geometry of the review's two charts, drawn by the template as inline SVG.

No chart library and no JavaScript: the numbers below become `<rect>`/`<text>` attributes. Every
bar carries its value as text, so the charts read without colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from batchui.review.services import DayCount, PersonFigures

# Open work per person: one row per person, a bar of open batches then a hatched one of pending.
WORK_WIDTH = 720
WORK_LABEL = 180  # the names' column
WORK_BAR_SPACE = 360
WORK_ROW = 30
WORK_BAR = 18
WORK_TOP = 8

# Closed per day: one column per day.
DAY_SLOT = 22
DAY_LEFT = 40
DAY_TOP = 22
DAY_PLOT = 150
DAY_BOTTOM = 34


@dataclass(frozen=True, slots=True)
class WorkRow:
    name: str
    open_count: int
    pending_count: int
    label_y: float
    bar_y: float
    open_width: float
    pending_x: float
    pending_width: float
    value_x: float
    description: str


@dataclass(frozen=True, slots=True)
class WorkChart:
    width: int
    height: int
    label_x: int
    bar_x: int
    bar_height: int
    rows: tuple[WorkRow, ...]
    summary: str


def work_chart(people: Sequence[PersonFigures]) -> WorkChart:
    biggest = max((p.work_count for p in people), default=0) or 1
    rows = []
    for index, person in enumerate(people):
        top = WORK_TOP + index * WORK_ROW
        open_width = round(WORK_BAR_SPACE * person.open_count / biggest, 1)
        pending_width = round(WORK_BAR_SPACE * person.pending_count / biggest, 1)
        description = f"{person.open_count} open, {person.pending_count} pending"
        rows.append(
            WorkRow(
                name=person.full_name,
                open_count=person.open_count,
                pending_count=person.pending_count,
                label_y=top + WORK_BAR / 2 + 4,
                bar_y=top,
                open_width=open_width,
                pending_x=WORK_LABEL + open_width,
                pending_width=pending_width,
                value_x=WORK_LABEL + open_width + pending_width + 8,
                description=description,
            )
        )
    summary = "; ".join(f"{row.name}: {row.description}" for row in rows) or "No open work."
    return WorkChart(
        width=WORK_WIDTH,
        height=WORK_TOP * 2 + max(1, len(rows)) * WORK_ROW,
        label_x=WORK_LABEL - 8,
        bar_x=WORK_LABEL,
        bar_height=WORK_BAR,
        rows=tuple(rows),
        summary=summary,
    )


@dataclass(frozen=True, slots=True)
class DayBar:
    day: date
    closed: int
    x: float
    y: float
    width: float
    height: float
    value_x: float
    value_y: float
    label: str  # the day under the axis, on every seventh day counted back from today ("" else)


@dataclass(frozen=True, slots=True)
class DayChart:
    width: int
    height: int
    baseline_y: int
    axis_x: int
    axis_label_y: int
    top_y: int
    biggest: int
    bars: tuple[DayBar, ...]
    total: int
    summary: str


def day_chart(days: Sequence[DayCount]) -> DayChart:
    biggest = max((d.closed for d in days), default=0)
    scale = DAY_PLOT / (biggest or 1)
    baseline = DAY_TOP + DAY_PLOT
    bars = []
    last = len(days) - 1
    for index, day in enumerate(days):
        height = round(day.closed * scale, 1)
        x = DAY_LEFT + index * DAY_SLOT
        bars.append(
            DayBar(
                day=day.day,
                closed=day.closed,
                x=x + 3,
                y=baseline - height,
                width=DAY_SLOT - 6,
                height=height,
                value_x=x + DAY_SLOT / 2,
                value_y=baseline - height - 4,
                label=f"{day.day.day} {day.day:%b}" if (last - index) % 7 == 0 else "",
            )
        )
    total = sum(d.closed for d in days)
    busiest = max(days, key=lambda d: (d.closed, d.day), default=None)
    summary = f"{total} batches closed in the last {len(days)} days"
    if busiest is not None and busiest.closed:
        summary += f"; the most on {busiest.day:%d %b} ({busiest.closed})"
    return DayChart(
        width=DAY_LEFT + max(1, len(days)) * DAY_SLOT + 10,
        height=DAY_TOP + DAY_PLOT + DAY_BOTTOM,
        baseline_y=baseline,
        axis_x=DAY_LEFT - 6,
        axis_label_y=baseline + 18,
        top_y=DAY_TOP,
        biggest=biggest,
        bars=tuple(bars),
        total=total,
        summary=summary + ".",
    )
