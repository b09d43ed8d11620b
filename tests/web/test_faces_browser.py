"""What a client, a QA manager or a reviewer sees, in headless Chromium: a finished NTA job
at its last frame with downloads and a D1–D99 axis, simulation output in names and units
with the no-effect message at the README's dose, and a short account page title.
Screenshots go to ``artifacts/screenshots`` (or ``EXODERM_SCREENSHOTS``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from exoderm.nta.synthetic import SimulationSettings, SizeComponent, write_simulation
from exoderm.simulate.plots import ENDPOINT_LABELS
from tests.web.test_browser import DESKTOP, PHONE, browser, page_for, server, shot

pytestmark = pytest.mark.browser
__all__ = ["browser", "page_for", "server"]  # fixtures shared with test_browser

#: Every endpoint key of every model: none may appear as page text.
ENDPOINT_KEYS = sorted({k for table in ENDPOINT_LABELS.values() for k in table})


def test_finished_nta_job_shows_last_frame_downloads_and_d1_d99_axis(
    page_for: Any, server: str, tmp_path: Path
) -> None:
    video = tmp_path / "beads100.tif"
    write_simulation(
        SimulationSettings(
            width=128,
            height=128,
            n_frames=60,
            n_particles=20,
            sizes=[SizeComponent(diameter_nm=100)],
            seed=11,
        ),
        video,
    )
    page = page_for("sci", DESKTOP)
    page.goto(f"{server}/nta")
    page.get_by_label("Video (TIFF stack, AVI or MP4)").set_input_files(str(video))
    page.get_by_label("Temperature (°C, 0–100)").fill("22")
    page.get_by_label("Pixel size (µm)").fill("0.166")
    page.get_by_label("Frame rate (fps)").fill("25")
    page.get_by_label("Exposure (ms, or with units)").fill("30ms")
    page.get_by_role("button", name="Analyse").click()
    page.wait_for_selector("#job-state:text('succeeded')", timeout=90_000)
    assert page.inner_text("#job-message") == "done: frame 60 of 60 analysed"
    assert page.locator("progress").get_attribute("value") == "1"
    for name, media_type in (
        ("size distribution (CSV)", "text/csv"),
        ("full result (JSON)", "application/json"),
        ("chart (PNG)", "image/png"),
    ):
        href = page.get_by_role("link", name=name).get_attribute("href")
        got = page.request.get(f"{server}{href}")
        assert got.status == 200 and got.headers["content-type"].startswith(media_type)
    href = page.get_by_role("link", name="full result (JSON)").get_attribute("href")
    summary = page.request.get(f"{server}{href}").json()["summary"]
    low, high = (float(x) for x in re.findall(r"Size axis (\d+)–(\d+) nm", page.content())[0])
    assert low < summary["d10_nm"] and summary["d90_nm"] < high < 4 * summary["d90_nm"]
    shot(page, "nta-job-finished-desktop")


def test_simulation_in_names_and_units_with_no_effect_message(page_for: Any, server: str) -> None:
    page = page_for("viewer", DESKTOP)
    page.goto(f"{server}/simulate")
    # the README's example: wound, adipose-msc, 1e10 particles, injection, 0,7,14, diabetic
    assert page.get_by_label("Dose per administration").input_value() == "1e10"
    assert page.get_by_label("Dosing days").input_value() == "0,7,14"
    page.get_by_label("Diabetic wound (wound model)").check()
    page.get_by_role("button", name="Simulate", exact=True).click()
    page.wait_for_selector("#dose-effect")
    message = page.inner_text("#dose-effect")
    assert "no meaningful difference" in message and "10¹¹ particles" in message
    text = page.inner_text("main")
    assert not [k for k in ENDPOINT_KEYS if k in text]
    assert "Time to 95 % closure, treated" in text
    titles = page.locator("figure svg").evaluate_all("els => els.map(e => e.ariaLabel)")
    assert "Open wound area (fraction of the initial area)" in titles
    assert not {"W", "phiI", "F", "C"} & set(titles)
    shot(page, "simulate-readme-dose-desktop")
    page.get_by_label("Dose per administration").fill("1e13")
    page.get_by_role("button", name="Simulate", exact=True).click()
    page.wait_for_selector("#dose-effect")
    assert "predicts a difference" in page.inner_text("#dose-effect")
    shot(page, "simulate-effective-dose-desktop")


def test_account_page_title_is_short(page_for: Any, server: str) -> None:
    page = page_for("sci", PHONE)
    page.goto(f"{server}/account")
    assert page.title() == "Account · exoderm"
    page.get_by_label("Token name").fill("title-check")
    page.get_by_role("button", name="Create token").click()
    page.wait_for_selector("#new-token")
    assert page.title() == "Account · exoderm"
    assert "csrf" not in page.title().lower()
    shot(page, "account-token-phone")
