"""The list's search runs while the page around its results is rendered (against an API host).

With the embedded simulator the search runs in the request's own thread (it shares the request's
database transaction); against a host it runs in a worker thread, started before rendering. These
tests point the dashboard at a host (`responses`, then the simulator over real HTTP).
"""

from __future__ import annotations

import threading

import pytest
import responses
from django.test import Client
from django.test.signals import template_rendered

from batchui.batchapi import BatchApiError
from batchui.batches import services
from batchui.simulator.server import SimulatorServer, start_in_thread
from tests.batches.conftest import CLERK_CODE
from tests.simulator.helpers import make_batch

HOST = "https://energycap.example.test"
LIST_URL = f"{HOST}/api/v3/batch"
HTMX = {"HX-Request": "true"}
WAIT = 5


def html_of(response) -> str:
    """The page's HTML, whether streamed (a full page against an API host) or not."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode()


def api_batch(batch_id: int, code: str) -> dict:
    return {
        "batchId": batch_id,
        "batchCode": code,
        "batchStatus": "Open",
        "isOpen": True,
        "startDate": "2026-11-20T08:30:00",
        "endDate": None,
        "billCount": 12,
        "runningTotal": 1234.5,
        "flagCount": 0,
        "analyzingCount": 0,
        "hasImportedBills": False,
        "hasImportsWithKickout": False,
        "hasLogs": False,
        "createdBy": {"userId": 7, "userCode": CLERK_CODE, "fullName": "Tess Clerk"},
        "dueDate": None,
        "statementDate": None,
        "nextReading": None,
        "controlCode": None,
        "invoiceNumber": None,
        "accountPeriodName": "November 2026",
        "accountPeriodNumber": 11,
        "accountPeriodYear": 2026,
        "note": None,
    }


def paging_headers(total: int) -> dict[str, str]:
    return {
        "PageNumber": "1",
        "PageSize": "50",
        "TotalNumberOfRecords": str(total),
        "TotalPages": "1",
    }


@pytest.fixture
def host(settings):
    settings.BATCH_API_URL = HOST
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def list_rendering_started():
    """Set when the test client starts rendering batches/list.html (the full page or fragment)."""
    started = threading.Event()

    def seen(sender, template, **kwargs):
        if template.name and template.name.startswith("batches/list.html"):
            started.set()

    template_rendered.connect(seen)
    yield started
    template_rendered.disconnect(seen)


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_the_search_runs_while_the_page_is_rendered(
    host, clerk_client, list_rendering_started, headers
):
    seen: dict[str, object] = {}

    def answer(request):
        # Returns only once the page is being rendered: a search made before rendering (in
        # the request's thread) would wait here in vain. (The htmx fragment starts with the
        # results: there is nothing to render before them.)
        if not headers:
            seen["overlapped"] = list_rendering_started.wait(WAIT)
        seen["thread"] = threading.current_thread().name
        seen["request_id"] = request.headers.get("X-Request-ID")
        return 200, paging_headers(2), _json([api_batch(2, "HOST-TWO"), api_batch(1, "HOST-ONE")])

    host.add_callback(responses.GET, LIST_URL, callback=answer)
    response = clerk_client.get("/batches/", {"status": "open"}, headers=headers)

    assert response.streaming is (not headers)  # the fragment is nothing but the results
    html = html_of(response)
    assert response.status_code == 200
    assert seen.get("overlapped", True) is True
    assert str(seen["thread"]).startswith("batch-search")
    assert seen["request_id"] == response["X-Request-ID"]  # carried into the worker thread
    assert "HOST-TWO" in html
    assert "HOST-ONE" in html
    assert "1\N{EN DASH}2 of 2 batches" in html
    assert ('id="batch-filters"' in html) is (not headers)


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_a_failed_search_in_the_background_shows_its_message_in_place_of_results(
    host, clerk_client, headers
):
    host.add(responses.GET, LIST_URL, json={"message": "Not allowed."}, status=403)
    response = clerk_client.get("/batches/", {"status": "open", "code": "Kept"}, headers=headers)

    html = html_of(response)
    assert response.status_code == 200
    assert "The batches could not be loaded." in html
    assert 'id="batch-table"' not in html
    assert "Retry" in html
    if not headers:
        assert 'value="Kept"' in html  # the filters as typed


def test_the_page_goes_out_before_the_api_answers_and_its_results_follow(host, clerk_client):
    answer_now = threading.Event()

    def answer(request):
        answer_now.wait(WAIT)
        return 200, paging_headers(1), _json([api_batch(7, "LATE-ONE")])

    host.add_callback(responses.GET, LIST_URL, callback=answer)
    response = clerk_client.get("/batches/", {"status": "open"})
    chunks = iter(response.streaming_content)

    first = next(chunks).decode()  # while the API has not answered
    assert 'id="batch-filters"' in first
    # Up to the results' place, where it says they are on their way.
    assert first.rstrip().endswith('<p class="loading stream-loading">Loading batches…</p>')
    assert "LATE-ONE" not in first
    answer_now.set()
    rest = b"".join(chunks).decode()
    assert "1\N{EN DASH}1 of 1 batch" in rest
    assert "LATE-ONE" in rest
    assert rest.rstrip().endswith("</html>")
    assert response["Vary"].count("HX-Request") == 1
    assert response["X-Accel-Buffering"] == "no"
    assert "script-src 'self'" in response["Content-Security-Policy"]  # headers as any page's
    assert response["X-Request-ID"]
    assert "<!--results_later" not in first + rest


def test_a_part_that_fails_after_the_page_went_out_ends_the_page_whole(
    host, clerk_client, monkeypatch, caplog
):
    host.add(responses.GET, LIST_URL, json=[api_batch(1, "ONE")], headers=paging_headers(1))

    def broken(**kwargs):
        raise RuntimeError("a bug in the results")

    monkeypatch.setattr("batchui.batches.views._announcement", broken)
    response = clerk_client.get("/batches/", {"status": "open"})
    html = html_of(response)

    assert response.status_code == 200  # sent before the part failed
    assert "This part of the page could not be shown." in html
    assert "a bug in the results" not in html
    assert html.rstrip().endswith("</html>")
    assert html.count('id="results"') == 1
    assert "The streamed part batches/list.html#results of /batches/ failed" in caplog.text


def test_a_message_shown_on_a_streamed_page_is_shown_once(host, clerk_client):
    host.add(responses.GET, LIST_URL, json=[api_batch(1, "ONE")], headers=paging_headers(1))
    saved = clerk_client.post(
        "/batches/views/", {"name": "Mine open", "query": "status=open"}, follow=True
    )
    assert saved.streaming
    assert "Saved the view “Mine open”." in html_of(saved)
    again = clerk_client.get("/batches/", {"status": "open"})
    assert "Saved the view" not in html_of(again)


def test_invalid_filters_start_no_search(host, clerk_client):
    response = clerk_client.get("/batches/", {"opened_from": "not a date"})

    assert response.status_code == 200
    assert not response.streaming  # nothing to wait for
    assert "Fix the filters marked above to see batches." in response.content.decode()
    assert len(host.calls) == 0


def test_with_the_embedded_simulator_the_search_runs_when_read_in_the_reading_thread(
    monkeypatch,
):
    calls: list[str] = []

    def search() -> services.BatchSearchResult:
        calls.append(threading.current_thread().name)
        raise BatchApiError("The Batch API is unavailable.")

    under_way = services.SearchUnderWay(search, in_background=False)
    assert calls == []  # nothing yet
    for _ in range(2):
        with pytest.raises(BatchApiError):
            under_way.result()
    assert calls == [threading.current_thread().name]  # once, here


def test_a_background_search_has_started_when_it_is_handed_back():
    # So that its request goes out before the page's rendering competes for the interpreter.
    started = threading.Event()
    release = threading.Event()

    def search() -> services.BatchSearchResult:
        started.set()
        release.wait(WAIT)
        raise BatchApiError("The Batch API is unavailable.")

    under_way = services.SearchUnderWay(search, in_background=True)
    assert started.is_set()
    release.set()
    with pytest.raises(BatchApiError):
        under_way.result()


@pytest.mark.django_db(transaction=True)
def test_the_list_over_real_http_to_the_simulator(settings, make_person):
    clerk = make_person()
    server = SimulatorServer(("127.0.0.1", 0))
    thread = start_in_thread(server)
    settings.BATCH_API_URL = server.url
    try:
        from batchui.simulator.models import ApiUser

        owner = ApiUser.objects.get(user_code=CLERK_CODE)
        for number in range(3):
            make_batch(user=owner, code=f"OVERHTTP-{number}")
        browser = Client()
        browser.force_login(clerk)
        page = browser.get("/batches/", {"code": "overhttp"})
        fragment = browser.get("/batches/", {"code": "overhttp"}, headers=HTMX)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(WAIT)

    assert page.streaming
    for response in (page, fragment):
        html = html_of(response)
        assert response.status_code == 200
        assert "1\N{EN DASH}3 of 3 batches" in html
        assert all(f"OVERHTTP-{number}" in html for number in range(3))


def _json(value) -> str:
    import json

    return json.dumps(value)


def test_a_full_page_of_rows_costs_the_dashboard_four_queries_at_most(
    host, clerk_client, django_assert_max_num_queries
):
    # The session (none when a shared cache holds it); the person with their profile (key, user
    # code); their permissions; their saved views. No more for 50 rows, whose Close button
    # depends on who created each batch.
    batches = [api_batch(number, f"MINE-{number}") for number in range(50, 0, -1)]
    host.add(responses.GET, LIST_URL, json=batches, headers=paging_headers(50))
    with django_assert_max_num_queries(4):
        response = clerk_client.get("/batches/", {"status": "open"})
        html = html_of(response)
    assert html.count("data-close-button") == 50  # the clerk's own: each one may be closed
