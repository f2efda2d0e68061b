"""The list's columns are declared once (batches/columns.py): the table's header and rows, the
expanded row, the inline edit row and the CSV all follow them."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

from django.test import Client

from batchui.accounts.models import Profile
from batchui.accounts.roles import Role
from batchui.batchapi.values import Batch, BatchStatus
from batchui.batches.columns import (
    COLUMNS,
    CSV_HEADER,
    SHOWN,
    batch_csv_row,
    chosen_columns,
    shown_columns,
)
from tests.helpers import HTMX
from tests.simulator.helpers import make_batch


def header_labels(html: str) -> list[str]:
    header = html[html.index("<thead>") : html.index("</thead>")]
    header = re.sub(r'<span class="visually-hidden">.*?</span>|<[^t/][^>]*>|</a>', "", header)
    return re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', header)


def check_table(html: str, batch_id: int, shown) -> None:
    """The header, the row's cells, its expanded part and their width follow `shown`."""
    width = len(shown) + 1
    assert header_labels(html) == [*(column.label for column in shown), "Actions"]
    row = html[html.index(f'<tbody id="batch-{batch_id}"') :]
    row = row[: row.index("</tbody>")]
    main, more = row.split('<tr class="batch-more"')
    assert main.count("<td") + main.count("<th") == width
    assert f'colspan="{width}"' in more
    others = [column.label for column in COLUMNS if column not in shown]
    assert re.findall(r"<dt>([^<]*)</dt>", more) == others


def test_the_table_and_its_rows_follow_the_columns(clerk_client, clerk_api_user):
    batch = make_batch(user=clerk_api_user, code="COL-1", note="a note")
    html = clerk_client.get("/batches/").getvalue().decode()
    check_table(html, batch.batch_id, SHOWN)


def test_the_defaults_fit_a_laptop():
    assert [column.label for column in SHOWN] == [
        "Code", "Status", "Created by", "Opened", "Bills", "Total cost", "Flags", "Analyzing",
    ]  # fmt: skip


def test_the_inline_edit_row_spans_the_table(clerk_client, clerk_api_user):
    batch = make_batch(user=clerk_api_user, code="COL-2")
    html = clerk_client.get(
        f"/batches/{batch.batch_id}/edit/", headers={"HX-Request": "true"}
    ).getvalue()
    assert f'colspan="{len(SHOWN) + 1}"'.encode() in html


def test_the_csv_has_every_column():
    assert [column.header for column in COLUMNS] == CSV_HEADER
    assert len(CSV_HEADER) == len(set(CSV_HEADER))


def test_a_choice_keeps_the_tables_order_and_the_code_and_ignores_unknown_keys():
    chosen = chosen_columns(["note", "bogus", "status", 7, "status"])
    assert [column.key for column in chosen] == ["code", "status", "note"]
    assert chosen_columns([]) == SHOWN
    assert chosen_columns(["code", "nope"]) == SHOWN  # nothing beyond the code: the defaults


# --- the column chooser --------------------------------------------------------------------


def profile_columns(user) -> list:
    return Profile.objects.get(user=user).list_columns


def test_the_chooser_offers_every_column_the_shown_ones_ticked(clerk_client):
    html = clerk_client.get("/batches/").getvalue().decode()
    chooser = html[html.index('id="column-chooser"') :]
    chooser = chooser[: chooser.index("</details>")]
    assert 'action="/batches/columns/"' in chooser
    assert "csrfmiddlewaretoken" in chooser
    ticked = re.findall(r'value="([\w-]+)" id="column-[\w-]+" checked', chooser)
    assert ticked == [column.key for column in SHOWN]
    assert len(re.findall(r'name="columns"', chooser)) == len(COLUMNS)


def test_choosing_columns_without_javascript(clerk_client, clerk, clerk_api_user):
    batch = make_batch(user=clerk_api_user, code="COL-3", note="seen")
    response = clerk_client.post(
        "/batches/columns/",
        {"columns": ["status", "note", "no-such-column"], "query": "status=open&code=COL"},
    )
    assert response.status_code == 303
    assert response["Location"] == "/batches/?status=open&code=COL"
    assert profile_columns(clerk) == ["code", "status", "note"]
    page = clerk_client.get(response["Location"])
    html = page.getvalue().decode()
    check_table(html, batch.batch_id, chosen_columns(["status", "note"]))
    assert "The table shows Code, Status, Note." in html  # the toast after the redirect
    # The CSV keeps every column.
    export = clerk_client.get("/batches/export.csv?code=COL-3")
    header = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert header.split(",") == CSV_HEADER


