"""Open, edit and close in a real browser, with the keyboard only; axe on the dialogs; no JS."""

from __future__ import annotations

import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from batchui.simulator.models import Batch, BatchStatus
from tests.browser.helpers import assert_no_violations, bea, make_bea, signed_in, tab_to
from tests.simulator.helpers import make_batch


def test_open_a_batch_with_the_keyboard(live_server, signed_in_page: Page, console):
    page = signed_in_page
    make_batch(user=bea(), code="TAKEN_CODE")
    page.goto(live_server.url + "/batches/")
    opener = page.locator("#open-batch-button")

    # Escape closes the dialog and gives the focus back.
    tab_to(page, opener)
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Open a batch")
    expect(dialog).to_be_visible()
    code = dialog.get_by_label("Batch code")
    expect(code).to_be_focused()
    expect(code).to_have_value(f"BCLERK_{timezone.localdate():%Y%m%d}")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(opener).to_be_focused()

    # A duplicate code: the API's message on the field, what was typed kept.
    page.keyboard.press("Enter")
    expect(code).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("taken_code")
    page.keyboard.press("Tab")
    page.keyboard.type("March gas bills")
    page.keyboard.press("Enter")
    expect(dialog.locator("#open-batch_code_error")).to_contain_text("already exists")
    expect(dialog.get_by_label("Note")).to_have_value("March gas bills")
    expect(dialog.get_by_label("Batch code")).to_be_focused()

    page.keyboard.press("Control+A")
    page.keyboard.type("BEA_NEW")
    page.keyboard.press("Enter")
    expect(dialog).to_have_count(0)
    first_row = page.locator("#batch-table tbody.batch").first
    expect(first_row.locator("th")).to_contain_text("BEA_NEW")
    expect(page.locator("#live")).to_have_text("Batch BEA_NEW opened.")
    expect(opener).to_be_focused()
    assert Batch.objects.filter(batch_code="BEA_NEW", note="March gas bills").count() == 1
    assert page.url == live_server.url + "/batches/"
    assert console == []


def test_edit_a_batch_inline_with_the_keyboard(live_server, signed_in_page: Page, console):
    page = signed_in_page
    batch = make_batch(user=bea(), code="BEA_TYPO", note="old")
    page.goto(live_server.url + "/batches/")
    row = page.locator(f"#batch-{batch.batch_id}")
    edit = row.get_by_role("button", name="Edit batch BEA_TYPO")

    tab_to(page, edit)
    page.keyboard.press("Enter")
    code = row.get_by_label("Batch code")
    expect(code).to_be_focused()
    # Escape cancels: the row comes back unchanged, the focus on its Edit button.
    page.keyboard.type("ignored")
    page.keyboard.press("Escape")
    expect(row.get_by_label("Batch code")).to_have_count(0)
    expect(row.locator("th")).to_contain_text("BEA_TYPO")
    expect(row.get_by_role("button", name="Edit batch BEA_TYPO")).to_be_focused()

    page.keyboard.press("Enter")
    expect(code).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("BEA_FIXED")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("new note")
    page.keyboard.press("Enter")
    expect(row.locator("th")).to_contain_text("BEA_FIXED")
    expect(row.get_by_role("button", name="Edit batch BEA_FIXED")).to_be_focused()
    expect(page.locator("#live")).to_have_text("Batch BEA_FIXED saved.")
    batch.refresh_from_db()
    assert (batch.batch_code, batch.note) == ("BEA_FIXED", "new note")
    assert page.url == live_server.url + "/batches/"
    assert console == []


def test_close_a_batch_with_warnings_with_the_keyboard(live_server, signed_in_page: Page, console):
    page = signed_in_page
    batch = make_batch(user=bea(), code="BEA_CLOSE", bill_count=4, flag_count=2, analyzing_count=1)
    page.goto(live_server.url + "/batches/")
    row = page.locator(f"#batch-{batch.batch_id}")
    tab_to(page, row.get_by_role("button", name="Close batch BEA_CLOSE"))
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Close batch BEA_CLOSE?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Closing is final")
    expect(dialog).to_contain_text("1 bill is still being analyzed")
    expect(dialog).to_contain_text("2 audit flags are unresolved")

    # Submitting without the acknowledgements is refused, in the dialog.
    tab_to(page, dialog.get_by_role("button", name="Close batch"))
    page.keyboard.press("Enter")
    analyzing = dialog.get_by_label("Close it anyway, although bills are still being analyzed")
    flags = dialog.get_by_label("Close it anyway, although audit flags are unresolved")
    expect(dialog.locator(".field-error")).to_have_count(2)
    expect(analyzing).to_be_focused()
    page.keyboard.press("Space")
    tab_to(page, flags)
    page.keyboard.press("Space")
    tab_to(page, dialog.get_by_role("button", name="Close batch"))
    page.keyboard.press("Enter")

    expect(dialog).to_have_count(0)
    expect(row.locator(".status")).to_have_text("Closed")
    expect(row.get_by_role("button", name="Close batch BEA_CLOSE")).to_have_count(0)
    expect(page.locator("#live")).to_have_text("Batch BEA_CLOSE closed.")
    # The Close button is gone: the focus goes to its row's Edit button.
    expect(row.get_by_role("button", name="Edit batch BEA_CLOSE")).to_be_focused()
    assert page.url == live_server.url + "/batches/"
    batch.refresh_from_db()
    assert batch.batch_status == BatchStatus.CLOSED
    assert console == []


