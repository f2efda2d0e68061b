"""Numbers, money and dates of batches formatted for people ({% load batch_format %})."""

from __future__ import annotations

from datetime import datetime
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


@register.filter
def when(value: datetime | None) -> SafeString | str:
    """A <time> with the readable local date-time ("22 Nov 2026 14:05") and the exact ISO value."""
    if value is None:
        return DASH
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    exact = value.isoformat()
    return format_html(
        '<time datetime="{}" title="{}">{}</time>', exact, exact, f"{local.day} {local:%b %Y %H:%M}"
    )
