import re

from playwright.sync_api import Page, expect

from batchui.accounts.roles import Role
from tests.browser.conftest import sign_in
from tests.helpers import make_person


def test_home_leads_to_the_batch_list_with_styles_and_htmx(live_server, page: Page):
    make_person("bea", Role.CLERK, code="BCLERK")
    sign_in(page, live_server.url, "bea")
    page.wait_for_url(re.compile(r".*/batches/$"))
    messages: list[str] = []
    page.on("console", lambda msg: messages.append(f"{msg.type}: {msg.text}"))
    page.goto(live_server.url + "/")
    expect(page).to_have_url(live_server.url + "/batches/")
    expect(page).to_have_title("Batches · batchui")
    expect(page.get_by_role("heading", level=1)).to_have_text("Batches")
    # htmx is served from our static files (no CDN) and configured without eval.
    assert page.evaluate("() => typeof window.htmx") == "object"
    assert page.evaluate("() => htmx.config.allowEval") is False
    # The stylesheet is applied (the skip link is moved off-screen by app.css).
    left = page.evaluate("() => getComputedStyle(document.querySelector('.skip-link')).left")
    assert left == "-999px"
    assert not [m for m in messages if m.startswith("error")]
