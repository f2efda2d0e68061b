"""Reading the batch list's query string: quick filters, advanced conditions, paging.

Everything a person can choose lives in the URL, so every parser here is lenient where a wrong
value is harmless (a page number of "abc" means page 1) and precise where it is not (a condition
the API would reject gets a message next to its row, with what was typed kept).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from batchui.batchapi import FIELDS, FilterBuildError
from batchui.batchapi.filters import CONTAINMENT, DATE_SHORTCUTS, MEMBERSHIP, FieldSpec, FieldType
from batchui.batchapi.values import BatchStatus
from batchui.batches.criteria import (
    DATE_PRESETS,
    SORTABLE,
    BatchCriteria,
    Condition,
    DateRange,
    ListSort,
)
from batchui.batches.criteria import condition_filter as _condition_filter

STATUS_CHOICES = [(status.value.lower(), status.value) for status in BatchStatus]
WHO_ALL, WHO_MINE = "all", "mine"
DATE_GROUPS = ("opened", "closed")
PRESET_CHOICES = [("", "Any time"), *((preset, preset.capitalize()) for preset in DATE_PRESETS)]

PAGE_SIZES = (25, 50, 100, 250)
DEFAULT_PAGE_SIZE = 50
MAX_PAGE = 1_000_000
MAX_CONDITIONS = 15
INT32_MAX = 2**31 - 1

# Query-string keys of the advanced rows, repeated once per row: f=...&op=...&v=...&v2=...
ROW_KEYS = ("f", "op", "v", "v2")
# Keys that only edit the rows: "Add condition", "Remove" (a row's index) and "edit" (the index
# of a row whose field changed, htmx asking for the rows again).
EDIT_KEYS = ("add", "remove", "edit")

FIELD_LABELS: dict[str, str] = {
    "accountPeriod": "Account period (YYYYMM)",
    "batchCode": "Batch code",
    "batchStatus": "Status",
    "billCount": "Bills",
    "controlCode": "Control code",
    "duedate": "Due date",
    "endDate": "Closed on",
    "fullName": "Created by (full name)",
    "HasImportsWithKickout": "Has kickouts",
    "invoiceNumber": "Invoice number",
    "isOpen": "Is open",
    "nextReading": "Next reading",
    "runningTotal": "Total cost",
    "startDate": "Opened on",
    "statementDate": "Statement date",
    "systemUserCode": "Created by (user code)",
    "systemUserId": "Created by (user ID)",
}
# What a value of each field looks like (the help under an advanced row).
VALUE_HINTS: dict[str, str] = {
    "accountPeriod": "a year and month as one number, such as 202611",
    "batchCode": "text, such as JSMITH_20261122",
    "batchStatus": "Open, Pending or Closed",
    "billCount": "a whole number, such as 12",
    "controlCode": "text, such as CC-1234",
    "duedate": "a date, such as 2026-11-22",
    "endDate": "a date such as 2026-11-22, or a date and time such as 2026-11-22 14:05",
    "fullName": "a name, such as Jane Smith",
    "HasImportsWithKickout": "true or false",
    "invoiceNumber": "text, such as INV-2026-00042",
    "isOpen": "true or false",
    "nextReading": "a date, such as 2026-11-22",
    "runningTotal": "a number such as 125.50",
    "startDate": "a date such as 2026-11-22, or a date and time such as 2026-11-22 14:05",
    "statementDate": "a date, such as 2026-11-22",
    "systemUserCode": "a user code, such as JSMITH",
    "systemUserId": "a whole number, such as 12",
}
ALL_OPERATORS: tuple[str, ...] = tuple(
    dict.fromkeys(op for spec in FIELDS.values() for op in spec.operators)
)

# The operators in plain words (the URL and the API keep the API's words), by the field's type.
OPERATOR_WORDS: dict[str, str] = {
    "equals": "equals",
    "not equals": "does not equal",
    "less than": "less than",
    "greater than": "more than",
    "less than equal": "at most",
    "greater than equal": "at least",
    "like": "contains",
    "not like": "does not contain",
    "one of": "is one of",
    "not one of": "is not one of",
    "between": "between (both included)",
    "today": "today",
    "yesterday": "yesterday",
    **{f"last {n} days": f"in the last {n} days" for n in (7, 14, 30, 60, 90)},
}
_IS = {"equals": "is", "not equals": "is not"}
OPERATOR_WORDS_BY_TYPE: dict[FieldType, dict[str, str]] = {
    FieldType.DATETIME: {
        "equals": "on",
        "not equals": "not on",
        "less than": "before",
        "greater than": "after",
        "less than equal": "on or before",
        "greater than equal": "on or after",
    },
    FieldType.STATUS: _IS,
    FieldType.BOOLEAN: _IS,
}
# What an operator does, where its words alone do not say it (the help under an advanced row).
OPERATOR_HELP: dict[str, str] = {
    "like": (
        "“contains” finds the text anywhere in the value, in any letter case, so no wildcard "
        "is needed: a % or * at either end is left out."
    ),
    "not like": (
        "“does not contain” keeps values without the text anywhere in them (any letter case); "
        "a % or * at either end is left out."
    ),
    "one of": "Separate the values with |, such as Open|Pending.",
    "not one of": "Separate the values with |, such as Open|Pending.",
    "between": "Type the lowest value here and the highest in the next box: both are included.",
}
# A % or * at either end of a "contains" value: people type them as wildcards, the API takes
# them literally, and containment needs none.
WILDCARDS = "%*"


def operator_words(operator: str, kind: FieldType | None = None) -> str:
    words = OPERATOR_WORDS_BY_TYPE.get(kind, {}) if kind else {}
    return words.get(operator) or OPERATOR_WORDS.get(operator, operator)


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name)


FIELD_CHOICES = [(name, field_label(name)) for name in FIELDS]


# --- letter case ---------------------------------------------------------------------------

# Query-string keys whose values are choices, written in lower case.
LOWER_CASE_KEYS = ("status", "who", "opened", "closed", "sort")
_FIELD_NAMES = {name.casefold(): name for name in FIELDS}


def normalised(data: QueryDict) -> QueryDict:
    """The query string with its choices spelled as the list writes them, whatever letter case a
    person typed (`status=Open` is `status=open`, `f=BILLCOUNT` is `f=billCount`; an operator
    may also be given in its plain words, `op=contains`); a sort the list does not know is left
    out. Values people type (codes, condition values) are kept as they are."""
    copy = data.copy()
    for key in LOWER_CASE_KEYS:
        if key in copy:
            copy.setlist(key, [" ".join(value.split()).lower() for value in copy.getlist(key)])
    if copy.get("sort", "").removeprefix("-") not in SORTABLE:
        copy.pop("sort", None)
    fields = [_FIELD_NAMES.get(name.strip().casefold(), name) for name in copy.getlist("f")]
    if "f" in copy:
        copy.setlist("f", fields)
    if "op" in copy:
        operators = copy.getlist("op")
        copy.setlist(
            "op",
            [
                _operator_name(op, fields[i] if i < len(fields) else "")
                for i, op in enumerate(operators)
            ],
        )
    return copy


def _operator_name(text: str, field_name: str) -> str:
    """The API's operator for what was typed: its own words or the plain ones, any letter case."""
    folded = " ".join(text.split()).lower()
    if folded in ALL_OPERATORS:
        return folded
    spec = FIELDS.get(field_name)
    kind = spec.type if spec else None
    named = {operator_words(op, kind).lower(): op for op in (spec.operators if spec else ())}
    return named.get(folded, folded)


