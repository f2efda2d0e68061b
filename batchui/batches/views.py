"""The batch list (filters, paging, saved views) and its CSV export.

One URL, one view, two renderings: the full page, or for htmx the results fragment (with the
filter's error messages out of band). Everything the person chose is in the query string.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from batchui.accounts.decorators import permission_required_or_403
from batchui.accounts.roles import EXPORT_BATCHES, VIEW_BATCHES
from batchui.accounts.services import api_caller_for
from batchui.batchapi import BatchApiError
from batchui.batches import services
from batchui.batches.export import csv_chunks
from batchui.batches.forms import (
    ALL_OPERATORS,
    MAX_CONDITIONS,
    STATUS_CHOICES,
    BatchFilterForm,
    QuickFilterForm,
    SavedViewForm,
    list_query,
    paging_from,
)
from batchui.core.htmx import render_page_or_fragment, vary_on_htmx, wants_fragment
from batchui.core.streaming import render_streamed

PAGE_WINDOW = 2  # page links shown either side of the current one


def _page_links(current: int, last: int) -> list[int | None]:
    """Page numbers around the current one, with None where a gap is."""
    numbers = sorted(
        {1, last, *range(max(1, current - PAGE_WINDOW), min(last, current + PAGE_WINDOW) + 1)}
    )
    links: list[int | None] = []
    for number in numbers:
        if links and number - (links[-1] or 0) > 1:
            links.append(None)
        links.append(number)
    return links


@dataclass(frozen=True)
class Pager:
    """The URLs of the pager's links: the query string as it is, with another page number."""

    first: str
    previous: str
    next: str
    last: str
    links: list[tuple[int | None, str]]  # (number, URL); (None, "") where a gap is


def _pager(list_url: str, data: QueryDict, result: services.BatchSearchResult) -> Pager:
    """What `{{ list_url }}{% querystring page=N add=None remove=None %}` gave for each link,
    each built with one urlencode (the template tag copied the query string per link)."""
    params = data.copy()
    params.pop("add", None)
    params.pop("remove", None)

    def url(page: int) -> str:
        params["page"] = page
        return f"{list_url}?{params.urlencode()}"

    return Pager(
        first=url(1),
        previous=url(result.page - 1),
        next=url(result.page + 1),
        last=url(result.last_page),
        links=[
            (number, url(number) if number else "")
            for number in _page_links(result.page, result.last_page)
        ],
    )


# The blank row the page's <template> holds for adding conditions with JavaScript.
TEMPLATE_ROW = {"index": "__i__", "number": "", "operators": ALL_OPERATORS}


def _date_fields(quick: QuickFilterForm) -> list[dict]:
    """The opened/closed groups as typed (raw values kept) with their errors."""
    return [
        {
            "name": name,
            "legend": legend,
            "preset": quick[name].value() or "",
            "start": quick[f"{name}_from"].value() or "",
            "end": quick[f"{name}_to"].value() or "",
            "errors": quick.group_errors(name),
        }
        for name, legend in (("opened", "Opened"), ("closed", "Closed"))
    ]


def _announcement(*, result: services.BatchSearchResult | None, api_error) -> str:
    """One sentence for the results heading and the live region."""
    if api_error is not None:
        return f"The batches could not be loaded. {api_error.message}"
    if result is None:
        return "Fix the filters marked above to see batches."
    if result.out_of_range:
        return f"No batches on page {result.page:,}; there are {result.total:,} in all."
    if not result.total:
        return "No batches match these filters."
    noun = "batch" if result.total == 1 else "batches"
    return f"{result.first:,}\N{EN DASH}{result.last:,} of {result.total:,} {noun}"


class ListResults:
    """The results part of the list page. The template reads it only where it shows the results,
    so the search (started before rendering) is waited for there: against an API host, the page
    above the results is rendered while the API answers."""

    def __init__(
        self, *, search: services.SearchUnderWay | None, list_url: str, query: QueryDict
    ) -> None:
        self._search = search
        self._list_url = list_url
        self._query = query

    @cached_property
    def _outcome(self) -> tuple[services.BatchSearchResult | None, BatchApiError | None]:
        if self._search is None:
            return None, None
        try:
            return self._search.result(), None
        except BatchApiError as error:
            return None, error

    @property
    def invalid(self) -> bool:
        """The filters have mistakes: no search was made."""
        return self._search is None

    @property
    def result(self) -> services.BatchSearchResult | None:
        return self._outcome[0]

    @property
    def api_error(self) -> BatchApiError | None:
        return self._outcome[1]

    @cached_property
    def announcement(self) -> str:
        return _announcement(result=self.result, api_error=self.api_error)

    @cached_property
    def pager(self) -> Pager | None:
        return _pager(self._list_url, self._query, self.result) if self.result else None


