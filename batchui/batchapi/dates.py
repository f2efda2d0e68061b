"""Reading and writing the API's dates.

The API writes date-times in several shapes (`2026-03-30`, `2026-03-30T14:05:00`, with or without
fractions, `Z` or an offset; .NET sends up to 7 fraction digits). A date-time without an offset
is UTC. Everything read becomes an aware datetime in UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

_DATETIME = re.compile(
    r"""
    (?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})
    (?:[T ]
        (?P<hour>\d{2}):(?P<minute>\d{2})
        (?::(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?
        (?P<zone>Z|z|[+-]\d{2}(?::?\d{2})?)?
    )?
    """,
    re.VERBOSE,
)


def parse_api_datetime(value: str) -> datetime:
    """Parse an API date or date-time into an aware UTC datetime; ValueError when it is neither."""
    match = _DATETIME.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"not an ISO date or date-time: {value[:40]!r}")
    parts = match.groupdict()
    fraction = (parts["fraction"] or "")[:6].ljust(6, "0")
    tz = _zone(parts["zone"])
    parsed = datetime(
        int(parts["year"]),
        int(parts["month"]),
        int(parts["day"]),
        int(parts["hour"] or 0),
        int(parts["minute"] or 0),
        int(parts["second"] or 0),
        int(fraction),
        tzinfo=tz,
    )
    return parsed.astimezone(UTC)


def _zone(text: str | None) -> timezone:
    if not text or text in ("Z", "z"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"invalid UTC offset {text!r}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def format_api_date(value: date | datetime) -> str:
    """The ISO text the API reads: `2026-03-30` for a date; a date-time in UTC without an offset.

    A naive datetime is taken as UTC, as the API itself writes them; an aware one is converted.
    """
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(timespec="microseconds" if value.microsecond else "seconds")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"expected a date or datetime, got {type(value).__name__}")
