"""The client over HTTP, against canned answers (`responses`): headers, errors, retries, secrecy."""

from __future__ import annotations

import json
import logging
import traceback
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, formatdate

import pytest
import requests
import responses

from batchui.batchapi import (
    ApiAuthError,
    ApiBadResponse,
    ApiForbidden,
    ApiNotFound,
    ApiOutcomeUnknown,
    ApiRateLimited,
    ApiServerError,
    ApiTimeout,
    ApiUnavailable,
    ApiValidationError,
    BatchApiClient,
    BatchApiError,
    BatchCreate,
    Filter,
    current_request_id,
)
from tests.batchapi.conftest import HOST, fake_retry
from tests.batchapi.test_values import response as batch_json

LIST = f"{HOST}/api/v3/batch"
ONE = f"{HOST}/api/v3/batch/5"
CLOSE = f"{HOST}/api/v3/batch/close/5"
KEY = "client-key-123"
PAGING = {"PageNumber": "1", "PageSize": "250", "TotalNumberOfRecords": "1", "TotalPages": "1"}


def batch_body(**overrides) -> dict:
    data = batch_json(**overrides)
    data["runningTotal"] = float(data["runningTotal"])
    return data


def add_list(items=None, *, headers=None, status=200, url=LIST):
    responses.add(
        responses.GET,
        url,
        json=[batch_body()] if items is None else items,
        headers=PAGING if headers is None else headers,
        status=status,
    )


# --- what every request carries --------------------------------------------------------------


@responses.activate
def test_every_operation_sends_key_content_type_request_id_and_timeouts(api):
    add_list()
    responses.add(responses.GET, ONE, json=batch_body(batchId=5))
    responses.add(responses.POST, LIST, json=batch_body())
    responses.add(responses.PUT, ONE, json=batch_body(batchId=5))
    responses.add(responses.PUT, CLOSE, json=batch_body(batchId=5, batchStatus="Closed"))

    api.list_batches()
    list(api.iter_batches())
    api.get_batch(5)
    api.open_batch(BatchCreate(batch_code="A"))
    api.edit_batch(5, batch_code="B", note=None)
    api.close_batch(5)

    assert len(responses.calls) == 6
    ids = set()
    for call in responses.calls:
        headers = call.request.headers
        assert headers["ECI-ApiKey"] == KEY
        assert headers["Content-Type"] == "application/json"
        assert len(headers["X-Request-ID"]) == 32
        ids.add(headers["X-Request-ID"])
        connect, read = call.request.req_kwargs["timeout"]
        assert connect == 3.05
        assert read == pytest.approx(10.0, abs=0.5)  # the read timeout, within the deadline
    assert len(ids) == 6  # a fresh id per call when the dashboard set none
    assert json.loads(responses.calls[4].request.body) == {"batchCode": "B", "note": None}


@responses.activate
def test_per_call_key_overrides_the_client_key(api):
    add_list()
    add_list()
    api.list_batches(api_key="someone-elses-key")
    api.list_batches()
    assert responses.calls[0].request.headers["ECI-ApiKey"] == "someone-elses-key"
    assert responses.calls[1].request.headers["ECI-ApiKey"] == KEY


@responses.activate
def test_request_id_comes_from_the_context(api):
    add_list()
    token = current_request_id.set("req-abc-123")
    try:
        api.list_batches()
    finally:
        current_request_id.reset(token)
    assert responses.calls[0].request.headers["X-Request-ID"] == "req-abc-123"


@responses.activate
def test_paging_and_filter_are_query_parameters(api):
    add_list()
    api.list_batches(
        filter=Filter.where("batchCode", "equals", "O'Brien & Sons"), page_number=3, page_size=50
    )
    params = responses.calls[0].request.params
    assert params == {
        "pageNumber": "3",
        "pageSize": "50",
        "filter": "batchCode equals 'O''Brien & Sons'",
    }


@responses.activate
def test_raw_filter_text_is_accepted_for_experts(api):
    add_list()
    api.list_batches(filter="billCount greater than '3'")
    assert responses.calls[0].request.params["filter"] == "billCount greater than '3'"


