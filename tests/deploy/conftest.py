"""Real app servers for the deployment tests: gunicorn with gunicorn.conf.py, in subprocesses.

`app_server(**env)` starts one on a free port with production settings (DEBUG off, a real
SECRET_KEY and FIELD_ENCRYPTION_KEY), pointed at the test database (so the tests that use it need
`transactional_db`: the server sees only committed rows) and at the test run's cache, and stops
it (by pid) when the test ends. Static files are collected once per run into a temporary directory.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from django.conf import settings
from django.db import connection

from batchui.core.healthcheck import probe_host

REPO = Path(__file__).resolve().parent.parent.parent
SECRET_KEY = "deploy-test-secret-key-7f3c9a1e5b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a"
FIELD_ENCRYPTION_KEY = "FIu7AmHDACEC8icNNRd84iUN5Z2ZUsZP3lHb8G2LXw8="
STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The URL of the database the tests run on (the test database, not the configured one)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    if connection.vendor == "postgresql":
        auth = quote(db["USER"] or "", safe="")
        if db["PASSWORD"]:
            auth += ":" + quote(db["PASSWORD"], safe="")
        return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    pytest.skip(f"no subprocess database URL for {connection.vendor}")


def cache_url() -> str | None:
    """The shared cache the tests use, when there is one (else the servers use their own)."""
    cache = settings.CACHES["default"]
    if cache["BACKEND"].endswith("RedisCache"):
        return cache["LOCATION"]
    return None


def shared_services() -> bool:
    return connection.vendor == "postgresql" and cache_url() is not None


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("staticfiles")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=REPO,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "batchui.settings", "STATIC_ROOT": str(root)},
        check=True,
    )
    return root


@dataclass
class AppServer:
    url: str
    process: subprocess.Popen
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def server_env(static_root: Path, **overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST_", "DATABASE_", "CACHE_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "batchui.settings",
            "DEBUG": "false",
            "SECRET_KEY": SECRET_KEY,
            "FIELD_ENCRYPTION_KEY": FIELD_ENCRYPTION_KEY,
            "DATABASE_URL": database_url(),
            "STATIC_ROOT": str(static_root),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "WEB_CONCURRENCY": "1",
            "GUNICORN_THREADS": "2",
            "LOG_FORMAT": "json",
        }
    )
    shared_cache = cache_url()
    if shared_cache:
        env["CACHE_URL"] = shared_cache
    env.update(overrides)
    return env


def wait_until_up(url: str, process: subprocess.Popen, log: Path, *, host: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            answer = requests.get(url + "/healthz", headers={"Host": host}, timeout=5)
            if answer.status_code == 200:
                return
        # A busy machine may accept the connection before the worker can answer: keep waiting.
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.1)
    pytest.fail(f"the server did not answer within {STARTUP_SECONDS} s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture
def app_server(collected_static, tmp_path, settings) -> Iterator[Callable[..., AppServer]]:
    """app_server(**env) -> a running gunicorn (production settings) on a free port."""
    # People's keys encrypted by this process must decrypt in the servers, and the reverse.
    settings.SECRET_KEY = SECRET_KEY
    settings.FIELD_ENCRYPTION_KEY = FIELD_ENCRYPTION_KEY
    started: list[AppServer] = []

    def start(**overrides: str) -> AppServer:
        port = free_port()
        log = tmp_path / f"gunicorn-{port}.log"
        env = server_env(collected_static, GUNICORN_BIND=f"127.0.0.1:{port}", **overrides)
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        server = AppServer(url=f"http://127.0.0.1:{port}", process=process, log=log)
        started.append(server)
        wait_until_up(server.url, process, log, host=probe_host(env["ALLOWED_HOSTS"]))
        return server

    try:
        yield start
    finally:
        for server in started:
            stop(server.process)
