"""A benchmark-only page: the dashboard's page frame with no Batch API call behind it.

Mounted only when the environment sets BENCH_BARE_VIEW=1 (settings then switch ROOT_URLCONF to
this module); `benchmarks/bench_load.py` measures the batch list against it in the same run, so
the list's cost is read as a ratio to what Django, the middleware, the session and base.html cost.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from batchui.urls import urlpatterns as dashboard_urlpatterns

BARE_PATH = "bench/bare/"


@require_GET
def bare(request: HttpRequest) -> HttpResponse:
    """Signed-in, like every page (LoginRequiredMiddleware); renders base.html and no more."""
    return render(request, "core/bench_bare.html", {"rows": range(50)})


urlpatterns = [path(BARE_PATH, bare, name="bench_bare"), *dashboard_urlpatterns]
