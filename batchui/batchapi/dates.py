"""Reading and writing the API's dates, in the API's time zone.

The API writes date-times in several shapes (`2026-03-30`, `2026-03-30T14:05:00`, with or without
fractions, `Z` or an offset; .NET sends up to 7 fraction digits). A date-time with an offset is
honoured as sent; one without is read in `BATCH_API_TIME_ZONE` (an IANA name, default UTC: the
zone the host writes its local times in). Everything read becomes an aware datetime in UTC.
What the client writes (filter values, an open's dates) goes the other way: an aware datetime is
written in that zone, without an offset, as the host writes its own.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings

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


@cache
def zone_named(name: str) -> tzinfo:
    """The zone of an IANA name (`UTC` is datetime.UTC); ZoneInfoNotFoundError when unknown."""
    return UTC if name == "UTC" else ZoneInfo(name)


def api_time_zone() -> tzinfo:
    """The zone of the API's date-times without an offset: settings.BATCH_API_TIME_ZONE."""
    return zone_named(settings.BATCH_API_TIME_ZONE)


def parse_api_datetime(value: str) -> datetime:
    """Parse an API date or date-time into an aware UTC datetime; ValueError when it is neither."""
    match = _DATETIME.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"not an ISO date or date-time: {value[:40]!r}")
    parts = match.groupdict()
    fraction = (parts["fraction"] or "")[:6].ljust(6, "0")
    parsed = datetime(
        int(parts["year"]),
        int(parts["month"]),
        int(parts["day"]),
        int(parts["hour"] or 0),
        int(parts["minute"] or 0),
        int(parts["second"] or 0),
        int(fraction),
        tzinfo=_offset(parts["zone"]) if parts["zone"] else api_time_zone(),
    )
    return parsed.astimezone(UTC)


def _offset(text: str) -> timezone:
    if text in ("Z", "z"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"invalid UTC offset {text!r}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def format_api_date(value: date | datetime) -> str:
    """The ISO text the API reads: `2026-03-30` for a date (a calendar day of the API's own);
    a date-time without an offset, in the API's zone.

    An aware datetime is converted to that zone; a naive one is taken as already in it.
    """
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(api_time_zone()).replace(tzinfo=None)
        return value.isoformat(timespec="microseconds" if value.microsecond else "seconds")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"expected a date or datetime, got {type(value).__name__}")
