"""Dates and times: one format for date-times (and one for dates) on every page, in the person's
own time zone, which the page names; the exact value with its zone on hover and focus."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from batchui.accounts import services
from batchui.accounts.roles import Role
from batchui.activity.models import Action, ActivityEntry, Outcome
from batchui.batches.templatetags.batch_format import day, day_text, when
from batchui.simulator.models import ApiUser
from tests.helpers import HTMX, make_person, signed_in_client
from tests.simulator.helpers import make_batch

pytestmark = pytest.mark.usefixtures("transactional_db")  # the review reads in other threads

OPENED = datetime(2026, 11, 22, 13, 5, tzinfo=UTC)  # 14:05 in Berlin
BERLIN = (
    '<time datetime="2026-11-22T13:05:00+00:00" title="2026-11-22 14:05:00 Europe/Berlin '
    '(UTC+01:00)" tabindex="0">22 Nov 2026, 14:05</time>'
)
TIMES = re.compile(r"<time ([^>]*)>([^<]*)</time>")
DATE_TEXT = r"\d{1,2} [A-Z][a-z]{2} \d{4}"
DATE_TIME_TEXT = DATE_TEXT + r", \d\d:\d\d"


@pytest.fixture
def lead_in_berlin():
    cache.clear()
    lead = make_person("lena", Role.LEAD, code="LLEAD", full_name="Lena Lead")
    services.time_zone_set(user=lead, name="Europe/Berlin")
    yield lead
    cache.clear()


def test_one_format_in_the_list_a_dialog_the_batch_page_the_review_and_the_activity(lead_in_berlin):
    batch = make_batch(user=ApiUser.objects.get(user_code="LLEAD"), code="TZ_1", start_date=OPENED)
    ActivityEntry.objects.create(
        created=OPENED, finished=OPENED, user=lead_in_berlin, username="lena",
        action=Action.OPEN, outcome=Outcome.SUCCESS, batch_id=batch.batch_id, batch_code="TZ_1",
    )  # fmt: skip
    client = signed_in_client(lead_in_berlin)
    pages = {
        "list": client.get("/batches/").getvalue().decode(),
        "close dialog": client.get(f"/batches/{batch.batch_id}/close/", headers=HTMX).content,
        "close page": client.get(f"/batches/{batch.batch_id}/close/").content,
        "batch page": client.get(f"/batches/{batch.batch_id}/").content,
        "review": client.get("/review/").content,
        "activity": client.get("/activity/").content,
    }
    for name, page in pages.items():
        html = page if isinstance(page, str) else page.decode()
        assert BERLIN in html, name
        for attributes, text in TIMES.findall(html):  # every other date (-time): the same format
            if "data-relative" in attributes:  # "3 minutes ago"
                continue
            date_time = 'tabindex="0"' in attributes
            assert re.fullmatch(DATE_TIME_TEXT if date_time else DATE_TEXT, text), (name, text)
    assert "Times in Europe/Berlin" in pages["list"]
    assert "Times in Europe/Berlin." in pages["activity"].decode()


def test_the_person_s_zone_is_applied_and_named_and_others_keep_the_default(
    lead_in_berlin, settings
):
    settings.TIME_ZONE = "UTC"
    make_batch(user=ApiUser.objects.get(user_code="LLEAD"), code="TZ_2", start_date=OPENED)
    berlin = signed_in_client(lead_in_berlin).get("/batches/").getvalue().decode()
    assert ">22 Nov 2026, 14:05</time>" in berlin
    assert re.search(r"Times in Europe/Berlin \(<a href=\"/accounts/profile/#time-zone\">", berlin)
    clerk = make_person("cora", Role.CLERK, code="CCLERK")
    utc = signed_in_client(clerk).get("/batches/").getvalue().decode()
    assert ">22 Nov 2026, 13:05</time>" in utc
    assert "Times in UTC" in utc
    results = signed_in_client(lead_in_berlin).get("/batches/", headers=HTMX).content.decode()
    assert "Times in Europe/Berlin" in results
    assert ">22 Nov 2026, 14:05</time>" in results


def test_a_typed_date_time_is_read_in_the_person_s_zone(lead_in_berlin):
    make_batch(user=ApiUser.objects.get(user_code="LLEAD"), code="TZ_3", start_date=OPENED)
    client = signed_in_client(lead_in_berlin)
    query = {"f": "startDate", "op": "greater than", "v": "2026-11-22 14:00", "v2": ""}
    assert "TZ_3" in client.get("/batches/", query).getvalue().decode()  # 13:00 UTC
    query["v"] = "2026-11-22 14:10"
    assert "TZ_3" not in client.get("/batches/", query).getvalue().decode()


def test_the_formats():
    with timezone.override("Europe/Berlin"):
        assert when(OPENED) == BERLIN
        assert day_text(OPENED) == "22 Nov 2026"
        assert day_text("2026-02-01") == "1 Feb 2026"  # a due date, as text from the API
        assert day_text("soon") == "soon"
        assert day("2026-02-01") == '<time datetime="2026-02-01">1 Feb 2026</time>'
        late = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
        assert day_text(late) == "23 Nov 2026"  # the person's day
    assert when(None) == day_text(None) == "—"


def test_the_person_s_zone_is_forgotten_when_the_response_is_done(lead_in_berlin):
    make_batch(user=ApiUser.objects.get(user_code="LLEAD"), code="TZ_4", start_date=OPENED)
    page = signed_in_client(lead_in_berlin).get("/batches/").getvalue().decode()  # streamed
    assert ">22 Nov 2026, 14:05</time>" in page  # its later parts too
    assert timezone.get_current_timezone_name() == "UTC"  # not Berlin for what runs next
