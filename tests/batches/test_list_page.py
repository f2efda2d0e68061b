"""The batch list page: quick filters, full page or fragment, paging, failures, invalid input."""

# ruff: noqa: RUF001 - the en dash of "51-100 of 1,234" (U+2013) is what people read

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from batchui.accounts.models import Profile
from batchui.accounts.roles import Role
from batchui.accounts.services import api_key_set
from batchui.batchapi.errors import AUTH_MESSAGE
from batchui.simulator import faults
from batchui.simulator.models import ApiUser, Batch, BatchStatus
from tests.batches.conftest import filters_of, shown_ids
from tests.helpers import HTMX
from tests.simulator.helpers import make_batch


@pytest.fixture
def three(clerk_api_user):
    """The clerk's open batch, someone else's pending one, the clerk's closed one."""
    other = ApiUser.objects.create(user_code="OTHER", full_name="Olga Other")
    now = timezone.now()
    return {
        "open": make_batch(user=clerk_api_user, code="Maint_Open", status=BatchStatus.OPEN),
        "pending": make_batch(
            user=other, code="Hist_Pending", status=BatchStatus.PENDING, start_date=now
        ),
        "closed": make_batch(
            user=clerk_api_user,
            code="Maint_Closed",
            status=BatchStatus.CLOSED,
            start_date=now - timedelta(days=20),
            end_date=now - timedelta(days=1),
        ),
    }


def ids(*batches: Batch) -> set[int]:
    return {batch.batch_id for batch in batches}


# --- quick filters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected_filter", "expected"),
    [
        ({}, "", ("open", "pending", "closed")),
        ({"status": "closed"}, "batchStatus equals 'Closed'", ("closed",)),
        (
            {"status": ["open", "pending"]},
            "batchStatus one of 'Open'|'Pending'",
            ("open", "pending"),
        ),
        ({"who": "mine"}, "systemUserCode equals 'TCLERK'", ("open", "closed")),
        ({"who": "all"}, "", ("open", "pending", "closed")),
        ({"code": "maint_"}, "batchCode like 'maint_'", ("open", "closed")),
        ({"opened": "today"}, "startDate today", ("open", "pending")),
        ({"opened": "last 30 days"}, "startDate last 30 days", ("open", "pending", "closed")),
        ({"closed": "yesterday"}, "endDate yesterday", ("closed",)),
        ({"closed": "last 7 days"}, "endDate last 7 days", ("closed",)),
        (
            {"status": "open", "who": "mine", "code": "Open"},
            "batchStatus equals 'Open' and systemUserCode equals 'TCLERK' "
            "and batchCode like 'Open'",
            ("open",),
        ),
    ],
)
def test_quick_filters(clerk_client, three, sent, query, expected_filter, expected):
    response = clerk_client.get("/batches/", query)
    html = response.getvalue().decode()  # streamed: the search runs as the page is read
    assert response.status_code == 200
    assert filters_of(sent) == [expected_filter]
    assert shown_ids(html) == ids(*(three[name] for name in expected))


def test_date_presets_offer_every_shortcut_of_the_api(clerk_client, three):
    html = clerk_client.get("/batches/").getvalue().decode()
    for preset in ("today", "yesterday", "last 7 days", "last 14 days", "last 30 days",
                   "last 60 days", "last 90 days"):  # fmt: skip
        assert f'<option value="{preset}">' in html


def test_custom_date_ranges(clerk_client, three, sent):
    today = timezone.now().date()
    start = (today - timedelta(days=25)).isoformat()
    end = (today - timedelta(days=5)).isoformat()
    both = clerk_client.get("/batches/", {"opened_from": start, "opened_to": end}).getvalue()
    since = clerk_client.get(
        "/batches/", {"closed_from": (today - timedelta(days=1)).isoformat()}
    ).getvalue()
    until = clerk_client.get("/batches/", {"opened_to": end}).getvalue()
    assert filters_of(sent) == [
        f"startDate between '{start}'|'{end}'",
        f"endDate greater than equal '{(today - timedelta(days=1)).isoformat()}'",
        f"startDate less than equal '{end}'",
    ]
    assert shown_ids(both.decode()) == ids(three["closed"])
    assert shown_ids(since.decode()) == ids(three["closed"])
    assert shown_ids(until.decode()) == ids(three["closed"])


