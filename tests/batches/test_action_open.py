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
    token_of,
)
from tests.simulator.helpers import make_batch

pytestmark = pytest.mark.django_db

TODAY = __import__("django.utils.timezone", fromlist=["localdate"]).localdate()


@pytest.fixture(autouse=True)
def _api(settings):
    configure_api(settings)
    yield
    faults.clear()


def seen_of(html: str) -> str:
    """The ids of the open batches the form showed (its hidden close_seen field)."""
    found = re.search(r'name="close_seen"(?: value="([^"]*)")?', html)
    assert found, "the form carries no list of the batches it showed"
    return found.group(1) or ""


def drawn_form(client, *, htmx: bool) -> dict:
    """The token and the shown open batches of a freshly drawn form: the dialog and its preview
    (htmx), or the full page."""
    if not htmx:
        html = client.get("/batches/new/").getvalue().decode()
        return {"token": token_of(html), "close_seen": seen_of(html)}
    dialog = client.get("/batches/new/", headers=HTMX).getvalue().decode()
    preview = client.get("/batches/new/preview/", headers=HTMX).getvalue().decode()
    return {"token": token_of(dialog), "close_seen": seen_of(preview)}


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
        if name in ("token", "close_existing_batch", "close_ack", "close_seen"):
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
    data = typed(**drawn_form(client, htmx=False), close_existing_batch="on", close_ack="on")
    assert data["close_seen"] == str(mine.batch_id)
    client.post("/batches/new/", data, headers=HTMX)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.batch_status == BatchStatus.CLOSED
    assert theirs.batch_status == BatchStatus.OPEN
    entry = ActivityEntry.objects.get()
    assert entry.changes["closedBatches"] == ["CORA_OLD"]


# --- the guard on "close my other open batches" -------------------------------------------------


def open_codes() -> set[str]:
    return set(
        Batch.objects.filter(batch_status=BatchStatus.OPEN).values_list("batch_code", flat=True)
    )


def acknowledgement(html: str) -> str:
    found = re.search(r'<label for="open-close_ack">([^<]*)</label>', html)
    assert found, "no acknowledgement to tick"
    return found.group(1)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_the_preview_lists_each_batch_to_close_with_its_warnings(htmx):
    batch_of("cora", "CORA_CLEAN")
    batch_of("cora", "CORA_WARNED", analyzing_count=2, flag_count=1, has_imports_with_kickout=True)
    client = client_for("cora")
    if htmx:
        html = client.get("/batches/new/preview/", headers=HTMX).getvalue().decode()
    else:
        html = client.get("/batches/new/").getvalue().decode()
    preview = html[html.index('id="open-batches-preview"') :]
    assert "Ticking this box closes 2 open batches of yours" in preview
    warned = preview[preview.index("CORA_WARNED") :]
    warned = warned[: warned.index("</ul>")]
    assert "2 bills are still being analyzed" in warned
    assert "1 audit flag is unresolved" in warned
    assert "An import into this batch had kickouts" in warned
    clean = preview[preview.index("CORA_CLEAN") :]
    assert "warning" not in clean[: clean.index("</li>")]
    assert acknowledgement(html) == "Yes, close my 2 other open batches (1 has warnings)"
    assert 'type="checkbox" name="close_ack"' in html


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_ticked_without_the_acknowledgement_nothing_is_opened_or_closed(htmx):
    batch_of("cora", "CORA_A")
    batch_of("cora", "CORA_B", flag_count=3)
    client = client_for("cora")
    data = typed(**drawn_form(client, htmx=htmx), close_existing_batch="on")
    response = client.post("/batches/new/", data, headers=HTMX if htmx else {})
    html = response.getvalue().decode()
    assert response.status_code == 200
    error = re.search(r'<p class="field-error" id="open-close_ack_error">([^<]*)</p>', html)
    assert error
    assert "confirm that 2 batches will be closed" in error.group(1)
    assert "Nothing was opened or closed" in error.group(1)
    assert acknowledgement(html) == "Yes, close my 2 other open batches (1 has warnings)"
    assert re.search(r'name="close_existing_batch"[^>]*checked', html)
    assert_kept(html, data)
    assert open_codes() == {"CORA_A", "CORA_B"}  # none closed
    assert not Batch.objects.filter(batch_code="CCLERK_TYPED").exists()  # none opened
    assert not ActivityEntry.objects.exists()  # nothing was sent


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("change", ["one-opened", "one-closed"])
def test_acknowledged_but_my_open_batches_changed_sends_nothing_and_asks_again(htmx, change):
    batch_of("cora", "CORA_A")
    second = batch_of("cora", "CORA_B")
    client = client_for("cora")
    data = typed(**drawn_form(client, htmx=htmx), close_existing_batch="on", close_ack="on")
    if change == "one-opened":
        batch_of("cora", "CORA_NEW", bill_count=2, flag_count=1)
        expected, label = {"CORA_A", "CORA_B", "CORA_NEW"}, "Yes, close my 3 other open batches"
    else:
        Batch.objects.filter(pk=second.pk).update(batch_status=BatchStatus.CLOSED)
        expected, label = {"CORA_A"}, "Yes, close my 1 other open batch"
    response = client.post("/batches/new/", data, headers=HTMX if htmx else {})
    html = response.getvalue().decode()
    assert response.status_code == 200
    assert open_codes() == expected  # nothing closed, nothing opened
    assert not Batch.objects.filter(batch_code="CCLERK_TYPED").exists()
    error = re.search(r'id="open-close_existing_batch_error">([^<]*)</p>', html)
    assert error
    assert "changed since this form was shown" in error.group(1)
    # The new list, to acknowledge again (the old acknowledgement no longer counts).
    assert acknowledgement(html).startswith(label)
    assert not re.search(r'name="close_ack"[^>]*checked', html)
    ids = {str(b.batch_id) for b in Batch.objects.filter(batch_code__in=expected)}
    assert set(seen_of(html).split()) == ids
    assert_kept(html, data)
    entry = ActivityEntry.objects.get()
    assert entry.outcome == Outcome.REFUSED
    assert "changed since" in entry.message
    # Confirming the list as it is now opens the batch and closes those.
    again = {**data, "close_seen": seen_of(html), "token": token_of(html)}
    client.post("/batches/new/", again, headers=HTMX if htmx else {})
    assert open_codes() == {"CCLERK_TYPED"}


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_acknowledged_opens_and_names_every_batch_closed_with_it(htmx):
    batch_of("cora", "CORA_A")
    batch_of("cora", "CORA_B", analyzing_count=1)
    otto = batch_of("otto", "OTTO_OPEN")
    client = client_for("cora")
    data = typed(**drawn_form(client, htmx=htmx), close_existing_batch="on", close_ack="on")
    response = client.post("/batches/new/", data, headers=HTMX if htmx else {})
    assert open_codes() == {"CCLERK_TYPED", otto.batch_code}
    if htmx:
        html = response.getvalue().decode()
        assert response["HX-Retarget"] == "#dialog"
    else:
        assert response.status_code == 303
        html = client.get(response["Location"]).getvalue().decode()
    message = "Batch CCLERK_TYPED opened. Your other open batches closed with it (2): "
    assert message in html
    named = html[html.index(message) + len(message) :]
    assert named.startswith(("CORA_B, CORA_A.", "CORA_A, CORA_B."))
    entry = ActivityEntry.objects.get()
    assert entry.outcome == Outcome.SUCCESS
    assert sorted(entry.changes["closedBatches"]) == ["CORA_A", "CORA_B"]


