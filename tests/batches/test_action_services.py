"""The action services: form tokens (idempotency) across threads, and the activity log."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from batchui.accounts.services import api_key_for
from batchui.activity.models import Action, ActivityEntry, Outcome
from batchui.batchapi import BatchCreate
from batchui.batches import action_services, idempotency
from batchui.batches.action_services import OutcomeKind
from batchui.batches.models import FormSubmission
from batchui.simulator import faults
from batchui.simulator.models import Batch, BatchStatus
from tests.batches.test_action_support import HTMX, batch_of, configure_api, person

CLOSE_PUT = r"^/api/v3/batch/close/\d+$"


@pytest.fixture
def api(settings):
    configure_api(settings)
    yield
    faults.clear()


@pytest.mark.django_db(transaction=True)
def test_twenty_identical_open_submissions_at_once_open_exactly_one_batch(api):
    user = person("cora")
    signed_in = Client()
    signed_in.force_login(user)
    token = idempotency.new_token()
    data = {"batch_code": "CCLERK_RACE", "note": "one only", "token": token}
    start = threading.Barrier(20)
    responses: list = [None] * 20

    def submit(index: int) -> None:
        client = Client()
        client.cookies = signed_in.cookies
        try:
            start.wait()
            responses[index] = client.post("/batches/new/", data, headers=HTMX)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    batch = Batch.objects.get()  # exactly one
    assert batch.batch_code == "CCLERK_RACE"
    for response in responses:
        assert response is not None
        assert response.status_code == 200
        html = response.content.decode()
        assert re.findall(r'<tbody id="batch-(\d+)"', html) == [str(batch.batch_id)]
        assert "Batch CCLERK_RACE opened." in html
    assert ActivityEntry.objects.count() == 1
    assert FormSubmission.objects.get().state == "done"


@pytest.mark.django_db
def test_a_duplicate_waits_then_reports_busy_while_the_first_is_still_running():
    user = person("cora")
    token = idempotency.new_token()
    first = idempotency.claim(token=token, user=user, action=Action.OPEN)
    assert first.owned
    second = idempotency.claim(token=token, user=user, action=Action.OPEN, wait_seconds=0.1)
    assert second.state is idempotency.ClaimState.BUSY
    idempotency.complete(token=token, result={"kind": "success", "message": "done"})
    third = idempotency.claim(token=token, user=user, action=Action.OPEN, wait_seconds=0)
    assert third.state is idempotency.ClaimState.REPLAY
    assert third.result["message"] == "done"


@pytest.mark.django_db
def test_busy_is_answered_without_acting(api):
    user = person("cora")
    token = idempotency.new_token()
    data = BatchCreate("CCLERK_BUSY")
    idempotency.claim(token=token, user=user, action=Action.OPEN, values=data.to_json())
    outcome = action_services.batch_open(
        user=user, api_key=api_key_for(user), data=data, token=token
    )
    assert outcome.kind is OutcomeKind.BUSY
    assert "still being processed" in outcome.message
    assert not Batch.objects.exists()


@pytest.mark.django_db
def test_a_token_is_bound_to_its_person_action_and_batch():
    cora, otto = person("cora"), person("otto")
    token = idempotency.new_token()
    idempotency.claim(token=token, user=cora, action=Action.CLOSE, batch_id=1)
    mismatch = idempotency.ClaimState.MISMATCH
    assert idempotency.claim(token=token, user=otto, action=Action.CLOSE, batch_id=1).state is (
        mismatch
    )
    assert idempotency.claim(token=token, user=cora, action=Action.EDIT, batch_id=1).state is (
        mismatch
    )
    assert idempotency.claim(token=token, user=cora, action=Action.CLOSE, batch_id=2).state is (
        mismatch
    )


@pytest.mark.django_db
def test_a_token_is_bound_to_the_submitted_values():
    cora = person("cora")
    token = idempotency.new_token()
    values = {"batchCode": "CORA_A", "note": "x"}
    idempotency.claim(token=token, user=cora, action=Action.OPEN, values=values)
    idempotency.complete(token=token, result={"kind": "success", "message": "A"})
    other = {"batchCode": "CORA_B", "note": "x"}
    again = idempotency.claim(token=token, user=cora, action=Action.OPEN, values=other)
    assert again.state is idempotency.ClaimState.MISMATCH
    assert again.result == {}
    same = idempotency.claim(token=token, user=cora, action=Action.OPEN, values=dict(values))
    assert same.state is idempotency.ClaimState.REPLAY


@pytest.mark.django_db
def test_a_reused_token_with_other_values_is_refused_with_a_fresh_form(api):
    """ "Batch A opened" never answers a submit of B: nothing is replayed, nothing is opened."""
    client = Client()
    client.force_login(person("cora"))
    token = idempotency.new_token()
    first = client.post("/batches/new/", {"batch_code": "CCLERK_A", "token": token}, headers=HTMX)
    assert "Batch CCLERK_A opened." in first.content.decode()
    html = client.post(
        "/batches/new/", {"batch_code": "CCLERK_B", "token": token}, headers=HTMX
    ).content.decode()
    assert "CCLERK_A opened" not in html
    assert "already submitted with other values" in html
    assert 'value="CCLERK_B"' in html  # what was typed is kept
    fresh = re.search(r'name="token" value="([0-9a-f]{32})"', html).group(1)
    assert fresh != token
    assert list(Batch.objects.values_list("batch_code", flat=True)) == ["CCLERK_A"]
    assert ActivityEntry.objects.count() == 1
    again = client.post("/batches/new/", {"batch_code": "CCLERK_B", "token": fresh}, headers=HTMX)
    assert "Batch CCLERK_B opened." in again.content.decode()


@pytest.mark.django_db
def test_a_busy_answer_lets_the_person_wait_for_the_first_outcome(api, settings):
    """Still processing: the form comes back with the same token, and sending it again unchanged
    answers with the first submission's outcome once it is known."""
    settings.BATCH_ACTION_WAIT_SECONDS = 0.1
    user = person("cora")
    client = Client()
    client.force_login(user)
    token = idempotency.new_token()
    values = {"batchCode": "CCLERK_SLOW", "closeExistingBatch": False}
    idempotency.claim(token=token, user=user, action=Action.OPEN, values=values)  # in progress
    data = {"batch_code": "CCLERK_SLOW", "token": token}
    html = client.post("/batches/new/", data, headers=HTMX).content.decode()
    assert "still being processed" in html
    assert "submit the form again unchanged" in html
    assert f'name="token" value="{token}"' in html
    assert not Batch.objects.exists()
    idempotency.complete(token=token, result={"kind": "success", "message": "Batch X opened."})
    html = client.post("/batches/new/", data, headers=HTMX).content.decode()
    assert "Batch X opened." in html


