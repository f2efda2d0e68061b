"""Open, edit, close, mark pending, reopen and delete: small UI endpoints over
batches.action_services.

Each view answers htmx with a fragment (a dialog, a form, a table row, out-of-band updates of the
row, of #dialog and of #live) and everyone else with a full page or a 303 redirect to the list.
Form errors and API failures come back 200 with the form re-rendered (nothing typed is lost);
refusals by role are 403.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import reswap, retarget

from batchui.accounts.decorators import api_key_required, permission_required_or_403
from batchui.accounts.responses import forbidden
from batchui.accounts.roles import (
    CHANGE_BATCH_STATUS,
    CLOSE_BATCH,
    DELETE_BATCH,
    EDIT_BATCH,
    OPEN_BATCH,
    VIEW_BATCHES,
)
from batchui.accounts.services import api_key_for
from batchui.activity.models import Action
from batchui.batchapi import ApiNotFound, Batch, BatchApiError, BatchStatus
from batchui.batches import action_services as services
from batchui.batches.action_forms import (
    CloseBatchForm,
    EditBatchForm,
    OpenBatchForm,
    PendingBatchForm,
    TokenForm,
)
from batchui.batches.action_services import ActionOutcome, OutcomeKind
from batchui.batches.columns import TABLE_WIDTH, batch_rows
from batchui.core.htmx import wants_fragment

OOB = "batches/actions/_oob.html"
_TBODY = re.compile(r"<tbody\b", re.IGNORECASE)


def list_url() -> str:
    return reverse("batches:list")


def _see_list(request: HttpRequest, message: str, *, ok: bool) -> HttpResponse:
    (messages.success if ok else messages.error)(request, message)
    return HttpResponseRedirect(list_url(), status=303)


def row_html(request: HttpRequest, batch: Batch) -> str:
    """The batch's row of the list (its <tbody>)."""
    (row,) = batch_rows([batch], user=request.user)
    context = {"row": row, "table_width": TABLE_WIDTH}
    return render_to_string("batches/list.html#row", context, request=request)


def oob_row(html: str) -> str:
    """The row's <tbody> marked to replace the row of the same id, out of band. In a <template>:
    htmx parses an answer as a fragment of a page's body, where a <tbody> after other content
    (a dialog) would lose its tags and show its cells in that content."""
    return "<template>" + _TBODY.sub('<tbody hx-swap-oob="true"', html, count=1) + "</template>"


def _live(request: HttpRequest, message: str) -> str:
    return render_to_string(f"{OOB}#live", {"message": message}, request=request)


def _delete_row(request: HttpRequest, batch_id: int) -> str:
    return render_to_string(f"{OOB}#delete-row", {"batch_id": batch_id}, request=request)


def _close_dialog(*parts: str) -> HttpResponse:
    """Empty #dialog (actions.js then returns focus to the opener); `parts` are oob updates."""
    response = HttpResponse("".join(parts))
    return reswap(retarget(response, "#dialog"), "innerHTML")


def _apply_outcome(form: TokenForm, outcome: ActionOutcome) -> None:
    """Put a failed outcome's messages on the form; a fresh token when the first may have acted."""
    form.apply_api_errors(outcome.field_errors, outcome.message)
    if outcome.kind is OutcomeKind.UNKNOWN or outcome.token_used:
        form.renew_token()


# --- open --------------------------------------------------------------------------------------


def _open_preview_context(request: HttpRequest, api_key: str, form: OpenBatchForm) -> dict:
    """The person's open batches (what "close my other open batches" would close) shown on the
    form, each with its warnings; or why not."""
    try:
        batches = services.open_batches_of(user=request.user, api_key=api_key)
    except BatchApiError as error:
        return {"open_batches_problem": error.message}
    if batches is None:
        return {"close_unavailable": services.CLOSE_EXISTING_UNAVAILABLE}
    form.show_closing(batches)
    return {}


