"""Designer pages: form → ranked formulations with a coverage chart, product types and
raw materials with the procedure by phase; claims checker; formula check."""

from __future__ import annotations

import csv
import io
import re
from html import escape
from pathlib import Path
from typing import Any

import pytest

from exoderm.design.formula_check import check_formula
from exoderm.design.formula_file import read_formula
from exoderm.design.formulary import load_formulary
from exoderm.design.skeletons import skeleton, skeletons
from tests.api.conftest import PASSWORD, World, build_world
from tests.web.browser import CHROMIUM_ARGS, live_server, require_chromium, screenshot_dir
from tests.web.logins import csrf_of, login


def test_design_form_to_ranked_results(world: World) -> None:
    sci = login(world.client(), "sci")
    page = sci.get("/design")
    csrf = csrf_of(page.text)
    r = sci.post(
        "/design",
        data={
            "csrf_token": csrf,
            "target": ["collagen", "hydration"],
            "market": "EU",
            "product_class": "cosmetic",
            "plant_only": "true",
            "top": "2",
            "max_actives": "4",
        },
    )
    assert r.status_code == 200, r.text
    assert "Formulation 1" in r.text and '<svg role="img"' in r.text
    assert "Claim verdicts" in r.text or "INCI" in r.text


def test_design_without_targets_names_the_field(world: World) -> None:
    sci = login(world.client(), "sci")
    csrf = csrf_of(sci.get("/design").text)
    r = sci.post("/design", data={"csrf_token": csrf, "market": "EU"})
    assert r.status_code == 422 and "targets" in r.text


def test_claim_check_fragment(world: World) -> None:
    viewer = login(world.client(), "viewer")
    csrf = csrf_of(viewer.get("/design").text)
    r = viewer.post(
        "/design/claims",
        headers={"HX-Request": "true"},
        data={
            "csrf_token": csrf,
            "text": "heals wounds",
            "market": "EU",
            "product_class": "cosmetic",
        },
    )
    assert r.status_code == 200 and "Rejected" in r.text and "<html" not in r.text


def test_design_form_adds_the_labelled_model_prediction_on_request(world: World) -> None:
    sci = login(world.client(), "sci")
    csrf = csrf_of(sci.get("/design").text)
    form = {"csrf_token": csrf, "target": ["collagen"], "market": "EU", "top": "1"}
    plain = sci.post("/design", data=form)
    assert plain.status_code == 200 and "Expected effects (model)" not in plain.text
    r = sci.post("/design", data={**form, "simulate": "true"})
    assert r.status_code == 200, r.text
    assert "Expected effects (model)" in r.text and "model prediction" in r.text.lower()
    assert "Treated vs control" in r.text  # a prediction was run, not only a refusal
    assert 'id="simulate" name="simulate" value="true" checked' in r.text


LABEL = """Hydrates skin for 24 hours.
Works without injections. Heals eczema.
Helps skin look firmer.
"""
INCI = "Aqua, Human Adipose Stem Cell Conditioned Media, Centella Asiatica Leaf Vesicles"


def test_design_pages_link_the_label_check(world: World) -> None:
    viewer = login(world.client(), "viewer")
    assert 'href="/design/label"' in viewer.get("/design").text
    page = viewer.get("/design/label")
    assert page.status_code == 200 and 'name="text"' in page.text and 'type="file"' in page.text
    assert 'href="/design"' in page.text and 'aria-current="page">Label check' in page.text


def test_label_page_pasted_text_several_markets_and_inci(world: World) -> None:
    viewer = login(world.client(), "viewer")
    csrf = csrf_of(viewer.get("/design/label").text)
    r = viewer.post(
        "/design/label",
        data={
            "csrf_token": csrf,
            "text": LABEL,
            "market": ["US", "EU"],
            "inci": INCI,
            "product_class": "cosmetic",
        },
    )
    assert r.status_code == 200, r.text
    from exoderm.design.claims import check_label

    expected = check_label(
        LABEL,
        ["US", "EU"],
        inci=INCI,
    )
    rejected = [v for s in expected.sentences for v in s.verdicts if not v.accepted]
    assert rejected and r.text.count('badge fail">rejected') >= len(rejected)
    for v in rejected:
        assert f"<strong>{v.rule_id}</strong>" in r.text
        assert v.rewording and v.rewording.replace("'", "&#39;") in r.text
    assert "Human Adipose Stem Cell Conditioned Media" in r.text and "Annex II" in r.text
    assert "Download PDF" in r.text and "Download HTML" in r.text


