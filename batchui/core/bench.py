"""Benchmark-only pages, mounted only when the environment sets BENCH_BARE_VIEW=1 (settings then
switch ROOT_URLCONF to this module):

- `/bench/bare/`: the dashboard's page frame with no Batch API call behind it.
  `benchmarks/bench_load.py` measures the batch list against it in the same run, so the list's
  cost is read as a ratio to what Django, the middleware, the session and base.html cost.
- `/bench/list-floor/`: the batch list's API call (open batches, 50 a page) and its 50 rows,
  signed in, and nothing else: no filters, no page around them. `bench_list_export.py` shows it
  next to the list page: what any signed-in page showing those results costs at least.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from batchui.accounts.services import api_caller_for
from batchui.batchapi import BatchStatus
from batchui.batches.criteria import BatchCriteria
from batchui.batches.services import batch_search
from batchui.urls import urlpatterns as dashboard_urlpatterns

BARE_PATH = "bench/bare/"
LIST_FLOOR_PATH = "bench/list-floor/"


@require_GET
def bare(request: HttpRequest) -> HttpResponse:
    """Signed-in, like every page (LoginRequiredMiddleware); renders base.html and no more."""
    return render(request, "core/bench_bare.html", {"rows": range(50)})


@require_GET
def list_floor(request: HttpRequest) -> HttpResponse:
    """Signed-in; the list's call for open batches, 50 a page, and its rows in a bare table."""
    result = batch_search(
        api_key=api_caller_for(request.user).key,
        criteria=BatchCriteria(statuses=(BatchStatus.OPEN,)),
        page=1,
        page_size=50,
    )
    return render(request, "core/bench_list_floor.html", {"result": result})


urlpatterns = [
    path(BARE_PATH, bare, name="bench_bare"),
    path(LIST_FLOOR_PATH, list_floor, name="bench_list_floor"),
    *dashboard_urlpatterns,
]