def test_a_preset_and_dates_together_are_refused_next_to_the_group(clerk_client, three, sent):
    html = (
        clerk_client.get(
            "/batches/", {"opened": "today", "opened_from": "2026-01-01", "code": "kept"}
        )
        .getvalue()
        .decode()
    )
    assert sent == []
    assert re.search(r'<p id="opened-error" class="field-error">Choose a period or dates', html)
    assert 'value="2026-01-01"' in html
    assert 'value="kept"' in html
    backwards = clerk_client.get(
        "/batches/", {"closed_from": "2026-02-01", "closed_to": "2026-01-01"}
    )
    assert "The “from” date is after the “to” date." in backwards.getvalue().decode()


def test_mine_is_disabled_and_explained_without_a_user_code(make_person, client, three, sent):
    person = make_person(Role.VIEWER, username="no-code", code="TVIEW")
    Profile.objects.filter(user=person).update(energycap_user_code="")
    client.force_login(person)
    html = client.get("/batches/").getvalue().decode()
    assert re.search(r'id="who-mine"[^>]*disabled', html)
    assert "your profile has no EnergyCAP user code" in html
    refused = client.get("/batches/", {"who": "mine"}).getvalue().decode()
    assert 'id="who-error"' in refused
    assert "Ask an administrator to set it." in refused
    assert len(filters_of(sent)) == 1  # only the first page load reached the API


# --- one URL, two renderings --------------------------------------------------------------


def test_a_plain_get_is_the_full_page(clerk_client, three):
    response = clerk_client.get("/batches/", {"status": "open"})
    html = response.getvalue().decode()
    assert html.lstrip().startswith("<!doctype html>")
    assert "<html" in html
    assert 'id="batch-filters"' in html
    assert 'method="get"' in html
    assert 'hx-target="#results"' in html
    assert '<tbody id="batch-table-first"></tbody>' in html
    assert '<div id="dialog"></div>' in html
    assert "HX-Request" in response["Vary"]


def test_htmx_gets_the_results_fragment_with_out_of_band_updates(clerk_client, three):
    response = clerk_client.get("/batches/", {"status": "open"}, headers=HTMX)
    html = response.getvalue().decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="batch-filters"' not in html
    assert 'id="batch-table"' in html
    assert '<div id="condition-rows" class="condition-rows" hx-swap-oob="true">' in html
    assert '<div hx-swap-oob="innerHTML:#live">1–1 of 1 batch</div>' in html
    assert "HX-Request" in response["Vary"]
    assert response["HX-Push-Url"] == "/batches/?status=open"


def test_the_pushed_url_is_the_list_as_chosen_without_empty_inputs(clerk_client, many):
    query = {"status": "open", "who": "all", "code": "", "opened": "", "size": "25",
             "f": ["", "billCount"], "op": ["", "less than"], "v": ["", "100"], "v2": ["", ""],
             "page": "2"}  # fmt: skip
    response = clerk_client.get("/batches/", query, headers=HTMX)
    assert response["HX-Push-Url"] == (
        "/batches/?status=open&size=25&f=billCount&op=less+than&v=100&v2=&page=2"
    )
    assert "26–50 of 120 batches" in response.getvalue().decode()


@pytest.mark.parametrize(
    "headers",
    [
        {**HTMX, "HX-Boosted": "true"},
        {**HTMX, "HX-History-Restore-Request": "true"},
    ],
    ids=["boosted", "history restore"],
)
def test_boosted_and_history_restore_requests_get_the_full_page(clerk_client, three, headers):
    response = clerk_client.get("/batches/", {"status": "open"}, headers=headers)
    assert "<html" in response.getvalue().decode()
    assert "HX-Request" in response["Vary"]


def test_home_sends_people_to_the_batch_list(clerk_client):
    response = clerk_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/batches/"


# --- rows ---------------------------------------------------------------------------------


def test_rows_show_money_counts_and_dates_for_people(clerk_client, clerk_api_user):
    start = timezone.now().replace(year=2026, month=11, day=22, hour=14, minute=5, second=0,
                                   microsecond=0)  # fmt: skip
    batch = make_batch(
        user=clerk_api_user, code="Fmt_1", bill_count=1234, running_total=12345.67,
        flag_count=3, has_imports_with_kickout=True, start_date=start, note="check me",
        control_code="CTRL-9",
    )  # fmt: skip
    html = clerk_client.get("/batches/").getvalue().decode()
    row = html[html.index(f'<tbody id="batch-{batch.batch_id}" class="batch">') :]
    row = row[: row.index("</tbody>")]
    assert "$12,345.67" in row
    assert ">1,234<" in row
    assert (
        '<time datetime="2026-11-22T14:05:00+00:00" title="2026-11-22 14:05:00 UTC (UTC+00:00)" '
        'tabindex="0">22 Nov 2026, 14:05</time>'
    ) in row
    assert 'aria-expanded="false"' in row
    assert f'aria-controls="batch-{batch.batch_id}-more"' in row
    assert "<details" in row
    assert "CTRL-9" in row
    assert "check me" in row
    assert '<td class="actions">' in row


