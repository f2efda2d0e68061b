"""The list's rows are built in Python (templatetags/batch_rows.py, batch_format.batch_cells):
their dates must read exactly as the `when` filter shows them everywhere else."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from batchui.batches.templatetags.batch_format import _time, when

EARLY, LATE = datetime(1900, 1, 1), datetime(2200, 1, 1)
ZONES = [UTC, ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata"), ZoneInfo("Pacific/Chatham")]


@given(
    value=st.none()
    | st.datetimes(min_value=EARLY, max_value=LATE, timezones=st.sampled_from(ZONES))
    | st.datetimes(min_value=EARLY, max_value=LATE),
    shown_in=st.sampled_from(ZONES),
)
def test_a_row_date_reads_as_the_when_filter_shows_it(value, shown_in):
    with timezone.override(shown_in):
        assert _time(value, timezone.get_current_timezone()) == str(when(value))