def test_no_key_at_all_is_refused_before_calling():
    with BatchApiClient(HOST) as client, pytest.raises(ApiAuthError, match="No API key"):
        client.list_batches()


@pytest.mark.parametrize("value", [0, -1, 1001, True, "2"])
def test_page_size_out_of_range_is_a_programming_error(api, value):
    with pytest.raises(ValueError, match="page_size"):
        api.list_batches(page_size=value)


@pytest.mark.parametrize(
    "url", ["https://app.energycap.com/api/v3", "https://app.energycap.com/api", "ftp://x", "x"]
)
def test_the_client_is_configured_with_a_host_only(url):
    with pytest.raises(ValueError, match="Batch API URL"):
        BatchApiClient(url)


# --- paging headers --------------------------------------------------------------------------


@responses.activate
def test_paging_headers_are_read_case_insensitively(api):
    add_list(
        headers={
            "pagenumber": "2",
            "PAGESIZE": "250",
            "totalNumberOfRecords": "251",
            "totalpages": "2",
        }
    )
    page = api.list_batches(page_number=2)
    assert (page.page_number, page.page_size, page.total_records, page.total_pages) == (
        2,
        250,
        251,
        2,
    )
    assert page.items[0].batch_code == "Maint_0330"


@pytest.mark.parametrize(
    "headers",
    [
        {"PageNumber": "1", "PageSize": "250", "TotalNumberOfRecords": "1"},
        {**PAGING, "TotalPages": "many"},
        {**PAGING, "TotalNumberOfRecords": "-1"},
        {},
    ],
)
@responses.activate
def test_missing_or_invalid_paging_headers_are_a_bad_response(api, headers):
    add_list(headers=headers)
    with pytest.raises(ApiBadResponse, match="header"):
        api.list_batches()


# --- error mapping ---------------------------------------------------------------------------


@responses.activate
def test_400_carries_the_api_message_and_field_errors(api):
    body = {
        "message": "The batch code is taken.",
        "errors": {"batchCode": ["A batch with this code exists."], "note": "Too long."},
    }
    responses.add(responses.POST, LIST, json=body, status=400)
    with pytest.raises(ApiValidationError) as caught:
        api.open_batch(BatchCreate(batch_code="A"))
    assert caught.value.status == 400
    assert caught.value.message == "The batch code is taken."
    assert caught.value.field_errors == {
        "batchCode": ["A batch with this code exists."],
        "note": ["Too long."],
    }
    assert len(responses.calls) == 1


@responses.activate
def test_400_without_json_shows_a_short_excerpt(api):
    responses.add(responses.GET, LIST, body="<html>\n<b>Bad</b> " + "x" * 500, status=400)
    with pytest.raises(ApiValidationError) as caught:
        api.list_batches()
    assert caught.value.message.startswith("The Batch API rejected the request: <html> <b>Bad</b>")
    assert len(caught.value.message) < 220
    assert caught.value.field_errors == {}


@pytest.mark.parametrize(
    ("status", "error", "message"),
    [
        (401, ApiAuthError, "The API refused this key, or this user lacks permission."),
        (403, ApiForbidden, "This user is not allowed to do this: Nope."),
        (404, ApiNotFound, "Batch 5 was not found."),
        (
            500,
            ApiServerError,
            "The Batch API had an error (HTTP 500): Nope. Try again in a moment.",
        ),
        (418, ApiBadResponse, "The Batch API answered with an unexpected status (HTTP 418)."),
        (
            302,
            ApiBadResponse,
            "BATCH_API_URL answers with a redirect (HTTP 302 to https://elsewhere.example). The "
            "dashboard never follows redirects (one could carry the API key to another host): "
            "set BATCH_API_URL to the address it redirects to, e.g. https://elsewhere.example.",
        ),
    ],
)
@responses.activate
def test_status_mapping(api, status, error, message):
    responses.add(
        responses.GET,
        ONE,
        json={"message": "Nope."},
        status=status,
        headers={"Location": "https://elsewhere.example/"},
    )
    with pytest.raises(error) as caught:
        api.get_batch(5)
    assert caught.value.message == message
    assert caught.value.status == status
    assert isinstance(caught.value, BatchApiError)
    assert len(responses.calls) == 1  # none of these is retried


