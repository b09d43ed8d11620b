"""The whole patient-reported loop in Chromium: a clinician sends a DLQI link, the client
verifies and answers on a 390-px phone, the score lands on the record with an audit row
naming the channel; reused, revoked and locked links are refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from exoderm.accounts.records import AuditEvent
from exoderm.clients.invitations import rewind_verification
from tests.api.conftest import PASSWORD, World, build_world
from tests.web.browser import CHROMIUM_ARGS, live_server, require_chromium, screenshot_dir

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def world(world_template: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    w = build_world(world_template, tmp_path_factory.mktemp("links"))
    yield w
    w.app.state.context.jobs.shutdown()
    w.db.dispose()


@pytest.fixture(scope="module")
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


def _clinician(browser: Any, server: str) -> Any:
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(f"{server}/login")
    page.get_by_label("Username").fill("doc_a")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server}/")
    return page


def _phone(browser: Any) -> Any:
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(20_000)
    return context.new_page()


def _new_client(page: Any, server: str) -> str:
    page.goto(f"{server}/clients")
    page.get_by_label("Name", exact=True).fill("Lise Meitner")
    page.get_by_label("Date of birth").fill("1978-11-07")
    page.get_by_label("Fitzpatrick phototype").select_option("2")
    page.get_by_label("Main concern").select_option("wrinkles")
    page.get_by_role("button", name="Add client").click()
    page.wait_for_selector("text=Questionnaires from home")
    return str(page.url.rsplit("/", 1)[-1].split("?")[0].split("#")[0])


def _send_link(page: Any, server: str, pseudonym: str, verifier: str = "date_of_birth") -> str:
    page.goto(f"{server}/clients/{pseudonym}")
    page.get_by_label("Patient-reported instrument").select_option("dlqi")
    page.get_by_label("The client confirms who they are with").select_option(verifier)
    page.get_by_role("button", name="Create link").click()
    page.wait_for_selector("#link-url")
    assert page.locator("figure.qr svg").count() == 1
    return str(page.locator("#link-url").input_value())


def test_dlqi_from_home_on_a_phone(browser: Any, server: str, world: World) -> None:
    clinic = _clinician(browser, server)
    pseudonym = _new_client(clinic, server)
    url = _send_link(clinic, server, pseudonym)

    phone = _phone(browser)
    response = phone.goto(url)
    assert response is not None and response.status == 200
    assert response.headers["referrer-policy"] == "no-referrer"
    body = phone.content()
    assert "Lise" not in body and pseudonym not in body  # nothing before verification
    phone.get_by_label("To confirm it is you, enter your date of birth").fill("1978-11-08")
    phone.get_by_role("button", name="Continue").click()
    phone.wait_for_selector("text=attempts left")
    phone.get_by_label("To confirm it is you, enter your date of birth").fill("1978-11-07")
    phone.get_by_role("button", name="Continue").click()
    phone.wait_for_selector("#f_q1")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the form is {width} px wide on a 390-px phone"
    for i in range(1, 11):
        phone.locator(f"#f_q{i}").select_option("2" if i <= 3 else "0")
    phone.screenshot(path=str(screenshot_dir() / "respond-phone.png"), full_page=True)
    with world.db.transaction() as s:  # a person takes longer than this test to read ten items
        rewind_verification(s, url.rstrip("/").rsplit("/", 1)[-1], seconds=60)
    phone.get_by_role("button", name="Send my answers").click()
    phone.wait_for_selector("text=were saved")

    clinic.goto(f"{server}/clients/{pseudonym}")
    row = clinic.locator("#outcomes tbody tr").first
    assert row.locator("td").nth(0).inner_text() == "dlqi"
    assert row.locator("td").nth(2).inner_text() == "6.0"
    with world.db.reader() as s:
        events = list(
            s.scalars(
                select(AuditEvent).where(
                    AuditEvent.subject_id == pseudonym, AuditEvent.action == "client.assess"
                )
            )
        )
    assert len(events) == 1
    assert events[0].actor == f"respondent:{pseudonym}"
    assert events[0].detail is not None and events[0].detail["channel"] == "patient-link"

    again = phone.goto(url)  # reused
    assert again is not None and again.status == 403
    assert "already used" in phone.content()


def test_revoked_and_locked_links_are_refused(browser: Any, server: str) -> None:
    clinic = _clinician(browser, server)
    pseudonym = _new_client(clinic, server)
    revoked = _send_link(clinic, server, pseudonym)
    clinic.goto(f"{server}/clients/{pseudonym}")
    clinic.locator("#links").get_by_role("button", name="Revoke").click()
    clinic.wait_for_selector("text=revoked")
    phone = _phone(browser)
    response = phone.goto(revoked)
    assert response is not None and response.status == 403
    assert "withdrawn" in phone.content()

    locked = _send_link(clinic, server, pseudonym)
    phone.goto(locked)
    for _ in range(20):
        phone.get_by_label("To confirm it is you, enter your date of birth").fill("2001-01-01")
        phone.get_by_role("button", name="Continue").click()
        phone.wait_for_load_state()
    assert "locked" in phone.content()
    response = phone.goto(locked)  # even the right answer is refused now
    assert response is not None and response.status == 403
    clinic.goto(f"{server}/clients/{pseudonym}")
    assert "locked" in clinic.locator("#links").inner_text()


def test_an_expired_link_is_refused(browser: Any, server: str, world: World) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from exoderm.clients.records import InvitationRecord
    from exoderm.storage.base import utcnow

    clinic = _clinician(browser, server)
    pseudonym = _new_client(clinic, server)
    url = _send_link(clinic, server, pseudonym)
    with world.db.transaction() as s:
        s.execute(update(InvitationRecord).values(expires_at=utcnow() - timedelta(minutes=1)))
    phone = _phone(browser)
    response = phone.goto(url)
    assert response is not None and response.status == 403
    assert "expired" in phone.content()
    clinic.goto(f"{server}/clients/{pseudonym}")
    assert "expired" in clinic.locator("#links").inner_text()
