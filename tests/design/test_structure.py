"""Formulas at a formulator's scale: product skeletons, phases, raw materials, annex limits,
cost, claims the formula supports, and checking an existing formula."""

from __future__ import annotations

from pathlib import Path

import pytest

from exoderm.cli.main import main
from exoderm.cli.output import NOT_COMPLIANT_EXIT
from exoderm.design import FormulationRequest, formulate
from exoderm.design.annex_limits import limit_for, prohibited
from exoderm.design.claims import EVIDENCE_LEVELS
from exoderm.design.formula_check import check_formula
from exoderm.design.formula_file import read_formula
from exoderm.design.formulary import load_formulary
from exoderm.design.raw_materials import (
    RawMaterial,
    RawMaterialComponent,
    RawMaterialList,
    read_raw_materials,
)
from exoderm.design.skeletons import skeleton, skeletons
from exoderm.errors import UserInputError
from exoderm.markets import Market

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _design(**kwargs: object) -> list:
    request = FormulationRequest.model_validate(kwargs)
    return formulate(request, use_knowledge_base=False).all


@pytest.mark.parametrize("product_type", [s.id for s in skeletons() if s.accepts_ev])
@pytest.mark.parametrize("market", list(Market))
def test_every_product_type_and_market_keeps_every_annex_limit(
    product_type: str, market: Market
) -> None:
    best = _design(
        targets={"wrinkles": 1, "hydration": 1},
        market=market.value,
        product_type=product_type,
        cover_every_target=False,
    )[0]
    structure = best.structure
    assert structure is not None and structure.product_type == product_type
    assert f"{structure.total:.2f}" == "100.00"
    assert f"{sum(ln.percent or 0 for ln in best.lines):.2f}" == "100.00"
    for line in structure.lines:
        assert prohibited(line.inci) is None, line.inci
        limit = limit_for(line.inci, "leave-on")
        if limit is not None:
            assert limit.allowed, line.inci
            if limit.max_percent is not None:
                assert line.percent <= limit.max_percent + 1e-9, (line.inci, limit.max_percent)
    assert not [f for f in structure.findings if f.severity.value == "error"]


def test_an_anhydrous_balm_is_never_paired_with_an_aqueous_ev_preparation() -> None:
    best = _design(
        targets={"barrier": 1}, product_type="balm", min_ev_sources=0, cover_every_target=False
    )[0]
    assert best.structure is not None and best.structure.product_type == "balm"
    assert not [ln for ln in best.lines if ln.kind == "ev_source"]
    assert best.structure.ph_target is None


def _full_list(best_keys: list[tuple[str, float]]) -> RawMaterialList:
    """The example raw materials plus one priced raw material per active of the formula."""
    base = read_raw_materials(EXAMPLES / "raw_materials.csv")
    have = {c.inci.lower() for m in base.materials for c in m.components}
    extra = [
        RawMaterial(
            trade_name=f"Test {inci}",
            supplier="Test Supplier",
            components=(RawMaterialComponent(inci=inci, percent=100.0),),
            cost_per_kg=price,
        )
        for inci, price in best_keys
        if inci.lower() not in have
    ]
    return RawMaterialList(materials=(*base.materials, *extra), source="test")


def test_an_ow_emulsion_sheet_has_phases_raw_materials_and_a_cost_per_kg() -> None:
    from exoderm.design.catalogue import load_catalogue

    with_ev = _design(targets={"wrinkles": 1, "hydration": 1}, product_type="ow-emulsion")[0]
    assert with_ev.structure is not None
    ev_line = next(ln for ln in with_ev.lines if ln.kind == "ev_source")
    ev_phase = next(p for p in with_ev.structure.procedure if p.name == "EV phase")
    assert any(ev_line.inci in m for m in ev_phase.materials)
    # EV preparations have no CosIng INCI name yet, so a raw-material list cannot carry
    # them: the priced formula is designed without EV sources.
    evs = [i.key for i in load_catalogue() if i.kind.value == "ev_source"]
    request = {
        "targets": {"wrinkles": 1, "hydration": 1},
        "product_type": "ow-emulsion",
        "min_ev_sources": 0,
        "exclude": evs,
    }
    first = _design(**request)[0]
    actives = [(ln.inci, 100.0 + i) for i, ln in enumerate(first.actives)]
    materials = _full_list(actives)
    best = formulate(
        FormulationRequest.model_validate(request),
        use_knowledge_base=False,
        raw_materials=materials,
    ).best
    s = best.structure
    assert s is not None
    phases = [(p.phase, p.name, p.temperature_c, p.shear) for p in s.procedure]
    assert [p[0] for p in phases] == [p.id for p in skeleton("ow-emulsion").phases]
    assert phases[0][2] == 75 and phases[1][1] == "oil phase" and phases[2][3] == "high"
    ev_phase = next(p for p in s.procedure if p.name == "EV phase")
    assert ev_phase.temperature_c <= 30 and ev_phase.shear == "low"
    after = s.procedure[[p.phase for p in s.procedure].index(ev_phase.phase) :]
    assert all(p.shear != "high" and p.temperature_c <= 30 for p in after)
    assert f"{s.total:.2f}" == "100.00"
    # raw materials expand into their INCI names; a blend's second INCI is listed too
    used = {u.trade_name: u for u in s.raw_materials}
    assert sum(u.percent for u in s.raw_materials) == pytest.approx(100.0, abs=1e-3)
    expanded: dict[str, float] = {}
    for u in s.raw_materials:
        for inci, pct in u.contributes:
            expanded[inci.lower()] = expanded.get(inci.lower(), 0.0) + pct
    listed = {ln.inci.lower(): ln.percent for ln in s.lines}
    assert expanded.keys() == listed.keys()
    for inci, pct in expanded.items():
        assert listed[inci] == pytest.approx(pct, abs=2e-4), inci
    blends = [u for u in used.values() if len(u.contributes) > 1]
    assert blends, "no blend was placed"
    # the cost per kg is each raw material's share times its price, from the list
    prices = {m.trade_name: m.cost_per_kg for m in materials.materials}
    expected = sum(u.percent / 100 * prices[u.trade_name] for u in s.raw_materials)
    assert s.cost_per_kg == pytest.approx(expected, abs=0.01) and s.currency == "EUR"
    assert not [n for n in s.notes if "not priced" in n or "priced raw materials" in n]