# --- accessibility -------------------------------------------------------------------------------


def test_axe_finds_nothing_in_the_dialogs(live_server, axe_page: Page):
    page = axe_page
    batch = make_batch(user=bea(), code="BEA_AXE", flag_count=1, has_imports_with_kickout=True)
    page.goto(live_server.url + "/batches/")

    page.locator("#open-batch-button").click()
    dialog = page.get_by_role("dialog", name="Open a batch")
    expect(dialog.locator("#open-batches-preview")).not_to_have_attribute("aria-busy", "true")
    dialog.get_by_label("Batch code").fill("")
    dialog.get_by_label("Account period number").fill("13")
    dialog.get_by_role("button", name="Open batch").click()
    expect(dialog.locator(".field-error")).to_have_count(2)
    assert_no_violations(page)
    page.keyboard.press("Escape")

    page.locator(f"#batch-{batch.batch_id}").get_by_role(
        "button", name=re.compile("^Close")
    ).click()
    dialog = page.get_by_role("dialog", name="Close batch BEA_AXE?")
    expect(dialog.locator(".close-warnings")).to_be_visible()
    dialog.get_by_role("button", name="Close batch").click()
    expect(dialog.locator(".field-error")).to_have_count(2)
    assert_no_violations(page)
    page.keyboard.press("Escape")

    page.locator(f"#batch-{batch.batch_id}").get_by_role("button", name=re.compile("^Edit")).click()
    expect(page.locator(f"#batch-{batch.batch_id}[data-editing]")).to_have_count(1)
    assert_no_violations(page)


# --- without JavaScript --------------------------------------------------------------------------