@pytest.mark.parametrize("status", [502, 503, 504])
@responses.activate
def test_gateway_errors_are_server_errors_once_retries_run_out(api, clock, status):
    responses.add(responses.GET, ONE, json={"message": "down"}, status=status)
    with pytest.raises(ApiServerError) as caught:
        api.get_batch(5)
    assert caught.value.status == status
    assert len(responses.calls) == api.retry.max_attempts
    assert len(clock.sleeps) == api.retry.max_attempts - 1


@responses.activate
def test_429_with_retry_after_seconds(api):
    responses.add(responses.POST, LIST, json={}, status=429, headers={"Retry-After": "30"})
    with pytest.raises(ApiRateLimited) as caught:
        api.open_batch(BatchCreate(batch_code="A"))
    assert caught.value.retry_after == 30
    assert caught.value.status == 429
    assert "Try again in 30 seconds" in caught.value.message
    assert len(responses.calls) == 1  # a 429 was not processed: nothing to look up


@responses.activate
def test_429_with_retry_after_http_date(api):
    when = datetime.now(UTC) + timedelta(seconds=45)
    responses.add(
        responses.POST,
        LIST,
        status=429,
        headers={"Retry-After": format_datetime(when, usegmt=True)},
    )
    with pytest.raises(ApiRateLimited) as caught:
        api.open_batch(BatchCreate(batch_code="A"))
    assert 40 <= caught.value.retry_after <= 45


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"{not json", "not valid JSON"),
        (b"", "not valid JSON"),
        (b'{"batchId": NaN}', "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not valid JSON"),
        (b"[]", "something other than a batch"),
        (b'{"batchId": 5, "batchStatus": "open"}', "without its batchCode"),
    ],
)
@responses.activate
def test_unreadable_bodies_are_bad_responses(api, body, match):
    responses.add(responses.GET, ONE, body=body, status=200)
    with pytest.raises(ApiBadResponse, match=match) as caught:
        api.get_batch(5)
    assert caught.value.status in (200, None)


@responses.activate
def test_a_list_that_is_not_a_list_is_a_bad_response(api):
    add_list(items={"items": []})
    with pytest.raises(ApiBadResponse, match="list of batches"):
        api.list_batches()


@responses.activate
def test_connection_failures_and_timeouts(api):
    responses.add(responses.GET, ONE, body=requests.ConnectionError("refused"))
    with pytest.raises(ApiUnavailable) as caught:
        api.get_batch(5)
    assert not isinstance(caught.value, ApiTimeout)
    assert caught.value.status is None

    responses.replace(responses.GET, ONE, body=requests.ReadTimeout("slow"))
    with pytest.raises(ApiTimeout, match="did not answer in time"):
        api.get_batch(5)


# --- retries ---------------------------------------------------------------------------------


@responses.activate
def test_get_is_retried_on_503_then_succeeds(api, clock):
    responses.add(responses.GET, ONE, json={"message": "busy"}, status=503)
    responses.add(responses.GET, ONE, json={"message": "busy"}, status=503)
    responses.add(responses.GET, ONE, json=batch_body(batchId=5))
    assert api.get_batch(5).batch_id == 5
    assert len(responses.calls) == 3
    assert clock.sleeps == [0.25, 0.5]  # exponential backoff (jitter pinned to its top)
    ids = {call.request.headers["X-Request-ID"] for call in responses.calls}
    assert len(ids) == 1  # retries of one call share its request id


@responses.activate
def test_get_is_retried_after_a_dropped_connection(api, clock):
    responses.add(responses.GET, LIST, body=requests.ConnectionError("reset"))
    add_list()
    assert len(api.list_batches().items) == 1
    assert len(clock.sleeps) == 1


@responses.activate
def test_edit_is_retried_as_it_is_idempotent(api, clock):
    responses.add(responses.PUT, ONE, status=502)
    responses.add(responses.PUT, ONE, json=batch_body(batchId=5, batchCode="B"))
    assert api.edit_batch(5, batch_code="B", note="n").batch_code == "B"
    assert len(responses.calls) == 2


