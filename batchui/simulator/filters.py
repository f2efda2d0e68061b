"""The `filter=` language of GET /api/v3/batch, parsed and translated to one Django query.

Grammar (field names and operator words match case-insensitively; runs of whitespace count as one):

    filter    := statement ( WS "and" WS statement )*        -- empty or blank text: no filter
    statement := field WS operator [ WS? values ]
    values    := quoted ( WS? "|" WS? quoted )*
    quoted    := "'" ( any character except "'" | "''" )* "'"  -- "''" stands for one "'"

The fields and the operators each one allows are those of the seed document's table. A value can
hold anything, ` and `, `|` and quotes included, which is why this is a character scanner and not
a split on " and ". Positions in error messages count characters from 1.

Semantics ([ours] where EnergyCAP is silent, see batch-api.md): string comparisons are
case-insensitive (casefolded), `like` is containment without wildcards; a date-only value compares
calendar dates in SIMULATOR_TIME_ZONE, a date-time value compares instants (one without an offset
is read in that zone, as the simulator writes them); a null column matches no positive operator
and does match the negated ones (`~Q` gives this on nullable columns).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.utils import timezone

from batchui.simulator.models import Batch, BatchStatus, fold
from batchui.simulator.serializers import api_zone

MAX_STATEMENTS = 20
MAX_VALUES = 100
MAX_VALUE_LENGTH = 1000

EQUALS, NOT_EQUALS = "equals", "not equals"
LESS, GREATER = "less than", "greater than"
LESS_EQUAL, GREATER_EQUAL = "less than equal", "greater than equal"
BETWEEN, NOT_BETWEEN = "between", "not between"
ONE_OF, NOT_ONE_OF = "one of", "not one of"
LIKE, NOT_LIKE = "like", "not like"
TODAY, YESTERDAY = "today", "yesterday"
LAST_DAYS = {f"last {n} days": n for n in (7, 14, 30, 60, 90)}
SHORTCUTS = (TODAY, YESTERDAY, *LAST_DAYS)
LISTS = frozenset({ONE_OF, NOT_ONE_OF})
RANGES = frozenset({BETWEEN, NOT_BETWEEN})
# A negated operator selects the rows its positive form does not select, nulls included.
NEGATIONS = {NOT_EQUALS: EQUALS, NOT_BETWEEN: BETWEEN, NOT_ONE_OF: ONE_OF, NOT_LIKE: LIKE}
COMPARISONS = (EQUALS, NOT_EQUALS, LESS, GREATER, LESS_EQUAL, GREATER_EQUAL)
STRING_OPERATORS = (EQUALS, NOT_EQUALS, ONE_OF, NOT_ONE_OF, LIKE, NOT_LIKE)
OPERATORS = frozenset({*COMPARISONS, *STRING_OPERATORS, *RANGES, *SHORTCUTS})
_OPERATOR_WORDS = frozenset(word for op in OPERATORS for word in op.split() if word.isalpha())


class FilterError(ValueError):
    """The filter text is not valid; `message` says what is wrong, for a 400 answer."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Statement:
    """One `<field> <operator> <values>` statement, with canonical field and operator names."""

    field: str
    operator: str
    values: tuple[str, ...]


class Kind(Enum):
    """A field's type; its value is an example of a value, for messages."""

    INTEGER = "10"
    DOUBLE = "100.5"
    BOOLEAN = "true"
    DATETIME = "2024-03-31"
    STRING = "text"
    STATUS = "Open"


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    column: str
    operators: tuple[str, ...]
    # STRING only: True when `column` already holds the casefolded text (a `*_ci` shadow column),
    # False for the ASCII date strings compared with iexact/icontains.
    folded: bool = False


