"""Designer pages: form → ranked formulations with a coverage chart; claims checker."""

from __future__ import annotations

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
