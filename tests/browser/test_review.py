"""The review screen and the intranet widget in a real browser: bulk close end to end, the
widget's minute refresh (Playwright's clock), axe with zero violations, and the screenshots in
SCREENSHOTS (taken here, over demo-like data: `make screenshots` writes them to docs/)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect

from batchui.accounts.roles import Role
from batchui.simulator.models import ApiUser
from batchui.simulator.models import Batch as StoredBatch
from batchui.simulator.seeding import seed_batches
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.browser.helpers import tab_to
from tests.helpers import make_person
from tests.simulator.helpers import make_api_user, make_batch

WIDGET_TOKEN = "browser-widget-token-42"


@pytest.fixture
def demo(live_server):
    """Demo-like data (the seed `make run` uses) and a team lead."""
    seed_batches(count=1500, seed=2026)
    make_person("morgan", Role.LEAD, code="MLEAD", full_name="Morgan Lee")
    cache.clear()
    yield
    cache.clear()


def axe_violations(browser: Browser, url: str, *, username: str | None = None) -> list[str]:
    """axe-core over `url`, in a context that bypasses the CSP only so that axe can be injected."""
    context = browser.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        if username:
            sign_in(page, url.split("/", 3)[0] + "//" + url.split("/", 3)[2], username)
            page.wait_for_url(lambda address: "/accounts/login/" not in address)
        page.goto(url)
        results = Axe().run(page)
        return [
            f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
            for v in results.response["violations"]
        ]
    finally:
        context.close()


def test_the_review_screen(live_server, page: Page, demo, browser: Browser):
    page.set_viewport_size({"width": 1280, "height": 1100})
    sign_in(page, live_server.url, "morgan")
    page.wait_for_url(lambda address: "/accounts/login/" not in address)
    page.goto(live_server.url + "/review/")
    expect(page.get_by_role("heading", name="Team review", level=1)).to_be_visible()
    expect(page.locator("#as-of")).to_contain_text("Figures as of")
    expect(page.get_by_role("img", name=re.compile("^Open work per person"))).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("^Batches closed per day"))).to_be_visible()
    expect(page.locator("#people-table tbody tr")).to_have_count(8)  # the eight demo users
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "review.png"))  # what a lead sees first

    # Printed, the screen is a one-page report.
    pdf = page.pdf(format="A4", landscape=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1

    # Bulk close: select two ready batches, confirm, one result each.
    boxes = page.locator('#ready-table input[name="batch"]')
    codes = [
        page.locator(f'label[for="{boxes.nth(i).get_attribute("id")}"]').inner_text()
        for i in range(2)
    ]
    boxes.nth(0).check()
    boxes.nth(1).check()
    expect(page.locator("#ready-selected")).to_have_text("2 selected")
    page.get_by_role("button", name="Close selected…").click()
    confirm = page.locator("#close-panel")
    expect(confirm.get_by_role("heading", name="Close 2 batches?")).to_be_focused()
    for code in codes:
        expect(confirm).to_contain_text(code)
    confirm.get_by_role("button", name="Close 2 batches").click()
    expect(confirm.get_by_role("heading", name="2 closed, 0 not closed")).to_be_focused()
    expect(confirm.locator(".result-ok")).to_have_count(2)
    expect(page.locator("#live")).to_have_text("2 closed, 0 not closed.")
    assert page.url == live_server.url + "/review/"

    # Refresh reads the figures again: the closed batches are no longer listed.
    page.get_by_role("button", name="Refresh").click()
    expect(page.locator("#as-of")).to_contain_text("just now")
    for code in codes:
        expect(page.locator("#ready-table")).not_to_contain_text(code + " ")

    assert axe_violations(browser, live_server.url + "/review/", username="morgan") == []


@pytest.fixture
def to_close(live_server):
    """A lead and four of Jane's batches: open and ready, opened today, empty; and pending."""
    make_person("morgan", Role.LEAD, code="MLEAD", full_name="Morgan Lee")
    jane, _ = make_api_user("JSMITH", "Jane Smith")
    now = timezone.now().replace(microsecond=0)
    made = {
        "old": make_batch(user=jane, code="KBD_OLD", bill_count=3, start_date=now - timedelta(9)),
        "today": make_batch(user=jane, code="KBD_TODAY", bill_count=2, start_date=now),
        "empty": make_batch(user=jane, code="KBD_EMPTY", start_date=now - timedelta(2)),
        "held": make_batch(
            user=jane,
            code="KBD_HELD",
            status="Pending",
            bill_count=5,
            start_date=now - timedelta(4),
        ),
    }
    cache.clear()
    yield made
    cache.clear()


