"""Every operation of the client against the simulator: in-process (the transport adapter) and
over real HTTP (the simulator's server on a free port), with injected faults."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from batchui.batchapi import (
    ApiAuthError,
    ApiBadResponse,
    ApiNotFound,
    ApiOutcomeUnknown,
    ApiServerError,
    ApiTimeout,
    ApiUnavailable,
    ApiValidationError,
    BatchApiClient,
    BatchApiError,
    BatchCreate,
    BatchStatus,
    Filter,
)
from batchui.simulator import faults
from batchui.simulator.models import Batch as StoredBatch
from tests.batchapi.conftest import fake_retry
from tests.simulator.helpers import make_api_user, make_batch

LIST_PATH = r"^/api/v3/batch$"


@pytest.fixture
def owner_key(sim_url):
    return make_api_user(code="JSMITH", name="Jane Smith")


def test_the_client_goes_where_it_is_told(sim_client, sim_url):
    assert sim_client.simulated is (sim_url == "")


def test_open_get_list_edit_close(sim_client, owner_key):
    owner, _ = owner_key
    opened = sim_client.open_batch(
        BatchCreate(
            batch_code="Maint_O'Brien",
            account_period_number=3,
            account_period_year=2026,
            control_code="CC",
            invoice_number="INV-1",
            note="first",
            due_date=date(2026, 4, 15),
        )
    )
    assert opened.batch_status is BatchStatus.OPEN
    assert opened.is_open
    assert opened.created_by.user_code == owner.user_code
    assert opened.due_date == "2026-04-15"
    assert opened.account_period_name == "March 2026"
    assert opened.running_total == Decimal(0)
    assert opened.recovered is False

    assert sim_client.get_batch(opened.batch_id) == opened

    page = sim_client.list_batches(filter=Filter.where("batchCode", "equals", "maint_o'brien"))
    assert [b.batch_id for b in page.items] == [opened.batch_id]
    assert (page.total_records, page.total_pages, page.page_size) == (1, 1, 250)

    edited = sim_client.edit_batch(opened.batch_id, batch_code="Maint_2", note=None)
    assert (edited.batch_code, edited.note) == ("Maint_2", None)

    closed = sim_client.close_batch(opened.batch_id)
    assert closed.batch_status is BatchStatus.CLOSED
    assert not closed.is_open
    assert closed.end_date is not None

    with pytest.raises(ApiValidationError, match="already closed"):
        sim_client.close_batch(opened.batch_id)


def test_iter_batches_on_one_page(sim_client, owner_key):
    owner, _ = owner_key
    for n in range(3):
        make_batch(user=owner, code=f"B{n}")
    assert [b.batch_code for b in sim_client.iter_batches()] == ["B2", "B1", "B0"]
    assert list(sim_client.iter_batches(filter=Filter.where("batchCode", "equals", "none"))) == []


def test_paging_past_the_end(sim_client, owner_key):
    owner, _ = owner_key
    make_batch(user=owner, code="only")
    page = sim_client.list_batches(page_number=5, page_size=1)
    assert page.items == ()
    assert (page.total_records, page.total_pages, page.page_number) == (1, 1, 5)


def test_errors_from_the_simulator(sim_client, sim_url):
    with pytest.raises(ApiNotFound, match="Batch 99999 was not found"):
        sim_client.get_batch(99999)
    with pytest.raises(ApiNotFound):
        sim_client.edit_batch(99999, batch_code="x", note=None)
    with pytest.raises(ApiNotFound):
        sim_client.close_batch(99999)
    sim_client.open_batch(BatchCreate(batch_code="Dup"))
    with pytest.raises(ApiValidationError) as caught:
        sim_client.open_batch(BatchCreate(batch_code="DUP"))
    assert "batchCode" in caught.value.field_errors
    with pytest.raises(ApiValidationError) as caught:
        sim_client.open_batch(BatchCreate(batch_code="x", account_period_year=1800))
    assert "accountPeriodYear" in caught.value.field_errors
    with pytest.raises(ApiValidationError, match="colour"):
        sim_client.list_batches(filter="colour equals 'red'")
    with pytest.raises(ApiAuthError, match="refused this key"):
        sim_client.list_batches(api_key="sim_not_a_key")
    _, viewer_key = make_api_user(code="VIEWER", name="V", view=True, create=False)
    with pytest.raises(ApiAuthError):
        sim_client.open_batch(BatchCreate(batch_code="nope"), api_key=viewer_key)
    assert StoredBatch.objects.filter(batch_code="nope").count() == 0


# --- faults ----------------------------------------------------------------------------------


def test_latency_past_the_timeout_is_retried_on_get(sim_url, owner_key, sim_clock):
    _, key = owner_key
    faults.inject("latency", method="GET", latency_ms=600, times=1)
    with BatchApiClient(sim_url, api_key=key, timeout=0.3, retry=fake_retry(sim_clock)) as slow:
        assert slow.list_batches().items == ()
    assert len(sim_clock.sleeps) == 1


def test_latency_past_the_timeout_every_time_is_a_timeout(sim_url, owner_key, sim_clock):
    _, key = owner_key
    faults.inject("latency", method="GET", latency_ms=500, times=None)
    policy = fake_retry(sim_clock, max_attempts=2)
    with (
        BatchApiClient(sim_url, api_key=key, timeout=0.25, retry=policy) as slow,
        pytest.raises(ApiTimeout, match="did not answer in time"),
    ):
        slow.get_batch(1)


@pytest.mark.parametrize("status", [429, 503])
def test_a_busy_answer_on_get_is_retried_after_retry_after(sim_client, sim_clock, status):
    faults.inject("status", method="GET", status=status, retry_after=2, times=1)
    assert sim_client.list_batches().total_records == 0
    assert sim_clock.sleeps == [2.0]


@pytest.mark.parametrize("status", [500, 503])
def test_a_server_error_on_open_is_its_answer(sim_client, status):
    faults.inject("status", method="POST", status=status, times=1)
    with pytest.raises(ApiServerError, match="simulated fault") as caught:
        sim_client.open_batch(BatchCreate(batch_code="Busy"), created_by="JSMITH")
    assert caught.value.status == status
    assert StoredBatch.objects.count() == 0


@pytest.mark.parametrize("status", [502, 504])
def test_a_gateway_error_on_open_is_checked_and_reported_not_opened(sim_client, status):
    faults.inject("status", method="POST", status=status, times=1)
    with pytest.raises(ApiServerError, match="NOT opened") as caught:
        sim_client.open_batch(BatchCreate(batch_code="Busy"), created_by="JSMITH")
    assert caught.value.status == status
    assert StoredBatch.objects.count() == 0


@pytest.mark.parametrize("fault", ["drop_after", "malformed"])
def test_a_lost_open_of_a_code_someone_else_has_is_not_reported_opened(sim_client, fault):
    other, _ = make_api_user(code="BOTHER", name="Bea Other")
    theirs = make_batch(user=other, code="Shared")
    faults.inject(fault, method="POST", path=LIST_PATH, times=1)
    with pytest.raises(BatchApiError, match="NOT opened: Bea Other already has") as caught:
        sim_client.open_batch(BatchCreate(batch_code="Shared"), created_by="JSMITH")
    assert not isinstance(caught.value, ApiOutcomeUnknown)
    assert list(StoredBatch.objects.values_list("batch_id", flat=True)) == [theirs.batch_id]


def test_a_dropped_connection_on_get_is_retried(sim_client, sim_clock):
    faults.inject("drop_before", method="GET", times=1)
    assert sim_client.list_batches().items == ()
    assert len(sim_clock.sleeps) == 1


def test_a_malformed_body_on_get_is_a_bad_response(sim_client):
    faults.inject("malformed", method="GET", times=1)
    with pytest.raises(ApiBadResponse, match="not valid JSON"):
        sim_client.list_batches()


def test_open_dropped_after_it_was_stored_reports_the_one_batch(sim_client):
    faults.inject("drop_after", method="POST", path=LIST_PATH, times=1)
    batch = sim_client.open_batch(BatchCreate(batch_code="Dropped'After"), created_by="JSMITH")
    assert batch.recovered is True
    assert batch.batch_code == "Dropped'After"
    assert StoredBatch.objects.count() == 1
    assert StoredBatch.objects.get().batch_id == batch.batch_id


def test_open_answered_with_a_malformed_body_reports_the_one_batch(sim_client):
    faults.inject("malformed", method="POST", path=LIST_PATH, times=1)
    batch = sim_client.open_batch(BatchCreate(batch_code="Garbled"), created_by="JSMITH")
    assert batch.recovered is True
    assert StoredBatch.objects.count() == 1


def test_open_dropped_before_it_was_handled_reports_nothing_opened(sim_client):
    faults.inject("drop_before", method="POST", path=LIST_PATH, times=1)
    with pytest.raises(ApiUnavailable, match="NOT opened") as caught:
        sim_client.open_batch(BatchCreate(batch_code="Never"))
    assert not isinstance(caught.value, ApiTimeout)
    assert StoredBatch.objects.count() == 0


def test_close_dropped_after_it_was_done_reports_success(sim_client, owner_key):
    owner, _ = owner_key
    stored = make_batch(user=owner, code="ToClose")
    faults.inject("drop_after", method="PUT", path="/close/", times=1)
    closed = sim_client.close_batch(stored.batch_id)
    assert closed.recovered is True
    assert closed.batch_status is BatchStatus.CLOSED


def test_close_dropped_before_it_was_done_reports_not_closed(sim_client, owner_key):
    owner, _ = owner_key
    stored = make_batch(user=owner, code="StillOpen")
    faults.inject("drop_before", method="PUT", path="/close/", times=1)
    with pytest.raises(ApiUnavailable, match="NOT closed"):
        sim_client.close_batch(stored.batch_id)
    stored.refresh_from_db()
    assert stored.batch_status == BatchStatus.OPEN


def test_edit_dropped_after_it_was_stored_is_retried_safely(sim_client, owner_key, sim_clock):
    owner, _ = owner_key
    stored = make_batch(user=owner, code="Before")
    faults.inject("drop_after", method="PUT", times=1)
    edited = sim_client.edit_batch(stored.batch_id, batch_code="After", note="n")
    assert (edited.batch_code, edited.note) == ("After", "n")
    assert len(sim_clock.sleeps) == 1


def test_open_past_the_read_timeout_is_found_and_reported_once(transactional_db):
    # In-process only: the transport runs the call to its end before reporting the timeout, so
    # the batch is always stored. (Over HTTP the server may still be working when the client
    # looks, which is why the client's lookup cannot be exact there; codes being unique, a
    # second attempt would then be refused, never duplicated.)
    _, key = make_api_user(code="SLOW", name="Slow Opener")
    faults.inject("latency", method="POST", latency_ms=400, times=1)
    with BatchApiClient(api_key=key, timeout=0.2) as slow:
        batch = slow.open_batch(BatchCreate(batch_code="Slow"), created_by="SLOW")
    assert batch.recovered is True
    assert StoredBatch.objects.count() == 1
