"""`/healthz` answers at once while every gunicorn thread waits on a slow Batch API."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

pytestmark = [pytest.mark.deploy, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def slow_api():
    """A stand-in API host on 127.0.0.1 that answers nothing until the test ends."""
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            release.wait(30)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        release.set()
        server.shutdown()
        server.server_close()


def test_healthz_answers_at_once_when_every_thread_waits_on_the_api(app_server, slow_api):
    server = app_server(BATCH_API_URL=slow_api, ECI_API_KEY="service-key", GUNICORN_THREADS="2")
    # Each /readyz holds a thread for its 3 s API probe: six of them keep both threads busy ~9 s.
    with ThreadPoolExecutor(6) as pool:
        busy = [pool.submit(requests.get, server.url + "/readyz", timeout=30) for _ in range(6)]
        time.sleep(0.5)
        assert not any(future.done() for future in busy)
        started = time.monotonic()
        health = requests.get(server.url + "/healthz", timeout=30)
        waited = time.monotonic() - started
        assert health.status_code == 200
        assert health.json() == {"status": "ok"}
        assert waited < 1.0, f"/healthz waited {waited:.1f} s for a thread"
        assert not any(future.done() for future in busy)  # the threads were indeed all busy
        answers = [future.result() for future in busy]
    assert {answer.status_code for answer in answers} == {503}  # the API probe timed out

    # Other requests still go to the threads, on new and on kept-alive connections.
    with requests.Session() as session:
        for _ in range(3):
            page = session.get(server.url + "/accounts/login/", timeout=10, allow_redirects=False)
            assert page.status_code in (200, 301)