@responses.activate
def test_retry_after_is_honoured(api, clock):
    responses.add(responses.GET, ONE, status=429, headers={"Retry-After": "3"})
    responses.add(responses.GET, ONE, status=503, headers={"Retry-After": "2"})
    responses.add(responses.GET, ONE, json=batch_body(batchId=5))
    api.get_batch(5)
    assert clock.sleeps == [3.0, 2.0]


@responses.activate
def test_retry_after_http_date_is_honoured(api, clock):
    when = datetime.now(UTC) + timedelta(seconds=4)
    responses.add(
        responses.GET, ONE, status=429, headers={"Retry-After": format_datetime(when, usegmt=True)}
    )
    responses.add(responses.GET, ONE, json=batch_body(batchId=5))
    api.get_batch(5)
    assert len(clock.sleeps) == 1
    assert 2 <= clock.sleeps[0] <= 4


@responses.activate
def test_a_too_long_retry_after_fails_at_once(api, clock):
    responses.add(responses.GET, ONE, status=429, headers={"Retry-After": "60"})
    with pytest.raises(ApiRateLimited) as caught:
        api.get_batch(5)
    assert caught.value.retry_after == 60
    assert clock.sleeps == []
    assert len(responses.calls) == 1


@responses.activate
def test_the_total_retry_budget_is_never_exceeded(clock):
    budget = 5.0
    client = BatchApiClient(
        HOST, api_key=KEY, retry=fake_retry(clock, budget=budget, max_attempts=50)
    )
    started = clock.now

    def slow_failure(request):
        clock.now += 1.5  # each attempt takes 1.5 s before the gateway gives up
        return (503, {}, "")

    responses.add_callback(responses.GET, ONE, callback=slow_failure)
    with pytest.raises(ApiServerError):
        client.get_batch(5)
    assert clock.now - started <= budget + 1.5  # the last attempt may run to its own end
    for call, sleep_before in zip(responses.calls[1:], clock.sleeps, strict=True):
        assert sleep_before > 0
        assert call.request.req_kwargs["timeout"][1] <= budget
    assert 2 <= len(responses.calls) < 10


@responses.activate
def test_retry_after_beyond_the_remaining_budget_is_not_waited_for(clock):
    client = BatchApiClient(HOST, api_key=KEY, retry=fake_retry(clock, budget=2.0))
    responses.add(responses.GET, ONE, status=503, headers={"Retry-After": "5"})
    with pytest.raises(ApiServerError):
        client.get_batch(5)
    assert clock.sleeps == []


@responses.activate
def test_open_is_never_retried_and_a_5xx_from_the_api_is_its_answer(api, clock):
    responses.add(responses.POST, LIST, json={"message": "busy"}, status=503)
    with pytest.raises(ApiServerError, match="busy") as caught:
        api.open_batch(BatchCreate(batch_code="A"), created_by="JSMITH")
    assert caught.value.status == 503
    assert [call.request.method for call in responses.calls] == ["POST"]


@pytest.mark.parametrize("status", [502, 504])
@responses.activate
def test_a_gateway_error_on_open_is_a_lost_answer_that_is_looked_up(api, clock, status):
    responses.add(responses.POST, LIST, status=status)
    add_list(items=[], headers={**PAGING, "TotalNumberOfRecords": "0", "TotalPages": "0"})
    with pytest.raises(ApiServerError, match="NOT opened"):
        api.open_batch(BatchCreate(batch_code="A"), created_by="JSMITH")
    methods = [call.request.method for call in responses.calls]
    assert methods == ["POST", "GET"]  # the GET is the lookup, not a retry
    assert responses.calls[1].request.params["filter"] == "batchCode equals 'A'"


@responses.activate
def test_close_is_never_retried_blindly(api):
    responses.add(responses.PUT, CLOSE, status=502)
    responses.add(responses.GET, ONE, json=batch_body(batchId=5, batchStatus="Open"))
    with pytest.raises(ApiServerError, match="Batch 5 was NOT closed"):
        api.close_batch(5)
    assert [call.request.method for call in responses.calls] == ["PUT", "GET"]


