"""The API's objects as frozen dataclasses, and lenient parsing of BatchResponse.

`running_total` is a Decimal: it is money, shown and summed by the dashboard, and the response is
decoded with `parse_float=Decimal` so the digits the API sent are kept exactly (a float would turn
`0.1 + 0.2` into `0.30000000000000004` when totals are added up).

Parsing is lenient where the API varies (dates in several shapes, status in any case, fields it
added later) and strict where a wrong value would mislead a person: a missing required field or a
value of the wrong type raises ApiBadResponse. `hasImportsWithKickout` and `hasLogs` came after
EnergyCAP 8.2309: a host without them gives None ("unknown", shown as a dash), never an error.
BATCH_FIELDS declares the fields the parser reads, once: a new API field is one line there (its
name, the Batch attribute, its kind) beside its line in Batch; `check_api` probes a host with it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
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


def _money(value: int | float | Decimal) -> Decimal:
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise ValueError("not a finite number")
    return number


def _datetime(value: str) -> datetime | None:
    return parse_api_datetime(value) if value.strip() else None


def _user(value: dict[str, Any]) -> UserChild:
    return UserChild(**_read(USER_FIELDS, value))


@dataclass(frozen=True, slots=True)
class Kind:
    """What a field's value may be: its JSON types, exactly (`true` is not a whole number); how a
    person reads that in an error; and what turns it into the Batch's value (ValueError: wrong)."""

    types: tuple[type, ...]
    expected: str
    convert: Callable[[Any], Any] | None = None


WHOLE_NUMBER = Kind((int,), "a whole number")
TEXT = Kind((str,), "text")
YES_NO = Kind((bool,), "true or false")
MONEY = Kind((int, float, Decimal), "a number", _money)
STATUS = Kind((str,), "Open, Pending or Closed", BatchStatus.parse)
DATE_TIME = Kind((str,), "a date or date-time", _datetime)
USER = Kind((dict,), "a user", _user)


@dataclass(frozen=True, slots=True)
class ApiField:
    """One field of a BatchResponse: the API's name, the attribute it fills, its kind, and whether
    a batch without it (or with null) is a bad response."""

    name: str
    attribute: str
    kind: Kind
    required: bool = False

    def read(self, data: Mapping[str, Any]) -> Any:
        """This field's value in `data` (None when missing or null); ApiBadResponse when it is
        required and missing, or of the wrong kind."""
        return _read((self,), data)[self.attribute]

    def wrong(self) -> ApiBadResponse:
        return ApiBadResponse(
            f"The Batch API sent a batch whose {self.name} is not {self.kind.expected}."
        )


BATCH_FIELDS: tuple[ApiField, ...] = (
    ApiField("batchId", "batch_id", WHOLE_NUMBER, required=True),
    ApiField("batchCode", "batch_code", TEXT, required=True),
    ApiField("batchStatus", "batch_status", STATUS, required=True),
    ApiField("isOpen", "is_open", YES_NO, required=True),
    ApiField("startDate", "start_date", DATE_TIME),
    ApiField("endDate", "end_date", DATE_TIME),
    ApiField("billCount", "bill_count", WHOLE_NUMBER, required=True),
    ApiField("runningTotal", "running_total", MONEY, required=True),
    ApiField("flagCount", "flag_count", WHOLE_NUMBER, required=True),
    ApiField("analyzingCount", "analyzing_count", WHOLE_NUMBER, required=True),
    ApiField("hasImportedBills", "has_imported_bills", YES_NO, required=True),
    ApiField("hasImportsWithKickout", "has_imports_with_kickout", YES_NO),
    ApiField("hasLogs", "has_logs", YES_NO),
    ApiField("createdBy", "created_by", USER),
    ApiField("dueDate", "due_date", TEXT),
    ApiField("statementDate", "statement_date", TEXT),
    ApiField("nextReading", "next_reading", TEXT),
    ApiField("controlCode", "control_code", TEXT),
    ApiField("invoiceNumber", "invoice_number", TEXT),
    ApiField("accountPeriodName", "account_period_name", TEXT),
    ApiField("accountPeriodNumber", "account_period_number", WHOLE_NUMBER),
    ApiField("accountPeriodYear", "account_period_year", WHOLE_NUMBER),
    ApiField("note", "note", TEXT),
)
USER_FIELDS: tuple[ApiField, ...] = (
    ApiField("userId", "user_id", WHOLE_NUMBER, required=True),
    ApiField("userCode", "user_code", TEXT),
    ApiField("fullName", "full_name", TEXT),
)


def _read(fields: tuple[ApiField, ...], data: Mapping[str, Any]) -> dict[str, Any]:
    """The values of `fields` in `data`, by attribute (see ApiField.read). One loop, no call per
    field: parsing is most of the dashboard's own time in reading 20,000 batches."""
    values = {}
    for one in fields:
        value = data.get(one.name)
        if value is None:
            if one.required:
                raise ApiBadResponse(f"The Batch API sent a batch without its {one.name}.")
        elif type(value) not in one.kind.types:
            raise one.wrong()
        elif one.kind.convert is not None:
            try:
                value = one.kind.convert(value)
            except ValueError:
                raise one.wrong() from None
        values[one.attribute] = value
    return values


def parse_batch(data: Any) -> Batch:
    """A Batch from one decoded BatchResponse; ApiBadResponse when it is not one. Fields the
    Batch does not know are ignored."""
    if not isinstance(data, Mapping):
        raise ApiBadResponse("The Batch API sent something other than a batch.")
    return Batch(**_read(BATCH_FIELDS, data))
