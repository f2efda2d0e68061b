"""The batch list's services: one page of a search, every batch of it for CSV, saved views.

batch_search(api_key=key, criteria=criteria, page=2, page_size=50, sort=None) -> BatchSearchResult
batch_export_rows(api_key=key, criteria=criteria) -> Iterator[list[str]]  (header first)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from batchui.batchapi import Batch, get_client
from batchui.batchapi.client import MAX_PAGE_SIZE
from batchui.batches.columns import CSV_HEADER, batch_csv_row
from batchui.batches.criteria import SORTABLE, BatchCriteria, ListSort, criteria_filter
from batchui.batches.models import SavedView

# The API has no sort parameter: the list sorts a result only when one API page holds it all.
SORT_LIMIT = MAX_PAGE_SIZE


@dataclass(frozen=True)
class BatchSearchResult:
    batches: tuple[Batch, ...]
    page: int
    page_size: int
    total: int
    total_pages: int
    sort: ListSort | None = None  # the order applied (None: the API's, newest first)
    sortable: bool = True  # the whole result fits in one API page, so it can be sorted
    sort_limit: ClassVar[int] = SORT_LIMIT

    @property
    def first(self) -> int:
        """1-based position of the first batch shown (0 when none is)."""
        return (self.page - 1) * self.page_size + 1 if self.batches else 0

    @property
    def last(self) -> int:
        return self.first + len(self.batches) - 1 if self.batches else 0

    @property
    def out_of_range(self) -> bool:
        """A page past the last one (there are batches, just not on this page)."""
        return not self.batches and self.total > 0

    @property
    def last_page(self) -> int:
        return max(self.total_pages, 1)

    @property
    def page_numbers(self) -> list[int | None]:
        """The pager's page numbers: the first, the last and two either side of this one, with
        None where numbers are left out."""
        near = range(max(1, self.page - 2), min(self.last_page, self.page + 2) + 1)
        numbers: list[int | None] = []
        for number in sorted({1, self.last_page, *near}):
            if numbers and number - (numbers[-1] or 0) > 1:
                numbers.append(None)
            numbers.append(number)
        return numbers


def batch_search(
    *,
    api_key: str,
    criteria: BatchCriteria,
    page: int,
    page_size: int,
    sort: ListSort | None = None,
) -> BatchSearchResult:
    """One page of the search, in the API's order or, when `sort` is given and at most
    SORT_LIMIT batches match, sorted by that column.

    Unsorted: one API call for the page. Sorted: one call for the whole result (page 1 of
    SORT_LIMIT); only when more match than that and the page lies beyond them, a second call for
    the page (unsorted: `sortable` is then False)."""
    client = get_client()
    api_filter = criteria_filter(criteria)
    if sort is None:
        found = client.list_batches(
            filter=api_filter, page_number=page, page_size=page_size, api_key=api_key
        )
        return BatchSearchResult(
            batches=found.items,
            page=page,
            page_size=page_size,
            total=found.total_records,
            total_pages=found.total_pages,
            sortable=found.total_records <= SORT_LIMIT,
        )
    whole = client.list_batches(
        filter=api_filter, page_number=1, page_size=SORT_LIMIT, api_key=api_key
    )
    total = whole.total_records
    sortable = total <= SORT_LIMIT
    start = (page - 1) * page_size
    if sortable:
        batches: tuple[Batch, ...] = tuple(sorted_batches(whole.items, sort))
    elif start + page_size <= SORT_LIMIT:
        batches = whole.items
    else:
        found = client.list_batches(
            filter=api_filter, page_number=page, page_size=page_size, api_key=api_key
        )
        batches, start, total = found.items, 0, found.total_records
    return BatchSearchResult(
        batches=batches[start : start + page_size],
        page=page,
        page_size=page_size,
        total=total,
        total_pages=math.ceil(total / page_size),
        sort=sort if sortable else None,
        sortable=sortable,
    )


def sorted_batches(batches: Iterable[Batch], sort: ListSort) -> list[Batch]:
    """The batches by the column's value: text in any letter case, empty values last whichever
    the direction, equal values in the order they came (newest first)."""
    value = SORTABLE[sort.key].value
    present: list[tuple[Any, Batch]] = []
    empty: list[Batch] = []
    for batch in batches:
        found = value(batch)
        if found is None or found == "":
            empty.append(batch)
        else:
            present.append((found.casefold() if isinstance(found, str) else found, batch))
    present.sort(key=lambda pair: pair[0], reverse=sort.descending)
    return [batch for _, batch in present] + empty


# --- export ---------------------------------------------------------------------------------


def batch_export_rows(*, api_key: str, criteria: BatchCriteria) -> Iterator[list[str]]:
    """The header, then one row per matching batch (all pages, columns.COLUMNS), fetched while
    it is consumed.

    The first page is fetched before the header is produced, so a failing API raises on the
    first `next()`, before anything was sent to the browser. Later failures raise mid-way.
    """
    batches = get_client().iter_batches(filter=criteria_filter(criteria), api_key=api_key)
    try:
        first = next(batches, None)
        yield CSV_HEADER
        if first is None:
            return
        yield batch_csv_row(first)
        for batch in batches:
            yield batch_csv_row(batch)
    finally:
        batches.close()  # type: ignore[attr-defined]  # stops the page fetches when abandoned


# --- saved views ----------------------------------------------------------------------------


# (name, query string) of the ready-made views.
BUILT_IN_VIEWS = (
    ("My open batches", "status=open&who=mine"),
    ("Pending with kickouts", "status=pending&f=HasImportsWithKickout&op=equals&v=true&v2="),
    ("Closed in the last 7 days", "status=closed&closed=last+7+days"),
)


class SavedViewNameTaken(Exception):  # noqa: N818 - the situation the person is told about
    def __init__(self, name: str) -> None:
        super().__init__(f"You already have a view named “{name}”. Choose another name.")
        self.message = str(self)


def saved_view_list(*, user: AbstractBaseUser) -> list[SavedView]:
    return list(SavedView.objects.filter(user=user).order_by("name"))


def saved_view_save(*, user: AbstractBaseUser, name: str, query: str) -> SavedView:
    """Store the view; SavedViewNameTaken when the person has one of that name (any case)."""
    if SavedView.objects.filter(user=user, name__iexact=name).exists():
        raise SavedViewNameTaken(name)
    try:
        with transaction.atomic():
            return SavedView.objects.create(user=user, name=name, query=query)
    except IntegrityError:
        raise SavedViewNameTaken(name) from None


def saved_view_delete(*, user: AbstractBaseUser, view_id: int) -> SavedView | None:
    """Delete the person's own view; None when they have no view with that id."""
    view = SavedView.objects.filter(user=user, pk=view_id).first()
    if view is not None:
        view.delete()
    return view
