"""A slow or failing Batch API, as a person sees it: the Open dialog shows at once and its preview
of open batches after; the widget keeps its last figures, with their age; a failed htmx part says
so in place. Screenshots go to SCREENSHOTS (and to BATCHUI_SLOW_SHOTS when set)."""

from __future__ import annotations

import dataclasses
import os
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Page, expect

from batchui.accounts.roles import Role
from batchui.review.caching import cache_key
from batchui.review.widget import CACHE_KIND
from batchui.simulator import faults
from batchui.simulator.models import ApiUser
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.helpers import make_person
from tests.simulator.helpers import make_api_user, make_batch

SHOTS = Path(os.environ.get("BATCHUI_SLOW_SHOTS") or SCREENSHOTS)
WIDGET_TOKEN = "slow-api-widget-token-42"
FIVE_MINUTES = timedelta(minutes=5)


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def shots(page: Page, top, bottom, name: str) -> None:
    """The dialog's top (the code field), then its bottom (the preview)."""
    top.scroll_into_view_if_needed()
    shot(page, name)
    bottom.scroll_into_view_if_needed()
    shot(page, name + "-preview")
    top.scroll_into_view_if_needed()


@pytest.fixture
def clerk_page(live_server, page: Page) -> Page:
    make_person("bea", Role.CLERK, code="BCLERK", full_name="Bea Clerk")
    bea = ApiUser.objects.get(user_code="BCLERK")
    make_batch(user=bea, code="BEA_GAS", bill_count=3)
    make_batch(user=bea, code="BEA_WATER", bill_count=1)
    sign_in(page, live_server.url, "bea")
    page.wait_for_url(re.compile(r".*/batches/$"))
    yield page
    faults.clear()


@pytest.mark.parametrize("size", [(1366, 800), (390, 844)], ids=["desktop", "phone"])
def test_the_open_dialog_shows_before_its_preview_with_a_slow_api(
    live_server, clerk_page: Page, size
):
    page = clerk_page
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(live_server.url + "/batches/")
    expect(page.locator("#result-count")).to_be_visible()
    faults.inject("latency", method="GET", path=r"^/api/v3/batch$", latency_ms=3000, times=None)

    started = time.monotonic()
    page.locator("#open-batch-button").click()
    dialog = page.get_by_role("dialog", name="Open a batch")
    code = dialog.get_by_label("Batch code")
    expect(code).to_be_focused(timeout=2000)
    assert time.monotonic() - started < 1.0
    preview = dialog.locator("#open-batches-preview")
    expect(preview).to_have_text("Loading your open batches…")
    expect(preview).to_have_attribute("aria-busy", "true")
    shots(page, code, preview, f"open-dialog-loading-{size[0]}x{size[1]}")

    expect(preview).to_contain_text(
        "Ticking this box closes 2 open batches of yours", timeout=15_000
    )
    assert time.monotonic() - started > 3.0  # it waited for the API, the dialog did not
    expect(preview).to_contain_text("BEA_WATER")
    expect(preview).not_to_have_attribute("aria-busy", "true")
    expect(code).to_have_value(f"BCLERK_{timezone.localdate():%Y%m%d}")
    expect(code).to_be_focused()
    shots(page, code, preview, f"open-dialog-loaded-{size[0]}x{size[1]}")


def test_what_is_typed_before_the_preview_arrives_is_kept(live_server, clerk_page: Page):
    page = clerk_page
    faults.inject("latency", method="GET", path=r"^/api/v3/batch$", latency_ms=1500, times=None)
    page.locator("#open-batch-button").click()
    dialog = page.get_by_role("dialog", name="Open a batch")
    expect(dialog.get_by_label("Batch code")).to_be_focused()
    page.keyboard.type("BEA_MINE")
    page.keyboard.press("Tab")
    expect(dialog.locator("#open-batches-preview")).to_contain_text("closes 2", timeout=15_000)
    expect(dialog.get_by_label("Batch code")).to_have_value("BEA_MINE")
    expect(dialog.get_by_label("Note")).to_be_focused()  # the preview took no focus


