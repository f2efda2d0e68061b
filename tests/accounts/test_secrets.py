"""An API key never appears in a response (body or header), a log line or an error page."""

import logging

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from batchui.accounts import services
from batchui.accounts.roles import Role
from batchui.simulator import faults
from batchui.simulator.models import ApiUser
from tests.accounts.helpers import as_next_request_loads
from tests.helpers import HTMX as HX

pytestmark = pytest.mark.django_db
HTMX = {**HX, "HX-Current-URL": "http://testserver/accounts/profile/"}


def leaks(response, secret: str) -> list[str]:
    found = []
    if secret in response.content.decode(errors="replace"):
        found.append("body")
    found += [f"header {name}" for name, value in response.items() if secret in value]
    found += [
        f"cookie {name}" for name, morsel in response.cookies.items() if secret in str(morsel)
    ]
    return found


@pytest.fixture
def debug_logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def log_text(caplog) -> str:
    return "\n".join(
        f"{record.getMessage()} {record.args!r} {record.exc_text or ''}"
        for record in caplog.records
    )


def exercise(client: Client, key: str) -> list:
    """Every screen and action of this issue, including failures."""
    responses = [
        client.post("/accounts/profile/api-key/", {"api_key": key}),
        client.get("/accounts/profile/"),
        client.post("/accounts/profile/test-connection/", headers=HTMX),
        client.post("/accounts/profile/test-connection/"),
    ]
    faults.inject("status", status=500, times=2)
    responses += [
        client.post("/accounts/profile/test-connection/", headers=HTMX),
        client.post("/accounts/profile/test-connection/"),
    ]
    faults.inject("malformed", times=1)
    responses.append(client.post("/accounts/profile/test-connection/", headers=HTMX))
    faults.inject("drop_before", times=1)
    responses.append(client.post("/accounts/profile/test-connection/", headers=HTMX))
    return responses


def test_a_working_key_never_leaks(signed_in, debug_logs, no_faults):
    client = signed_in(Role.CLERK, key=False)
    user = client.get("/accounts/profile/").context["user"]
    key = ApiUser.objects.create(user_code="LEAKY", full_name="Lee Key").issue_key()
    responses = exercise(client, key)
    assert services.api_key_for(as_next_request_loads(user)) == key  # the key was really used
    assert "Connection OK" in responses[2].content.decode()
    assert "Connection failed" in responses[4].content.decode()
    for response in responses:
        assert not leaks(response, key), response.request["PATH_INFO"]
    assert debug_logs.records, "DEBUG logging was captured"
    assert key not in log_text(debug_logs)


def test_a_key_the_api_refuses_never_leaks(signed_in, debug_logs, no_faults):
    client = signed_in(Role.CLERK, key=False)
    key = "sim_WrongKeyTheApiRefuses_0123456789"
    responses = exercise(client, key)
    assert "The API refused this key" in responses[2].content.decode()
    for response in responses:
        assert not leaks(response, key)
    assert key not in log_text(debug_logs)


@pytest.mark.urls("tests.accounts.urls")
@pytest.mark.parametrize("debug", [False, True])
def test_error_pages_never_show_the_key(signed_in, debug_logs, debug):
    client = signed_in(Role.CLERK)
    user = client.get("/accounts/profile/").context["user"]
    key = services.api_key_for(as_next_request_loads(user))
    client.raise_request_exception = False
    with override_settings(DEBUG=debug):
        response = client.get("/test/boom/")
    assert response.status_code == 500
    if debug:  # Django's technical page, with the traceback's variables
        assert "RuntimeError" in response.content.decode()
        assert "api_key" in response.content.decode()
    assert not leaks(response, key)
    assert key not in log_text(debug_logs)


def test_dashboard_user_never_prints_a_key(db, capsys):
    key = "sim_CommandLineKey_abcdefghijklmnop"
    call_command("dashboard_user", "add", "jane", "--role", "clerk", "--api-key", key)
    call_command("dashboard_user", "list")
    call_command("dashboard_user", "add", "lee", "--role", "lead", "--simulator-user", "LEE1")
    out = capsys.readouterr()
    assert key not in out.out + out.err
    assert "sim_" not in out.out + out.err
