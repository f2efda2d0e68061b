"""The activity log: who opened, edited and closed which batch, and what came of it.

Signed-in people see their own entries; people with VIEW_REVIEW (team leads) see everyone's.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from batchui.activity.forms import ActivityFilterForm
from batchui.activity.services import activity_people, activity_search, sees_everyone
from batchui.core.htmx import render_page_or_fragment

PAGE_SIZE = 50


@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    everyone = sees_everyone(user=request.user)
    people = activity_people(user=request.user) if everyone else []
    form = ActivityFilterForm(request.GET, people=people)
    query = {}
    if form.is_valid():
        data = form.cleaned_data
        query = {
            "person": data["person"] if everyone else "",
            "action": data["action"],
            "outcome": data["outcome"],
            "batch_id": data["batch"],
        }
    entries = activity_search(user=request.user, **query)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "everyone": everyone,
        "batch_id": query.get("batch_id"),
        "filtered": any(query.values()),
    }
    return render_page_or_fragment(
        request, page="activity/list.html", fragment="activity/list.html#results", context=context
    )
