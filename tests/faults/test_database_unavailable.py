"""A locked or unreachable database: a "try again" answer (503) within seconds, not a 500 after
20 s; `/readyz` names it."""

from __future__ import annotations

import sqlite3
import time

import pytest
from django.db import connection
from django.test import Client

from batchui.simulator.models import Batch
from tests.batches.test_action_support import HTMX, person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def signed_in():
    client = Client(raise_request_exception=False)
    client.force_login(person("cora"))
    return client


@pytest.fixture
def write_lock():
    """Another connection holds SQLite's write lock (reads still work, writes wait)."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's database-wide write lock")
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def busy_timeout() -> float:
    return connection.settings_dict["OPTIONS"]["timeout"]


def test_a_write_to_a_locked_database_answers_503_after_a_short_wait(signed_in, write_lock):
    assert busy_timeout() <= 5
    started = time.monotonic()
    response = signed_in.post("/batches/new/", {"batch_code": "CCLERK_LOCKED"})
    assert time.monotonic() - started < busy_timeout() + 3
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "Content-Security-Policy" in response
    assert response["X-Request-ID"]
    html = response.content.decode()
    assert "Please try again" in html
    assert "check the batch list before trying again" in html
    assert not Batch.objects.exists()


def test_an_htmx_write_to_a_locked_database_gets_the_sentence_for_the_error_region(
    signed_in, write_lock
):
    response = signed_in.post("/batches/new/", {"batch_code": "CCLERK_LOCKED"}, headers=HTMX)
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/plain")
    assert "database is busy" in response.content.decode()


def test_pages_that_only_read_still_work_while_the_database_is_locked(signed_in, write_lock):
    assert signed_in.get("/activity/").status_code == 200


def test_readyz_reports_a_locked_database_quickly(client, write_lock):
    started = time.monotonic()
    response = client.get("/readyz")
    assert time.monotonic() - started < 3
    assert response.status_code == 503
    database = response.json()["checks"]["database"]
    assert database["status"] == "error"
    assert "locked" in database["error"]


def test_an_unreachable_database_answers_503(signed_in):
    """Every query fails (here: a database file that cannot be opened), sessions included."""
    real_name = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = "/nonexistent-dir/batchui.sqlite3"
    try:
        page = signed_in.get("/batches/")
        ready = Client().get("/readyz")
    finally:
        connection.close()
        connection.settings_dict["NAME"] = real_name
    assert page.status_code == 503
    assert "Please try again" in page.content.decode()
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"]["status"] == "error"
