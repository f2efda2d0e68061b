"""The list page is streamed, against the embedded simulator as against an API host: all but
the results at once, then the results when the API has answered (in the request's thread)."""

from __future__ import annotations

import json
import threading

import pytest
import responses
from django.test import Client

from batchui.simulator.server import SimulatorServer, start_in_thread
from tests.batches.conftest import CLERK_CODE
from tests.helpers import HTMX
from tests.simulator.helpers import make_batch

HOST = "https://energycap.example.test"
LIST_URL = f"{HOST}/api/v3/batch"
WAIT = 5


def api_batch(batch_id: int, code: str) -> dict:
    return {
        "batchId": batch_id, "batchCode": code, "batchStatus": "Open", "isOpen": True,
        "startDate": "2026-11-20T08:30:00", "endDate": None, "billCount": 12,
        "runningTotal": 1234.5, "flagCount": 0, "analyzingCount": 0, "hasImportedBills": False,
        "hasImportsWithKickout": False, "hasLogs": False,
        "createdBy": {"userId": 7, "userCode": CLERK_CODE, "fullName": "Tess Clerk"},
        "accountPeriodName": "November 2026", "accountPeriodNumber": 11,
        "accountPeriodYear": 2026,
    }  # fmt: skip


def paging_headers(total: int) -> dict[str, str]:
    return {"PageNumber": "1", "PageSize": "50", "TotalNumberOfRecords": str(total),
            "TotalPages": "1"}  # fmt: skip


@pytest.fixture
def host(settings):
    settings.BATCH_API_URL = HOST
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def test_the_page_goes_out_before_the_search_and_its_results_follow(
    clerk_client, clerk_api_user, sent
):
    make_batch(user=clerk_api_user, code="LATER-ONE")
    response = clerk_client.get("/batches/", {"status": "open"})
    chunks = iter(response.streaming_content)

    first = next(chunks).decode()
    assert sent == []  # the API has not been asked yet
    assert 'id="batch-filters"' in first
    assert first.rstrip().endswith('<p class="loading stream-loading">Loading batches…</p>')
    rest = b"".join(chunks).decode()
    assert len(sent) == 1
    assert "1\N{EN DASH}1 of 1 batch" in rest
    assert "LATER-ONE" in rest
    assert rest.rstrip().endswith("</html>")
    assert "<!--results_later" not in first + rest
    assert response["Vary"].count("HX-Request") == 1
    assert response["X-Accel-Buffering"] == "no"
    assert "script-src 'self'" in response["Content-Security-Policy"]  # headers as any page's
    assert response["X-Request-ID"]


def test_against_an_api_host_the_search_runs_in_the_request_thread_with_its_id(host, clerk_client):
    seen: dict[str, object] = {}

    def answer(request):
        seen["thread"] = threading.current_thread()
        seen["request_id"] = request.headers.get("X-Request-ID")
        return (
            200,
            paging_headers(2),
            json.dumps([api_batch(2, "HOST-TWO"), api_batch(1, "HOST-ONE")]),
        )

    host.add_callback(responses.GET, LIST_URL, callback=answer)
    for headers in ({}, HTMX):
        response = clerk_client.get("/batches/", {"status": "open"}, headers=headers)
        html = response.getvalue().decode()
        assert response.streaming is (not headers)  # the fragment is nothing but the results
        assert seen["thread"] is threading.current_thread()
        assert seen["request_id"] == response["X-Request-ID"]
        assert "HOST-TWO" in html
        assert "1\N{EN DASH}2 of 2 batches" in html


def test_a_part_that_fails_after_the_page_went_out_ends_the_page_whole(
    clerk_client, clerk_api_user, monkeypatch, caplog
):
    make_batch(user=clerk_api_user, code="ONE")

    def broken(**kwargs):
        raise RuntimeError("a bug in the results")

    monkeypatch.setattr("batchui.batches.views._announcement", broken)
    response = clerk_client.get("/batches/", {"status": "open"})
    html = response.getvalue().decode()

    assert response.status_code == 200  # sent before the part failed
    assert "This part of the page could not be shown." in html
    assert "a bug in the results" not in html
    assert html.rstrip().endswith("</html>")
    assert html.count('id="results"') == 1
    assert "The streamed part batches/list.html#results of /batches/ failed" in caplog.text


def test_a_message_shown_on_a_streamed_page_is_shown_once(clerk_client):
    saved = clerk_client.post(
        "/batches/views/", {"name": "Mine open", "query": "status=open"}, follow=True
    )
    assert saved.streaming
    assert "Saved the view “Mine open”." in saved.getvalue().decode()
    again = clerk_client.get("/batches/", {"status": "open"})
    assert "Saved the view" not in again.getvalue().decode()


def test_a_full_page_of_rows_costs_the_dashboard_five_queries_at_most(
    host, clerk_client, django_assert_max_num_queries
):
    # The session; the person with their profile (key, user code); their permissions (their own
    # and their groups', as Django's ModelBackend reads them); their saved views. No more for 50
    # rows, whose Close button depends on who created each batch.
    batches = [api_batch(number, f"MINE-{number}") for number in range(50, 0, -1)]
    host.add(responses.GET, LIST_URL, json=batches, headers=paging_headers(50))
    with django_assert_max_num_queries(5):
        html = clerk_client.get("/batches/", {"status": "open"}).getvalue().decode()
    assert html.count("data-close-button") == 50  # the clerk's own: each one may be closed


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
        page = browser.get("/batches/", {"code": "overhttp"}).getvalue().decode()
        fragment = browser.get("/batches/", {"code": "overhttp"}, headers=HTMX).getvalue().decode()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(WAIT)

    for html in (page, fragment):
        assert "1\N{EN DASH}3 of 3 batches" in html
        assert all(f"OVERHTTP-{number}" in html for number in range(3))
