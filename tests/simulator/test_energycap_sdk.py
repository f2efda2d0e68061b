"""EnergyCAP's own generated Python SDK (EnergyCapSdk 8.2309, AutoRest/msrest) against the
simulator served over HTTP: every batch call it makes succeeds and reads back what was stored.

The SDK accepts only the statuses EnergyCAP documents (200, or 204 for delete and status) and
deserializes BatchResponse and the paging headers with its own models, so this checks the wire
contract from EnergyCAP's side. It runs with the simulator in UTC and in New York time.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from energycap.sdk import EnergyCapApi
from energycap.sdk.models import BatchCreate, BatchEdit, UpdateBatchStatusRequest
from msrest.exceptions import HttpOperationError

from batchui.simulator.models import Batch, BatchStatus
from tests.simulator.helpers import make_api_user, make_batch

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["UTC", "America/New_York"])
def sdk(request, server, settings):
    settings.SIMULATOR_TIME_ZONE = request.param  # read on each call, by the server's threads too
    user, key = make_api_user("SDKUSER", "Sam Sdk", manage=True, delete=True)
    for n in range(5):
        make_batch(user=user, code=f"Maint_{n}", bill_count=n, running_total=10.5 * n)
    make_batch(user=user, code="Hist_1", status=BatchStatus.CLOSED)
    client = EnergyCapApi(base_url=server.url)
    yield client, {"ECI-ApiKey": key}, ZoneInfo(request.param)
    client.close()


def test_list_with_a_filter_and_paging(sdk):
    client, key, zone = sdk

    first = client.get_batches(
        filter="batchCode like 'maint_' and billCount greater than '0'",
        page_size=3,
        page_number=1,
        custom_headers=key,
        raw=True,
    )
    second = client.get_batches(
        filter="batchCode like 'maint_' and billCount greater than '0'",
        page_size=3,
        page_number=2,
        custom_headers=key,
    )

    assert [batch.batch_code for batch in first.output] == ["Maint_4", "Maint_3", "Maint_2"]
    assert [batch.batch_code for batch in second] == ["Maint_1"]
    assert first.headers == {
        "PageNumber": 1,
        "PageSize": 3,
        "TotalNumberOfRecords": 4,
        "TotalPages": 2,
    }
    top = first.output[0]
    assert (top.bill_count, top.running_total, top.is_open) == (4, 42.0, True)
    assert top.created_by.user_code == "SDKUSER"
    stored = Batch.objects.get(batch_code="Maint_4").start_date
    assert top.start_date.replace(tzinfo=None) == stored.astimezone(zone).replace(tzinfo=None)


def test_get_create_edit_close_status_and_delete(sdk):
    client, key, _ = sdk

    opened = client.open_batch(
        BatchCreate(
            batch_code="SDK_1",
            due_date=datetime(2026, 3, 30, tzinfo=UTC),
            account_period_number=3,
            account_period_year=2026,
            note="from the SDK",
        ),
        custom_headers=key,
    )
    assert (opened.batch_status, opened.is_open, opened.end_date) == ("Open", True, None)
    assert opened.account_period_name == "March 2026"

    got = client.get_batch(opened.batch_id, custom_headers=key)
    assert (got.batch_code, got.note, got.bill_count) == ("SDK_1", "from the SDK", 0)

    edited = client.edit_batch(
        opened.batch_id, BatchEdit(batch_code="SDK_1b", note="renamed"), custom_headers=key
    )
    assert (edited.batch_code, edited.note) == ("SDK_1b", "renamed")

    client.update_batch_status(
        opened.batch_id, UpdateBatchStatusRequest(batch_status="Pending"), custom_headers=key
    )
    assert client.get_batch(opened.batch_id, custom_headers=key).batch_status == "Pending"
    client.update_batch_status(
        opened.batch_id, UpdateBatchStatusRequest(batch_status="Open"), custom_headers=key
    )
    assert client.get_batch(opened.batch_id, custom_headers=key).is_open

    closed = client.close_batch(opened.batch_id, custom_headers=key)
    assert (closed.batch_status, closed.is_open) == ("Closed", False)
    assert closed.end_date is not None

    assert client.delete_batch(opened.batch_id, custom_headers=key) is None
    with pytest.raises(HttpOperationError) as missing:
        client.get_batch(opened.batch_id, custom_headers=key)
    assert missing.value.response.status_code == 404
    assert not Batch.objects.filter(batch_code="SDK_1b").exists()


def test_status_notes_taking_over_and_refusals_through_the_sdk(sdk):
    client, key, _ = sdk
    other, _ = make_api_user("OTHER", "Other User")
    held = make_batch(user=other, code="HELD", status=BatchStatus.PENDING, note="theirs")
    mine = Batch.objects.get(batch_code="Maint_4")

    client.update_batch_status(
        mine.batch_id,
        UpdateBatchStatusRequest(batch_status="Pending", note="on hold"),
        custom_headers=key,
    )
    assert client.get_batch(mine.batch_id, custom_headers=key).note == "on hold"
    # Without a note the SDK leaves it as it is.
    client.update_batch_status(
        mine.batch_id, UpdateBatchStatusRequest(batch_status="Open"), custom_headers=key
    )
    assert client.get_batch(mine.batch_id, custom_headers=key).note == "on hold"

    # Opening someone else's pending batch makes it ours and puts our open batches on hold.
    client.update_batch_status(
        held.batch_id, UpdateBatchStatusRequest(batch_status="Open"), custom_headers=key
    )
    taken = client.get_batch(held.batch_id, custom_headers=key)
    assert (taken.batch_status, taken.created_by.user_code) == ("Open", "SDKUSER")
    assert client.get_batch(mine.batch_id, custom_headers=key).batch_status == "Pending"

    closed = Batch.objects.get(batch_code="Hist_1")
    with pytest.raises(HttpOperationError) as refused:
        client.update_batch_status(
            closed.batch_id, UpdateBatchStatusRequest(batch_status="Open"), custom_headers=key
        )
    assert refused.value.response.status_code == 400
    with pytest.raises(HttpOperationError) as missing:
        client.delete_batch(424242, custom_headers=key)
    assert missing.value.response.status_code == 404


def test_the_sdk_sees_refusals_as_errors(sdk):
    client, _, _ = sdk

    with pytest.raises(HttpOperationError) as refused:
        client.get_batches(custom_headers={"ECI-ApiKey": "sim_wrong"})

    assert refused.value.response.status_code == 401