@responses.activate
def test_open_whose_lookup_also_fails_is_outcome_unknown(api):
    responses.add(responses.POST, LIST, body=requests.ReadTimeout("slow"))
    responses.add(responses.GET, LIST, status=401)
    with pytest.raises(ApiOutcomeUnknown, match="Check the batch list before trying again"):
        api.open_batch(BatchCreate(batch_code="A"))


@responses.activate
def test_open_that_never_connected_is_not_looked_up(api):
    responses.add(responses.POST, LIST, body=requests.ConnectTimeout("no route"))
    with pytest.raises(ApiTimeout, match="NOT opened"):
        api.open_batch(BatchCreate(batch_code="A"))
    assert len(responses.calls) == 1


def _api_now(offset: timedelta = timedelta(0)) -> tuple[str, dict]:
    """A naive UTC startDate of "now" on an API clock `offset` from ours, and its Date header."""
    now = datetime.now(UTC) + offset
    return now.replace(microsecond=0, tzinfo=None).isoformat(), {
        **PAGING,
        "Date": formatdate(now.timestamp(), usegmt=True),
    }


@responses.activate
def test_ambiguous_open_found_by_code_is_returned_as_recovered(api):
    responses.add(responses.POST, LIST, body=requests.ConnectionError("reset by peer"))
    now, headers = _api_now()
    add_list(items=[batch_body(batchCode="o'brien", startDate=now)], headers=headers)
    batch = api.open_batch(BatchCreate(batch_code="O'Brien"), created_by="jsmith")
    assert batch.recovered is True
    assert responses.calls[1].request.params["filter"] == "batchCode equals 'O''Brien'"


@responses.activate
def test_recovery_reads_the_api_clock_from_its_date_header(api):
    # The API's clock runs an hour ahead of ours: its "now" is still after the call began.
    responses.add(responses.POST, LIST, body=requests.ReadTimeout("slow"))
    now, headers = _api_now(timedelta(hours=1))
    add_list(items=[batch_body(batchCode="A", startDate=now)], headers=headers)
    assert api.open_batch(BatchCreate(batch_code="A"), created_by="JSMITH").recovered


@responses.activate
def test_a_batch_of_that_code_by_someone_else_was_not_opened_by_this_call(api):
    # Finding 1 of the red-team pass: another person's batch with the code, opened just now.
    responses.add(responses.POST, LIST, body=requests.ConnectionError("reset by peer"))
    now, headers = _api_now()
    add_list(items=[batch_body(batchCode="X", startDate=now)], headers=headers)
    with pytest.raises(ApiUnavailable, match="NOT opened: Jane Smith already has a batch"):
        api.open_batch(BatchCreate(batch_code="X"), created_by="OTHER")


@responses.activate
def test_my_own_batch_opened_before_the_call_was_not_opened_by_it(api):
    responses.add(responses.POST, LIST, body=requests.ReadTimeout("slow"))
    earlier, headers = _api_now(timedelta(minutes=-3))
    headers["Date"] = formatdate(usegmt=True)
    add_list(items=[batch_body(batchCode="A", startDate=earlier)], headers=headers)
    with pytest.raises(ApiTimeout, match="NOT opened: a batch with this code already exists"):
        api.open_batch(BatchCreate(batch_code="A"), created_by="JSMITH")


@pytest.mark.parametrize("missing", ["who the key acts as", "the API's clock", "the open date"])
@responses.activate
def test_a_recovery_that_cannot_be_established_is_unknown_never_success(api, missing):
    responses.add(responses.POST, LIST, body=requests.ConnectionError("reset by peer"))
    now, headers = _api_now()
    body = batch_body(batchCode="A", startDate=now)
    created_by = "JSMITH"
    if missing == "who the key acts as":
        created_by = ""
    elif missing == "the API's clock":
        del headers["Date"]
    else:
        body["startDate"] = None
    add_list(items=[body], headers=headers)
    with pytest.raises(ApiOutcomeUnknown, match="Check the batch list"):
        api.open_batch(BatchCreate(batch_code="A"), created_by=created_by)


