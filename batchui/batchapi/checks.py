"""Django system checks of the Batch API settings (registered by batchui.core.apps).

- With every check (runserver's start, migrate, `check`), no network: BATCH_API_URL is the http(s)
  address of the host only (no `/api/...` path), and BATCH_API_TIME_ZONE is an IANA zone.
- With `check --deploy` only, and only when BATCH_API_URL is set: one GET of the list, without a
  key and without following redirects (3 s timeout), so that a host answering with a redirect
  (http to https, another host name) is refused with the address to use instead. A host that
  cannot be reached is not an error here: /readyz reports reachability.

`batch_api_url_problem()` gives the same causes to /readyz.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfoNotFoundError

import requests
from django.conf import settings
from django.core.checks import Error, register

from batchui.batchapi.client import API_PREFIX, _normalise_base_url
from batchui.batchapi.dates import zone_named

TAG = "batch_api"
REDIRECT_CHECK_TIMEOUT = 3.0
REDIRECTS = frozenset({301, 302, 303, 307, 308})


def redirect_problem(status: int, location: str | None, url: str) -> str:
    """The message for a host that answered `status` with `location` to a call of `url`."""
    target = urljoin(url, location or "")
    parts = urlsplit(target)
    suggestion = f"{parts.scheme}://{parts.netloc}" if location and parts.netloc else None
    return (
        f"BATCH_API_URL answers with a redirect (HTTP {status}"
        + (f" to {suggestion}" if suggestion else "")
        + "). The dashboard never follows redirects (one could carry the API key to another "
        "host): set BATCH_API_URL to the address it redirects to"
        + (f", e.g. {suggestion}." if suggestion else ".")
    )


def batch_api_url_problem(*, probe: bool = False) -> str | None:
    """What is wrong with BATCH_API_URL, or None (also when it is unset: the embedded simulator).

    Without `probe` only its shape is checked (no network). With `probe`, also one GET of the
    list without a key (3 s timeout, no redirect followed): a redirect is a problem; any other
    answer, or none, is not (reachability is /readyz's own check).
    """
    url = settings.BATCH_API_URL
    if not url:
        return None
    try:
        base = _normalise_base_url(url)
    except ValueError as invalid:
        return f"BATCH_API_URL: {invalid}"
    if not probe:
        return None
    address = f"{base}{API_PREFIX}/batch"
    try:
        response = requests.get(
            address,
            params={"pageSize": 1},
            headers={"Accept": "application/json"},
            timeout=REDIRECT_CHECK_TIMEOUT,
            allow_redirects=False,
        )
    except requests.RequestException:
        return None
    response.close()
    if response.status_code in REDIRECTS:
        return redirect_problem(response.status_code, response.headers.get("Location"), address)
    return None


@register(TAG)
def check_batch_api_settings(app_configs, **kwargs) -> list[Error]:
    errors = []
    problem = batch_api_url_problem()
    if problem:
        errors.append(Error(problem, id="batchapi.E001"))
    try:
        zone_named(settings.BATCH_API_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        errors.append(
            Error(
                f"BATCH_API_TIME_ZONE {settings.BATCH_API_TIME_ZONE!r} is not an IANA time zone "
                "name (e.g. UTC, America/New_York).",
                id="batchapi.E002",
            )
        )
    return errors


@register(TAG, deploy=True)
def check_batch_api_redirect(app_configs, **kwargs) -> list[Error]:
    if batch_api_url_problem() is not None:  # reported by check_batch_api_settings
        return []
    problem = batch_api_url_problem(probe=True)
    return [Error(problem, id="batchapi.E003")] if problem else []
