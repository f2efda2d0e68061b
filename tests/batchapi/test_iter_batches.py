"""iter_batches over several pages: order, no duplicates, concurrency, bounded read-ahead, and
the in-process transport's hygiene with the pool's database connections."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from batchui.batchapi import BatchApiClient, Filter
from batchui.batchapi.transport import SIMULATOR_HOST, SimulatorAdapter
from batchui.simulator.models import Batch as StoredBatch
from tests.simulator.helpers import make_api_user


class CountingAdapter(SimulatorAdapter):
    """The simulator transport, counting calls and how many were in flight at once."""

    def __init__(self, delay: float = 0.05) -> None:
        super().__init__()
        self.delay = delay
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0
        self.pages: list[str] = []

    def send(self, request, **kwargs):
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self.pages.append(request.url.split("pageNumber=")[1].split("&")[0])
        try:
            time.sleep(self.delay)  # a network's worth of time, so that overlaps show
            return super().send(request, **kwargs)
        finally:
            with self.lock:
                self.in_flight -= 1


def store_batches(owner, count: int) -> None:
    start = timezone.now().replace(microsecond=0) - timedelta(days=30)
    rows = []
    for n in range(count):
        row = StoredBatch(
            batch_code=f"Bulk_{n:05d}",
            batch_status="Open" if n % 3 else "Closed",
            start_date=start + timedelta(minutes=n),
            bill_count=n % 17,
            created_by=owner,
        )
        row.refresh_derived()
        rows.append(row)
    StoredBatch.objects.bulk_create(rows, batch_size=500)


@pytest.fixture
def owner_key(transactional_db):
    owner, key = make_api_user()
    store_batches(owner, 2500)
    return owner, key


def counted_client(key: str, adapter: CountingAdapter) -> BatchApiClient:
    client = BatchApiClient(api_key=key)
    client.session.mount(SIMULATOR_HOST + "/", adapter)
    return client


def test_every_batch_in_order_once_with_pages_fetched_concurrently(owner_key):
    _, key = owner_key
    adapter = CountingAdapter()
    with counted_client(key, adapter) as client:
        ids = [batch.batch_id for batch in client.iter_batches(max_workers=4)]
    expected = list(StoredBatch.objects.order_by("-batch_id").values_list("batch_id", flat=True))
    assert len(ids) == 2500
    assert ids == expected  # newest first, every one, none twice
    assert adapter.pages[0] == "1"  # it tells how many pages there are
    assert sorted(adapter.pages) == ["1", "2", "3"]  # then exactly the pages that remain
    assert adapter.most_in_flight == 2  # pages 2 and 3 at once


class SlowPageAdapter(CountingAdapter):
    """Page 2 answers late; the others at once."""

    def send(self, request, **kwargs):
        if "pageNumber=2&" in request.url:
            time.sleep(0.3)
        return super().send(request, **kwargs)


def test_pages_are_decoded_as_they_arrive_and_yielded_in_order(owner_key, monkeypatch):
    _, key = owner_key
    decoded: list[str] = []
    original = BatchApiClient._read_page

    def recording(self, response, *, key):
        decoded.append(response.request.url.split("pageNumber=")[1].split("&")[0])
        return original(self, response, key=key)

    monkeypatch.setattr(BatchApiClient, "_read_page", recording)
    with counted_client(key, SlowPageAdapter(delay=0)) as client:
        ids = [batch.batch_id for batch in client.iter_batches(max_workers=2)]

    assert decoded == ["1", "3", "2"]  # page 3, in first, is not left waiting for page 2
    expected = list(StoredBatch.objects.order_by("-batch_id").values_list("batch_id", flat=True))
    assert ids == expected


def test_one_page_is_one_call_and_no_thread(owner_key):
    _, key = owner_key
    closed = Filter.where("batchStatus", "equals", "closed")  # 834 batches: one page
    adapter = CountingAdapter(delay=0.01)
    with counted_client(key, adapter) as client:
        one_page = [b.batch_id for b in client.iter_batches(filter=closed, max_workers=4)]
    assert one_page == list(
        StoredBatch.objects.filter(batch_status="Closed")
        .order_by("-batch_id")
        .values_list("batch_id", flat=True)
    )
    assert adapter.pages == ["1"]
    assert not [t for t in threading.enumerate() if t.name.startswith("batchapi-page")]


def test_a_filter_applies_to_every_page(owner_key):
    _, key = owner_key
    with BatchApiClient(api_key=key) as client:
        closed = list(client.iter_batches(filter=Filter.where("batchStatus", "equals", "closed")))
    assert len(closed) == StoredBatch.objects.filter(batch_status="Closed").count() == 834
    assert all(batch.batch_status == "Closed" for batch in closed)


def test_read_ahead_is_bounded_by_max_workers(owner_key):
    _, key = owner_key
    adapter = CountingAdapter(delay=0)
    with counted_client(key, adapter) as client:
        batches = client.iter_batches(max_workers=1)
        for _ in range(1000):  # all of page 1
            next(batches)
        time.sleep(0.2)
        assert sorted(adapter.pages) == ["1", "2"]  # page 3 waits until page 2 is consumed
        rest = list(batches)
    assert len(rest) == 1500
    assert sorted(adapter.pages) == ["1", "2", "3"]


def test_stopping_early_cancels_the_rest(owner_key):
    _, key = owner_key
    adapter = CountingAdapter(delay=0)
    with counted_client(key, adapter) as client:
        batches = client.iter_batches(max_workers=1)
        next(batches)
        batches.close()
        time.sleep(0.1)
    assert len(adapter.pages) <= 2
    assert not [t for t in threading.enumerate() if t.name.startswith("batchapi-page")]


def test_the_transport_closes_connections_it_opened_in_a_fresh_thread(owner_key, monkeypatch):
    # The test database is in-memory SQLite, whose close() keeps the connection open (it would
    # lose the database), so the test records the close() calls instead.
    _, key = owner_key
    wrapper_class = type(connections["default"])
    original_close = wrapper_class.close
    closed_in: list[str] = []

    def recording_close(self):
        closed_in.append(threading.current_thread().name)
        return original_close(self)

    monkeypatch.setattr(wrapper_class, "close", recording_close)
    batch_id = StoredBatch.objects.values_list("batch_id", flat=True).first()
    got: list[int] = []

    def in_a_new_thread() -> None:
        with BatchApiClient(api_key=key) as client:
            got.append(client.get_batch(batch_id).batch_id)

    worker = threading.Thread(target=in_a_new_thread, name="fresh-thread")
    worker.start()
    worker.join()
    assert got == [batch_id]
    assert closed_in == ["fresh-thread"]

    # A thread that already had its connection keeps it.
    with BatchApiClient(api_key=key) as client:
        client.get_batch(batch_id)
    assert closed_in == ["fresh-thread"]
