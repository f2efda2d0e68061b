"""People signed in to the batch list, simulator batches, and a spy on what reaches the API."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from batchui.accounts.roles import Role
from batchui.batchapi.transport import SimulatorAdapter
from batchui.simulator import faults
from batchui.simulator.models import ApiUser
from tests import helpers

CLERK_CODE = "TCLERK"


@pytest.fixture
def make_person(db) -> Callable[..., object]:
    def make(role: Role = Role.CLERK, *, username: str | None = None, code: str = CLERK_CODE):
        username = username or f"{role.value}-{code.lower()}"
        return helpers.make_person(username, role, code=code, full_name="Tess Clerk")

    return make


@pytest.fixture
def clerk(make_person):
    return make_person(Role.CLERK)


@pytest.fixture
def clerk_client(clerk) -> Client:
    client = Client()
    client.force_login(clerk)
    return client


@pytest.fixture
def clerk_api_user(clerk) -> ApiUser:
    return ApiUser.objects.get(user_code=CLERK_CODE)


@pytest.fixture
def sent(monkeypatch) -> list[str]:
    """The URLs of the calls the in-process transport received (so: what reached the API)."""
    calls: list[str] = []
    original = SimulatorAdapter.send

    def spy(self, request, *args, **kwargs):
        calls.append(request.url)
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(SimulatorAdapter, "send", spy)
    return calls


def filters_of(urls: list[str]) -> list[str]:
    """The `filter=` of each list call ("" when there was none)."""
    return [
        parse_qs(urlsplit(url).query).get("filter", [""])[0]
        for url in urls
        if urlsplit(url).path == "/api/v3/batch"
    ]


def shown_ids(html: str) -> set[int]:
    return {int(found) for found in re.findall(r'<tbody id="batch-(\d+)" class="batch">', html)}


@pytest.fixture
def no_retries(settings) -> None:
    """Failures surface at once (no retry waits) in tests of failure handling."""
    settings.BATCH_API_RETRY_BUDGET = 0


@pytest.fixture
def clean_faults(db) -> Iterator[None]:
    yield
    faults.clear()
