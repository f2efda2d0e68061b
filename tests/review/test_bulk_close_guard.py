"""The review's bulk close behind the Close dialog's guard: an empty batch is never ready nor
closed, a batch opened today is flagged and left to a deliberate tick, the confirmation repeats
each batch's warnings and closes nothing until each is acknowledged, and the batches are read
again before anything is closed."""

from __future__ import annotations

import re
import time as time_module
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from batchui.activity.models import ActivityEntry
from batchui.batchapi import Batch, BatchStatus, UserChild
from batchui.review.services import (
    NOT_ACKNOWLEDGED,
    WARNINGS_CHANGED,
    opened_today,
    review_close_warnings,
    review_figures,
)
from batchui.simulator import faults
from batchui.simulator.models import Batch as StoredBatch
from tests.helpers import HTMX
from tests.review.test_bulk_close import results_by_batch
from tests.simulator.helpers import make_api_user, make_batch


def local_midnight(days_ago: int = 0) -> datetime:
    """The start of a calendar day in the dashboard's time zone."""
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time.min))


@pytest.fixture
def batches(transactional_db):
    """Batches of Jane's, one of each kind the bulk close tells apart."""
    jane, _ = make_api_user("JSMITH", "Jane Smith")
    old = local_midnight(5)
    made = {
        "ok": make_batch(user=jane, code="Ok", bill_count=3, start_date=old),
        "empty": make_batch(user=jane, code="Empty", bill_count=0, start_date=old),
        "today": make_batch(
            user=jane,
            code="Today",
            bill_count=2,
            start_date=max(local_midnight(), timezone.now() - timedelta(minutes=1)),
        ),
        "yesterday": make_batch(
            user=jane, code="Yesterday", bill_count=2, start_date=local_midnight() - timedelta(0, 1)
        ),
        "flagged": make_batch(
            user=jane, code="Flagged", bill_count=4, flag_count=2, start_date=old
        ),
        "analyzing": make_batch(
            user=jane, code="Analyzing", bill_count=4, analyzing_count=1, start_date=old
        ),
        "kickouts": make_batch(
            user=jane, code="Kickouts", bill_count=4, has_imports_with_kickout=True, start_date=old
        ),
    }
    return {name: batch.batch_id for name, batch in made.items()}


def plain_batch(**fields) -> Batch:
    return Batch(
        **{
            "batch_id": 1,
            "batch_code": "B1",
            "batch_status": BatchStatus.OPEN,
            "is_open": True,
            "start_date": None,
            "end_date": None,
            "bill_count": 1,
            "running_total": Decimal("10.10"),
            "flag_count": 0,
            "analyzing_count": 0,
            "has_imported_bills": False,
            "has_imports_with_kickout": False,
            "has_logs": False,
            "created_by": UserChild(user_id=1, user_code="ANN", full_name="Ann"),
            **fields,
        }
    )


def row(html: str, table: str, batch_id: int) -> str:
    found = re.search(rf'<table[^>]*id="{table}".*?</table>', html, re.DOTALL)
    assert found, f"no table {table}"
    cells = re.search(rf'<tr data-batch="{batch_id}">(.*?)</tr>', found.group(0), re.DOTALL)
    return cells.group(1) if cells else ""


