"""Browser flows in headless Chromium: log in and walk one flow per capability.

Each flow saves a screenshot (phone and desktop widths) to ``artifacts/screenshots``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.conftest import PASSWORD, World
from tests.web.browser import CHROMIUM_ARGS, live_server, require_chromium, screenshot_dir

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def server(world: World) -> Iterator[str]:
    with live_server(world.app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def logged_in_page(browser: Any, server: str, username: str, viewport: dict[str, int]) -> Any:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{server}/")
    assert page.url.startswith(f"{server}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server}/")
    return page


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(screenshot_dir() / f"{name}.png"), full_page=True)


def test_login_account_token_and_logout(browser: Any, server: str) -> None:
    page = logged_in_page(browser, server, "sci", PHONE)
    assert "Welcome" in page.inner_text("h1")
    page.get_by_role("link", name="Account", exact=True).first.click()
    page.get_by_label("Token name").fill("browser-made")
    page.get_by_role("button", name="Create token").click()
    token = page.inner_text("#new-token")
    assert token.startswith("exo_")
    shot(page, "account-phone")
    # keyboard only: the skip link is the first tab stop
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{server}/login")
    page.goto(f"{server}/account")
    assert "/login" in page.url
    page.context.close()


def test_wrong_password_is_announced(browser: Any, server: str) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{server}/login")
    page.get_by_label("Username").fill("sci")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    alert = page.get_by_role("alert")
    assert "Wrong username or password" in alert.inner_text()
    context.close()
