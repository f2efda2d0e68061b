"""The benchmark-only floor page (batchui/core/bench.py, mounted with BENCH_BARE_VIEW=1): the
list's API call and its rows for a signed-in person, nothing else."""

from django.urls import clear_url_caches

from batchui.simulator.models import BatchStatus
from tests.batches.conftest import filters_of
from tests.simulator.helpers import make_batch


def test_the_floor_page_shows_the_first_50_open_batches_with_their_rows(
    settings, clerk_client, clerk_api_user, sent
):
    settings.ROOT_URLCONF = "batchui.core.bench"
    clear_url_caches()
    for number in range(55):
        make_batch(user=clerk_api_user, code=f"FLOOR-{number:02d}")
    make_batch(user=clerk_api_user, code="FLOOR-CLOSED", status=BatchStatus.CLOSED)
    try:
        response = clerk_client.get("/bench/list-floor/")
    finally:
        clear_url_caches()

    html = response.content.decode()
    assert response.status_code == 200
    assert "1\N{EN DASH}50 of 55 batches" in html
    assert html.count('<tbody id="batch-') == 50
    assert 'data-edit-button aria-label="Edit batch FLOOR-54"' in html  # rows as the list's
    assert "FLOOR-CLOSED" not in html
    assert filters_of(sent) == ["batchStatus equals 'Open'"]  # the list's call for status=open
