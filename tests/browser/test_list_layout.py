"""The batch list as a work surface, as a clerk on a laptop (1366x800) and a phone (390x844): no
sideways scrolling, the first row in view, every row action in reach, dialogs that fit, a visible
toast after each outcome, the column chooser, the keyboard only, axe. Takes the list's screenshots
(`make screenshots` writes them to docs/screenshots)."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

from batchui.accounts.roles import Role
from batchui.simulator.models import ApiUser, Batch, BatchStatus
from batchui.simulator.seeding import seed_batches
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.browser.helpers import tab_to
from tests.helpers import make_person
from tests.simulator.helpers import make_batch

LAPTOP = {"width": 1366, "height": 800}
PHONE = {"width": 390, "height": 844}
SIZES = pytest.mark.parametrize("size", [LAPTOP, PHONE], ids=["1366", "390"])


@pytest.fixture
def data(live_server) -> dict[str, Batch]:
    """Demo-like batches (the seed `make run` uses) and three open ones of the clerk "bea"."""
    seed_batches(count=300, seed=2026)
    make_person("bea", Role.CLERK, code="BCLERK", full_name="Bea Clerk")
    bea = ApiUser.objects.get(user_code="BCLERK")
    return {
        "edit": make_batch(user=bea, code="BEA_EDIT", note="old note", bill_count=3),
        "close": make_batch(user=bea, code="BEA_CLOSE", bill_count=2, running_total=120),
        "history": make_batch(user=bea, code="BEA_HISTORY"),
    }


def clerk_page(browser, base_url: str, size: dict, *, bypass_csp: bool = False) -> Page:
    context = browser.new_context(viewport=size, bypass_csp=bypass_csp)
    page = context.new_page()
    sign_in(page, base_url, "bea")
    page.wait_for_url(re.compile(r".*/batches/$"))
    page.locator("#batch-table tbody.batch").first.wait_for()
    return page


@pytest.fixture
def pages(browser):
    opened: list[Page] = []
    yield opened
    for page in opened:
        page.context.close()


def at(browser, pages, live_server, size, **kwargs) -> Page:
    page = clerk_page(browser, live_server.url, size, **kwargs)
    pages.append(page)
    return page


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width} px wide"


def fits(page: Page, locator: Locator) -> None:
    """The element is entirely inside the viewport."""
    box = locator.bounding_box()
    view = page.viewport_size
    assert box is not None
    assert box["x"] >= 0, box
    assert box["y"] >= 0, box
    assert box["x"] + box["width"] <= view["width"] + 0.5, box
    assert box["y"] + box["height"] <= view["height"] + 0.5, box


def toast(page: Page, text: str) -> Locator:
    found = page.locator("#toasts .toast", has_text=text)
    expect(found).to_be_visible(timeout=15_000)  # the machine may be busy
    return found


def count_total(page: Page) -> int:
    text = page.locator("#result-count").inner_text()
    return int(re.search(r"of ([\d,]+) batch", text).group(1).replace(",", ""))


def scrolled(page: Page) -> list[int]:
    """How far the page and the table are scrolled."""
    return page.evaluate(
        """() => { const wrap = document.getElementById("table-wrap");
        return [scrollX, scrollY, wrap.scrollLeft, wrap.scrollTop].map(Math.round); }"""
    )


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name))


@SIZES
def test_the_list_fits_the_screen(live_server, browser, pages, data, size):
    page = at(browser, pages, live_server, size)
    no_sideways_scroll(page)
    header = page.locator(".site-header")
    for link in ("Batches", "Activity", "Profile"):
        fits(page, header.get_by_role("link", name=link, exact=True))
    fits(page, header.get_by_role("button", name="Sign out"))
    first = page.locator("#batch-table tbody.batch").first
    if size is LAPTOP:
        # With the default filters the first batch is in the first screen, and every column fits.
        assert first.bounding_box()["y"] < size["height"] - 40
        wrap = page.locator("#table-wrap")
        assert wrap.evaluate("wrap => wrap.scrollWidth <= wrap.clientWidth")
    shoot(page, f"list-{size['width']}.png")
    head = page.locator("#batch-table thead th").first
    wrap = page.locator("#table-wrap")
    if size is LAPTOP:
        # The table fits: the page scrolls it, and the header sticks to the window's top.
        expect(wrap).to_have_class(re.compile(r"\bfits\b"))
        page.evaluate("window.scrollTo(0, 900)")
        assert abs(head.bounding_box()["y"]) < 2
    else:
        # It does not: it scrolls in its own box, the header and the code stay in view.
        expect(wrap).not_to_have_class(re.compile(r"\bfits\b"))
        wrap.evaluate("wrap => { wrap.scrollTop = 400; wrap.scrollLeft = 600; }")
        wrap_box = wrap.bounding_box()
        assert abs(head.bounding_box()["y"] - wrap_box["y"]) < 3
        code = page.locator("#batch-table tbody.batch th.code").nth(8)
        code.scroll_into_view_if_needed()
        assert abs(code.bounding_box()["x"] - wrap_box["x"]) < 3
    no_sideways_scroll(page)
    # Printed: the results, not the site's header, the filters or the menus.
    page.emulate_media(media="print")
    for hidden in (".site-header", "#batch-filters", ".list-heading", ".pager"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator("#result-count")).to_be_visible()
    expect(page.locator("#batch-table tbody.batch").first).to_be_visible()
    expect(page.locator("#batch-table td.actions").first).to_be_hidden()


@SIZES
def test_every_row_action_works_and_shows_a_toast(live_server, browser, pages, data, size):
    page = at(browser, pages, live_server, size)
    total = count_total(page)

    # Open: the dialog fits the screen; a toast, and the count says one more.
    page.get_by_role("button", name="Open batch").click()
    dialog = page.get_by_role("dialog", name="Open a batch")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#open-batches-preview")).not_to_have_attribute("aria-busy", "true")
    fits(page, dialog)
    no_sideways_scroll(page)
    if size is PHONE:
        shoot(page, "open-dialog-390.png")
    dialog.get_by_label("Batch code").fill(f"BEA_NEW_{size['width']}")
    dialog.get_by_role("button", name="Open batch").click()
    expect(dialog).to_have_count(0)
    toast(page, f"Batch BEA_NEW_{size['width']} opened.")
    expect(page.locator("#result-count")).to_contain_text(f"of {total + 1:,} batches")

    # Edit, in the row.
    row = page.locator(f"#batch-{data['edit'].batch_id}")
    row.get_by_role("button", name="Edit batch BEA_EDIT").click()
    # Once the row is in place its code field takes the focus: typing before that would race it.
    expect(row.get_by_label("Batch code")).to_be_focused()
    row.get_by_label("Note").fill("new note")
    no_sideways_scroll(page)
    row.get_by_role("button", name="Save").click()
    toast(page, "Batch BEA_EDIT saved.")
    assert Batch.objects.get(pk=data["edit"].pk).note == "new note"

    # Close: the confirmation fits; the row says Closed, a toast; the code stays in view.
    row = page.locator(f"#batch-{data['close'].batch_id}")
    row.get_by_role("button", name="Close batch BEA_CLOSE").click()
    dialog = page.get_by_role("dialog", name="Close batch BEA_CLOSE?")
    expect(dialog).to_be_visible()
    fits(page, dialog)
    before = scrolled(page)
    dialog.get_by_role("button", name="Close batch").click()
    expect(dialog).to_have_count(0)
    toast(page, "Batch BEA_CLOSE closed.")
    expect(row.locator(".status")).to_have_text("Closed")
    assert scrolled(page) == before  # neither the page nor the table jumped
    code = row.locator("th.code")
    box, wrap = code.bounding_box(), page.locator("#table-wrap").bounding_box()
    assert box["x"] >= wrap["x"] - 1
    assert box["x"] + box["width"] <= wrap["x"] + wrap["width"]
    assert Batch.objects.get(pk=data["close"].pk).batch_status == BatchStatus.CLOSED
    no_sideways_scroll(page)

    # A toast can be dismissed.
    page.locator("#toasts .toast").first.get_by_role("button", name=re.compile("^Dismiss")).click()
    expect(page.locator("#toasts .toast", has_text="Batch BEA_CLOSE closed.")).to_have_count(0)

    # The other dialogs fit too (Escape leaves them).
    row = page.locator(f"#batch-{data['history'].batch_id}")
    for label, title in (
        ("Mark batch BEA_HISTORY pending", "Mark batch BEA_HISTORY pending?"),
        ("Delete batch BEA_HISTORY", "Delete batch BEA_HISTORY?"),
    ):
        row.get_by_role("button", name=label).click()
        dialog = page.get_by_role("dialog", name=title)
        expect(dialog).to_be_visible()
        fits(page, dialog)
        page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)

    # History.
    page.locator(f"#batch-{data['history'].batch_id}").get_by_role(
        "link", name="History of batch BEA_HISTORY"
    ).click()
    expect(page).to_have_url(re.compile(rf"/activity/\?batch={data['history'].batch_id}$"))
    no_sideways_scroll(page)


@SIZES
def test_axe_finds_nothing(live_server, browser, pages, data, size):
    page = at(browser, pages, live_server, size, bypass_csp=True)
    page.locator("#advanced summary").click()
    page.locator("#column-chooser summary").click()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.locator(f"#batch-{data['close'].batch_id}").get_by_role(
        "button", name=re.compile("^Close")
    ).click()
    expect(page.get_by_role("dialog")).to_be_visible()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def heading(label: str) -> re.Pattern:
    """A column's header: its label (then, when it sorts, what a click does, for screen readers)."""
    return re.compile(rf"^{label}(:|$)")


