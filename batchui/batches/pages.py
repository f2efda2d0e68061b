"""A page per batch: every field, the actions the person may take, and the batch's history.

The actions are the list row's buttons (templates/batches/list.html#buttons), so each is declared
once; the fields are the list's COLUMNS, each shown as its cell. htmx gets the page's section (it
is fetched again after an action done in the dialog); an API failure is a message in the page.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from batchui.accounts.decorators import api_key_required, permission_required_or_403
from batchui.accounts.roles import VIEW_BATCHES
from batchui.accounts.services import api_key_for
from batchui.activity.services import activity_of_batch
from batchui.batchapi import ApiNotFound, BatchApiError
from batchui.batches.action_services import batch_fetch
from batchui.batches.columns import COLUMNS, batch_rows
from batchui.core.htmx import render_page_or_fragment, wants_fragment

HISTORY_LIMIT = 50


@require_GET
@permission_required_or_403(VIEW_BATCHES)
@api_key_required
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    context = {"batch_id": batch_id, "list_url": reverse("batches:list")}
    status = 200
    try:
        batch = batch_fetch(api_key=api_key_for(request.user), batch_id=batch_id)
    except BatchApiError as error:
        gone = isinstance(error, ApiNotFound)
        context["title"] = "Batch not found" if gone else "The batch could not be read"
        context["problem"] = error.message
        # htmx swaps only 2xx answers: the message replaces the page's section.
        if not wants_fragment(request):
            status = 404 if gone else 502
    else:
        history = activity_of_batch(batch_id=batch_id)
        (row,) = batch_rows([batch], user=request.user)
        context.update(
            title=f"Batch {batch.batch_code}",
            batch=batch,
            row=row,
            fields=[(column, column.cell(batch)) for column in COLUMNS],
            history=history[:HISTORY_LIMIT],
            history_count=history.count(),
        )
    return render_page_or_fragment(
        request,
        page="batches/detail.html",
        fragment="batches/detail.html#page",
        context=context,
        status=status,
    )
