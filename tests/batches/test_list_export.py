"""CSV export: every matching batch across pages, streamed, filtered like the list, safe cells."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import requests
from django.http import StreamingHttpResponse

from batchui.batchapi.transport import SimulatorAdapter
from batchui.batches.columns import CSV_HEADER as EXPORT_HEADER
from batchui.batches.export import csv_safe
from batchui.simulator import faults
from batchui.simulator.models import Batch, BatchStatus
from batchui.simulator.seeding import seed_batches
from tests.batches.conftest import filters_of
from tests.simulator.helpers import make_batch

pytestmark = pytest.mark.usefixtures("transactional_db")


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


@pytest.fixture
def seeded(clerk) -> int:
    return seed_batches(count=1100, seed=7)


def test_export_streams_every_batch_across_pages(clerk_client, seeded, sent):
    response = clerk_client.get("/batches/export.csv")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="batches-{date.today().isoformat()}.csv"'
    )
    rows = read_csv(response)
    assert rows[0] == EXPORT_HEADER
    assert rows[0][:12] == [
        "Batch code", "Status", "Created by", "Opened", "Closed", "Bills", "Total cost", "Flags",
        "Analyzing", "Kickouts", "Account period", "Due date",
    ]  # fmt: skip
    ids = [row[EXPORT_HEADER.index("Batch ID")] for row in rows[1:]]
    assert len(ids) == len(set(ids)) == seeded == Batch.objects.count()
    assert sum("pageNumber=2" in url for url in sent) == 1  # 1,100 batches: two pages of 1,000


def test_export_applies_the_list_filter(clerk_client, seeded, sent):
    response = clerk_client.get("/batches/export.csv", {"status": "open", "code": "a"})
    rows = read_csv(response)[1:]
    expected = Batch.objects.filter(batch_status=BatchStatus.OPEN, batch_code_ci__contains="a")
    assert filters_of(sent) == ["batchStatus equals 'Open' and batchCode like 'a'"]
    assert sorted(int(row[EXPORT_HEADER.index("Batch ID")]) for row in rows) == sorted(
        expected.values_list("batch_id", flat=True)
    )
    assert {row[1] for row in rows} == {"Open"}


def test_cells_that_a_spreadsheet_would_run_are_escaped(clerk_client, clerk_api_user):
    make_batch(
        user=clerk_api_user, code='=HYPERLINK("http://evil.example")', note="@SUM(A1:A9)",
        control_code="+1+2", invoice_number="-2+3", running_total=-12.5, due_date="\tx",
    )  # fmt: skip
    row = read_csv(clerk_client.get("/batches/export.csv"))[1]
    cell = dict(zip(EXPORT_HEADER, row, strict=True))
    assert cell["Batch code"] == '\'=HYPERLINK("http://evil.example")'
    assert cell["Note"] == "'@SUM(A1:A9)"
    assert cell["Control code"] == "'+1+2"
    assert cell["Invoice number"] == "'-2+3"
    assert cell["Due date"] == "'\tx"
    assert cell["Total cost"] == "-12.5"  # a credit stays a number


@pytest.mark.parametrize(
    ("cell", "safe"),
    [("=1+1", "'=1+1"), ("+x", "'+x"), ("-x", "'-x"), ("@x", "'@x"), ("-12.50", "-12.50"),
     ("a=b", "a=b"), ("", "")],
)  # fmt: skip
def test_csv_safe(cell, safe):
    assert csv_safe(cell) == safe


@pytest.mark.usefixtures("no_retries", "clean_faults")
def test_a_failure_before_the_first_byte_is_an_error_page(clerk_client, seeded):
    faults.inject("status", status=503, times=10)
    response = clerk_client.get("/batches/export.csv", {"status": "open"})
    assert response.status_code == 502
    assert not isinstance(response, StreamingHttpResponse)
    html = response.content.decode()
    assert "The export could not start" in html
    assert "HTTP 503" in html
    assert 'href="/batches/?status=open"' in html


@pytest.mark.usefixtures("no_retries")
def test_a_failure_while_streaming_ends_the_file_with_an_error_line(
    clerk_client, seeded, monkeypatch
):
    original = SimulatorAdapter.send

    def second_page_fails(self, request, *args, **kwargs):
        if "pageNumber=2" in request.url:
            raise requests.ConnectionError("dropped", request=request)
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(SimulatorAdapter, "send", second_page_fails)
    rows = read_csv(clerk_client.get("/batches/export.csv"))
    assert rows[0] == EXPORT_HEADER
    assert len(rows) == 1 + 1000 + 1
    assert rows[-1][0].startswith("ERROR: the export stopped early and this file is INCOMPLETE.")


def test_an_invalid_filter_is_not_exported(clerk_client):
    response = clerk_client.get("/batches/export.csv", {"f": "billCount", "op": "equals", "v": "x"})
    assert response.status_code == 400
    assert "fix them in the list first" in response.content.decode()


def test_the_csv_is_written_in_chunks_and_a_failure_mid_way_says_so(monkeypatch):
    from batchui.batchapi import BatchApiError
    from batchui.batches import export

    monkeypatch.setattr(export, "CHUNK_CHARS", 100)

    def rows():
        for i in range(50):
            yield [f"r{i}", "=x", "-1.5"]
        raise BatchApiError("HTTP 503")

    chunks = list(export.csv_chunks(rows()))
    assert len(chunks) > 5
    lines = b"".join(chunks).decode().removeprefix("\ufeff").splitlines()
    assert lines[:2] == ["r0,'=x,-1.5", "r1,'=x,-1.5"]
    assert len(lines) == 51
    assert lines[-1] == f"{export.INCOMPLETE} HTTP 503"
