"""The export's fast paths give what the plain definitions give: rows, escaping, chunking."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from batchui.batchapi import BatchApiError
from batchui.batchapi.values import Batch, BatchStatus, UserChild
from batchui.batches import export
from batchui.batches.export import csv_chunks, csv_safe, csv_safe_row
from batchui.batches.services import EXPORT_COLUMNS, EXPORT_HEADER, _text, batch_export_row

# Texts as the API may send them, often starting like a formula (or a plain negative number).
formula_like = st.builds(
    lambda start, rest: start + rest,
    st.sampled_from(["=", "+", "-", "@", "\t", "\r", "-1", "-1.50", "+1"]),
    st.text(max_size=6),
)
some_text = st.one_of(st.text(max_size=12), formula_like)
texts = st.one_of(st.none(), some_text)
moments = st.one_of(
    st.none(),
    st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5))]),
    ),
)
creators = st.one_of(
    st.none(), st.builds(UserChild, user_id=st.integers(0, 10**6), user_code=texts, full_name=texts)
)
batches = st.builds(
    Batch,
    batch_id=st.integers(1, 10**9),
    batch_code=some_text,
    batch_status=st.sampled_from(BatchStatus),
    is_open=st.booleans(),
    start_date=moments,
    end_date=moments,
    bill_count=st.integers(0, 10**5),
    running_total=st.decimals(min_value=-(10**7), max_value=10**7, places=2),
    flag_count=st.integers(0, 999),
    analyzing_count=st.integers(0, 999),
    has_imported_bills=st.booleans(),
    has_imports_with_kickout=st.booleans(),
    has_logs=st.booleans(),
    created_by=creators,
    due_date=texts,
    statement_date=texts,
    next_reading=texts,
    control_code=texts,
    invoice_number=texts,
    account_period_name=texts,
    account_period_number=st.one_of(st.none(), st.integers(1, 13)),
    account_period_year=st.one_of(st.none(), st.integers(1990, 2100)),
    note=texts,
)


@settings(max_examples=200, deadline=None)
@given(batch=batches)
def test_a_row_is_the_columns_as_text_each_csv_safe(batch):
    row = batch_export_row(batch)
    assert row == [csv_safe(_text(cell(batch))) for _, cell in EXPORT_COLUMNS]
    # So the export's chunks need no second look at the cells.
    assert b"".join(csv_chunks(iter([row]), cells_safe=True)).decode() == _plain_csv([row])


def test_a_row_of_the_edge_values():
    batch = Batch(
        batch_id=7, batch_code="=B", batch_status=BatchStatus.CLOSED, is_open=False,
        start_date=datetime(2026, 3, 30, 8, 5, 0, 120, tzinfo=UTC), end_date=None, bill_count=0,
        running_total=Decimal("-12.5"), flag_count=0, analyzing_count=2, has_imported_bills=True,
        has_imports_with_kickout=False, has_logs=True, created_by=None,
    )  # fmt: skip
    row = dict(zip(EXPORT_HEADER, batch_export_row(batch), strict=True))
    assert row["Opened"] == "2026-03-30T08:05:00.000120Z"
    assert row["Closed"] == row["Created by"] == row["Created by user ID"] == row["Note"] == ""
    assert row["Total cost"] == "-12.5"
    assert (row["Is open"], row["Has logs"], row["Kickouts"]) == ("no", "yes", "no")


@settings(max_examples=300, deadline=None)
@given(row=st.lists(st.text(alphabet='=+-@\t\r1.a,"', max_size=5), max_size=6))
def test_csv_safe_row_is_csv_safe_on_each_cell(row):
    assert csv_safe_row(row) == [csv_safe(cell) for cell in row]


def _plain_csv(rows: list[list[str]]) -> str:
    """What the export wrote before batching: one writerow per row, csv_safe on each cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return "\ufeff" + buffer.getvalue()


def test_chunks_join_to_the_plain_csv_whatever_the_row_count(monkeypatch):
    monkeypatch.setattr(export, "CHUNK_CHARS", 100)
    for count in (0, 1, export.ROWS_PER_WRITE - 1, export.ROWS_PER_WRITE, 600):
        rows = [[f"r{i}", "-1.5", "=x", 'a "b", c'] for i in range(count)]
        chunks = list(csv_chunks(iter(rows), first=["h1", "h2", "h3", "h4"]))
        assert b"".join(chunks).decode() == _plain_csv([["h1", "h2", "h3", "h4"], *rows])
        assert all(chunks[:-1])


def test_a_failure_mid_way_keeps_the_rows_before_it_then_says_so():
    def rows():
        for i in range(export.ROWS_PER_WRITE + 3):
            yield [str(i)]
        raise BatchApiError("HTTP 503")

    text = b"".join(csv_chunks(rows(), first=["n"])).decode()
    lines = text.removeprefix("\ufeff").splitlines()
    assert lines[:-1] == ["n", *(str(i) for i in range(export.ROWS_PER_WRITE + 3))]
    assert lines[-1] == f"{export.INCOMPLETE} HTTP 503"
