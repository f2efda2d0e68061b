"""Mark pending, reopen and delete: the confirmations, roles, stale state, replays, lost answers.

Every test runs against the embedded simulator through the real client; the stale-state tests of
close are here too (the row behind the dialog refreshes out of band, in a <template>).
"""

from __future__ import annotations

import re

import pytest

from batchui.activity.models import Action, ActivityEntry, Outcome
from batchui.simulator import faults
from batchui.simulator.models import Batch, BatchStatus
from tests.batches.test_action_support import FAULTS, HTMX, batch_of, client_for, configure_api

pytestmark = pytest.mark.django_db

STATUS_PUT = r"^/api/v202206/batch/\d+/status$"
DELETE = r"^/api/v3/batch/\d+$"
HEADERS = {"plain": {}, "htmx": HTMX}


@pytest.fixture(autouse=True)
def _api(settings):
    configure_api(settings)
    yield
    faults.clear()


def url(batch, step: str) -> str:
    return f"/batches/{batch.batch_id}/{step}/"


def token_of(html: str) -> str:
    return re.search(r'name="token" value="([0-9a-f]{32})"', html).group(1)


def confirm(client, batch, step: str, **extra) -> dict:
    html = client.get(url(batch, step), headers=HTMX).getvalue().decode()
    return {"token": token_of(html), **extra}


def status_of(batch) -> str:
    batch.refresh_from_db()
    return batch.batch_status


def exists(batch) -> bool:
    return Batch.objects.filter(pk=batch.pk).exists()


def oob_row(batch) -> str:
    """The start of the row refreshed out of band (in a <template>, so htmx keeps its tags)."""
    return f'<template><tbody hx-swap-oob="true" id="batch-{batch.batch_id}"'


def removed_row(batch) -> str:
    return f'<template><tbody id="batch-{batch.batch_id}" hx-swap-oob="delete"></tbody></template>'


def body(response) -> str:
    return response.getvalue().decode()


def listed(client) -> str:
    return body(client.get("/batches/"))


# --- the confirmations -----------------------------------------------------------------------


@pytest.mark.parametrize("way", HEADERS)
def test_the_pending_confirmation_says_the_bills_become_void(way):
    batch = batch_of("cora", "CORA_HOLD", bill_count=7)
    response = client_for("cora").get(url(batch, "pending"), headers=HEADERS[way])
    html = body(response)
    assert response.status_code == 200
    assert "Mark batch CORA_HOLD pending?" in html
    assert (
        "its 7 bills become void and drop out of reports until the batch is reopened or closed"
        in html
    )
    assert 'name="note"' in html  # EnergyCAP's comment, optional
    if way == "htmx":
        assert html.strip().startswith("<dialog")
        assert 'aria-labelledby="pending-batch-title"' in html
        assert f'hx-post="{url(batch, "pending")}"' in html
    else:
        assert "<!doctype html>" in html.lower()
        assert "hx-post" not in html


@pytest.mark.parametrize("way", HEADERS)
def test_the_reopen_confirmation_of_ones_own_batch(way):
    batch = batch_of("cora", "CORA_BACK", status=BatchStatus.PENDING, bill_count=1)
    batch_of("cora", "CORA_OTHER_OPEN")
    html = body(client_for("cora").get(url(batch, "reopen"), headers=HEADERS[way]))
    assert "Reopen batch CORA_BACK?" in html
    assert "its 1 bill counts again" in html
    assert "becomes yours" not in html
    assert "CORA_OTHER_OPEN" not in html  # one's own batch: the others stay as they are


def test_the_reopen_confirmation_of_someone_elses_batch_names_ones_open_batch():
    batch = batch_of("otto", "OTTO_HELD", status=BatchStatus.PENDING, bill_count=3)
    batch_of("cora", "CORA_TODAY")
    html = body(client_for("cora").get(url(batch, "reopen"), headers=HTMX))
    assert "its 3 bills count again" in html
    assert "It becomes yours:" in html
    assert "Otto Other" in html
    assert re.search(r"Your open batch\s+CORA_TODAY\s+will be set to pending", html)


def test_the_reopen_confirmation_when_one_has_no_open_batch():
    batch = batch_of("otto", "OTTO_HELD", status=BatchStatus.PENDING)
    html = body(client_for("cora").get(url(batch, "reopen"), headers=HTMX))
    assert "You have no open batch, so none of yours changes." in html


