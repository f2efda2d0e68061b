"""Pages with batch data or activity tell every cache not to keep them: `private, no-store`."""

from __future__ import annotations

import pytest

from tests.batches.test_action_support import HTMX, batch_of, client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_signed_in_pages_are_private_and_not_stored(settings, headers):
    settings.BATCH_API_URL = ""
    client = client_for("lena")
    batch = batch_of("lena", "LENA_NO_STORE")
    for path in (
        "/batches/",
        f"/batches/{batch.batch_id}/edit/",
        "/batches/export.csv",
        "/review/",
        "/widget/",
        "/widget.json",
        "/activity/",
        "/accounts/profile/",
    ):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, (path, response["Cache-Control"])