def test_a_failed_preview_says_so_in_its_place(live_server, clerk_page: Page):
    page = clerk_page
    page.route("**/batches/new/preview/**", lambda route: route.fulfill(status=500, body="x"))
    page.locator("#open-batch-button").click()
    preview = page.get_by_role("dialog", name="Open a batch").locator("#open-batches-preview")
    expect(preview).to_have_text(
        "The server could not complete this request (HTTP 500). Please try again."
    )
    expect(preview).not_to_have_attribute("aria-busy", "true")


def settled(page: Page) -> None:
    """The swapped figures are settled: their minute refresh is set (fast_forward fires only the
    timers already set)."""
    expect(page.locator("#widget-figures")).not_to_have_class(re.compile(r"htmx-settling"))


@pytest.fixture
def widget(live_server, settings):
    """The widget's URL (token access) and its API key; three open batches."""
    settings.WIDGET_ACCESS = "token"
    settings.WIDGET_TOKEN = WIDGET_TOKEN
    user, settings.WIDGET_API_KEY = make_api_user("INTRANET", "Intranet", create=False)
    for i in range(3):
        make_batch(user=user, code=f"WALL_{i}", bill_count=2)
    cache.clear()
    yield f"{live_server.url}/widget/?token={WIDGET_TOKEN}", settings.WIDGET_API_KEY
    faults.clear()
    cache.clear()


def test_the_widget_shows_its_last_figures_while_the_api_is_down(page: Page, widget, settings):
    url, api_key = widget
    page.set_viewport_size({"width": 520, "height": 520})
    page.clock.install()
    page.goto(url)
    shown = page.locator("#widget-open")
    expect(shown).to_have_text("3")
    as_of = page.locator(".widget-as-of")
    expect(as_of).to_contain_text(re.compile(r"As of \d+ \w+ \d{4}, \d\d:\d\d \(just now\)"))

    # Five minutes later (the figures read then are no longer fresh) the API is down: the minute
    # refresh cannot read them again, so the last ones stay, with their age and a notice.
    key = cache_key(kind=CACHE_KIND, api_key=api_key)
    figures = cache.get(key)
    cache.set(key, dataclasses.replace(figures, fetched_at=figures.fetched_at - FIVE_MINUTES))
    make_batch(user=ApiUser.objects.get(user_code="INTRANET"), code="WALL_NEW")
    settings.BATCH_API_RETRY_BUDGET = 0
    faults.inject("status", status=503, retry_after=1, method="GET", times=None)
    with page.expect_response(re.compile(r"/widget/\?token=")):
        page.clock.fast_forward("01:01")
    notice = page.locator(".widget-stale")
    expect(notice).to_contain_text("The Batch API could not be reached")
    expect(shown).to_have_text("3")
    expect(as_of).to_contain_text(re.compile(r"As of \d+ \w+ \d{4}, \d\d:\d\d \(5\sminutes ago\)"))
    shot(page, "widget-stale-figures")
    settled(page)

    # The API is back: the next refresh shows the new figures.
    faults.clear()
    with page.expect_response(re.compile(r"/widget/\?token=")):
        page.clock.fast_forward("01:01")
    expect(shown).to_have_text("4")
    expect(notice).to_have_count(0)
    settled(page)

    # A failed refresh of the dashboard itself: the one htmx:responseError handler says so.
    page.route(
        re.compile(r"/widget/\?token="),
        lambda route: route.fulfill(
            status=503, content_type="text/plain", body="The dashboard is restarting."
        ),
    )
    with page.expect_response(re.compile(r"/widget/\?token=")):
        page.clock.fast_forward("01:01")
    expect(page.locator("#errors")).to_have_text("The dashboard is restarting.")
    expect(shown).to_have_text("4")
