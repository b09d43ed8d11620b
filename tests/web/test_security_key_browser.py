"""A security key through the real pages and their JavaScript, in headless Chromium with
its virtual WebAuthn authenticator (Chrome DevTools Protocol ``WebAuthn`` domain): register
on the account page, log out, log in with password and key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.api.conftest import PASSWORD, World, build_world
from tests.web.browser import CHROMIUM_ARGS, live_server, require_chromium

pytestmark = pytest.mark.browser


@pytest.fixture
def origin(world_template: Any, tmp_path: Any) -> Iterator[str]:
    """A live server reached as http://localhost:<port> (a WebAuthn RP id is a domain)."""
    world: World = build_world(world_template, tmp_path)
    with live_server(world.app) as url:
        port = urlsplit(url).port
        here = f"http://localhost:{port}"
        ctx = world.app.state.context
        ctx.settings = ctx.settings.model_copy(
            update={"webauthn_rp_id": "localhost", "webauthn_origins": [here]}
        )
        yield here
    world.app.state.context.jobs.shutdown()
    world.db.dispose()


def _log_in(page: Any, origin: str) -> None:
    page.goto(f"{origin}/login")
    page.get_by_label("Username").fill("doc_a")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_register_a_key_then_log_in_with_it(origin: str) -> None:
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context()
        context.set_default_timeout(20_000)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("WebAuthn.enable")
        cdp.send(
            "WebAuthn.addVirtualAuthenticator",
            {
                "options": {
                    "protocol": "ctap2",
                    "transport": "usb",
                    "hasResidentKey": False,
                    "hasUserVerification": False,
                    "automaticPresenceSimulation": True,
                }
            },
        )
        _log_in(page, origin)
        page.wait_for_url(f"{origin}/")
        page.goto(f"{origin}/account")
        page.get_by_label("Name of the key").fill("virtual key")
        page.get_by_role("button", name="Add a security key").click()
        page.get_by_role("button", name="Register the key").click()
        page.wait_for_url(f"{origin}/account?key=added")
        keys = page.get_by_role("table", name="Your security keys")
        assert "virtual key" in keys.inner_text() and "never" in keys.inner_text()
        page.get_by_role("button", name="Log out").click()
        page.wait_for_url(f"{origin}/login")

        _log_in(page, origin)
        assert page.inner_text("h1") == "Security key"
        page.get_by_role("button", name="Use my security key").click()
        page.wait_for_url(f"{origin}/")
        page.goto(f"{origin}/account")
        keys = page.get_by_role("table", name="Your security keys")
        assert "never" not in keys.inner_text()  # the key's last use is shown
        browser.close()
