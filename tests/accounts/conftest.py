"""People of each role, signed-in clients, and simulator keys for the accounts tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client

from batchui.accounts.roles import Role
from batchui.simulator import faults
from tests import helpers

SIMULATOR_CODES = {Role.CLERK: "TCLERK", Role.LEAD: "TLEAD", Role.VIEWER: "TVIEW"}


@pytest.fixture
def make_person(db) -> Callable[..., object]:
    """make_person(role, username=None, key=True): a person of that role, with a simulator key."""

    def make(role: Role, *, username: str | None = None, key: bool = True):
        username = username or f"{role.value}-person"
        return helpers.make_person(username, role, code=SIMULATOR_CODES[role] if key else None)

    return make


@pytest.fixture
def signed_in(make_person) -> Callable[..., Client]:
    """signed_in(role, key=True) -> a Django test client signed in as a new person of that role."""

    def sign_in(role: Role, *, key: bool = True) -> Client:
        client = Client()
        client.force_login(make_person(role, key=key))
        return client

    return sign_in


@pytest.fixture
def clerk_client(signed_in) -> Client:
    return signed_in(Role.CLERK)


@pytest.fixture
def no_faults(db) -> Iterator[None]:
    yield
    faults.clear()
