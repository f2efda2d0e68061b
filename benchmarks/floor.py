"""The signed-in floor page, for benchmarks only (`benchmarks.dashboard_settings` mounts it).

`/bench/floor/`: a signed-in person's page that makes the batch list's API call (open batches, 50
a page) and prints its 50 rows in a plain table, nothing else: no filters, no page around them.
What any signed-in Django page showing those results costs at least; the list page's budget is a
ratio to it, measured in the same run (benchmarks/bench_list.py).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from batchui.accounts.services import api_caller_for
from batchui.batchapi import get_client
from batchui.urls import urlpatterns as dashboard_urlpatterns

FLOOR_PATH = "/bench/floor/"
LIST_FILTER = "batchStatus equals 'Open'"  # the list's call for ?status=open


def floor(request: HttpRequest) -> HttpResponse:
    page = get_client().list_batches(
        filter=LIST_FILTER, page_size=50, api_key=api_caller_for(request.user).key
    )
    return render(request, "bench/floor.html", {"page": page})


urlpatterns = [path(FLOOR_PATH.strip("/") + "/", floor), *dashboard_urlpatterns]
