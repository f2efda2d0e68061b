"""A batch's page in a real browser: reached from the list, closed from its dialog with the
keyboard (the page then shows the batch as it is), axe, and without JavaScript."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from batchui.activity.models import ActivityEntry
from batchui.simulator.models import Batch, BatchStatus
from tests.browser.helpers import assert_no_violations, bea, make_bea, signed_in, tab_to
from tests.simulator.helpers import make_batch

# The fixtures of the action tests (signed_in_page is the browser conftest's).


def test_from_the_list_to_the_page_and_close_it_with_the_keyboard(
    live_server, signed_in_page: Page, console
):
    page = signed_in_page
    batch = make_batch(user=bea(), code="BEA_PAGE", bill_count=2)
    page.goto(live_server.url + "/batches/")
    link = page.locator(f"#batch-{batch.batch_id}").get_by_role("link", name="BEA_PAGE", exact=True)
    tab_to(page, link)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/batches/{batch.batch_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Batch BEA_PAGE")

    section = page.locator(f"#batch-{batch.batch_id}")
    tab_to(page, section.get_by_role("button", name="Close batch BEA_PAGE"))
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Close batch BEA_PAGE?")
    expect(dialog).to_be_visible()
    tab_to(page, dialog.get_by_role("button", name="Close batch"))
    page.keyboard.press("Enter")

    # The page shows the batch as it is now: closed, no Close, the close in its history.
    expect(dialog).to_have_count(0)
    expect(page.locator("#live")).to_have_text("Batch BEA_PAGE closed.")
    expect(section.locator(".status")).to_have_text("Closed")
    expect(section.get_by_role("button", name="Close batch BEA_PAGE")).to_have_count(0)
    expect(section.locator(".activity-entry")).to_have_count(1)
    expect(section.locator(".activity-entry")).to_contain_text("Bea Clerk")
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    assert page.url == f"{live_server.url}/batches/{batch.batch_id}/"
    assert console == []


def test_edit_from_the_page_is_the_edit_page(live_server, signed_in_page: Page, console):
    page = signed_in_page
    batch = make_batch(user=bea(), code="BEA_EDITED")
    page.goto(f"{live_server.url}/batches/{batch.batch_id}/")
    page.get_by_role("button", name="Edit batch BEA_EDITED").click()
    expect(page).to_have_url(re.compile(rf"/batches/{batch.batch_id}/edit/\??$"))
    page.get_by_label("Batch code").fill("BEA_EDITED_2")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Batch BEA_EDITED_2 saved.")
    assert console == []


def test_axe_finds_nothing_on_the_page(live_server, axe_page: Page):
    page = axe_page
    batch = make_batch(user=bea(), code="BEA_AXE_PAGE", note="A note", flag_count=1)
    ActivityEntry.objects.create(
        created=batch.start_date,
        username="bea",
        person_name="Bea Clerk",
        action="edit",
        batch_id=batch.batch_id,
        changes={"note": {"before": None, "after": "A note"}, "batchCode": {"before": "X"}},
        outcome="success",
    )
    page.goto(f"{live_server.url}/batches/{batch.batch_id}/")
    expect(page.locator(".activity-entry")).to_have_count(1)
    assert_no_violations(page)
    page.goto(f"{live_server.url}/batches/987654/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Batch not found")
    assert_no_violations(page)


def test_close_from_the_page_without_javascript(live_server, browser):
    make_bea()
    batch = make_batch(user=bea(), code="BEA_PAGE_NOJS")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        signed_in(page, live_server.url)
        page.goto(f"{live_server.url}/batches/{batch.batch_id}/")
        page.get_by_role("button", name="Close batch BEA_PAGE_NOJS").click()
        expect(page).to_have_url(re.compile(rf"/batches/{batch.batch_id}/close/"))
        page.get_by_role("button", name="Close batch").click()
        expect(page.locator(".messages")).to_contain_text("Batch BEA_PAGE_NOJS closed.")
        assert Batch.objects.get(pk=batch.pk).batch_status == BatchStatus.CLOSED
    finally:
        context.close()
