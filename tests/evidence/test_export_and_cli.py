"""Exports (KGX, GraphML, bibliographies) and the command line."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import bibtexparser
import networkx as nx
import pytest
import rispy

from exoderm.cli.main import main
from exoderm.evidence import load_knowledge_base
from exoderm.evidence.bibliography import format_references
from exoderm.evidence.doi import is_valid_doi, normalise_doi
from exoderm.evidence.export import EDGE_COLUMNS, export_graph


def test_doi_normalisation_and_syntax() -> None:
    assert normalise_doi(" https://doi.org/10.3390/IJMS22073600. ") == "10.3390/ijms22073600"
    assert normalise_doi("doi: 10.1016/j.jid.2021.07.167") == "10.1016/j.jid.2021.07.167"
    assert is_valid_doi("10.1186/s13287-019-1253-6")
    assert not is_valid_doi("10.1234")
    assert not is_valid_doi("11.1234/abc")


def test_kgx_and_graphml_hold_every_node_and_claim(tmp_path: Path) -> None:
    kb = load_knowledge_base()
    _, edges_tsv = export_graph(kb, "kgx-tsv", tmp_path / "tsv")
    with edges_tsv.open() as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    assert list(rows[0]) == EDGE_COLUMNS
    assert len(rows) == len(kb.all_claims())
    assert all(r["predicate"].startswith("biolink:") for r in rows)
    _, edges_jsonl = export_graph(kb, "kgx-jsonl", tmp_path / "jsonl")
    parsed = [json.loads(line) for line in edges_jsonl.read_text().splitlines()]
    assert {p["id"] for p in parsed} == {c.id for c in kb.all_claims()}
    (graphml,) = export_graph(kb, "graphml", tmp_path / "g.graphml")
    graph = nx.read_graphml(graphml)
    assert graph.number_of_nodes() == len(kb.nodes())
    assert graph.number_of_edges() == len(kb.all_claims())


def test_bibliographies_round_trip_through_their_parsers() -> None:
    refs = load_knowledge_base().references()
    assert len(bibtexparser.loads(format_references(refs, "bibtex")).entries) == len(refs)
    assert len(rispy.loads(format_references(refs, "ris"))) == len(refs)
    csl = json.loads(format_references(refs, "csljson"))
    assert {item["id"] for item in csl} == {r.id for r in refs}


def run(
    argv: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> tuple[int, str, str]:
    code = main(["--db", f"sqlite:///{tmp_path / 'cli.db'}", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_explain_lists_cited_hops(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(
        [
            "--format",
            "json",
            "evidence",
            "explain",
            "--from",
            "adipose MSC exosomes",
            "--to",
            "wrinkles",
        ],
        capsys,
        tmp_path,
    )
    assert code == 0
    rows = json.loads(out)
    assert rows[0]["path"] == 1 and "Park et al. 2023" in rows[0]["citation"]
    assert all(r["citation"] for r in rows)


def test_cli_explain_terms(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(
        [
            "--format",
            "csv",
            "evidence",
            "explain",
            "--from",
            "ADSC",
            "--to",
            "acne scars",
            "--explain",
        ],
        capsys,
        tmp_path,
    )
    assert code == 0
    assert "overall =" in out and "lit-kwon2020-acne-scars" in out


def test_cli_conflicts_lists_mmp1_with_both_sides(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(["--format", "json", "evidence", "conflicts"], capsys, tmp_path)
    assert code == 0
    rows = json.loads(out)
    mmp = [r for r in rows if "MMP-1" in r["topic"]]
    assert mmp
    assert all("BioMedical Emporium" in r["claimed_by"] for r in mmp)
    assert all("Oh et al. 2018" in r["disputing_sources"] for r in mmp)


def test_cli_import_of_a_bad_file_fails_with_lines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("subject,predicate,object,evidence_level\nASC,heals,wrinkles,rct\n")
    code, out, err = run(["evidence", "import", str(bad)], capsys, tmp_path)
    assert code == 2
    assert "line 2, field 'predicate'" in err and "Traceback" not in err
    code, out, _ = run(["--format", "json", "evidence", "stats"], capsys, tmp_path)
    assert json.loads(out)["claims"] == len(load_knowledge_base().all_claims())
    assert "origin.import" not in out


def test_cli_other_commands(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for argv in (
        ["evidence", "search", "centella"],
        ["evidence", "show", "source:centella"],
        ["evidence", "show", "wp-094"],
        ["evidence", "show", "thakur2023"],
        ["evidence", "effects", "--area", "Safety and Biocompatibility"],
        ["evidence", "glossary"],
        ["evidence", "markers"],
    ):
        code, out, err = run(["--format", "json", *argv], capsys, tmp_path)
        assert code == 0, (argv, err)
        assert json.loads(out)
    code, out, _ = run(["evidence", "refs", "--format", "bibtex"], capsys, tmp_path)
    assert code == 0 and out.count("@") == len(load_knowledge_base().references())
    code, out, _ = run(["--format", "json", "evidence", "show", "wp-094"], capsys, tmp_path)
    assert "CONFLICT" in out


def test_kgx_tsv_cells_never_run_as_formulas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ASVS 5.0 V1.2.10: a text cell that starts like a formula is written as text."""
    from exoderm.evidence import export

    real = export.node_record
    hostile = '=HYPERLINK("http://evil.example","click")'

    def record(node: object) -> dict[str, object]:
        row = real(node)  # type: ignore[arg-type]
        row["name"] = hostile
        return row

    monkeypatch.setattr(export, "node_record", record)
    nodes_tsv, _ = export_graph(load_knowledge_base(), "kgx-tsv", tmp_path)
    with nodes_tsv.open() as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    assert rows and all(r["name"] == "'" + hostile for r in rows)
