"""Editing a batch's code and note inline: the edit row, saving, errors kept in the row."""

from __future__ import annotations

import re

import pytest

from batchui.activity.models import ActivityEntry, Outcome
from batchui.simulator import faults
from batchui.simulator.models import Batch
from tests.batches.test_action_support import FAULTS, HTMX, batch_of, client_for, configure_api

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


def token_of(html: str) -> str:
    return re.search(r'name="token" value="([0-9a-f]{32})"', html).group(1)


def edit_data(client, batch, **values) -> dict:
    html = client.get(f"/batches/{batch.batch_id}/edit/", headers=HTMX).getvalue().decode()
    return {"token": token_of(html), **values}


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
