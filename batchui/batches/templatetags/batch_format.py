"""Numbers, money and dates of batches formatted for people ({% load batch_format %})."""

from __future__ import annotations

import html
from datetime import datetime
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

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


@register.filter
def yes_no(value: bool | None) -> str:
    if value is None:
        return DASH
    return "Yes" if value else "No"


@register.filter
def or_dash(value: object) -> object:
    return DASH if value in (None, "") else value


# --- a batch row's cells, built in Python: the list renders 50-250 of them per page ------------
# The same HTML the filters above give, with the standard library's html.escape (what Django's
# escape() calls, without its lazy-string wrapper) and the time zone looked up once per row.


def _text(value: object) -> str:
    return html.escape(str(value))


def _or_dash_text(value: object) -> str:
    return DASH if value is None or value == "" else html.escape(str(value))


# %b in the C locale (what the `when` filter shows): spelled out here, strftime() is slow.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _time(value: datetime | None, zone) -> str:
    """when(value), with the current time zone given."""
    if value is None:
        return DASH
    local = value.astimezone(zone) if value.utcoffset() is not None else value
    exact = value.isoformat()  # digits, "-", ":", "+", ".", "T": nothing to escape
    return (
        f'<time datetime="{exact}" title="{exact}">{local.day} {_MONTHS[local.month - 1]} '
        f"{local.year} {local.hour:02}:{local.minute:02}</time>"
    )


def _count(value: int | None) -> str:
    return DASH if value is None else f"{value:,}"


@register.simple_tag
def batch_cells(batch, zone=None) -> SafeString:
    """The cells of a batch's main row before its actions: code (with the disclosure), status,
    created by, opened, closed, bills, total cost, flags, analyzing, kickouts, period, due.
    `zone`: the current time zone, when the caller looked it up already (once for many rows)."""
    row_id = batch.batch_id
    code = _text(batch.batch_code)
    creator = batch.created_by
    who = (creator.full_name or creator.user_code) if creator else None
    status = batch.batch_status.value
    kickouts = '<span class="kickouts">Yes</span>' if batch.has_imports_with_kickout else "No"
    if zone is None:
        zone = timezone.get_current_timezone()
    return mark_safe(  # noqa: S308 - every value below is escaped or produced here
        '<th scope="row" class="code">'
        f'<button type="button" class="disclosure" aria-expanded="false" '
        f'aria-controls="batch-{row_id}-more" hidden>'
        f'<span class="visually-hidden">All fields of </span></button> {code}</th>'
        f'<td><span class="status status-{status.lower()}">{status}</span></td>'
        f"<td>{_text(who) if who else DASH}</td>"
        f"<td>{_time(batch.start_date, zone)}</td>"
        f"<td>{_time(batch.end_date, zone)}</td>"
        f'<td class="num">{_count(batch.bill_count)}</td>'
        f'<td class="num">{money(batch.running_total)}</td>'
        f'<td class="num">{_count(batch.flag_count)}</td>'
        f'<td class="num">{_count(batch.analyzing_count)}</td>'
        f"<td>{kickouts}</td>"
        f"<td>{_or_dash_text(batch.account_period_name)}</td>"
        f"<td>{_or_dash_text(batch.due_date)}</td>"
    )


@register.simple_tag
def batch_details(batch) -> SafeString:
    """Every other field of a batch, for the row's expandable part."""
    creator = batch.created_by
    fields = [
        ("Batch ID", _text(batch.batch_id)),
        (
            "Created by",
            _text(
                f"{or_dash(creator.full_name)} ({or_dash(creator.user_code)}, "
                f"user ID {or_dash(creator.user_id)})"
            )
            if creator
            else DASH,
        ),
        ("Is open", yes_no(batch.is_open)),
        ("Control code", _or_dash_text(batch.control_code)),
        ("Invoice number", _or_dash_text(batch.invoice_number)),
        ("Statement date", _or_dash_text(batch.statement_date)),
        ("Next reading", _or_dash_text(batch.next_reading)),
        (
            "Account period",
            _text(f"{or_dash(batch.account_period_year)} / {or_dash(batch.account_period_number)}"),
        ),
        ("Has imported bills", yes_no(batch.has_imported_bills)),
        ("Has logs", yes_no(batch.has_logs)),
    ]
    items = "".join(f"<div><dt>{name}</dt><dd>{value}</dd></div>" for name, value in fields)
    code = _text(batch.batch_code)
    return mark_safe(  # noqa: S308 - escaped above
        f'<details class="more-fallback"><summary>All fields of {code}</summary>'
        f'<dl class="batch-fields">{items}'
        f'<div class="wide"><dt>Note</dt><dd>{_or_dash_text(batch.note)}</dd></div></dl></details>'
    )