# --- paging -------------------------------------------------------------------------------


@pytest.fixture
def many(clerk_api_user):
    now = timezone.now()
    Batch.objects.bulk_create(
        [
            Batch(
                batch_code=f"B{i:04d}", batch_status=BatchStatus.OPEN, created_by=clerk_api_user,
                start_date=now, batch_code_ci=f"b{i:04d}",
            )
            for i in range(120)
        ]
    )  # fmt: skip


def test_paging_text_and_links(clerk_client, many, sent):
    response = clerk_client.get("/batches/", {"page": "2", "size": "50", "code": "B"})
    html = response.getvalue().decode()
    assert "51–100 of 120 batches" in html
    assert len(shown_ids(html)) == 50
    assert "pageNumber=2" in sent[0]
    assert "pageSize=50" in sent[0]
    for label, page in (("First", 1), ("Previous", 1), ("Next", 3), ("Last", 3)):
        link = re.search(rf'<a[^>]*href="([^"]*)"[^>]*>{label}</a>', html)
        assert link, label
        assert f"page={page}" in link.group(1)
        assert "code=B" in link.group(1)
        assert f'hx-get="{link.group(1)}"' in link.group(0)
    assert 'aria-current="page"' in html


@pytest.mark.parametrize(("page", "shown"), [("abc", "1–25"), ("-4", "1–25"), ("0", "1–25")])
def test_nonsense_page_numbers_mean_page_one(clerk_client, many, page, shown):
    html = clerk_client.get("/batches/", {"page": page, "size": "25"}).getvalue().decode()
    assert f"{shown} of 120 batches" in html


def test_an_unknown_page_size_falls_back_to_fifty(clerk_client, many):
    html = clerk_client.get("/batches/", {"size": "7"}).getvalue().decode()
    assert "1–50 of 120 batches" in html


def test_a_page_past_the_end_shows_an_empty_state_with_a_link_to_the_last(clerk_client, many):
    html = clerk_client.get("/batches/", {"page": "99999999999", "size": "100"}).getvalue().decode()
    assert "is past the end" in html
    assert re.search(
        r'<a href="/batches/\?[^"]*page=2[^"]*" hx-get=[^>]*>Go to the last page', html
    )


def test_no_match_shows_a_clear_empty_state(clerk_client, three):
    html = clerk_client.get("/batches/", {"code": "nothing-like-this"}).getvalue().decode()
    assert "No batches match these filters." in html
    assert shown_ids(html) == set()


# --- API failures -------------------------------------------------------------------------


@pytest.mark.usefixtures("no_retries", "clean_faults")
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_an_api_failure_shows_its_message_and_a_retry_in_place_of_results(
    clerk_client, three, headers
):
    faults.inject("status", status=503, times=10)
    query = {"status": "open", "code": "Maint"}
    response = clerk_client.get("/batches/", query, headers=headers)
    html = response.getvalue().decode()
    assert response.status_code == 200
    assert "The batches could not be loaded." in html
    assert "HTTP 503" in html
    assert re.search(r'<a class="button" href="/batches/\?status=open&amp;code=Maint" '
                     r'hx-get="/batches/\?status=open&amp;code=Maint">Retry</a>', html)  # fmt: skip
    assert 'id="batch-table"' not in html
    if not headers:
        assert 'value="Maint"' in html
        assert 'value="open" checked' in html


def test_a_refused_key_shows_the_auth_message(clerk_client, clerk, three):
    api_key_set(user=clerk, api_key="not-a-real-key-000000")
    html = clerk_client.get("/batches/", headers=HTMX).getvalue().decode()
    assert AUTH_MESSAGE in html
    assert "Retry" in html


# --- invalid advanced rows ----------------------------------------------------------------


def test_an_invalid_row_gets_its_message_and_keeps_what_was_typed(clerk_client, three, sent):
    query = {"f": ["billCount", "batchStatus"], "op": ["between", "like"], "v": ["1", "Open"],
             "v2": ["lots", ""]}  # fmt: skip
    html = clerk_client.get("/batches/", query).getvalue().decode()
    assert sent == []
    assert "Fix the filters marked above to see batches." in html
    assert (
        '<p id="cond-0-error" class="field-error row-error">“lots” is not a whole number.</p>'
        in html
    )
    assert "“like” cannot be used with Status" in html
    assert re.search(r'id="cond-0-v2" name="v2" value="lots"[^>]*aria-describedby='
                     r'"cond-0-help cond-0-error" aria-invalid="true"', html)  # fmt: skip
    assert '<option value="like" selected>like</option>' in html


