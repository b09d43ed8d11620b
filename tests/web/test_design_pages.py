"""Designer pages: form → ranked formulations with a coverage chart; claims checker."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import World
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
