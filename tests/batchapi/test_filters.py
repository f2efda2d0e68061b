"""The filter builder: fields and operators from the seed's table, typed values, quoting."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from batchui.batchapi import FIELDS, BatchStatus, Filter, FilterBuildError


def where(*args) -> str:
    return str(Filter.where(*args))


def test_statements_join_with_and():
    built = (
        Filter.where("batchStatus", "equals", "Open")
        & Filter.where("billCount", "between", 1, 10)
        & Filter.where("startDate", "last 7 days")
    )
    assert str(built) == (
        "batchStatus equals 'Open' and billCount between '1'|'10' and startDate last 7 days"
    )
    assert Filter.all(Filter.where("isOpen", "equals", True), Filter()) == Filter.where(
        "isOpen", "equals", True
    )


def test_empty_filter_is_falsy_and_renders_nothing():
    assert not Filter()
    assert str(Filter()) == ""
    assert str(Filter() & Filter.where("isOpen", "equals", False)) == "isOpen equals 'false'"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("batchCode", "equals", "O'Brien"), "batchCode equals 'O''Brien'"),
        (("batchCode", "like", "''"), "batchCode like ''''''"),
        (("batchCode", "equals", "a' or '1'='1"), "batchCode equals 'a'' or ''1''=''1'"),
        (("batchCode", "one of", "A|B", "C"), "batchCode one of 'A|B'|'C'"),
        (("batchCode", "one of", ["x", "y z"]), "batchCode one of 'x'|'y z'"),
        (("fullName", "not like", " and "), "fullName not like ' and '"),
        (
            ("batchStatus", "one of", "open", BatchStatus.PENDING),
            "batchStatus one of 'Open'|'Pending'",
        ),
        (("billCount", "greater than", 10), "billCount greater than '10'"),
        (("systemUserId", "not one of", 1, 2, 3), "systemUserId not one of '1'|'2'|'3'"),
        (("accountPeriod", "between", 202601, 202612), "accountPeriod between '202601'|'202612'"),
        (("runningTotal", "less than", Decimal("1E+3")), "runningTotal less than '1000'"),
        (("runningTotal", "greater than", 1e-7), "runningTotal greater than '0.0000001'"),
        (("runningTotal", "equals", 12.5), "runningTotal equals '12.5'"),
        (("runningTotal", "equals", 3), "runningTotal equals '3'"),
        (("isOpen", "equals", True), "isOpen equals 'true'"),
        (("HasImportsWithKickout", "equals", False), "HasImportsWithKickout equals 'false'"),
        (
            ("startDate", "greater than equal", date(2026, 3, 1)),
            "startDate greater than equal '2026-03-01'",
        ),
        (
            ("endDate", "between", datetime(2026, 3, 1, 8, 30), datetime(2026, 3, 2, tzinfo=UTC)),
            "endDate between '2026-03-01T08:30:00'|'2026-03-02T00:00:00'",
        ),
        (
            (
                "endDate",
                "less than",
                datetime(2026, 3, 1, 1, 0, tzinfo=timezone(timedelta(hours=2))),
            ),
            "endDate less than '2026-02-28T23:00:00'",
        ),
        (("startDate", "today"), "startDate today"),
        (("endDate", "last 90 days"), "endDate last 90 days"),
    ],
)
def test_rendering(args, expected):
    assert where(*args) == expected


def test_field_and_operator_names_are_forgiving_but_sent_as_the_api_spells_them():
    assert where("billcount", "Greater  Than", 1) == "billCount greater than '1'"
    assert where("bill_count", "equals", 1) == "billCount equals '1'"
    assert where("dueDate", "like", "2026") == "duedate like '2026'"
    assert where("hasImportsWithKickout", "equals", True) == "HasImportsWithKickout equals 'true'"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("batchcolour", "equals", "x"), "Unknown filter field 'batchcolour'"),
        (("accountPeriod", "one of", 202601), "cannot be used with accountPeriod"),
        (("runningTotal", "one of", 1), "cannot be used with runningTotal"),
        (("runningTotal", "like", 1), "cannot be used with runningTotal"),
        (("isOpen", "not equals", True), "cannot be used with isOpen"),
        (("batchStatus", "like", "Op"), "cannot be used with batchStatus"),
        (("batchCode", "between", "a", "b"), "cannot be used with batchCode"),
        (("batchCode", "today"), "cannot be used with batchCode"),
        (("billCount", "not between", 1, 2), "cannot be used with billCount"),
        (("startDate", "contains", "x"), "cannot be used with startDate"),
        (("billCount", "between", 1), "takes exactly two values, got 1"),
        (("billCount", "between", 1, 2, 3), "takes exactly two values, got 3"),
        (("batchCode", "one of"), "takes one or more values"),
        (("batchCode", "equals"), "takes exactly one value, got 0"),
        (("batchCode", "equals", "a", "b"), "takes exactly one value, got 2"),
        (("startDate", "today", date(2026, 1, 1)), "takes no value"),
        (("billCount", "equals", "10"), "billCount needs a whole number"),
        (("billCount", "equals", True), "billCount needs a whole number"),
        (("billCount", "equals", 1.0), "billCount needs a whole number"),
        (("runningTotal", "equals", float("nan")), "runningTotal needs a number"),
        (("runningTotal", "equals", Decimal("Infinity")), "runningTotal needs a number"),
        (("isOpen", "equals", "true"), "isOpen needs True or False"),
        (("startDate", "equals", "2026-03-01"), "startDate needs a date or datetime"),
        (("batchCode", "equals", 5), "batchCode needs text"),
        (("batchStatus", "equals", "Opne"), "batchStatus needs Open, Pending or Closed"),
    ],
)
def test_wrong_filters_are_refused_with_a_clear_message(args, fragment):
    with pytest.raises(FilterBuildError, match=fragment):
        Filter.where(*args)


def test_filter_build_error_is_a_value_error():
    assert issubclass(FilterBuildError, ValueError)


def test_table_matches_the_seed():
    # From seeds/list-batches.GET.txt: the fields, and the notable operator gaps.
    assert list(FIELDS) == [
        "accountPeriod",
        "batchCode",
        "batchStatus",
        "billCount",
        "controlCode",
        "duedate",
        "endDate",
        "fullName",
        "HasImportsWithKickout",
        "invoiceNumber",
        "isOpen",
        "nextReading",
        "runningTotal",
        "startDate",
        "statementDate",
        "systemUserCode",
        "systemUserId",
    ]
    assert (
        set(FIELDS["accountPeriod"].operators)
        == set(FIELDS["runningTotal"].operators)
        == {
            "equals",
            "not equals",
            "less than",
            "greater than",
            "less than equal",
            "greater than equal",
            "between",
        }
    )
    assert FIELDS["isOpen"].operators == FIELDS["HasImportsWithKickout"].operators == ("equals",)
    assert "last 60 days" in FIELDS["endDate"].operators
    assert "like" not in FIELDS["batchStatus"].operators


def test_filters_compare_by_value_and_repr_shows_the_text():
    assert Filter.where("isOpen", "equals", True) == Filter.where("isopen", "EQUALS", True)
    assert hash(Filter.where("isOpen", "equals", True)) == hash(
        Filter.where("isOpen", "equals", True)
    )
    assert repr(Filter.where("isOpen", "equals", True)) == "Filter(\"isOpen equals 'true'\")"