def confirmation(client, ids: list[int], **headers) -> str:
    response = client.post("/review/close/", {"batch": ids}, headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def token_of(html: str) -> str:
    return re.search(r'name="token" value="([0-9a-f]{32})"', html).group(1)


def acknowledgements(html: str) -> dict[int, str]:
    """The confirmation's acknowledgement boxes: batch id -> value."""
    return {
        int(value.split(":")[0]): value
        for value in re.findall(r'<input type="checkbox" name="ack" value="([^"]+)"', html)
    }


def warnings_of(html: str, batch_id: int) -> list[str]:
    found = re.search(
        rf'<ul class="close-warnings" id="close-warnings-{batch_id}"(.*?)</ul>', html, re.S
    )
    return re.findall(r'data-warning="(\w+)"', found.group(1)) if found else []


def status(batch_id: int) -> str:
    return StoredBatch.objects.get(pk=batch_id).batch_status


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_an_empty_batch_is_never_ready_and_is_shown_apart(batches, lead_client, htmx):
    if htmx:  # Refresh, as htmx sends it: the fragment
        html = lead_client.post("/review/", headers=HTMX).content.decode()
        assert "<html" not in html
    else:
        html = lead_client.get("/review/").content.decode()
    assert row(html, "ready-table", batches["ok"])
    assert not row(html, "ready-table", batches["empty"])
    assert f'name="batch" value="{batches["empty"]}"' not in html  # nothing to tick
    assert "Empty: nothing to close" in html
    assert row(html, "empty-table", batches["empty"])
    assert not row(html, "empty-table", batches["ok"])
    # Ready: ok, today, yesterday (the flagged, analyzing and kickout ones are not).
    assert re.search(r'id="sum-ready">3<', html)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_an_empty_batch_is_not_closed_by_a_crafted_post(batches, lead_client, htmx):
    empty = batches["empty"]
    headers = HTMX if htmx else {}
    html = confirmation(lead_client, [empty], **headers)
    assert "None of these can be closed now" in html
    assert "Empty</a></strong>: It has no bills: there is nothing to close." in html
    assert 'name="confirm"' not in html

    done = lead_client.post(
        "/review/close/",
        {"batch": [empty], "confirm": "on", "token": "2" * 32, "ack": [f"{empty}:"]},
        headers=headers,
    )
    shown = results_by_batch(done.content.decode())
    assert "Not closed." in shown[empty]
    assert "no bills" in shown[empty]
    assert status(empty) == "Open"
    entry = ActivityEntry.objects.get(action="close", batch_id=empty)
    assert (entry.outcome, entry.batch_code) == ("refused", "Empty")


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_batches_opened_today_are_flagged_and_not_preselected(batches, lead_client, htmx):
    if htmx:
        html = lead_client.post("/review/", headers=HTMX).content.decode()
        assert "<html" not in html
    else:
        html = lead_client.get("/review/").content.decode()
    today = row(html, "ready-table", batches["today"])
    assert "opened today" in today
    assert "data-opened-today" in today  # "Select all" leaves it out (review.js)
    assert " checked" not in today
    for other in ("ok", "yesterday"):
        cells = row(html, "ready-table", batches[other])
        assert "opened today" not in cells
        assert "data-opened-today" not in cells
    assert "Select all listed, except those opened today" in html


@pytest.mark.parametrize(
    ("zone", "today"),
    [("UTC", True), ("America/New_York", False), ("Pacific/Auckland", False)],
)
def test_opened_today_is_the_dashboards_calendar_day(settings, zone, today):
    # Opened at 01:00 UTC, seen at 15:30 UTC: the same day in UTC; the evening before in New
    # York (20:00, seen at 10:30); the afternoon before in Auckland (14:00, seen at 04:30).
    settings.TIME_ZONE = zone
    now = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
    batch = plain_batch(start_date=datetime(2026, 11, 20, 1, 0, tzinfo=UTC))
    assert opened_today(batch, now) is today
    figures = review_figures(open_and_pending=[batch], recently_closed=[], now=now, stale_days=14)
    assert figures.ready[0].opened_today is today
    assert [w.name for w in review_close_warnings(batch, now)] == (["today"] if today else [])


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_the_confirmation_repeats_each_batchs_warnings(batches, lead_client, htmx):
    names = ("ok", "today", "flagged", "analyzing", "kickouts")
    ids = [batches[name] for name in names]
    html = confirmation(lead_client, ids, **(HTMX if htmx else {}))
    assert ("<html" in html) is not htmx
    assert "Close 5 batches?" in html
    assert warnings_of(html, batches["ok"]) == []
    assert warnings_of(html, batches["today"]) == ["today"]
    assert warnings_of(html, batches["flagged"]) == ["flags"]
    assert warnings_of(html, batches["analyzing"]) == ["analyzing"]
    assert warnings_of(html, batches["kickouts"]) == ["kickouts"]
    assert "It was opened today: bills may still be on their way into it." in html
    assert "2 audit flags are unresolved on this batch&#x27;s bills." in html
    assert "1 bill is still being analyzed" in html
    assert "An import into this batch had kickouts" in html
    # One acknowledgement per batch with warnings, naming the warnings seen; none ticked.
    assert acknowledgements(html) == {
        batches["today"]: f"{batches['today']}:today",
        batches["flagged"]: f"{batches['flagged']}:flags",
        batches["analyzing"]: f"{batches['analyzing']}:analyzing",
        batches["kickouts"]: f"{batches['kickouts']}:kickouts",
    }
    assert "Close Flagged anyway, despite this warning" in html
    assert len(re.findall(r'<input type="checkbox" name="ack"[^>]*\brequired\b', html)) == 4
    assert not re.search(r'name="ack"[^>]* checked', html)
    assert not ActivityEntry.objects.exists()


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_nothing_is_closed_until_every_warning_is_acknowledged(batches, lead_client, htmx):
    headers = HTMX if htmx else {}
    ids = [batches[name] for name in ("ok", "today", "flagged")]
    html = confirmation(lead_client, ids, **headers)
    token, acks = token_of(html), acknowledgements(html)

    # Only one of the two acknowledged: nothing closed, the confirmation again.
    again = lead_client.post(
        "/review/close/",
        {"batch": ids, "confirm": "on", "token": token, "ack": [acks[batches["today"]]]},
        headers=headers,
    ).content.decode()
    assert "Nothing was closed: 1 batch still needs your acknowledgement." in again
    assert re.search(rf'value="{acks[batches["today"]]}"[^>]* checked', again)  # kept ticked
    assert f'id="close-ack-error-{batches["flagged"]}">{NOT_ACKNOWLEDGED}' in again
    assert f'aria-describedby="close-warnings-{batches["flagged"]} close-ack-error-' in again
    assert token_of(again) == token
    assert [status(i) for i in ids] == ["Open"] * 3
    assert not ActivityEntry.objects.exists()

    done = lead_client.post(
        "/review/close/",
        {"batch": ids, "confirm": "on", "token": token, "ack": list(acks.values())},
        headers=headers,
    ).content.decode()
    assert "3 closed, 0 not closed" in done
    assert [status(i) for i in ids] == ["Closed"] * 3


def test_a_warning_new_since_the_confirmation_is_asked_again(batches, lead_client):
    today = batches["today"]
    html = confirmation(lead_client, [today])
    token, acks = token_of(html), acknowledgements(html)
    StoredBatch.objects.filter(pk=today).update(flag_count=1)  # an audit flag meanwhile

    again = lead_client.post(
        "/review/close/", {"batch": [today], "confirm": "on", "token": token, "ack": [acks[today]]}
    ).content.decode()
    assert WARNINGS_CHANGED in again
    assert warnings_of(again, today) == ["flags", "today"]
    assert acknowledgements(again) == {today: f"{today}:flags,today"}
    assert status(today) == "Open"

    done = lead_client.post(
        "/review/close/",
        {"batch": [today], "confirm": "on", "token": token, "ack": [f"{today}:flags,today"]},
    ).content.decode()
    assert "Closed." in results_by_batch(done)[today]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_the_batches_are_read_again_before_closing(batches, lead_client, htmx):
    headers = HTMX if htmx else {}
    ids = [batches[name] for name in ("ok", "yesterday", "flagged")]
    html = confirmation(lead_client, ids, **headers)
    token, acks = token_of(html), acknowledgements(html)

    # Meanwhile: one batch's bills are removed, another is marked pending.
    StoredBatch.objects.filter(pk=batches["yesterday"]).update(bill_count=0)
    StoredBatch.objects.filter(pk=batches["flagged"]).update(batch_status="Pending")

    done = lead_client.post(
        "/review/close/",
        {"batch": ids, "confirm": "on", "token": token, "ack": list(acks.values())},
        headers=headers,
    ).content.decode()
    assert "1 closed, 2 not closed" in done
    shown = results_by_batch(done)
    assert "Closed." in shown[batches["ok"]]
    assert "Not closed." in shown[batches["yesterday"]]
    assert "It has no bills: there is nothing to close." in shown[batches["yesterday"]]
    assert "Not closed." in shown[batches["flagged"]]
    assert "It is pending now, not open." in shown[batches["flagged"]]
    assert [status(i) for i in ids] == ["Closed", "Open", "Pending"]
    log = {e.batch_id: (e.outcome, e.message) for e in ActivityEntry.objects.filter(action="close")}
    assert log[batches["ok"]][0] == "success"
    assert log[batches["yesterday"]] == ("refused", "It has no bills: there is nothing to close.")
    assert log[batches["flagged"]] == ("refused", "It is pending now, not open.")


def test_an_unreadable_acknowledgement_is_a_message(batches, lead_client):
    response = lead_client.post(
        "/review/close/",
        {"batch": [batches["ok"]], "confirm": "on", "token": "3" * 32, "ack": ["x:flags"]},
    )
    assert b"An acknowledgement could not be read." in response.content
    assert status(batches["ok"]) == "Open"


def test_the_batches_are_read_at_once_within_the_requests_deadline(
    batches, lead_client, no_faults, settings
):
    # Four reads of 0.5 s each: one after another they would take 2 s, past the 1.5 s deadline.
    settings.BATCH_API_DEADLINE = 1.5
    ids = [batches[name] for name in ("ok", "today", "flagged", "analyzing")]
    faults.inject("latency", method="GET", path=r"/batch/\d+$", latency_ms=500, times=None)
    started = time_module.monotonic()
    html = confirmation(lead_client, ids)
    assert time_module.monotonic() - started < 1.4
    assert "Close 4 batches?" in html

    # The reads keep to the request's deadline: past it, each says so.
    settings.BATCH_API_DEADLINE = 0.3
    html = confirmation(lead_client, ids)
    assert "None of these can be closed now" in html
    assert html.count("The Batch API did not answer in time.") == 4
