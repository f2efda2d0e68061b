"""The review screen's figures: what is stuck, whose it is, and what can be closed.

    snapshot = review_snapshot(api_key=api_key_for(request.user))
    snapshot.figures.people, snapshot.figures.ready, snapshot.fetched_at ...

`review_snapshot` fetches every Open and Pending batch of every user (all pages, concurrently) and
the batches closed in the last REVIEW_CLOSED_DAYS days, then computes the figures with
`review_figures` (pure: testable with plain Batch values). The result is kept in the shared cache
for REVIEW_CACHE_SECONDS, keyed by an HMAC of the API key (never the key itself), so a screen on
the wall does not hammer the API; `refresh=True` bypasses the cache.
"""

from __future__ import annotations

import contextvars
import dataclasses
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.utils import timezone

from batchui.activity.models import Action, Outcome
from batchui.activity.services import activity_record
from batchui.batchapi import (
    ApiNotFound,
    Batch,
    BatchApiError,
    BatchStatus,
    Filter,
    get_client,
)
from batchui.batches.action_services import (
    CloseWarning,
    batch_close,
    batch_close_missing,
    close_warnings,
)
from batchui.review.caching import cache_key

# Pages of 1000 fetched at once after page 1: the pages of 20,000 batches in one round trip.
REVIEW_WORKERS = 20
# Selected batches read at once before a bulk close (one GET each: the API has no id filter).
READ_WORKERS = 8
# Rows shown per list (stale, pending, ready), oldest first; the counts cover every batch. More
# rows make the page slow to render (200 per list: ~80 ms) and no easier to read.
LIST_LIMIT = 50

OPEN_OR_PENDING = Filter.where("batchStatus", "one of", BatchStatus.OPEN, BatchStatus.PENDING)


@dataclass(slots=True)
class PersonFigures:
    """One person's open and pending work (or the whole team's, for `ReviewFigures.team`),
    tallied batch by batch by `review_figures`."""

    user_id: int | None
    user_code: str
    full_name: str
    open_count: int = 0
    pending_count: int = 0
    bill_count: int = 0
    total_cost: Decimal = Decimal(0)
    flag_count: int = 0
    analyzing_count: int = 0
    kickout_count: int = 0  # batches with an import that had bills rejected
    oldest_open_start: datetime | None = None
    oldest_open_days: int | None = None
    closed_recently: int = 0

    @property
    def work_count(self) -> int:
        return self.open_count + self.pending_count

    def add(self, batch: Batch, now: datetime) -> None:
        if batch.batch_status is BatchStatus.OPEN:
            self.open_count += 1
            start = batch.start_date
            if start is not None and (
                self.oldest_open_start is None or start < self.oldest_open_start
            ):
                self.oldest_open_start = start
                self.oldest_open_days = _age_days(start, now)
        else:
            self.pending_count += 1
        self.bill_count += batch.bill_count
        self.total_cost += batch.running_total
        self.flag_count += batch.flag_count
        self.analyzing_count += batch.analyzing_count
        self.kickout_count += batch.has_imports_with_kickout is True


@dataclass(frozen=True, slots=True)
class BatchLine:
    """A batch as the review lists show it: the batch, whose it is, and how old it is."""

    batch: Batch
    full_name: str
    age_days: int | None
    opened_today: bool = False


@dataclass(frozen=True, slots=True)
class DayCount:
    day: date
    closed: int


@dataclass(frozen=True, slots=True)
class ReviewFigures:
    people: tuple[PersonFigures, ...]  # most open work first
    team: PersonFigures
    stale: tuple[BatchLine, ...]  # Open longer than stale_days, oldest first (at most LIST_LIMIT)
    stale_count: int
    pending: tuple[BatchLine, ...]  # oldest first
    pending_count: int
    # Open, with bills, nothing analyzing, no flags, no kickouts; oldest first
    ready: tuple[BatchLine, ...]
    ready_count: int
    empty: tuple[BatchLine, ...]  # Open with no bills: nothing to close; oldest first
    empty_count: int
    closed_per_day: tuple[DayCount, ...]  # the last closed_days days, oldest first
    closed_recently: int
    stale_days: int
    closed_days: int


@dataclass(frozen=True, slots=True)
class ReviewSnapshot:
    figures: ReviewFigures
    fetched_at: datetime
    from_cache: bool = False


# --- pure computation -------------------------------------------------------------------------


def _age_days(start: datetime | None, now: datetime) -> int | None:
    if start is None:
        return None
    return max(0, (now - start).days)


def _owner(batch: Batch) -> tuple[int | None, str, str]:
    user = batch.created_by
    if user is None:
        return None, "", "Unknown"
    code = user.user_code or ""
    return user.user_id, code, user.full_name or code or f"User {user.user_id}"