def _render_open(request: HttpRequest, form: OpenBatchForm, api_key: str, *, part: str):
    """The dialog (htmx) shows at once and loads the preview after (open_preview); the full page,
    for which no script loads anything, has it inline, and so has a form sent back to confirm
    closing the person's other batches (its list is the one to acknowledge)."""
    context = {"form": form, "in_dialog": wants_fragment(request), "list_url": list_url()}
    closing = form.is_bound and bool(form.data.get("close_existing_batch"))
    if not wants_fragment(request) or closing:
        context.update(_open_preview_context(request, api_key, form))
    else:
        context["preview_url"] = reverse("batches:open_preview")
        if part == "dialog":  # a fresh form: the preview brings the code suggestion too
            context["preview_url"] += "?suggest=1"
    if not wants_fragment(request):
        return render(request, "batches/actions/open.html", context)
    return render(request, f"batches/actions/open.html#{part}", context)


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required_or_403(OPEN_BATCH, action=Action.OPEN)
def open_batch(request: HttpRequest) -> HttpResponse:
    api_key = api_key_for(request.user)
    if request.method == "GET":
        form = OpenBatchForm(auto_id="open-%s")
        if not wants_fragment(request):
            suggestion = services.batch_code_suggestion(user=request.user, api_key=api_key)
            form.initial["batch_code"] = suggestion
        form.fields["batch_code"].widget.attrs["data-focus"] = ""
        return _render_open(request, form, api_key, part="dialog")
    form = OpenBatchForm(request.POST, auto_id="open-%s")
    if not form.is_valid():
        return _render_open(request, form, api_key, part="open-form")
    outcome = services.batch_open(
        user=request.user,
        api_key=api_key,
        data=form.to_create(),
        token=form.cleaned_data["token"],
        closing=form.seen_ids(),
    )
    if outcome.ok and outcome.batch is not None:
        if not wants_fragment(request):
            return _see_list(request, outcome.message, ok=True)
        row = render_to_string(
            f"{OOB}#insert-row", {"row": row_html(request, outcome.batch)}, request=request
        )
        return _close_dialog(row, _live(request, outcome.message))
    _apply_outcome(form, outcome)
    return _render_open(request, form, api_key, part="open-form")


@require_GET
@never_cache
@permission_required_or_403(OPEN_BATCH)
def open_preview(request: HttpRequest) -> HttpResponse:
    """The Open dialog's preview of the person's open batches, loaded after the dialog shows
    (the API may be slow), with the acknowledgement to tick before they are closed; with
    ?suggest=1 also the code suggestion for actions.js to fill in."""
    if not wants_fragment(request):
        return HttpResponseRedirect(reverse("batches:open"))
    api_key = api_key_for(request.user)
    form = OpenBatchForm(auto_id="open-%s")
    context = {"form": form, **_open_preview_context(request, api_key, form)}
    if request.GET.get("suggest"):
        context["suggestion"] = services.batch_code_suggestion(user=request.user, api_key=api_key)
    return render(request, "batches/actions/open.html#preview", context)


# --- edit --------------------------------------------------------------------------------------


def _unreadable(request: HttpRequest, batch_id: int, error: BatchApiError) -> HttpResponse:
    """The batch could not be read: for htmx its row removed when it is gone, else one sentence;
    a page otherwise."""
    gone = isinstance(error, ApiNotFound)
    if wants_fragment(request):
        if not gone:  # one sentence that app.js shows (in the open dialog, else in #errors)
            return HttpResponse(error.message, status=502, content_type="text/plain; charset=utf-8")
        response = HttpResponse(_live(request, error.message))
        response = reswap(retarget(response, f"#batch-{batch_id}"), "delete")
        errors = format_html('<div hx-swap-oob="innerHTML:#errors">{}</div>', error.message)
        response.content += errors.encode()
        return response
    title = "Batch not found" if gone else "The batch could not be read"
    context = {"title": title, "message": error.message, "list_url": list_url()}
    return render(request, "batches/actions/problem.html", context, status=404 if gone else 502)


