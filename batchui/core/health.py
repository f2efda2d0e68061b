"""Readiness: `/readyz` says whether this instance can serve people right now.

Three checks, each reported with its status and how long it took:
- the database: one `SELECT 1`; on SQLite also a write lock asked for with a 1 s wait (a lock
  held elsewhere lets reads through but makes every write wait, then fail);
- the cache: a write and a read of a short-lived key. The cache only speeds pages up (sessions,
  throttling and form tokens are in the database), so a failing cache is "degraded", not an error;
- the Batch API (the embedded simulator: a query on its tables; a real host: `list_batches
  (page_size=1)` with one attempt and short timeouts; without ECI_API_KEY any HTTP answer, a 401
  included, proves the host reachable).
200 when no check is an error ("status" is "ok" or "degraded"), 503 otherwise. No sign-in; the
answer names no key, password or connection string (errors by their type only).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache, caches
from django.db import OperationalError, connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from batchui.batchapi import (
    ApiAuthError,
    ApiBadResponse,
    ApiForbidden,
    BatchApiClient,
    RetryPolicy,
)
from batchui.batchapi.checks import batch_api_url_problem

logger = logging.getLogger("batchui.health")

PROBE_TIMEOUT = 3.0  # seconds, for the Batch API check (one attempt, no retries)
PROBE_KEY = "readyz-probe-no-key"  # sent when ECI_API_KEY is unset: the 401 proves reachability
LOCK_WAIT_MS = 1000  # how long the SQLite check waits for the write lock


class CheckFailedError(Exception):
    """A check's failure, with a message safe to show (no secrets)."""


class DegradedError(CheckFailedError):
    """A failure that leaves the instance serving people (slower): reported, still ready."""


def _timed(check: Callable[[], dict[str, str]]) -> dict[str, object]:
    started = time.perf_counter()
    try:
        outcome: dict[str, object] = {"status": "ok", **check()}
    except DegradedError as degraded:
        outcome = {"status": "degraded", "error": str(degraded)}
    except CheckFailedError as failed:
        outcome = {"status": "error", "error": str(failed)}
    except Exception as exc:  # any failure of a dependency makes the instance not ready
        logger.warning("readiness check failed: %s", type(exc).__name__, exc_info=True)
        outcome = {"status": "error", "error": type(exc).__name__}
    outcome["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return outcome


def check_database() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
        if connection.vendor == "sqlite":
            _check_sqlite_write_lock(cursor)
    return {"vendor": connection.vendor}


def _check_sqlite_write_lock(cursor) -> None:
    """Take and give back the write lock (BEGIN IMMEDIATE, atomic() here), waiting at most 1 s."""
    busy_ms = int(connection.settings_dict["OPTIONS"].get("timeout", 5) * 1000)
    cursor.execute(f"PRAGMA busy_timeout = {LOCK_WAIT_MS}")
    try:
        with transaction.atomic():
            cursor.execute("SELECT 1")
    except OperationalError as error:
        if "locked" in str(error):
            raise CheckFailedError("the database is locked: writes wait, then fail") from error
        raise
    finally:
        cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")


def check_cache() -> dict[str, str]:
    key, value = f"readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:  # FallbackRedisCache answers a Redis failure as a miss
        raise DegradedError(
            "the cache did not keep a value written to it: pages work, slower (see the log)"
        )
    return {"backend": type(caches["default"]).__name__}


def _host(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


@lru_cache(maxsize=1)
def _probe_client(url: str, key: str, timeout: float, connect_timeout: float) -> BatchApiClient:
    """A client with one attempt and short timeouts (the shared client retries for ~20 s)."""
    timeout = min(PROBE_TIMEOUT, timeout)
    return BatchApiClient(
        url,
        api_key=key or PROBE_KEY,
        timeout=timeout,
        connect_timeout=min(timeout, connect_timeout),
        retry=RetryPolicy(max_attempts=1, budget=timeout),
        deadline=timeout,  # a trickling answer is cut off: /readyz keeps to its time
        pool_size=2,
    )


def check_batch_api() -> dict[str, str]:
    if not settings.BATCH_API_URL:
        from batchui.simulator.models import Batch

        list(Batch.objects.order_by().values_list("pk", flat=True)[:1])
        return {"target": "embedded simulator"}
    target = _host(settings.BATCH_API_URL)
    problem = batch_api_url_problem()  # its shape, without a call
    if problem:
        raise CheckFailedError(problem)
    client = _probe_client(
        settings.BATCH_API_URL,
        settings.ECI_API_KEY,
        settings.BATCH_API_TIMEOUT,
        settings.BATCH_API_CONNECT_TIMEOUT,
    )
    try:
        client.list_batches(page_size=1)
    except (ApiAuthError, ApiForbidden) as refused:
        if settings.ECI_API_KEY:
            return {"target": target, "note": f"reachable; ECI_API_KEY: {refused.message}"}
        return {"target": target, "note": "reachable (no ECI_API_KEY to sign in with)"}
    except ApiBadResponse as exc:  # a redirect, say, with its cause
        raise CheckFailedError(f"{exc.message} ({target})") from exc
    except Exception as exc:
        raise CheckFailedError(f"{type(exc).__name__} from {target}") from exc
    return {"target": target}


CHECKS: dict[str, Callable[[], dict[str, str]]] = {
    "database": check_database,
    "cache": check_cache,
    "batch_api": check_batch_api,
}


def readiness() -> tuple[bool, dict[str, object]]:
    checks = {name: _timed(check) for name, check in CHECKS.items()}
    statuses = {result["status"] for result in checks.values()}
    status = next(s for s in ("error", "degraded", "ok") if s in statuses)
    return status != "error", {"status": status, "checks": checks}


@login_not_required
@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness for load balancers and operators: 200 when ready (maybe degraded), else 503."""
    ready, body = readiness()
    if body["status"] != "ok":
        logger.warning("readiness: %s", body["status"], extra={"checks": body["checks"]})
    return JsonResponse(body, status=200 if ready else 503)
