"""The batch list in a browser: filters as you type, paging with back/forward, the advanced
filter, CSV export, and an accessibility check."""

# ruff: noqa: RUF001 - the en dash of "51-100 of 1,234" (U+2013) is what people read

from __future__ import annotations

import csv
import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from batchui.accounts.roles import Role
from batchui.simulator import faults
from batchui.simulator.models import ApiUser, Batch, BatchStatus
from batchui.simulator.server import SimulatorServer, start_in_thread
from tests.browser.conftest import sign_in
from tests.browser.helpers import tab_to
from tests.helpers import make_person


@pytest.fixture
def batches(live_server) -> dict[str, int]:
    """120 open Maint_ batches (bills 0..119), 15 pending Hist_ ones and 5 closed ones."""
    make_person("bea", Role.CLERK, code="BCLERK", full_name="Bea Clerk")
    user = ApiUser.objects.get(user_code="BCLERK")
    now = timezone.now()
    rows = []
    for i in range(120):
        rows.append((f"Maint_{i:03d}", BatchStatus.OPEN, i, None))
    for i in range(15):
        rows.append((f"Hist_{i:02d}", BatchStatus.PENDING, 3, None))
    for i in range(5):
        rows.append((f"Closed_{i}", BatchStatus.CLOSED, 7, now - timedelta(days=1)))
    Batch.objects.bulk_create(
        [
            Batch(
                batch_code=code, batch_code_ci=code.casefold(), batch_status=status,
                created_by=user, start_date=now - timedelta(days=2), end_date=end,
                bill_count=bills, running_total=bills * 10.5,
            )
            for code, status, bills, end in rows
        ]
    )  # fmt: skip
    return {"open": 120, "pending": 15, "closed": 5}


@pytest.fixture
def list_page(live_server, page: Page, batches) -> Page:
    sign_in(page, live_server.url, "bea")
    page.wait_for_url(re.compile(r".*/batches/$"))
    return page


def count_text(page: Page):
    return page.locator("#result-count")


def test_filter_page_back_forward_and_reload(live_server, list_page: Page):
    page = list_page
    expect(count_text(page)).to_have_text("1–50 of 140 batches")
    page.get_by_label("Pending", exact=True).check()
    expect(page).to_have_url(re.compile(r"status=pending"))
    expect(count_text(page)).to_have_text("1–15 of 15 batches")
    expect(page.locator("#live")).to_have_text("1–15 of 15 batches")
    page.get_by_label("Pending", exact=True).uncheck()
    page.get_by_label("Batch code contains").press_sequentially("maint_1", delay=40)
    expect(page).to_have_url(re.compile(r"code=maint_1(&|$)"))
    expect(count_text(page)).to_have_text("1–20 of 20 batches")  # Maint_100 to Maint_119
    page.get_by_label("Batch code contains").fill("maint")
    expect(count_text(page)).to_have_text("1–50 of 120 batches")
    page.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(count_text(page)).to_have_text("51–100 of 120 batches")
    expect(count_text(page)).to_be_focused()

    page.go_back()
    expect(count_text(page)).to_have_text("1–50 of 120 batches")
    expect(page.get_by_label("Batch code contains")).to_have_value("maint")
    page.go_forward()
    expect(count_text(page)).to_have_text("51–100 of 120 batches")
    page.reload()
    expect(count_text(page)).to_have_text("51–100 of 120 batches")
    expect(page.get_by_label("Batch code contains")).to_have_value("maint")


def rows_from_server(page: Page, action) -> None:
    """Do `action`, which asks the server for the condition rows, and wait until htmx has put
    them in place (and set them up): acting on the rows before that would act on the old ones."""
    with page.expect_response(
        lambda response: response.request.headers.get("hx-target") == "condition-rows"
    ):
        action()
    expect(
        page.locator("#condition-rows.htmx-settling, #condition-rows .htmx-added")
    ).to_have_count(0)


def test_advanced_filter_with_between_and_one_of(live_server, list_page: Page):
    page = list_page
    page.get_by_label("Open", exact=True).check()
    expect(count_text(page)).to_have_text("1–50 of 120 batches")
    page.locator("#advanced summary").click()  # folded away while it holds none
    rows_from_server(page, lambda: page.locator("#cond-0-f").select_option("billCount"))
    page.locator("#cond-0-op").select_option("between")
    expect(page.locator("#cond-0-v2")).to_be_visible()
    # Operators follow the field's type: a boolean field offers "equals" only.
    rows_from_server(page, page.get_by_role("button", name="Add condition").click)
    row = page.locator("[data-condition]").nth(1)
    expect(row.get_by_label("Field")).to_be_focused()
    rows_from_server(page, lambda: row.get_by_label("Field").select_option("isOpen"))
    expect(row.get_by_label("Operator").locator("option")).to_have_count(2)
    rows_from_server(page, lambda: row.get_by_label("Field").select_option("batchCode"))
    row.get_by_label("Operator").select_option("one of")
    expect(row.get_by_label("and (between only)")).to_be_hidden()
    page.locator("#cond-0-v").fill("5")
    page.locator("#cond-0-v2").fill("9")
    row.get_by_label("Value").fill("Maint_005 | Maint_007 | Hist_01")
    page.get_by_role("button", name="Show batches").click()
    expect(page).to_have_url(
        re.compile(r"/batches/\?status=open&size=50&f=billCount&op=between&v=5&v2=9&f=batchCode"
                   r"&op=one(\+|%20)of&v=Maint_005")
    )  # fmt: skip
    expect(count_text(page)).to_have_text("1–2 of 2 batches")
    expect(page.locator("tbody.batch th")).to_contain_text(["Maint_007", "Maint_005"])
    # A mistake is shown next to its row, and what was typed stays.
    page.locator("#cond-0-v2").fill("lots")
    page.get_by_role("button", name="Show batches").click()
    expect(page.locator("#cond-0-error")).to_have_text("“lots” is not a whole number.")
    expect(page.locator("#cond-0-v2")).to_have_value("lots")
    expect(page.locator("#cond-0-v2")).to_have_attribute(
        "aria-describedby", "cond-0-help cond-0-error"
    )