def _render_edit(
    request: HttpRequest,
    form: EditBatchForm,
    *,
    batch_id: int,
    batch: Batch | None,
    conflict: ActionOutcome | None = None,
) -> HttpResponse:
    """The edit form (a full page, or the row in edit mode for htmx); after a `conflict`, the
    person's version beside the current one (`batch`) and the choice between them."""
    form.fields["batch_code"].widget.attrs["data-focus"] = ""
    context = {
        "form": form,
        "batch": batch,
        "batch_id": batch_id,
        "batch_id_text": str(batch_id),
        "conflict": conflict,
        "colspan": TABLE_WIDTH,
        "list_url": list_url(),
    }
    template = "batches/actions/edit.html"
    return render(request, f"{template}#row" if wants_fragment(request) else template, context)


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required_or_403(EDIT_BATCH, action=Action.EDIT)
def edit_batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    api_key = api_key_for(request.user)
    auto_id = f"edit-{batch_id}-%s"
    if request.method == "GET":
        try:
            batch = services.batch_fetch(api_key=api_key, batch_id=batch_id)
        except BatchApiError as error:
            return _unreadable(request, batch_id, error)
        form = EditBatchForm.of(batch, auto_id=auto_id)
        return _render_edit(request, form, batch_id=batch_id, batch=batch)
    form = EditBatchForm(request.POST, auto_id=auto_id)
    if not form.is_valid():
        return _render_edit(request, form, batch_id=batch_id, batch=None)
    data = form.cleaned_data
    outcome = services.batch_edit(
        user=request.user,
        api_key=api_key,
        batch_id=batch_id,
        batch_code=data["batch_code"],
        note=data["note"] or None,
        seen_code=data["seen_code"],
        seen_note=data["seen_note"] or None,
        token=data["token"],
    )
    if outcome.ok and outcome.batch is not None:
        if not wants_fragment(request):
            return _see_list(request, outcome.message, ok=True)
        return HttpResponse(row_html(request, outcome.batch) + _live(request, outcome.message))
    if outcome.conflict and outcome.batch is not None:
        form.save_over(outcome.batch)
        return _render_edit(request, form, batch_id=batch_id, batch=outcome.batch, conflict=outcome)
    _apply_outcome(form, outcome)
    return _render_edit(request, form, batch_id=batch_id, batch=None)


@require_GET
@never_cache
@permission_required_or_403(VIEW_BATCHES)
@api_key_required
def batch_row(request: HttpRequest, batch_id: int) -> HttpResponse:
    """One batch's row (after an edit is cancelled); a full page load goes to the list."""
    if not wants_fragment(request):
        return HttpResponseRedirect(list_url())
    try:
        batch = services.batch_fetch(api_key=api_key_for(request.user), batch_id=batch_id)
    except BatchApiError as error:
        return _unreadable(request, batch_id, error)
    return HttpResponse(row_html(request, batch))


# --- close -------------------------------------------------------------------------------------