def test_the_reopen_confirmation_when_ones_open_batches_cannot_be_listed():
    batch = batch_of("otto", "OTTO_HELD", status=BatchStatus.PENDING)
    faults.inject(kind="status", status=503, method="GET", path=r"^/api/v3/batch$")
    html = body(client_for("cora").get(url(batch, "reopen"), headers=HTMX))
    assert "Your open batches could not be listed" in html
    assert "if you have an open batch, it will be set to pending" in html


@pytest.mark.parametrize("way", HEADERS)
def test_the_delete_confirmation_says_it_is_for_good(way):
    batch = batch_of("cora", "CORA_EMPTY")
    html = body(client_for("cora").get(url(batch, "delete"), headers=HEADERS[way]))
    assert "Delete batch CORA_EMPTY?" in html
    assert "batch CORA_EMPTY and its bills are removed for good" in html
    assert "cannot be undone" in html


# --- acting ------------------------------------------------------------------------------------


@pytest.mark.parametrize("way", HEADERS)
def test_mark_pending(way):
    batch = batch_of("cora", "CORA_P", note="keep me")
    client = client_for("cora")
    response = client.post(
        url(batch, "pending"), confirm(client, batch, "pending"), headers=HEADERS[way]
    )
    assert status_of(batch) == BatchStatus.PENDING
    batch.refresh_from_db()
    assert batch.note == "keep me"  # no comment given: the note stays
    message = "Batch CORA_P is pending: its bills are void until it is reopened or closed."
    if way == "htmx":
        html = body(response)
        assert response["HX-Retarget"] == "#dialog"
        assert response["HX-Reswap"] == "innerHTML"
        assert oob_row(batch) in html
        assert "status-pending" in html
        assert "data-reopen-button" in html
        assert "data-pending-button" not in html
        assert f'hx-swap-oob="innerHTML:#live">{message}' in html
    else:
        assert response.status_code == 303
        assert message in listed(client)
    entry = ActivityEntry.objects.get()
    assert (entry.action, entry.outcome, entry.batch_code) == (Action.PENDING, "success", "CORA_P")


def test_mark_pending_with_a_comment():
    batch = batch_of("cora", "CORA_NOTE")
    client = client_for("cora")
    client.post(
        url(batch, "pending"), confirm(client, batch, "pending", note="Waiting for the invoice")
    )
    batch.refresh_from_db()
    assert (batch.batch_status, batch.note) == (BatchStatus.PENDING, "Waiting for the invoice")
    assert ActivityEntry.objects.get().changes == {"note": "Waiting for the invoice"}


def test_a_comment_too_long_is_refused_next_to_the_field_and_kept():
    batch = batch_of("cora", "CORA_LONG")
    client = client_for("cora")
    data = confirm(client, batch, "pending", note="x" * 256)
    html = body(client.post(url(batch, "pending"), data, headers=HTMX))
    assert f'id="pending-{batch.batch_id}-note_error"' in html
    assert "x" * 256 in html
    assert status_of(batch) == BatchStatus.OPEN
    assert not ActivityEntry.objects.exists()


@pytest.mark.parametrize("way", HEADERS)
def test_reopen(way):
    batch = batch_of("cora", "CORA_R", status=BatchStatus.PENDING)
    client = client_for("cora")
    response = client.post(
        url(batch, "reopen"), confirm(client, batch, "reopen"), headers=HEADERS[way]
    )
    assert status_of(batch) == BatchStatus.OPEN
    message = "Batch CORA_R is open again: its bills count again."
    if way == "htmx":
        html = body(response)
        assert oob_row(batch) in html
        assert "status-open" in html
        assert "data-pending-button" in html
        assert message in html
    else:
        assert response.status_code == 303
        assert message in listed(client)
    assert ActivityEntry.objects.get().outcome == Outcome.SUCCESS


def test_reopening_someone_elses_batch_makes_it_yours_and_refreshes_your_other_row():
    batch = batch_of("otto", "OTTO_R", status=BatchStatus.PENDING)
    mine = batch_of("cora", "CORA_MINE")
    client = client_for("cora")
    response = client.post(url(batch, "reopen"), confirm(client, batch, "reopen"), headers=HTMX)
    html = body(response)
    batch.refresh_from_db()
    assert batch.batch_status == BatchStatus.OPEN
    assert batch.created_by.user_code == "CCLERK"
    assert "It is now yours." in html
    mine.refresh_from_db()
    # What the API shows afterwards is named, and that row is refreshed too.
    assert f"Your batch CORA_MINE is now {mine.batch_status.lower()}." in html
    assert mine.batch_status != BatchStatus.OPEN
    assert oob_row(batch) in html
    assert oob_row(mine) in html