def test_the_three_actions_work_without_javascript(live_server, browser):
    make_bea()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        signed_in(page, live_server.url)
        page.goto(live_server.url + "/batches/")
        page.get_by_role("button", name="Open batch").click()
        expect(page).to_have_url(re.compile(r"/batches/new/"))
        page.get_by_label("Batch code").fill("BEA_NOJS")
        page.get_by_role("button", name="Open batch").click()
        expect(page).to_have_url(live_server.url + "/batches/")
        expect(page.locator(".messages")).to_contain_text("Batch BEA_NOJS opened.")
        batch = Batch.objects.get(batch_code="BEA_NOJS")

        row = page.locator(f"#batch-{batch.batch_id}")
        row.get_by_role("button", name="Edit batch BEA_NOJS").click()
        expect(page).to_have_url(re.compile(rf"/batches/{batch.batch_id}/edit/"))
        page.get_by_label("Batch code").fill("BEA_NOJS_2")
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".messages")).to_contain_text("Batch BEA_NOJS_2 saved.")

        row.get_by_role("button", name="Close batch BEA_NOJS_2").click()
        expect(page).to_have_url(re.compile(rf"/batches/{batch.batch_id}/close/"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Close batch BEA_NOJS_2?")
        page.get_by_role("button", name="Close batch").click()
        expect(page.locator(".messages")).to_contain_text("Batch BEA_NOJS_2 closed.")
        expect(row.locator(".status")).to_have_text("Closed")
    finally:
        context.close()


# --- mark pending, reopen, delete, stale state ----------------------------------------------------


def test_mark_pending_then_reopen_with_the_keyboard(live_server, signed_in_page: Page, console):
    page = signed_in_page
    batch = make_batch(user=bea(), code="BEA_HOLD", bill_count=3)
    page.goto(live_server.url + "/batches/")
    row = page.locator(f"#batch-{batch.batch_id}")

    tab_to(page, row.get_by_role("button", name="Mark batch BEA_HOLD pending"))
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Mark batch BEA_HOLD pending?")
    expect(dialog).to_contain_text(
        "its 3 bills become void and drop out of reports until the batch is reopened or closed"
    )
    comment = dialog.get_by_label("Comment")
    expect(comment).to_be_focused()
    page.keyboard.type("Waiting for the vendor")
    tab_to(page, dialog.get_by_role("button", name="Mark pending"))
    page.keyboard.press("Enter")
    expect(dialog).to_have_count(0)
    expect(row.locator(".status")).to_have_text("Pending")
    expect(page.locator("#live")).to_contain_text("Batch BEA_HOLD is pending")
    # Its Mark pending button is gone: the focus goes to its row (its Edit button).
    expect(row.get_by_role("button", name="Edit batch BEA_HOLD")).to_be_focused()
    batch.refresh_from_db()
    assert (batch.batch_status, batch.note) == (BatchStatus.PENDING, "Waiting for the vendor")

    tab_to(page, row.get_by_role("button", name="Reopen batch BEA_HOLD"))
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Reopen batch BEA_HOLD?")
    expect(dialog).to_contain_text("its 3 bills count again")
    expect(dialog.get_by_role("button", name="Reopen batch")).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog).to_have_count(0)
    expect(row.locator(".status")).to_have_text("Open")
    expect(page.locator("#live")).to_contain_text("Batch BEA_HOLD is open again")
    batch.refresh_from_db()
    assert batch.batch_status == BatchStatus.OPEN
    assert page.url == live_server.url + "/batches/"
    assert console == []


def test_delete_an_empty_batch_with_the_keyboard(live_server, signed_in_page: Page, console):
    page = signed_in_page
    batch = make_batch(user=bea(), code="BEA_EMPTY")
    full = make_batch(user=bea(), code="BEA_FULL", bill_count=2)
    page.goto(live_server.url + "/batches/")
    expect(
        page.locator(f"#batch-{full.batch_id}").get_by_role("button", name=re.compile("^Delete"))
    ).to_have_count(0)
    row = page.locator(f"#batch-{batch.batch_id}")

    tab_to(page, row.get_by_role("button", name="Delete batch BEA_EMPTY"))
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Delete batch BEA_EMPTY?")
    expect(dialog).to_contain_text("batch BEA_EMPTY and its bills are removed for good")
    cancel = dialog.get_by_role("link", name="Cancel")
    expect(cancel).to_be_focused()  # not the destructive button
    page.keyboard.press("Shift+Tab")
    expect(dialog.get_by_role("button", name="Delete batch")).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog).to_have_count(0)
    expect(row).to_have_count(0)
    expect(page.locator("#live")).to_have_text("Batch BEA_EMPTY deleted.")
    expect(page.locator("#main")).to_be_focused()  # its row is gone
    assert not Batch.objects.filter(pk=batch.pk).exists()
    assert console == []