def _refreshed_row(request: HttpRequest, api_key: str, batch_id: int) -> str:
    """The row as it is now, out of band ("" when it cannot be read; removed when gone)."""
    try:
        batch = services.batch_fetch(api_key=api_key, batch_id=batch_id)
    except ApiNotFound:
        return _delete_row(request, batch_id)
    except BatchApiError:
        return ""
    return oob_row(row_html(request, batch))


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required_or_403(CLOSE_BATCH, action=Action.CLOSE)
def close_batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    """GET: the confirmation (a dialog for htmx). POST: the close."""
    api_key = api_key_for(request.user)
    posted, fragment = request.method == "POST", wants_fragment(request)

    def render_close(*, batch=None, form=None, result="", extra="", status=200) -> HttpResponse:
        """The confirmation form, or `result` when there is nothing to confirm; `extra` are
        out-of-band updates (htmx only)."""
        context = {
            "batch": batch,
            "batch_id": batch_id,
            "form": form,
            "result_message": result,
            "in_dialog": fragment,
            "list_url": list_url(),
        }
        if not fragment:
            return render(request, "batches/actions/close.html", context, status=status)
        part = "close-form" if posted else "dialog"
        html = render_to_string(f"batches/actions/close.html#{part}", context, request=request)
        return HttpResponse(html + extra, status=status)

    def form_for(batch: Batch | None, data=None) -> CloseBatchForm:
        """One acknowledgement to tick per warning (none for a batch closed already)."""
        closed = batch is None or batch.batch_status is BatchStatus.CLOSED
        warnings = [] if closed else services.close_warnings(batch)
        return CloseBatchForm(data, warnings=warnings, auto_id=f"close-{batch_id}-%s")

    try:
        batch = services.batch_fetch(api_key=api_key, batch_id=batch_id)
    except ApiNotFound as error:
        if posted:
            services.batch_close_missing(
                user=request.user, batch_id=batch_id, message=error.message
            )
            if not fragment:
                return _see_list(request, error.message, ok=False)
        if fragment:
            return render_close(result=error.message, extra=_delete_row(request, batch_id))
        return render_close(result=error.message, status=404)
    except BatchApiError as error:
        if not posted:
            return _unreadable(request, batch_id, error)
        form = form_for(None, request.POST)  # what was submitted (token, ticked boxes) is kept
        form.is_valid()
        form.add_error(None, error.message)
        return render_close(form=form)

    if not posted:
        if not services.allowed_to_close(user=request.user, batch=batch):
            return forbidden(request, message=services.CLOSE_REFUSAL)
        stale = services.stale(Action.CLOSE, batch)
        if stale:
            extra = oob_row(row_html(request, batch)) if fragment else ""
            return render_close(batch=batch, result=stale, extra=extra)
        return render_close(batch=batch, form=form_for(batch))

    form = form_for(batch, request.POST)
    if not form.is_valid():
        return render_close(batch=batch, form=form)
    outcome = services.batch_close(
        user=request.user, api_key=api_key, batch=batch, token=form.cleaned_data["token"]
    )
    if outcome.forbidden:
        return forbidden(request, message=outcome.message)
    if outcome.ok and outcome.batch is not None:
        if not fragment:
            return _see_list(request, outcome.message, ok=True)
        return _close_dialog(
            oob_row(row_html(request, outcome.batch)), _live(request, outcome.message)
        )
    if outcome.already_closed or outcome.gone or outcome.stale:
        if not fragment:
            return _see_list(request, outcome.message, ok=False)
        extra = _refreshed_row(request, api_key, batch_id) + _live(request, outcome.message)
        return render_close(batch=batch, result=outcome.message, extra=extra)
    _apply_outcome(form, outcome)
    return render_close(batch=batch, form=form)


# --- mark pending, reopen, delete ----------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One of the confirmed actions below: its URL name (and element ids), title and button."""

    action: Action
    name: str
    title: str  # with {} for the batch's code
    button: str
    form: type[TokenForm]


PENDING = Step(
    Action.PENDING, "pending", "Mark batch {} pending?", "Mark pending", PendingBatchForm
)
REOPEN = Step(Action.REOPEN, "reopen", "Reopen batch {}?", "Reopen batch", TokenForm)
DELETE = Step(Action.DELETE, "delete", "Delete batch {}?", "Delete batch", TokenForm)


def _consequences(request: HttpRequest, step: Step, batch: Batch, api_key: str) -> dict:
    """What the confirmation says beyond the batch itself: for a reopen of someone else's batch,
    which of the person's open batches become pending (or why that is not known)."""
    if step is not REOPEN or services.owns(user=request.user, batch=batch):
        return {}
    try:
        to_pend = services.open_batches_to_pend(user=request.user, api_key=api_key, batch=batch)
    except BatchApiError as error:
        return {"someone_elses": True, "to_pend": [], "to_pend_problem": error.message}
    return {"someone_elses": True, "to_pend": to_pend}


def _act(
    request: HttpRequest,
    step: Step,
    *,
    batch_id: int,
    batch: Batch | None,
    form: TokenForm,
    api_key: str,
) -> ActionOutcome:
    """Do `step` on the batch as read just now (None: not found)."""
    common = {
        "user": request.user,
        "api_key": api_key,
        "batch_id": batch_id,
        "batch": batch,
        "token": form.cleaned_data["token"],
    }
    if step is PENDING:
        return services.batch_mark_pending(**common, note=form.cleaned_data["note"] or None)
    if step is REOPEN:
        return services.batch_reopen(**common)
    return services.batch_delete(**common)


