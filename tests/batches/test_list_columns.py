"""The list's columns are declared once (batches/columns.py): the table's header and rows, the
expanded row, the inline edit row and the CSV all follow them."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

from django.test import Client

from batchui.accounts.roles import Role
from batchui.batchapi.values import Batch, BatchStatus
from batchui.batches.columns import COLUMNS, CSV_HEADER, MORE, SHOWN, TABLE_WIDTH, batch_csv_row
from tests.simulator.helpers import make_batch


def test_the_table_and_its_rows_follow_the_columns(clerk_client, clerk_api_user):
    batch = make_batch(user=clerk_api_user, code="COL-1", note="a note")
    html = clerk_client.get("/batches/").getvalue().decode()
    header = html[html.index("<thead>") : html.index("</thead>")]
    header = re.sub(r'<span class="visually-hidden">.*?</span>|<[^t/][^>]*>|</a>', "", header)
    assert re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', header) == [
        *(column.label for column in SHOWN),
        "Actions",
    ]
    row = html[html.index(f'<tbody id="batch-{batch.batch_id}"') :]
    row = row[: row.index("</tbody>")]
    main, more = row.split('<tr class="batch-more"')
    assert main.count("<td") + main.count("<th") == TABLE_WIDTH
    assert f'colspan="{TABLE_WIDTH}"' in more
    assert re.findall(r"<dt>([^<]*)</dt>", more) == [column.label for column in MORE]


def test_the_inline_edit_row_spans_the_table(clerk_client, clerk_api_user):
    batch = make_batch(user=clerk_api_user, code="COL-2")
    html = clerk_client.get(
        f"/batches/{batch.batch_id}/edit/", headers={"HX-Request": "true"}
    ).getvalue()
    assert f'colspan="{TABLE_WIDTH}"'.encode() in html


def test_the_csv_has_every_column_the_shown_ones_first():
    assert CSV_HEADER[: len(SHOWN)] == [column.header for column in SHOWN]
    assert len(CSV_HEADER) == len(COLUMNS) == len(set(CSV_HEADER))


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