def test_a_preservative_inside_a_blend_counts_toward_its_limit() -> None:
    blend = RawMaterial(
        trade_name="Strong Blend",
        supplier="Test",
        components=(
            RawMaterialComponent(inci="Phenoxyethanol", percent=95.0),
            RawMaterialComponent(inci="Ethylhexylglycerin", percent=5.0),
        ),
        cost_per_kg=10.0,
    )
    aqua = RawMaterial(
        trade_name="Water",
        supplier="Test",
        components=(RawMaterialComponent(inci="Aqua", percent=100.0),),
        cost_per_kg=0.01,
    )
    from exoderm.design.formula_file import formula_from_records

    rows = [
        (2, {"ingredient": "Water", "percent": "98.9"}),
        (3, {"ingredient": "Strong Blend", "percent": "1.1"}),
    ]
    formula = formula_from_records(rows, raw_materials=RawMaterialList(materials=(blend, aqua)))
    check = check_formula(formula, formulary=load_formulary())
    over = [f for f in check.findings if f.kind.value == "over-limit"]
    assert over and "1.045" in over[0].message


def test_no_sheet_offers_a_firmness_claim_its_formula_does_not_substantiate() -> None:
    """Firmness wording ("helps skin look firmer") belongs to the collagen target; with
    every ingredient that has human evidence for collagen excluded, it must be refused."""
    from exoderm.design.catalogue import load_catalogue

    human = {"rct", "sr_rct", "non_randomised", "uncontrolled_human"}
    strong = [
        i.key
        for i in load_catalogue()
        if (e := i.effect_for("collagen")) and any(x.design.value in human for x in e.evidence)
    ]
    assert strong, "no collagen evidence in the catalogue; case not exercised"
    for market in ("EU", "US", "KR"):
        for f in _design(
            targets={"collagen": 1, "hydration": 1},
            market=market,
            exclude=strong,
            cover_every_target=False,
            top=3,
        ):
            firm = [c for c in f.claims if "firm" in c.text]
            assert firm, "the firmness template was not proposed"
            assert not [c for c in firm if c.accepted], [c.reason for c in firm]
            assert all("does not substantiate" in c.reason for c in firm)


def test_every_accepted_appearance_claim_rests_on_a_contributors_human_evidence() -> None:
    for targets in ({"collagen": 1, "pigmentation": 1}, {"wrinkles": 1, "redness": 1}):
        best = _design(targets=targets, market="EU")[0]
        by_label = {t.label: t for t in best.targets}
        for claim in best.claims:
            if not claim.accepted or claim.text.startswith("with "):
                continue
            assert "substantiated by" in claim.substantiation
            assert claim.evidence_level is not None
            assert EVIDENCE_LEVELS.index(claim.evidence_level) >= EVIDENCE_LEVELS.index(
                "controlled_human"
            )
        assert by_label


def test_eu_collagen_and_pigmentation_are_covered_by_direct_evidence() -> None:
    best = _design(targets={"collagen": 1, "pigmentation": 1}, market="EU")[0]
    assert all(t.utility > 0.01 for t in best.targets), [
        (t.target, t.utility) for t in best.targets
    ]


def test_checking_a_formula_reports_the_ban_the_limit_and_the_ph_clash() -> None:
    formula = read_formula(EXAMPLES / "formula_check.csv")
    check = check_formula(formula, formulary=load_formulary())
    kinds = {f.kind.value: f for f in check.findings}
    assert {"prohibited", "over-limit", "ph-clash"} <= kinds.keys()
    assert "Annex II" in kinds["prohibited"].rule
    assert "Annex V entry 29" in kinds["over-limit"].rule
    assert "BENZOATE" in kinds["ph-clash"].message.upper()
    assert not check.passed


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out + err


def test_design_check_cli_exits_3_when_not_compliant_and_names_line_and_field_on_bad_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EXODERM_DATA_DIR", str(tmp_path / "data"))
    example = str(EXAMPLES / "formula_check.csv")
    code, output = _run(["--format", "json", "design", "check", example], capsys)
    assert code == NOT_COMPLIANT_EXIT, output
    assert "Annex II entry 1339" in output and "Annex V entry 29" in output
    good = tmp_path / "good.csv"
    good.write_text("ingredient,percent\nAqua,99.2\nPhenoxyethanol,0.8\n", encoding="utf-8")
    assert _run(["design", "check", str(good)], capsys)[0] == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("ingredient,percent\nAqua,99.2\nPhenoxyethanol,lots\n", encoding="utf-8")
    code, output = _run(["design", "check", str(bad)], capsys)
    assert code == UserInputError.exit_code
    assert "bad.csv" in output and "line 3" in output and "percent" in output
    assert "Traceback" not in output
