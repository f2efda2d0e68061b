"""The API's objects as frozen dataclasses, and lenient parsing of BatchResponse.

`running_total` is a Decimal: it is money, shown and summed by the dashboard, and the response is
decoded with `parse_float=Decimal` so the digits the API sent are kept exactly (a float would turn
`0.1 + 0.2` into `0.30000000000000004` when totals are added up).

Parsing is lenient where the API varies (dates in several shapes, status in any case, fields it
added later) and strict where a wrong value would mislead a person: a missing required field or a
value of the wrong type raises ApiBadResponse.
"""

from __future__ import annotations

import enum
import operator
import re
from collections.abc import Mapping
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
        folded = value.strip().casefold()
        for status in cls:
            if status.value.casefold() == folded:
                return status
        raise ValueError(f"unknown batch status {value[:20]!r}")


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
    has_imports_with_kickout: bool
    has_logs: bool
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


# --- parsing ----------------------------------------------------------------------------------

_MISSING = object()


def _get(data: Mapping[str, Any], name: str, *, required: bool) -> Any:
    value = data.get(name, _MISSING)
    if value is _MISSING or (value is None and required):
        if required:
            raise ApiBadResponse(f"The Batch API sent a batch without its {name}.")
        return None
    return value


def _int(data: Mapping[str, Any], name: str, *, required: bool = True) -> int | None:
    value = _get(data, name, required=required)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _wrong_type(name, "a whole number")
    return value


def _str(data: Mapping[str, Any], name: str, *, required: bool = False) -> str | None:
    value = _get(data, name, required=required)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _wrong_type(name, "text")
    return value


def _bool(data: Mapping[str, Any], name: str) -> bool:
    value = _get(data, name, required=True)
    if not isinstance(value, bool):
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


def _wrong_type(name: str, expected: str) -> ApiBadResponse:
    return ApiBadResponse(f"The Batch API sent a batch whose {name} is not {expected}.")


def _user(data: Mapping[str, Any]) -> UserChild | None:
    value = data.get("createdBy")
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise _wrong_type("createdBy", "a user")
    return UserChild(
        user_id=_int(value, "userId"),  # type: ignore[arg-type]
        user_code=_str(value, "userCode"),
        full_name=_str(value, "fullName"),
    )


# --- the fast path: a BatchResponse as the API (and the simulator) writes them ------------------
# A list page holds up to 1000 batches; checking each field through the lenient helpers above
# costs ~20 us a batch. The fast path accepts only the exact JSON types (int, str, bool, None,
# Decimal) and the common date-time shape; anything else goes through the lenient path, which
# gives the same Batch or raises the same error it always did.

_STATUS_EXACT = {status.value: status for status in BatchStatus}
_NOT_FAST = object()
_NONE = type(None)
# Batch's fields in their order (recovered aside), as the JSON names them, with the types the
# fast path takes for each.
_FAST_FIELDS: tuple[tuple[str, frozenset[type]], ...] = (
    ("batchId", frozenset({int})),
    ("batchCode", frozenset({str})),
    ("batchStatus", frozenset({str})),
    ("isOpen", frozenset({bool})),
    ("startDate", frozenset({str, _NONE})),
    ("endDate", frozenset({str, _NONE})),
    ("billCount", frozenset({int})),
    ("runningTotal", frozenset({Decimal})),
    ("flagCount", frozenset({int})),
    ("analyzingCount", frozenset({int})),
    ("hasImportedBills", frozenset({bool})),
    ("hasImportsWithKickout", frozenset({bool})),
    ("hasLogs", frozenset({bool})),
    ("createdBy", frozenset({dict, _NONE})),
    ("dueDate", frozenset({str, _NONE})),
    ("statementDate", frozenset({str, _NONE})),
    ("nextReading", frozenset({str, _NONE})),
    ("controlCode", frozenset({str, _NONE})),
    ("invoiceNumber", frozenset({str, _NONE})),
    ("accountPeriodName", frozenset({str, _NONE})),
    ("accountPeriodNumber", frozenset({int, _NONE})),
    ("accountPeriodYear", frozenset({int, _NONE})),
    ("note", frozenset({str, _NONE})),
)
_fast_values = operator.itemgetter(*(name for name, _ in _FAST_FIELDS))
# The types of a batch's values -> whether the fast path takes them (a few shapes in practice).
_FAST_SHAPES: dict[tuple[type, ...], bool] = {}
_FAST_SHAPES_MAX = 4096
_ISO_SECONDS = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}")
_UserKey = tuple[Any, Any, Any]


def _fast_shape(shape: tuple[type, ...]) -> bool:
    known = _FAST_SHAPES.get(shape)
    if known is None:
        known = all(kind in allowed for kind, (_, allowed) in zip(shape, _FAST_FIELDS, strict=True))
        if len(_FAST_SHAPES) < _FAST_SHAPES_MAX:
            _FAST_SHAPES[shape] = known
    return known


