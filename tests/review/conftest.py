"""Fixtures of the review and widget tests: people with simulator keys, a clean cache, and a
counter of Batch API calls (read from the client's one log line per call).

The tests use `transactional_db`: the client fetches pages (and the review the closed batches) in
other threads, which must see the test's rows committed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.core.cache import cache
from django.test import Client

from batchui.accounts.roles import Role
from batchui.simulator import faults
from tests.helpers import PASSWORD, make_person, signed_in_client

__all__ = ["PASSWORD"]


@pytest.fixture(autouse=True)
def clean_cache(settings) -> Iterator[None]:
    settings.TIME_ZONE = "UTC"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def person(transactional_db) -> Callable[..., object]:
    """person(role, username, simulator_user) -> a dashboard account acting as that API user."""

    def make(role: Role, username: str, simulator_user: str):
        return make_person(username, role, code=simulator_user, full_name=username.title())

    return make


client_for = signed_in_client


@pytest.fixture
def lead(person):
    return person(Role.LEAD, "lee", "MLEAD")


@pytest.fixture
def lead_client(lead) -> Client:
    return client_for(lead)


@pytest.fixture
def no_faults(transactional_db) -> Iterator[None]:
    yield
    faults.clear()


class ApiCalls:
    def __init__(self, caplog) -> None:
        self.caplog = caplog

    def count(self) -> int:
        return sum(
            1
            for record in self.caplog.records
            if record.name == "batchui.batchapi" and record.getMessage().startswith("batchapi ")
        )

    def reset(self) -> None:
        self.caplog.clear()


@pytest.fixture
def api_calls(caplog) -> ApiCalls:
    caplog.set_level("INFO", logger="batchui.batchapi")
    return ApiCalls(caplog)
