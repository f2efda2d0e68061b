"""Distribution properties of the seeded data (on 2,000 batches, two seeds)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from batchui.simulator.models import Batch, BatchStatus
from batchui.simulator.seeding import DEMO_USERS, HISTORY_DAYS, seed_batches

NOW = datetime(2026, 11, 5, 15, 30, tzinfo=UTC)
COUNT = 2000


@pytest.fixture(scope="module", params=[11, 2026])
def batches(request, django_db_setup, django_db_blocker) -> list[Batch]:
    """The seeded rows, read once per seed into memory; the database is rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        assert seed_batches(count=COUNT, seed=request.param, now=NOW) == COUNT
        rows = list(Batch.objects.select_related("created_by"))
        transaction.set_rollback(True)
    return rows


def share(batches: list[Batch], status: str) -> float:
    return sum(b.batch_status == status for b in batches) / len(batches)


def test_status_mix_is_mostly_closed(batches):
    assert 0.12 < share(batches, BatchStatus.OPEN) < 0.18
    assert 0.03 < share(batches, BatchStatus.PENDING) < 0.07
    assert 0.76 < share(batches, BatchStatus.CLOSED) < 0.84


def test_about_one_bill_in_sixteen_is_flagged_on_unclosed_batches(batches):
    unclosed = [b for b in batches if b.batch_status != BatchStatus.CLOSED]
    ratio = sum(b.flag_count for b in unclosed) / sum(b.bill_count for b in unclosed)
    assert 1 / 20 < ratio < 1 / 13
    closed = [b for b in batches if b.batch_status == BatchStatus.CLOSED]
    assert sum(b.flag_count > 0 for b in closed) / len(closed) < 0.08
    assert all(0 <= b.flag_count <= b.bill_count <= 400 for b in batches)


def test_dates_are_in_the_past_two_years_and_end_after_start(batches):
    oldest = NOW - timedelta(days=HISTORY_DAYS)
    for b in batches:
        assert oldest <= b.start_date <= NOW
        if b.batch_status == BatchStatus.CLOSED:
            assert b.start_date < b.end_date <= NOW
        else:
            assert b.end_date is None
    closed_ages = sorted(NOW - b.start_date for b in batches if b.batch_status == "Closed")
    open_ages = sorted(NOW - b.start_date for b in batches if b.batch_status == "Open")
    assert open_ages[len(open_ages) // 2] < closed_ages[len(closed_ages) // 2] / 10


def test_batch_ids_follow_start_dates(batches):
    by_id = sorted(batches, key=lambda b: b.batch_id)
    assert [b.start_date for b in by_id] == sorted(b.start_date for b in batches)


def test_codes_follow_the_conventions_and_are_unique_case_insensitively(batches):
    codes = [b.batch_code for b in batches]
    assert len({c.casefold() for c in codes}) == len(codes)
    user_codes = [c for c in codes if c.split("_")[0] in {u.code for u in DEMO_USERS}]
    assert len(user_codes) > len(codes) * 0.6
    assert any(c.startswith("Maint_") for c in codes)
    assert any(c.startswith("Hist_") for c in codes)
    jsmith = next(b for b in batches if b.batch_code.startswith("JSMITH_"))
    assert jsmith.created_by.user_code == "JSMITH"
    assert jsmith.batch_code[7:15] == jsmith.start_date.strftime("%Y%m%d")


def test_a_second_run_suffixes_colliding_codes(db):
    seed_batches(count=300, seed=5, now=NOW)
    seed_batches(count=300, seed=5, now=NOW)

    codes = list(Batch.objects.values_list("batch_code", flat=True))
    assert len({c.casefold() for c in codes}) == 600
    assert sum(c.rsplit("-", 1)[-1].isdigit() for c in codes) >= 300


def test_every_demo_user_opens_batches_and_names_include_unicode(batches):
    users = {b.created_by.user_code: b.created_by.full_name for b in batches}
    assert set(users) == {u.code for u in DEMO_USERS}
    assert users["ZOBRIEN"] == "Zoë O'Brien"


def test_counts_are_consistent_with_status(batches):
    for b in batches:
        if b.analyzing_count:
            assert b.batch_status == BatchStatus.OPEN
            assert NOW - b.start_date < timedelta(days=3)
            assert b.analyzing_count <= b.bill_count
        if b.has_imports_with_kickout:
            assert b.batch_status in (BatchStatus.OPEN, BatchStatus.PENDING)
            assert b.has_imported_bills
        if b.bill_count == 0:
            assert b.running_total == 0
        assert round(b.running_total, 2) == b.running_total
    pending = [b for b in batches if b.batch_status == BatchStatus.PENDING]
    opened = [b for b in batches if b.batch_status == BatchStatus.OPEN]
    kickout_share = sum(b.has_imports_with_kickout for b in pending) / len(pending)
    assert kickout_share > 2 * sum(b.has_imports_with_kickout for b in opened) / len(opened)
    assert any(b.analyzing_count for b in opened)


def test_running_totals_are_plausible(batches):
    billed = [b for b in batches if b.bill_count >= 5]
    per_bill = sorted(b.running_total / b.bill_count for b in billed)
    median = per_bill[len(per_bill) // 2]
    assert 300 < median < 2000
    assert max(b.running_total for b in batches) < 400 * 20_000


def test_settings_are_set_on_some_batches(batches):
    for field in ("account_period", "control_code", "invoice_number", "note", "due_date"):
        filled = sum(getattr(b, field) is not None for b in batches) / len(batches)
        assert 0.1 < filled < 0.9, field
    for b in batches:
        if b.account_period is not None:
            assert b.account_period == b.account_period_year * 100 + b.account_period_number
            assert abs(b.account_period_year - b.start_date.year) <= 1
            assert 1 <= b.account_period_number <= 12
        if b.control_code is not None:
            assert b.control_code_ci == b.control_code.casefold()