# --- quick filters ---------------------------------------------------------------------------


class IsoDateField(forms.DateField):
    """A date as year-month-day: what a date input sends, and what to type where the browser
    shows a text box (22/11/2026 could be read two ways, so it is refused)."""

    input_formats = ["%Y-%m-%d"]

    def to_python(self, value: Any) -> date | None:
        try:
            return super().to_python(value)
        except forms.ValidationError:
            raise forms.ValidationError(
                f"{self.label}: “{value.strip()}” is not a date. Type it as year-month-day, "
                "such as 2026-11-22.",
                code="invalid",
            ) from None


class QuickFilterForm(forms.Form):
    status = forms.MultipleChoiceField(choices=STATUS_CHOICES, required=False)
    who = forms.ChoiceField(choices=[(WHO_ALL, "Everyone"), (WHO_MINE, "Mine")], required=False)
    code = forms.CharField(max_length=255, required=False)
    opened = forms.ChoiceField(choices=PRESET_CHOICES, required=False)
    opened_from = IsoDateField(label="Opened from", required=False)
    opened_to = IsoDateField(label="Opened to", required=False)
    closed = forms.ChoiceField(choices=PRESET_CHOICES, required=False)
    closed_from = IsoDateField(label="Closed from", required=False)
    closed_to = IsoDateField(label="Closed to", required=False)

    def __init__(self, *args: Any, user_code: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user_code = user_code

    @property
    def date_groups(self) -> list[tuple[str, forms.BoundField, forms.BoundField, forms.BoundField]]:
        """Each date group's name, period, from and to (whose messages show under the group)."""
        return [
            (name, self[name], self[f"{name}_from"], self[f"{name}_to"]) for name in DATE_GROUPS
        ]

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip(WILDCARDS)  # "contains" needs no wildcard

    def clean_who(self) -> str:
        who = self.cleaned_data.get("who") or WHO_ALL
        if who == WHO_MINE and not self.user_code:
            raise forms.ValidationError(NO_USER_CODE)
        return who

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for group in DATE_GROUPS:
            preset = cleaned.get(group)
            start, end = cleaned.get(f"{group}_from"), cleaned.get(f"{group}_to")
            if preset and (start or end):
                self.add_error(group, "Choose a period or dates, not both.")
            elif start and end and start > end:
                self.add_error(group, "The “from” date is after the “to” date.")
        return cleaned


NO_USER_CODE = (
    "Your profile has no EnergyCAP user code, so your own batches cannot be told apart. "
    "Ask an administrator to set it."
)


# --- advanced conditions --------------------------------------------------------------------


@dataclass
class ConditionRow:
    """One advanced row as typed (kept as text so nothing is lost) and its error, if any."""

    index: int
    field: str = ""
    operator: str = ""
    value: str = ""
    value2: str = ""
    error: str = ""
    condition: Condition | None = None

    @property
    def blank(self) -> bool:
        return not (self.field or self.value.strip() or self.value2.strip())

    @property
    def spec(self) -> FieldSpec | None:
        return FIELDS.get(self.field)

    @property
    def operators(self) -> tuple[str, ...]:
        spec = self.spec
        return spec.operators if spec else ALL_OPERATORS

    @property
    def operator_choices(self) -> list[tuple[str, str]]:
        """(API operator, plain words) of the row's field."""
        kind = self.spec.type if self.spec else None
        return [(operator, operator_words(operator, kind)) for operator in self.operators]

    @property
    def hint(self) -> str:
        spec = self.spec
        return VALUE_HINTS[spec.name] if spec else ""

    @property
    def help(self) -> str:
        """What a value looks like and, where it needs saying, what the operator does."""
        if not self.spec:
            return "Choose a field to see what its values look like."
        if self.operator in DATE_SHORTCUTS:
            return f"“{operator_words(self.operator)}” takes no value."
        operator = self.operator or ("like" if self.spec.type is FieldType.STRING else "")
        more = OPERATOR_HELP.get(operator, "")
        return f"Type {self.hint}." + (f" {more}" if more else "")


def condition_rows(data: QueryDict) -> list[ConditionRow]:
    """The rows of the query string, with the no-JS "Add condition" / "Remove" applied."""
    columns = [data.getlist(key) for key in ROW_KEYS]
    count = max(len(column) for column in columns)
    rows = [
        ConditionRow(i, *(column[i] if i < len(column) else "" for column in columns))
        for i in range(count)
    ]
    editing = any(key in data for key in EDIT_KEYS)
    remove = data.get("remove", "")
    if remove.isdigit() and int(remove) < len(rows):
        del rows[int(remove)]
    if not editing:
        rows = [row for row in rows if not row.blank]
    if "add" in data or not rows:
        rows.append(ConditionRow(len(rows)))
    for i, row in enumerate(rows):
        row.index = i
    return rows


def parse_value(spec: FieldSpec, text: str) -> Any:
    """A typed value for the field from what a person typed; ValueError with a message if not."""
    text = text.strip()
    if not text:
        raise ValueError("Enter a value.")
    kind = spec.type
    if kind is FieldType.STRING:
        return text
    if kind is FieldType.STATUS:
        try:
            return BatchStatus.parse(text)
        except ValueError:
            raise ValueError("Enter Open, Pending or Closed.") from None
    if kind in (FieldType.INTEGER, FieldType.NUMBER):
        try:
            number = int(text.replace(",", ""))
        except ValueError:
            raise ValueError(f"“{text}” is not {VALUE_HINTS[spec.name].split(',')[0]}.") from None
        if abs(number) > INT32_MAX:
            raise ValueError(f"{number:,} is too large.")
        return number
    if kind is FieldType.DOUBLE:
        try:
            amount = Decimal(text.replace(",", "").replace("$", ""))
        except InvalidOperation:
            raise ValueError(f"“{text}” is not an amount.") from None
        if not amount.is_finite():
            raise ValueError(f"“{text}” is not an amount.")
        return amount
    if kind is FieldType.BOOLEAN:
        folded = text.casefold()
        if folded in ("true", "yes", "1"):
            return True
        if folded in ("false", "no", "0"):
            return False
        raise ValueError("Enter true or false.")
    return _parse_date_or_datetime(text)


def _parse_date_or_datetime(text: str) -> date | datetime:
    try:
        day = parse_date(text)
        if day is not None:
            return day
        moment = parse_datetime(text)
    except ValueError:
        moment = None
    if moment is None:
        raise ValueError(
            f"“{text}” is not a date (2026-11-22) or a date and time (2026-11-22 14:05)."
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _values(row: ConditionRow, spec: FieldSpec, operator: str) -> tuple[Any, ...]:
    if operator in DATE_SHORTCUTS:
        return ()
    if operator == "between":
        if not row.value.strip() or not row.value2.strip():
            raise ValueError("“between” needs both values.")
        low, high = parse_value(spec, row.value), parse_value(spec, row.value2)
        try:
            reversed_range = low > high
        except TypeError:  # a date and a date-time: the API compares calendar dates
            reversed_range = False
        if reversed_range:
            raise ValueError("The first value is greater than the second.")
        return (low, high)
    if operator in CONTAINMENT:
        text = row.value.strip().strip(WILDCARDS)
        if not text.strip():
            raise ValueError("Enter the text to look for (a % or * alone finds everything).")
        return (parse_value(spec, text),)
    if operator in MEMBERSHIP:
        parts = [part for part in row.value.split("|") if part.strip()]
        if not parts:
            raise ValueError("Enter one or more values, separated by |.")
        return tuple(parse_value(spec, part) for part in parts)
    return (parse_value(spec, row.value),)


def validate_row(row: ConditionRow) -> None:
    """Set `row.condition`, or `row.error` with what is wrong."""
    spec = row.spec
    if not row.field:
        row.error = "Choose a field."
        return
    if spec is None:
        row.error = f"“{row.field}” is not a field the list can filter on."
        return
    operator = " ".join(row.operator.split()).lower()
    if not operator:
        row.error = "Choose an operator."
        return
    if operator not in spec.operators:
        row.error = (
            f"“{operator}” cannot be used with {field_label(spec.name)}; choose one of: "
            f"{', '.join(words for _, words in row.operator_choices)}."
        )
        return
    try:
        condition = Condition(spec.name, operator, _values(row, spec, operator))
        _condition_filter(condition)
    except (ValueError, FilterBuildError) as error:  # FilterBuildError is a ValueError
        row.error = str(error)
        return
    row.condition = condition


# --- the whole filter -----------------------------------------------------------------------


@dataclass
class BatchFilterForm:
    """Quick filters and advanced rows of one query string, validated together."""

    data: QueryDict
    user_code: str = ""
    quick: QuickFilterForm = field(init=False)
    rows: list[ConditionRow] = field(init=False)
    too_many: bool = field(init=False, default=False)
    focus_row: int | None = field(init=False, default=None)  # whose field to focus, after edits

    def __post_init__(self) -> None:
        self.data = normalised(self.data)
        self.quick = QuickFilterForm(self.data, user_code=self.user_code)
        self.rows = condition_rows(self.data)
        for row in self.rows:
            if not row.blank:
                validate_row(row)
        self.too_many = sum(1 for row in self.rows if not row.blank) > MAX_CONDITIONS
        last = len(self.rows) - 1
        remove, edit = self.data.get("remove", ""), self.data.get("edit", "")
        if "add" in self.data:
            self.focus_row = last
        elif remove.isdigit():
            self.focus_row = min(int(remove), last)
        elif edit.isdigit():
            self.focus_row = min(int(edit), last)

    @property
    def sort(self) -> ListSort | None:
        """The order asked for (the search sorts only what fits in one API page)."""
        return sort_from(self.data)

    def is_valid(self) -> bool:
        rows_ok = not self.too_many and not any(row.error for row in self.rows)
        return self.quick.is_valid() and rows_ok

    @property
    def criteria(self) -> BatchCriteria:
        """The typed criteria; only after is_valid() returned True."""
        data = self.quick.cleaned_data
        return BatchCriteria(
            statuses=tuple(BatchStatus.parse(status) for status in data["status"]),
            created_by_code=self.user_code if data["who"] == WHO_MINE else None,
            code_contains=data["code"],
            opened=DateRange(data["opened"] or None, data["opened_from"], data["opened_to"]),
            closed=DateRange(data["closed"] or None, data["closed_from"], data["closed_to"]),
            conditions=tuple(row.condition for row in self.rows if row.condition),
        )


# --- paging ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paging:
    page: int
    size: int


def paging_from(data: QueryDict) -> Paging:
    """Page and page size; nonsense becomes page 1 / the default size, huge pages are capped."""
    try:
        page = int(data.get("page", "1"))
    except ValueError:
        page = 1
    try:
        size = int(data.get("size", DEFAULT_PAGE_SIZE))
    except ValueError:
        size = DEFAULT_PAGE_SIZE
    return Paging(
        page=min(max(page, 1), MAX_PAGE),
        size=size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE,
    )


def sort_from(data: QueryDict) -> ListSort | None:
    """The order asked for (`sort=bills`, `sort=-bills`, any letter case); None for none or a
    column that cannot be sorted."""
    text = data.get("sort", "").strip().lower()
    key = text.removeprefix("-")
    return ListSort(key, descending=text.startswith("-")) if key in SORTABLE else None


# --- saved views ----------------------------------------------------------------------------


class SavedViewForm(forms.Form):
    name = forms.CharField(max_length=80, strip=True)
    query = forms.CharField(max_length=4000, required=False, strip=True)


def list_query(data: QueryDict) -> str:
    """The query string of a list view (normalised) without paging, form edits, empty inputs and
    "who=all".

    Advanced rows are kept whole (their keys are positional), one after the other, unless they
    are entirely blank.
    """
    data = normalised(data)
    rows = [row for row in condition_rows(_without(data, EDIT_KEYS)) if not row.blank]
    pairs = [
        (key, value)
        for key, values in data.lists()
        if key not in ROW_KEYS and key not in EDIT_KEYS and key != "page"
        for value in values
        if value.strip() and not (key == "who" and value == WHO_ALL)
    ]
    for row in rows:
        pairs.extend(zip(ROW_KEYS, (row.field, row.operator, row.value, row.value2), strict=True))
    return urlencode(pairs)


def _without(data: QueryDict, keys: tuple[str, ...]) -> QueryDict:
    copy = data.copy()
    for key in keys:
        copy.pop(key, None)
    return copy