@pytest.mark.parametrize("way", HEADERS)
def test_delete_an_empty_batch(way):
    batch = batch_of("cora", "CORA_D")
    client = client_for("cora")
    response = client.post(
        url(batch, "delete"), confirm(client, batch, "delete"), headers=HEADERS[way]
    )
    assert not exists(batch)
    if way == "htmx":
        html = body(response)
        assert response["HX-Retarget"] == "#dialog"
        assert removed_row(batch) in html
        assert 'hx-swap-oob="innerHTML:#live">Batch CORA_D deleted.' in html
    else:
        assert response.status_code == 303
        assert "Batch CORA_D deleted." in listed(client)
    entry = ActivityEntry.objects.get()
    assert (entry.action, entry.outcome, entry.batch_code) == (Action.DELETE, "success", "CORA_D")


@pytest.mark.parametrize("way", HEADERS)
def test_a_batch_with_bills_is_never_deleted(way):
    batch = batch_of("cora", "CORA_FULL", bill_count=2)
    client = client_for("cora")
    html = body(client.get(url(batch, "delete"), headers=HEADERS[way]))
    message = "Batch CORA_FULL has 2 bills, so it was not deleted"
    assert message in html
    assert 'id="delete-batch-result"' in html
    assert 'name="token"' not in html
    # A submission anyway (a form from when it was empty) is refused from a fresh read.
    Batch.objects.filter(pk=batch.pk).update(bill_count=0)
    data = confirm(client, batch, "delete")
    Batch.objects.filter(pk=batch.pk).update(bill_count=2)
    response = client.post(url(batch, "delete"), data, headers=HEADERS[way])
    assert exists(batch)
    if way == "htmx":
        assert message in body(response)
        assert oob_row(batch) in body(response)
    else:
        assert response.status_code == 303
        assert message in listed(client)
    entry = ActivityEntry.objects.get()
    assert (entry.outcome, entry.action) == (Outcome.REFUSED, Action.DELETE)


# --- double submissions and lost answers -------------------------------------------------------


@pytest.mark.parametrize(
    ("owner", "step", "status", "done"),
    [
        ("cora", "pending", BatchStatus.OPEN, "is pending"),
        ("cora", "reopen", BatchStatus.PENDING, "is open again"),
        ("cora", "delete", BatchStatus.OPEN, "deleted."),
    ],
)
def test_a_double_submission_acts_once(owner, step, status, done):
    batch = batch_of(owner, f"CORA_TWICE_{step}", status=status)
    client = client_for("cora")
    data = confirm(client, batch, step)
    first = client.post(url(batch, step), data, headers=HTMX)
    second = client.post(url(batch, step), data, headers=HTMX)
    for response in (first, second):  # acting again would find it changed, or gone
        assert done in body(response)
        assert "already" not in body(response)
        assert "not found" not in body(response)
    assert ActivityEntry.objects.count() == 1


@pytest.mark.parametrize("fault", ["drop_after", "malformed", "latency"])
@pytest.mark.parametrize(
    ("step", "method", "path", "status", "check"),
    [
        ("pending", "PUT", STATUS_PUT, BatchStatus.OPEN, BatchStatus.PENDING),
        ("reopen", "PUT", STATUS_PUT, BatchStatus.PENDING, BatchStatus.OPEN),
        ("delete", "DELETE", DELETE, BatchStatus.OPEN, None),
    ],
)
def test_a_lost_answer_of_a_change_that_happened_is_recovered(
    fault, step, method, path, status, check
):
    batch = batch_of("cora", f"CORA_LOST_{step}", status=status)
    client = client_for("cora")
    data = confirm(client, batch, step)
    faults.inject(method=method, path=path, **FAULTS[fault])
    response = client.post(url(batch, step), data, headers=HTMX)
    assert response["HX-Retarget"] == "#dialog"  # done: the dialog closes
    if check is None:
        assert not exists(batch)
        assert removed_row(batch) in body(response)
    else:
        assert status_of(batch) == check
        assert oob_row(batch) in body(response)
    assert ActivityEntry.objects.get().outcome == Outcome.SUCCESS


