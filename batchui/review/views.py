"""The review screen (/review/, bulk close at /review/close/) and the widget (/widget/)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from batchui.accounts.decorators import (
    api_key_required,
    frameable_by_intranet,
    permission_required_or_403,
)
from batchui.accounts.roles import CLOSE_ANY_BATCH, VIEW_REVIEW
from batchui.accounts.services import api_key_for
from batchui.batchapi import BatchApiError
from batchui.batches import idempotency
from batchui.batches.action_services import may_reopen
from batchui.core.htmx import render_page_or_fragment, wants_fragment
from batchui.review import charts
from batchui.review.access import SignInUnlessTokenAccess, widget_api_key
from batchui.review.forms import CloseSelectionForm
from batchui.review.services import close_selection, review_close_batches, review_snapshot
from batchui.review.widget import widget_json, widget_snapshot


def as_of_text(fetched_at: datetime, now: datetime | None = None) -> str:
    """ "just now", or "2 minutes ago" (the data's age)."""
    now = now or timezone.now()
    if (now - fetched_at).total_seconds() < 60:
        return "just now"
    return f"{timesince(fetched_at, now, depth=1)} ago"


@require_http_methods(["GET", "POST"])
@permission_required_or_403(VIEW_REVIEW)
@never_cache
def review(request: HttpRequest) -> HttpResponse:
    """GET: the figures (cached briefly). POST: Refresh, i.e. read them again from the API."""
    refresh = request.method == "POST"
    context: dict = {"error": None, "snapshot": None}
    try:
        snapshot = review_snapshot(api_key=api_key_for(request.user), refresh=refresh)
    except BatchApiError as error:
        context["error"] = error.message
    else:
        if refresh and not wants_fragment(request):  # after a POST, back to the page with a GET
            return HttpResponseRedirect(reverse("review:index"), status=303)
        figures = snapshot.figures
        context.update(
            snapshot=snapshot,
            figures=figures,
            as_of=as_of_text(snapshot.fetched_at),
            work_chart=charts.work_chart(figures.people),
            day_chart=charts.day_chart(figures.closed_per_day),
            reopenable={
                line.batch.batch_id
                for line in figures.pending
                if may_reopen(user=request.user, batch=line.batch)
            },
        )
    return render_page_or_fragment(
        request, page="review/index.html", fragment="review/index.html#review", context=context
    )


@require_POST
@permission_required_or_403(VIEW_REVIEW, CLOSE_ANY_BATCH)
@api_key_required
def review_close(request: HttpRequest) -> HttpResponse:
    """The selection -> a confirmation listing it, each batch with its warnings to acknowledge;
    the confirmation -> the batches read again, then one result per batch, or, when a warning
    is not acknowledged (or new), the confirmation again and nothing closed."""
    form = CloseSelectionForm(request.POST)
    context: dict = {"form": form, "is_fragment": wants_fragment(request)}
    if form.is_valid():
        api_key = api_key_for(request.user)
        confirming = form.cleaned_data["confirm"]
        selection = close_selection(
            api_key=api_key,
            batch_ids=form.cleaned_data["batch"],
            acknowledged=form.cleaned_data["ack"] if confirming else None,
        )
        if confirming and selection.acknowledged:
            results = review_close_batches(
                user=request.user,
                api_key=api_key,
                selection=selection,
                token=form.cleaned_data["token"],
            )
            closed = sum(1 for result in results if result.ok)
            context.update(results=results, closed=closed, not_closed=len(results) - closed)
        else:
            token = form.cleaned_data["token"] if confirming else idempotency.new_token()
            context.update(selection=selection, token=token, asked_again=confirming)
    return render_page_or_fragment(
        request, page="review/close.html", fragment="review/close.html#panel", context=context
    )


# --- the intranet widget ------------------------------------------------------------------------


def _widget(request: HttpRequest, *, as_json: bool) -> HttpResponse:
    api_key = widget_api_key(request, as_json=as_json)
    if isinstance(api_key, HttpResponse):
        return api_key
    try:
        figures = widget_snapshot(api_key=api_key)
    except BatchApiError as error:
        if as_json:
            return JsonResponse({"error": error.message}, status=503)
        figures, problem = None, error.message
    else:
        problem = None
    if as_json:
        return JsonResponse(widget_json(figures))
    context = {
        "figures": figures,
        "problem": problem,
        "as_of": as_of_text(figures.fetched_at) if figures else "",
        "refresh_url": request.get_full_path(),
    }
    return render_page_or_fragment(
        request, page="review/widget.html", fragment="review/widget.html#figures", context=context
    )


def _widget_view(view):
    """Sign-in unless WIDGET_ACCESS is "token"; framed by the intranet's pages; never cached."""
    return SignInUnlessTokenAccess(frameable_by_intranet(require_GET(never_cache(view))))


@_widget_view
def widget(request: HttpRequest) -> HttpResponse:
    """The intranet status page; refreshes its figures every minute (htmx)."""
    return _widget(request, as_json=False)


@_widget_view
def widget_data(request: HttpRequest) -> HttpResponse:
    """The widget's figures as JSON."""
    return _widget(request, as_json=True)
