"""What a person asked the batch list for, and the one place it becomes a `batchapi.Filter`.

`BatchCriteria` holds validated, typed choices (the forms build it from the query string);
`criteria_filter()` assembles the Filter the API receives. Views never build filter text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from batchui.batchapi import Filter
from batchui.batchapi.filters import DATE_SHORTCUTS
from batchui.batchapi.values import BatchStatus
from batchui.batches.columns import COLUMNS

# The date presets of the quick filters are the API's own shortcut operators.
DATE_PRESETS: tuple[str, ...] = DATE_SHORTCUTS


@dataclass(frozen=True, slots=True)
class Condition:
    """One row of the advanced filter: a field of `batchapi.FIELDS`, an operator, typed values."""

    field: str
    operator: str
    values: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class DateRange:
    """A preset (`last 7 days`...) or an inclusive range of calendar dates (either end open)."""

    preset: str | None = None
    start: date | None = None
    end: date | None = None

    def __bool__(self) -> bool:
        return bool(self.preset or self.start or self.end)


@dataclass(frozen=True, slots=True)
class BatchCriteria:
    statuses: tuple[BatchStatus, ...] = ()
    created_by_code: str | None = None  # "mine": the person's EnergyCAP user code
    code_contains: str = ""
    opened: DateRange = DateRange()
    closed: DateRange = DateRange()
    conditions: tuple[Condition, ...] = ()


# The columns the list can be sorted by, by key.
SORTABLE = {column.key: column for column in COLUMNS if column.sortable}


@dataclass(frozen=True, slots=True)
class ListSort:
    """The list's order by one column (a SORTABLE key); as a query value `bills` or `-bills`
    (descending)."""

    key: str
    descending: bool = False

    def __str__(self) -> str:
        return f"-{self.key}" if self.descending else self.key

    @property
    def aria(self) -> str:
        return "descending" if self.descending else "ascending"


def condition_filter(condition: Condition) -> Filter:
    """The statement of one advanced row; FilterBuildError when the API would reject it."""
    return Filter.where(condition.field, condition.operator, *condition.values)


def _date_filter(field: str, dates: DateRange) -> Filter:
    if dates.preset:
        return Filter.where(field, dates.preset)
    if dates.start and dates.end:
        return Filter.where(field, "between", dates.start, dates.end)
    if dates.start:
        return Filter.where(field, "greater than equal", dates.start)
    if dates.end:
        return Filter.where(field, "less than equal", dates.end)
    return Filter()


def criteria_filter(criteria: BatchCriteria) -> Filter:
    """The API filter for the criteria: every part joined with `and` (empty: no filter)."""
    parts: list[Filter] = []
    if len(criteria.statuses) == 1:
        parts.append(Filter.where("batchStatus", "equals", criteria.statuses[0]))
    elif criteria.statuses:
        parts.append(Filter.where("batchStatus", "one of", *criteria.statuses))
    if criteria.created_by_code:
        parts.append(Filter.where("systemUserCode", "equals", criteria.created_by_code))
    if criteria.code_contains:
        parts.append(Filter.where("batchCode", "like", criteria.code_contains))
    parts.append(_date_filter("startDate", criteria.opened))
    parts.append(_date_filter("endDate", criteria.closed))
    parts.extend(condition_filter(condition) for condition in criteria.conditions)
    return Filter.all(*parts)
