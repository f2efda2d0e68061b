"""One rule for "answer htmx with a fragment, everyone else with the full page".

A request gets the fragment only when htmx asked for part of a page: not when it was boosted and
not when htmx is restoring history (it then needs the whole page). Every response chosen this way
varies on HX-Request, so no cache hands a fragment to a full-page load or the reverse.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def wants_fragment(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def vary_on_htmx(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ["HX-Request"])
    return response


def render_page_or_fragment(
    request: HttpRequest,
    *,
    page: str,
    fragment: str,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    """`fragment` (e.g. "batches/list.html#results") for htmx, else `page`; Vary: HX-Request."""
    template = fragment if wants_fragment(request) else page
    return vary_on_htmx(render(request, template, context, status=status))
