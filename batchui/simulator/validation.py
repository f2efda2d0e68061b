"""Checks of the request bodies BatchCreate, BatchEdit and BatchStatusUpdate.

EnergyCAP binds bodies with System.Text.Json, so the checks are as strict as it is: JSON types are
not coerced ("5" is not an int, "true" is not a bool, 5.0 is not an int), ints are int32, property
names match case-insensitively, unknown properties are ignored, and `[Required]` strings reject
empty and whitespace-only values. Lengths count UTF-16 code units, as .NET does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from batchui.simulator.models import BatchStatus
from batchui.simulator.serializers import api_zone

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
MAX_TEXT = 255

# ISO 8601 extended profile as System.Text.Json reads it: a date, or a date-time with at least
# hours and minutes, optional seconds and fraction, optional Z or +hh:mm offset.
ISO_DATE_TIME = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"(?:T(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})"
    r"(?::(?P<second>[0-9]{2})(?:\.(?P<fraction>[0-9]{1,7}))?)?"
    r"(?P<offset>Z|[+-][0-9]{2}:[0-9]{2})?)?"
)


class BodyError(Exception):
    """The body cannot be read at all (not JSON, not an object)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FieldValidationError(Exception):
    """One or more fields are invalid; `errors` maps the JSON field name to its messages."""

    def __init__(self, errors: dict[str, list[str]], *, message: str | None = None) -> None:
        self.errors = errors
        details = " ".join(messages[0] for messages in errors.values())
        self.message = message or f"One or more validation errors occurred. {details}".strip()
        super().__init__(self.message)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_json_object(raw: bytes) -> dict[str, Any]:
    """The request body as a JSON object, or BodyError."""
    if not raw.strip():
        raise BodyError("A non-empty request body is required.")
    try:
        data = json.loads(raw.decode("utf-8-sig"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise BodyError(f"The request body is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise BodyError("The request body must be a JSON object.")
    return data


class _Fields:
    """Case-insensitive access to a body's properties, collecting errors by field name."""

    def __init__(self, body: Mapping[str, Any]) -> None:
        self._values = {key.lower(): value for key, value in body.items()}
        self.errors: dict[str, list[str]] = {}

    def has(self, name: str) -> bool:
        return name.lower() in self._values

    def get(self, name: str) -> Any:
        return self._values.get(name.lower())

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.get(name)
        if value is None:
            if required:
                self.error(name, f"The {name} field is required.")
            return None
        if not isinstance(value, str):
            self.error(name, f"{name} must be a string.")
            return None
        problem = _text_problem(value)
        if problem:
            self.error(name, f"{name} {problem}.")
            return None
        if required and not value.strip():
            self.error(name, f"The {name} field is required (it must not be blank).")
            return None
        if utf16_length(value) > MAX_TEXT:
            low = 1 if required else 0
            self.error(name, f"{name} must be between {low} and {MAX_TEXT} characters.")
            return None
        return value

    def integer(self, name: str, *, low: int, high: int) -> int | None:
        value = self.get(name)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self.error(name, f"{name} must be a whole number (a JSON number, not a string).")
            return None
        if not low <= value <= high:
            self.error(name, f"{name} must be between {low} and {high}.")
            return None
        return value

    def boolean(self, name: str, *, default: bool) -> bool:
        if not self.has(name):
            return default
        value = self.get(name)
        if not isinstance(value, bool):
            self.error(name, f"{name} must be true or false.")
            return default
        return value

    def date(self, name: str) -> str | None:
        value = self.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            self.error(name, f"{name} must be a date string.")
            return None
        try:
            return normalize_date(value)
        except ValueError:
            self.error(
                name, f"{name} must be an ISO 8601 date (YYYY-MM-DD) or date-time, got {value!r}."
            )
            return None

    def raise_if_invalid(self) -> None:
        if self.errors:
            raise FieldValidationError(self.errors)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _text_problem(text: str) -> str | None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains an unpaired surrogate, which is not valid text"
    if "\x00" in text:
        # SQL Server would keep it; PostgreSQL cannot store it, so the simulator refuses it [ours].
        return "must not contain NUL characters"
    return None


def normalize_date(text: str) -> str:
    """`YYYY-MM-DD` for a date or a midnight date-time, else `YYYY-MM-DDTHH:MM:SS`.

    Offsets are converted to SIMULATOR_TIME_ZONE (the zone of the simulator's date-times);
    fractions of a second are dropped. ValueError when invalid.
    """
    match = ISO_DATE_TIME.fullmatch(text)
    if not match:
        raise ValueError(text)
    year, month, day = (int(part) for part in match["date"].split("-"))
    if match["hour"] is None:
        return datetime(year, month, day).date().isoformat()
    moment = datetime(
        year, month, day, int(match["hour"]), int(match["minute"]), int(match["second"] or 0)
    )
    offset = match["offset"]
    if offset:
        sign = -1 if offset[0] == "-" else 1
        hours, minutes = (0, 0) if offset == "Z" else (int(offset[1:3]), int(offset[4:6]))
        if minutes > 59 or hours * 60 + minutes > 14 * 60:
            raise ValueError(text)
        zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
        try:
            moment = moment.replace(tzinfo=zone).astimezone(api_zone()).replace(tzinfo=None)
        except OverflowError:
            raise ValueError(text) from None
    if moment.time() == datetime.min.time():
        return moment.date().isoformat()
    return moment.isoformat()


# Each validator returns the body's values under the simulator's model field names.


def validate_create(body: Mapping[str, Any]) -> dict[str, Any]:
    """The new batch's fields, and `close_existing_batch`."""
    fields = _Fields(body)
    result = dict(
        batch_code=fields.text("batchCode", required=True) or "",
        close_existing_batch=fields.boolean("closeExistingBatch", default=False),
        # accountPeriodNumber: a month, 1..12 [ours]; the year range is documented.
        account_period_number=fields.integer("accountPeriodNumber", low=1, high=12),
        account_period_year=fields.integer("accountPeriodYear", low=1900, high=2099),
        control_code=fields.text("controlCode"),
        invoice_number=fields.text("invoiceNumber"),
        note=fields.text("note"),
        due_date=fields.date("dueDate"),
        statement_date=fields.date("statementDate"),
        next_reading=fields.date("nextReading"),
    )
    fields.raise_if_invalid()
    return result


def validate_edit(body: Mapping[str, Any]) -> dict[str, Any]:
    fields = _Fields(body)
    code = fields.text("batchCode", required=True)
    if not fields.has("note"):
        fields.error("note", "The note field is required (send null to clear the note).")
    note = fields.text("note")
    fields.raise_if_invalid()
    return {"batch_code": code or "", "note": note}


def validate_status_change(body: Mapping[str, Any]) -> dict[str, Any]:
    """`batch_status`, `note` only when it changes (null or absent: unchanged; "": removed, so
    None) and `leave_open_batches_as_is`."""
    fields = _Fields(body)
    status = fields.text("batchStatus", required=True)
    by_folded = {choice.value.casefold(): choice.value for choice in BatchStatus}
    if status is not None and status.casefold() not in by_folded:
        fields.error("batchStatus", "batchStatus must be one of Open, Pending, Closed.")
    text = fields.text("note")
    note = {} if text is None else {"note": text or None}
    leave_as_is = fields.boolean("leaveOpenBatchesAsIs", default=False)
    fields.raise_if_invalid()
    return {
        "batch_status": by_folded[(status or "").casefold()],
        **note,
        "leave_open_batches_as_is": leave_as_is,
    }
