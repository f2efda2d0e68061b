"""The geometry of the review's two charts, drawn by the template as inline SVG.

No chart library and no JavaScript: the numbers below become `<rect>`/`<text>` attributes. Every
bar carries its value as text, so the charts read without colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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


def work_chart(people: Sequence[PersonFigures]) -> dict[str, Any]:
    biggest = max((p.work_count for p in people), default=0) or 1
    rows = []
    for index, person in enumerate(people):
        top = WORK_TOP + index * WORK_ROW
        open_width = round(WORK_BAR_SPACE * person.open_count / biggest, 1)
        pending_width = round(WORK_BAR_SPACE * person.pending_count / biggest, 1)
        rows.append(
            {
                "name": person.full_name,
                "label_y": top + WORK_BAR / 2 + 4,
                "bar_y": top,
                "open_width": open_width,
                "pending_x": WORK_LABEL + open_width,
                "pending_width": pending_width,
                "value_x": WORK_LABEL + open_width + pending_width + 8,
                "description": f"{person.open_count} open, {person.pending_count} pending",
            }
        )
    return {
        "width": WORK_WIDTH,
        "height": WORK_TOP * 2 + max(1, len(rows)) * WORK_ROW,
        "label_x": WORK_LABEL - 8,
        "bar_x": WORK_LABEL,
        "bar_height": WORK_BAR,
        "rows": rows,
        "summary": "; ".join(f"{row['name']}: {row['description']}" for row in rows)
        or "No open work.",
    }


def day_chart(days: Sequence[DayCount]) -> dict[str, Any]:
    biggest = max((d.closed for d in days), default=0)
    scale = DAY_PLOT / (biggest or 1)
    baseline = DAY_TOP + DAY_PLOT
    bars = []
    last = len(days) - 1
    for index, day in enumerate(days):
        height = round(day.closed * scale, 1)
        x = DAY_LEFT + index * DAY_SLOT
        bars.append(
            {
                "day": day.day,
                "closed": day.closed,
                "x": x + 3,
                "y": baseline - height,
                "width": DAY_SLOT - 6,
                "height": height,
                "value_x": x + DAY_SLOT / 2,
                "value_y": baseline - height - 4,
                # The day under the axis, on every seventh day counted back from today.
                "label": f"{day.day.day} {day.day:%b}" if (last - index) % 7 == 0 else "",
            }
        )
    total = sum(d.closed for d in days)
    busiest = max(days, key=lambda d: (d.closed, d.day), default=None)
    summary = f"{total} batches closed in the last {len(days)} days"
    if busiest is not None and busiest.closed:
        summary += f"; the most on {busiest.day:%d %b} ({busiest.closed})"
    return {
        "width": DAY_LEFT + max(1, len(days)) * DAY_SLOT + 10,
        "height": DAY_TOP + DAY_PLOT + DAY_BOTTOM,
        "baseline_y": baseline,
        "axis_x": DAY_LEFT - 6,
        "axis_label_y": baseline + 18,
        "top_y": DAY_TOP,
        "biggest": biggest,
        "bars": bars,
        "summary": summary + ".",
    }
