"""Design over HTTP: formulate with constraints, infeasibility explained, claims checked."""

from __future__ import annotations

from exoderm.design import load_catalogue
from tests.api.conftest import World


def test_formulate_plant_only_proposes_only_plant_sources(world: World) -> None:
    r = world.client("sci").post(
        "/api/v1/design/formulate",
        json={
            "targets": {"collagen": 1, "pigmentation": 1},
            "market": "EU",
            "product_class": "cosmetic",
            "plant_only": True,
            "top": 2,
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    catalogue = load_catalogue()
    keys = [ln["key"] for ln in body["best"]["ingredients"] if ln["kind"] == "ev_source"]
    sources = [catalogue.get(k) for k in keys]
    assert sources and all(s.origin.value == "plant" for s in sources)
    assert body["best"]["inci_list"] and len(body["alternatives"]) <= 1


def test_formulation_sheet_as_html(world: World) -> None:
    r = world.client("viewer").post(
        "/api/v1/design/formulate", params={"format": "html"}, json={"targets": {"hydration": 1}}
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "<table" in r.text


def test_conflicting_constraints_are_named(world: World) -> None:
    catalogue = load_catalogue()
    human = next(i.key for i in catalogue if i.origin.value == "human")
    r = world.client("sci").post(
        "/api/v1/design/formulate",
        json={"targets": {"collagen": 1}, "plant_only": True, "required": [human]},
    )
    assert r.status_code == 422
    problem = r.json()
    assert problem["errors"][0]["field"] == "constraints"
    assert "plant" in problem["detail"].lower() or "required" in problem["detail"].lower()


def test_claims_checker(world: World) -> None:
    client = world.client("viewer")
    bad = client.post(
        "/api/v1/design/claims/check",
        json={"text": "treats eczema", "market": "EU", "product_class": "cosmetic"},
    ).json()
    assert bad["accepted"] is False and bad["rule"] and bad["reason"]
    good = client.post(
        "/api/v1/design/claims/check",
        json={
            "text": "visibly reduces the appearance of fine lines",
            "market": "EU",
            "product_class": "cosmetic",
        },
    ).json()
    assert good["accepted"] is True


def test_catalogue_and_targets(world: World) -> None:
    catalogue = load_catalogue()
    client = world.client("doc_a")
    page = client.get("/api/v1/design/catalogue", params={"kind": "ev_source", "limit": 200})
    assert page.json()["total"] == len([i for i in catalogue if i.kind.value == "ev_source"])
    targets = client.get("/api/v1/design/targets").json()
    assert {t["id"] for t in targets} == set(catalogue.targets)
    assert world.client().get("/api/v1/design/targets").status_code == 401


def test_formulate_with_the_simulator_adds_model_predictions(world: World) -> None:
    body = {"targets": {"wrinkles": 1}, "market": "US", "product_class": "cosmetic"}
    plain = world.client("sci").post("/api/v1/design/formulate", json=body).json()
    assert plain["best"]["expected_model"] is None  # no prediction unless asked for
    r = world.client("sci").post("/api/v1/design/formulate", params={"simulate": "true"}, json=body)
    assert r.status_code == 200, r.text
    predictions = r.json()["best"]["expected_model"]
    assert predictions and all("model prediction" in str(p) for p in predictions)


def test_formulate_and_check_claims_for_the_uk(world: World) -> None:
    client = world.client("sci")
    r = client.post("/api/v1/design/formulate", json={"targets": {"collagen": 1}, "market": "UK"})
    assert r.status_code == 200, r.text
    catalogue = load_catalogue()
    keys = [ln["key"] for ln in r.json()["best"]["ingredients"] if ln["kind"] == "ev_source"]
    assert keys and all(catalogue.get(k).origin.value != "human" for k in keys)
    verdict = client.post(
        "/api/v1/design/claims/check",
        json={"text": "with human stem cell exosomes", "market": "UK"},
    ).json()
    assert verdict["accepted"] is False and verdict["rule_id"] == "human-exosome"


def test_the_formulation_schema_is_typed(world: World) -> None:
    spec = world.app.openapi()
    op = spec["paths"]["/api/v1/design/formulate"]["post"]
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    sheets = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert set(sheets["properties"]) == {"best", "alternatives"}
