"""The in-process transport (with small WSGI apps of its own), Retry-After parsing, get_client()."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests

from batchui.batchapi import BatchApiClient, RetryPolicy, get_client
from batchui.batchapi.retry import parse_retry_after
from batchui.batchapi.transport import SIMULATOR_HOST, SimulatorAdapter
from batchui.simulator.faults import DropConnection


def echo_app(environ, start_response):
    """Answers with what it received, so the test sees the environ the adapter built."""
    seen = {
        key: value for key, value in environ.items() if key.isupper() and isinstance(value, str)
    }
    seen["body"] = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"] or 0)).decode()
    start_response("201 Created", [("Content-Type", "application/json"), ("X-Thing", "1")])
    return [json.dumps(seen).encode()]


def slow_app(environ, start_response):
    time.sleep(0.3)
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b"{}"]


def dropping_app(environ, start_response):
    raise DropConnection("gone")


def session_with(app) -> requests.Session:
    session = requests.Session()
    session.mount(SIMULATOR_HOST + "/", SimulatorAdapter(app))
    return session


def test_the_environ_carries_method_path_query_headers_and_body():
    response = session_with(echo_app).put(
        f"{SIMULATOR_HOST}/api/v3/batch/%C3%A9t%C3%A9",
        params={"filter": "batchCode equals 'a b'", "pageSize": 5},
        headers={"ECI-ApiKey": "k", "Content-Type": "application/json"},
        data=b'{"x": 1}',
    )
    seen = response.json()
    assert seen["REQUEST_METHOD"] == "PUT"
    assert seen["PATH_INFO"].encode("latin-1").decode() == "/api/v3/batch/été"
    assert seen["QUERY_STRING"] == "filter=batchCode+equals+%27a+b%27&pageSize=5"
    assert seen["HTTP_ECI_APIKEY"] == "k"
    assert seen["CONTENT_TYPE"] == "application/json"
    assert seen["CONTENT_LENGTH"] == "8"
    assert seen["HTTP_HOST"] == "simulator.invalid"
    assert seen["body"] == '{"x": 1}'


def test_the_response_looks_like_one_from_the_network():
    response = session_with(echo_app).get(f"{SIMULATOR_HOST}/x?y=1")
    assert response.status_code == 201
    assert response.reason == "Created"
    assert response.headers["x-thing"] == "1"  # case-insensitive, as from a socket
    assert response.url == f"{SIMULATOR_HOST}/x?y=1"
    assert response.request.method == "GET"
    assert response.json()["REQUEST_METHOD"] == "GET"


def test_a_dropped_connection_is_a_connection_error():
    with pytest.raises(requests.ConnectionError):
        session_with(dropping_app).get(f"{SIMULATOR_HOST}/x")


def test_an_answer_slower_than_the_read_timeout_is_a_read_timeout():
    session = session_with(slow_app)
    with pytest.raises(requests.ReadTimeout):
        session.get(f"{SIMULATOR_HOST}/x", timeout=(1, 0.1))
    assert session.get(f"{SIMULATOR_HOST}/x", timeout=(1, 2)).status_code == 200


@pytest.mark.parametrize(
    ("header", "expected"),
    [(None, None), ("7", 7.0), (" 0 ", 0.0), ("soon", None), ("-3", None), ("", None)],
)
def test_retry_after_values(header, expected):
    assert parse_retry_after(header) == expected


def test_retry_after_dates():
    now = datetime(2026, 3, 30, 12, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=8), usegmt=True)
    earlier = format_datetime(now - timedelta(seconds=8), usegmt=True)
    assert parse_retry_after(later, now=now) == 8.0
    assert parse_retry_after(earlier, now=now) == 0.0


def test_backoff_grows_and_is_capped():
    policy = RetryPolicy(base_delay=0.5, max_delay=3.0, rand=lambda: 1.0)
    assert [policy.backoff(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert RetryPolicy(base_delay=0.5, rand=lambda: 0.0).backoff(1) == 0.25


def test_get_client_is_shared_and_follows_settings(settings):
    settings.BATCH_API_URL = ""
    settings.ECI_API_KEY = "shared-key"
    settings.BATCH_API_TIMEOUT = 4.0
    settings.BATCH_API_CONNECT_TIMEOUT = 1.5
    settings.BATCH_API_RETRY_BUDGET = 6.0
    client = get_client()
    assert get_client() is client
    assert client.simulated
    assert (client.timeout, client.connect_timeout, client.retry.budget) == (4.0, 1.5, 6.0)
    assert "shared-key" not in repr(client)

    settings.BATCH_API_URL = "https://app.energycap.com/"
    other = get_client()
    assert other is not client
    assert other.base_url == "https://app.energycap.com"
    assert not other.simulated


def test_a_client_reports_where_it_goes():
    with BatchApiClient("http://127.0.0.1:9", api_key="k") as client:
        assert repr(client) == "<BatchApiClient http://127.0.0.1:9 timeout=10.0 key=set>"