def is_empty(batch: Batch) -> bool:
    """An Open batch with no bills: there is nothing to close."""
    return batch.batch_status is BatchStatus.OPEN and batch.bill_count == 0


def is_ready_to_close(batch: Batch) -> bool:
    """Open, with bills, every bill analyzed, no unresolved flag and no import kickout known (a
    host that does not report kickouts, EnergyCAP 8.2309, shows them as unknown): no warning of
    the Close dialog (`close_warnings`) applies."""
    return (
        batch.batch_status is BatchStatus.OPEN
        and batch.bill_count > 0
        and not close_warnings(batch)
    )


def opened_today(batch: Batch, now: datetime) -> bool:
    """Opened on `now`'s calendar day in the dashboard's time zone."""
    start = batch.start_date
    return start is not None and timezone.localdate(start) == timezone.localdate(now)


def _line(batch: Batch, now: datetime) -> BatchLine:
    return BatchLine(
        batch=batch,
        full_name=_owner(batch)[2],
        age_days=_age_days(batch.start_date, now),
        opened_today=opened_today(batch, now),
    )


def _oldest_first(batches: Iterable[Batch]) -> list[Batch]:
    # A batch without a start date sorts last; the id breaks ties.
    return sorted(
        batches,
        key=lambda b: (b.start_date is None, b.start_date or datetime.min, b.batch_id),
    )


def local_day_start(day: date) -> datetime:
    """Midnight at the start of `day` in the dashboard's time zone (TIME_ZONE), aware."""
    return timezone.make_aware(datetime.combine(day, time.min))


def closed_window_days(*, now: datetime, days: int) -> list[date]:
    """The last `days` calendar days (local time) up to and including today, oldest first."""
    today = timezone.localdate(now)
    return [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def review_figures(
    *,
    open_and_pending: Iterable[Batch],
    recently_closed: Iterable[Batch],
    now: datetime,
    stale_days: int,
    closed_days: int = 30,
    list_limit: int = LIST_LIMIT,
) -> ReviewFigures:
    """Every figure of the review screen from plain Batch values (no API, no cache).

    Batches of `open_and_pending` that are not Open or Pending, and batches of `recently_closed`
    that are not Closed or closed outside the last `closed_days` local calendar days, are ignored.
    """
    work = [
        b for b in open_and_pending if b.batch_status in (BatchStatus.OPEN, BatchStatus.PENDING)
    ]
    days = closed_window_days(now=now, days=closed_days)
    per_day = dict.fromkeys(days, 0)
    closed = []
    for batch in recently_closed:
        if batch.batch_status is not BatchStatus.CLOSED or batch.end_date is None:
            continue
        day = timezone.localdate(batch.end_date)
        if day in per_day:
            per_day[day] += 1
            closed.append(batch)

    tallies: dict[int | None, PersonFigures] = {}

    def tally_of(batch: Batch) -> PersonFigures:
        user_id, code, name = _owner(batch)
        if user_id not in tallies:
            tallies[user_id] = PersonFigures(user_id=user_id, user_code=code, full_name=name)
        return tallies[user_id]

    team = PersonFigures(user_id=None, user_code="", full_name="Everyone")
    for batch in work:
        tally_of(batch).add(batch, now)
        team.add(batch, now)
    for batch in closed:
        tally_of(batch).closed_recently += 1
        team.closed_recently += 1

    people = sorted(
        tallies.values(),
        key=lambda p: (-p.work_count, -p.closed_recently, p.full_name.casefold(), p.user_code),
    )
    stale_after = timedelta(days=stale_days)
    ordered = _oldest_first(work)
    stale = [
        b
        for b in ordered
        if b.batch_status is BatchStatus.OPEN
        and b.start_date is not None
        and now - b.start_date > stale_after
    ]
    pending = [b for b in ordered if b.batch_status is BatchStatus.PENDING]
    ready = [b for b in ordered if is_ready_to_close(b)]
    empty = [b for b in ordered if is_empty(b)]
    return ReviewFigures(
        people=tuple(people),
        team=team,
        stale=tuple(_line(b, now) for b in stale[:list_limit]),
        stale_count=len(stale),
        pending=tuple(_line(b, now) for b in pending[:list_limit]),
        pending_count=len(pending),
        ready=tuple(_line(b, now) for b in ready[:list_limit]),
        ready_count=len(ready),
        empty=tuple(_line(b, now) for b in empty[:list_limit]),
        empty_count=len(empty),
        closed_per_day=tuple(DayCount(day=day, closed=per_day[day]) for day in days),
        closed_recently=len(closed),
        stale_days=stale_days,
        closed_days=closed_days,
    )


# --- fetching and caching -----------------------------------------------------------------------


def recently_closed_filter(*, now: datetime, days: int) -> Filter:
    since = local_day_start(closed_window_days(now=now, days=days)[0])
    return Filter.where("batchStatus", "equals", BatchStatus.CLOSED) & Filter.where(
        "endDate", "greater than equal", since
    )


def review_fetch(*, api_key: str, now: datetime) -> tuple[tuple[Batch, ...], tuple[Batch, ...]]:
    """(every Open and Pending batch, the batches closed in the window), fetched concurrently."""
    client = get_client()
    closed_filter = recently_closed_filter(now=now, days=settings.REVIEW_CLOSED_DAYS)

    def fetch(which: Filter) -> tuple[Batch, ...]:
        return tuple(client.iter_batches(filter=which, api_key=api_key, max_workers=REVIEW_WORKERS))

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="review-closed") as pool:
        closed = pool.submit(fetch, closed_filter)
        return fetch(OPEN_OR_PENDING), closed.result()


