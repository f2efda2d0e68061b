"""The API's objects as frozen dataclasses, and lenient parsing of BatchResponse.

`running_total` is a Decimal: it is money, shown and summed by the dashboard, and the response is
decoded with `parse_float=Decimal` so the digits the API sent are kept exactly (a float would turn
`0.1 + 0.2` into `0.30000000000000004` when totals are added up).

Parsing is lenient where the API varies (dates in several shapes, status in any case, fields it
added later) and strict where a wrong value would mislead a person: a missing required field or a
value of the wrong type raises ApiBadResponse. `hasImportsWithKickout` and `hasLogs` came after
EnergyCAP 8.2309: a host without them gives None ("unknown", shown as a dash), never an error.
BATCH_FIELDS declares the fields the parser reads, once: `check_api` probes a host with it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any

from batchui.batchapi.dates import format_api_date, parse_api_datetime
from batchui.batchapi.errors import ApiBadResponse


class BatchStatus(enum.StrEnum):
    OPEN = "Open"
    PENDING = "Pending"
    CLOSED = "Closed"

    @classmethod
    def parse(cls, value: str) -> BatchStatus:
        """The status whatever its letter case (the docs write them lower case)."""
        try:
            return cls(value.strip().title())
        except ValueError:
            raise ValueError(f"unknown batch status {value[:20]!r}") from None


@dataclass(frozen=True, slots=True)
class UserChild:
    user_id: int
    user_code: str | None
    full_name: str | None


@dataclass(frozen=True, slots=True)
class Batch:
    """A BatchResponse. `recovered` is True when the client found this batch after an open or
    close whose answer was lost (the change did take effect)."""

    batch_id: int
    batch_code: str
    batch_status: BatchStatus
    is_open: bool
    start_date: datetime | None
    end_date: datetime | None
    bill_count: int
    running_total: Decimal
    flag_count: int
    analyzing_count: int
    has_imported_bills: bool
    has_imports_with_kickout: bool | None  # None: unknown (a host older than these fields)
    has_logs: bool | None
    created_by: UserChild | None
    due_date: str | None = None
    statement_date: str | None = None
    next_reading: str | None = None
    control_code: str | None = None
    invoice_number: str | None = None
    account_period_name: str | None = None
    account_period_number: int | None = None
    account_period_year: int | None = None
    note: str | None = None
    recovered: bool = field(default=False, compare=False)


@dataclass(frozen=True, slots=True)
class BatchPage:
    items: tuple[Batch, ...]
    page_number: int
    page_size: int
    total_records: int
    total_pages: int


def _check_optional_str(name: str, value: str | None) -> None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a str or None, not {type(value).__name__}")


@dataclass(frozen=True, slots=True)
class BatchCreate:
    """The body of POST /api/v3/batch; the optional settings become defaults of its bills."""

    batch_code: str
    close_existing_batch: bool = False
    account_period_number: int | None = None
    account_period_year: int | None = None
    control_code: str | None = None
    invoice_number: str | None = None
    note: str | None = None
    due_date: date | datetime | None = None
    statement_date: date | datetime | None = None
    next_reading: date | datetime | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.batch_code, str):
            raise TypeError("batch_code must be a str")
        if not isinstance(self.close_existing_batch, bool):
            raise TypeError("close_existing_batch must be a bool")
        for name in ("account_period_number", "account_period_year"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise TypeError(f"{name} must be an int or None")
        for name in ("control_code", "invoice_number", "note"):
            _check_optional_str(name, getattr(self, name))
        for name in ("due_date", "statement_date", "next_reading"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, date):
                raise TypeError(f"{name} must be a date, a datetime or None")

    def to_json(self) -> dict[str, Any]:
        """The camelCase body, without the fields that are None."""
        body: dict[str, Any] = {
            "batchCode": self.batch_code,
            "closeExistingBatch": self.close_existing_batch,
            "accountPeriodNumber": self.account_period_number,
            "accountPeriodYear": self.account_period_year,
            "controlCode": self.control_code,
            "invoiceNumber": self.invoice_number,
            "note": self.note,
            "dueDate": self.due_date,
            "statementDate": self.statement_date,
            "nextReading": self.next_reading,
        }
        return {
            key: format_api_date(value) if isinstance(value, date) else value
            for key, value in body.items()
            if value is not None
        }


@dataclass(frozen=True, slots=True)
class BatchEdit:
    """The body of PUT /api/v3/batch/{id}: `note` is always sent (None clears it)."""

    batch_code: str
    note: str | None

    def __post_init__(self) -> None:
        if not isinstance(self.batch_code, str):
            raise TypeError("batch_code must be a str")
        _check_optional_str("note", self.note)

    def to_json(self) -> dict[str, Any]:
        return {"batchCode": self.batch_code, "note": self.note}


# --- parsing: one line per field ------------------------------------------------------------

_MISSING = object()


def _get(data: Mapping[str, Any], name: str, *, required: bool) -> Any:
    value = data.get(name, _MISSING)
    if value is _MISSING or (value is None and required):
        if required:
            raise ApiBadResponse(f"The Batch API sent a batch without its {name}.")
        return None
    return value


def _wrong_type(name: str, expected: str) -> ApiBadResponse:
    return ApiBadResponse(f"The Batch API sent a batch whose {name} is not {expected}.")


def _int(data: Mapping[str, Any], name: str, *, required: bool = True) -> Any:
    value = _get(data, name, required=required)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise _wrong_type(name, "a whole number")
    return value


def _str(data: Mapping[str, Any], name: str, *, required: bool = False) -> Any:
    value = _get(data, name, required=required)
    if value is not None and not isinstance(value, str):
        raise _wrong_type(name, "text")
    return value


def _bool(data: Mapping[str, Any], name: str, *, required: bool = True) -> Any:
    value = _get(data, name, required=required)
    if value is not None and not isinstance(value, bool):
        raise _wrong_type(name, "true or false")
    return value


def _decimal(data: Mapping[str, Any], name: str) -> Decimal:
    value = _get(data, name, required=True)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise _wrong_type(name, "a number")
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise _wrong_type(name, "a finite number")
    return number


def _datetime(data: Mapping[str, Any], name: str) -> datetime | None:
    value = _str(data, name)
    if value is None or not value.strip():
        return None
    try:
        return parse_api_datetime(value)
    except ValueError:
        raise _wrong_type(name, "a date or date-time") from None


def _status(data: Mapping[str, Any], name: str) -> BatchStatus:
    try:
        return BatchStatus.parse(_str(data, name, required=True))
    except ValueError:
        raise _wrong_type(name, "Open, Pending or Closed") from None


def _user(data: Mapping[str, Any], name: str) -> UserChild | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise _wrong_type(name, "a user")
    return UserChild(
        user_id=_int(value, "userId"),
        user_code=_str(value, "userCode"),
        full_name=_str(value, "fullName"),
    )


@dataclass(frozen=True, slots=True)
class ApiField:
    """One BatchResponse field: the API's name, the Batch attribute, and its reader (which raises
    ApiBadResponse when the value has the wrong type, or a required one is missing)."""

    name: str
    attribute: str
    read: Callable[[Mapping[str, Any], str], Any]


_optional_int = partial(_int, required=False)
_optional_bool = partial(_bool, required=False)
_required_str = partial(_str, required=True)

BATCH_FIELDS: tuple[ApiField, ...] = (
    ApiField("batchId", "batch_id", _int),
    ApiField("batchCode", "batch_code", _required_str),
    ApiField("batchStatus", "batch_status", _status),
    ApiField("isOpen", "is_open", _bool),
    ApiField("startDate", "start_date", _datetime),
    ApiField("endDate", "end_date", _datetime),
    ApiField("billCount", "bill_count", _int),
    ApiField("runningTotal", "running_total", _decimal),
    ApiField("flagCount", "flag_count", _int),
    ApiField("analyzingCount", "analyzing_count", _int),
    ApiField("hasImportedBills", "has_imported_bills", _bool),
    ApiField("hasImportsWithKickout", "has_imports_with_kickout", _optional_bool),
    ApiField("hasLogs", "has_logs", _optional_bool),
    ApiField("createdBy", "created_by", _user),
    ApiField("dueDate", "due_date", _str),
    ApiField("statementDate", "statement_date", _str),
    ApiField("nextReading", "next_reading", _str),
    ApiField("controlCode", "control_code", _str),
    ApiField("invoiceNumber", "invoice_number", _str),
    ApiField("accountPeriodName", "account_period_name", _str),
    ApiField("accountPeriodNumber", "account_period_number", _optional_int),
    ApiField("accountPeriodYear", "account_period_year", _optional_int),
    ApiField("note", "note", _str),
)


def parse_batch(data: Any) -> Batch:
    """A Batch from one decoded BatchResponse; ApiBadResponse when it is not one. Fields the
    Batch does not know are ignored."""
    if not isinstance(data, Mapping):
        raise ApiBadResponse("The Batch API sent something other than a batch.")
    return Batch(**{field.attribute: field.read(data, field.name) for field in BATCH_FIELDS})
