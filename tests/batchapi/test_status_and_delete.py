"""set_batch_status and delete_batch: canned answers (`responses`) for what is sent and how each
answer, lost answers included, is told; then both against the simulator, in-process and over HTTP.

Neither call is ever repeated: after a lost answer the client reads the batch back (one GET) and
says what it found, so every lost-answer test asserts a single PUT or DELETE.
"""

from __future__ import annotations

import json
import logging

import pytest
import requests
import responses

from batchui.batchapi import (
    ApiAuthError,
    ApiBadResponse,
    ApiForbidden,
    ApiNotFound,
    ApiOutcomeUnknown,
    ApiServerError,
    ApiTimeout,
    ApiUnavailable,
    ApiValidationError,
    BatchStatus,
)
from batchui.simulator import faults
from batchui.simulator.models import Batch as StoredBatch
from tests.batchapi.conftest import HOST
from tests.batchapi.test_client_http import batch_body
from tests.simulator.helpers import make_api_user, make_batch

ONE = f"{HOST}/api/v3/batch/5"
STATUS = f"{HOST}/api/v202206/batch/5/status"
KEY = "client-key-123"

# Answers that leave open whether the call was processed, and the error each is told as.
LOST = [
    pytest.param({"status": 502}, ApiServerError, id="502"),
    pytest.param({"status": 504}, ApiServerError, id="504"),
    pytest.param({"body": requests.ReadTimeout("slow")}, ApiTimeout, id="read-timeout"),
    pytest.param({"body": requests.ConnectionError("reset by peer")}, ApiUnavailable, id="reset"),
]


def methods() -> list[str]:
    return [call.request.method for call in responses.calls]


def add_batch(**fields) -> None:
    responses.add(responses.GET, ONE, json=batch_body(batchId=5, **fields))


# --- set_batch_status ----------------------------------------------------------------------------


@responses.activate
def test_status_sends_the_target_and_returns_the_batch_read_back(api):
    responses.add(responses.PUT, STATUS, status=204)
    add_batch(batchStatus="Pending", isOpen=False)

    batch = api.set_batch_status(5, BatchStatus.PENDING)

    assert methods() == ["PUT", "GET"]
    sent = responses.calls[0].request
    assert json.loads(sent.body) == {"batchStatus": "Pending"}  # no note: the note is unchanged
    assert (sent.headers["ECI-ApiKey"], sent.headers["Content-Type"]) == (KEY, "application/json")
    assert (batch.batch_id, batch.batch_status, batch.recovered) == (5, BatchStatus.PENDING, False)


@pytest.mark.parametrize("note", ["on hold: invoice missing", ""])
@responses.activate
def test_status_sends_a_note_only_when_given_and_an_empty_one_as_is(api, note):
    responses.add(responses.PUT, STATUS, status=204)
    add_batch(batchStatus="Closed", isOpen=False)

    api.set_batch_status(5, BatchStatus.CLOSED, note=note)

    assert json.loads(responses.calls[0].request.body) == {"batchStatus": "Closed", "note": note}


@responses.activate
def test_status_accepts_the_status_as_text_in_any_case(api):
    responses.add(responses.PUT, STATUS, status=204)
    add_batch(batchStatus="Open")

    assert api.set_batch_status(5, "open").batch_status is BatchStatus.OPEN
    assert json.loads(responses.calls[0].request.body) == {"batchStatus": "Open"}


@pytest.mark.parametrize("batch_id", [0, -1, True, "5", None])
def test_status_and_delete_refuse_a_bad_batch_id_before_calling(api, batch_id):
    with pytest.raises(ValueError, match="batch_id"):
        api.set_batch_status(batch_id, BatchStatus.OPEN)
    with pytest.raises(ValueError, match="batch_id"):
        api.delete_batch(batch_id)


def test_status_refuses_an_unknown_status_before_calling(api):
    with pytest.raises(ValueError, match="unknown batch status"):
        api.set_batch_status(5, "Archived")


@pytest.mark.parametrize(("lost", "error"), LOST)
@responses.activate
def test_a_lost_status_change_that_took_effect_is_recovered_without_a_second_put(
    api, caplog, lost, error
):
    responses.add(responses.PUT, STATUS, **lost)
    add_batch(batchStatus="Pending", isOpen=False)

    with caplog.at_level(logging.WARNING, logger="batchui.batchapi"):
        batch = api.set_batch_status(5, BatchStatus.PENDING)

    assert (batch.batch_status, batch.recovered) == (BatchStatus.PENDING, True)
    assert methods() == ["PUT", "GET"]
    assert "status change recovered: batch 5 is Pending" in caplog.text


@pytest.mark.parametrize(("lost", "error"), LOST)
@responses.activate
def test_a_lost_status_change_that_did_not_take_effect_says_so(api, lost, error):
    responses.add(responses.PUT, STATUS, **lost)
    add_batch(batchStatus="Open")

    with pytest.raises(error, match=r"Batch 5 was NOT set to Pending \(it is Open\)"):
        api.set_batch_status(5, BatchStatus.PENDING)
    assert methods() == ["PUT", "GET"]


