"""Property: whatever a person types, put through the builder, filters exactly the batches whose
field holds that value, and cannot change the filter's structure (in-process simulator)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from batchui.batchapi import BatchApiClient, Filter
from batchui.simulator.models import Batch as StoredBatch
from tests.simulator.helpers import make_api_user

# Typed text: any printable character, with the filter language's own pieces made likely.
PIECES = st.one_of(
    st.characters(blacklist_categories=("Cs", "Cc")),
    st.sampled_from(["'", "''", "|", "'|'", " and ", " AND ", " ", "  ", "batchCode equals '"]),
)
VALUES = (
    st.lists(PIECES, min_size=1, max_size=12).map("".join).filter(lambda text: len(text) <= 200)
)


def fold(text: str) -> str:
    return text.casefold()


@pytest.fixture
def owner_key(db):
    return make_api_user()


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(value=VALUES, others=st.lists(VALUES, max_size=3))
def test_a_typed_value_filters_exactly_the_batches_holding_it(owner_key, value, others):
    owner, key = owner_key
    codes: dict[str, str] = {}
    for code in [value, f"x{value}", f"{value}|", f"'{value}'", f" {value} ", *others]:
        codes.setdefault(fold(code), code)  # codes are unique case-insensitively
    with transaction.atomic():
        for n, code in enumerate(codes.values()):
            StoredBatch.objects.create(
                batch_code=code,
                start_date=timezone.now(),
                created_by=owner,
                bill_count=7 if code == value else n,
            )
        with BatchApiClient(api_key=key) as client:

            def found(filter_: Filter) -> set[str]:
                page = client.list_batches(filter=filter_, page_size=100)
                return {batch.batch_code for batch in page.items}

            assert found(Filter.where("batchCode", "equals", value)) == {
                code for code in codes.values() if fold(code) == fold(value)
            }
            assert found(Filter.where("batchCode", "like", value)) == {
                code for code in codes.values() if fold(value) in fold(code)
            }
            assert found(Filter.where("batchCode", "one of", value, f"x{value}")) == {
                codes[fold(value)],
                codes[fold(f"x{value}")],
            }
            # The value cannot swallow or add statements: the billCount test still applies.
            assert (
                found(
                    Filter.where("batchCode", "equals", value)
                    & Filter.where("billCount", "equals", 3)
                )
                == set()
            )
            assert found(
                Filter.where("batchCode", "equals", value) & Filter.where("billCount", "equals", 7)
            ) == {value}
        transaction.set_rollback(True)