FIELDS = (
    Field("accountPeriod", Kind.INTEGER, "account_period", (*COMPARISONS, BETWEEN)),
    Field("batchCode", Kind.STRING, "batch_code_ci", STRING_OPERATORS, folded=True),
    Field("batchStatus", Kind.STATUS, "batch_status", (EQUALS, NOT_EQUALS, ONE_OF, NOT_ONE_OF)),
    Field("billCount", Kind.INTEGER, "bill_count", (*COMPARISONS, BETWEEN, ONE_OF, NOT_ONE_OF)),
    Field("controlCode", Kind.STRING, "control_code_ci", STRING_OPERATORS, folded=True),
    Field("duedate", Kind.STRING, "due_date", STRING_OPERATORS),
    Field("endDate", Kind.DATETIME, "end_date", (*COMPARISONS, BETWEEN, *SHORTCUTS)),
    Field("fullName", Kind.STRING, "created_by__full_name_ci", STRING_OPERATORS, folded=True),
    Field("HasImportsWithKickout", Kind.BOOLEAN, "has_imports_with_kickout", (EQUALS,)),
    Field("invoiceNumber", Kind.STRING, "invoice_number_ci", STRING_OPERATORS, folded=True),
    # Not a column: true exactly when batch_status is Open (see _boolean_q).
    Field("isOpen", Kind.BOOLEAN, "batch_status", (EQUALS,)),
    Field("nextReading", Kind.STRING, "next_reading", STRING_OPERATORS),
    Field("runningTotal", Kind.DOUBLE, "running_total", (*COMPARISONS, BETWEEN)),
    Field("startDate", Kind.DATETIME, "start_date", (*COMPARISONS, BETWEEN, *SHORTCUTS)),
    Field("statementDate", Kind.STRING, "statement_date", STRING_OPERATORS),
    Field("systemUserCode", Kind.STRING, "created_by__user_code_ci", STRING_OPERATORS, folded=True),
    Field(
        "systemUserId", Kind.INTEGER, "created_by_id", (*COMPARISONS, BETWEEN, ONE_OF, NOT_ONE_OF)
    ),
)
_FIELDS_BY_KEY = {field.name.lower(): field for field in FIELDS}


# ---------------------------------------------------------------------------------------------
# Scanning and parsing


def parse_filter(text: str | None) -> list[Statement]:
    """Parse and validate a filter (fields, operators, value counts and types).

    Raises FilterError naming the problem. Empty or blank text gives [].
    """
    if text is None or not text.strip():
        return []
    if "\x00" in text:
        raise FilterError(
            f"The filter contains a NUL character at position {text.index(chr(0)) + 1}."
        )
    scanner = _Scanner(text)
    scanner.skip_space()
    statements: list[Statement] = []
    while True:
        statements.append(_statement(scanner))
        spaced = scanner.skip_space()
        if scanner.at_end():
            break
        start = scanner.pos
        word = scanner.word()
        if not (spaced and word is not None and word.lower() == "and"):
            raise FilterError(f"Expected 'and' between statements at position {start + 1}.")
        if not scanner.skip_space() or scanner.at_end():
            raise FilterError(f"Expected a statement after 'and' at position {scanner.pos + 1}.")
        if len(statements) >= MAX_STATEMENTS:
            raise FilterError(f"A filter can hold at most {MAX_STATEMENTS} statements.")
    return statements


_SPACE = re.compile(r"\s*")
_WORD = re.compile(r"[^\s'|]+")


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self) -> str:
        return "" if self.at_end() else self.text[self.pos]

    def skip_space(self) -> bool:
        start, self.pos = self.pos, _SPACE.match(self.text, self.pos).end()
        return self.pos > start

    def word(self) -> str | None:
        """A bare word: a run of characters other than whitespace, quotes and `|`."""
        match = _WORD.match(self.text, self.pos)
        if match:
            self.pos = match.end()
        return match[0] if match else None

    def quoted(self) -> str:
        """The value of the quoted string at the current position ("''" read as "'")."""
        start = self.pos
        self.pos += 1
        parts: list[str] = []
        while True:
            end = self.text.find("'", self.pos)
            if end < 0:
                raise FilterError(f"Unterminated quoted value starting at position {start + 1}.")
            parts.append(self.text[self.pos : end])
            self.pos = end + 1
            if self.peek() != "'":
                return "".join(parts)
            parts.append("'")
            self.pos += 1


