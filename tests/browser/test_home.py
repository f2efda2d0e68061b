from playwright.sync_api import Page, expect


def test_home_page_loads_styles_and_htmx(live_server, signed_in_page: Page):
    page = signed_in_page
    messages: list[str] = []
    page.on("console", lambda msg: messages.append(f"{msg.type}: {msg.text}"))
    page.goto(live_server.url + "/")
    expect(page).to_have_title("Home · batchui")
    expect(page.get_by_role("heading", level=1)).to_have_text("batchui")
    # htmx is served from our static files (no CDN) and configured without eval.
    assert page.evaluate("() => typeof window.htmx") == "object"
    assert page.evaluate("() => htmx.config.allowEval") is False
    # The stylesheet is applied (the skip link is moved off-screen by app.css).
    left = page.evaluate("() => getComputedStyle(document.querySelector('.skip-link')).left")
    assert left == "-999px"
    assert not [m for m in messages if m.startswith("error")]
