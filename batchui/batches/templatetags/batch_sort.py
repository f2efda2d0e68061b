"""The batch list's sortable headers ({% load batch_sort %})."""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from batchui.batches.columns import Column
from batchui.batches.criteria import SORTABLE, ListSort

register = template.Library()


@dataclass(frozen=True)
class SortHeader:
    aria_sort: str  # "ascending" / "descending" when the list is sorted by this column, else ""
    next: str  # the sort a click asks for: ascending first, then the other way each time
    does: str  # what the click does, in words ("sort smallest first")


@register.simple_tag
def sort_header(column: Column, sort: ListSort | None) -> SortHeader:
    ascending, descending = column.order_words
    if sort is not None and sort.key == column.key:
        flip = ListSort(column.key, descending=not sort.descending)
        return SortHeader(
            sort.aria, str(flip), f"sort {descending if flip.descending else ascending}"
        )
    return SortHeader("", column.key, f"sort {ascending}")


@register.simple_tag
def sort_caption(sort: ListSort | None) -> str:
    """The table's order in words: "newest first" or "sorted by Bills, largest first"."""
    if sort is None:
        return "newest first"
    column = SORTABLE[sort.key]
    return f"sorted by {column.label}, {column.order_words[sort.descending]}"
