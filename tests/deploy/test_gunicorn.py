"""The container's start steps outside a container: collectstatic, then gunicorn with
gunicorn.conf.py and production settings; health, readiness, hashed static files, JSON logs."""

from __future__ import annotations

import json
import re
import time

import pytest
import requests

from tests.deploy.conftest import SECRET_KEY

pytestmark = [pytest.mark.deploy, pytest.mark.django_db(transaction=True)]

HTTPS = {"X-Forwarded-Proto": "https"}  # as the TLS-terminating proxy says


def log_lines(server) -> list[dict]:
    return [json.loads(line) for line in server.log_text().splitlines() if line.startswith("{")]


def test_gunicorn_serves_health_readiness_and_hashed_static_files(app_server):
    server = app_server(SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https")

    health = requests.get(server.url + "/healthz", timeout=5)
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}

    ready = requests.get(server.url + "/readyz", timeout=10)
    assert ready.status_code == 200, ready.text
    checks = ready.json()["checks"]
    assert {name: check["status"] for name, check in checks.items()} == {
        "database": "ok",
        "cache": "ok",
        "batch_api": "ok",
    }

    # The sign-in page links the stylesheet by its hashed name; whitenoise serves that file
    # with a far-future cache header, and the plain name is not what pages use.
    page = requests.get(server.url + "/accounts/login/", headers=HTTPS, timeout=5)
    assert page.status_code == 200
    hashed = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page.text)
    assert hashed, "the page does not link a hashed stylesheet"
    css = requests.get(server.url + hashed[1], headers=HTTPS, timeout=5)
    assert css.status_code == 200
    assert css.headers["Content-Type"].startswith("text/css")
    assert "immutable" in css.headers["Cache-Control"]
    assert "no-store" not in css.headers["Cache-Control"]  # only pages are never stored
    gzipped = requests.get(
        server.url + hashed[1], headers={**HTTPS, "Accept-Encoding": "gzip"}, timeout=5
    )
    assert gzipped.headers.get("Content-Encoding") == "gzip"


def test_gunicorn_logs_json_lines_with_the_request_id(app_server):
    server = app_server()
    response = requests.get(
        server.url + "/readyz", headers={"X-Request-ID": "lb-probe-42"}, timeout=10
    )
    assert response.headers["X-Request-ID"] == "lb-probe-42"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        access = [
            line
            for line in log_lines(server)
            if line["logger"] == "gunicorn.access" and line.get("path") == "/readyz"
        ]
        if access:
            break
        time.sleep(0.1)
    assert access, server.log_text()
    line = access[-1]
    assert line["request_id"] == "lb-probe-42"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/readyz", "200")
    assert isinstance(line["duration_ms"], int)
    assert {"time", "level", "message"} <= set(line)
    assert SECRET_KEY not in server.log_text()
