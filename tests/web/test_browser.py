"""Browser flows in headless Chromium (Debian's chromium driven by Playwright): log in and
walk one flow per capability, at phone and desktop widths, saving screenshots to
``artifacts/screenshots`` (or ``EXODERM_SCREENSHOTS``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from exoderm.nta.synthetic import SimulationSettings, SizeComponent, write_simulation
from exoderm.web.qc_pages import TEMPLATE
from tests.api.conftest import PASSWORD, World, build_world
from tests.api.shared_data import shared_file
from tests.web.browser import CHROMIUM_ARGS, live_server, require_chromium, screenshot_dir

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def server(world_template: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    world: World = build_world(world_template, tmp_path_factory.mktemp("browser"))
    with live_server(world.app) as url:
        yield url
    world.app.state.context.jobs.shutdown()
    world.db.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page_for(browser: Any, server: str) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_as(username: str, viewport: dict[str, int] = DESKTOP) -> Any:
        context = browser.new_context(viewport=viewport, accept_downloads=True)
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{server}/")
        assert page.url.startswith(f"{server}/login")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{server}/")
        return page

    yield open_as
    for context in contexts:
        context.close()


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(screenshot_dir() / f"{name}.png"), full_page=True)


def test_login_token_keyboard_logout(page_for: Any, server: str) -> None:
    page = page_for("sci", PHONE)
    assert "Welcome" in page.inner_text("h1")
    page.goto(f"{server}/account")
    page.get_by_label("Token name").fill("browser-made")
    page.get_by_role("button", name="Create token").click()
    assert page.inner_text("#new-token").startswith("exo_")
    shot(page, "account-phone")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{server}/login")
    page.goto(f"{server}/account")
    assert "/login" in page.url


def test_wrong_password_is_announced(browser: Any, server: str) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{server}/login")
    page.get_by_label("Username").fill("sci")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    assert "Wrong username, password or one-time code" in page.get_by_role("alert").inner_text()
    context.close()


def test_evidence_search_and_claim(page_for: Any, server: str) -> None:
    page = page_for("viewer", PHONE)
    page.get_by_role("link", name="Evidence").first.click()
    page.get_by_label("Search nodes, claims and references").fill("collagen")
    page.wait_for_selector("#results li")  # HTMX live search
    shot(page, "evidence-search-phone")
    page.locator("#results li a").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").count() == 1
    shot(page, "evidence-result-phone")


def test_design_flow(page_for: Any, server: str) -> None:
    page = page_for("sci")
    page.goto(f"{server}/design")
    page.get_by_label("dermal collagen", exact=False).first.check()
    page.get_by_label("Plant-derived vesicles only").check()
    page.get_by_role("button", name="Design formulations").click()
    page.wait_for_selector("#formulation-1")
    assert "INCI" in page.inner_text("#formulation-1")
    page.get_by_label("Claim wording").fill("treats eczema")
    page.get_by_role("button", name="Check").click()
    page.wait_for_selector("#verdict .error")
    shot(page, "design-desktop")


def test_clients_flow(page_for: Any, server: str) -> None:
    page = page_for("doc_a", PHONE)
    page.goto(f"{server}/clients")
    page.get_by_label("Name", exact=True).fill("Emmy Noether")
    page.get_by_label("Fitzpatrick phototype").select_option("5")
    page.get_by_label("Main concern").select_option("acne scars")
    page.get_by_label("Treatment consent (v1) given").check()
    page.get_by_role("button", name="Add client").click()
    page.wait_for_selector("text=Screening")
    for i in range(1, 11):
        page.locator(f"#f_q{i}").select_option("1")
    page.get_by_role("button", name="Score and save").click()
    page.wait_for_selector("#outcomes svg")
    shot(page, "client-phone")
    pseudonym = page.url.rsplit("/", 1)[-1].split("?")[0]
    other = page_for("doc_b")
    response = other.goto(f"{server}/clients/{pseudonym}")
    assert response is not None and response.status == 404


def test_qc_flow(page_for: Any, server: str) -> None:
    page = page_for("qc")
    page.goto(f"{server}/qc")
    page.get_by_label("Batch record (YAML or JSON)").fill(
        yaml.safe_dump({**TEMPLATE, "lot": "BR-1", "product": "Browser Serum"})
    )
    page.get_by_role("button", name="Create batch").click()
    page.wait_for_url(f"{server}/qc/batches/BR-1")
    page.get_by_label("Instrument export").set_input_files(str(shared_file("nanosight/beads2.csv")))
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_selector("#measurements svg")
    page.get_by_label("Your password (re-entered to sign)").fill(PASSWORD)
    page.get_by_role("button", name="Sign certificate as qc").click()
    page.wait_for_selector("#cert-1")
    with page.expect_download() as download:
        page.locator("#cert-1 a", has_text="PDF").click()
    assert download.value.suggested_filename == "coa-BR-1-v1.pdf"
    shot(page, "qc-batch-desktop")


def test_nta_flow(page_for: Any, server: str, tmp_path: Path) -> None:
    video = tmp_path / "browser.tif"
    write_simulation(
        SimulationSettings(
            width=128,
            height=128,
            n_frames=30,
            n_particles=20,
            sizes=[SizeComponent(diameter_nm=100)],
            seed=9,
        ),
        video,
    )
    page = page_for("sci")
    page.goto(f"{server}/nta")
    page.get_by_label("Video (TIFF stack, AVI or MP4)").set_input_files(str(video))
    page.get_by_label("Temperature (°C, 0–100)").fill("22")
    page.get_by_label("Pixel size (µm)").fill("0.166")
    page.get_by_label("Frame rate (fps)").fill("25")
    page.get_by_label("Exposure (ms, or with units)").fill("30ms")
    page.get_by_role("button", name="Analyse").click()
    page.wait_for_selector("#job-state:text('succeeded')", timeout=90_000)
    assert page.locator("figure svg").count() == 1
    shot(page, "nta-job-desktop")


def test_simulate_flow(page_for: Any, server: str) -> None:
    page = page_for("viewer", PHONE)
    page.goto(f"{server}/simulate")
    page.get_by_label("Model", exact=True).select_option("photoageing")
    page.get_by_role("button", name="Simulate", exact=True).click()
    page.wait_for_selector("figure svg")
    assert page.locator("figure svg").count() >= 2
    shot(page, "simulate-phone")
