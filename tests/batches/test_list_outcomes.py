"""Outcomes shown on screen: every action's outcome in a toast (errors styled as errors) besides
#live, the messages after a redirect as toasts too, and the list's count refreshed from a fresh
search after open, edit and close."""

# ruff: noqa: RUF001 - the en dash of the counts (U+2013) is what people read

from __future__ import annotations

import re

import pytest

from batchui.simulator import faults
from batchui.simulator.models import Batch, BatchStatus
from tests.batches.test_action_support import HTMX, batch_of, client_for, configure_api

pytestmark = pytest.mark.django_db

LIST_PAGE = "http://testserver/batches/?code=CORA_"


@pytest.fixture(autouse=True)
def _api(settings):
    configure_api(settings)
    yield
    faults.clear()


def token_of(html: str) -> str:
    return re.search(r'name="token" value="([0-9a-f]{32})"', html).group(1)


def seen(form: str) -> dict[str, str]:
    """The code and note the edit form showed (a save is refused when they changed since)."""
    return dict(re.findall(r'name="(seen_code|seen_note)" value="([^"]*)"', form))


def on_the_list(url: str = LIST_PAGE) -> dict[str, str]:
    return {**HTMX, "HX-Current-URL": url}


def toasts(html: str) -> list[tuple[str, str]]:
    """(kind, text) of each toast in the answer."""
    return re.findall(
        r'<div class="toast toast-(ok|error)" data-toast>\s*<p class="toast-text">([^<]*)</p>', html
    )


def results_bar_oob(html: str) -> str | None:
    """The results bar (count and export link) sent out of band, or None."""
    found = re.search(
        r'<div class="results-bar" id="results-bar" hx-swap-oob="true">.*?</div>', html, re.S
    )
    return found.group(0) if found else None


def count_oob(html: str) -> str | None:
    bar = results_bar_oob(html)
    found = bar and re.search(r'<p class="count" id="result-count" tabindex="-1">([^<]*)</p>', bar)
    return found.group(1) if found else None


def open_batch(client, code: str, headers: dict[str, str]):
    token = token_of(client.get("/batches/new/").getvalue().decode())
    return client.post("/batches/new/", {"batch_code": code, "token": token}, headers=headers)


def test_an_open_shows_a_toast_and_the_count_as_it_now_is():
    batch_of("cora", "CORA_OLD")
    client = client_for("cora")
    html = open_batch(client, "CORA_NEW", on_the_list()).getvalue().decode()
    assert 'hx-swap-oob="innerHTML:#live">Batch CORA_NEW opened.' in html
    assert toasts(html) == [("ok", "Batch CORA_NEW opened.")]
    assert 'hx-swap-oob="afterbegin:#toasts"' in html
    assert count_oob(html) == "1–2 of 2 batches"  # a fresh search with the page's filters
    assert "Export all 2 as CSV" in results_bar_oob(html)  # the export link says the same


def test_the_count_follows_the_pages_own_filters_and_page():
    for i in range(26):
        batch_of("cora", f"CORA_{i}")
    client = client_for("cora")
    url = "http://testserver/batches/?code=CORA_&size=25&page=2"
    html = open_batch(client, "CORA_NEW", on_the_list(url)).getvalue().decode()
    assert count_oob(html) == "26–27 of 27 batches"


def test_no_count_for_another_page_nor_for_mistaken_filters():
    client = client_for("cora")
    html = open_batch(client, "CORA_A", HTMX).getvalue().decode()
    assert count_oob(html) is None  # no page URL sent
    html = open_batch(client, "CORA_B", on_the_list("http://testserver/activity/")).getvalue()
    assert count_oob(html.decode()) is None
    mistaken = "http://testserver/batches/?f=billCount&op=between&v=1&v2=x"
    html = open_batch(client, "CORA_C", on_the_list(mistaken)).getvalue().decode()
    assert count_oob(html) is None
    assert toasts(html) == [("ok", "Batch CORA_C opened.")]


def test_no_count_when_the_api_cannot_say(settings):
    client = client_for("cora")
    token = token_of(client.get("/batches/new/").getvalue().decode())
    faults.inject("status", method="GET", path=r"^/api/v3/batch$", status=500, times=None)
    settings.BATCH_API_RETRY_BUDGET = 0
    html = client.post(
        "/batches/new/", {"batch_code": "CORA_X", "token": token}, headers=on_the_list()
    ).getvalue()
    assert Batch.objects.filter(batch_code="CORA_X").exists()
    assert count_oob(html.decode()) is None  # the count stays as it was: never a wrong one


def test_an_edit_and_a_close_show_toasts_and_the_count():
    batch = batch_of("cora", "CORA_EDIT")
    client = client_for("cora")
    form = client.get(f"/batches/{batch.batch_id}/edit/", headers=HTMX).getvalue().decode()
    html = (
        client.post(
            f"/batches/{batch.batch_id}/edit/",
            {"batch_code": "CORA_EDITED", "note": "", "token": token_of(form), **seen(form)},
            headers=on_the_list(),
        )
        .getvalue()
        .decode()
    )
    assert toasts(html) == [("ok", "Batch CORA_EDITED saved.")]
    assert count_oob(html) == "1–1 of 1 batch"
    confirm = client.get(f"/batches/{batch.batch_id}/close/", headers=HTMX).getvalue().decode()
    html = (
        client.post(
            f"/batches/{batch.batch_id}/close/", {"token": token_of(confirm)}, headers=on_the_list()
        )
        .getvalue()
        .decode()
    )
    assert toasts(html) == [("ok", "Batch CORA_EDITED closed.")]
    assert count_oob(html) == "1–1 of 1 batch"


def test_a_refusal_shows_an_error_toast():
    batch = batch_of("cora", "CORA_GONE_BY")
    client = client_for("cora")
    confirm = client.get(f"/batches/{batch.batch_id}/close/", headers=HTMX).getvalue().decode()
    Batch.objects.filter(pk=batch.pk).update(batch_status=BatchStatus.CLOSED)
    html = (
        client.post(
            f"/batches/{batch.batch_id}/close/", {"token": token_of(confirm)}, headers=on_the_list()
        )
        .getvalue()
        .decode()
    )
    ((kind, text),) = toasts(html)
    assert (kind, "already closed" in text) == ("error", True)


def test_messages_after_a_redirect_are_toasts():
    batch = batch_of("cora", "CORA_PLAIN")
    client = client_for("cora")
    confirm = client.get(f"/batches/{batch.batch_id}/close/", headers=HTMX).getvalue().decode()
    Batch.objects.filter(pk=batch.pk).update(batch_status=BatchStatus.CLOSED)
    client.post(f"/batches/{batch.batch_id}/close/", {"token": token_of(confirm)})
    page = client.get("/batches/").getvalue().decode()
    ((kind, text),) = toasts(page)
    assert (kind, "already closed" in text) == ("error", True)
    response = open_batch(client, "CORA_PLAIN_2", {})
    assert response.status_code == 303
    page = client.get("/batches/").getvalue().decode()
    assert toasts(page) == [("ok", "Batch CORA_PLAIN_2 opened.")]
