"""A builder for GET /api/v3/batch's `filter=` parameter that makes wrong filters hard to write.

    Filter.where("batchStatus", "one of", "Open", "Pending")
        & Filter.where("billCount", "between", 1, 10)
        & Filter.where("startDate", "last 7 days")

Each statement's field and operator are checked against the endpoint's table (FIELDS, copied from
the seed document `list-batches.GET.txt`), its values against the field's type; every value is
single-quoted with `'` doubled, so nothing a person types can change the filter's structure.
`str(filter)` is the text to send.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from batchui.batchapi.dates import format_api_date
from batchui.batchapi.values import BatchStatus


class FilterBuildError(ValueError):
    """A filter statement that the API would reject (or misread)."""


class FieldType(enum.Enum):
    STRING = "text"
    INTEGER = "a whole number"
    NUMBER = "a whole number (YYYYMM)"
    DOUBLE = "a number"
    BOOLEAN = "True or False"
    DATETIME = "a date or datetime"
    STATUS = "Open, Pending or Closed"


EQUALITY = ("equals", "not equals")
ORDERING = ("less than", "greater than", "less than equal", "greater than equal")
MEMBERSHIP = ("one of", "not one of")
CONTAINMENT = ("like", "not like")
BETWEEN = ("between",)
DATE_SHORTCUTS = ("today", "yesterday", *(f"last {n} days" for n in (7, 14, 30, 60, 90)))
STRING_OPERATORS = EQUALITY + MEMBERSHIP + CONTAINMENT
COMPARISONS = EQUALITY + ORDERING


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    type: FieldType
    operators: tuple[str, ...]


# The seed's table: field name as the API spells it, type, allowed operators.
FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in (
        FieldSpec("accountPeriod", FieldType.NUMBER, COMPARISONS + BETWEEN),
        FieldSpec("batchCode", FieldType.STRING, STRING_OPERATORS),
        FieldSpec("batchStatus", FieldType.STATUS, EQUALITY + MEMBERSHIP),
        FieldSpec("billCount", FieldType.INTEGER, COMPARISONS + BETWEEN + MEMBERSHIP),
        FieldSpec("controlCode", FieldType.STRING, STRING_OPERATORS),
        FieldSpec("duedate", FieldType.STRING, STRING_OPERATORS),
        FieldSpec("endDate", FieldType.DATETIME, COMPARISONS + BETWEEN + DATE_SHORTCUTS),
        FieldSpec("fullName", FieldType.STRING, STRING_OPERATORS),
        FieldSpec("HasImportsWithKickout", FieldType.BOOLEAN, ("equals",)),
        FieldSpec("invoiceNumber", FieldType.STRING, STRING_OPERATORS),
        FieldSpec("isOpen", FieldType.BOOLEAN, ("equals",)),
        FieldSpec("nextReading", FieldType.STRING, STRING_OPERATORS),
        FieldSpec("runningTotal", FieldType.DOUBLE, COMPARISONS + BETWEEN),
        FieldSpec("startDate", FieldType.DATETIME, COMPARISONS + BETWEEN + DATE_SHORTCUTS),
        FieldSpec("statementDate", FieldType.STRING, STRING_OPERATORS),
        FieldSpec("systemUserCode", FieldType.STRING, STRING_OPERATORS),
        FieldSpec("systemUserId", FieldType.INTEGER, COMPARISONS + BETWEEN + MEMBERSHIP),
    )
}

# Lookup keys ignore case and underscores: "billCount", "billcount" and "bill_count" all work.
_FIELD_KEYS = {name.casefold(): spec for name, spec in FIELDS.items()}


def _field(name: str) -> FieldSpec:
    if not isinstance(name, str):
        raise FilterBuildError(f"A filter field is a name, not {type(name).__name__}.")
    spec = _FIELD_KEYS.get(name.replace("_", "").casefold())
    if spec is None:
        raise FilterBuildError(f"Unknown filter field {name!r}. Known fields: {', '.join(FIELDS)}.")
    return spec


def _operator(spec: FieldSpec, operator: str) -> str:
    normal = " ".join(str(operator).split()).lower()
    if normal not in spec.operators:
        raise FilterBuildError(
            f"Operator {operator!r} cannot be used with {spec.name}; "
            f"allowed: {', '.join(spec.operators)}."
        )
    return normal


def _arity_error(spec: FieldSpec, operator: str, wanted: str, got: int) -> FilterBuildError:
    return FilterBuildError(f"{spec.name} {operator} takes {wanted}, got {got}.")


def _render(spec: FieldSpec, value: Any) -> str:
    """The text of one value for the field's type (before quoting)."""
    kind = spec.type
    if kind is FieldType.STRING and isinstance(value, str):
        return value
    if kind is FieldType.STATUS and isinstance(value, str):
        try:
            return BatchStatus.parse(value).value
        except ValueError:
            pass
    elif kind in (FieldType.INTEGER, FieldType.NUMBER):
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    elif kind is FieldType.DOUBLE:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, float | Decimal):
            number = Decimal(repr(value)) if isinstance(value, float) else value
            if number.is_finite():
                return format(number, "f")
    elif kind is FieldType.BOOLEAN:
        if isinstance(value, bool):
            return "true" if value else "false"
    elif kind is FieldType.DATETIME and isinstance(value, date):
        return format_api_date(value)
    raise FilterBuildError(
        f"{spec.name} needs {kind.value}, not {value!r} ({type(value).__name__})."
    )


