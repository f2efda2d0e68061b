"""HTTP endpoints of the simulated Batch API (the contract: /work/shared/batch-api.md).

Every endpoint is a `resource()` of method -> `Operation`. The order of the checks is fixed:
unknown route 404 (in wsgi.handle), method 405, key and permission 401, Content-Type 415, body
400, validation 400, then the handler (unknown batch 404, a permission that depends on the
batch 401, conflicts 400).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone

from batchui.simulator.filters import FilterError, apply_filter
from batchui.simulator.models import ApiKey, ApiUser, Batch, BatchStatus, fold
from batchui.simulator.serializers import batch_to_dict, json_error, json_response
from batchui.simulator.validation import (
    INT32_MAX,
    BodyError,
    FieldValidationError,
    parse_json_object,
    validate_create,
    validate_edit,
    validate_status_change,
)

DEFAULT_PAGE_SIZE = 250
MAX_PAGE_SIZE = 1000
API_KEY_HEADER = "ECI-ApiKey"

Permission = Literal["view", "create", "manage", "delete"]
Handler = Callable[..., HttpResponse]


@dataclass(frozen=True)
class Operation:
    handler: Handler
    permission: Permission
    takes_body: bool = False


def resource(**operations: Operation) -> Callable[..., HttpResponse]:
    """One URL's view: dispatch on the method after the checks every endpoint shares."""
    allow = ", ".join(sorted(operations))

    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        operation = operations.get(request.method or "")
        if operation is None:
            return json_error(
                405,
                f"The method {request.method} is not allowed for this resource.",
                headers={"Allow": allow},
            )
        user = ApiKey.user_for(request.headers.get(API_KEY_HEADER))
        if user is None or not getattr(user, f"can_{operation.permission}"):
            return json_error(401, unauthorized_message(operation.permission))
        body = None
        if operation.takes_body:
            if request.content_type.lower() != "application/json":
                return json_error(415, "The request body must be sent as application/json.")
            try:
                body = parse_json_object(request.body)
            except BodyError as problem:
                return json_error(400, problem.message)
        try:
            return operation.handler(request, user=user, body=body, **kwargs)
        except FieldValidationError as failure:
            return json_error(400, failure.message, errors=failure.errors)

    return view


def unauthorized_message(permission: Permission) -> str:
    # The same answer for a wrong key and a missing permission, as EnergyCAP gives (a 401 both).
    return (
        "The API key is missing or invalid, or its user lacks the BillsAndBatches "
        f"{permission.capitalize()} permission."
    )


def now() -> datetime:
    # Whole seconds, so that a date-time read from a response compares equal in a filter.
    return timezone.now().replace(microsecond=0)


def not_found(batch_id: int) -> HttpResponse:
    return json_error(404, f"Batch {batch_id} was not found.")


def duplicate_code(code: str) -> HttpResponse:
    message = f"A batch with the code '{code}' already exists (batch codes must be unique)."
    return json_error(400, message, errors={"batchCode": [message]})


PAGE_PARAMETER = re.compile(r"-?[0-9]+")


def page_parameter(query: QueryDict, name: str, *, default: int) -> int:
    """The parameter's value; FieldValidationError when it is not an int32 of at least 1."""
    raw = query.get(name)
    if raw is None:
        return default
    if not PAGE_PARAMETER.fullmatch(raw):
        problem = f"{name} must be an integer, got {raw!r}."
    elif int(raw) < 1:
        problem = f"{name} must be at least 1."
    elif int(raw) > INT32_MAX:
        problem = f"{name} must be at most {INT32_MAX}."
    else:
        return int(raw)
    raise FieldValidationError({name: [problem]}, message=problem)


