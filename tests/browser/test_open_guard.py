"""'Close my other open batches' in a real browser: the batches it would close and their warnings
are listed, and nothing happens until the person acknowledges how many will close. Keyboard only,
and axe finds nothing in the dialog."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from batchui.simulator.models import Batch, BatchStatus
from tests.browser.helpers import (
    assert_no_violations,
    bea,
    tab_to,
)
from tests.simulator.helpers import make_batch


def statuses() -> dict[str, str]:
    return dict(Batch.objects.values_list("batch_code", "batch_status"))


def test_closing_my_other_batches_needs_the_acknowledgement(live_server, axe_page: Page):
    page = axe_page
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    make_batch(user=bea(), code="BEA_OLD_CLEAN", bill_count=3)
    make_batch(user=bea(), code="BEA_OLD_FLAGGED", bill_count=5, flag_count=2)
    page.goto(live_server.url + "/batches/")

    tab_to(page, page.locator("#open-batch-button"))
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Open a batch")
    code = dialog.get_by_label("Batch code")
    expect(code).to_be_focused()
    preview = dialog.locator("#open-batches-preview")
    expect(preview).to_contain_text("Ticking this box closes 2 open batches of yours")
    expect(preview.locator("li", has_text="BEA_OLD_FLAGGED")).to_contain_text(
        "2 audit flags are unresolved"
    )
    ack = dialog.get_by_label("Yes, close my 2 other open batches (1 has warnings)")
    expect(ack).not_to_be_checked()
    assert_no_violations(page)

    page.keyboard.press("Control+A")
    page.keyboard.type("BEA_GUARDED")
    tab_to(page, dialog.get_by_label("Close my other open batches"))
    page.keyboard.press("Space")
    tab_to(page, dialog.get_by_role("button", name="Open batch"))
    page.keyboard.press("Enter")

    # Not acknowledged: nothing opened, nothing closed; the reason is next to the box.
    error = dialog.locator("#open-close_ack_error")
    expect(error).to_contain_text("confirm that 2 batches will be closed")
    expect(ack).to_be_focused()
    expect(dialog.get_by_label("Batch code")).to_have_value("BEA_GUARDED")
    expect(dialog.get_by_label("Close my other open batches")).to_be_checked()
    assert statuses() == {"BEA_OLD_CLEAN": BatchStatus.OPEN, "BEA_OLD_FLAGGED": BatchStatus.OPEN}
    assert_no_violations(page)

    page.keyboard.press("Space")
    tab_to(page, dialog.get_by_role("button", name="Open batch"))
    page.keyboard.press("Enter")
    expect(dialog).to_have_count(0)
    live = page.locator("#live")
    expect(live).to_contain_text("Batch BEA_GUARDED opened.")
    expect(live).to_contain_text("Your other open batches closed with it (2):")
    expect(live).to_contain_text("BEA_OLD_CLEAN")
    expect(live).to_contain_text("BEA_OLD_FLAGGED")
    assert statuses() == {
        "BEA_OLD_CLEAN": BatchStatus.CLOSED,
        "BEA_OLD_FLAGGED": BatchStatus.CLOSED,
        "BEA_GUARDED": BatchStatus.OPEN,
    }
    assert problems == []


@pytest.mark.parametrize("choice", ["Save mine anyway", "Keep the current one"])
def test_a_conflicting_edit_shows_both_versions_and_lets_me_choose(
    live_server, axe_page: Page, choice
):
    page = axe_page
    batch = make_batch(user=bea(), code="BEA_TYPO", note="old")
    page.goto(live_server.url + "/batches/")
    row = page.locator(f"#batch-{batch.batch_id}")
    tab_to(page, row.get_by_role("button", name="Edit batch BEA_TYPO"))
    page.keyboard.press("Enter")
    expect(row.get_by_label("Batch code")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("BEA_MINE")
    # Someone else saves the batch meanwhile.
    Batch.objects.filter(pk=batch.pk).update(
        batch_code="THEIRS", batch_code_ci="theirs", note="their note"
    )
    page.keyboard.press("Enter")

    conflict = row.locator(f"#edit-batch-errors-{batch.batch_id}")
    expect(conflict).to_contain_text("changed since you opened this form")
    expect(conflict).to_be_focused()
    table = row.get_by_role("table", name="Your version and the current one")
    expect(table.get_by_role("row", name="Batch code")).to_contain_text("BEA_MINE")
    expect(table.get_by_role("row", name="Batch code")).to_contain_text("THEIRS")
    expect(row.get_by_label("Batch code")).to_have_value("BEA_MINE")
    batch.refresh_from_db()
    assert batch.batch_code == "THEIRS"
    assert_no_violations(page)

    target = row.get_by_role("button" if choice.startswith("Save") else "link", name=choice)
    tab_to(page, target)
    page.keyboard.press("Enter")
    kept = "BEA_MINE" if choice.startswith("Save") else "THEIRS"
    expect(page.locator(f"#batch-{batch.batch_id}[data-editing]")).to_have_count(0)
    expect(row.locator("th")).to_contain_text(kept)
    expect(row.get_by_role("button", name=f"Edit batch {kept}")).to_be_focused()
    batch.refresh_from_db()
    # Her version is all of what her form held (the note she left as "old" too).
    mine = kept == "BEA_MINE"
    assert (batch.batch_code, batch.note) == (
        ("BEA_MINE", "old") if mine else ("THEIRS", "their note")
    )