def review_cached(*, api_key: str) -> ReviewSnapshot | None:
    """The cached review figures of this key, or None (never calls the API)."""
    cached = cache.get(cache_key(kind="review", api_key=api_key))
    return (
        dataclasses.replace(cached, from_cache=True) if isinstance(cached, ReviewSnapshot) else None
    )


def review_snapshot(
    *, api_key: str, now: datetime | None = None, refresh: bool = False
) -> ReviewSnapshot:
    """The review's figures: from the cache when fresh enough (unless `refresh`), else fetched.

    Raises BatchApiError (with a person-readable `.message`) when the API cannot be read.
    """
    cached = None if refresh else review_cached(api_key=api_key)
    if cached is not None:
        return cached
    now = now or timezone.now()
    work, closed = review_fetch(api_key=api_key, now=now)
    figures = review_figures(
        open_and_pending=work,
        recently_closed=closed,
        now=now,
        stale_days=settings.REVIEW_STALE_DAYS,
        closed_days=settings.REVIEW_CLOSED_DAYS,
    )
    snapshot = ReviewSnapshot(figures=figures, fetched_at=now)
    cache.set(cache_key(kind="review", api_key=api_key), snapshot, settings.REVIEW_CACHE_SECONDS)
    return snapshot


# --- bulk close ---------------------------------------------------------------------------------

OPENED_TODAY = CloseWarning(
    name="today",
    text="It was opened today: bills may still be on their way into it.",
    acknowledgement="Close it anyway, although it was opened today",
)


def review_close_warnings(batch: Batch, now: datetime) -> tuple[CloseWarning, ...]:
    """The Close dialog's warnings about `batch`, and whether it was opened today."""
    warnings = close_warnings(batch)
    if opened_today(batch, now):
        warnings.append(OPENED_TODAY)
    return tuple(warnings)


def left_out_reason(batch: Batch) -> str:
    """Why the review never closes `batch` ("" when it may, after its warnings)."""
    if batch.batch_status is BatchStatus.CLOSED:
        return "It is closed already."
    if batch.batch_status is not BatchStatus.OPEN:
        return f"It is {batch.batch_status.value.lower()} now, not open."
    if batch.bill_count == 0:
        return "It has no bills: there is nothing to close."
    return ""


@dataclass(frozen=True, slots=True)
class ToClose:
    """A selected batch the confirmation offers to close, as just read, with its warnings."""

    batch: Batch
    warnings: tuple[CloseWarning, ...]
    acknowledged: bool  # every warning is acknowledged (trivially, when there is none)
    problem: str = ""  # why the acknowledgement is asked for again

    @property
    def acknowledgement(self) -> str:
        """Its acknowledgement checkbox's value: the batch and the warnings the person saw."""
        return f"{self.batch.batch_id}:{','.join(w.name for w in self.warnings)}"


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A selected batch that will not be closed, and why (`batch`: as just read, if it was)."""

    batch_id: int
    batch_code: str
    reason: str
    batch: Batch | None = None
    gone: bool = False


@dataclass(frozen=True, slots=True)
class CloseSelection:
    items: tuple[ToClose | LeftOut, ...]  # in the order selected

    @property
    def to_close(self) -> tuple[ToClose, ...]:
        return tuple(item for item in self.items if isinstance(item, ToClose))

    @property
    def left_out(self) -> tuple[LeftOut, ...]:
        return tuple(item for item in self.items if isinstance(item, LeftOut))

    @property
    def acknowledged(self) -> bool:
        return all(item.acknowledged for item in self.to_close)

    @property
    def unacknowledged(self) -> int:
        return sum(not item.acknowledged for item in self.to_close)


@dataclass(frozen=True, slots=True)
class CloseResult:
    batch_id: int
    batch_code: str
    ok: bool
    message: str


NOT_ACKNOWLEDGED = "Tick this box to close it anyway, or cancel and leave it out."
WARNINGS_CHANGED = (
    "Its warnings changed since you confirmed: read them again, then tick this box to close it "
    "anyway."
)


def _acknowledged(item: ToClose, acknowledged: Mapping[int, frozenset[str]] | None) -> ToClose:
    names = {warning.name for warning in item.warnings}
    ticked = (acknowledged or {}).get(item.batch.batch_id)
    done = not names or (ticked is not None and names <= ticked)
    problem = ""
    if acknowledged is not None and not done:
        problem = WARNINGS_CHANGED if ticked else NOT_ACKNOWLEDGED
    return dataclasses.replace(item, acknowledged=done, problem=problem)


def read_batches(
    *, api_key: str, batch_ids: Sequence[int]
) -> list[tuple[int, Batch | BatchApiError]]:
    """Each batch once, as the API has it now (or the error reading it), in the order given;
    read READ_WORKERS at a time, each read within the request's deadline (its context)."""
    client = get_client()

    def read(batch_id: int) -> Batch | BatchApiError:
        try:
            return client.get_batch(batch_id, api_key=api_key)
        except BatchApiError as error:
            return error

    ids = list(dict.fromkeys(batch_ids))
    with ThreadPoolExecutor(max_workers=READ_WORKERS, thread_name_prefix="review-read") as pool:
        reads = [pool.submit(contextvars.copy_context().run, read, batch_id) for batch_id in ids]
        return [(batch_id, done.result()) for batch_id, done in zip(ids, reads, strict=True)]