@pytest.mark.parametrize(("lost", "error"), LOST)
@pytest.mark.parametrize("read_back", [{"status": 401}, {"status": 500}, {"body": "not json"}])
@responses.activate
def test_a_lost_status_change_whose_read_back_fails_is_unknown(api, lost, error, read_back):
    responses.add(responses.PUT, STATUS, **lost)
    responses.add(responses.GET, ONE, **read_back)

    with pytest.raises(ApiOutcomeUnknown, match="not known whether batch 5 was set to Pending"):
        api.set_batch_status(5, BatchStatus.PENDING)
    assert methods() == ["PUT", "GET"]


@responses.activate
def test_a_lost_status_change_of_a_batch_that_is_gone_is_not_found(api):
    responses.add(responses.PUT, STATUS, status=504)
    responses.add(responses.GET, ONE, status=404)

    with pytest.raises(ApiNotFound, match="Batch 5 was not found"):
        api.set_batch_status(5, BatchStatus.CLOSED)
    assert methods() == ["PUT", "GET"]


@responses.activate
def test_an_unexpected_success_of_a_status_change_is_checked_by_reading_back(api):
    responses.add(responses.PUT, STATUS, json=batch_body(batchId=5), status=200)
    add_batch(batchStatus="Closed", isOpen=False)

    assert api.set_batch_status(5, BatchStatus.CLOSED).recovered is True
    assert methods() == ["PUT", "GET"]


@responses.activate
def test_a_status_change_that_never_reached_the_api_is_not_read_back(api):
    responses.add(responses.PUT, STATUS, body=requests.ConnectTimeout("no route"))

    with pytest.raises(ApiTimeout, match="Batch 5 was NOT set to Open"):
        api.set_batch_status(5, BatchStatus.OPEN)
    assert methods() == ["PUT"]


@pytest.mark.parametrize(
    ("status", "body", "error", "message"),
    [
        (400, {"message": "Batch 5 is closed; a closed batch cannot change."}, ApiValidationError,
         "Batch 5 is closed; a closed batch cannot change."),
        (400, {"message": "Batch 5 is already Pending."}, ApiValidationError,
         "Batch 5 is already Pending."),
        (401, {"message": "no"}, ApiAuthError, "refused this key, or this user lacks permission"),
        (403, {"message": "Manage needed"}, ApiForbidden, "not allowed to do this: Manage needed"),
        (404, {"message": "gone"}, ApiNotFound, "Batch 5 was not found."),
        (500, {"message": "database down"}, ApiServerError, "database down"),
        (503, {"message": "busy"}, ApiServerError, "busy"),
    ],
)  # fmt: skip
@responses.activate
def test_a_refused_or_failed_status_change_is_its_answer_and_never_repeated(
    api, clock, status, body, error, message
):
    responses.add(responses.PUT, STATUS, json=body, status=status)

    with pytest.raises(error) as caught:
        api.set_batch_status(5, BatchStatus.PENDING)

    assert message in caught.value.message
    assert caught.value.status == status
    assert methods() == ["PUT"]
    assert clock.sleeps == []


@responses.activate
def test_a_status_change_done_whose_read_back_fails_says_it_was_done(api):
    responses.add(responses.PUT, STATUS, status=204)
    responses.add(responses.GET, ONE, status=401)

    with pytest.raises(ApiAuthError, match="Batch 5 was set to Pending, but reading it back"):
        api.set_batch_status(5, BatchStatus.PENDING)
    assert methods() == ["PUT", "GET"]


# --- delete_batch --------------------------------------------------------------------------------


@responses.activate
def test_delete_sends_one_delete_and_returns_none_on_204(api):
    responses.add(responses.DELETE, ONE, status=204)

    assert api.delete_batch(5) is None

    assert methods() == ["DELETE"]
    sent = responses.calls[0].request
    assert (sent.body, sent.headers["ECI-ApiKey"]) == (None, KEY)


@pytest.mark.parametrize(("lost", "error"), LOST)
@responses.activate
def test_a_lost_delete_of_a_batch_now_gone_is_recovered_without_a_second_delete(
    api, caplog, lost, error
):
    responses.add(responses.DELETE, ONE, **lost)
    responses.add(responses.GET, ONE, json={"message": "Batch 5 was not found."}, status=404)

    with caplog.at_level(logging.WARNING, logger="batchui.batchapi"):
        assert api.delete_batch(5) is None

    assert methods() == ["DELETE", "GET"]
    assert "delete recovered: batch 5 is gone" in caplog.text


@pytest.mark.parametrize(("lost", "error"), LOST)
@responses.activate
def test_a_lost_delete_of_a_batch_still_there_says_it_was_not_deleted(api, lost, error):
    responses.add(responses.DELETE, ONE, **lost)
    add_batch()

    with pytest.raises(error, match=r"Batch 5 was NOT deleted \(it is still there\)"):
        api.delete_batch(5)
    assert methods() == ["DELETE", "GET"]


