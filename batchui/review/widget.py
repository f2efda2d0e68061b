"""The intranet widget's figures: counts by status, money in open batches, the oldest open batch,
batches closed today.

Counts are cheap calls (`list_batches(page_size=1)`, reading `total_records`); the open batches
are read in full (their count, their total cost and the oldest of them need every one). Cached like
the review's figures (fresh for REVIEW_CACHE_SECONDS, keyed by an HMAC of the API key), and kept a
day longer: when the API cannot be read, the widget shows the last good figures with their age.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from batchui.batchapi import Batch, BatchApiError, BatchStatus, Filter, get_client
from batchui.review.caching import cache_key
from batchui.review.services import REVIEW_WORKERS, local_day_start

# The figures' cache key names their shape: figures cached by another release are not read.
CACHE_KIND = "widget-figures"
# How long the last good figures stay in the cache, to be shown (as such) while the API is down.
KEEP_LAST_SECONDS = 24 * 60 * 60


@dataclass(frozen=True, slots=True)
class WidgetFigures:
    open_count: int
    pending_count: int
    closed_count: int
    open_total_cost: Decimal
    oldest_open: Batch | None  # with a start date
    oldest_age_days: int | None
    closed_today: int
    fetched_at: datetime
    from_cache: bool = False
    # Set on the last good figures when the API could not be read again: why not.
    problem: str = ""


def _status(status: BatchStatus) -> Filter:
    return Filter.where("batchStatus", "equals", status)


def widget_fetch(*, api_key: str, now: datetime) -> WidgetFigures:
    client = get_client()

    def count(which: Filter) -> int:
        return client.list_batches(filter=which, page_size=1, api_key=api_key).total_records

    pending_count = count(_status(BatchStatus.PENDING))
    closed_count = count(_status(BatchStatus.CLOSED))
    closed_today = count(
        _status(BatchStatus.CLOSED)
        & Filter.where("endDate", "greater than equal", local_day_start(timezone.localdate(now)))
    )
    open_count, total, oldest = 0, Decimal(0), None
    for batch in client.iter_batches(
        filter=_status(BatchStatus.OPEN), api_key=api_key, max_workers=REVIEW_WORKERS
    ):
        open_count += 1
        total += batch.running_total
        if batch.start_date is not None and (
            oldest is None
            or (batch.start_date, batch.batch_id) < (oldest.start_date, oldest.batch_id)
        ):
            oldest = batch
    return WidgetFigures(
        open_count=open_count,
        pending_count=pending_count,
        closed_count=closed_count,
        open_total_cost=total,
        oldest_open=oldest,
        oldest_age_days=max(0, (now - oldest.start_date).days) if oldest else None,
        closed_today=closed_today,
        fetched_at=now,
    )


def widget_snapshot(
    *, api_key: str, now: datetime | None = None, refresh: bool = False
) -> WidgetFigures:
    """The widget's figures: the cached ones while fresh (unless `refresh`), else read again; when
    they cannot be read, the last good ones with `problem` set. Raises BatchApiError without any."""
    now = now or timezone.now()
    key = cache_key(kind=CACHE_KIND, api_key=api_key)
    cached = cache.get(key)
    cached = (
        dataclasses.replace(cached, from_cache=True) if isinstance(cached, WidgetFigures) else None
    )
    fresh = cached and (now - cached.fetched_at).total_seconds() < settings.REVIEW_CACHE_SECONDS
    if fresh and not refresh:
        return cached
    try:
        figures = widget_fetch(api_key=api_key, now=now)
    except BatchApiError as error:
        if cached is None:
            raise
        return dataclasses.replace(cached, problem=error.message)
    cache.set(key, figures, KEEP_LAST_SECONDS)
    return figures


def widget_json(figures: WidgetFigures) -> dict[str, Any]:
    """The JSON twin of the widget (money as a decimal string, dates in ISO 8601 with offset)."""
    oldest = figures.oldest_open
    creator = oldest.created_by if oldest else None
    data = {
        "asOf": figures.fetched_at.isoformat(),
        "counts": {
            "open": figures.open_count,
            "pending": figures.pending_count,
            "closed": figures.closed_count,
        },
        "openTotalCost": str(figures.open_total_cost),
        "oldestOpen": (
            {
                "batchId": oldest.batch_id,
                "batchCode": oldest.batch_code,
                "startDate": oldest.start_date.isoformat(),
                "ageDays": figures.oldest_age_days,
                "createdBy": (creator.full_name or creator.user_code or "") if creator else "",
            }
            if oldest
            else None
        ),
        "closedToday": figures.closed_today,
    }
    if figures.problem:  # the last good figures: why they could not be read again
        data["error"] = figures.problem
    return data