def list_batches(request: HttpRequest, *, user: ApiUser, body: None) -> HttpResponse:
    page_number = page_parameter(request.GET, "pageNumber", default=1)
    page_size = min(
        page_parameter(request.GET, "pageSize", default=DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE
    )
    try:
        batches = apply_filter(Batch.objects.all(), request.GET.get("filter"), now=now())
    except FilterError as problem:
        raise FieldValidationError({"filter": [problem.message]}, message=problem.message) from None
    total = batches.count()
    offset = (page_number - 1) * page_size
    page = batches.select_related("created_by").order_by("-batch_id")[offset : offset + page_size]
    headers = {
        "PageNumber": str(page_number),
        "PageSize": str(page_size),
        "TotalNumberOfRecords": str(total),
        "TotalPages": str(math.ceil(total / page_size)),
    }
    return json_response([batch_to_dict(batch) for batch in page], headers=headers)


def get_batch(request: HttpRequest, *, user: ApiUser, body: None, batch_id: int) -> HttpResponse:
    batch = Batch.objects.select_related("created_by").filter(pk=batch_id).first()
    if batch is None:
        return not_found(batch_id)
    return json_response(batch_to_dict(batch))


def create_batch(request: HttpRequest, *, user: ApiUser, body: dict[str, Any]) -> HttpResponse:
    data = validate_create(body)
    close_existing = data.pop("close_existing_batch")
    code, opened = data["batch_code"], now()
    try:
        with transaction.atomic():
            if Batch.objects.filter(batch_code_ci=fold(code)).exists():
                return duplicate_code(code)
            if close_existing:
                Batch.objects.filter(created_by=user, batch_status=BatchStatus.OPEN).update(
                    batch_status=BatchStatus.CLOSED, end_date=opened
                )
            batch = Batch.objects.create(
                **data, batch_status=BatchStatus.OPEN, start_date=opened, created_by=user
            )
    except IntegrityError:
        # Another call stored the same code between the check and the insert.
        return duplicate_code(code)
    return json_response(batch_to_dict(batch))


def edit_batch(
    request: HttpRequest, *, user: ApiUser, body: dict[str, Any], batch_id: int
) -> HttpResponse:
    data = validate_edit(body)
    code = data["batch_code"]
    try:
        with transaction.atomic():
            batch = Batch.objects.select_for_update().filter(pk=batch_id).first()
            if batch is None:
                return not_found(batch_id)
            if Batch.objects.filter(batch_code_ci=fold(code)).exclude(pk=batch_id).exists():
                return duplicate_code(code)
            batch.batch_code, batch.note = code, data["note"]
            batch.save(update_fields=["batch_code", "batch_code_ci", "note"])
    except IntegrityError:
        return duplicate_code(code)
    return json_response(batch_to_dict(batch))


def close_batch(request: HttpRequest, *, user: ApiUser, body: None, batch_id: int) -> HttpResponse:
    with transaction.atomic():
        # A conditional UPDATE: of two concurrent closes, only one changes the row.
        closed = Batch.objects.filter(
            pk=batch_id, batch_status__in=[BatchStatus.OPEN, BatchStatus.PENDING]
        ).update(batch_status=BatchStatus.CLOSED, end_date=now())
        if not closed:
            if Batch.objects.filter(pk=batch_id).exists():
                return json_error(400, f"Batch {batch_id} is already closed.")
            return not_found(batch_id)
        batch = Batch.objects.select_related("created_by").get(pk=batch_id)
    return json_response(batch_to_dict(batch))


def change_batch_status(
    request: HttpRequest, *, user: ApiUser, body: dict[str, Any], batch_id: int
) -> HttpResponse:
    """PUT /api/v202206/batch/{id}/status, as EnergyCAP documents it (update_batch_status).

    - Open only from Pending (un-voids the bills), Pending only from Open (voids them), Closed
      from Open or Pending (endDate now); Closed is final. Anything else is a 400.
    - Create (checked for every call) changes the caller's own batch, and opens someone else's
      Pending batch, which makes it the caller's (createdBy). Setting someone else's batch to
      Pending or Closed needs Manage: 401 without, as EnergyCAP answers a missing permission.
    - Opening someone else's batch sets the caller's own Open batch (if any) to Pending, and
      `note` then goes only to that batch; `leaveOpenBatchesAsIs: true` leaves it as it is
      [ours]. Otherwise `note` is the batch's: null leaves it unchanged, "" removes it.
    - 204 with no body. The simulator keeps bill counts, not bills: voiding changes nothing here.
    """
    changes = validate_status_change(body)
    leave_as_is = changes.pop("leave_open_batches_as_is")
    target = changes["batch_status"]
    with transaction.atomic():
        batch = Batch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None:
            return not_found(batch_id)
        current = batch.batch_status
        theirs = batch.created_by_id != user.pk
        if theirs and target != BatchStatus.OPEN and not user.can_manage:
            return json_error(401, unauthorized_message("manage"))
        if current == BatchStatus.CLOSED:
            return json_error(400, f"Batch {batch_id} is closed; a closed batch cannot change.")
        if current == target:
            return json_error(400, f"Batch {batch_id} is already {target}.")
        if target == BatchStatus.CLOSED:
            changes["end_date"] = now()
        taken_over = theirs and target == BatchStatus.OPEN
        held_note = {"note": changes.pop("note")} if taken_over and "note" in changes else {}
        if taken_over:
            changes["created_by"] = user
        # Conditional: of two concurrent changes from the same status, only one applies.
        if not Batch.objects.filter(pk=batch_id, batch_status=current).update(**changes):
            return json_error(400, f"Batch {batch_id} changed status meanwhile; try again.")
        if taken_over and not leave_as_is:
            Batch.objects.filter(created_by=user, batch_status=BatchStatus.OPEN).exclude(
                pk=batch_id
            ).update(batch_status=BatchStatus.PENDING, **held_note)
    return HttpResponse(status=204)


def delete_batch(request: HttpRequest, *, user: ApiUser, body: None, batch_id: int) -> HttpResponse:
    """DELETE /api/v3/batch/{id} (BillsAndBatches Delete): any batch, whatever its status or
    owner, is gone with its bills (the simulator stores only their counts, on the batch row)."""
    deleted, _ = Batch.objects.filter(pk=batch_id).delete()
    if not deleted:
        return not_found(batch_id)
    return HttpResponse(status=204)


batches = resource(
    GET=Operation(list_batches, "view"),
    POST=Operation(create_batch, "create", takes_body=True),
)
batch = resource(
    GET=Operation(get_batch, "view"),
    PUT=Operation(edit_batch, "create", takes_body=True),
    DELETE=Operation(delete_batch, "delete"),
)
batch_close = resource(PUT=Operation(close_batch, "create"))
batch_status = resource(PUT=Operation(change_batch_status, "create", takes_body=True))