def _statement(scanner: _Scanner) -> Statement:
    start = scanner.pos
    name = scanner.word()
    if name is None:
        raise FilterError(f"Expected a field name at position {start + 1}.")
    field = _FIELDS_BY_KEY.get(name.lower()) if name.isascii() else None
    if field is None:
        names = ", ".join(f.name for f in FIELDS)
        raise FilterError(f"Unknown filter field '{_shorten(name)}'. Fields: {names}.")
    operator = _operator(scanner, field)
    values = _values(scanner, field, operator)
    for value in values:
        _convert(field, value)
    return Statement(field.name, operator, values)


def _operator(scanner: _Scanner, field: Field) -> str:
    """Read the operator words after a field; leave the scanner just after the operator."""
    field_end = scanner.pos
    words: list[tuple[str, int]] = []  # (lower-case word, position after it)
    while True:
        mark = scanner.pos
        scanner.skip_space()
        word = scanner.word()
        if word is None or word.lower() == "and":
            scanner.pos = mark
            break
        words.append((word.lower(), scanner.pos))
    if not words:
        raise FilterError(
            f"Missing operator after field '{field.name}' at position {field_end + 1}. "
            f"Allowed: {', '.join(field.operators)}."
        )
    spoken = [word for word, _ in words]
    # The longest run of leading words that names an operator; what follows it must be values
    # (a missing quote) or the next 'and'.
    count = next((n for n in range(len(spoken), 0, -1) if " ".join(spoken[:n]) in OPERATORS), 0)
    leftover = spoken[count:]
    if count == 0 or (leftover and leftover[0] in _OPERATOR_WORDS):
        raise FilterError(
            f"Unknown operator '{_shorten(' '.join(spoken))}' for field '{field.name}'. "
            f"Allowed: {', '.join(field.operators)}."
        )
    operator = " ".join(spoken[:count])
    if operator not in field.operators:
        raise FilterError(
            f"Operator '{operator}' is not allowed for field '{field.name}'. "
            f"Allowed: {', '.join(field.operators)}."
        )
    if leftover and operator not in SHORTCUTS:
        raise _unquoted(field)
    scanner.pos = words[count - 1][1]
    return operator


def _values(scanner: _Scanner, field: Field, operator: str) -> tuple[str, ...]:
    mark = scanner.pos
    scanner.skip_space()
    if operator in SHORTCUTS:
        if scanner.peek() == "'":
            raise FilterError(f"Operator '{operator}' takes no value.")
        scanner.pos = mark
        return ()
    if scanner.peek() != "'":
        next_word = scanner.word()
        if next_word is None or next_word.lower() == "and":  # the end, a '|' or the next statement
            raise _count_error(field, operator)
        raise _unquoted(field)
    values = [scanner.quoted()]
    while True:
        mark = scanner.pos
        scanner.skip_space()
        if scanner.peek() != "|":
            scanner.pos = mark
            break
        scanner.pos += 1
        scanner.skip_space()
        if scanner.peek() != "'":
            raise FilterError(f"Expected a quoted value after '|' at position {scanner.pos + 1}.")
        values.append(scanner.quoted())
    if operator in RANGES:
        if len(values) != 2:
            raise _count_error(field, operator)
    elif operator in LISTS:
        if len(values) > MAX_VALUES:
            raise FilterError(f"Operator '{operator}' takes at most {MAX_VALUES} values.")
    elif len(values) != 1:
        hint = f" Use '{ONE_OF}' for a list." if ONE_OF in field.operators else ""
        raise FilterError(f"Operator '{operator}' takes exactly one value.{hint}")
    for value in values:
        if len(value) > MAX_VALUE_LENGTH:
            raise FilterError(
                f"A value for field '{field.name}' is longer than {MAX_VALUE_LENGTH} characters."
            )
    return tuple(values)


