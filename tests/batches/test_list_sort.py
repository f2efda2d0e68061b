"""Sorting the list by a column: only a result that one API page holds (at most 1,000 batches),
fetched whole and sorted by the dashboard; the sort is kept in the URL and in the pager's links."""

from __future__ import annotations

import re
from html import unescape

import pytest

from batchui.accounts.services import api_caller_for
from batchui.batchapi import Filter, get_client
from batchui.batches.columns import COLUMNS
from batchui.batches.criteria import SORTABLE
from batchui.simulator.models import Batch, BatchStatus
from batchui.simulator.seeding import seed_batches
from tests.helpers import HTMX

OPEN_OR_PENDING = {"status": ["open", "pending"], "size": "250"}


def ids_in_order(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'<tbody id="batch-(\d+)" class="batch">', html)]


def header(html: str) -> str:
    return html[html.index("<thead>") : html.index("</thead>")]


@pytest.fixture
def seeded(clerk) -> None:
    seed_batches(count=1100, seed=7)  # 896 closed, 154 open, 50 pending


@pytest.fixture
def open_or_pending(clerk, seeded) -> dict[int, object]:
    """The matching batches as the API gives them (the values the list sorts), by id."""
    key = api_caller_for(clerk).key
    where = Filter.where("batchStatus", "one of", "Open", "Pending")
    return {batch.batch_id: batch for batch in get_client().iter_batches(filter=where, api_key=key)}


def test_every_column_but_the_note_is_sortable():
    assert [column.label for column in COLUMNS if not column.sortable] == ["Note"]
    assert SORTABLE["bills"].label == "Bills"
    assert SORTABLE["total-cost"].label == "Total cost"


def _order_key(value):
    return value.casefold() if isinstance(value, str) else value


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
@pytest.mark.parametrize("key", list(SORTABLE))
def test_sorting_by_each_column(clerk_client, open_or_pending, sent, key, descending):
    matching = set(
        Batch.objects.filter(batch_status__in=[BatchStatus.OPEN, BatchStatus.PENDING]).values_list(
            "batch_id", flat=True
        )
    )
    assert 50 < len(matching) <= 250
    assert set(open_or_pending) == matching

    sort = f"-{key}" if descending else key
    html = clerk_client.get("/batches/", {**OPEN_OR_PENDING, "sort": sort}).getvalue().decode()

    shown = ids_in_order(html)
    assert sorted(shown) == sorted(matching)  # all of them, each once
    value = SORTABLE[key].value
    values = [value(open_or_pending[batch_id]) for batch_id in shown]
    filled = [v for v in values if v not in (None, "")]
    assert values[len(filled) :] == [v for v in values if v in (None, "")]  # empty ones last
    for (a, id_a), (b, id_b) in zip(
        zip(values, shown, strict=True), zip(values[1:], shown[1:], strict=True), strict=False
    ):
        if a in (None, "") or b in (None, ""):
            continue
        x, y = _order_key(a), _order_key(b)
        assert (x >= y) if descending else (x <= y), (a, b)
        if x == y:
            assert id_a > id_b  # equal values keep the API's order, newest first
    assert len(sent) == 1  # the whole result in one call
    assert "pageSize=1000" in sent[0]
    column = SORTABLE[key]
    assert f"Batches, sorted by {column.label}, {column.order_words[descending]}" in html
    if f">{column.label}<" in header(html):  # a column of the table (else in the expanded row)
        th = re.search(rf'<th scope="col"[^>]*aria-sort="([a-z]+)"><a[^>]*>{column.label}<', html)
        assert th
        assert th.group(1) == ("descending" if descending else "ascending")


