"""The batch list's columns, each declared once.

The table's header and cells, a row's expanded part and the CSV export all come from COLUMNS:

- `label`: the table's header, or the name in the expanded part;
- `value`: the cell's value, a function of the batch;
- `kind`: how the cell shows it (`cell()`): code, status, when, count, money, yes_no,
  kickouts, note or text;
- `shown`: a column of the table by default (else it is in the row's expanded part); a person
  may choose others (Profile.list_columns holds their keys, `shown_columns()` reads them);
- `csv_header` / `csv_value`: the CSV's header and value, when they differ from the label and
  value. The CSV has every column, in this order.

Adding a column: one line here (and the field in batchapi.Batch).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from batchui.accounts.services import profile_of
from batchui.batchapi import Batch
from batchui.batches.action_services import (
    may_close,
    may_delete,
    may_edit,
    may_mark_pending,
    may_reopen,
)
from batchui.batches.templatetags.batch_format import DASH, count, day, money, when


@dataclass(frozen=True)
class Column:
    label: str
    value: Callable[[Batch], Any]
    kind: str = "text"
    shown: bool = False
    csv_header: str = ""
    csv_value: Callable[[Batch], Any] | None = None
    sortable: bool = True  # a click on its header sorts the list (when the list can be sorted)

    @property
    def header(self) -> str:
        return self.csv_header or self.label

    @cached_property
    def key(self) -> str:
        """The column's name in a person's choice of columns (Profile.list_columns)."""
        return slugify(self.label)

    @property
    def numeric(self) -> bool:
        return self.kind in ("count", "money")

    @property
    def order_words(self) -> tuple[str, str]:
        """What ascending and descending mean for the column, in words."""
        return ORDER_WORDS.get(self.kind, ("A to Z", "Z to A"))

    def csv(self, batch: Batch) -> str:
        return csv_text((self.csv_value or self.value)(batch))

    def cell(self, batch: Batch) -> str:
        """The cell as people read it (escaped by the template unless it is markup)."""
        value = self.value(batch)
        if value is None or value == "":
            return DASH
        show = SHOW.get(self.kind)
        return show(value) if show else value


# How a kind of cell shows its value (the others show it as it is). "when" is a date-time,
# "date" a date (or the API's text of one).
SHOW: dict[str, Callable[[Any], str]] = {
    "status": lambda v: format_html('<span class="status status-{}">{}</span>', v.lower(), v),
    "when": when,
    "date": day,
    "count": count,
    "money": money,
    "yes_no": lambda v: "Yes" if v else "No",
    "kickouts": lambda v: mark_safe('<span class="kickouts">Yes</span>') if v else "No",
}


# How a kind of column reads sorted ascending and descending (the others: A to Z, Z to A).
ORDER_WORDS: dict[str, tuple[str, str]] = {
    "when": ("oldest first", "newest first"),
    "date": ("oldest first", "newest first"),
    "count": ("smallest first", "largest first"),
    "money": ("smallest first", "largest first"),
    "yes_no": ("No first", "Yes first"),
    "kickouts": ("No first", "Yes first"),
}


def _creator(attribute: str) -> Callable[[Batch], Any]:
    return lambda b: getattr(b.created_by, attribute) if b.created_by else None


def _creator_name(batch: Batch) -> str | None:
    creator = batch.created_by
    return (creator.full_name or creator.user_code) if creator else None


COLUMNS: tuple[Column, ...] = (
    Column("Code", lambda b: b.batch_code, "code", True, csv_header="Batch code"),
    Column("Status", lambda b: b.batch_status.value, "status", True),
    Column("Created by", _creator_name, shown=True, csv_value=_creator("full_name")),
    Column("Opened", lambda b: b.start_date, "when", True),
    Column("Closed", lambda b: b.end_date, "when"),
    Column("Bills", lambda b: b.bill_count, "count", True),
    Column("Total cost", lambda b: b.running_total, "money", True),
    Column("Flags", lambda b: b.flag_count, "count", True),
    Column("Analyzing", lambda b: b.analyzing_count, "count", True),
    Column("Kickouts", lambda b: b.has_imports_with_kickout, "kickouts"),
    Column("Account period", lambda b: b.account_period_name),
    Column("Due date", lambda b: b.due_date, "date"),
    Column("Batch ID", lambda b: b.batch_id),
    Column("Created by user code", _creator("user_code")),
    Column("Created by user ID", _creator("user_id")),
    Column("Is open", lambda b: b.is_open, "yes_no"),
    Column("Statement date", lambda b: b.statement_date, "date"),
    Column("Next reading", lambda b: b.next_reading, "date"),
    Column("Control code", lambda b: b.control_code),
    Column("Invoice number", lambda b: b.invoice_number),
    Column("Account period year", lambda b: b.account_period_year),
    Column("Account period number", lambda b: b.account_period_number),
    Column("Has imported bills", lambda b: b.has_imported_bills, "yes_no"),
    Column("Has logs", lambda b: b.has_logs, "yes_no"),
    Column("Note", lambda b: b.note, "note", sortable=False),
)
SHOWN = tuple(column for column in COLUMNS if column.shown)  # the defaults
BY_KEY = {column.key: column for column in COLUMNS}
CODE = COLUMNS[0]  # always shown: it heads the row (and holds its disclosure button)
CSV_HEADER = [column.header for column in COLUMNS]


def chosen_columns(keys: Iterable[object]) -> tuple[Column, ...]:
    """The columns of these keys, in the table's order, the code first; unknown keys are ignored,
    and a choice of none (or of nothing known) is the defaults."""
    wanted = {key for key in keys if isinstance(key, str) and key in BY_KEY}
    if not wanted - {CODE.key}:
        return SHOWN
    return tuple(column for column in COLUMNS if column is CODE or column.key in wanted)


def shown_columns(user: Any) -> tuple[Column, ...]:
    """The columns this person's table shows (their choice, else the defaults)."""
    profile = getattr(user, "dashboard_profile", None)  # none for a person without a profile
    return chosen_columns(profile.list_columns if profile else ())


