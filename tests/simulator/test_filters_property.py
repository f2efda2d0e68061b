"""Property tests: apply_filter selects exactly what a plain-Python reading of the rules selects.

The reference below works on the raw values (str.casefold, calendar dates in UTC, "a negated
operator selects what its positive form does not, nulls included"), not on the shadow columns or
the range queries the implementation builds.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from batchui.simulator.filters import FilterError, Statement, apply_filter, parse_filter
from batchui.simulator.models import ApiUser, Batch
from tests.simulator.test_filters import SEED

NOW = datetime(2024, 4, 10, 15, 30, tzinfo=UTC)
TODAY = NOW.date()

INTEGER_FIELDS = {"accountPeriod", "billCount", "systemUserId"}
DATE_FIELDS = {"endDate", "startDate"}
BOOLEAN_FIELDS = {"HasImportsWithKickout", "isOpen"}
NEGATED = {"not equals": "equals", "not like": "like", "not one of": "one of"}
LAST_DAYS = {f"last {n} days": n for n in (7, 14, 30, 60, 90)}
STATUSES = ["Open", "Pending", "Closed"]

# --------------------------------------------------------------------------------------------
# Generated data

PIECES = ["a", "B", "z", " ", "'", "''", "|", " and ", "%", "_", "*", "\\", "ß", "SS", "É", "é"]
PIECES += ["\u212a", "k", "\u0130", "i", "\u0131", "O'Brien", "ĉ", "Ĉ", "1"]
UNICODE = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
TEXT = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=4).map("".join),
    st.text(UNICODE, max_size=6),
)
# Midnights, last microseconds of days and noons, on the days where `last N days` starts or ends.
EDGES = st.tuples(
    st.sampled_from([-1, 0, 1, 2, 6, 7, 13, 14, 29, 30, 59, 60, 89, 90]),
    st.sampled_from([time.min, time.min, time.max, time(12)]),
).map(lambda t: datetime.combine(TODAY - timedelta(days=t[0]), t[1], UTC))
INSTANTS = st.one_of(
    EDGES,
    st.integers(-100 * 86400, 2 * 86400).map(lambda s: NOW + timedelta(seconds=s)),
    st.tuples(st.integers(-100 * 86400, 86400), st.integers(0, 999_999)).map(
        lambda t: NOW + timedelta(seconds=t[0], microseconds=t[1])
    ),
)
DAY_STRINGS = st.tuples(st.integers(-40, 40), st.sampled_from(["", "T00:00:00", "t00:00:00"])).map(
    lambda t: (TODAY + timedelta(days=t[0])).isoformat() + t[1]
)
USERS = st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=3, unique_by=lambda u: u[0])
BATCH = st.fixed_dictionaries(
    {
        "code": TEXT,
        "status": st.sampled_from(STATUSES),
        "start": INSTANTS,
        "end": st.none() | INSTANTS,
        "bills": st.integers(0, 50),
        "total": st.sampled_from([0.0, -20.25, 100.5, 1e-05, 1e16]) | st.floats(-1e6, 1e6),
        "user": st.integers(0, 2),
        "due": st.none() | DAY_STRINGS,
        "statement": st.none() | DAY_STRINGS,
        "next": st.none() | DAY_STRINGS,
        "control": st.none() | TEXT,
        "invoice": st.none() | TEXT,
        "period": st.none() | st.tuples(st.integers(2020, 2025), st.integers(1, 12)),
        "kickout": st.booleans(),
    }
)
BATCHES = st.lists(BATCH, min_size=3, max_size=8)


def store(users: list[tuple[str, str]], batches: list[dict]) -> list[dict]:
    """Save the rows; return one plain dict per batch with what the filter fields read."""
    saved = []
    for code, name in users:
        user = ApiUser(user_code=code, full_name=name)
        user.save()
        saved.append(user)
    rows, models, codes = [], [], set()
    for index, b in enumerate(batches):
        user = saved[b["user"] % len(saved)]
        code = b["code"]
        while not code or code.casefold() in codes:  # codes are unique, case-insensitively
            code += f"~{index}"
        codes.add(code.casefold())
        period = b["period"]
        batch = Batch(
            batch_code=code,
            batch_status=b["status"],
            start_date=b["start"],
            end_date=b["end"],
            bill_count=b["bills"],
            running_total=b["total"],
            created_by=user,
            due_date=b["due"],
            statement_date=b["statement"],
            next_reading=b["next"],
            control_code=b["control"],
            invoice_number=b["invoice"],
            account_period_year=period and period[0],
            account_period_number=period and period[1],
            has_imports_with_kickout=b["kickout"],
            note=str(index),
        )
        batch.refresh_derived()
        models.append(batch)
        rows.append(
            {
                "index": index,
                "accountPeriod": period and period[0] * 100 + period[1],
                "batchCode": code,
                "batchStatus": b["status"],
                "billCount": b["bills"],
                "controlCode": b["control"],
                "duedate": b["due"],
                "endDate": b["end"],
                "fullName": user.full_name,
                "HasImportsWithKickout": b["kickout"],
                "invoiceNumber": b["invoice"],
                "isOpen": b["status"] == "Open",
                "nextReading": b["next"],
                "runningTotal": b["total"],
                "startDate": b["start"],
                "statementDate": b["statement"],
                "systemUserCode": user.user_code,
                "systemUserId": user.pk,
            }
        )
    Batch.objects.bulk_create(models)
    return rows


# --------------------------------------------------------------------------------------------
# Generated filters


def quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def random_case(draw, word: str) -> str:
    style = draw(st.sampled_from([str, str.lower, str.upper, str.swapcase]))
    return style(word)


def draw_value(draw, field: str, operator: str, rows: list[dict]) -> str:
    known = [row[field] for row in rows if row[field] is not None]
    if field in INTEGER_FIELDS:
        guess = st.integers(-5, 60) | st.integers(202001, 202512) | st.integers(-(2**31), 2**31 - 1)
        return str(draw(st.sampled_from(known) | guess if known else guess))
    if field == "runningTotal":
        return repr(
            draw(st.sampled_from(known) | st.floats(-2e6, 2e6) if known else st.floats(-2e6, 2e6))
        )
    if field in BOOLEAN_FIELDS:
        return random_case(draw, draw(st.sampled_from(["true", "false"])))
    if field == "batchStatus":
        return random_case(draw, draw(st.sampled_from(STATUSES)))
    if field in DATE_FIELDS:
        return draw(moments(known))
    if known and draw(st.integers(0, 2)):
        value = draw(st.sampled_from(known))
        if operator.endswith("like"):
            start = draw(st.integers(0, len(value)))
            value = value[start : draw(st.integers(start, len(value)))]
        return random_case(draw, value)
    return draw(TEXT | DAY_STRINGS)


@st.composite
def moments(draw, known: list[datetime]) -> str:
    instant = draw(st.sampled_from(known) | INSTANTS if known else INSTANTS)
    shape = draw(st.sampled_from(["date", "date", "date", "utc", "z", "naive", "offset", "space"]))
    if shape == "date":
        return (instant.date() + timedelta(days=draw(st.integers(-1, 1)))).isoformat()
    if shape == "z":
        return instant.isoformat().replace("+00:00", "Z")
    if shape == "naive":
        return instant.replace(tzinfo=None).isoformat()
    if shape == "offset":
        hours = draw(st.integers(-12, 14))
        return instant.astimezone(timezone(timedelta(hours=hours))).isoformat()
    if shape == "space":
        return instant.isoformat(sep=" ")
    return instant.isoformat()


def value_count(draw, operator: str) -> int:
    if operator in ("today", "yesterday") or operator in LAST_DAYS:
        return 0
    if operator == "between":
        return 2
    return draw(st.integers(1, 3)) if operator.endswith("one of") else 1


def draw_statement(draw, rows: list[dict]) -> tuple[Statement, str]:
    field = draw(st.sampled_from(sorted(SEED)))
    operator = draw(st.sampled_from(SEED[field]))
    values = tuple(
        draw_value(draw, field, operator, rows) for _ in range(value_count(draw, operator))
    )
    space = st.sampled_from([" ", "  ", "\t", " \n "])
    words = [random_case(draw, word) for word in operator.split()]
    text = random_case(draw, field) + draw(space) + draw(space).join(words)
    if values:
        separator = draw(st.sampled_from(["|", " |", "| ", " | "]))
        text += draw(st.sampled_from([" ", "  "])) + separator.join(quote(v) for v in values)
    return Statement(field, operator, values), text


@st.composite
def filters(draw, rows: list[dict]) -> tuple[list[Statement], str]:
    parts = [draw_statement(draw, rows) for _ in range(draw(st.sampled_from([1, 1, 2, 3])))]
    joiner = draw(st.sampled_from([" and ", " AND ", "  And\t"]))
    return [statement for statement, _ in parts], joiner.join(text for _, text in parts)


# --------------------------------------------------------------------------------------------
# The reference


def reference(row: dict, statement: Statement) -> bool:
    field, operator, values = statement.field, statement.operator, statement.values
    if operator in NEGATED:
        return not reference(row, Statement(field, NEGATED[operator], values))
    value = row[field]
    if value is None:
        return False
    if field in DATE_FIELDS:
        return date_matches(value, operator, values)
    if field in BOOLEAN_FIELDS:
        return value == (values[0].strip().lower() == "true")
    if field == "batchStatus":
        return value.lower() in [v.strip().lower() for v in values]
    if field in INTEGER_FIELDS or field == "runningTotal":
        number = int if field in INTEGER_FIELDS else float
        wanted = [number(v) for v in values]
        return {
            "equals": lambda: value == wanted[0],
            "less than": lambda: value < wanted[0],
            "greater than": lambda: value > wanted[0],
            "less than equal": lambda: value <= wanted[0],
            "greater than equal": lambda: value >= wanted[0],
            "between": lambda: wanted[0] <= value <= wanted[1],
            "one of": lambda: value in wanted,
        }[operator]()
    text = value.casefold()
    if operator == "like":
        return values[0].casefold() in text
    return text in [v.casefold() for v in values]


def date_matches(value: datetime, operator: str, values: tuple[str, ...]) -> bool:
    day = value.astimezone(UTC).date()
    if operator == "today":
        return day == TODAY
    if operator == "yesterday":
        return day == TODAY - timedelta(days=1)
    if operator in LAST_DAYS:
        return TODAY - timedelta(days=LAST_DAYS[operator] - 1) <= day <= TODAY

    def side(text: str) -> tuple[object, object]:
        """(the row's side, the value's side) of the comparison: dates or instants."""
        if len(text) == 10:
            return day, date.fromisoformat(text)
        instant = datetime.fromisoformat(text)
        return value, instant if instant.tzinfo else instant.replace(tzinfo=UTC)

    if operator == "between":
        (low_row, low), (high_row, high) = side(values[0]), side(values[1])
        return low <= low_row and high_row <= high
    mine, theirs = side(values[0])
    return {
        "equals": mine == theirs,
        "less than": mine < theirs,
        "greater than": mine > theirs,
        "less than equal": mine <= theirs,
        "greater than equal": mine >= theirs,
    }[operator]


# --------------------------------------------------------------------------------------------
# Properties


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(users=USERS, batches=BATCHES, data=st.data())
def test_apply_filter_selects_what_the_reference_selects(db, users, batches, data):
    with transaction.atomic():
        rows = store(users, batches)
        for _ in range(3):
            statements, text = data.draw(filters(rows), label="filter")
            assert parse_filter(text) == statements
            got = apply_filter(Batch.objects.all(), text, now=NOW).values_list("note", flat=True)
            expected = {
                str(row["index"]) for row in rows if all(reference(row, s) for s in statements)
            }
            assert set(got) == expected, text
            event(
                "selects none"
                if not expected
                else "selects all"
                if len(expected) == len(rows)
                else "selects some"
            )
        transaction.set_rollback(True)


DATE_ROWS = st.lists(
    st.fixed_dictionaries({"start": EDGES | INSTANTS, "end": st.none() | EDGES | INSTANTS}),
    min_size=3,
    max_size=10,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(dates=DATE_ROWS, data=st.data())
def test_date_filters_select_what_the_reference_selects(db, dates, data):
    """Only the date fields, with many rows and values on day and `last N days` boundaries."""
    template = {"code": "", "status": "Closed", "bills": 0, "total": 0.0, "user": 0}
    template |= dict.fromkeys(["due", "statement", "next", "control", "invoice", "period"])
    with transaction.atomic():
        rows = store([("u", "U")], [template | {"kickout": False} | d for d in dates])
        for _ in range(6):
            field = data.draw(st.sampled_from(sorted(DATE_FIELDS)), label="field")
            operator = data.draw(st.sampled_from(SEED[field]), label="operator")
            known = [row[field] for row in rows if row[field] is not None]
            values = tuple(
                data.draw(moments(known), label="value")
                for _ in range(value_count(data.draw, operator))
            )
            statement = Statement(field, operator, values)
            text = f"{field} {operator} " + "|".join(quote(v) for v in values)
            got = apply_filter(Batch.objects.all(), text, now=NOW).values_list("note", flat=True)
            expected = {str(row["index"]) for row in rows if reference(row, statement)}
            assert set(got) == expected, text
        transaction.set_rollback(True)


SAFE_TEXT = st.text(UNICODE, max_size=40)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(SAFE_TEXT, min_size=1, max_size=4), spaced=st.booleans())
def test_doubled_quotes_round_trip(values, spaced):
    separator = " | " if spaced else "|"
    text = "batchCode one of " + separator.join(quote(v) for v in values)
    assert parse_filter(text) == [Statement("batchCode", "one of", tuple(values))]
    assert parse_filter(f"fullName like {quote(values[0])} and isOpen equals 'true'") == [
        Statement("fullName", "like", (values[0],)),
        Statement("isOpen", "equals", ("true",)),
    ]


GRAMMAR_BITS = [
    "batchCode", "billCount", "endDate", "isOpen", "foo", "equals", "not", "one", "of", "like",
    "between", "last", "7", "days", "today", "and", "AND", "'", "''", "'x'", "'10'", "|", " ",
    "  ", "'2024-03-31'", "\t", "or", "(",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(GRAMMAR_BITS) | st.text(UNICODE, max_size=3), max_size=12).map("".join)
)
def test_any_text_parses_or_raises_filter_error(text):
    try:
        outcome = parse_filter(text)
    except FilterError as error:
        outcome = error.message
    if text.strip():
        assert outcome  # statements, or a message saying what is wrong
    else:
        assert outcome == []
    assert isinstance(outcome, str) or all(isinstance(s, Statement) for s in outcome)
