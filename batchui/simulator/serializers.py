"""The simulator's JSON: BatchResponse documents and the error body.

Field names and types follow the seeds' BatchResponse table exactly (camelCase). Date-times are
written as `YYYY-MM-DDTHH:MM:SS` in SIMULATOR_TIME_ZONE (default UTC), without offset or
fraction, as some EnergyCAP hosts write them [ours].
"""

from __future__ import annotations

import calendar
import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpResponse

from batchui.simulator.models import Batch, BatchStatus

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def api_zone() -> ZoneInfo:
    """The zone the simulator writes its date-times in and reads date values in."""
    return ZoneInfo(settings.SIMULATOR_TIME_ZONE)


def format_datetime(value: datetime | None) -> str | None:
    """`YYYY-MM-DDTHH:MM:SS` in api_zone() (isoformat pads the year, strftime does not)."""
    if value is None:
        return None
    return value.astimezone(api_zone()).replace(microsecond=0, tzinfo=None).isoformat()


def account_period_name(*, number: int | None, year: int | None) -> str | None:
    """ "March 2026" when both parts are set, else None."""
    if number is None or year is None or not 1 <= number <= 12:
        return None
    return f"{calendar.month_name[number]} {year}"  # English: Django leaves LC_TIME at "C"


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


def dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def json_response(
    data: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> HttpResponse:
    return HttpResponse(dumps(data), status=status, content_type=JSON_CONTENT_TYPE, headers=headers)


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
