"""Headless Chromium (Debian's package) driven by Playwright against pytest-django's live server."""

import io
import os
import shutil
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from tests.conftest import grant_role_permissions

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(os.environ.get("TRIAGE_SCREENSHOTS", Path(__file__).resolve().parents[2] / "var" / "screenshots"))


def pytest_collection_modifyitems(items):
    if shutil.which(CHROMIUM) is None:
        skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread while it lives; the ORM calls
    # of these tests (and their database teardown) are still synchronous, so Django must allow them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
            )
            yield chromium
            chromium.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def new_page(browser):
    """Pages of fresh browser contexts, each at a width and in a theme: Django's own setting (localStorage "theme")
    and the system's preference (prefers-color-scheme) agree, as they do on a clinician's machine."""
    contexts = []

    def make(*, width: int = 1440, theme: str = "light", bypass_csp: bool = False):
        context = browser.new_context(
            viewport={"width": width, "height": 844 if width < 800 else 900},  # a phone's screen, or a desktop's
            color_scheme=theme,
            bypass_csp=bypass_csp,  # for axe-core, a script the admin's policy refuses (test_accessibility.py)
        )
        context.add_init_script(f"window.localStorage.setItem('theme', '{theme}')")
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def demo(browser, transactional_db, tmp_path, monkeypatch) -> dict[str, str]:
    """`make run`'s demo data and logins, exactly as seed_demo makes them."""
    grant_role_permissions(apps, None)  # transactional tests flush what the data migrations made
    monkeypatch.setattr("triage.management.commands.seed_demo.CREDENTIALS_FILE", tmp_path / "demo.json")
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    logins = {}
    for line in out.getvalue().splitlines():
        if line.startswith(("Admin login:", "Clinician login:", "Auditor login:")):
            username, _, password = line.split(":", 1)[1].split()
            logins[username] = password
    return logins


def log_in(page, live_server, username: str, password: str):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")
    return page


@pytest.fixture
def login(live_server, demo, page):
    return lambda username: log_in(page, live_server, username, demo[username])


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # The whole page, or with full_page=False the first screen as the reader sees it.
    return lambda page, name, full_page=True: page.screenshot(
        path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page
    )
