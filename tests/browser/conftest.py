"""Playwright drives Debian's Chromium, launched by path (`playwright install` cannot download)."""

import os
from pathlib import Path

import pytest

from tests.helpers import PASSWORD, make_person

# Playwright's sync API runs an event loop in the test thread; the ORM must still be allowed.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("BATCHUI_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


BROWSER_PASSWORD = PASSWORD
# Where browser tests save their screenshots: an ignored folder, so that a test run leaves the work
# tree clean; `make screenshots` points it at docs/screenshots to update those on purpose.
SCREENSHOTS = Path(
    os.environ.get("BATCHUI_SCREENSHOTS")
    or Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
)


def sign_in(page, base_url: str, username: str, password: str = BROWSER_PASSWORD) -> None:
    """Sign in through the login form, as a person does."""
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def signed_in_page(live_server, page):
    """The browser page, signed in as a clerk ("bea", acting as simulator user BCLERK)."""
    from batchui.accounts.roles import Role

    make_person("bea", Role.CLERK, code="BCLERK", full_name="Bea Clerk")
    sign_in(page, live_server.url, "bea")
    page.locator(".user-name").wait_for()
    return page


@pytest.fixture
def console(page):
    """The page's console errors and uncaught exceptions (a test asserts there are none)."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


@pytest.fixture
def axe_page(live_server, browser):
    """A signed-in clerk (Bea) in a context that lets axe inject its script under the strict CSP."""
    from tests.browser.helpers import make_bea, signed_in

    make_bea()
    context = browser.new_context(bypass_csp=True)
    page = signed_in(context.new_page(), live_server.url)
    yield page
    context.close()