def test_a_stale_close_says_so_in_the_dialog_and_refreshes_the_row_behind(
    live_server, signed_in_page: Page, console
):
    page = signed_in_page
    batch = make_batch(user=bea(), code="BEA_STALE")
    page.goto(live_server.url + "/batches/")
    row = page.locator(f"#batch-{batch.batch_id}")
    row.get_by_role("button", name="Close batch BEA_STALE").click()
    dialog = page.get_by_role("dialog", name="Close batch BEA_STALE?")
    expect(dialog.get_by_role("button", name="Close batch")).to_be_visible()
    Batch.objects.filter(pk=batch.pk).update(batch_status=BatchStatus.CLOSED)  # meanwhile
    dialog.get_by_role("button", name="Close batch").click()
    expect(dialog.locator("[data-action-result]")).to_have_text(
        re.compile(r"Batch BEA_STALE is already closed\. Nothing was done\.")
    )
    expect(dialog.locator("td")).to_have_count(0)  # the row is not drawn in the dialog
    expect(row.locator(".status")).to_have_text("Closed")  # but refreshed behind it
    expect(row.get_by_role("button", name="Close batch BEA_STALE")).to_have_count(0)
    expect(dialog.locator("#close-batch-result")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(row.get_by_role("button", name="Edit batch BEA_STALE")).to_be_focused()
    assert console == []


def test_a_batch_deleted_meanwhile_loses_its_row(live_server, signed_in_page: Page, console):
    page = signed_in_page
    batch = make_batch(user=bea(), code="BEA_GONE")
    page.goto(live_server.url + "/batches/")
    row = page.locator(f"#batch-{batch.batch_id}")
    row.get_by_role("button", name="Mark batch BEA_GONE pending").click()
    dialog = page.get_by_role("dialog", name="Mark batch BEA_GONE pending?")
    expect(dialog.get_by_label("Comment")).to_be_focused()
    Batch.objects.filter(pk=batch.pk).delete()
    dialog.get_by_role("button", name="Mark pending").click()
    expect(dialog).to_contain_text("was not found: it may have been deleted. Nothing was done.")
    expect(row).to_have_count(0)
    assert console == []


def test_axe_finds_nothing_in_the_lifecycle_dialogs(live_server, axe_page: Page):
    page = axe_page
    batch = make_batch(user=bea(), code="BEA_AXE_P", bill_count=1)
    held = make_batch(user=bea(), code="BEA_AXE_R", status=BatchStatus.PENDING)
    empty = make_batch(user=bea(), code="BEA_AXE_D")
    page.goto(live_server.url + "/batches/")
    for stored, button, title in (
        (batch, "Mark batch BEA_AXE_P pending", "Mark batch BEA_AXE_P pending?"),
        (held, "Reopen batch BEA_AXE_R", "Reopen batch BEA_AXE_R?"),
        (empty, "Delete batch BEA_AXE_D", "Delete batch BEA_AXE_D?"),
    ):
        page.locator(f"#batch-{stored.batch_id}").get_by_role("button", name=button).click()
        dialog = page.get_by_role("dialog", name=title)
        expect(dialog).to_be_visible()
        assert_no_violations(page)
        page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)

    # A comment too long: the error next to the field.
    page.locator(f"#batch-{batch.batch_id}").get_by_role(
        "button", name="Mark batch BEA_AXE_P pending"
    ).click()
    dialog = page.get_by_role("dialog", name="Mark batch BEA_AXE_P pending?")
    dialog.get_by_label("Comment").evaluate("field => field.removeAttribute('maxlength')")
    dialog.get_by_label("Comment").fill("x" * 256)
    dialog.get_by_role("button", name="Mark pending").click()
    expect(dialog.locator(".field-error")).to_have_count(1)
    assert_no_violations(page)
    page.keyboard.press("Escape")

    # The stale message.
    Batch.objects.filter(pk=held.pk).update(batch_status=BatchStatus.OPEN)
    page.locator(f"#batch-{held.batch_id}").get_by_role(
        "button", name="Reopen batch BEA_AXE_R"
    ).click()
    dialog = page.get_by_role("dialog", name="Reopen batch BEA_AXE_R?")
    expect(dialog.locator("[data-action-result]")).to_contain_text("already open")
    assert_no_violations(page)


def test_pending_reopen_and_delete_work_without_javascript(live_server, browser):
    make_bea()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        signed_in(page, live_server.url)
        batch = make_batch(user=bea(), code="BEA_PLAIN")
        page.goto(live_server.url + "/batches/")
        row = page.locator(f"#batch-{batch.batch_id}")
        row.get_by_role("button", name="Mark batch BEA_PLAIN pending").click()
        expect(page).to_have_url(re.compile(rf"/batches/{batch.batch_id}/pending/"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Mark batch BEA_PLAIN pending?")
        page.get_by_role("button", name="Mark pending").click()
        expect(page.locator(".messages")).to_contain_text("Batch BEA_PLAIN is pending")
        row.get_by_role("button", name="Reopen batch BEA_PLAIN").click()
        page.get_by_role("button", name="Reopen batch").click()
        expect(page.locator(".messages")).to_contain_text("Batch BEA_PLAIN is open again")
        row.get_by_role("button", name="Delete batch BEA_PLAIN").click()
        page.get_by_role("button", name="Delete batch").click()
        expect(page.locator(".messages")).to_contain_text("Batch BEA_PLAIN deleted.")
        expect(row).to_have_count(0)
    finally:
        context.close()


def test_mark_pending_and_delete_from_the_batch_page(live_server, signed_in_page: Page, console):
    """The batch page offers the row's buttons: after each action it shows the batch as it is."""
    page = signed_in_page
    batch = make_batch(user=bea(), code="BEA_PAGE")
    page.goto(live_server.url + f"/batches/{batch.batch_id}/")
    page.get_by_role("button", name="Mark batch BEA_PAGE pending").click()
    page.get_by_role("dialog").get_by_role("button", name="Mark pending").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator(".batch-fields")).to_contain_text("Pending")
    expect(page.get_by_role("button", name="Reopen batch BEA_PAGE")).to_be_visible()
    page.get_by_role("button", name="Delete batch BEA_PAGE").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete batch").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_have_text("Batch not found")
    assert console == []