@pytest.mark.parametrize(
    ("step", "method", "path", "status"),
    [
        ("pending", "PUT", STATUS_PUT, BatchStatus.OPEN),
        ("delete", "DELETE", DELETE, BatchStatus.OPEN),
    ],
)
def test_an_outcome_that_cannot_be_told_is_never_repeated(step, method, path, status, monkeypatch):
    """The answer is lost and reading the batch back fails too: the dialog says so, and the same
    form submitted again answers the same without acting."""
    from batchui.batches import action_services

    batch = batch_of("cora", f"CORA_UNKNOWN_{step}", status=status)
    client = client_for("cora")
    data = confirm(client, batch, step)
    faults.inject(method=method, path=path, **FAULTS["drop_after"])
    fetch = action_services.batch_fetch

    def fetch_then_break_reads(**kwargs):  # the view's read works; the client's read-back not
        seen = fetch(**kwargs)
        faults.inject(
            kind="status", status=503, method="GET", path=rf"^/api/v3/batch/{batch.batch_id}$"
        )
        return seen

    monkeypatch.setattr(action_services, "batch_fetch", fetch_then_break_reads)
    html = body(client.post(url(batch, step), data, headers=HTMX))
    assert "It is not known whether" in html
    assert token_of(html) != data["token"]  # a new attempt is a deliberate one
    monkeypatch.setattr(action_services, "batch_fetch", fetch)
    faults.clear()
    again = body(client.post(url(batch, step), data, headers=HTMX))
    assert "It is not known whether" in again
    entry = ActivityEntry.objects.get()  # one attempt, whatever was submitted again
    assert entry.outcome == Outcome.UNKNOWN


@pytest.mark.parametrize("fault", ["500", "503", "drop_before"])
@pytest.mark.parametrize(
    ("step", "method", "path", "status"),
    [
        ("pending", "PUT", STATUS_PUT, BatchStatus.OPEN),
        ("reopen", "PUT", STATUS_PUT, BatchStatus.PENDING),
        ("delete", "DELETE", DELETE, BatchStatus.OPEN),
    ],
)
def test_failures_that_changed_nothing_keep_the_confirmation(fault, step, method, path, status):
    batch = batch_of("cora", f"CORA_FAIL_{step}", status=status)
    client = client_for("cora")
    data = confirm(client, batch, step)
    faults.inject(method=method, path=path, **FAULTS[fault])
    response = client.post(url(batch, step), data, headers=HTMX)
    html = body(response)
    assert response.status_code == 200
    assert f'id="{step}-batch-errors"' in html
    assert token_of(html) == data["token"]
    assert exists(batch)
    assert status_of(batch) == status
    assert ActivityEntry.objects.get().outcome == Outcome.FAILED
    faults.clear()
    client.post(url(batch, step), data, headers=HTMX)  # the same form again acts now
    assert not exists(batch) if step == "delete" else status_of(batch) != status


# --- stale state -------------------------------------------------------------------------------


@pytest.mark.parametrize("way", HEADERS)
@pytest.mark.parametrize(
    ("step", "seen", "now", "message"),
    [
        ("pending", BatchStatus.OPEN, BatchStatus.CLOSED, "Batch CORA_S is already closed."),
        ("pending", BatchStatus.OPEN, BatchStatus.PENDING, "Batch CORA_S is already pending."),
        ("reopen", BatchStatus.PENDING, BatchStatus.OPEN, "Batch CORA_S is already open."),
        ("reopen", BatchStatus.PENDING, BatchStatus.CLOSED, "Batch CORA_S is already closed."),
        ("close", BatchStatus.OPEN, BatchStatus.CLOSED, "Batch CORA_S is already closed."),
    ],
)
def test_a_status_changed_since_the_row_was_drawn(way, step, seen, now, message):
    batch = batch_of("cora", "CORA_S", status=seen)
    client = client_for("cora")
    data = confirm(client, batch, step)
    Batch.objects.filter(pk=batch.pk).update(batch_status=now)  # changed meanwhile
    response = client.post(url(batch, step), data, headers=HEADERS[way])
    assert status_of(batch) == now
    if way == "htmx":
        html = body(response)
        dialog = html.split("<template>")[0]
        assert f"{message} Nothing was done." in dialog  # one clear message in the dialog
        assert "<form" not in dialog
        assert "<td" not in dialog
        assert oob_row(batch) in html
        assert f"status-{now.lower()}" in html
    else:
        assert response.status_code == 303
        assert message in listed(client)
    entry = ActivityEntry.objects.get()
    assert entry.outcome == Outcome.REFUSED
    assert "Nothing was done." in entry.message
    # Opening the confirmation again says the same, and refreshes the row.
    again = body(client.get(url(batch, step), headers=HTMX))
    assert message in again.split("<template>")[0]
    assert oob_row(batch) in again