def shift_tab_to(page: Page, target: Locator, *, limit: int = 40) -> None:
    """Press Shift+Tab until `target` has the focus."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Shift+Tab")
    pytest.fail(f"Shift+Tab never reached {target}")


def test_a_bulk_close_with_the_keyboard_only(live_server, page: Page, to_close, browser: Browser):
    sign_in(page, live_server.url, "morgan")
    page.wait_for_url(lambda address: "/accounts/login/" not in address)
    page.goto(live_server.url + "/review/")
    ready = page.locator("#ready-table")
    old = ready.get_by_role("checkbox", name="KBD_OLD")
    today = ready.get_by_role("checkbox", name="KBD_TODAY")
    expect(ready.locator("tr", has_text="KBD_TODAY")).to_contain_text("opened today")
    expect(ready).not_to_contain_text("KBD_EMPTY")
    expect(page.locator("#empty-table")).to_contain_text("KBD_EMPTY")
    expect(page.locator("#empty-table input")).to_have_count(0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#ready-heading").locator("..").screenshot(
        path=str(SCREENSHOTS / "review-ready-and-empty.png")
    )

    # "Select all" ticks the ready batch, not the one opened today: that one is ticked on purpose.
    tab_to(page, page.get_by_label("Select all listed, except those opened today"))
    page.keyboard.press("Space")
    expect(old).to_be_checked()
    expect(today).not_to_be_checked()
    expect(page.locator("#ready-selected")).to_have_text("1 selected")
    tab_to(page, today)
    page.keyboard.press("Space")
    expect(page.locator("#ready-selected")).to_have_text("2 selected")
    shift_tab_to(page, page.get_by_role("button", name="Close selected…"))
    page.keyboard.press("Enter")

    panel = page.locator("#close-panel")
    expect(panel.get_by_role("heading", name="Close 2 batches?")).to_be_focused()
    expect(panel.locator('[data-warning="today"]')).to_have_text(
        "It was opened today: bills may still be on their way into it."
    )
    ack = panel.get_by_role("checkbox", name="Close KBD_TODAY anyway, despite this warning")
    expect(ack).not_to_be_checked()
    panel.screenshot(path=str(SCREENSHOTS / "review-close-confirm.png"))

    # Without the acknowledgement the browser does not send the confirmation: the box says so.
    tab_to(page, panel.get_by_role("button", name="Close 2 batches"))
    page.keyboard.press("Enter")
    expect(ack).to_be_focused()
    assert ack.evaluate("box => box.validity.valueMissing")
    expect(panel.get_by_role("heading", name="Close 2 batches?")).to_be_visible()
    page.keyboard.press("Space")
    tab_to(page, panel.get_by_role("button", name="Close 2 batches"))
    page.keyboard.press("Enter")

    expect(panel.get_by_role("heading", name="2 closed, 0 not closed")).to_be_focused()
    expect(panel.locator(".result-ok")).to_have_count(2)
    expect(page.locator("#live")).to_have_text("2 closed, 0 not closed.")
    statuses = {b.batch_code: b.batch_status for b in StoredBatch.objects.all()}
    assert statuses == {
        "KBD_OLD": "Closed",
        "KBD_TODAY": "Closed",
        "KBD_EMPTY": "Open",
        "KBD_HELD": "Pending",
    }


def test_reopen_from_the_pending_list_with_the_keyboard(live_server, page: Page, to_close):
    sign_in(page, live_server.url, "morgan")
    page.wait_for_url(lambda address: "/accounts/login/" not in address)
    page.goto(live_server.url + "/review/")
    tab_to(page, page.locator("#pending-table").get_by_role("link", name="Reopen batch KBD_HELD"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/batches/\d+/reopen/$"))
    expect(page.get_by_role("heading", name="Reopen batch KBD_HELD?", level=1)).to_be_visible()
    expect(page.locator("#reopen-what-happens")).to_contain_text("It becomes yours")
    tab_to(page, page.get_by_role("button", name="Reopen batch"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/batches/(\?.*)?$"))  # the list, with the outcome
    expect(page.locator(".messages")).to_contain_text("Batch KBD_HELD is open again")
    held = StoredBatch.objects.get(pk=to_close["held"].batch_id)
    assert held.batch_status == "Open"


def test_the_bulk_close_confirmation_passes_axe(live_server, to_close, browser: Browser):
    context = browser.new_context(bypass_csp=True)  # only so that axe can be injected
    try:
        page = context.new_page()
        sign_in(page, live_server.url, "morgan")
        page.wait_for_url(lambda address: "/accounts/login/" not in address)
        page.goto(live_server.url + "/review/")
        page.locator("#ready-table").get_by_role("checkbox", name="KBD_OLD").check()
        page.locator("#ready-table").get_by_role("checkbox", name="KBD_TODAY").check()
        page.get_by_role("button", name="Close selected…").click()
        expect(page.get_by_role("heading", name="Close 2 batches?")).to_be_focused()
        violations = Axe().run(page).response["violations"]
        assert [f"{v['id']}: {v['help']}" for v in violations] == []
    finally:
        context.close()
    assert axe_violations(browser, live_server.url + "/review/", username="morgan") == []


def test_the_widget_refreshes_itself_every_minute(live_server, page: Page, demo, browser, settings):
    settings.WIDGET_ACCESS = "token"
    settings.WIDGET_TOKEN = WIDGET_TOKEN
    settings.WIDGET_API_KEY = make_api_user("INTRANET", "Intranet", create=False)[1]
    url = f"{live_server.url}/widget/?token={WIDGET_TOKEN}"

    page.set_viewport_size({"width": 520, "height": 400})
    page.clock.install()
    page.goto(url)  # anonymous: the intranet portal does not sign in
    shown = page.locator("#widget-open")
    expect(shown).to_have_text(re.compile(r"^\d+$"))
    before = int(shown.inner_text())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "widget.png"), full_page=True)

    # A batch is opened; once the cached figures expire, the next refresh shows it.
    make_batch(
        user=ApiUser.objects.get(user_code="JSMITH"),
        code="Opened_while_watching",
        start_date=timezone.now() - timedelta(minutes=1),
    )
    cache.clear()
    with page.expect_request(re.compile(r"/widget/\?token=")):
        page.clock.fast_forward("01:01")
    expect(shown).to_have_text(str(before + 1))
    expect(page).to_have_url(url)  # the fragment swapped in place, no navigation

    assert axe_violations(browser, url) == []
