"""Fixtures of the Batch API client's tests: a fake clock for retries, clients, simulator users."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from batchui.batchapi import BatchApiClient, RetryPolicy
from batchui.simulator.server import SimulatorServer, start_in_thread

HOST = "https://api.example.test"


class FakeClock:
    """A monotonic clock whose sleep() only moves time forward and records the wait."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def fake_retry(clock: FakeClock, **options) -> RetryPolicy:
    options.setdefault("budget", 20.0)
    return RetryPolicy(sleep=clock.sleep, clock=clock, rand=lambda: 1.0, **options)


@pytest.fixture
def api(clock: FakeClock) -> Iterator[BatchApiClient]:
    """A client of a real-looking host (for `responses`), with the fake clock."""
    with BatchApiClient(HOST, api_key="client-key-123", retry=fake_retry(clock)) as client:
        yield client


@pytest.fixture
def sim_clock() -> FakeClock:
    """Retries against the simulator: record waits instead of sleeping (the simulator answers
    503 and 429 with Retry-After: 1), while the real time of each call still passes."""
    return FakeClock()


@pytest.fixture
def http_simulator(transactional_db) -> Iterator[str]:
    """The simulator served over real HTTP on a free port; yields its base URL."""
    server = SimulatorServer(("127.0.0.1", 0))
    thread = start_in_thread(server)
    try:
        yield server.url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        # Let calls the client gave up on (timeouts) finish before the database is flushed.
        for handler in threading.enumerate():
            if "process_request_thread" in handler.name:
                handler.join(timeout=5)


@pytest.fixture(params=["in-process", "http"])
def sim_url(request, transactional_db) -> str:
    """The simulator's base URL: "" (the in-process transport) or a real HTTP server.

    Both use `transactional_db`: the server's threads and iter_batches' pool threads have their
    own database connections, which see only committed rows.
    """
    if request.param == "http":
        return request.getfixturevalue("http_simulator")
    return ""


@pytest.fixture
def sim_client(sim_url, owner_key, sim_clock) -> Iterator[BatchApiClient]:
    """A client of the simulator with the key of `owner_key` (each test module says whose)."""
    _, key = owner_key
    with BatchApiClient(
        sim_url, api_key=key, timeout=2.0, retry=fake_retry(sim_clock, budget=10.0)
    ) as made:
        yield made