def test_rows_expand_to_show_every_field(live_server, list_page: Page):
    page = list_page
    first = page.locator("tbody.batch").first
    button = first.locator("button.disclosure")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(first.locator(".batch-more")).to_be_hidden()
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(first.locator(".batch-more")).to_contain_text("Batch ID")


def test_export_downloads_the_filtered_batches(live_server, list_page: Page, tmp_path):
    page = list_page
    page.get_by_label("Closed", exact=True).check()
    expect(count_text(page)).to_have_text("1–5 of 5 batches")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export all 5 as CSV").click()
    download = download_info.value
    assert re.fullmatch(r"batches-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    path = tmp_path / "export.csv"
    download.save_as(path)
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    assert rows[0][:2] == ["Batch code", "Status"]
    assert sorted(row[0] for row in rows[1:]) == [f"Closed_{i}" for i in range(5)]


def test_the_list_has_no_accessibility_violations(live_server, browser, batches):
    context = browser.new_context(bypass_csp=True)  # only so that axe can be injected
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "bea")
        page.wait_for_url(re.compile(r".*/batches/$"))
        # A filter with a mistake (messages next to the row) and the saved-views menu open.
        page.goto(live_server.url + "/batches/?status=open&f=billCount&op=between&v=1&v2=x")
        page.locator("#saved-views summary").click()
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        # Results with paging and a row expanded.
        page.goto(live_server.url + "/batches/?status=open")
        page.locator("tbody.batch button.disclosure").first.click()
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()


def test_sorting_by_a_column_with_the_keyboard(live_server, list_page: Page):
    page = list_page
    page.get_by_label("Open", exact=True).check()
    expect(count_text(page)).to_have_text("1–50 of 120 batches")
    bills = page.get_by_role("link", name=re.compile(r"^Bills\W+sort smallest first$"))
    bills.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/batches/\?status=open&size=50&sort=bills$"))
    header = page.locator("#batch-table th[aria-sort]")
    expect(header).to_have_attribute("aria-sort", "ascending")
    expect(page.locator("tbody.batch th").first).to_contain_text("Maint_000")
    # Focus stays on the header, whose link now sorts the other way.
    expect(
        page.get_by_role("link", name=re.compile(r"^Bills\W+sort largest first$"))
    ).to_be_focused()
    page.keyboard.press("Enter")
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(page.locator("tbody.batch th").first).to_contain_text("Maint_119")
    # The order is kept while paging.
    page.get_by_role("link", name="Page 2").click()
    expect(page).to_have_url(re.compile(r"sort=-bills&page=2$"))
    expect(page.locator("tbody.batch th").first).to_contain_text("Maint_069")
    expect(page.locator("#table-notes")).to_contain_text("Times in UTC")


def test_sorted_results_and_their_times_have_no_accessibility_violations(
    live_server, browser, batches
):
    context = browser.new_context(bypass_csp=True)  # only so that axe can be injected
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "bea")
        page.wait_for_url(re.compile(r".*/batches/$"))
        page.goto(live_server.url + "/batches/?status=closed&sort=-opened")
        expect(page.locator("#batch-table th[aria-sort]")).to_have_attribute(
            "aria-sort", "descending"
        )
        page.locator("#batch-table time").first.focus()
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()


@pytest.fixture
def api_host(settings):
    """The simulator served over HTTP, and the dashboard pointed at it as at an EnergyCAP host:
    the full list page is then streamed (the page at once, the results when the API answers)."""
    server = SimulatorServer(("127.0.0.1", 0))
    thread = start_in_thread(server)
    settings.BATCH_API_URL = server.url
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_against_an_api_host_the_page_shows_before_its_results(
    live_server, list_page: Page, api_host
):
    page = list_page
    faults.inject("latency", method="GET", path=r"^/api/v3/batch$", latency_ms=3000)
    page.goto(live_server.url + "/batches/?status=open", wait_until="commit")
    # The filters are there (and usable) while the API has not answered yet.
    expect(page.get_by_label("Batch code contains")).to_be_visible()
    expect(count_text(page)).to_have_count(0)
    loading = page.locator("#results .stream-loading")
    expect(loading).to_be_visible()
    expect(count_text(page)).to_have_text("1–50 of 120 batches", timeout=15_000)
    expect(loading).to_be_hidden()
    expect(page.locator("tbody.batch")).to_have_count(50)
    page.get_by_label("Batch code contains").press_sequentially("maint_11", delay=40)
    expect(count_text(page)).to_have_text("1–10 of 10 batches")
    page.reload()
    expect(count_text(page)).to_have_text("1–10 of 10 batches")
    expect(page.get_by_label("Batch code contains")).to_have_value("maint_11")


def test_a_date_time_shows_its_exact_value_on_keyboard_focus(list_page: Page):
    # Hover shows the title; keyboard focus shows it too (browsers do not): app.css's ::after.
    moment = list_page.locator("#batch-table time[title]").first
    title = moment.get_attribute("title")
    assert "UTC" in title
    hidden = moment.evaluate("el => getComputedStyle(el, '::after').content")
    assert hidden in ("none", "normal")
    tab_to(list_page, moment)
    shown = moment.evaluate("el => getComputedStyle(el, '::after').content")
    assert shown == f'"{title}"'