def _unquoted(field: Field) -> FilterError:
    return FilterError(
        f"Value for field '{field.name}' must be in single quotes, like '{field.kind.value}'."
    )


def _count_error(field: Field, operator: str) -> FilterError:
    if operator in RANGES:
        return FilterError(f"Operator '{operator}' needs exactly two values, like 'a'|'b'.")
    if operator in LISTS:
        return FilterError(f"Operator '{operator}' needs one or more values, like 'a'|'b'.")
    example = field.kind.value
    return FilterError(f"Operator '{operator}' needs a value in single quotes, like '{example}'.")


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------------
# Typed values

_INTEGER = re.compile(r"[+-]?[0-9]+")
_DOUBLE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ].+")
_INT32 = range(-(2**31), 2**31)
_STATUSES = {status.value.lower(): status.value for status in BatchStatus}


@dataclass(frozen=True)
class _Moment:
    """A date-time value: an instant, or (date-only) the whole day from `first` to `after`."""

    first: datetime
    after: datetime | None = None  # next midnight for a date-only value; None past date.max
    whole_day: bool = False


def _convert(field: Field, value: str) -> object:
    """The typed form of `value` for `field`; FilterError when it does not parse."""
    if field.kind is Kind.STRING:
        return value
    text = value.strip()
    shown = f"Value '{_shorten(value)}' for field '{field.name}'"
    if field.kind is Kind.INTEGER:
        if not _INTEGER.fullmatch(text):
            raise FilterError(f"{shown} is not an integer.")
        number = int(text)
        if number not in _INT32:
            raise FilterError(f"{shown} is out of range for a 32-bit integer.")
        return number
    if field.kind is Kind.DOUBLE:
        real = float(text) if _DOUBLE.fullmatch(text) else math.nan
        if not math.isfinite(real):
            raise FilterError(f"{shown} is not a number.")
        return real
    if field.kind is Kind.BOOLEAN:
        if text.lower() not in ("true", "false"):
            raise FilterError(f"{shown} is not a boolean: use 'true' or 'false'.")
        return text.lower() == "true"
    if field.kind is Kind.STATUS:
        if text.lower() not in _STATUSES:
            raise FilterError(f"{shown} is not a batch status: use 'Open', 'Pending' or 'Closed'.")
        return _STATUSES[text.lower()]
    return _moment(text, shown)


def _moment(text: str, shown: str) -> _Moment:
    try:
        if _DATE.fullmatch(text):
            return _whole_day(date.fromisoformat(text))
        if _DATETIME.fullmatch(text):
            instant = datetime.fromisoformat(text)
            if instant.tzinfo is None:
                instant = instant.replace(tzinfo=api_zone())
            return _Moment(instant.astimezone(UTC))
    except (ValueError, OverflowError):
        pass
    raise FilterError(
        f"{shown} is not a date or date-time, like '2024-03-31' or '2024-03-31T08:00:00Z'."
    )


def _whole_day(day: date) -> _Moment:
    """The day in api_zone(), midnight to midnight (23 or 25 hours on a change of clocks)."""
    first = datetime.combine(day, time.min, tzinfo=api_zone()).astimezone(UTC)
    if day == date.max:
        return _Moment(first, None, whole_day=True)
    after = datetime.combine(day + timedelta(days=1), time.min, tzinfo=api_zone())
    return _Moment(first, after.astimezone(UTC), whole_day=True)


# ---------------------------------------------------------------------------------------------
# Translation to Q objects


def apply_filter(
    queryset: QuerySet[Batch], text: str | None, *, now: datetime | None = None
) -> QuerySet[Batch]:
    """`queryset` narrowed by the filter text, in one `.filter()` (FilterError when invalid).

    `now` (default: the current time) anchors `today`, `yesterday` and `last N days`, in
    api_zone().
    """
    statements = parse_filter(text)
    if not statements:
        return queryset
    now = now or timezone.now()
    if timezone.is_naive(now):
        now = now.replace(tzinfo=api_zone())
    today = now.astimezone(api_zone()).date()
    condition = Q()
    for statement in statements:
        condition &= _statement_q(statement, today=today)
    return queryset.filter(condition)


