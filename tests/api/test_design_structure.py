"""Design over HTTP at a formulator's scale: product types, raw materials, structure,
an existing formula checked and improved."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from exoderm.design.formula_check import check_formula
from exoderm.design.formula_file import read_formula
from exoderm.design.formulary import load_formulary
from exoderm.design.skeletons import skeleton, skeletons
from tests.api.conftest import World

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _csv(name: str) -> list[dict[str, str]]:
    with (EXAMPLES / name).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _number(cell: str) -> float | None:
    return float(cell) if cell.strip() else None


def raw_material_rows() -> list[dict[str, Any]]:
    """examples/raw_materials.csv as the API's JSON rows (numbers as numbers)."""
    rows: list[dict[str, Any]] = []
    for r in _csv("raw_materials.csv"):
        row: dict[str, Any] = {
            "trade_name": r["trade_name"],
            "supplier": r["supplier"],
            "inci": r["inci"],
            "percent": float(r["percent"]),
            "cost_per_kg": _number(r["cost_per_kg"]),
            "minimum_order_kg": _number(r["minimum_order_kg"]),
            "functions": [f for f in r["functions"].split(";") if f],
            "notes": r["notes"],
        }
        if r["currency"]:
            row["currency"] = r["currency"]
        rows.append(row)
    return rows


def formula_rows() -> list[dict[str, Any]]:
    """examples/formula_check.csv as the API's JSON rows."""
    return [
        {
            "ingredient": r["ingredient"],
            "percent": float(r["percent"]),
            "phase": r["phase"] or None,
            "ph": _number(r["ph"]),
        }
        for r in _csv("formula_check.csv")
    ]


def test_product_types_are_listed_with_their_phases(world: World) -> None:
    r = world.client("viewer").get("/api/v1/design/product-types")
    assert r.status_code == 200, r.text
    body = r.json()
    assert [t["id"] for t in body] == [s.id for s in skeletons()]
    ow = next(t for t in body if t["id"] == "ow-emulsion")
    assert [p["id"] for p in ow["phases"]] == [p.id for p in skeleton("ow-emulsion").phases]
    assert all({"temperature_c", "shear", "instruction"} <= set(p) for p in ow["phases"])


def test_formulate_with_a_product_type_returns_the_structure_by_phase(world: World) -> None:
    r = world.client("sci").post(
        "/api/v1/design/formulate",
        json={"targets": {"hydration": 1}, "product_type": "ow-emulsion"},
    )
    assert r.status_code == 200, r.text
    structure = r.json()["best"]["structure"]
    assert structure["product_type"] == "ow-emulsion"
    phases = [p.id for p in skeleton("ow-emulsion").phases]
    assert [step["phase"] for step in structure["procedure"]] == phases
    assert {ln["phase"] for ln in structure["lines"]} <= set(phases)
    assert round(sum(ln["percent"] for ln in structure["lines"]), 4) == 100
    assert structure["cost_per_kg"] is None  # no raw-material list, no price


def test_formulate_from_raw_material_rows_is_priced_per_kg(world: World) -> None:
    rows = raw_material_rows()
    r = world.client("sci").post(
        "/api/v1/design/formulate",
        json={"targets": {"hydration": 1}, "product_type": "ow-emulsion", "raw_materials": rows},
    )
    assert r.status_code == 200, r.text
    structure = r.json()["best"]["structure"]
    used = structure["raw_materials"]
    assert used and {u["trade_name"] for u in used} <= {row["trade_name"] for row in rows}
    expected = sum(u["percent"] / 100 * u["cost_per_kg"] for u in used)
    assert structure["cost_per_kg"] > 0
    assert abs(structure["cost_per_kg"] - expected) < 0.01
    assert structure["currency"] == "EUR"


def test_a_bad_raw_material_row_is_a_problem_naming_row_and_field(world: World) -> None:
    client = world.client("sci")
    rows = raw_material_rows()
    rows[2] = {**rows[2], "inci": "Glycerine Of Unicorns"}
    r = client.post(
        "/api/v1/design/formulate", json={"targets": {"hydration": 1}, "raw_materials": rows}
    )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    errors = r.json()["errors"]
    assert {"file": "raw_materials", "line": 3, "field": "inci"} in [
        {k: e.get(k) for k in ("file", "line", "field")} for e in errors
    ]
    typed = client.post(
        "/api/v1/design/formulate",
        json={"targets": {"hydration": 1}, "raw_materials": [{**rows[0], "percent": "lots"}]},
    )
    assert typed.status_code == 422
    assert "raw_materials.0.percent" in [e["field"] for e in typed.json()["errors"]]


def test_formula_check_of_the_example_finds_the_three_broken_rules(world: World) -> None:
    r = world.client("viewer").post(
        "/api/v1/design/formula-checks",
        json={"rows": formula_rows(), "market": "EU", "route": "leave-on"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    errors = [f for f in body["findings"] if f["severity"] == "error"]
    assert {f["kind"] for f in errors} == {"prohibited", "over-limit", "ph-clash"}
    by_kind = {f["kind"]: f for f in errors}
    assert by_kind["prohibited"]["ingredients"] == ["HYDROQUINONE"]
    assert by_kind["over-limit"]["ingredients"] == ["PHENOXYETHANOL"]
    assert by_kind["ph-clash"]["ingredients"] == ["SODIUM BENZOATE"]
    assert all(f["rule"] for f in errors)
    # the same verdict as the library on the file itself
    library = check_formula(
        read_formula(EXAMPLES / "formula_check.csv"), formulary=load_formulary()
    )
    assert [f["message"] for f in body["findings"]] == [f.message for f in library.findings]
    assert body["ph"] == 6.5 and abs(body["total_percent"] - 100) < 1e-9


def test_formula_rows_that_do_not_total_100_are_a_problem(world: World) -> None:
    rows = formula_rows()
    rows[0] = {**rows[0], "percent": 80.0}
    r = world.client("viewer").post("/api/v1/design/formula-checks", json={"rows": rows})
    assert r.status_code == 422
    assert [e.get("field") for e in r.json()["errors"]] == ["percent"]


def test_improvement_changes_at_most_max_changes_actives(world: World) -> None:
    client = world.client("sci")
    request = {"targets": {"pigmentation": 1}, "product_type": "aqueous-serum"}
    r = client.post(
        "/api/v1/design/improvements",
        json={"rows": formula_rows(), "request": request, "max_changes": 1},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["max_changes"] == 1
    assert len(body["added"]) + len(body["removed"]) <= 1
    assert sorted(body["kept"] + body["removed"]) == sorted(body["recognised"])
    assert body["recognised"]  # niacinamide and sodium hyaluronate are catalogue actives
    label = next(iter(body["after"]))
    assert body["after"][label] >= body["before"][label]
    assert {f["kind"] for f in body["check"]["findings"]} >= {"prohibited", "ph-clash"}
    best = body["best"]
    assert best["inci_list"] and best["structure"]["product_type"] == "aqueous-serum"
    assert "HYDROQUINONE" not in [i.upper() for i in best["inci_list"]]
    frozen = client.post(
        "/api/v1/design/improvements",
        json={"rows": formula_rows(), "request": request, "max_changes": 0},
    ).json()
    assert frozen["added"] == [] and frozen["removed"] == []
    assert sorted(frozen["kept"]) == sorted(frozen["recognised"])
