"""Ids no batch can have (0, negative, above int32) are no route: 404, and nothing happens
(red-team finding 5: /batches/0/edit/, /close/ and /row/ answered 500 and the POST left a log
entry and a pending token)."""

from __future__ import annotations

import pytest

from batchui.activity.models import ActivityEntry
from batchui.batches.models import FormSubmission
from tests.batches.test_action_support import HTMX, client_for, configure_api

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _api(settings):
    configure_api(settings)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("batch_id", ["0", "00", "-1", "2147483648", "99999999999"])
@pytest.mark.parametrize("action", ["edit", "close", "row"])
def test_an_impossible_batch_id_is_404_with_no_side_effect(action, batch_id, htmx):
    client = client_for("lena")
    headers = HTMX if htmx else {}
    url = f"/batches/{batch_id}/{action}/"
    assert client.get(url, headers=headers).status_code == 404
    data = {"batch_code": "X", "note": "", "token": "0" * 32, "confirm": "on"}
    assert client.post(url, data, headers=headers).status_code == 404
    assert not ActivityEntry.objects.exists()
    assert not FormSubmission.objects.exists()


def test_the_largest_int32_is_a_batch_id():
    response = client_for("lena").get("/batches/2147483647/edit/")
    assert "Batch 2147483647 was not found" in response.content.decode()  # asked the API
