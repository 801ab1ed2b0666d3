"""The API's documentation pages, rendered in Chromium: they fetch nothing from another site."""

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("path", "rendered"), [("/api/docs/", ".swagger-ui .info"), ("/api/redoc/", ".menu-content")])
def test_a_docs_page_renders_sending_nothing_to_another_site(page, live_server, path, rendered):
    # Rendering matters: Redoc's script adds an image from Redocly's CDN once the page is drawn.
    requested: list[str] = []
    blocked: list[str] = []  # refused by the page's own policy before it left the browser
    page.on("request", lambda request: requested.append(request.url))
    page.on("requestfailed", lambda request: request.failure == "csp" and blocked.append(request.url))

    page.goto(f"{live_server.url}{path}")
    page.wait_for_selector(rendered)
    page.wait_for_load_state("networkidle")

    sent_elsewhere = [
        url for url in requested if not url.startswith((live_server.url, "data:", "blob:")) and url not in blocked
    ]
    assert sent_elsewhere == []
    assert any(url.startswith(f"{live_server.url}/static/") for url in requested)
