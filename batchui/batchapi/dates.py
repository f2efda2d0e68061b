"""Reading and writing the API's dates, in the API's time zone.

The API writes date-times in several shapes (`2026-03-30`, `2026-03-30T14:05:00`, with or without
fractions, `Z` or an offset; .NET sends up to 7 fraction digits): `datetime.fromisoformat`
reads them all (and any other ISO 8601 shape). A date-time with an offset is honoured as sent; one
without is read in `BATCH_API_TIME_ZONE` (an IANA name, default UTC: the zone the host writes its
local times in). Everything read becomes an aware datetime in UTC.
What the client writes (filter values, an open's dates) goes the other way: an aware datetime is
written in that zone, without an offset, as the host writes its own.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings


@cache
def zone_named(name: str) -> tzinfo:
    """The zone of an IANA name (`UTC` is datetime.UTC); ZoneInfoNotFoundError when unknown."""
    return UTC if name == "UTC" else ZoneInfo(name)


def api_time_zone() -> tzinfo:
    """The zone of the API's date-times without an offset: settings.BATCH_API_TIME_ZONE."""
    return zone_named(settings.BATCH_API_TIME_ZONE)


def parse_api_datetime(value: str) -> datetime:
    """Parse an API date or date-time into an aware UTC datetime; ValueError when it is neither."""
    parsed = datetime.fromisoformat(value.strip())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=api_time_zone())
    return parsed.astimezone(UTC)


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