@responses.activate
def test_ambiguous_open_finding_an_old_batch_with_that_code_did_not_open_it(api):
    responses.add(responses.POST, LIST, status=504)
    _, headers = _api_now()
    add_list(items=[batch_body(batchCode="A", startDate="2020-01-01T00:00:00")], headers=headers)
    with pytest.raises(ApiServerError, match="already exists"):
        api.open_batch(BatchCreate(batch_code="A"), created_by="JSMITH")


@responses.activate
def test_a_5xx_from_the_api_on_close_is_its_answer(api):
    responses.add(responses.PUT, CLOSE, json={"message": "database down"}, status=500)
    with pytest.raises(ApiServerError, match="database down"):
        api.close_batch(5)
    assert [call.request.method for call in responses.calls] == ["PUT"]


# --- the key stays secret --------------------------------------------------------------------


SECRET = "sk_live_TOP_SECRET_0123456789"


@responses.activate
def test_the_key_is_never_logged_nor_in_errors_nor_reprs(clock, caplog):
    caplog.set_level(logging.DEBUG)
    client = BatchApiClient(HOST, api_key=SECRET, retry=fake_retry(clock, budget=1.0))
    echo = {"message": f"Key {SECRET} refused", "errors": {"key": [f"{SECRET} is bad"]}}
    responses.add(responses.GET, LIST, json=echo, status=400)
    responses.add(responses.GET, ONE, body=f"oops {SECRET}", status=500)
    responses.add(responses.GET, f"{HOST}/api/v3/batch/6", body=requests.ConnectionError("down"))
    responses.add(responses.GET, f"{HOST}/api/v3/batch/7", body=f"{{{SECRET}", status=200)
    responses.add(responses.POST, LIST, body=requests.ReadTimeout("slow"))
    responses.add(responses.PUT, CLOSE, status=401, body=SECRET)

    errors: list[BatchApiError] = []
    for call in (
        lambda: client.list_batches(),
        lambda: client.get_batch(5),
        lambda: client.get_batch(6),
        lambda: client.get_batch(7),
        lambda: client.open_batch(BatchCreate(batch_code="A")),
        lambda: client.close_batch(5),
    ):
        with pytest.raises(BatchApiError) as caught:
            call()
        errors.append(caught.value)

    assert len(responses.calls) >= 6
    assert SECRET not in caplog.text
    assert "batchapi GET /api/v3/batch/5 -> 500" in caplog.text
    for error in errors:
        texts = [str(error), repr(error), error.message, *map(str, error.args)]
        texts += traceback.format_exception(error)
        texts += [str(v) for v in getattr(error, "field_errors", {}).values()]
        assert not any(SECRET in text for text in texts), error
    assert "[redacted]" in errors[0].message
    assert SECRET not in repr(client)
    assert SECRET not in str(client.__dict__.get("retry"))


def test_a_key_with_characters_no_key_has_is_refused_without_echoing_it():
    with (
        BatchApiClient(HOST, api_key="abc\r\nX-Evil: 1") as client,
        pytest.raises(ApiAuthError) as caught,
    ):
        client.list_batches()
    assert "abc" not in caught.value.message
    assert "Evil" not in repr(caught.value)


@responses.activate
def test_the_log_line_and_deprecation_header(api, caplog):
    caplog.set_level(logging.INFO, logger="batchui.batchapi")
    responses.add(
        responses.GET, ONE, json=batch_body(batchId=5), headers={"ECI-Deprecated": "Use v202206"}
    )
    token = current_request_id.set("rid-1")
    try:
        api.get_batch(5)
    finally:
        current_request_id.reset(token)
    lines = [record.getMessage() for record in caplog.records]
    assert any(
        line.startswith("batchapi GET /api/v3/batch/5 -> 200 in ")
        and line.endswith("ms (attempt 1, request rid-1)")
        for line in lines
    )
    assert any("deprecated: Use v202206" in line for line in lines)
