"""The batch list (filters, paging, saved views) and its CSV export.

One URL, one view, two renderings: the full page, or for htmx the results fragment (with the
filter's error messages out of band). Everything the person chose is in the query string.
"""

from __future__ import annotations

from datetime import date
from itertools import chain
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, push_url

from batchui.accounts.decorators import permission_required_or_403
from batchui.accounts.roles import EXPORT_BATCHES, VIEW_BATCHES
from batchui.accounts.services import api_caller_for
from batchui.batchapi import BatchApiError
from batchui.batches import services
from batchui.batches.columns import COLUMNS, batch_rows, columns_save, shown_columns
from batchui.batches.export import csv_chunks
from batchui.batches.forms import (
    FIELD_CHOICES,
    MAX_CONDITIONS,
    PAGE_SIZES,
    BatchFilterForm,
    Paging,
    SavedViewForm,
    list_query,
    paging_from,
)
from batchui.core.htmx import HtmxHttpRequest, wants_fragment
from batchui.core.streaming import render_streamed


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


def _results(
    request: HtmxHttpRequest, *, api_key: str, filters: BatchFilterForm, paging: Paging
) -> dict[str, Any]:
    """The search (none when the filters have mistakes) and what the results partial shows."""
    result = api_error = None
    if filters.is_valid():
        try:
            result = services.batch_search(
                api_key=api_key,
                criteria=filters.criteria,
                page=paging.page,
                page_size=paging.size,
                sort=filters.sort,
            )
        except BatchApiError as error:
            api_error = error
    return {
        "invalid": not filters.is_valid(),
        "result": result,
        "api_error": api_error,
        "announcement": _announcement(result=result, api_error=api_error),
        "rows": batch_rows(result.batches, user=request.user) if result else [],
    }


def _list_context(request: HtmxHttpRequest, data: QueryDict) -> tuple[dict[str, Any], Any]:
    """What the list shows for these filters (`data`: a query string), and a function that
    searches and returns what the results partial shows."""
    caller = api_caller_for(request.user)
    user_code = caller.user_code.strip()
    filters = BatchFilterForm(data, user_code=user_code)
    paging = paging_from(data)
    query_string = list_query(data)
    shown = shown_columns(request.user)
    context = {
        "filters": filters,
        "quick": filters.quick,
        "paging": paging,
        "user_code": user_code,
        "list_url": reverse("batches:list"),
        "query": QueryDict(query_string),
        "export_query": query_string,
        "page_sizes": PAGE_SIZES,
        "field_choices": FIELD_CHOICES,
        "max_conditions": MAX_CONDITIONS,
        "columns": shown,
        "table_width": len(shown) + 1,  # and the actions
        "column_choices": [(column, column in shown) for column in COLUMNS],
        "conditions_held": sum(1 for row in filters.rows if not row.blank),
    }

    def results() -> dict[str, Any]:
        return _results(request, api_key=caller.key, filters=filters, paging=paging)

    return context, results


def _htmx_results(request: HtmxHttpRequest, context: dict[str, Any], results) -> HttpResponse:
    """The results fragment (the filter's messages out of band), its URL pushed."""
    response = render(request, "batches/list.html#htmx_results", {**context, **results()})
    paging = context["paging"]
    parts = (context["export_query"], f"page={paging.page}" if paging.page > 1 else "")
    shown = "&".join(part for part in parts if part)
    list_url = context["list_url"]
    return push_url(response, f"{list_url}?{shown}" if shown else list_url)


@require_GET
@permission_required_or_403(VIEW_BATCHES)
def batch_list(request: HtmxHttpRequest) -> HttpResponse:
    """The page (streamed: all but the results at once, the results when the API answered);
    for htmx the results (with the filter's messages out of band), or only the condition rows
    when htmx asks for those (adding, removing or changing a row)."""
    context, results = _list_context(request, request.GET)
    if wants_fragment(request):
        if request.htmx.target == "condition-rows":
            for row in context["filters"].rows:  # being edited: mistakes show when applied
                row.error = ""
            return render(request, "batches/list.html#conditions", context)
        return _htmx_results(request, context, results)
    context["saved_views"] = services.saved_view_list(user=request.user)
    context["built_in_views"] = services.BUILT_IN_VIEWS
    return render_streamed(
        request,
        page="batches/list.html",
        part="batches/list.html#results",
        slot="results_later",
        context=context,
        later=results,
    )