def test_a_header_link_says_what_a_click_does_and_flips_the_order(clerk_client, seeded):
    html = clerk_client.get("/batches/", {"status": "pending"}).getvalue().decode()
    head = unescape(header(html))
    assert "aria-sort" not in head
    assert re.search(
        r'<a class="sort" href="/batches/\?status=pending&sort=bills" '
        r'hx-get="/batches/\?status=pending&sort=bills" data-sort-key="bills">Bills'
        r'<span class="visually-hidden">: sort smallest first</span></a>',
        head,
    )
    assert ": sort oldest first</span>" in head
    assert ": sort A to Z</span>" in head

    html = clerk_client.get("/batches/", {"status": "pending", "sort": "bills"}).getvalue().decode()
    head = unescape(header(html))
    assert re.search(
        r'aria-sort="ascending"><a class="sort" href="/batches/\?status=pending&sort=-bills" '
        r'[^>]*>Bills<span class="visually-hidden">: sort largest first</span>',
        head,
    )
    assert "Batches, sorted by Bills, smallest first" in html


def test_the_sort_is_kept_in_the_pager_links_and_pages_continue_the_order(
    clerk_client, clerk, seeded, sent
):
    closed = {"status": "closed", "sort": "-total-cost", "size": "100"}
    first = clerk_client.get("/batches/", closed).getvalue().decode()
    assert 'href="/batches/?status=closed&amp;sort=-total-cost&amp;size=100&amp;page=2"' in first
    second = clerk_client.get("/batches/", {**closed, "page": "2"}).getvalue().decode()
    totals = {
        batch.batch_id: batch.running_total
        for batch in Batch.objects.filter(batch_status=BatchStatus.CLOSED)
    }
    assert len(totals) == 896
    everything = sorted(totals, key=lambda batch_id: (-totals[batch_id], -batch_id))
    assert ids_in_order(first) + ids_in_order(second) == everything[:200]
    assert len(sent) == 2  # one call for each page, each the whole result


def test_htmx_gets_the_sorted_results_and_the_sorted_url(clerk_client, seeded, sent):
    response = clerk_client.get("/batches/", {"status": "PENDING", "sort": "Flags"}, headers=HTMX)
    html = response.content.decode()
    assert response["HX-Push-Url"] == "/batches/?status=pending&sort=flags"
    assert 'aria-sort="ascending"' in html
    assert "<html" not in html
    flags = dict(
        Batch.objects.filter(batch_status=BatchStatus.PENDING).values_list("batch_id", "flag_count")
    )
    assert ids_in_order(html) == sorted(flags, key=lambda batch_id: (flags[batch_id], -batch_id))
    assert len(sent) == 1


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_more_than_1000_matches_say_why_they_cannot_be_sorted(clerk_client, seeded, sent, htmx):
    response = clerk_client.get("/batches/", {"sort": "-bills"}, headers=HTMX if htmx else {})
    html = response.content.decode() if htmx else response.getvalue().decode()
    assert response.status_code == 200
    assert "Sorting needs 1,000 batches or fewer: narrow the filters to sort." in html
    assert "The list is in the usual order, newest first." in html
    head = header(html)
    assert "<a" not in head
    assert "aria-sort" not in head
    newest = list(Batch.objects.order_by("-batch_id").values_list("batch_id", flat=True)[:50])
    assert ids_in_order(html) == newest
    assert len(sent) == 1  # page 1 of the API's order is within the first 1,000


def test_more_than_1000_and_no_sort_asked_only_says_sorting_needs_fewer(clerk_client, seeded, sent):
    html = clerk_client.get("/batches/").getvalue().decode()
    assert "Sorting needs 1,000 batches or fewer" in html
    assert "usual order" not in html
    assert len(sent) == 1
    assert "pageSize=50" in sent[0]


def test_a_page_past_the_first_1000_with_a_sort_makes_a_second_call(clerk_client, seeded, sent):
    html = clerk_client.get("/batches/", {"sort": "bills", "page": "22"}).getvalue().decode()
    oldest = list(Batch.objects.order_by("-batch_id").values_list("batch_id", flat=True)[1050:])
    assert ids_in_order(html) == oldest
    assert len(sent) == 2
    assert "pageNumber=22" in sent[1]


def test_an_unknown_sort_is_ignored(clerk_client, seeded, sent):
    html = clerk_client.get("/batches/", {"status": "pending", "sort": "nonsense"}).getvalue()
    assert b"aria-sort" not in html
    assert b"Batches, newest first" in html
    assert len(sent) == 1
    assert "pageSize=50" in sent[0]