@pytest.mark.parametrize(("lost", "error"), LOST)
@pytest.mark.parametrize("read_back", [{"status": 401}, {"status": 500}, {"body": "not json"}])
@responses.activate
def test_a_lost_delete_whose_read_back_fails_is_unknown(api, lost, error, read_back):
    responses.add(responses.DELETE, ONE, **lost)
    responses.add(responses.GET, ONE, **read_back)

    with pytest.raises(ApiOutcomeUnknown, match="not known whether batch 5 was deleted"):
        api.delete_batch(5)
    assert methods() == ["DELETE", "GET"]


@responses.activate
def test_an_unexpected_success_of_a_delete_is_checked_by_reading_back(api):
    responses.add(responses.DELETE, ONE, json={"deleted": True}, status=200)
    responses.add(responses.GET, ONE, status=404)

    assert api.delete_batch(5) is None
    assert methods() == ["DELETE", "GET"]


@responses.activate
def test_a_delete_that_never_reached_the_api_is_not_read_back(api):
    responses.add(responses.DELETE, ONE, body=requests.ConnectTimeout("no route"))

    with pytest.raises(ApiTimeout, match="Batch 5 was NOT deleted"):
        api.delete_batch(5)
    assert methods() == ["DELETE"]


@pytest.mark.parametrize(
    ("status", "error", "message"),
    [
        (404, ApiNotFound, "Batch 5 was not found."),
        (400, ApiValidationError, "cannot delete"),
        (401, ApiAuthError, "refused this key, or this user lacks permission"),
        (403, ApiForbidden, "not allowed to do this: cannot delete"),
        (500, ApiServerError, "cannot delete"),
        (302, ApiBadResponse, "redirect"),
    ],
)
@responses.activate
def test_a_refused_or_failed_delete_is_its_answer_and_never_repeated(
    api, clock, status, error, message
):
    responses.add(responses.DELETE, ONE, json={"message": "cannot delete"}, status=status)

    with pytest.raises(error) as caught:
        api.delete_batch(5)

    assert message in caught.value.message
    assert methods() == ["DELETE"]
    assert clock.sleeps == []


# --- against the simulator (in-process transport and real HTTP) ---------------------------------


@pytest.fixture
def owner_key(sim_url):
    return make_api_user(code="JSMITH", name="Jane Smith", delete=True)


def test_status_round_trip_and_delete_against_the_simulator(sim_client, owner_key):
    owner, _ = owner_key
    stored = make_batch(user=owner, code="Cycle", note="kept")

    held = sim_client.set_batch_status(stored.batch_id, BatchStatus.PENDING, note="waiting")
    assert (held.batch_status, held.is_open, held.note) == (BatchStatus.PENDING, False, "waiting")
    reopened = sim_client.set_batch_status(stored.batch_id, BatchStatus.OPEN)
    assert (reopened.batch_status, reopened.note) == (BatchStatus.OPEN, "waiting")
    with pytest.raises(ApiValidationError, match="already Open"):
        sim_client.set_batch_status(stored.batch_id, BatchStatus.OPEN)

    assert sim_client.delete_batch(stored.batch_id) is None
    assert not StoredBatch.objects.filter(pk=stored.batch_id).exists()
    with pytest.raises(ApiNotFound, match=f"Batch {stored.batch_id} was not found"):
        sim_client.delete_batch(stored.batch_id)


@pytest.mark.parametrize(
    ("fault", "recovered"), [("drop_after", True), ("malformed", True), ("drop_before", False)]
)
def test_a_status_change_whose_answer_is_lost_against_the_simulator(
    sim_client, owner_key, fault, recovered
):
    owner, _ = owner_key
    stored = make_batch(user=owner, code="Hold")
    faults.inject(fault, method="PUT", path="/status$", times=1)

    if recovered:
        assert sim_client.set_batch_status(stored.batch_id, BatchStatus.PENDING).recovered is True
    else:
        with pytest.raises(ApiUnavailable, match="NOT set to Pending"):
            sim_client.set_batch_status(stored.batch_id, BatchStatus.PENDING)
    stored.refresh_from_db()
    assert stored.batch_status == (BatchStatus.PENDING if recovered else BatchStatus.OPEN)


@pytest.mark.parametrize(("fault", "deleted"), [("drop_after", True), ("drop_before", False)])
def test_a_delete_whose_answer_is_lost_against_the_simulator(sim_client, owner_key, fault, deleted):
    owner, _ = owner_key
    stored = make_batch(user=owner, code="Doomed")
    faults.inject(fault, method="DELETE", times=1)

    if deleted:
        assert sim_client.delete_batch(stored.batch_id) is None
    else:
        with pytest.raises(ApiUnavailable, match="NOT deleted"):
            sim_client.delete_batch(stored.batch_id)
    assert StoredBatch.objects.filter(pk=stored.batch_id).exists() is not deleted