def result_count_update(request: HttpRequest) -> str:
    """For an action's answer to the list page: the page's count and export link (#results-bar)
    out of band,
    from a fresh search with the page's own filters and page (htmx sends its URL); "" for
    another page, or when the count cannot be known (mistaken filters, the API failing)."""
    page_url = urlsplit(request.headers.get("HX-Current-URL", ""))
    if page_url.path != reverse("batches:list"):
        return ""
    context, results = _list_context(request, QueryDict(page_url.query))
    if not context["filters"].is_valid():
        return ""
    found = results()
    if found["api_error"] is not None:
        return ""
    context = {
        "announcement": found["announcement"],
        "result": found["result"],
        "export_query": context["export_query"],
        "oob": True,
    }
    return render_to_string("batches/list.html#count", context, request=request)


@require_GET
@permission_required_or_403(EXPORT_BATCHES)
def batch_export(request: HtmxHttpRequest) -> HttpResponse:
    caller = api_caller_for(request.user)
    filters = BatchFilterForm(request.GET, user_code=caller.user_code.strip())
    context = {"list_url": reverse("batches:list") + "?" + request.GET.urlencode()}
    if not filters.is_valid():
        context["message"] = "The filter has mistakes: fix them in the list first."
        return render(request, "batches/export_failed.html", context, status=400)
    rows = services.batch_export_rows(api_key=caller.key, criteria=filters.criteria)
    try:
        header = next(rows)  # fetches the first page: a failure here is a normal error page
    except BatchApiError as error:
        rows.close()
        context.update(message=error.message, retry_url=request.get_full_path())
        return render(request, "batches/export_failed.html", context, status=502)
    response = StreamingHttpResponse(
        csv_chunks(chain([header], rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="batches-{date.today().isoformat()}.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response


def _back_to_list(request: HtmxHttpRequest, query: str) -> HttpResponse:
    url = reverse("batches:list") + (f"?{query}" if query else "")
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


@require_POST
@permission_required_or_403(VIEW_BATCHES)
def saved_view_save(request: HtmxHttpRequest) -> HttpResponse:
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
def saved_view_delete(request: HtmxHttpRequest, view_id: int) -> HttpResponse:
    deleted = services.saved_view_delete(user=request.user, view_id=view_id)
    if deleted is None:
        messages.error(request, "That saved view does not exist (any more).")
    else:
        messages.success(request, f"Deleted the view “{deleted.name}”.")
    return _back_to_list(request, list_query(QueryDict(request.POST.get("query", ""))))


@require_POST
@permission_required_or_403(VIEW_BATCHES)
def list_columns(request: HtmxHttpRequest) -> HttpResponse:
    """Keep the person's choice of the table's columns (none ticked, or "defaults": the defaults);
    back to the list with its filters (for htmx: the list's results, in those columns)."""
    keys = [] if request.POST.get("reset") else request.POST.getlist("columns")
    chosen = columns_save(user=request.user, keys=keys)
    message = "The table shows " + ", ".join(column.label for column in chosen) + "."
    query = list_query(QueryDict(request.POST.get("query", "")))
    if not request.htmx:
        messages.success(request, message)
        url = reverse("batches:list") + (f"?{query}" if query else "")
        return HttpResponseRedirect(url, status=303)
    context, results = _list_context(request, QueryDict(query))
    response = _htmx_results(request, context, results)
    response.content += render_to_string(
        "batches/actions/_oob.html#toast", {"message": message}, request=request
    ).encode()
    return response
