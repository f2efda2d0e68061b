"""Every wait is bounded: a total deadline per call and per request, a cap on an answer's size,
and waits said in correct English (issue 17). Against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import responses

from batchui.batchapi import (
    ApiOutcomeUnknown,
    ApiRateLimited,
    ApiResponseTooLarge,
    ApiServerError,
    ApiTimeout,
    BatchApiClient,
    BatchCreate,
    deadline_in,
    time_left,
)
from batchui.batchapi.errors import wait_text
from tests.batchapi.conftest import HOST
from tests.batchapi.test_client_http import LIST, PAGING, batch_body

Handler = Callable[[BaseHTTPRequestHandler], None]


@pytest.fixture
def serve() -> Iterator[Callable[[Handler], str]]:
    """serve(handler) -> the base URL of a server answering every request with handler(self)."""
    servers: list[ThreadingHTTPServer] = []

    def start(handler: Handler) -> str:
        class One(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                handler(self)

            do_POST = do_PUT = do_GET  # noqa: N815 - http.server's method names

            def log_message(self, *args) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), One)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _headers(handler: BaseHTTPRequestHandler, status: int = 200, **extra: str) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    for name, value in {**PAGING, **extra}.items():
        handler.send_header(name, value)


def trickle(handler: BaseHTTPRequestHandler) -> None:
    """Red-team finding 2: an answer that trickles a byte at a time, for ever."""
    _headers(handler)
    handler.end_headers()
    try:
        while True:
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(0.1)
    except OSError:
        pass


def test_a_trickling_answer_is_cut_off_at_the_deadline(serve):
    url = serve(trickle)
    with BatchApiClient(url, api_key="k", timeout=5, deadline=1.0) as client:
        started = time.monotonic()
        with pytest.raises(ApiTimeout, match="time limit"):
            client.list_batches()
        assert time.monotonic() - started < 1.6


def test_a_trickling_open_is_cut_off_and_reported_unknown_not_success(serve):
    url = serve(trickle)
    with BatchApiClient(url, api_key="k", timeout=5, deadline=1.0) as client:
        started = time.monotonic()
        # Within a person's request (as the middleware sets it), the lookup after the lost
        # answer has no time left: the answer is "not known", never success.
        with deadline_in(1.0), pytest.raises(ApiOutcomeUnknown, match="not known whether"):
            client.open_batch(BatchCreate("A"), created_by="ME")
        assert time.monotonic() - started < 1.6


def test_a_request_shares_one_deadline_across_its_calls(serve):
    def slow(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(0.4)
        body = b"[]"
        _headers(handler, **{"Content-Length": str(len(body))})
        handler.end_headers()
        handler.wfile.write(body)

    url = serve(slow)
    with BatchApiClient(url, api_key="k", timeout=5, deadline=10.0) as client:
        started = time.monotonic()

        def five_calls() -> None:  # 5 calls of 0.4 s do not fit in 1 s
            for _ in range(5):
                client.list_batches()

        with deadline_in(1.0), pytest.raises(ApiTimeout):
            five_calls()
        assert time.monotonic() - started < 1.6
        assert time_left() is None  # the deadline ends with its block


def test_an_answer_larger_than_the_cap_is_refused_unread(serve):
    # Red-team finding 7: 100 MB answers were read whole. This one never ends.
    def huge(handler: BaseHTTPRequestHandler) -> None:
        _headers(handler)
        handler.end_headers()
        try:
            handler.wfile.write(b"[")
            block = b'{"batchId": 1},' * 4096
            for _ in range(100 * 1024 * 1024 // len(block)):
                handler.wfile.write(block)
        except OSError:
            pass

    url = serve(huge)
    with BatchApiClient(url, api_key="k", max_response_bytes=1024 * 1024) as client:
        started = time.monotonic()
        with pytest.raises(ApiResponseTooLarge, match="larger than 1 MB"):
            client.list_batches()
        assert time.monotonic() - started < 1  # refused at once, not asked for again


def test_a_declared_length_above_the_cap_is_refused_before_reading(serve):
    def declared(handler: BaseHTTPRequestHandler) -> None:
        _headers(handler, **{"Content-Length": str(100 * 1024 * 1024)})
        handler.end_headers()

    url = serve(declared)
    with (
        BatchApiClient(url, api_key="k", max_response_bytes=1024 * 1024) as client,
        pytest.raises(ApiResponseTooLarge),
    ):
        client.list_batches()


def test_a_compressed_answer_is_read_and_counted_decoded(serve):
    items = [batch_body(batchId=n, batchCode=f"B{n}") for n in range(1, 200)]
    raw = json.dumps(items).encode()
    packed = gzip.compress(raw)

    def zipped(handler: BaseHTTPRequestHandler) -> None:
        _headers(handler, **{"Content-Encoding": "gzip", "Content-Length": str(len(packed))})
        handler.end_headers()
        handler.wfile.write(packed)

    url = serve(zipped)
    with BatchApiClient(url, api_key="k") as client:
        assert len(client.list_batches().items) == 199
    with (
        BatchApiClient(url, api_key="k", max_response_bytes=len(raw) - 1) as client,
        pytest.raises(ApiResponseTooLarge),
    ):
        client.list_batches()


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.2, "1 second"),
        (1, "1 second"),
        (2, "2 seconds"),
        (59.6, "60 seconds"),
        (600, "10 minutes"),
    ],
)
def test_waits_are_said_in_correct_english(seconds, text):
    assert wait_text(seconds) == text


@responses.activate
def test_429_and_503_say_the_wait_the_api_asked_for():
    client = BatchApiClient(HOST, api_key="k", deadline=1.0)
    responses.add(responses.GET, LIST, status=429, headers={"Retry-After": "1"})
    with pytest.raises(ApiRateLimited, match=r"Try again in 1 second\.$"):
        client.list_batches()
    responses.replace(responses.GET, LIST, status=503, headers={"Retry-After": "120"})
    with pytest.raises(ApiServerError, match=r"Try again in 2 minutes\.$"):
        client.list_batches()


def test_a_call_that_never_connects_in_time_ends_by_the_deadline():
    # A black-holed address (TEST-NET-1): the connect timeout and retries are bounded in all.
    with BatchApiClient("http://192.0.2.1", api_key="k", timeout=5, deadline=1.0) as client:
        started = time.monotonic()
        with pytest.raises((ApiTimeout, requests.RequestException, Exception)):
            client.list_batches()
        assert time.monotonic() - started < 1.6


@pytest.mark.django_db
def test_readyz_keeps_to_its_3_seconds_against_a_trickling_api(serve, settings, client):
    # Red-team finding 2: /readyz (documented at 3 s) took over 60 s against a trickling API.
    settings.BATCH_API_URL = serve(trickle)
    started = time.monotonic()
    response = client.get("/readyz")
    assert time.monotonic() - started < 4
    assert response.status_code == 503
    assert response.json()["checks"]["batch_api"]["status"] == "error"
