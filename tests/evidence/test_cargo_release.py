"""Vesiclepedia/ExoCarta bulk files: joined on EXPERIMENT ID, checked, imported, queried.

The files are written here in the repositories' bulk format (tab-separated, Latin-1, one
header line; the columns Vesiclepedia 5.1 and ExoCarta 5 document). No real release is
shipped or fetched: the values are made up for the test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from exoderm.accounts.actor import Actor
from exoderm.accounts.records import Role
from exoderm.cli.main import main
from exoderm.errors import UserInputError, ValidationFailed
from exoderm.evidence import service as evidence
from exoderm.evidence.cargo import CargoImport, CargoRow
from exoderm.evidence.cargo_import import molecule_key
from exoderm.storage.scratch import scratch_database

SAM = Actor("sam", Role.scientist)
VIC = Actor("vic", Role.viewer, organisation_id=2)

EXPERIMENT_HEADER = (
    "EXPERIMENT ID\tPUBMED ID\tSPECIES\tEXPERIMENT DESCRIPTION\tSAMPLE\tSAMPLE SOURCE\t"
    "SAMPLE NAME\tIDENTIFICATIONS\tMETHODS\tYEAR\tISOLATION METHOD\tVESICLE TYPE"
)
PROTEIN_HEADER = (
    "CONTENT ID\tCONTENT TYPE\tENTREZ GENE ID\tGENE SYMBOL\tSPECIES\tEXPERIMENT ID\tMETHODS"
)
MIRNA_HEADER = (
    "CONTENT ID\tCONTENT TYPE\tMIRNA ID\tSPECIES\tEXPERIMENT ID\tMETHODS\tGENE ID\tCOMMENTS"
)


def _write(path: Path, header: str, rows: list[str]) -> None:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="latin-1")


def _release(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    _write(
        folder / "VESICLEPEDIA_EXPERIMENT_DETAILS_5.1.txt",
        EXPERIMENT_HEADER,
        [
            "101\t31000001\tHomo sapiens\tADSC EVs\tCell culture\tAdipose tissue\t"
            "Adipose-derived mesenchymal stem cells\tProtein|RNA\tWestern blotting\t2019\t"
            "Ultracentrifugation\tExosomes",
            "102\t31000002\tHomo sapiens\tKC EVs\tCell culture\tSkin\tKératinocytes\tRNA\t"
            "qRT-PCR\t2020\tPrecipitation\tExtracellular vesicles",
            "103\t0\tMus musculus\tADSC EVs\tCell culture\tAdipose tissue\t"
            "Adipose-derived mesenchymal stem cells\tRNA\tMicroarray\t2021\t"
            "Size-exclusion chromatography\tExosomes",
        ],
    )
    _write(
        folder / "VESICLEPEDIA_PROTEIN_MRNA_DETAILS_5.1.txt",
        PROTEIN_HEADER,
        [
            "1\tprotein\t7076\tTimp1 \tHomo sapiens\t101\tMass spectrometry",
            "2\tProtein \t7040\tTGFB1\tHomo sapiens\t101\tWestern blotting",
        ],
    )
    _write(
        folder / "VESICLEPEDIA_MIRNA_DETAILS_5.1.txt",
        MIRNA_HEADER,
        [
            "11\tmiRNA\thsa-miR-21-5p\tHomo sapiens\t101\tqRT-PCR\t406991\t",
            "12\tmiRNA\thsa-miR-21-3p\tHomo sapiens\t102\tqRT-PCR\t406991\t",
            "13\tmiRNA\tmmu-miR-21a-5p\tMus musculus\t103\tMicroarray\t387140\t",
            "14\tmiRNA\thsa-miR-210-3p\tHomo sapiens\t101\tqRT-PCR\t406992\t",
        ],
    )
    _write(
        folder / "EXOCARTA_EXPERIMENT_DETAILS_5.txt",
        EXPERIMENT_HEADER,
        [
            "7\t19056867\tHomo sapiens\tKC exosomes\tCell culture\tSkin\tKeratinocytes\t"
            "Protein\tMass spectrometry\t2008\tUltracentrifugation\tExosomes",
        ],
    )
    _write(
        folder / "EXOCARTA_PROTEIN_MRNA_DETAILS_5.txt",
        PROTEIN_HEADER,
        ["1\tprotein\t7076\tTIMP1\tHomo sapiens\t7\tMass spectrometry"],
    )
    return folder


def test_a_release_folder_is_joined_on_experiment_and_keeps_every_rows_provenance(
    tmp_path: Path,
) -> None:
    db = scratch_database()
    folder = _release(tmp_path / "release")
    with db.transaction() as s:
        first = evidence.import_cargo(s, SAM, path=folder)
    assert (first.rows, first.already_imported) == (7, False)
    with db.reader() as s:
        rows = s.scalars(select(CargoRow).order_by(CargoRow.id)).all()
        by_molecule = {(r.molecule, r.repository): r for r in rows}
        timp1 = by_molecule[("TIMP1", "Vesiclepedia")]
        assert (timp1.experiment_id, timp1.pmid, timp1.study) == (
            "101",
            "31000001",
            "pmid:31000001",
        )
        assert (timp1.isolation_method, timp1.vesicle, timp1.year) == (
            "Ultracentrifugation",
            "Exosomes",
            2019,
        )
        assert timp1.molecule_raw == "Timp1 " and timp1.molecule_kind == "protein"
        assert by_molecule[("TIMP1", "ExoCarta")].sample_name == "Keratinocytes"
        assert by_molecule[("MIR-21-3P", "Vesiclepedia")].sample_name == "Kératinocytes"
        mouse = by_molecule[("MIR-21A-5P", "Vesiclepedia")]
        assert mouse.species == "Mus musculus" and mouse.study is None  # PubMed ID 0
    with db.transaction() as s:
        again = evidence.import_cargo(s, SAM, path=folder)
        assert again.already_imported and again.import_id == first.import_id
        assert s.scalar(select(func.count()).select_from(CargoRow)) == 7


def test_microrna_queries_match_species_prefixes_and_both_arms(tmp_path: Path) -> None:
    assert molecule_key("hsa-miR-21-5p") == molecule_key("MIR-21-5P") == "MIR-21-5P"
    db = scratch_database()
    with db.transaction() as s:
        evidence.import_cargo(s, SAM, path=_release(tmp_path / "release"))
    with db.reader() as s:
        carriers = evidence.cargo_carriers(s, VIC, molecule="miR-21")
        arm = evidence.cargo_carriers(s, VIC, molecule="hsa-miR-21-5p")
        adipose = evidence.cargo_in_source(s, VIC, source="adipose-msc")
    names = {c.node_id: c for c in carriers}
    assert set(names) == {"source:adipose-msc", "source:keratinocyte"}
    assert names["source:keratinocyte"].pmids == ["31000002"]
    assert [c.node_id for c in arm] == ["source:adipose-msc"]  # the -5p arm only
    detected = {d.molecule: d for d in adipose}
    assert {"MIR-21-5P", "MIR-210-3P", "TIMP1", "TGFB1"} <= set(detected)
    assert "MIR-21-3P" not in detected  # that arm was detected in keratinocyte EVs only
    assert detected["MIR-21-5P"].kinds == ["mirna"]


def test_a_cargo_line_whose_experiment_is_missing_names_file_line_and_column(
    tmp_path: Path,
) -> None:
    folder = _release(tmp_path / "release")
    path = folder / "VESICLEPEDIA_MIRNA_DETAILS_5.1.txt"
    lines = path.read_text("latin-1").splitlines()
    lines.insert(3, "15\tmiRNA\thsa-miR-146a-5p\tHomo sapiens\t999\tqRT-PCR\t406938\t")
    path.write_text("\n".join(lines) + "\n", encoding="latin-1")
    db = scratch_database()
    with pytest.raises(ValidationFailed) as caught, db.transaction() as s:
        evidence.import_cargo(s, SAM, path=folder)
    (problem,) = caught.value.problems
    assert problem.location.file == path and problem.location.line == 4
    assert problem.location.field == "EXPERIMENT ID"
    assert "experiment 999 is not in the experiment file" in problem.message
    with db.reader() as s:  # nothing half-written
        assert s.scalar(select(func.count()).select_from(CargoImport)) == 0
        assert s.scalar(select(func.count()).select_from(CargoRow)) == 0


def test_a_bad_year_in_the_experiment_file_is_reported_at_the_cargo_line(tmp_path: Path) -> None:
    folder = _release(tmp_path / "release")
    path = folder / "EXOCARTA_EXPERIMENT_DETAILS_5.txt"
    path.write_text(path.read_text("latin-1").replace("\t2008\t", "\tcirca 2008\t"), "latin-1")
    with pytest.raises(ValidationFailed) as caught, scratch_database().transaction() as s:
        evidence.import_cargo(s, SAM, path=folder)
    (problem,) = caught.value.problems
    assert problem.location.file == folder / "EXOCARTA_PROTEIN_MRNA_DETAILS_5.txt"
    assert (problem.location.line, problem.location.field) == (2, "year")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("drop-experiment-file", "ExoCarta: no EXPERIMENT_DETAILS file"),
        ("drop-column", "missing column(s): EXPERIMENT ID"),
        ("empty-folder", "no Vesiclepedia or ExoCarta bulk file"),
    ],
)
def test_a_malformed_release_is_refused_with_what_was_expected(
    tmp_path: Path, damage: str, message: str
) -> None:
    folder = _release(tmp_path / "release")
    if damage == "drop-experiment-file":
        (folder / "EXOCARTA_EXPERIMENT_DETAILS_5.txt").unlink()
    elif damage == "drop-column":
        path = folder / "EXOCARTA_PROTEIN_MRNA_DETAILS_5.txt"
        path.write_text(path.read_text("latin-1").replace("EXPERIMENT ID", "EXPT"), "latin-1")
    else:
        for path in folder.iterdir():
            path.unlink()
    with pytest.raises(UserInputError) as caught, scratch_database().transaction() as s:
        evidence.import_cargo(s, SAM, path=folder)
    assert message in str(caught.value)
    assert str(folder) in str(caught.value) or "line 1" in str(caught.value)


def test_the_cli_imports_a_release_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _release(tmp_path / "release")
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["--db", url, "--format", "json", "evidence", "import-cargo", str(folder)]) == 0
    assert json.loads(capsys.readouterr().out)["rows"] == 7
    code = main(["--db", url, "--format", "json", "evidence", "cargo", "--molecule", "miR-21"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and {c["node_id"] for c in out} == {
        "source:adipose-msc",
        "source:keratinocyte",
    }


def test_a_microrna_of_the_graph_gets_contains_hops_from_the_release(tmp_path: Path) -> None:
    db = scratch_database()
    with db.transaction() as s:
        evidence.import_cargo(s, SAM, path=_release(tmp_path / "release"))
    with db.reader() as s:
        kb = evidence.knowledge_base(s, VIC)
    hops = {
        c.subject: c
        for c in kb.all_claims()
        if c.origin == "cargo" and c.object == "cargo:mir-21-5p"
    }
    # adipose MSC: hsa-miR-21-5p in experiment 101; the mouse miR-21a-5p is another gene
    assert set(hops) == {"source:adipose-msc"}
    assert "31000001" in hops["source:adipose-msc"].location
