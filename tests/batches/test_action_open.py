"""Opening a batch: the dialog and the full page, validation, the API's refusals and failures."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from batchui.activity.models import ActivityEntry, Outcome
from batchui.simulator import faults
from batchui.simulator.models import Batch, BatchStatus
from tests.batches.test_action_support import (
    FAULTS,
    HTMX,
    batch_of,
    client_for,
    configure_api,
    person,
)

pytestmark = pytest.mark.django_db

TODAY = __import__("django.utils.timezone", fromlist=["localdate"]).localdate()


@pytest.fixture(autouse=True)
def _api(settings):
    configure_api(settings)
    yield
    faults.clear()


def token_of(html: str) -> str:
    return re.search(r'name="token" value="([0-9a-f]{32})"', html).group(1)


def typed(**fields) -> dict:
    data = {
        "batch_code": "CCLERK_TYPED",
        "note": "Gas bills for March",
        "account_period_year": "2026",
        "account_period_number": "3",
        "control_code": "CTRL-77",
        "invoice_number": "INV-0042",
        "due_date": "2026-04-15",
        "statement_date": "2026-03-31",
        "next_reading": "2026-04-30",
    }
    data.update(fields)
    return data


def assert_kept(html: str, data: dict) -> None:
    """Every typed value is back in the re-rendered form."""
    for name, value in data.items():
        if name in ("token", "close_existing_batch"):
            continue
        assert f'name="{name}"' in html
        assert f'value="{value}"' in html, f"{name}={value!r} lost"


def test_get_suggests_the_team_code_and_is_a_full_page_without_htmx():
    client = client_for("cora")
    response = client.get("/batches/new/")
    html = response.getvalue().decode()
    assert response.status_code == 200
    assert "<!doctype html>" in html.lower()
    assert f'value="CCLERK_{TODAY:%Y%m%d}"' in html
    # Every BatchCreate field has a label and help text from the API documentation.
    for label in (
        "Batch code",
        "Note",
        "Account period year",
        "Account period number",
        "Control code",
        "Invoice number",
        "Due date",
        "Statement date",
        "Next reading",
        "Close my other open batches",
    ):
        assert f">{label}" in html
    assert "1900 to 2099" in html
    assert "hx-post" not in html  # a plain form
    assert "data-disable-on-submit" in html  # actions.js: one submission only
    assert response["Vary"] == "HX-Request" or "HX-Request" in response["Vary"]


def test_get_htmx_is_a_dialog_fragment():
    response = client_for("cora").get("/batches/new/", headers=HTMX)
    html = response.getvalue().decode()
    assert response.status_code == 200
    assert html.strip().startswith("<dialog")
    assert "<!doctype" not in html.lower()
    assert 'hx-post="/batches/new/"' in html
    assert "hx-disabled-elt=\"find button[type='submit']\"" in html
    assert "HX-Request" in response["Vary"]


def test_suggestion_takes_the_next_suffix_when_the_code_is_taken():
    base = f"CCLERK_{TODAY:%Y%m%d}"
    batch_of("otto", base.lower())  # codes are unique case-insensitively
    batch_of("otto", f"{base}-2")
    html = client_for("cora").get("/batches/new/").getvalue().decode()
    assert f'value="{base}-3"' in html


def test_the_form_lists_the_open_batches_close_existing_would_close():
    batch_of("cora", "CORA_OPEN_1")
    batch_of("cora", "CORA_PENDING", status=BatchStatus.PENDING)
    batch_of("cora", "CORA_CLOSED", status=BatchStatus.CLOSED)
    batch_of("otto", "OTTO_OPEN")
    html = client_for("cora").get("/batches/new/preview/", headers=HTMX).getvalue().decode()
    preview = html[html.index('id="open-batches-preview"') :]
    preview = preview[: preview.index("</div>")]
    assert "CORA_OPEN_1" in preview
    assert "closes 1 open batch " in preview
    for other in ("CORA_PENDING", "CORA_CLOSED", "OTTO_OPEN"):
        assert other not in preview


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_open_succeeds(htmx):
    client = client_for("cora")
    token = token_of(client.get("/batches/new/").getvalue().decode())
    data = typed(token=token)
    response = client.post("/batches/new/", data, headers=HTMX if htmx else {})
    batch = Batch.objects.get(batch_code="CCLERK_TYPED")
    assert batch.control_code == "CTRL-77"
    assert batch.account_period_year == 2026
    assert batch.due_date == "2026-04-15"
    if htmx:
        html = response.getvalue().decode()
        assert response.status_code == 200
        assert response["HX-Retarget"] == "#dialog"
        # The new row goes to the top of the list, and #live announces it.
        assert 'hx-swap-oob="afterend:#batch-table-first"' in html
        assert f'<tbody id="batch-{batch.batch_id}"' in html
        assert 'hx-swap-oob="innerHTML:#live">Batch CCLERK_TYPED opened.' in html
    else:
        assert response.status_code == 303
        assert response["Location"] == "/batches/"
        page = client.get(response["Location"]).getvalue().decode()
        assert "Batch CCLERK_TYPED opened." in page
    entry = ActivityEntry.objects.get()
    assert entry.outcome == Outcome.SUCCESS
    assert entry.batch_id == batch.batch_id
    assert entry.changes["controlCode"] == "CTRL-77"


def test_close_existing_closes_only_my_open_batches():
    mine = batch_of("cora", "CORA_OLD")
    theirs = batch_of("otto", "OTTO_OPEN")
    client = client_for("cora")
    token = token_of(client.get("/batches/new/").getvalue().decode())
    client.post("/batches/new/", typed(token=token, close_existing_batch="on"), headers=HTMX)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.batch_status == BatchStatus.CLOSED
    assert theirs.batch_status == BatchStatus.OPEN
    entry = ActivityEntry.objects.get()
    assert entry.changes["closedBatches"] == ["CORA_OLD"]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("batch_code", "   ", "Enter a batch code."),
        ("batch_code", "x" * 256, "At most 255 characters"),
        ("batch_code", "\U0001f600" * 128, "At most 255 characters"),  # 256 UTF-16 units
        ("note", "n" * 256, "At most 255 characters"),
        ("control_code", "c" * 256, "At most 255 characters"),
        ("invoice_number", "i" * 256, "At most 255 characters"),
        ("account_period_year", "1899", "greater than or equal to 1900"),
        ("account_period_year", "2100", "less than or equal to 2099"),
        ("account_period_number", "0", "greater than or equal to 1"),
        ("account_period_number", "13", "less than or equal to 12"),
        ("due_date", "2026-02-30", "Enter a valid date"),
        ("next_reading", "soon", "Enter a valid date"),
    ],
)
def test_invalid_input_is_refused_before_the_api_and_kept(field, value, message, htmx):
    client = client_for("cora")
    data = typed(**{field: value})
    response = client.post("/batches/new/", data, headers=HTMX if htmx else {})
    html = response.getvalue().decode()
    assert response.status_code == 200
    assert message in html
    assert f'id="open-{field}_error"' in html
    assert 'aria-invalid="true"' in html
    assert not Batch.objects.exists()
    assert not ActivityEntry.objects.exists()  # not an attempt: nothing was sent
    kept = {k: v for k, v in data.items() if k != field or v.strip()}
    assert_kept(html, kept)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_duplicate_code_error_is_on_the_code_field(htmx):
    batch_of("otto", "TAKEN")
    client = client_for("cora")
    data = typed(batch_code="taken")
    response = client.post("/batches/new/", data, headers=HTMX if htmx else {})
    html = response.getvalue().decode()
    assert response.status_code == 200
    error = re.search(r'<p class="field-error" id="open-batch_code_error">([^<]*)</p>', html)
    assert error
    assert "already exists" in error.group(1)
    assert_kept(html, data)
    entry = ActivityEntry.objects.get()
    assert entry.outcome == Outcome.REFUSED
    assert "already exists" in entry.message


def test_an_api_message_naming_no_known_field_goes_on_top():
    from batchui.batches.action_forms import OpenBatchForm

    form = OpenBatchForm(typed())
    assert form.is_valid()
    form.apply_api_errors({"somethingElse": ["Odd."]}, "The request was rejected.")
    assert form.non_field_errors() == ["Odd."]
    form = OpenBatchForm(typed())
    form.is_valid()
    form.apply_api_errors({}, "The request was rejected.")
    assert form.non_field_errors() == ["The request was rejected."]
    form = OpenBatchForm(typed())
    form.is_valid()
    form.apply_api_errors({"ACCOUNTPERIODYEAR": ["Bad year."]}, "x")
    assert form.errors["account_period_year"] == ["Bad year."]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("fault", ["429", "500", "502", "503", "504", "drop_before"])
def test_failures_that_did_not_open_keep_the_form(fault, htmx):
    client = client_for("cora")
    token = token_of(client.get("/batches/new/").getvalue().decode())
    faults.inject(method="POST", path=r"^/api/v3/batch$", **FAULTS[fault])
    data = typed(token=token)
    response = client.post("/batches/new/", data, headers=HTMX if htmx else {})
    html = response.getvalue().decode()
    assert response.status_code == 200
    assert 'id="open-batch-errors"' in html
    assert_kept(html, data)
    assert token_of(html) == token  # nothing happened: the same form may be sent again
    assert not Batch.objects.exists()
    entry = ActivityEntry.objects.get()
    assert entry.outcome == Outcome.FAILED
    assert entry.message
    # Sending the same form again now works.
    again = client.post("/batches/new/", data, headers=HTMX if htmx else {})
    assert again.status_code in (200, 303)
    assert Batch.objects.count() == 1


@pytest.mark.parametrize("fault", ["drop_after", "malformed", "latency"])
def test_lost_answers_of_an_open_that_happened_are_recovered(fault):
    client = client_for("cora")
    token = token_of(client.get("/batches/new/").getvalue().decode())
    faults.inject(method="POST", path=r"^/api/v3/batch$", **FAULTS[fault])
    response = client.post("/batches/new/", typed(token=token), headers=HTMX)
    html = response.getvalue().decode()
    batch = Batch.objects.get()
    assert f'<tbody id="batch-{batch.batch_id}"' in html
    assert "checked that it was opened" in html
    assert ActivityEntry.objects.get().outcome == Outcome.SUCCESS


@pytest.mark.parametrize("close_existing", [False, True], ids=["alone", "close-existing"])
@pytest.mark.parametrize("fault", ["drop_after", "malformed", "latency", "500", "503"])
def test_a_lost_answer_to_an_open_of_someone_elses_code_is_never_success(fault, close_existing):
    # Red-team finding 1: Otto already has X; Cora opens X and the answer is lost. She was told
    # "Batch X opened", the log held Otto's batch, and her own batches were "closed with it".
    theirs = batch_of("otto", "X_SHARED")
    mine = batch_of("cora", "CORA_STILL_OPEN")
    client = client_for("cora")
    token = token_of(client.get("/batches/new/").getvalue().decode())
    faults.inject(method="POST", path=r"^/api/v3/batch$", **FAULTS[fault])
    data = typed(batch_code="X_SHARED", token=token)
    if close_existing:
        data["close_existing_batch"] = "on"
    html = client.post("/batches/new/", data, headers=HTMX).getvalue().decode()
    assert "Batch X_SHARED opened" not in html
    assert "checked that it was opened" not in html
    assert "closed with it" not in html
    assert 'id="open-batch-errors"' in html
    if fault in ("500", "503"):
        assert "simulated fault" in html  # the API's own answer
    else:
        assert "NOT opened: Otto Other already has a batch with this code" in html
    entry = ActivityEntry.objects.get()
    assert entry.outcome != Outcome.SUCCESS
    assert entry.batch_id != theirs.batch_id
    mine.refresh_from_db()
    assert mine.batch_status == BatchStatus.OPEN
    assert list(Batch.objects.filter(batch_code="X_SHARED")) == [theirs]


def test_close_existing_names_only_the_batches_seen_closed(monkeypatch):
    from batchui.batches import action_services

    batch_of("cora", "CORA_A")
    batch_of("cora", "CORA_B")
    client = client_for("cora")
    token = token_of(client.get("/batches/new/").getvalue().decode())
    # CORA_B is put on hold by someone between the preview and the open: the API's
    # closeExistingBatch closes Open batches only, so it stays pending and is not named as closed.
    listed = action_services.open_batches_of

    def listed_then_held(**kwargs):
        found = listed(**kwargs)
        Batch.objects.filter(batch_code="CORA_B").update(batch_status=BatchStatus.PENDING)
        return found

    monkeypatch.setattr(action_services, "open_batches_of", listed_then_held)
    data = typed(token=token, close_existing_batch="on")
    html = client.post("/batches/new/", data, headers=HTMX).getvalue().decode()
    assert "Your open batches closed with it: CORA_A." in html
    assert "Still not closed: CORA_B." in html


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_lost_open_of_a_person_on_the_service_key_is_unknown(settings, htmx):
    # The shared service key acts as its own API user: who opened a found batch cannot be told.
    from batchui.accounts.services import api_key_remove
    from tests.simulator.helpers import make_api_user

    _, service_key = make_api_user(code="SERVICE", name="Service User")
    settings.ECI_API_KEY = service_key
    cora = person("cora")
    api_key_remove(user=cora)
    client = Client()
    client.force_login(cora)
    token = token_of(client.get("/batches/new/").getvalue().decode())
    faults.inject(method="POST", path=r"^/api/v3/batch$", **FAULTS["drop_after"])
    response = client.post("/batches/new/", typed(token=token), headers=HTMX if htmx else {})
    assert "not known whether" in response.getvalue().decode()
    assert ActivityEntry.objects.get().outcome == Outcome.UNKNOWN


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_unknown_outcome_keeps_the_form_with_a_fresh_token(htmx):
    client = client_for("cora")
    token = token_of(client.get("/batches/new/").getvalue().decode())
    # The answer is lost, and so is the lookup that would tell whether it worked.
    faults.inject(kind="drop_after", method="POST", path=r"^/api/v3/batch$")
    faults.inject(kind="status", status=500, method="GET", path=r"^/api/v3/batch$", times=2)
    data = typed(token=token)
    response = client.post("/batches/new/", data, headers=HTMX if htmx else {})
    html = response.getvalue().decode()
    assert "not known whether" in html
    assert_kept(html, data)
    assert token_of(html) != token
    assert ActivityEntry.objects.get().outcome == Outcome.UNKNOWN
    # An accidental repeat of the first submission does not open again.
    faults.clear()
    client.post("/batches/new/", data, headers=HTMX if htmx else {})
    assert Batch.objects.count() == 1
    assert ActivityEntry.objects.count() == 1


def test_a_repeated_submission_returns_the_first_result():
    client = client_for("cora")
    token = token_of(client.get("/batches/new/").getvalue().decode())
    first = client.post("/batches/new/", typed(token=token), headers=HTMX)
    second = client.post("/batches/new/", typed(token=token), headers=HTMX)
    plain = client.post("/batches/new/", typed(token=token))
    batch = Batch.objects.get()
    for response in (first, second):
        assert f'<tbody id="batch-{batch.batch_id}"' in response.getvalue().decode()
    assert plain.status_code == 303
    assert ActivityEntry.objects.count() == 1


def test_a_form_without_a_valid_token_still_works_once():
    client = client_for("cora")
    response = client.post("/batches/new/", typed(token="forged"), headers=HTMX)
    assert response["HX-Retarget"] == "#dialog"
    assert Batch.objects.count() == 1


def test_viewer_cannot_open():
    client = client_for("vic")
    assert client.get("/batches/new/").status_code == 403
    response = client.post("/batches/new/", typed(), headers=HTMX)
    assert response.status_code == 403
    assert not Batch.objects.exists()


def test_a_person_without_an_api_key_is_told_to_add_one(settings):
    from batchui.accounts.services import api_key_remove

    settings.ECI_API_KEY = ""
    client = client_for("cora")
    from django.contrib.auth import get_user_model

    api_key_remove(user=get_user_model().objects.get(username="cora"))
    response = client.get("/batches/new/")
    assert "API key" in response.getvalue().decode()
    assert not Batch.objects.exists()


def test_a_token_used_for_another_action_is_replaced():
    from batchui.activity.models import Action
    from batchui.batches import idempotency
    from tests.batches.test_action_support import person

    token = idempotency.new_token()
    idempotency.claim(token=token, user=person("cora"), action=Action.CLOSE, batch_id=1)
    client = client_for("cora")
    html = client.post("/batches/new/", typed(token=token), headers=HTMX).getvalue().decode()
    assert "already submitted with other values" in html
    fresh = token_of(html)
    assert fresh != token
    response = client.post("/batches/new/", typed(token=fresh), headers=HTMX)
    assert response["HX-Retarget"] == "#dialog"