def _statement_q(statement: Statement, *, today: date) -> Q:
    """The Q object selecting the batches one parsed statement selects."""
    field = _FIELDS_BY_KEY[statement.field.lower()]
    operator = statement.operator
    if operator in NEGATIONS:
        return ~_statement_q(
            Statement(statement.field, NEGATIONS[operator], statement.values), today=today
        )
    values = [_convert(field, value) for value in statement.values]
    if field.kind is Kind.DATETIME:
        return _datetime_q(field.column, operator, values, today)
    if field.kind is Kind.BOOLEAN:
        return _boolean_q(field, values[0])
    if field.kind is Kind.STRING:
        return _string_q(field, operator, values)
    return _ordered_q(field.column, operator, values)


def _boolean_q(field: Field, value: object) -> Q:
    if field.name == "isOpen":
        is_open = Q(batch_status=BatchStatus.OPEN)
        return is_open if value else ~is_open
    return Q(**{field.column: value})


def _string_q(field: Field, operator: str, values: list) -> Q:
    folded = [fold(value) for value in values]
    column = field.column
    if field.folded:
        lookups = {EQUALS: column, LIKE: f"{column}__contains"}
        if operator == ONE_OF:
            return Q(**{f"{column}__in": folded})
        return Q(**{lookups[operator]: folded[0]})
    lookups = {
        EQUALS: f"{column}__iexact",
        ONE_OF: f"{column}__iexact",
        LIKE: f"{column}__icontains",
    }
    return reduce(or_, (Q(**{lookups[operator]: value}) for value in folded))


def _ordered_q(column: str, operator: str, values: list) -> Q:
    """Integers, doubles and the (canonical) batch status."""
    if operator == ONE_OF:
        return Q(**{f"{column}__in": values})
    if operator == BETWEEN:
        return Q(**{f"{column}__gte": values[0], f"{column}__lte": values[1]})
    suffix = {
        EQUALS: "",
        LESS: "__lt",
        GREATER: "__gt",
        LESS_EQUAL: "__lte",
        GREATER_EQUAL: "__gte",
    }
    return Q(**{column + suffix[operator]: values[0]})


def _datetime_q(column: str, operator: str, values: list, today: date) -> Q:
    if operator in SHORTCUTS:
        last = today - timedelta(days=1) if operator == YESTERDAY else today
        first = last - timedelta(days=LAST_DAYS.get(operator, 1) - 1)
        return _on_or_after(column, _whole_day(first)) & _on_or_before(column, _whole_day(last))
    if operator == BETWEEN:
        return _on_or_after(column, values[0]) & _on_or_before(column, values[1])
    moment = values[0]
    if operator == EQUALS:
        return _on_or_after(column, moment) & _on_or_before(column, moment)
    if operator == GREATER_EQUAL:
        return _on_or_after(column, moment)
    if operator == LESS_EQUAL:
        return _on_or_before(column, moment)
    if operator == LESS:
        return Q(**{f"{column}__lt": moment.first})
    return _after(column, moment)


# Ranges on the indexed DateTimeField: a whole day ends before the next midnight.
def _on_or_after(column: str, moment: _Moment) -> Q:
    return Q(**{f"{column}__gte": moment.first})


def _on_or_before(column: str, moment: _Moment) -> Q:
    if not moment.whole_day:
        return Q(**{f"{column}__lte": moment.first})
    if moment.after is None:  # date.max: every non-null date is on or before it
        return Q(**{f"{column}__isnull": False})
    return Q(**{f"{column}__lt": moment.after})


def _after(column: str, moment: _Moment) -> Q:
    if not moment.whole_day:
        return Q(**{f"{column}__gt": moment.first})
    if moment.after is None:
        return Q(pk__in=[])
    return Q(**{f"{column}__gte": moment.after})