def test_ticked_with_no_open_batches_needs_no_acknowledgement():
    client = client_for("cora")
    data = typed(**drawn_form(client, htmx=True), close_existing_batch="on")
    assert data["close_seen"] == ""
    response = client.post("/batches/new/", data, headers=HTMX)
    assert response["HX-Retarget"] == "#dialog"
    assert open_codes() == {"CCLERK_TYPED"}


def test_ticked_before_the_list_was_shown_is_asked_again():
    # The dialog was submitted before its preview loaded: the person saw no list at all.
    batch_of("cora", "CORA_A")
    client = client_for("cora")
    token = token_of(client.get("/batches/new/", headers=HTMX).getvalue().decode())
    data = typed(token=token, close_existing_batch="on", close_ack="on")
    html = client.post("/batches/new/", data, headers=HTMX).getvalue().decode()
    assert "changed since this form was shown" in html
    assert acknowledgement(html) == "Yes, close my 1 other open batch"
    assert open_codes() == {"CORA_A"}


def test_when_my_open_batches_cannot_be_read_nothing_is_sent():
    batch_of("cora", "CORA_A")
    client = client_for("cora")
    data = typed(**drawn_form(client, htmx=True), close_existing_batch="on", close_ack="on")
    faults.inject(kind="status", status=500, method="GET", path=r"^/api/v3/batch$", times=1)
    html = client.post("/batches/new/", data, headers=HTMX).getvalue().decode()
    assert "could not be read, so nothing was opened or closed" in html
    assert open_codes() == {"CORA_A"}
    assert ActivityEntry.objects.get().outcome == Outcome.FAILED


def test_on_the_shared_service_key_closing_others_is_not_offered(settings):
    # The API would close the service account's open batches: anyone's, not the person's.
    from batchui.accounts.services import api_key_remove
    from tests.simulator.helpers import make_api_user

    service, service_key = make_api_user(code="SERVICE", name="Service User")
    settings.ECI_API_KEY = service_key
    make_batch(user=service, code="SOMEONES_BATCH")
    cora = person("cora")
    api_key_remove(user=cora)
    client = Client()
    client.force_login(cora)
    html = client.get("/batches/new/preview/", headers=HTMX).getvalue().decode()
    assert "Not available with the shared service key" in html
    assert "close_ack" not in html
    token = token_of(client.get("/batches/new/", headers=HTMX).getvalue().decode())
    data = typed(token=token, close_existing_batch="on", close_ack="on")
    html = client.post("/batches/new/", data, headers=HTMX).getvalue().decode()
    assert re.search(r'id="open-close_existing_batch_error">Not available', html)
    assert open_codes() == {"SOMEONES_BATCH"}


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
    drawn = drawn_form(client, htmx=False)
    faults.inject(method="POST", path=r"^/api/v3/batch$", **FAULTS[fault])
    data = typed(batch_code="X_SHARED", **drawn)
    if close_existing:
        data.update(close_existing_batch="on", close_ack="on")
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
    data = typed(**drawn_form(client, htmx=False), close_existing_batch="on", close_ack="on")
    # CORA_B is put on hold by someone between the check and the open: the API's
    # closeExistingBatch closes Open batches only, so it stays pending and is not named as closed.
    listed = action_services.open_batches_of

    def listed_then_held(**kwargs):
        found = listed(**kwargs)
        Batch.objects.filter(batch_code="CORA_B").update(batch_status=BatchStatus.PENDING)
        return found

    monkeypatch.setattr(action_services, "open_batches_of", listed_then_held)
    html = client.post("/batches/new/", data, headers=HTMX).getvalue().decode()
    assert "Your other open batches closed with it (1): CORA_A." in html
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