def close_selection(
    *,
    api_key: str,
    batch_ids: Sequence[int],
    acknowledged: Mapping[int, frozenset[str]] | None = None,
    now: datetime | None = None,
) -> CloseSelection:
    """The selected batches, each read afresh from the API: those the review may close with
    their warnings, the others with the reason. `acknowledged` (batch id -> the names of the
    warnings the person acknowledged; None before the confirmation) marks each batch whose
    every warning, as read now, was acknowledged, and says why the others are asked again."""
    now = now or timezone.now()
    items: list[ToClose | LeftOut] = []
    for batch_id, batch in read_batches(api_key=api_key, batch_ids=batch_ids):
        if isinstance(batch, ApiNotFound):
            items.append(LeftOut(batch_id, f"#{batch_id}", "Not found (deleted?).", gone=True))
        elif isinstance(batch, BatchApiError):
            items.append(LeftOut(batch_id, f"#{batch_id}", batch.message))
        elif reason := left_out_reason(batch):
            items.append(LeftOut(batch_id, batch.batch_code, reason, batch=batch))
        else:
            item = ToClose(batch, review_close_warnings(batch, now), acknowledged=False)
            items.append(_acknowledged(item, acknowledged))
    return CloseSelection(items=tuple(items))


def batch_token(*, token: str, batch_id: int) -> str:
    """One form token per batch of a bulk close, derived from the confirmation form's token, so
    that submitting the same confirmation twice closes nothing twice (batches.idempotency)."""
    return hashlib.sha256(f"{token}:{batch_id}".encode()).hexdigest()[:32]


def _not_closing(*, user: AbstractBaseUser, item: LeftOut) -> CloseResult:
    """A batch left out when the confirmation was sent: the refusal is logged, nothing sent."""
    if item.gone:
        batch_close_missing(user=user, batch_id=item.batch_id, message=item.reason)
    elif item.batch is not None:
        activity_record(
            user=user,
            action=Action.CLOSE,
            outcome=Outcome.REFUSED,
            message=item.reason,
            batch_id=item.batch_id,
            batch_code=item.batch_code,
        )
    return CloseResult(item.batch_id, item.batch_code, False, item.reason)


def review_close_batches(
    *, user: AbstractBaseUser, api_key: str, selection: CloseSelection, token: str
) -> tuple[CloseResult, ...]:
    """Close the batches of a confirmed `selection` (read when the confirmation was sent, every
    warning acknowledged), one after another; one result per selected batch whatever happens to
    the others. A batch found closed is handed to `batch_close` too: when this very confirmation
    closed it, its outcome is replayed; else the API refuses. Each attempt is recorded in the
    activity log (by `batches.action_services.batch_close`, which also drops the cached
    figures of this key)."""
    results: list[CloseResult] = []
    for item in selection.items:
        if isinstance(item, ToClose) or (
            item.batch is not None and item.batch.batch_status is BatchStatus.CLOSED
        ):
            batch = item.batch
            outcome = batch_close(
                user=user,
                api_key=api_key,
                batch=batch,
                token=batch_token(token=token, batch_id=batch.batch_id),
            )
            results.append(
                CloseResult(batch.batch_id, batch.batch_code, outcome.ok, outcome.message)
            )
        else:
            results.append(_not_closing(user=user, item=item))
    return tuple(results)
