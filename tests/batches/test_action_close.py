"""Closing a batch: the confirmation, warnings to acknowledge, roles, refusals and failures."""

from __future__ import annotations

import re

import pytest

from batchui.activity.models import ActivityEntry, Outcome
from batchui.simulator import faults
from batchui.simulator.models import Batch, BatchStatus
from tests.batches.test_action_support import (
    FAULTS,
    HTMX,
    batch_of,
    client_for,
    configure_api,
    token_of,
)

pytestmark = pytest.mark.django_db

CLOSE_PUT = r"^/api/v3/batch/close/\d+$"


@pytest.fixture(autouse=True)
def _api(settings):
    configure_api(settings)
    yield
    faults.clear()


def confirm(client, batch, **extra) -> dict:
    html = client.get(f"/batches/{batch.batch_id}/close/", headers=HTMX).getvalue().decode()
    return {"token": token_of(html), **extra}


def status_of(batch) -> str:
    batch.refresh_from_db()
    return batch.batch_status


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_confirmation_shows_code_count_total_and_what_closing_means(htmx):
    batch = batch_of("cora", "CORA_APRIL", bill_count=12, running_total="1234.50")
    response = client_for("cora").get(
        f"/batches/{batch.batch_id}/close/", headers=HTMX if htmx else {}
    )
    html = response.getvalue().decode()
    assert response.status_code == 200
    assert "CORA_APRIL" in html
    assert '<dd id="close-bill-count">12</dd>' in html
    assert '<dd id="close-total">$1,234.50</dd>' in html
    assert "Closing is final" in html
    assert "does <strong>not</strong> approve" in html
    assert "close-warnings" not in html  # nothing to warn about
    if htmx:
        assert html.strip().startswith("<dialog")
        assert f'hx-post="/batches/{batch.batch_id}/close/"' in html
    else:
        assert "<!doctype html>" in html.lower()
        assert "hx-post" not in html


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_close(htmx):
    batch = batch_of("cora", "CORA_DONE", bill_count=2)
    client = client_for("cora")
    response = client.post(
        f"/batches/{batch.batch_id}/close/", confirm(client, batch), headers=HTMX if htmx else {}
    )
    assert status_of(batch) == BatchStatus.CLOSED
    if htmx:
        html = response.getvalue().decode()
        assert response["HX-Retarget"] == "#dialog"
        assert response["HX-Reswap"] == "innerHTML"
        assert f'<tbody hx-swap-oob="true" id="batch-{batch.batch_id}"' in html
        assert "status-closed" in html
        assert "data-close-button" not in html  # closed: no Close button any more
        assert 'hx-swap-oob="innerHTML:#live">Batch CORA_DONE closed.' in html
    else:
        assert response.status_code == 303
        assert "Batch CORA_DONE closed." in client.get("/batches/").getvalue().decode()
    entry = ActivityEntry.objects.get()
    assert (entry.action, entry.outcome, entry.batch_code) == ("close", "success", "CORA_DONE")


WARNINGS = {
    "analyzing": ({"analyzing_count": 3}, "3 bills are still being analyzed"),
    "flags": ({"flag_count": 1}, "1 audit flag is unresolved"),
    "kickouts": ({"has_imports_with_kickout": True}, "An import into this batch had kickouts"),
}


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("warning", sorted(WARNINGS))
def test_each_warning_needs_its_acknowledgement(warning, htmx):
    fields, text = WARNINGS[warning]
    batch = batch_of("cora", "CORA_WARN", **fields)
    client = client_for("cora")
    page = client.get(f"/batches/{batch.batch_id}/close/").getvalue().decode()
    assert text in page
    assert f'name="ack_{warning}"' in page
    data = confirm(client, batch)
    headers = HTMX if htmx else {}
    refused = client.post(f"/batches/{batch.batch_id}/close/", data, headers=headers)
    html = refused.getvalue().decode()
    assert refused.status_code == 200
    assert "Tick this box to confirm" in html
    assert f'id="close-{batch.batch_id}-ack_{warning}_error"' in html
    assert status_of(batch) == BatchStatus.OPEN
    accepted = client.post(
        f"/batches/{batch.batch_id}/close/", {**data, f"ack_{warning}": "on"}, headers=headers
    )
    assert accepted.status_code in (200, 303)
    assert status_of(batch) == BatchStatus.CLOSED


