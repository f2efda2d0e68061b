"""Numbers, money and dates of batches formatted for people ({% load batch_format %})."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

DASH = "—"


@register.filter
def money(value: Decimal | float | int | None) -> str:
    """12345.678 -> "$12,345.68"; a credit -> "-$12.50"."""
    if value is None:
        return DASH
    amount = Decimal(value).quantize(Decimal("0.01"))
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


def _cell(value: object, css: str = "") -> str:
    klass = f' class="{css}"' if css else ""
    return f"<td{klass}>{value}</td>"


@register.simple_tag
def batch_cells(batch) -> SafeString:
    """The cells of a batch's main row before its actions: code (with the disclosure), status,
    created by, opened, closed, bills, total cost, flags, analyzing, kickouts, period, due."""
    row_id = batch.batch_id
    code = escape(batch.batch_code)
    creator = batch.created_by
    who = (creator.full_name or creator.user_code) if creator else None
    status = batch.batch_status.value
    kickouts = '<span class="kickouts">Yes</span>' if batch.has_imports_with_kickout else "No"
    return mark_safe(  # noqa: S308 - every value below is escaped or produced here
        '<th scope="row" class="code">'
        f'<button type="button" class="disclosure" aria-expanded="false" '
        f'aria-controls="batch-{row_id}-more" hidden>'
        f'<span class="visually-hidden">All fields of </span></button> {code}</th>'
        + _cell(f'<span class="status status-{status.lower()}">{status}</span>')
        + _cell(escape(who) if who else DASH)
        + _cell(when(batch.start_date))
        + _cell(when(batch.end_date))
        + _cell(count(batch.bill_count), "num")
        + _cell(money(batch.running_total), "num")
        + _cell(count(batch.flag_count), "num")
        + _cell(count(batch.analyzing_count), "num")
        + _cell(kickouts)
        + _cell(escape(or_dash(batch.account_period_name)))
        + _cell(escape(or_dash(batch.due_date)))
    )


@register.simple_tag
def batch_details(batch) -> SafeString:
    """Every other field of a batch, for the row's expandable part."""
    creator = batch.created_by
    fields = [
        ("Batch ID", batch.batch_id),
        (
            "Created by",
            f"{or_dash(creator.full_name)} ({or_dash(creator.user_code)}, "
            f"user ID {or_dash(creator.user_id)})"
            if creator
            else DASH,
        ),
        ("Is open", yes_no(batch.is_open)),
        ("Control code", or_dash(batch.control_code)),
        ("Invoice number", or_dash(batch.invoice_number)),
        ("Statement date", or_dash(batch.statement_date)),
        ("Next reading", or_dash(batch.next_reading)),
        (
            "Account period",
            f"{or_dash(batch.account_period_year)} / {or_dash(batch.account_period_number)}",
        ),
        ("Has imported bills", yes_no(batch.has_imported_bills)),
        ("Has logs", yes_no(batch.has_logs)),
    ]
    items = "".join(f"<div><dt>{name}</dt><dd>{escape(value)}</dd></div>" for name, value in fields)
    note = f'<div class="wide"><dt>Note</dt><dd>{escape(or_dash(batch.note))}</dd></div>'
    return mark_safe(  # noqa: S308 - escaped above
        f'<details class="more-fallback"><summary>All fields of {escape(batch.batch_code)}'
        f'</summary><dl class="batch-fields">{items}{note}</dl></details>'
    )
