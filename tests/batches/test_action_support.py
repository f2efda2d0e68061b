"""Helpers shared by the action tests (open, edit, close): people, batches, clients, faults.

People act as simulator API users, so every view test runs against the embedded simulator
through the real client.
"""

from __future__ import annotations

import re
from html import unescape

from django.test import Client

from batchui.accounts.roles import Role
from batchui.simulator.models import ApiUser, Batch
from tests.helpers import HTMX, PASSWORD, make_person, signed_in_client
from tests.simulator.helpers import make_batch

__all__ = ["HTMX", "PASSWORD"]  # the action tests import them from here too


# username -> (role, simulator user code, full name)
PEOPLE = {
    "cora": (Role.CLERK, "CCLERK", "Cora Clerk"),
    "otto": (Role.CLERK, "OCLERK", "Otto Other"),
    "lena": (Role.LEAD, "LLEAD", "Lena Lead"),
    "vic": (Role.VIEWER, "VVIEW", "Vic Viewer"),
}

# Every way the simulator can fail a call, as faults.inject() keyword arguments.
FAULTS = {
    "429": {"kind": "status", "status": 429, "retry_after": 1},
    "500": {"kind": "status", "status": 500},
    "502": {"kind": "status", "status": 502},
    "503": {"kind": "status", "status": 503, "retry_after": 1},
    "504": {"kind": "status", "status": 504},
    "drop_before": {"kind": "drop_before"},
    "drop_after": {"kind": "drop_after"},
    "malformed": {"kind": "malformed"},
    "latency": {"kind": "latency", "latency_ms": 600},
}
# With the test settings (api_settings): the client's read timeout, shorter than the latency.
TEST_TIMEOUT = 0.3


def person(username: str):
    role, code, name = PEOPLE[username]
    return make_person(username, role, code=code, full_name=name)


def client_for(username: str) -> Client:
    return signed_in_client(person(username))


def api_user(username: str) -> ApiUser:
    """The simulator user the person acts as (created with the person)."""
    person(username)
    return ApiUser.objects.get(user_code=PEOPLE[username][1])


def batch_of(username: str, code: str, **fields) -> Batch:
    return make_batch(user=api_user(username), code=code, **fields)


def configure_api(settings) -> None:
    """No retries (each injected fault reaches the dashboard) and a short read timeout."""
    settings.BATCH_API_RETRY_BUDGET = 0
    settings.BATCH_API_TIMEOUT = TEST_TIMEOUT
    settings.BATCH_ACTION_WAIT_SECONDS = 5


def token_of(html: str) -> str:
    """The form token of the (first) action form in `html`."""
    return re.search(r'name="token" value="([0-9a-f]{32})"', html).group(1)


def hidden_of(html: str) -> dict[str, str]:
    """The form's hidden fields (the token, and the code and note as the form showed them)."""
    found = re.findall(r'<input type="hidden" name="(\w+)"(?: value="([^"]*)")?', html)
    return {name: unescape(value) for name, value in found if name != "csrfmiddlewaretoken"}
