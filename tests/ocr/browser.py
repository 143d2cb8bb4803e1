"""Real headless Chromium (Debian's ``chromium`` package) driven by Playwright.

No browser is downloaded: the system's Chromium is launched (``make browser`` installs it).
Tests using these fixtures are skipped, with the reason, where either is missing.
"""

import os
import shutil

import pytest
from django.test import Client

CHROMIUM = (
    os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
)


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM:
        pytest.skip("no Chromium on this machine: run `make browser` (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed: pip install -e '.[dev]'")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still plain synchronous code, so Django's async-safety guard is lifted for them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        yield browser
        browser.close()


@pytest.fixture
def session_for(chromium, live_server):
    """``session_for(user)``: a browser tab logged in as the user (its own cookies)."""
    contexts = []

    def open_tab(
        user,
        *,
        javascript: bool = True,
        width: int = 1600,
        height: int = 1000,
        color_scheme: str = "light",
        locale: str = "en-US",
    ):
        client = Client()  # one per user: a second login on one client ends the first session
        client.force_login(user)
        context = chromium.new_context(
            java_script_enabled=javascript,
            viewport={"width": width, "height": height},
            color_scheme=color_scheme,
            locale=locale,
        )
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        contexts.append(context)
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        return tab

    yield open_tab
    for context in contexts:
        context.close()
