"""Signing in and out in a real browser; an expired session under htmx; htmx under the CSP."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.sessions.models import Session
from playwright.sync_api import Page, expect

from batchui.accounts.roles import Role
from tests.browser.conftest import BROWSER_PASSWORD, sign_in
from tests.helpers import make_person


@pytest.fixture
def console_messages(page: Page) -> list[str]:
    messages: list[str] = []
    page.on("console", lambda msg: messages.append(f"{msg.type}: {msg.text}"))
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    return messages


def test_signing_in_and_out(live_server, page: Page):
    make_person("vic", Role.VIEWER, full_name="Vic Viewer")
    page.goto(live_server.url + "/accounts/profile/")
    # Not signed in: the sign-in page, which returns to the page asked for.
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/accounts/profile/$"))
    expect(page.get_by_label("Username")).to_be_focused()
    page.get_by_label("Username").fill("vic")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert").filter(has_text="correct username")).to_be_visible()

    page.get_by_label("Password").fill(BROWSER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server.url + "/accounts/profile/")
    expect(page.locator(".user-name")).to_have_text("Vic Viewer")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(live_server.url + "/accounts/login/")
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))


def test_an_expired_session_during_an_htmx_action_lands_on_the_login_page(
    live_server, signed_in_page: Page
):
    page = signed_in_page
    page.goto(live_server.url + "/accounts/profile/")
    Session.objects.all().delete()  # the session expires (or is ended) on the server
    page.get_by_role("button", name="Test connection").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=%2Faccounts%2Fprofile%2F$"))
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    # A whole page, not a login form inside the result region of the old page.
    assert page.locator("#connection-result").count() == 0
    # Signing in again returns to the profile page.
    page.get_by_label("Username").fill("bea")
    page.get_by_label("Password").fill(BROWSER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server.url + "/accounts/profile/")


def test_htmx_works_under_the_enforced_csp(live_server, signed_in_page: Page, console_messages):
    page = signed_in_page
    response = page.goto(live_server.url + "/accounts/profile/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe" not in policy
    page.get_by_role("button", name="Test connection").click()
    result = page.locator("#connection-result")
    expect(result).to_contain_text("Connection OK: your key sees 0 batches.")
    # Still the profile page: htmx swapped the fragment in place.
    expect(page).to_have_url(live_server.url + "/accounts/profile/")
    assert page.evaluate("() => htmx.config.allowEval") is False
    violations = [
        m for m in console_messages if "Content Security Policy" in m or "Refused to" in m
    ]
    assert not violations, violations
    assert not [m for m in console_messages if m.startswith(("error", "pageerror"))], (
        console_messages
    )


@pytest.mark.urls("tests.accounts.urls")
def test_a_refusal_under_htmx_is_shown_in_the_error_region(
    live_server, page: Page, console_messages
):
    """A 403 from @permission_required_or_403 reaches the person as its sentence (app.js)."""
    make_person("vic", Role.VIEWER)
    sign_in(page, live_server.url, "vic")
    page.locator(".user-name").wait_for()
    heading = page.get_by_role("heading", level=1).inner_text()
    # A lead-only test view; the UI offers a viewer no way there, so call it the way htmx would.
    page.evaluate("() => htmx.ajax('GET', '/test/review/', {target: '#main'})")
    expect(page.locator("#errors")).to_have_text(re.compile(r"^Your role does not allow this"))
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)  # nothing swapped


def test_choosing_a_time_zone_with_the_keyboard_and_axe_on_the_profile(live_server, browser):
    make_person("bea", Role.CLERK, code="BCLERK", full_name="Bea Clerk")
    context = browser.new_context(bypass_csp=True)  # only so that axe can be injected
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "bea")
        page.locator(".user-name").wait_for()
        page.goto(live_server.url + "/accounts/profile/")
        expect(page.locator("#time-zone-state")).to_have_text("Times show in UTC.")
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        zone = page.get_by_label("Your time zone")
        zone.focus()
        zone.select_option("Europe/Berlin")  # as typing the name on the focused select does
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="Save time zone")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("#time-zone-state")).to_have_text("Times show in Europe/Berlin.")
        expect(page.get_by_text("Times now show in Europe/Berlin.")).to_be_visible()
        expect(zone).to_have_value("Europe/Berlin")
    finally:
        context.close()
