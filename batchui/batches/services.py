"""The batch list's services: one page of a search, every batch of it for CSV, saved views.

batch_search(api_key=key, criteria=criteria, page=2, page_size=50) -> BatchSearchResult
batch_search_started(...same...) -> SearchUnderWay   (.result() -> BatchSearchResult)
batch_export_rows(api_key=key, criteria=criteria) -> Iterator[list[str]]  (header first)
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from batchui.batchapi import Batch, get_client
from batchui.batchapi.dates import format_api_date
from batchui.batches.criteria import BatchCriteria, criteria_filter
from batchui.batches.export import csv_safe as safe
from batchui.batches.models import SavedView


@dataclass(frozen=True)
class BatchSearchResult:
    batches: tuple[Batch, ...]
    page: int
    page_size: int
    total: int
    total_pages: int

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


def batch_search(
    *, api_key: str, criteria: BatchCriteria, page: int, page_size: int
) -> BatchSearchResult:
    found = get_client().list_batches(
        filter=criteria_filter(criteria), page_number=page, page_size=page_size, api_key=api_key
    )
    return BatchSearchResult(
        batches=found.items,
        page=page,
        page_size=page_size,
        total=found.total_records,
        total_pages=found.total_pages,
    )


class SearchUnderWay:
    """A batch_search() asked for now and read later, with `.result()` (which raises what the
    search raised).

    Against an API host the call runs in a worker thread from the moment it is started, so the
    page around the results is rendered while the API answers. Against the embedded simulator it
    runs when first read, in the reading thread: the simulator then shares that thread's database
    connection and transaction, which a worker thread would not see.
    """

    def __init__(self, search: Callable[[], BatchSearchResult], *, in_background: bool) -> None:
        self._search = search
        self._future: Future[BatchSearchResult] | None = None
        self.in_background = in_background
        if in_background:
            started = threading.Event()

            def run() -> BatchSearchResult:
                started.set()
                return search()

            # The copied context carries the request id (batchapi.current_request_id) along.
            self._future = _search_threads().submit(contextvars.copy_context().run, run)
            # Once running, the worker thread keeps the interpreter lock until its request is
            # on the wire (a millisecond or so; the lock changes hands every 5 ms). Waiting here
            # for it to start keeps the page rendering from delaying the request.
            started.wait(SEARCH_START_WAIT_SECONDS)

    def result(self) -> BatchSearchResult:
        if self._future is None:
            self._future = Future()
            try:
                self._future.set_result(self._search())
            except Exception as error:
                self._future.set_exception(error)
        return self._future.result()


# The searches in flight in this process; more than the requests it serves at once (gunicorn's
# threads), so none waits for a thread. Created on first use: after gunicorn forks.
SEARCH_THREADS = 16
SEARCH_START_WAIT_SECONDS = 0.02
_search_pool: ThreadPoolExecutor | None = None
_search_pool_lock = threading.Lock()


def _search_threads() -> ThreadPoolExecutor:
    global _search_pool
    with _search_pool_lock:
        if _search_pool is None:
            _search_pool = ThreadPoolExecutor(SEARCH_THREADS, thread_name_prefix="batch-search")
        return _search_pool


def batch_search_started(
    *, api_key: str, criteria: BatchCriteria, page: int, page_size: int
) -> SearchUnderWay:
    """batch_search(), started now; see SearchUnderWay."""

    def search() -> BatchSearchResult:
        return batch_search(api_key=api_key, criteria=criteria, page=page, page_size=page_size)

    return SearchUnderWay(search, in_background=not get_client().simulated)


# --- export ---------------------------------------------------------------------------------


def _text(value: object) -> str:
    kind = type(value)
    if kind is str:
        return value  # type: ignore[return-value]
    if value is None:
        return ""
    if kind is int:
        return str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _when(value) -> str:
    return format_api_date(value) + "Z" if value is not None else ""


def _user(batch: Batch, attribute: str) -> object:
    return getattr(batch.created_by, attribute) if batch.created_by else None


# The list's columns first (in its order), then every other field of a batch.
EXPORT_COLUMNS: tuple[tuple[str, Callable[[Batch], object]], ...] = (
    ("Batch code", lambda b: b.batch_code),
    ("Status", lambda b: b.batch_status.value),
    ("Created by", lambda b: _user(b, "full_name")),
    ("Opened", lambda b: _when(b.start_date)),
    ("Closed", lambda b: _when(b.end_date)),
    ("Bills", lambda b: b.bill_count),
    ("Total cost", lambda b: b.running_total),
    ("Flags", lambda b: b.flag_count),
    ("Analyzing", lambda b: b.analyzing_count),
    ("Kickouts", lambda b: b.has_imports_with_kickout),
    ("Account period", lambda b: b.account_period_name),
    ("Due date", lambda b: b.due_date),
    ("Batch ID", lambda b: b.batch_id),
    ("Created by user code", lambda b: _user(b, "user_code")),
    ("Created by user ID", lambda b: _user(b, "user_id")),
    ("Is open", lambda b: b.is_open),
    ("Statement date", lambda b: b.statement_date),
    ("Next reading", lambda b: b.next_reading),
    ("Control code", lambda b: b.control_code),
    ("Invoice number", lambda b: b.invoice_number),
    ("Account period year", lambda b: b.account_period_year),
    ("Account period number", lambda b: b.account_period_number),
    ("Has imported bills", lambda b: b.has_imported_bills),
    ("Has logs", lambda b: b.has_logs),
    ("Note", lambda b: b.note),
)
EXPORT_HEADER = [name for name, _ in EXPORT_COLUMNS]


def _utc_text(value: datetime | None) -> str:
    """_when(value) for the datetimes the client gives: isoformat()'s "auto" precision is
    format_api_date's (microseconds only when there are some)."""
    if value is None:
        return ""
    if value.tzinfo is UTC:  # what the client's parsing gives: "...+00:00" -> "...Z"
        return value.isoformat()[:-6] + "Z"
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat() + "Z"


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def batch_export_row(batch: Batch) -> list[str]:
    """The cells of EXPORT_COLUMNS for one batch, as `_text` writes them, each csv_safe.

    Spelled out per field with its declared type (batchapi.Batch; the export makes 100,000
    rows): optional texts are `or ""`, numbers `str()`, so no cell goes through `_text`'s type
    dispatch. Only the texts the API gives can start like a formula (numbers, dates and yes/no
    are written here: at most a plain negative number, which csv_safe keeps), so only they go
    through csv_safe. tests/batches/test_export_rows.py holds it to EXPORT_COLUMNS.
    """
    creator = batch.created_by
    total = batch.running_total
    return [
        safe(batch.batch_code or ""),
        batch.batch_status.value,
        safe(creator.full_name or "") if creator else "",
        _utc_text(batch.start_date),
        _utc_text(batch.end_date),
        str(batch.bill_count),
        "" if total is None else format(total, "f"),
        str(batch.flag_count),
        str(batch.analyzing_count),
        "yes" if batch.has_imports_with_kickout else "no",
        safe(batch.account_period_name or ""),
        safe(batch.due_date or ""),
        str(batch.batch_id),
        safe(creator.user_code or "") if creator else "",
        str(creator.user_id) if creator else "",
        "yes" if batch.is_open else "no",
        safe(batch.statement_date or ""),
        safe(batch.next_reading or ""),
        safe(batch.control_code or ""),
        safe(batch.invoice_number or ""),
        _number(batch.account_period_year),
        _number(batch.account_period_number),
        "yes" if batch.has_imported_bills else "no",
        "yes" if batch.has_logs else "no",
        safe(batch.note or ""),
    ]


def batch_export_rows(*, api_key: str, criteria: BatchCriteria) -> Iterator[list[str]]:
    """The header, then one row per matching batch (all pages), fetched while it is consumed;
    every cell csv_safe (for csv_chunks(..., cells_safe=True)).

    The first page is fetched before the header is produced, so a failing API raises on the
    first `next()`, before anything was sent to the browser. Later failures raise mid-way.
    """
    batches = get_client().iter_batches(filter=criteria_filter(criteria), api_key=api_key)
    try:
        first = next(batches, None)
        yield EXPORT_HEADER
        if first is None:
            return
        yield batch_export_row(first)
        for batch in batches:
            yield batch_export_row(batch)
    finally:
        batches.close()  # type: ignore[attr-defined]  # stops the page fetches when abandoned


# --- saved views ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BuiltInView:
    name: str
    query: str


BUILT_IN_VIEWS: tuple[BuiltInView, ...] = (
    BuiltInView("My open batches", "status=open&who=mine"),
    BuiltInView(
        "Pending with kickouts", "status=pending&f=HasImportsWithKickout&op=equals&v=true&v2="
    ),
    BuiltInView("Closed in the last 7 days", "status=closed&closed=last+7+days"),
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
