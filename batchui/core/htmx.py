"""One rule for "answer htmx with a fragment, everyone else with the full page".

A request gets the fragment only when htmx asked for part of a page: not when it was boosted and
not when htmx is restoring history (it then needs the whole page). Every response varies on
HX-Request (core.middleware.VaryOnHtmxMiddleware), so no cache mixes the two up.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it (for typing views), as its docs advise."""

    htmx: HtmxDetails


def wants_fragment(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page_or_fragment(
    request: HttpRequest,
    *,
    page: str,
    fragment: str,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    """`fragment` (e.g. "batches/list.html#results") for htmx, else `page`."""
    template = fragment if wants_fragment(request) else page
    return render(request, template, context, status=status)