def _fast_datetime(value: str | None) -> datetime | object | None:
    """`YYYY-MM-DDTHH:MM:SS` (UTC) or None; _NOT_FAST for anything else."""
    if value is None:
        return None
    # ASCII digits where the lenient pattern has them (which also rules out the week dates and
    # basic formats fromisoformat() accepts), and not the hour 24 that newer Pythons read as
    # midnight of the next day.
    if _ISO_SECONDS.fullmatch(value) and value[11:13] != "24":
        try:
            return datetime.fromisoformat(value + "+00:00")  # tzinfo is datetime.UTC itself
        except ValueError:
            return _NOT_FAST
    return _NOT_FAST


def _parse_fast(
    data: dict[str, Any], users: dict[_UserKey, UserChild] | None = None
) -> Batch | None:
    """The Batch, or None when a field needs the lenient path.

    `users` shares one UserChild between the batches of one page (they are immutable).
    """
    try:
        values = _fast_values(data)
    except KeyError:  # a field left out: None, as the lenient path reads it
        values = tuple(data.get(name) for name, _ in _FAST_FIELDS)
    if not _fast_shape(tuple(map(type, values))):
        return None
    (
        batch_id,
        code,
        status_text,
        is_open,
        start_text,
        end_text,
        bills,
        total,
        flags,
        analyzing,
        imported,
        kickouts,
        logs,
        user,
        due,
        statement,
        reading,
        control,
        invoice,
        period_name,
        period_number,
        period_year,
        note,
    ) = values
    status = _STATUS_EXACT.get(status_text)
    start = _fast_datetime(start_text)
    end = _fast_datetime(end_text)
    if status is None or start is _NOT_FAST or end is _NOT_FAST or not total.is_finite():
        return None
    if user is None:
        created_by = None
    else:
        user_id, user_code, full_name = (
            user.get("userId"),
            user.get("userCode"),
            user.get("fullName"),
        )
        if not (
            type(user_id) is int
            and (user_code is None or type(user_code) is str)
            and (full_name is None or type(full_name) is str)
        ):
            return None
        if users is None:
            created_by = UserChild(user_id, user_code, full_name)
        else:
            key = (user_id, user_code, full_name)
            created_by = users.get(key)
            if created_by is None:
                created_by = users[key] = UserChild(user_id, user_code, full_name)
    return Batch(
        batch_id,
        code,
        status,
        is_open,
        start,  # type: ignore[arg-type]
        end,  # type: ignore[arg-type]
        bills,
        total,
        flags,
        analyzing,
        imported,
        kickouts,
        logs,
        created_by,
        due,
        statement,
        reading,
        control,
        invoice,
        period_name,
        period_number,
        period_year,
        note,
    )


def parse_batches(items: list[Any]) -> tuple[Batch, ...]:
    """parse_batch() of every item of a list page (one UserChild per user, shared)."""
    users: dict[_UserKey, UserChild] = {}
    parsed = []
    for data in items:
        fast = _parse_fast(data, users) if type(data) is dict else None
        parsed.append(fast if fast is not None else parse_batch(data))
    return tuple(parsed)


def parse_batch(data: Any) -> Batch:
    """A Batch from one decoded BatchResponse; ApiBadResponse when it is not one."""
    if type(data) is dict:
        fast = _parse_fast(data)
        if fast is not None:
            return fast
    if not isinstance(data, Mapping):
        raise ApiBadResponse("The Batch API sent something other than a batch.")
    status_text = _str(data, "batchStatus", required=True)
    try:
        status = BatchStatus.parse(status_text)  # type: ignore[arg-type]
    except ValueError:
        raise _wrong_type("batchStatus", "Open, Pending or Closed") from None
    return Batch(
        batch_id=_int(data, "batchId"),  # type: ignore[arg-type]
        batch_code=_str(data, "batchCode", required=True),  # type: ignore[arg-type]
        batch_status=status,
        is_open=_bool(data, "isOpen"),
        start_date=_datetime(data, "startDate"),
        end_date=_datetime(data, "endDate"),
        bill_count=_int(data, "billCount"),  # type: ignore[arg-type]
        running_total=_decimal(data, "runningTotal"),
        flag_count=_int(data, "flagCount"),  # type: ignore[arg-type]
        analyzing_count=_int(data, "analyzingCount"),  # type: ignore[arg-type]
        has_imported_bills=_bool(data, "hasImportedBills"),
        has_imports_with_kickout=_bool(data, "hasImportsWithKickout"),
        has_logs=_bool(data, "hasLogs"),
        created_by=_user(data),
        due_date=_str(data, "dueDate"),
        statement_date=_str(data, "statementDate"),
        next_reading=_str(data, "nextReading"),
        control_code=_str(data, "controlCode"),
        invoice_number=_str(data, "invoiceNumber"),
        account_period_name=_str(data, "accountPeriodName"),
        account_period_number=_int(data, "accountPeriodNumber", required=False),
        account_period_year=_int(data, "accountPeriodYear", required=False),
        note=_str(data, "note"),
    )