@pytest.mark.django_db
def test_a_submission_left_pending_by_a_dead_worker_is_taken_over():
    user = person("cora")
    token = idempotency.new_token()
    idempotency.claim(token=token, user=user, action=Action.OPEN)
    long_ago = timezone.now() - idempotency.STALE_AFTER - timedelta(seconds=1)
    FormSubmission.objects.update(updated=long_ago)
    assert idempotency.claim(token=token, user=user, action=Action.OPEN, wait_seconds=0).owned


@pytest.mark.django_db
def test_old_records_are_purged():
    user = person("cora")
    old = idempotency.new_token()
    idempotency.claim(token=old, user=user, action=Action.OPEN)
    FormSubmission.objects.update(created=timezone.now() - idempotency.KEEP_FOR - timedelta(1))
    idempotency.claim(token=idempotency.new_token(), user=user, action=Action.OPEN)
    assert not FormSubmission.objects.filter(token=old).exists()


def test_tokens_are_validated():
    assert idempotency.valid_token(idempotency.new_token())
    for bad in ("", "x" * 32, "A" * 32, "a" * 31, "a" * 33):
        assert not idempotency.valid_token(bad)
    with pytest.raises(ValueError, match="token"):
        idempotency.claim(token="nope", user=None, action=Action.OPEN)


@pytest.mark.django_db
def test_the_attempt_is_logged_before_the_api_is_called(api, monkeypatch):
    """While the API call runs, the log already shows the attempt (outcome unknown)."""
    from batchui.batchapi import get_client

    user = person("cora")
    seen = []
    client = get_client()
    real_open = client.open_batch

    def spy(create, **kwargs):
        seen.append(list(ActivityEntry.objects.values_list("outcome", "finished")))
        return real_open(create, **kwargs)

    monkeypatch.setattr(client, "open_batch", spy)
    action_services.batch_open(
        user=user,
        api_key=api_key_for(user),
        data=BatchCreate("CCLERK_LOGGED"),
        token=idempotency.new_token(),
    )
    assert seen == [[(Outcome.UNKNOWN, None)]]
    entry = ActivityEntry.objects.get()
    assert entry.outcome == Outcome.SUCCESS
    assert entry.finished is not None


