"""The Open dialog shows at once: its preview of the person's open batches (an API call) and the
code suggestion load after it, from /batches/new/preview/; the full page (no JavaScript) has both
inline."""

from __future__ import annotations

import pytest

from batchui.simulator import faults
from batchui.simulator.models import BatchStatus
from tests.batches.test_action_support import HTMX, batch_of, client_for, configure_api

pytestmark = pytest.mark.django_db

TODAY = __import__("django.utils.timezone", fromlist=["localdate"]).localdate()
BASE = f"CCLERK_{TODAY:%Y%m%d}"


@pytest.fixture(autouse=True)
def _api(settings):
    configure_api(settings)
    yield
    faults.clear()


def api_calls(caplog) -> int:
    return sum(1 for r in caplog.records if r.getMessage().startswith("batchapi "))


def test_the_dialog_calls_no_api_and_loads_its_preview_after(caplog):
    client = client_for("cora")
    caplog.set_level("INFO", logger="batchui.batchapi")
    faults.inject("status", status=500, method="GET", times=None)  # the API is down: no matter
    html = client.get("/batches/new/", headers=HTMX).getvalue().decode()
    assert api_calls(caplog) == 0
    assert html.strip().startswith("<dialog")
    preview = html[html.index('id="open-batches-preview"') :]
    preview = preview[: preview.index("</div>")]
    assert 'hx-get="/batches/new/preview/?suggest=1" hx-trigger="load"' in preview
    assert 'hx-target="this" hx-swap="outerHTML"' in preview
    assert 'aria-busy="true"' in preview
    assert "data-deferred" in preview
    assert "Loading your open batches…" in preview
    # The code field is there, empty and to be focused; the suggestion comes with the preview.
    assert 'id="open-batch_code"' in html
    assert "data-focus" in html
    assert f'value="{BASE}' not in html
    client.get("/batches/new/preview/?suggest=1", headers=HTMX)
    assert api_calls(caplog) == 2  # the suggestion and the open batches (each failed, no retry)


def test_the_preview_lists_my_open_batches_and_suggests_a_free_code():
    batch_of("cora", "CORA_OPEN_1")
    batch_of("cora", "CORA_PENDING", status=BatchStatus.PENDING)
    batch_of("otto", BASE)  # the team's code for today is taken
    client = client_for("cora")
    html = client.get("/batches/new/preview/?suggest=1", headers=HTMX).getvalue().decode()
    assert html.strip().startswith(
        f'<div id="open-batches-preview" class="help" data-suggested-code="{BASE}-2">'
    )
    assert "closes 1 open batch of yours" in html
    assert "CORA_OPEN_1" in html
    assert "CORA_PENDING" not in html
    assert "hx-get" not in html
    # Without ?suggest (a form re-rendered after an error) no suggestion, no second API call.
    again = client.get("/batches/new/preview/", headers=HTMX).getvalue().decode()
    assert "data-suggested-code" not in again
    assert "CORA_OPEN_1" in again


def test_a_failed_preview_says_so_in_place():
    faults.inject("status", status=500, method="GET", path=r"^/api/v3/batch$", times=None)
    response = client_for("cora").get("/batches/new/preview/?suggest=1", headers=HTMX)
    assert response.status_code == 200  # htmx swaps it in place of "Loading…"
    html = response.getvalue().decode()
    assert "Your open batches could not be listed:" in html
    assert (
        f'data-suggested-code="{BASE}"' in html
    )  # the unchecked code: the API refuses a duplicate


def test_the_preview_is_no_page_of_its_own():
    response = client_for("cora").get("/batches/new/preview/")
    assert response.status_code == 302
    assert response["Location"] == "/batches/new/"


def test_the_full_page_has_the_preview_and_the_suggestion_inline():
    batch_of("cora", "CORA_OPEN_1")
    html = client_for("cora").get("/batches/new/").getvalue().decode()
    assert f'value="{BASE}"' in html
    assert "closes 1 open batch of yours" in html
    assert "CORA_OPEN_1" in html
    assert "Loading your open batches" not in html
    assert "/preview/" not in html


def test_a_form_with_errors_loads_the_preview_again_without_a_suggestion(caplog):
    client = client_for("cora")
    caplog.set_level("INFO", logger="batchui.batchapi")
    response = client.post("/batches/new/", {"batch_code": ""}, headers=HTMX)
    html = response.getvalue().decode()
    assert api_calls(caplog) == 0
    assert 'hx-get="/batches/new/preview/" hx-trigger="load"' in html
    assert "open-batch_code_error" in html
