"""Redis killed or hung: signed-in pages still answer (sessions, sign-in throttling and form tokens
are in the database; the cache is only a cache) and `/readyz` names the cache as degraded."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import time

import pytest
import requests
from django.core.cache import cache

from batchui.accounts.roles import Role
from tests.deploy.test_two_instances import PLAIN_HTTP, sign_in
from tests.helpers import make_person
from tests.services import free_port, redis

PAGES = ["/batches/", "/review/", "/widget/", "/activity/", "/accounts/profile/"]


@pytest.fixture
def redis_server(tmp_path):
    """A real redis-server on 127.0.0.1: (url, pid)."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    with redis(tmp_path) as url:
        pidfile = tmp_path / "redis.pid"
        deadline = time.monotonic() + 5
        while not pidfile.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        pid = int(pidfile.read_text().strip())
        try:
            yield url, pid
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)  # a hung one: let it stop


@pytest.fixture
def lead_on_server(app_server, redis_server, settings):
    """A gunicorn on the Redis above, and a lead signed in there through the sign-in form."""
    settings.PASSWORD_HASHERS = [  # as the servers hash, with fewer rounds
        "tests.deploy.test_two_instances.QuickPBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    url, pid = redis_server
    server = app_server(CACHE_URL=url, **PLAIN_HTTP)
    make_person("lena", Role.LEAD, code="LLEAD")
    person = requests.Session()
    sign_in(person, server.url, "lena")
    for path in PAGES:  # while Redis is up: figures cached
        assert person.get(server.url + path, timeout=10).status_code == 200, path
    ready = requests.get(server.url + "/readyz", timeout=10).json()
    assert ready["checks"]["cache"] == {**ready["checks"]["cache"], "status": "ok"}
    return server, person, pid


def assert_serves_without_redis(server, person, *, within: float) -> None:
    for path in PAGES + PAGES:
        started = time.monotonic()
        page = person.get(server.url + path, timeout=30)
        took = time.monotonic() - started
        assert page.status_code == 200, (path, page.status_code, server.log_text()[-2000:])
        assert took < within, f"{path} took {took:.1f} s"
    started = time.monotonic()
    ready = requests.get(server.url + "/readyz", timeout=30)
    assert time.monotonic() - started < 3
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "degraded"
    assert body["checks"]["cache"]["status"] == "degraded"
    assert body["checks"]["database"]["status"] == "ok"


@pytest.mark.deploy
@pytest.mark.django_db(transaction=True)
def test_signed_in_pages_work_with_redis_killed(lead_on_server):
    server, person, pid = lead_on_server
    os.kill(pid, signal.SIGKILL)
    assert_serves_without_redis(server, person, within=5)
    # A new sign-in works too (sessions and sign-in throttling are in the database).
    again = requests.Session()
    sign_in(again, server.url, "lena")
    assert again.get(server.url + "/batches/", timeout=10).status_code == 200


@pytest.mark.deploy
@pytest.mark.django_db(transaction=True)
def test_signed_in_pages_work_with_redis_hung(lead_on_server):
    server, person, pid = lead_on_server
    os.kill(pid, signal.SIGSTOP)  # connections open, nothing answers: the socket timeouts count
    assert_serves_without_redis(server, person, within=5)


def test_the_cache_answers_misses_while_redis_is_unreachable(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "batchui.core.cache.FallbackRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    cache.set("k", "v")
    assert cache.get("k", "missed") == "missed"
    assert cache.get_many(["k"]) == {}
    assert cache.add("k", "v") is False
    cache.delete_many(["k"])
    assert cache.get_or_set("k", "computed") == "computed"