def columns_save(*, user: Any, keys: Iterable[str]) -> tuple[Column, ...]:
    """Keep the person's choice of columns (the defaults stored as []) and return it."""
    chosen = chosen_columns(keys)
    profile = profile_of(user=user)
    profile.list_columns = [] if chosen == SHOWN else [column.key for column in chosen]
    profile.save(update_fields=["list_columns"])
    return chosen


def csv_text(value: object) -> str:
    """A value as the CSV writes it: yes/no, plain decimals, UTC date-times with a Z."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):  # the client's are aware: written in UTC, whatever the host's
        return value.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"
    return str(value)


def batch_csv_row(batch: Batch) -> list[str]:
    return [column.csv(batch) for column in COLUMNS]


@dataclass(frozen=True)
class BatchRow:
    """What the `row` partial of batches/list.html shows for one batch. The cells are worked out
    only when the row is rendered (not when it comes from the rows' cache)."""

    batch: Batch
    may_edit: bool
    may_close: bool
    may_mark_pending: bool
    may_reopen: bool
    may_delete: bool
    shown: tuple[Column, ...] = SHOWN

    @property
    def columns_key(self) -> str:  # part of the rows' cache key
        return ",".join(column.key for column in self.shown)

    @property
    def width(self) -> int:  # the table's columns: the shown ones and the actions
        return len(self.shown) + 1

    @cached_property
    def cells(self) -> list[tuple[Column, str]]:  # the shown columns, each with its cell as shown
        return [(column, column.cell(self.batch)) for column in self.shown]

    @cached_property
    def more(self) -> list[tuple[Column, str]]:  # the others (the expanded row), the same
        return [(column, column.cell(self.batch)) for column in COLUMNS if column not in self.shown]


def batch_rows(batches: Iterable[Batch], *, user: Any) -> list[BatchRow]:
    shown = shown_columns(user)
    return [
        BatchRow(
            batch=batch,
            may_edit=may_edit(user=user, batch=batch),
            may_close=may_close(user=user, batch=batch),
            may_mark_pending=may_mark_pending(user=user, batch=batch),
            may_reopen=may_reopen(user=user, batch=batch),
            may_delete=may_delete(user=user, batch=batch),
            shown=shown,
        )
        for batch in batches
    ]