@SIZES
def test_keyboard_only(live_server, browser, pages, data, size):
    page = at(browser, pages, live_server, size)

    # Open.
    tab_to(page, page.locator("#open-batch-button"))
    page.keyboard.press("Enter")
    code = page.get_by_role("dialog").get_by_label("Batch code")
    expect(code).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("BEA_KEYS")
    page.keyboard.press("Enter")
    toast(page, "Batch BEA_KEYS opened.")
    expect(page.locator("#open-batch-button")).to_be_focused()

    # Edit.
    row = page.locator(f"#batch-{data['edit'].batch_id}")
    tab_to(page, row.get_by_role("button", name="Edit batch BEA_EDIT"))
    page.keyboard.press("Enter")
    expect(row.get_by_label("Batch code")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("BEA_EDITED")
    page.keyboard.press("Enter")
    toast(page, "Batch BEA_EDITED saved.")

    # Close.
    row = page.locator(f"#batch-{data['close'].batch_id}")
    tab_to(page, row.get_by_role("button", name="Close batch BEA_CLOSE"))
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Close batch BEA_CLOSE?")
    tab_to(page, dialog.get_by_role("button", name="Close batch"))
    page.keyboard.press("Enter")
    toast(page, "Batch BEA_CLOSE closed.")
    expect(row.locator(".status")).to_have_text("Closed")

    # The column chooser: add Note, take Flags away.
    summary = page.locator("#column-chooser summary")
    tab_to(page, summary)
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_label("Column Note"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_label("Column Flags"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Show these columns"))
    page.keyboard.press("Enter")
    toast(
        page,
        "The table shows Code, Status, Created by, Opened, Bills, Total cost, Analyzing, Note.",
    )
    header = page.locator("#batch-table thead th")
    labels = ("Code", "Status", "Created by", "Opened", "Bills", "Total cost", "Analyzing", "Note")
    expect(header).to_have_text([*(heading(label) for label in labels), "Actions"])
    no_sideways_scroll(page)
    # Remembered: the next visit shows them too.
    page.reload()
    expect(header.nth(7)).to_have_text(heading("Note"))


def test_the_column_chooser_without_javascript(live_server, browser, data):
    context = browser.new_context(java_script_enabled=False, viewport=LAPTOP)
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "bea")
        page.locator("#column-chooser summary").click()
        page.get_by_label("Column Due date").check()
        page.get_by_role("button", name="Show these columns").click()
        expect(page.locator("#toasts")).to_contain_text("The table shows")
        expect(page.locator("#batch-table thead th").nth(-2)).to_have_text(heading("Due date"))
        page.locator("#column-chooser summary").click()
        page.get_by_role("button", name="Defaults").click()
        expect(page.locator("#batch-table thead th").nth(-2)).to_have_text(heading("Analyzing"))
    finally:
        context.close()


def test_every_page_of_the_clerk_fits_a_phone(live_server, browser, pages, data):
    page = at(browser, pages, live_server, PHONE)
    batch = data["close"].batch_id
    for path in (
        "/activity/",
        "/accounts/profile/",
        "/batches/new/",
        f"/batches/{batch}/edit/",
        f"/batches/{batch}/close/",
    ):
        page.goto(live_server.url + path)
        no_sideways_scroll(page)
        fits(page, page.locator(".site-header"))
