"""Editing a batch's code and note inline: the edit row, saving, errors kept in the row."""

from __future__ import annotations

import re
from html import unescape

import pytest

from batchui.activity.models import ActivityEntry, Outcome
from batchui.simulator import faults
from batchui.simulator.models import Batch
from tests.batches.test_action_support import (
    FAULTS,
    HTMX,
    batch_of,
    client_for,
    configure_api,
    hidden_of,
)

pytestmark = pytest.mark.django_db

EDIT_PUT = r"^/api/v3/batch/\d+$"


@pytest.fixture(autouse=True)
def _api(settings):
    configure_api(settings)
    yield
    faults.clear()


@pytest.fixture
def batch() -> Batch:
    return batch_of("cora", "CORA_MARCH", note="first note")


def edit_data(client, batch, *, htmx: bool = True, **values) -> dict:
    """What the person submits: the form as drawn now, with `values` typed in."""
    url = f"/batches/{batch.batch_id}/edit/"
    html = client.get(url, headers=HTMX if htmx else {}).getvalue().decode()
    return {**hidden_of(html), **values}


def test_get_htmx_is_the_row_in_edit_mode(batch):
    response = client_for("cora").get(f"/batches/{batch.batch_id}/edit/", headers=HTMX)
    html = response.getvalue().decode()
    assert response.status_code == 200
    assert html.strip().startswith(f'<tbody id="batch-{batch.batch_id}"')
    assert "data-editing" in html
    assert f'hx-target="#batch-{batch.batch_id}"' in html
    assert 'value="CORA_MARCH"' in html
    assert 'value="first note"' in html
    assert re.search(r'<input[^>]*name="batch_code"[^>]*data-focus', html)
    assert f'data-row-url="/batches/{batch.batch_id}/row/"' in html
    assert "HX-Request" in response["Vary"]


def test_get_plain_is_a_full_page(batch):
    response = client_for("cora").get(f"/batches/{batch.batch_id}/edit/")
    html = response.getvalue().decode()
    assert "<!doctype html>" in html.lower()
    assert f'action="/batches/{batch.batch_id}/edit/"' in html
    assert "hx-post" not in html


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_save(batch, htmx):
    client = client_for("cora")
    data = edit_data(client, batch, batch_code="CORA_MARCH_FIXED", note="")
    response = client.post(f"/batches/{batch.batch_id}/edit/", data, headers=HTMX if htmx else {})
    batch.refresh_from_db()
    assert batch.batch_code == "CORA_MARCH_FIXED"
    assert batch.note is None  # an empty note clears it
    if htmx:
        html = response.getvalue().decode()
        assert html.strip().startswith(f'<tbody id="batch-{batch.batch_id}" class="batch">')
        assert "data-editing" not in html
        assert "data-edit-button" in html
        assert "Batch CORA_MARCH_FIXED saved." in html
    else:
        assert response.status_code == 303
        assert "Batch CORA_MARCH_FIXED saved." in client.get("/batches/").getvalue().decode()
    entry = ActivityEntry.objects.get()
    assert entry.outcome == Outcome.SUCCESS
    assert entry.changes == {
        "batchCode": {"before": "CORA_MARCH", "after": "CORA_MARCH_FIXED"},
        "note": {"before": "first note", "after": None},
    }


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_duplicate_code_shows_in_the_row_with_the_typed_values(batch, htmx):
    batch_of("otto", "OTTO_TAKEN")
    client = client_for("cora")
    data = edit_data(client, batch, batch_code="otto_taken", note="typed note")
    response = client.post(f"/batches/{batch.batch_id}/edit/", data, headers=HTMX if htmx else {})
    html = response.getvalue().decode()
    assert response.status_code == 200
    error = re.search(
        rf'<p class="field-error" id="edit-{batch.batch_id}-batch_code_error">([^<]*)', html
    )
    assert error
    assert "already exists" in error.group(1)
    assert 'value="otto_taken"' in html
    assert 'value="typed note"' in html
    if htmx:
        assert html.strip().startswith(f'<tbody id="batch-{batch.batch_id}"')
    batch.refresh_from_db()
    assert batch.batch_code == "CORA_MARCH"
    assert ActivityEntry.objects.get().outcome == Outcome.REFUSED


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"batch_code": "", "note": "kept note"}, "batch_code", "Enter a batch code."),
        ({"batch_code": "C" * 256, "note": "kept"}, "batch_code", "At most 255"),
        ({"batch_code": "KEPT", "note": "n" * 256}, "note", "At most 255"),
    ],
)
def test_length_errors_show_in_the_row(batch, values, field, message, htmx):
    client = client_for("cora")
    data = edit_data(client, batch, **values)
    response = client.post(f"/batches/{batch.batch_id}/edit/", data, headers=HTMX if htmx else {})
    html = response.getvalue().decode()
    assert message in html
    assert f'id="edit-{batch.batch_id}-{field}_error"' in html
    for value in values.values():
        if value:
            assert f'value="{value}"' in html
    assert not ActivityEntry.objects.exists()


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_every_api_failure_keeps_the_typed_values(batch, fault, htmx):
    client = client_for("cora")
    data = edit_data(client, batch, batch_code="CORA_TYPED", note="typed note")
    faults.inject(method="PUT", path=EDIT_PUT, **FAULTS[fault])
    response = client.post(f"/batches/{batch.batch_id}/edit/", data, headers=HTMX if htmx else {})
    html = response.getvalue().decode()
    assert response.status_code == 200
    assert f'id="edit-batch-errors-{batch.batch_id}"' in html
    assert 'value="CORA_TYPED"' in html
    assert 'value="typed note"' in html
    entry = ActivityEntry.objects.get()
    expected = Outcome.FAILED if fault in ("429", "500", "502", "503", "504") else Outcome.UNKNOWN
    assert entry.outcome == expected
    if expected == Outcome.UNKNOWN:
        assert "saving again is safe" in html
    # Saving again (the same form) works: an edit is safe to repeat.
    faults.clear()
    again = client.post(f"/batches/{batch.batch_id}/edit/", data, headers=HTMX)
    assert "Batch CORA_TYPED saved." in again.getvalue().decode()
    batch.refresh_from_db()
    assert batch.batch_code == "CORA_TYPED"