def _lifecycle(request: HttpRequest, batch_id: int, step: Step) -> HttpResponse:
    """GET: the confirmation (a dialog for htmx) of `step`, or why there is nothing to confirm.
    POST: the action, on the batch read afresh (never on what the form or the row said)."""
    api_key = api_key_for(request.user)
    posted, fragment = request.method == "POST", wants_fragment(request)
    auto_id = f"{step.name}-{batch_id}-%s"

    def render_step(*, batch=None, form=None, result="", extra="", status=200) -> HttpResponse:
        """The confirmation form, or `result` when there is nothing to confirm; `extra` are
        out-of-band updates (htmx only)."""
        context = {
            "step": step,
            "title": step.title.format(batch.batch_code if batch else batch_id),
            "batch": batch,
            "batch_id": batch_id,
            "form": form,
            "result_message": result,
            "in_dialog": fragment,
            "list_url": list_url(),
            "action_url": reverse(f"batches:{step.name}", args=[batch_id]),
        }
        if form is not None and batch is not None:
            context.update(_consequences(request, step, batch, api_key))
        template = "batches/actions/lifecycle.html"
        if not fragment:
            return render(request, template, context, status=status)
        part = "step-form" if posted else "dialog"
        html = render_to_string(f"{template}#{part}", context, request=request)
        return HttpResponse(html + extra, status=status)

    try:
        batch = services.batch_fetch(api_key=api_key, batch_id=batch_id)
    except ApiNotFound:
        batch = None  # gone: said below (a repeated submission answers as the first did)
    except BatchApiError as error:
        if not posted:
            return _unreadable(request, batch_id, error)
        form = step.form(request.POST, auto_id=auto_id)  # what was submitted is kept
        form.is_valid()
        form.add_error(None, error.message)
        return render_step(form=form)

    if not posted:
        if batch is None:
            message = services.gone_message(batch_id)
            if not fragment:
                return render_step(result=message, status=404)
            return render_step(result=message, extra=_delete_row(request, batch_id))
        why = services.refusal(step.action, user=request.user, batch=batch)
        if why:
            return forbidden(request, message=why)
        stale = services.stale(step.action, batch)
        if stale:
            extra = oob_row(row_html(request, batch)) if fragment else ""
            return render_step(batch=batch, result=stale, extra=extra)
        return render_step(batch=batch, form=step.form(auto_id=auto_id))

    form = step.form(request.POST, auto_id=auto_id)
    if not form.is_valid():
        if batch is not None:
            return render_step(batch=batch, form=form)
        form.cleaned_data.setdefault("note", "")  # the batch is gone: its comment is moot
    outcome = _act(request, step, batch_id=batch_id, batch=batch, form=form, api_key=api_key)
    if outcome.forbidden:
        return forbidden(request, message=outcome.message)
    if outcome.ok:
        if not fragment:
            return _see_list(request, outcome.message, ok=True)
        if outcome.batch is not None:
            row = oob_row(row_html(request, outcome.batch))
        else:  # deleted
            row = _delete_row(request, batch_id)
        others = [_refreshed_row(request, api_key, other) for other in outcome.also_changed]
        return _close_dialog(row, *others, _live(request, outcome.message))
    if outcome.stale or outcome.gone:
        if not fragment:
            return _see_list(request, outcome.message, ok=False)
        extra = _refreshed_row(request, api_key, batch_id) + _live(request, outcome.message)
        return render_step(batch=batch, result=outcome.message, extra=extra)
    _apply_outcome(form, outcome)
    extra = (
        _refreshed_row(request, api_key, batch_id) if outcome.kind is OutcomeKind.UNKNOWN else ""
    )
    return render_step(batch=batch, form=form, extra=extra if fragment else "")


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required_or_403(CHANGE_BATCH_STATUS, action=Action.PENDING)
def mark_pending(request: HttpRequest, batch_id: int) -> HttpResponse:
    return _lifecycle(request, batch_id, PENDING)


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required_or_403(CHANGE_BATCH_STATUS, action=Action.REOPEN)
def reopen_batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    return _lifecycle(request, batch_id, REOPEN)


@require_http_methods(["GET", "POST"])
@never_cache
@permission_required_or_403(DELETE_BATCH, action=Action.DELETE)
def delete_batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    return _lifecycle(request, batch_id, DELETE)