def test_all_three_warnings_at_once_need_all_three_acknowledgements():
    batch = batch_of(
        "cora", "CORA_ALL", analyzing_count=1, flag_count=2, has_imports_with_kickout=True
    )
    client = client_for("cora")
    data = confirm(client, batch, ack_flags="on", ack_kickouts="on")
    html = client.post(f"/batches/{batch.batch_id}/close/", data, headers=HTMX).getvalue().decode()
    assert f'id="close-{batch.batch_id}-ack_analyzing_error"' in html
    # The ticked boxes stay ticked.
    assert re.search(r'name="ack_flags"[^>]*checked', html)
    assert re.search(r'name="ack_kickouts"[^>]*checked', html)
    assert status_of(batch) == BatchStatus.OPEN


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_already_closed(htmx):
    batch = batch_of("cora", "CORA_GONE_BY")
    client = client_for("cora")
    data = confirm(client, batch)
    Batch.objects.filter(pk=batch.pk).update(batch_status=BatchStatus.CLOSED)  # closed meanwhile
    response = client.post(f"/batches/{batch.batch_id}/close/", data, headers=HTMX if htmx else {})
    if htmx:
        html = response.getvalue().decode()
        assert "is already closed" in html
        assert f'<tbody hx-swap-oob="true" id="batch-{batch.batch_id}"' in html  # refreshed row
        assert "status-closed" in html
    else:
        assert response.status_code == 303
        assert "is already closed" in client.get("/batches/").getvalue().decode()
    entry = ActivityEntry.objects.get()
    assert entry.outcome == Outcome.REFUSED
    assert "already closed" in entry.message


def test_the_confirmation_of_a_closed_batch_says_so():
    batch = batch_of("cora", "CORA_WAS", status=BatchStatus.CLOSED)
    html = (
        client_for("cora")
        .get(f"/batches/{batch.batch_id}/close/", headers=HTMX)
        .getvalue()
        .decode()
    )
    assert "Batch CORA_WAS is already closed." in html
    assert "<form" not in html.split("hx-swap-oob")[0]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_gone(htmx):
    batch = batch_of("cora", "CORA_DELETED")
    client = client_for("cora")
    data = confirm(client, batch)
    Batch.objects.filter(pk=batch.pk).delete()
    response = client.post(f"/batches/{batch.batch_id}/close/", data, headers=HTMX if htmx else {})
    if htmx:
        html = response.getvalue().decode()
        assert f"Batch {batch.batch_id} was not found." in html
        assert f'<tbody id="batch-{batch.batch_id}" hx-swap-oob="delete">' in html
    else:
        assert response.status_code == 303
        assert "was not found" in client.get("/batches/").getvalue().decode()
    assert ActivityEntry.objects.get().outcome == Outcome.REFUSED
    assert client.get(f"/batches/{batch.batch_id}/close/").status_code == 404


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("fault", ["429", "500", "502", "503", "504", "drop_before"])
def test_failures_that_did_not_close_keep_the_confirmation(fault, htmx):
    batch = batch_of("cora", "CORA_RETRY", flag_count=1)
    client = client_for("cora")
    data = confirm(client, batch, ack_flags="on")
    faults.inject(method="PUT", path=CLOSE_PUT, **FAULTS[fault])
    response = client.post(f"/batches/{batch.batch_id}/close/", data, headers=HTMX if htmx else {})
    html = response.getvalue().decode()
    assert response.status_code == 200
    assert 'id="close-batch-errors"' in html
    assert re.search(r'name="ack_flags"[^>]*checked', html)  # the acknowledgement is kept
    assert token_of(html) == data["token"]
    assert status_of(batch) == BatchStatus.OPEN
    assert ActivityEntry.objects.get().outcome == Outcome.FAILED
    faults.clear()
    client.post(f"/batches/{batch.batch_id}/close/", data, headers=HTMX)
    assert status_of(batch) == BatchStatus.CLOSED


