"""A host that does not report the newer fields (EnergyCAP 8.2309: no hasImportsWithKickout, no
hasLogs): the screens show them as unknown and never fail; the CSV writes times in UTC whatever
the host's zone."""

from __future__ import annotations

from datetime import UTC, datetime

from batchui.batchapi.values import parse_batch
from batchui.batches.columns import CSV_HEADER, batch_csv_row
from batchui.review.services import is_ready_to_close, review_figures
from tests.batchapi.test_values import response


def old_host_batch(**overrides):
    data = response(analyzingCount=0, flagCount=0, **overrides)
    del data["hasImportsWithKickout"], data["hasLogs"]
    return parse_batch(data)


def test_unknown_kickouts_neither_block_readiness_nor_count_as_kickouts():
    batch = old_host_batch()
    assert batch.has_imports_with_kickout is None
    assert is_ready_to_close(batch)
    figures = review_figures(
        open_and_pending=[batch], recently_closed=[], now=datetime.now(UTC), stale_days=14
    )
    assert figures.team.kickout_count == 0


def test_the_csv_leaves_unknown_fields_empty_and_writes_utc(settings):
    settings.BATCH_API_TIME_ZONE = "America/New_York"
    batch = old_host_batch(startDate="2026-06-15T08:00:00")  # 08:00 EDT
    row = dict(zip(CSV_HEADER, batch_csv_row(batch), strict=True))
    assert row["Kickouts"] == ""
    assert row["Has logs"] == ""
    assert row["Opened"] == "2026-06-15T12:00:00Z"