@pytest.mark.django_db
@pytest.mark.parametrize("fault", [{"kind": "status", "status": 502}, {"kind": "drop_before"}])
def test_failures_are_logged_with_the_apis_message_and_never_the_key(api, fault):
    user = person("cora")
    key = api_key_for(user)
    faults.inject(method="POST", path=r"^/api/v3/batch$", **fault)
    outcome = action_services.batch_open(
        user=user, api_key=key, data=BatchCreate("CCLERK_FAIL"), token=idempotency.new_token()
    )
    assert outcome.kind is OutcomeKind.FAILED
    entry = ActivityEntry.objects.get()
    assert entry.outcome == Outcome.FAILED
    assert "NOT opened" in entry.message
    assert entry.username == "cora"
    assert entry.batch_code == "CCLERK_FAIL"
    for row in ActivityEntry.objects.values():
        assert key not in str(row)
    for row in FormSubmission.objects.values():
        assert key not in str(row)


@pytest.mark.django_db
def test_a_message_containing_the_key_is_redacted():
    from batchui.activity.services import activity_finish, activity_start

    user = person("cora")
    entry = activity_start(user=user, action=Action.OPEN, batch_code="X")
    activity_finish(
        entry=entry, outcome=Outcome.FAILED, message="bad key sim_secret123", secret="sim_secret123"
    )
    entry.refresh_from_db()
    assert "sim_secret123" not in entry.message
    assert "[redacted]" in entry.message


@pytest.mark.django_db
def test_a_close_whose_outcome_is_unknown_is_not_repeated(api):
    user = person("cora")
    stored = batch_of("cora", "CORA_UNKNOWN")
    key = api_key_for(user)
    batch = action_services.batch_fetch(api_key=key, batch_id=stored.batch_id)
    token = idempotency.new_token()
    faults.inject(kind="drop_after", method="PUT", path=CLOSE_PUT)
    faults.inject(kind="status", status=500, method="GET", path=r"^/api/v3/batch/\d+$")
    outcome = action_services.batch_close(user=user, api_key=key, batch=batch, token=token)
    assert outcome.kind is OutcomeKind.UNKNOWN
    assert "not known whether" in outcome.message
    assert ActivityEntry.objects.get().outcome == Outcome.UNKNOWN
    repeat = action_services.batch_close(user=user, api_key=key, batch=batch, token=token)
    assert repeat.replayed
    assert repeat.kind is OutcomeKind.UNKNOWN
    assert ActivityEntry.objects.count() == 1


@pytest.mark.django_db
def test_a_stored_outcome_round_trips_with_its_batch(api):
    user = person("cora")
    stored = batch_of("cora", "CORA_ROUND", bill_count=3, running_total="10.10")
    batch = action_services.batch_fetch(api_key=api_key_for(user), batch_id=stored.batch_id)
    outcome = action_services.ActionOutcome(
        action=Action.CLOSE, kind=OutcomeKind.SUCCESS, message="ok", batch=batch, batch_id=1
    )
    again = action_services.ActionOutcome.from_record(Action.CLOSE, outcome.to_record())
    assert again.batch == batch
    assert again.replayed


@pytest.mark.django_db
def test_close_refuses_someone_elses_batch_and_logs_it(api):
    cora = person("cora")
    stored = batch_of("otto", "OTTO_NOT_YOURS")
    key = api_key_for(cora)
    batch = action_services.batch_fetch(api_key=key, batch_id=stored.batch_id)
    outcome = action_services.batch_close(
        user=cora, api_key=key, batch=batch, token=idempotency.new_token()
    )
    assert outcome.forbidden
    stored.refresh_from_db()
    assert stored.batch_status == BatchStatus.OPEN
    entry = ActivityEntry.objects.get()
    assert (entry.outcome, entry.batch_code) == (Outcome.REFUSED, "OTTO_NOT_YOURS")
