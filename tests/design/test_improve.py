"""Improving an existing formula within k changes: the MILP's change limit is exact, and
the improvement keeps, adds and removes as it reports."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exoderm.cli.main import main
from exoderm.design import FormulationRequest, exhaustive
from exoderm.design.formula_file import formula_from_records, read_formula
from exoderm.design.improve import improve_formula
from exoderm.design.milp import solve
from exoderm.design.problem import ChangeLimit, DesignProblem, ProblemInfeasible

from .test_optimiser_property import problems

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.data())
def test_the_change_limit_matches_exhaustive_enumeration(
    problem: DesignProblem, data: st.DataObject
) -> None:
    n = problem.n_items
    baseline = frozenset(data.draw(st.sets(st.integers(0, n - 1), max_size=n)))
    limit = ChangeLimit(tuple(range(n)), baseline, data.draw(st.integers(0, n)))
    limited = dataclasses.replace(problem, change_limit=limit)
    try:
        expected, _ = exhaustive.best(limited)
    except ProblemInfeasible:
        with pytest.raises(ProblemInfeasible):
            solve(limited)
        return
    [found] = solve(limited)
    assert limit.changes(frozenset(found.selected)) <= limit.at_most
    assert found.objective == pytest.approx(expected, abs=1e-6)


def _serum(*actives: tuple[str, str]) -> list[tuple[int, dict[str, str]]]:
    rest = 100.0 - sum(float(p) for _, p in actives) - 0.8
    rows = [("Aqua", f"{rest:.2f}"), *actives, ("Phenoxyethanol", "0.8")]
    return [(i + 2, {"ingredient": name, "percent": p}) for i, (name, p) in enumerate(rows)]


def test_zero_changes_keeps_the_actives_and_more_changes_never_do_worse() -> None:
    formula = formula_from_records(_serum(("Niacinamide", "5")))
    request = FormulationRequest(targets={"pigmentation": 1, "wrinkles": 1}, min_ev_sources=0)
    runs = [
        improve_formula(formula, request, max_changes=k, use_knowledge_base=False)
        for k in (0, 1, 2)
    ]
    assert runs[0].kept == ["niacinamide"] and not runs[0].added and not runs[0].removed
    objectives = [r.result.best.objective for r in runs]
    assert objectives == sorted(objectives)
    for k, r in enumerate(runs):
        assert len(r.added) + len(r.removed) <= k
        assert set(r.kept) | set(r.removed) == set(r.recognised)
    # a change was worth making: the wrinkles target was uncovered before
    before = runs[0].before["fine lines and wrinkles"]
    assert runs[2].after["fine lines and wrinkles"] > before


def test_improve_cli_reports_the_existing_findings_and_the_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EXODERM_DATA_DIR", str(tmp_path / "data"))
    example = str(EXAMPLES / "formula_check.csv")
    argv = [
        "--format",
        "json",
        "design",
        "improve",
        example,
        "-t",
        "wrinkles",
        "-k",
        "1",
        "--no-kb",
    ]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert '"max changes": 1' in out and "niacinamide" in out
    assert "Annex II entry 1339" in err
    formula = read_formula(EXAMPLES / "formula_check.csv")
    assert formula.inci_percentages()