def test_a_repeated_save_returns_the_first_result(batch):
    client = client_for("cora")
    data = edit_data(client, batch, batch_code="CORA_ONCE", note="")
    first = client.post(f"/batches/{batch.batch_id}/edit/", data, headers=HTMX)
    # Someone else renames it meanwhile; the repeated submission must not rename it back.
    Batch.objects.filter(pk=batch.pk).update(batch_code="RENAMED_BY_OTHER", batch_code_ci="x")
    second = client.post(f"/batches/{batch.batch_id}/edit/", data, headers=HTMX)
    assert "Batch CORA_ONCE saved." in first.getvalue().decode()
    assert "Batch CORA_ONCE saved." in second.getvalue().decode()
    batch.refresh_from_db()
    assert batch.batch_code == "RENAMED_BY_OTHER"
    assert ActivityEntry.objects.count() == 1


def test_a_gone_batch(batch):
    client = client_for("cora")
    data = edit_data(client, batch, batch_code="X", note="")
    Batch.objects.filter(pk=batch.pk).delete()
    response = client.post(f"/batches/{batch.batch_id}/edit/", data, headers=HTMX)
    html = response.getvalue().decode()
    assert "was not found" in html
    assert 'value="X"' in html
    assert ActivityEntry.objects.get().outcome == Outcome.REFUSED
    # Opening the editor or the row of a gone batch removes the row and says why.
    for url in (f"/batches/{batch.batch_id}/edit/", f"/batches/{batch.batch_id}/row/"):
        gone = client.get(url, headers=HTMX)
        assert gone["HX-Reswap"] == "delete"
        assert "was not found" in gone.getvalue().decode()
    assert client.get(f"/batches/{batch.batch_id}/edit/").status_code == 404


def test_row_url_returns_the_normal_row(batch):
    client = client_for("cora")
    response = client.get(f"/batches/{batch.batch_id}/row/", headers=HTMX)
    assert response.getvalue().decode().startswith(f'<tbody id="batch-{batch.batch_id}"')
    assert client.get(f"/batches/{batch.batch_id}/row/").status_code == 302


def test_viewer_cannot_edit(batch):
    client = client_for("vic")
    assert client.get(f"/batches/{batch.batch_id}/edit/").status_code == 403
    response = client.post(f"/batches/{batch.batch_id}/edit/", {"batch_code": "V"}, headers=HTMX)
    assert response.status_code == 403
    batch.refresh_from_db()
    assert batch.batch_code == "CORA_MARCH"


# --- conflicting edits ---------------------------------------------------------------------------