def test_label_page_upload_and_downloads(world: World) -> None:
    viewer = login(world.client(), "viewer")
    csrf = csrf_of(viewer.get("/design/label").text)
    r = viewer.post(
        "/design/label",
        data={"csrf_token": csrf, "market": "KR", "text": ""},
        files={"file": ("label.txt", LABEL.encode("utf-8"), "text/plain")},
    )
    assert r.status_code == 200, r.text
    assert "Heals eczema." in r.text and "KR" in r.text
    form = {"csrf_token": csrf, "text": LABEL, "market": ["US", "EU"], "title": "Serum file"}
    pdf = viewer.post("/design/label/report", data={**form, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-") and "attachment" in pdf.headers["content-disposition"]
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf.content)
    text = " ".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    assert "Serum file" in text and "REJECTED" in text
    html = viewer.post("/design/label/report", data={**form, "format": "html"})
    assert html.status_code == 200 and html.text.startswith("<!doctype html>")
    assert "Serum file" in html.text and "Heals eczema." in html.text


def test_label_page_bad_input_names_the_field(world: World) -> None:
    viewer = login(world.client(), "viewer")
    csrf = csrf_of(viewer.get("/design/label").text)
    cases: list[tuple[dict[str, Any], tuple[str, bytes, str] | None, str]] = [
        ({"text": "Hydrates skin.", "market": []}, None, "market"),
        ({"text": "Hydrates skin.", "market": "XX"}, None, "unknown market"),
        ({"text": "   ", "market": "EU"}, None, "empty"),
        ({"text": "", "market": "EU"}, ("l.txt", b"\x89PNG\x00\x00", "text/plain"), "binary"),
        ({"text": "x", "market": "EU", "product_class": "food"}, None, "product class"),
        ({"text": "", "market": "EU"}, ("l.txt", b"Hydrates. " * 1_000_000, "text/plain"), "large"),
    ]
    for data, upload, message in cases:
        files = {"file": upload} if upload else None
        r = viewer.post("/design/label", data={"csrf_token": csrf, **data}, files=files)
        assert r.status_code == 422 and message in r.text, (data, r.status_code)
        assert "Traceback" not in r.text
    pasted = viewer.post(
        "/design/label", data={"csrf_token": csrf, "market": "EU", "text": "Hydrates. " * 1_000_000}
    )  # 10 MB pasted: the form parser refuses the field before the page runs
    assert pasted.status_code == 400 and "exceeded maximum size" in pasted.text
    r = viewer.post(
        "/design/label/report",
        data={"csrf_token": csrf, "text": "Hydrates.", "market": "EU", "format": "docx"},
    )
    assert r.status_code == 422 and "report format" in r.text


# ------------------------------------------------------- product types, raw materials, check
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _upload(name: str) -> tuple[str, bytes, str]:
    return (name, (EXAMPLES / name).read_bytes(), "text/csv")


def test_designer_offers_every_product_type_and_a_raw_material_upload(world: World) -> None:
    page = login(world.client(), "viewer").get("/design")
    assert page.status_code == 200
    select = re.search(r'<select id="product_type" name="product_type".*?</select>', page.text)
    assert select is not None
    offered = re.findall(r'<option value="([a-z0-9-]+)"', select.group(0))
    assert offered == [s.id for s in skeletons()]
    assert 'name="raw_materials" type="file"' in page.text
    assert 'enctype="multipart/form-data"' in page.text
    assert 'href="/design/check"' in page.text


def test_designer_builds_the_product_type_from_an_uploaded_raw_material_list(
    world: World,
) -> None:
    sci = login(world.client(), "sci")
    csrf = csrf_of(sci.get("/design").text)
    form = {
        "csrf_token": csrf,
        "target": ["hydration"],
        "market": "EU",
        "product_type": "ow-emulsion",
        "top": "1",
    }
    r = sci.post("/design", data=form, files={"raw_materials": _upload("raw_materials.csv")})
    assert r.status_code == 200, r.text
    ow = skeleton("ow-emulsion")
    assert f"Manufacturing procedure · {ow.label}" in r.text
    procedure = re.search(r'<table class="procedure">.*?</table>', r.text, re.S)
    assert procedure is not None
    rows = re.findall(r'<th scope="row">([A-Z])</th><td>([^<]+)</td>', procedure.group(0))
    assert rows == [(p.id, p.name) for p in ow.phases]
    cost = re.search(r"cost (\d+\.\d\d) EUR per kg", r.text)
    assert cost is not None and float(cost.group(1)) > 0
    listed = {row["trade_name"] for row in csv.DictReader(io.StringIO(_text("raw_materials.csv")))}
    shown = re.findall(r"<caption>Raw materials</caption>.*?</table>", r.text, re.S)
    assert shown and any(name in shown[0] for name in listed)
    assert f'<option value="ow-emulsion" selected>{ow.label}</option>' in r.text


def _text(name: str) -> str:
    return (EXAMPLES / name).read_text(encoding="utf-8-sig")


def test_designer_names_the_uploaded_file_and_line_of_a_bad_raw_material(world: World) -> None:
    sci = login(world.client(), "sci")
    csrf = csrf_of(sci.get("/design").text)
    lines = _text("raw_materials.csv").splitlines()
    lines[4] = lines[4].replace(",Propanediol,", ",Propanediolium,")
    assert "Propanediolium" in lines[4]
    bad = ("my-list.csv", "\n".join(lines).encode("utf-8"), "text/csv")
    r = sci.post(
        "/design",
        data={"csrf_token": csrf, "target": ["hydration"]},
        files={"raw_materials": bad},
    )
    assert r.status_code == 422
    assert "my-list.csv, line 5, field &#39;inci&#39;" in r.text
    assert "exoderm-upload-" not in r.text  # the server's temporary folder stays hidden


def test_formula_check_page_shows_the_three_broken_rules(world: World) -> None:
    viewer = login(world.client(), "viewer")
    page = viewer.get("/design/check")
    assert page.status_code == 200 and 'aria-current="page">Check a formula' in page.text
    csrf = csrf_of(page.text)
    r = viewer.post(
        "/design/check",
        data={"csrf_token": csrf, "market": "EU", "route": "leave-on"},
        files={"formula": _upload("formula_check.csv")},
    )
    assert r.status_code == 200, r.text
    expected = check_formula(
        read_formula(EXAMPLES / "formula_check.csv"), formulary=load_formulary()
    )
    assert {f.kind.value for f in expected.errors} == {"prohibited", "over-limit", "ph-clash"}
    rows = re.findall(r'<tr class="finding">(.*?)</tr>', r.text, re.S)
    assert len(rows) == len(expected.findings)
    for finding, row in zip(expected.findings, rows, strict=True):
        assert f"<td>{finding.kind.value}</td>" in row
        assert escape(finding.rule) in row and escape(finding.message) in row
    assert f"{len(expected.errors)} rule(s) broken" in r.text


def test_formula_check_page_bad_files_name_the_problem(world: World) -> None:
    viewer = login(world.client(), "viewer")
    csrf = csrf_of(viewer.get("/design/check").text)
    cases = [
        (("formula.txt", b"ingredient,percent\nAqua,100\n", "text/plain"), "unsupported file type"),
        (("formula.csv", b"ingredient,percent\nAqua,98\n", "text/csv"), "total 98 %"),
        (("formula.csv", b"ingredient\nAqua\n", "text/csv"), "missing column(s) percent"),
    ]
    for upload, message in cases:
        r = viewer.post("/design/check", data={"csrf_token": csrf}, files={"formula": upload})
        assert r.status_code == 422 and message in r.text, (upload[0], r.text[-800:])
        assert "exoderm-upload-" not in r.text and "Traceback" not in r.text
    route = viewer.post(
        "/design/check",
        data={"csrf_token": csrf, "route": "injected"},
        files={"formula": _upload("formula_check.csv")},
    )
    assert route.status_code == 422


@pytest.mark.browser
def test_designer_result_with_the_procedure_in_a_browser(
    world_template: Any, tmp_path: Path
) -> None:
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    world = build_world(world_template, tmp_path)
    try:
        with live_server(world.app) as url, sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            page.set_default_timeout(20_000)
            page.goto(f"{url}/login")
            page.get_by_label("Username").fill("sci")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(f"{url}/")
            page.goto(f"{url}/design")
            page.get_by_label("hydration", exact=False).first.check()
            page.get_by_label("Product type").select_option("ow-emulsion")
            page.get_by_label("Your raw-material list").set_input_files(
                str(EXAMPLES / "raw_materials.csv")
            )
            page.get_by_role("button", name="Design formulations").click()
            page.wait_for_selector("#formulation-1 table.procedure")
            procedure = page.inner_text("#formulation-1 table.procedure")
            assert all(step.name in procedure for step in skeleton("ow-emulsion").phases)
            assert "EUR per kg" in page.inner_text("#formulation-1")
            page.locator("#formulation-1").screenshot(
                path=str(screenshot_dir() / "design-procedure-desktop.png")
            )
            browser.close()
    finally:
        world.app.state.context.jobs.shutdown()
        world.db.dispose()