def quote(text: str) -> str:
    """A filter value: single-quoted, with every `'` doubled."""
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True, slots=True)
class Statement:
    field: str
    operator: str
    values: tuple[str, ...]

    def __str__(self) -> str:
        head = f"{self.field} {self.operator}"
        if not self.values:
            return head
        return head + " " + "|".join(quote(value) for value in self.values)


def _flatten(values: tuple[Any, ...]) -> tuple[Any, ...]:
    # where("batchStatus", "one of", ["Open", "Pending"]) is the same as passing them one by one.
    if len(values) == 1 and isinstance(values[0], list | tuple | set | frozenset):
        items = values[0]
        return tuple(sorted(items, key=repr) if isinstance(items, set | frozenset) else items)
    return values


@dataclass(frozen=True, slots=True)
class Filter:
    """An immutable conjunction of statements; `a & b` is both. `Filter()` filters nothing."""

    statements: tuple[Statement, ...] = ()

    @classmethod
    def where(cls, field: str, operator: str, *values: Any) -> Filter:
        """One statement, checked against the field table; FilterBuildError when it is wrong."""
        spec = _field(field)
        normal = _operator(spec, operator)
        values = _flatten(values)
        if normal in DATE_SHORTCUTS:
            if values:
                raise _arity_error(spec, normal, "no value", len(values))
        elif normal == "between":
            if len(values) != 2:
                raise _arity_error(spec, normal, "exactly two values", len(values))
        elif normal in MEMBERSHIP:
            if not values:
                raise _arity_error(spec, normal, "one or more values", 0)
        elif len(values) != 1:
            raise _arity_error(spec, normal, "exactly one value", len(values))
        rendered = tuple(_render(spec, value) for value in values)
        return cls((Statement(spec.name, normal, rendered),))

    @classmethod
    def all(cls, *parts: Filter) -> Filter:
        """All the given filters at once (an empty call filters nothing)."""
        return cls(tuple(statement for part in parts for statement in part.statements))

    def __and__(self, other: Filter) -> Filter:
        if not isinstance(other, Filter):
            return NotImplemented
        return Filter(self.statements + other.statements)

    def __bool__(self) -> bool:
        return bool(self.statements)

    def __str__(self) -> str:
        return " and ".join(str(statement) for statement in self.statements)

    def __repr__(self) -> str:
        return f"Filter({str(self)!r})"
