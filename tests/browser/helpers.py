"""What the browser tests share: the clerk Bea, keyboard moves and axe (fixtures: conftest.py)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

from batchui.accounts.roles import Role
from batchui.simulator.models import ApiUser
from tests.browser.conftest import sign_in
from tests.helpers import make_person


def make_bea() -> None:
    make_person("bea", Role.CLERK, code="BCLERK", full_name="Bea Clerk")


def signed_in(page: Page, base_url: str) -> Page:
    sign_in(page, base_url, "bea")
    expect(page.locator(".user-name")).to_have_text("Bea Clerk")
    return page


def bea() -> ApiUser:
    return ApiUser.objects.get(user_code="BCLERK")


def tab_to(page: Page, target: Locator, *, limit: int = 150) -> None:
    """Press Tab (then Shift+Tab, for what is before the focus) until `target` has the focus
    (keyboard only, as a person would)."""
    for key, presses in (("Tab", limit), ("Shift+Tab", 2 * limit)):
        for _ in range(presses):
            if target.evaluate("element => element === document.activeElement"):
                return
            page.keyboard.press(key)
    where = page.evaluate("document.activeElement && document.activeElement.outerHTML")
    pytest.fail(f"Tab never reached {target}; the focus is on {where}")


def focused_id(page: Page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def assert_no_violations(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