@pytest.mark.parametrize("fault", ["drop_after", "malformed", "latency"])
def test_lost_answers_of_a_close_that_happened_are_recovered(fault):
    batch = batch_of("cora", "CORA_LOST")
    client = client_for("cora")
    data = confirm(client, batch)
    faults.inject(method="PUT", path=CLOSE_PUT, **FAULTS[fault])
    response = client.post(f"/batches/{batch.batch_id}/close/", data, headers=HTMX)
    assert "checked that it is closed" in response.getvalue().decode()
    assert status_of(batch) == BatchStatus.CLOSED
    assert ActivityEntry.objects.get().outcome == Outcome.SUCCESS


def test_the_batch_cannot_be_read_when_confirming():
    batch = batch_of("cora", "CORA_UNREADABLE", flag_count=1)
    client = client_for("cora")
    data = confirm(client, batch, ack_flags="on")
    faults.inject(kind="status", status=503, method="GET", path=r"^/api/v3/batch/\d+$")
    html = client.post(f"/batches/{batch.batch_id}/close/", data, headers=HTMX).getvalue().decode()
    assert "could not be read" in html
    assert token_of(html) == data["token"]
    assert status_of(batch) == BatchStatus.OPEN
    assert client.get(f"/batches/{batch.batch_id}/close/", headers=HTMX).status_code == 200


def test_a_repeated_close_returns_the_first_result_not_already_closed():
    batch = batch_of("cora", "CORA_TWICE")
    client = client_for("cora")
    data = confirm(client, batch)
    first = client.post(f"/batches/{batch.batch_id}/close/", data, headers=HTMX)
    second = client.post(f"/batches/{batch.batch_id}/close/", data, headers=HTMX)
    for response in (first, second):
        html = response.getvalue().decode()
        assert "Batch CORA_TWICE closed." in html
        assert "already closed" not in html
    assert ActivityEntry.objects.count() == 1


# --- roles ---------------------------------------------------------------------------------------


def test_a_clerk_cannot_close_someone_elses_batch():
    batch = batch_of("otto", "OTTO_BATCH")
    client = client_for("cora")
    assert client.get(f"/batches/{batch.batch_id}/close/").status_code == 403
    htmx = client.get(f"/batches/{batch.batch_id}/close/", headers=HTMX)
    assert htmx.status_code == 403
    assert htmx["Content-Type"].startswith("text/plain")
    token = "a" * 32
    for headers in ({}, HTMX):
        response = client.post(
            f"/batches/{batch.batch_id}/close/", {"token": token}, headers=headers
        )
        assert response.status_code == 403
    assert status_of(batch) == BatchStatus.OPEN
    entries = ActivityEntry.objects.all()
    assert {e.outcome for e in entries} == {Outcome.REFUSED}


def test_a_lead_may_close_anyones_batch():
    batch = batch_of("otto", "OTTO_FOR_LEAD")
    client = client_for("lena")
    response = client.post(f"/batches/{batch.batch_id}/close/", confirm(client, batch))
    assert response.status_code == 303
    assert status_of(batch) == BatchStatus.CLOSED


def test_a_viewer_cannot_close():
    batch = batch_of("cora", "CORA_VIEWED")
    client = client_for("vic")
    assert client.get(f"/batches/{batch.batch_id}/close/").status_code == 403
    assert client.post(f"/batches/{batch.batch_id}/close/", {}).status_code == 403
    assert status_of(batch) == BatchStatus.OPEN


def test_ownership_ignores_case():
    from batchui.accounts.models import Profile

    batch = batch_of("cora", "CORA_CASE")  # created by CCLERK
    client = client_for("cora")
    Profile.objects.filter(user__username="cora").update(energycap_user_code="cclerk")
    assert client.get(f"/batches/{batch.batch_id}/close/").status_code == 200
    Profile.objects.filter(user__username="cora").update(energycap_user_code="")
    assert client.get(f"/batches/{batch.batch_id}/close/").status_code == 403
