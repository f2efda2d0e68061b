"""The simulator's JSON: BatchResponse documents and the error body.

Field names and types follow the seeds' BatchResponse table exactly (camelCase). Date-times are
written as `YYYY-MM-DDTHH:MM:SS` in UTC, without offset or fraction [ours].
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from django.http import HttpResponse

from batchui.simulator.models import Batch, BatchStatus

JSON_CONTENT_TYPE = "application/json; charset=utf-8"

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def format_datetime(value: datetime | None) -> str | None:
    """`YYYY-MM-DDTHH:MM:SS` in UTC (isoformat pads the year, strftime does not)."""
    if value is None:
        return None
    if value.tzinfo is UTC:  # as the database gives them: the first 19 characters, no copy
        return value.isoformat()[:19]
    return value.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat()


def account_period_name(*, number: int | None, year: int | None) -> str | None:
    """ "March 2026" when both parts are set, else None."""
    if number is None or year is None or not 1 <= number <= len(MONTH_NAMES):
        return None
    return f"{MONTH_NAMES[number - 1]} {year}"


def batch_to_dict(batch: Batch) -> dict[str, Any]:
    """The BatchResponse of one batch (select_related("created_by") avoids a query per batch)."""
    user = batch.created_by
    return {
        "accountPeriodName": account_period_name(
            number=batch.account_period_number, year=batch.account_period_year
        ),
        "accountPeriodNumber": batch.account_period_number,
        "accountPeriodYear": batch.account_period_year,
        "analyzingCount": batch.analyzing_count,
        "batchCode": batch.batch_code,
        "batchId": batch.batch_id,
        "batchStatus": batch.batch_status,
        "billCount": batch.bill_count,
        "controlCode": batch.control_code,
        "createdBy": {"fullName": user.full_name, "userCode": user.user_code, "userId": user.id},
        "dueDate": batch.due_date,
        "endDate": format_datetime(batch.end_date),
        "flagCount": batch.flag_count,
        "hasImportedBills": batch.has_imported_bills,
        "hasImportsWithKickout": batch.has_imports_with_kickout,
        "hasLogs": batch.has_logs,
        "invoiceNumber": batch.invoice_number,
        "isOpen": batch.batch_status == BatchStatus.OPEN,
        "nextReading": batch.next_reading,
        "note": batch.note,
        "runningTotal": float(batch.running_total),
        "startDate": format_datetime(batch.start_date),
        "statementDate": batch.statement_date,
    }


# The columns of a list page, read with values_list() (no model instances): BatchResponse's
# fields in its (alphabetical) order, the creator's joined in.
LIST_COLUMNS = (
    "account_period_number",
    "account_period_year",
    "analyzing_count",
    "batch_code",
    "batch_id",
    "batch_status",
    "bill_count",
    "control_code",
    "created_by__full_name",
    "created_by__user_code",
    "created_by_id",
    "due_date",
    "end_date",
    "flag_count",
    "has_imported_bills",
    "has_imports_with_kickout",
    "has_logs",
    "invoice_number",
    "next_reading",
    "note",
    "running_total",
    "start_date",
    "statement_date",
)


def row_to_dict(row: tuple[Any, ...]) -> dict[str, Any]:
    """batch_to_dict() of a LIST_COLUMNS row: the same document, key for key."""
    (
        period_number,
        period_year,
        analyzing,
        code,
        batch_id,
        status,
        bills,
        control,
        full_name,
        user_code,
        user_id,
        due,
        end,
        flags,
        imported,
        kickouts,
        logs,
        invoice,
        next_reading,
        note,
        total,
        start,
        statement,
    ) = row
    return {
        "accountPeriodName": account_period_name(number=period_number, year=period_year),
        "accountPeriodNumber": period_number,
        "accountPeriodYear": period_year,
        "analyzingCount": analyzing,
        "batchCode": code,
        "batchId": batch_id,
        "batchStatus": status,
        "billCount": bills,
        "controlCode": control,
        "createdBy": {"fullName": full_name, "userCode": user_code, "userId": user_id},
        "dueDate": due,
        "endDate": format_datetime(end),
        "flagCount": flags,
        "hasImportedBills": imported,
        "hasImportsWithKickout": kickouts,
        "hasLogs": logs,
        "invoiceNumber": invoice,
        "isOpen": status == BatchStatus.OPEN,
        "nextReading": next_reading,
        "note": note,
        "runningTotal": float(total),
        "startDate": format_datetime(start),
        "statementDate": statement,
    }


def dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def json_response(
    data: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> HttpResponse:
    response = HttpResponse(dumps(data), status=status, content_type=JSON_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def json_error(
    status: int,
    message: str,
    *,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """The error body [ours]: {"message": ...} plus "errors" for validation failures."""
    body: dict[str, Any] = {"message": message}
    if errors:
        body["errors"] = errors
    return json_response(body, status=status, headers=headers)
