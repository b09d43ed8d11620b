"""``exoderm design``: the commands of the issue, output formats, errors as one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exoderm.cli.main import main
from exoderm.cli.output import NOT_COMPLIANT_EXIT
from exoderm.design.catalogue import packaged_catalogue


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_formulate_issue_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        [
            "--format",
            "json",
            "design",
            "formulate",
            "--target",
            "collagen",
            "--target",
            "pigmentation",
            "--market",
            "EU",
            "--class",
            "cosmetic",
            "--plant-only",
            "--top",
            "3",
            "--no-kb",
        ],
        capsys,
    )
    assert code == 0
    rows = json.loads(out)
    assert [r["rank"] for r in rows] == [1, 2, 3]
    catalogue = packaged_catalogue()
    for row in rows:
        for key in row["actives"]:
            item = catalogue.get(key)
            if item.kind.value == "ev_source":
                assert item.origin.value == "plant"
        assert row["proven_optimal"] is True


def test_formulate_writes_sheets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "sheet.html"
    code, _, err = run(
        [
            "design",
            "formulate",
            "-t",
            "wrinkles=2",
            "-t",
            "hydration",
            "--top",
            "2",
            "--sheet",
            "html",
            "--output",
            str(target),
            "--no-kb",
        ],
        capsys,
    )
    assert code == 0, err
    assert target.exists() and (tmp_path / "sheet-2.html").exists()
    assert "<h2>Claims</h2>" in target.read_text(encoding="utf-8")


def test_infeasible_request_is_one_line_naming_constraints(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(
        ["design", "formulate", "-t", "wrinkles", "--require", "adsc-exosomes", "--no-kb"], capsys
    )
    assert code == 2 and out == ""
    assert "--require adsc-exosomes" in err and "--market EU --class cosmetic" in err
    assert "Traceback" not in err


def test_claims_check_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        [
            "--format",
            "json",
            "design",
            "claims",
            "check",
            "heals wounds",
            "--market",
            "US",
            "--class",
            "cosmetic",
        ],
        capsys,
    )
    verdict = json.loads(out)
    assert code == NOT_COMPLIANT_EXIT and verdict["accepted"] is False and verdict["rule"]
    code, out, _ = run(
        [
            "--format",
            "json",
            "design",
            "claims",
            "check",
            "visibly reduces the appearance of fine lines",
            "--market",
            "EU",
        ],
        capsys,
    )
    assert code == 0 and json.loads(out)["accepted"] is True
    code, _, err = run(["design", "claims", "check", "soft", "--market", "XX"], capsys)
    assert code == 2 and "unknown market" in err


def test_catalogue_list_show_and_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        [
            "--format",
            "json",
            "design",
            "catalogue",
            "list",
            "--kind",
            "ev_source",
            "--market",
            "EU",
        ],
        capsys,
    )
    rows = json.loads(out)
    assert code == 0 and rows
    status = {r["key"]: r["status"] for r in rows}
    assert status["adsc-exosomes"] == "prohibited" and status["centella-vesicles"] == "permitted"

    code, out, _ = run(["--format", "json", "design", "catalogue", "show", "niacinamide"], capsys)
    shown = json.loads(out)
    assert code == 0 and shown["inci"] == "Niacinamide"
    assert any(s.startswith("EU cosmetic: permitted") for s in shown["regulatory_status"])

    good = tmp_path / "extra.yaml"
    item = packaged_catalogue().get("niacinamide").model_dump(mode="json")
    item["key"] = "niacinamide-2pct"
    good.write_text(json.dumps({"ingredients": [item]}), encoding="utf-8")
    code, out, _ = run(["--format", "json", "design", "catalogue", "import", str(good)], capsys)
    assert code == 0 and json.loads(out) == [{"key": "niacinamide-2pct", "outcome": "added"}]
    code, out, _ = run(["--format", "json", "design", "catalogue", "list"], capsys)
    sources = {r["key"]: r["source"] for r in json.loads(out)}
    assert sources["niacinamide-2pct"] == "imported" and sources["niacinamide"] == "packaged"

    bad = tmp_path / "bad.yaml"
    bad.write_text("ingredients:\n  - key: Bad Key\n", encoding="utf-8")
    code, _, err = run(["design", "catalogue", "import", str(bad)], capsys)
    assert code == 2 and "bad.yaml, line 2" in err and "Traceback" not in err


def test_targets_and_unknown_target(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--format", "csv", "design", "targets"], capsys)
    assert code == 0 and out.splitlines()[0] == "id,label,aliases,kg_node,disease"
    code, _, err = run(["design", "formulate", "-t", "colagen", "--no-kb"], capsys)
    assert code == 2 and "did you mean collagen" in err