def typed_values(html: str) -> dict[str, str]:
    """The code and note inputs as the form shows them."""
    return {
        name: unescape(re.search(rf'<input type="text" name="{name}" value="([^"]*)"', html)[1])
        for name in ("batch_code", "note")
    }


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_the_second_of_two_sessions_gets_the_conflict_and_the_first_edit_stays(batch, htmx):
    headers = HTMX if htmx else {}
    url = f"/batches/{batch.batch_id}/edit/"
    cora, lena = client_for("cora"), client_for("lena")
    # Both open the edit form of the same batch.
    coras = edit_data(cora, batch, htmx=htmx, batch_code="CORA_APRIL", note="Cora's note")
    lenas = edit_data(lena, batch, htmx=htmx, batch_code="LENA_APRIL", note="")
    lena.post(url, lenas, headers=headers)
    batch.refresh_from_db()
    assert (batch.batch_code, batch.note) == ("LENA_APRIL", None)

    response = cora.post(url, coras, headers=headers)
    html = response.getvalue().decode()
    assert response.status_code == 200
    batch.refresh_from_db()
    assert (batch.batch_code, batch.note) == ("LENA_APRIL", None)  # the first edit stays
    if htmx:
        assert html.strip().startswith(f'<tbody id="batch-{batch.batch_id}"')
        assert "data-editing" in html
        keep = f'hx-get="/batches/{batch.batch_id}/row/"'
    else:
        assert "<!doctype html>" in html.lower()
        keep = 'href="/batches/"'
    assert "was changed since you opened this form" in html
    assert "so nothing was saved" in html
    # Her version beside the current one.
    table = html[html.index(f'id="edit-conflict-{batch.batch_id}"') :]
    table = table[: table.index("</table>")]
    assert re.search(r"Batch code</th><td>CORA_APRIL</td><td>LENA_APRIL</td>", table)
    assert re.search(r"Note</th><td>Cora&#x27;s note</td><td>\(none\)</td>", table)
    # What she typed is kept; the form now saves over the current batch, with a fresh token.
    assert typed_values(html) == {"batch_code": "CORA_APRIL", "note": "Cora's note"}
    hidden = hidden_of(html)
    assert hidden["seen_code"] == "LENA_APRIL"
    assert hidden.get("seen_note", "") == ""
    assert hidden["token"] != coras["token"]
    assert re.search(r'<button type="submit">Save mine anyway</button>', html)
    assert re.search(rf"<a [^>]*{re.escape(keep)}[^>]*>Keep the current one</a>", html, re.S)
    entries = {e.username: e for e in ActivityEntry.objects.all()}
    assert entries["lena"].outcome == Outcome.SUCCESS
    assert entries["cora"].outcome == Outcome.REFUSED
    assert "changed since you opened this form" in entries["cora"].message
    assert entries["cora"].changes["batchCode"] == {"before": "LENA_APRIL", "after": "CORA_APRIL"}

    # "Save mine anyway" saves her version.
    again = cora.post(url, {**hidden, **typed_values(html)}, headers=headers)
    batch.refresh_from_db()
    assert (batch.batch_code, batch.note) == ("CORA_APRIL", "Cora's note")
    if htmx:
        assert "Batch CORA_APRIL saved." in again.getvalue().decode()
    else:
        assert again.status_code == 303
    assert ActivityEntry.objects.filter(username="cora", outcome=Outcome.SUCCESS).count() == 1


def test_one_person_in_two_tabs_gets_the_conflict_for_a_changed_note(batch):
    cora = client_for("cora")
    url = f"/batches/{batch.batch_id}/edit/"
    first = edit_data(cora, batch, batch_code="CORA_MARCH", note="tab one")
    second = edit_data(cora, batch, batch_code="CORA_MARCH", note="tab two")
    cora.post(url, first, headers=HTMX)
    html = cora.post(url, second, headers=HTMX).getvalue().decode()
    assert "nothing was saved" in html
    assert re.search(r"Note</th><td>tab two</td><td>tab one</td>", html)
    batch.refresh_from_db()
    assert batch.note == "tab one"


def test_a_change_meanwhile_to_exactly_what_was_typed_is_no_conflict(batch):
    client = client_for("cora")
    data = edit_data(client, batch, batch_code="SAME_FIX", note="first note")
    Batch.objects.filter(pk=batch.pk).update(batch_code="SAME_FIX", batch_code_ci="same_fix")
    html = client.post(f"/batches/{batch.batch_id}/edit/", data, headers=HTMX).getvalue().decode()
    assert "Batch SAME_FIX saved." in html
    assert ActivityEntry.objects.get().outcome == Outcome.SUCCESS


def test_a_form_without_what_it_showed_is_a_conflict_not_an_overwrite(batch):
    # A form drawn before the edit form carried what it showed: nothing is overwritten blindly.
    client = client_for("cora")
    data = {"token": edit_data(client, batch)["token"], "batch_code": "BLIND", "note": ""}
    html = client.post(f"/batches/{batch.batch_id}/edit/", data, headers=HTMX).getvalue().decode()
    assert "nothing was saved" in html
    batch.refresh_from_db()
    assert batch.batch_code == "CORA_MARCH"