def test_choosing_columns_with_htmx_answers_the_results(clerk_client, clerk, clerk_api_user):
    batch = make_batch(user=clerk_api_user, code="COL-4")
    response = clerk_client.post(
        "/batches/columns/",
        {"columns": ["due-date", "bills"], "query": "code=COL-4"},
        headers={**HTMX, "HX-Target": "results"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    check_table(html, batch.batch_id, chosen_columns(["bills", "due-date"]))
    assert 'id="result-count"' in html
    assert "1–1 of 1 batch" in html  # noqa: RUF001 - the en dash people read
    assert 'hx-swap-oob="afterbegin:#toasts"' in html
    assert "The table shows Code, Bills, Due date." in html
    assert response["HX-Push-Url"] == "/batches/?code=COL-4"
    assert profile_columns(clerk) == ["code", "bills", "due-date"]


def test_the_choice_is_each_persons_own(clerk_client, clerk, make_person, clerk_api_user):
    batch = make_batch(user=clerk_api_user, code="COL-5")
    clerk_client.post("/batches/columns/", {"columns": ["note"]})
    other = Client()
    other.force_login(make_person(Role.CLERK, username="olga", code="OCLERK"))
    assert header_labels(other.get("/batches/").getvalue().decode())[:-1] == [
        column.label for column in SHOWN
    ]
    mine = clerk_client.get("/batches/").getvalue().decode()
    check_table(mine, batch.batch_id, chosen_columns(["note"]))
    assert shown_columns(type(clerk).objects.get(pk=clerk.pk)) == chosen_columns(["note"])


def test_defaults_and_an_empty_choice_store_nothing(clerk_client, clerk):
    clerk_client.post("/batches/columns/", {"columns": ["note"]})
    clerk_client.post("/batches/columns/", {"columns": ["note"], "reset": "1"})
    assert profile_columns(clerk) == []
    clerk_client.post("/batches/columns/", {"columns": ["bogus"]})
    assert profile_columns(clerk) == []
    clerk_client.post("/batches/columns/", {"columns": [c.key for c in SHOWN]})
    assert profile_columns(clerk) == []


def test_the_chooser_needs_a_post_with_the_csrf_token(clerk, clerk_client):
    assert clerk_client.get("/batches/columns/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(clerk)
    assert strict.post("/batches/columns/", {"columns": ["note"]}).status_code == 403
    assert profile_columns(clerk) == []


def test_a_csv_row_of_the_edge_values():
    batch = Batch(
        batch_id=7, batch_code="=B", batch_status=BatchStatus.CLOSED, is_open=False,
        start_date=datetime(2026, 3, 30, 8, 5, 0, 120, tzinfo=UTC), end_date=None, bill_count=0,
        running_total=Decimal("-12.5"), flag_count=0, analyzing_count=2, has_imported_bills=True,
        has_imports_with_kickout=False, has_logs=True, created_by=None,
    )  # fmt: skip
    row = dict(zip(CSV_HEADER, batch_csv_row(batch), strict=True))
    assert row["Batch code"] == "=B"  # made safe when written (export.csv_chunks)
    assert row["Opened"] == "2026-03-30T08:05:00.000120Z"
    assert row["Closed"] == row["Created by"] == row["Created by user ID"] == row["Note"] == ""
    assert row["Total cost"] == "-12.5"
    assert (row["Is open"], row["Has logs"], row["Kickouts"]) == ("no", "yes", "no")
    assert (row["Bills"], row["Analyzing"], row["Batch ID"]) == ("0", "2", "7")


def _row(html: str, batch_id: int) -> str:
    row = html[html.index(f'<tbody id="batch-{batch_id}"') :]
    return row[: row.index("</tbody>")]


def test_a_cached_row_is_rendered_again_when_its_batch_changes(clerk_client, clerk_api_user):
    # Rows are kept rendered (settings.CACHES["rows"]); any change to the batch is another key.
    batch = make_batch(user=clerk_api_user, code="CACHED-1", note="before", bill_count=2)
    first = _row(clerk_client.get("/batches/").getvalue().decode(), batch.batch_id)
    assert "before" in first
    assert "Close batch CACHED-1" in first
    batch.note, batch.bill_count, batch.batch_status = "after", 7, "Closed"
    batch.save()
    again = _row(clerk_client.get("/batches/").getvalue().decode(), batch.batch_id)
    assert "after" in again
    assert "before" not in again
    assert "status-closed" in again
    assert "Close batch CACHED-1" not in again


def test_a_cached_row_follows_the_persons_columns(clerk_client, clerk_api_user):
    batch = make_batch(user=clerk_api_user, code="CACHED-3", note="in the note")
    before = _row(clerk_client.get("/batches/").getvalue().decode(), batch.batch_id)
    clerk_client.post("/batches/columns/", {"columns": ["note"]})
    after = _row(clerk_client.get("/batches/").getvalue().decode(), batch.batch_id)
    assert "<dt>Note</dt>" in before
    assert "<dt>Note</dt>" not in after
    assert "<td>in the note</td>" in after


def test_a_cached_row_follows_the_persons_rights_and_time_zone(
    make_person, clerk_client, clerk_api_user, settings
):
    batch = make_batch(
        user=clerk_api_user, code="CACHED-2", start_date=datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    )
    mine = _row(clerk_client.get("/batches/").getvalue().decode(), batch.batch_id)
    assert "Close batch CACHED-2" in mine
    viewer = Client()
    viewer.force_login(make_person(Role.VIEWER, username="vera", code="VVIEW"))
    theirs = _row(viewer.get("/batches/").getvalue().decode(), batch.batch_id)
    assert "Close batch CACHED-2" not in theirs
    assert "Edit batch CACHED-2" not in theirs
    settings.TIME_ZONE = "America/New_York"
    shifted = _row(clerk_client.get("/batches/").getvalue().decode(), batch.batch_id)
    assert "1 Jun 2026, 08:00" in shifted
    assert "1 Jun 2026, 12:00" in mine