@pytest.mark.parametrize("way", HEADERS)
@pytest.mark.parametrize("step", ["pending", "reopen", "delete", "close"])
def test_a_batch_deleted_since_the_row_was_drawn(way, step):
    status = BatchStatus.PENDING if step == "reopen" else BatchStatus.OPEN
    batch = batch_of("cora", "CORA_GONE", status=status)
    client = client_for("cora")
    data = confirm(client, batch, step)
    Batch.objects.filter(pk=batch.pk).delete()
    response = client.post(url(batch, step), data, headers=HEADERS[way])
    if way == "htmx":
        html = body(response)
        assert f"Batch {batch.batch_id} was not found" in html.split("<template>")[0]
        assert removed_row(batch) in html
    else:
        assert response.status_code == 303
        assert f"Batch {batch.batch_id} was not found" in listed(client)
    assert ActivityEntry.objects.get().outcome == Outcome.REFUSED
    gone = client.get(url(batch, step), headers=HTMX)
    assert removed_row(batch) in body(gone)
    assert client.get(url(batch, step)).status_code == 404


def test_the_api_refusing_a_status_change_meanwhile_refreshes_the_row(monkeypatch):
    """Changed between the fresh read and the call: the API's 400 is shown as stale state."""
    from batchui.batches import action_services

    batch = batch_of("cora", "CORA_RACE")
    client = client_for("cora")
    data = confirm(client, batch, "pending")
    fetch = action_services.batch_fetch

    def fetch_then_change(**kwargs):
        seen = fetch(**kwargs)
        Batch.objects.filter(pk=batch.pk).update(batch_status=BatchStatus.PENDING)
        return seen

    monkeypatch.setattr(action_services, "batch_fetch", fetch_then_change)
    html = body(client.post(url(batch, "pending"), data, headers=HTMX))
    assert "already Pending" in html.split("<template>")[0]
    assert oob_row(batch) in html
    assert "status-pending" in html
    assert ActivityEntry.objects.get().outcome == Outcome.REFUSED


# --- roles -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "owner", "step", "status", "allowed"),
    [
        ("cora", "cora", "pending", BatchStatus.OPEN, True),
        ("cora", "otto", "pending", BatchStatus.OPEN, False),  # Manage needed
        ("lena", "otto", "pending", BatchStatus.OPEN, True),
        ("vic", "vic", "pending", BatchStatus.OPEN, False),
        ("cora", "cora", "reopen", BatchStatus.PENDING, True),
        ("cora", "otto", "reopen", BatchStatus.PENDING, True),  # it becomes hers
        ("lena", "otto", "reopen", BatchStatus.PENDING, True),
        ("vic", "vic", "reopen", BatchStatus.PENDING, False),
        ("cora", "cora", "delete", BatchStatus.OPEN, True),
        ("cora", "otto", "delete", BatchStatus.OPEN, False),
        ("lena", "otto", "delete", BatchStatus.OPEN, True),
        ("vic", "vic", "delete", BatchStatus.OPEN, False),
    ],
)
def test_roles(username, owner, step, status, allowed):
    batch = batch_of(owner, f"{owner.upper()}_{step}", status=status)
    client = client_for(username)
    for headers in ({}, HTMX):
        assert client.get(url(batch, step), headers=headers).status_code == (
            200 if allowed else 403
        )
    if allowed:
        response = client.post(url(batch, step), confirm(client, batch, step))
        assert response.status_code == 303
        assert not exists(batch) if step == "delete" else status_of(batch) != status
        return
    for headers in ({}, HTMX):
        response = client.post(url(batch, step), {"token": "b" * 32}, headers=headers)
        assert response.status_code == 403
    assert exists(batch)
    assert status_of(batch) == status
    entries = ActivityEntry.objects.all()  # by the role (a viewer) or by the rule on the batch
    assert [(e.outcome, e.action) for e in entries] == [(Outcome.REFUSED, step)] * 2