@require_GET
@permission_required_or_403(VIEW_BATCHES)
def batch_list(request: HttpRequest) -> HttpResponse:
    caller = api_caller_for(request.user)
    user_code = caller.user_code.strip()
    filters = BatchFilterForm(request.GET, user_code=user_code)
    paging = paging_from(request.GET)
    search = None
    if filters.is_valid():
        search = services.batch_search_started(
            api_key=caller.key, criteria=filters.criteria, page=paging.page, page_size=paging.size
        )
    query = list_query(request.GET)
    list_url = reverse("batches:list")
    context = {
        "filters": filters,
        "quick": filters.quick,
        "paging": paging,
        "results": ListResults(search=search, list_url=list_url, query=request.GET),
        "user_code": user_code,
        "list_url": list_url,
        "export_query": query,
        "selected_statuses": request.GET.getlist("status"),
        "who": request.GET.get("who", ""),
        "date_fields": _date_fields(filters.quick),
        "status_choices": STATUS_CHOICES,
        "template_row": TEMPLATE_ROW,
        "max_conditions": MAX_CONDITIONS,
    }
    if not wants_fragment(request):
        context["saved_views"] = services.saved_view_list(user=request.user)
        context["built_in_views"] = services.BUILT_IN_VIEWS
        context["save_form"] = SavedViewForm(initial={"query": query})
        if search is not None and search.in_background:
            # The page goes out while the API answers; its results follow.
            return vary_on_htmx(
                render_streamed(
                    request,
                    page="batches/list.html",
                    part="batches/list.html#results",
                    slot="results_later",
                    context=context,
                )
            )
    return render_page_or_fragment(
        request,
        page="batches/list.html",
        fragment="batches/list.html#htmx_results",
        context=context,
    )


@require_GET
@permission_required_or_403(EXPORT_BATCHES)
def batch_export(request: HttpRequest) -> HttpResponse:
    caller = api_caller_for(request.user)
    filters = BatchFilterForm(request.GET, user_code=caller.user_code.strip())
    list_url = reverse("batches:list") + "?" + request.GET.urlencode()
    if not filters.is_valid():
        return render(
            request,
            "batches/export_failed.html",
            {
                "message": "The filter has mistakes: fix them in the list first.",
                "list_url": list_url,
            },
            status=400,
        )
    rows = services.batch_export_rows(api_key=caller.key, criteria=filters.criteria)
    try:
        header = next(rows)  # fetches the first page: a failure here is a normal error page
    except BatchApiError as error:
        rows.close()
        return render(
            request,
            "batches/export_failed.html",
            {"message": error.message, "list_url": list_url, "retry_url": request.get_full_path()},
            status=502,
        )
    response = StreamingHttpResponse(
        csv_chunks(rows, first=header, cells_safe=True), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="batches-{date.today().isoformat()}.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response


def _back_to_list(request: HttpRequest, query: str) -> HttpResponse:
    url = reverse("batches:list") + (f"?{query}" if query else "")
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


@require_POST
@permission_required_or_403(VIEW_BATCHES)
def saved_view_save(request: HttpRequest) -> HttpResponse:
    form = SavedViewForm(request.POST)
    query = list_query(QueryDict(request.POST.get("query", "")))
    if not form.is_valid():
        messages.error(request, "Give the view a name (at most 80 characters) to save it.")
        return _back_to_list(request, query)
    name = form.cleaned_data["name"]
    try:
        services.saved_view_save(user=request.user, name=name, query=query)
    except services.SavedViewNameTaken as taken:
        messages.error(request, taken.message)
    else:
        messages.success(request, f"Saved the view “{name}”.")
    return _back_to_list(request, query)


@require_POST
@permission_required_or_403(VIEW_BATCHES)
def saved_view_delete(request: HttpRequest, view_id: int) -> HttpResponse:
    deleted = services.saved_view_delete(user=request.user, view_id=view_id)
    if deleted is None:
        messages.error(request, "That saved view does not exist (any more).")
    else:
        messages.success(request, f"Deleted the view “{deleted.name}”.")
    return _back_to_list(request, list_query(QueryDict(request.POST.get("query", ""))))
