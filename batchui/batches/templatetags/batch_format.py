"""Numbers, money and dates of batches formatted for people ({% load batch_format %})."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

DASH = "—"
CENT = Decimal("0.01")


@register.filter
def money(value: Decimal | float | int | None) -> str:
    """12345.678 -> "$12,345.68"; a credit -> "-$12.50"."""
    if value is None:
        return DASH
    amount = Decimal(value).quantize(CENT)
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


@register.filter
def count(value: int | None) -> str:
    """1234 -> "1,234"."""
    return DASH if value is None else f"{value:,}"


# --- dates and times: one format for dates, one for date-times, everywhere -------------------
# Date-times show in the active time zone (the person's: accounts.middleware.TimeZoneMiddleware).


@register.filter
def day_text(value: date | datetime | str | None) -> str:
    """A date as people read it: "22 Nov 2026" (a date-time: its day where the person is; an ISO
    date in text, as the API gives due dates, read as that date; other text as it is)."""
    day = _as_date(value)
    if day is None:
        return DASH if value in (None, "") else str(value)
    return f"{day.day} {day:%b %Y}"


@register.filter
def when_text(value: datetime | None) -> str:
    """A date-time as people read it, in the person's time zone: "22 Nov 2026, 14:05"."""
    if value is None:
        return DASH
    local = _local(value)
    return f"{day_text(local.date())}, {local:%H:%M}"


@register.filter
def exact_text(value: datetime) -> str:
    """A date-time exactly, with the zone: "2026-11-22 14:05:37 Europe/Berlin (UTC+01:00)"."""
    local = _local(value)
    offset = local.strftime("%z")
    if not offset:  # a naive value: its zone is unknown
        return f"{local:%Y-%m-%d %H:%M:%S}"
    zone = timezone.get_current_timezone_name()
    return f"{local:%Y-%m-%d %H:%M:%S} {zone} (UTC{offset[:3]}:{offset[3:]})"


@register.filter
def day(value: date | datetime | str | None) -> SafeString | str:
    """A <time> reading "22 Nov 2026", its machine-readable date in `datetime`."""
    found = _as_date(value)
    if found is None:
        return day_text(value)
    return format_html('<time datetime="{}">{}</time>', found.isoformat(), day_text(found))


@register.filter
def when(value: datetime | None) -> SafeString | str:
    """A <time> reading "22 Nov 2026, 14:05" in the person's zone; the exact value with its zone
    shows on hover and on focus (it takes the keyboard's focus to show it)."""
    if value is None:
        return DASH
    return format_html(
        '<time datetime="{}" title="{}" tabindex="0">{}</time>',
        value.isoformat(),
        exact_text(value),
        when_text(value),
    )


def _local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _as_date(value: date | datetime | str | None) -> date | None:
    if isinstance(value, datetime):
        return _local(value).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