def test_invalid_rows_come_back_out_of_band_to_htmx(clerk_client, three):
    query = {"f": "runningTotal", "op": "greater than", "v": "a lot", "v2": ""}
    html = clerk_client.get("/batches/", query, headers=HTMX).getvalue().decode()
    assert 'hx-swap-oob="true"' in html
    assert "“a lot” is not an amount." in html
    assert 'value="a lot"' in html


def test_add_and_remove_conditions_without_javascript(clerk_client, three):
    base = {"f": "billCount", "op": "equals", "v": "3", "v2": ""}
    added = clerk_client.get("/batches/", {**base, "add": "1"}).getvalue().decode()
    assert 'id="cond-1-f"' in added
    assert 'id="cond-2-f"' not in added
    removed = clerk_client.get("/batches/", {**base, "remove": "0"}).getvalue().decode()
    assert 'value="3"' not in removed.split('id="condition-rows"')[1].split("</fieldset>")[0]


def test_amounts_and_values_are_read_as_people_type_them(clerk_client, three, sent):
    clerk_client.get(
        "/batches/",
        {"f": ["runningTotal", "startDate", "isOpen"],
         "op": ["greater than", "less than", "equals"],
         "v": ["$50,000", "2026-11-22 14:05", "Yes"], "v2": ["", "", ""]},
    ).getvalue()  # fmt: skip
    assert filters_of(sent) == [
        "runningTotal greater than '50000' and startDate less than '2026-11-22T14:05:00' "
        "and isOpen equals 'true'"
    ]


# --- condition rows from the server -------------------------------------------------------

ROWS = {**HTMX, "HX-Target": "condition-rows"}


def test_htmx_asking_for_the_rows_gets_only_the_rows_and_no_search(clerk_client, three, sent):
    query = {"f": ["billCount", ""], "op": ["equals", ""], "v": ["3", ""], "v2": ["", ""]}
    added = clerk_client.get("/batches/", {**query, "add": "1"}, headers=ROWS).getvalue().decode()
    assert sent == []
    assert 'id="batch-filters"' not in added
    assert 'id="batch-table"' not in added
    assert [int(i) for i in re.findall(r'id="cond-(\d+)-f"', added)] == [0, 1, 2]  # blank kept
    assert re.search(r'id="cond-2-f" name="f" data-field autofocus', added)
    assert "HX-Push-Url" not in added

    removed = clerk_client.get("/batches/", {**query, "remove": "0"}, headers=ROWS)
    html = removed.getvalue().decode()
    assert [int(i) for i in re.findall(r'id="cond-(\d+)-f"', html)] == [0]
    assert 'value="3"' not in html
    assert re.search(r'id="cond-0-f" name="f" data-field autofocus', html)


def test_a_rows_operators_follow_its_field(clerk_client, three, sent):
    query = {"f": ["billCount", "isOpen"], "op": ["equals", ""], "v": ["3", ""],
             "v2": ["", ""], "edit": "1"}  # fmt: skip
    html = clerk_client.get("/batches/", query, headers=ROWS).getvalue().decode()
    assert sent == []
    second = html[html.index('id="cond-1-op"') :]
    second = second[: second.index("</select>")]
    assert re.findall(r'<option value="([^"]*)"', second) == ["", "equals"]
    assert re.search(r'id="cond-1-f" name="f" data-field autofocus', html)
    assert 'hx-vals=\'{"edit": "1"}\'' in html


def test_rows_being_edited_show_no_mistakes_yet(clerk_client, three):
    query = {"f": "billCount", "op": "", "v": "", "v2": "", "edit": "0"}
    html = clerk_client.get("/batches/", query, headers=ROWS).getvalue().decode()
    assert "Choose an operator." not in html
    assert "has-error" not in html


def test_no_template_syntax_leaks_into_the_page(clerk_client, three):
    # A {# comment #} spanning two lines is printed as text: the page must show none.
    html = clerk_client.get("/batches/?f=billCount&op=between&v=1&v2=5").getvalue().decode()
    for mark in ("{#", "#}", "{%", "%}", "{{", "}}"):
        assert mark not in html, mark
