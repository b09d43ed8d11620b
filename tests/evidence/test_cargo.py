"""The EV cargo layer: import (checked, idempotent, all-or-nothing), source mapping, queries.

The files are small synthetic Parquet tables written here with pyarrow in the schema of
the harmonised Vesiclepedia/ExoCarta/EV-TRACK snapshot; the real snapshot is tested in
``test_cargo_snapshot.py`` (slow).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

from exoderm.accounts.actor import Actor
from exoderm.accounts.records import AuditEvent, Role
from exoderm.errors import PermissionDenied, UserInputError, ValidationFailed
from exoderm.evidence import load_knowledge_base
from exoderm.evidence import service as evidence
from exoderm.evidence.cargo import CargoFilter, CargoImport, CargoRow
from exoderm.evidence.cargo_import import write_cargo_parquet
from exoderm.evidence.cargo_sources import check_nodes, parse_mapping, shipped_mapping
from exoderm.storage import Database
from exoderm.storage.scratch import scratch_database

SCIENTIST = Actor("sam", Role.scientist)
VIEWER = Actor("vic", Role.viewer, organisation_id=2)

ROWS: list[dict[str, str | None]] = [
    # TIMP1 in adipose-MSC EVs: one study indexed by both repositories, and a second study
    {
        "working_id": " timp1 ",
        "molecule_type": "Protein ",
        "species": "Homo sapiens",
        "sample_name": "Adipose-derived mesenchymal stem cells",
        "method": "Mass spectrometry",
        "vesicle": "Exosomes",
        "year": "2017",
        "pmid": "28170197",
        "source": "Vesiclepedia",
    },
    {
        "working_id": "TIMP1",
        "molecule_type": "Protein",
        "species": "Homo sapiens",
        "sample_name": "Adipose-derived mesenchymal stem cells ",
        "method": "Western blotting",
        "vesicle": "Exosomes",
        "year": "2017",
        "pmid": "28170197",
        "source": "ExoCarta",
    },
    {
        "working_id": "TIMP1",
        "molecule_type": "Protein",
        "species": "Mus musculus",
        "sample_name": "Adipose tissue-derived stem cells",
        "method": "Western blotting",
        "vesicle": "Microvesicles",
        "year": "2018",
        "pmid": "29964051",
        "source": "Vesiclepedia",
    },
    {
        "working_id": "CD63",
        "molecule_type": "Protein",
        "species": "Homo sapiens",
        "sample_name": "Adipose-derived mesenchymal stem cells",
        "method": "Western blotting",
        "vesicle": "Exosomes",
        "year": "2017",
        "pmid": "28170197",
        "source": "Vesiclepedia",
    },
    # TIMP1 elsewhere: keratinocytes (mapped), a melanoma line (reviewed: not a source)
    {
        "working_id": "TIMP1",
        "molecule_type": "mRNA",
        "species": "Homo sapiens",
        "sample_name": "Keratinocytes",
        "method": "Microarray",
        "vesicle": "Exosomes",
        "year": "2009",
        "pmid": "19530224",
        "source": "ExoCarta",
    },
    {
        "working_id": "TIMP1",
        "molecule_type": "Protein",
        "species": "Homo sapiens",
        "sample_name": "Melanoma cells",
        "method": "Mass spectrometry",
        "vesicle": "Exosomes",
        "year": "2015",
        "pmid": "25950383",
        "source": "Vesiclepedia",
    },
    # a study-only EV-TRACK row: a DOI in the pmid column, an EV-METRIC score, no molecule
    {
        "working_id": "Unknown",
        "molecule_type": "Unknown",
        "species": "Homo sapiens",
        "sample_name": "Moon dust extract",
        "method": "NTA/ transmission EM",
        "vesicle": "Unknown",
        "year": "Unknown",
        "pmid": "10.1080/20013078.2019.1643670",
        "ev_metric": "63",
        "source": "EV-Track",
    },
]


def _file(tmp_path: Path, rows: list[dict[str, str | None]], name: str = "c.parquet") -> Path:
    return write_cargo_parquet(tmp_path / name, rows)


def _loaded(tmp_path: Path) -> Database:
    db = scratch_database()
    with db.transaction() as s:
        evidence.import_cargo(s, SCIENTIST, path=_file(tmp_path, ROWS))
    return db


def _count(db: Database) -> tuple[int, int]:
    with db.reader() as s:
        return (
            s.scalar(select(func.count()).select_from(CargoRow)) or 0,
            s.scalar(select(func.count()).select_from(CargoImport)) or 0,
        )


def test_import_normalises_and_keeps_every_rows_provenance(tmp_path: Path) -> None:
    db = _loaded(tmp_path)
    assert _count(db) == (len(ROWS), 1)
    with db.reader() as s:
        rows = {r.row_number: r for r in s.scalars(select(CargoRow))}
    first, track = rows[1], rows[7]
    assert (first.molecule, first.molecule_raw, first.molecule_kind) == (
        "TIMP1",
        " timp1 ",
        "protein",
    )
    assert (first.repository, first.study, first.pmid, first.year) == (
        "Vesiclepedia",
        "pmid:28170197",
        "28170197",
        2017,
    )
    assert rows[2].sample_name == "Adipose-derived mesenchymal stem cells"  # trailing blank
    assert (first.method, first.vesicle, first.species) == (
        "Mass spectrometry",
        "Exosomes",
        "Homo sapiens",
    )
    assert track.molecule is None and track.repository == "EV-TRACK"
    assert (track.study, track.doi, track.pmid) == (
        "doi:10.1080/20013078.2019.1643670",
        "10.1080/20013078.2019.1643670",
        None,
    )
    assert track.ev_metric == 63.0 and track.year is None
    assert first.ev_metric is None  # "Unknown"


def test_optional_experiment_and_isolation_columns_are_kept(tmp_path: Path) -> None:
    rows = [{**ROWS[0], "experiment_id": "EXP 17", "isolation_method": "Ultracentrifugation"}]
    db = scratch_database()
    with db.transaction() as s:
        evidence.import_cargo(s, SCIENTIST, path=_file(tmp_path, rows))
    with db.reader() as s:
        row = s.scalars(select(CargoRow)).one()
    assert (row.experiment_id, row.isolation_method) == ("EXP 17", "Ultracentrifugation")


def test_reimport_of_the_same_file_changes_nothing(tmp_path: Path) -> None:
    db = _loaded(tmp_path)
    path = tmp_path / "c.parquet"
    with db.transaction() as s:
        again = evidence.import_cargo(s, SCIENTIST, path=path)
    assert again.already_imported and again.rows == len(ROWS)
    assert _count(db) == (len(ROWS), 1)
    with db.reader() as s:
        events = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "evidence.cargo_import")
        ).all()
    assert len(events) == 1 and events[0].detail is not None
    assert events[0].detail["rows"] == len(ROWS)
    # a different file (one more row) is a new import
    with db.transaction() as s:
        other = evidence.import_cargo(s, SCIENTIST, path=_file(tmp_path, ROWS[:2], "d.parquet"))
    assert not other.already_imported and _count(db) == (len(ROWS) + 2, 2)


def test_malformed_rows_are_named_by_number_and_nothing_is_written(tmp_path: Path) -> None:
    bad = [dict(r) for r in ROWS]
    bad[1]["source"] = "GeneBank"
    bad[3]["year"] = "20x7"
    bad[4]["sample_name"] = None
    bad[6]["ev_metric"] = "high"
    path = _file(tmp_path, bad)
    db = scratch_database()
    with pytest.raises(ValidationFailed) as caught, db.transaction() as s:
        evidence.import_cargo(s, SCIENTIST, path=path)
    found = {(p.location.line, p.location.field) for p in caught.value.problems}
    assert found == {(2, "source"), (4, "year"), (5, "sample_name"), (7, "ev_metric")}
    assert "row 4" in str(caught.value) and str(path) in str(caught.value)
    assert _count(db) == (0, 0)


def test_bad_files_are_clear_errors(tmp_path: Path) -> None:
    db = scratch_database()
    text = tmp_path / "notes.parquet"
    text.write_text("not parquet")
    no_source = tmp_path / "no_source.parquet"
    pq.write_table(pa.table({"working_id": ["TIMP1"]}), no_source)
    for path, words in (
        (text, "not a Parquet file"),
        (no_source, "missing column"),
        (tmp_path / "absent.parquet", "file not found"),
    ):
        with pytest.raises(UserInputError, match=words), db.transaction() as s:
            evidence.import_cargo(s, SCIENTIST, path=path)
    assert _count(db) == (0, 0)


def test_only_admins_and_scientists_import(tmp_path: Path) -> None:
    db = scratch_database()
    with pytest.raises(PermissionDenied), db.transaction() as s:
        evidence.import_cargo(s, VIEWER, path=_file(tmp_path, ROWS))


def test_source_query_counts_independent_studies(tmp_path: Path) -> None:
    db = _loaded(tmp_path)
    with db.reader() as s:
        found = evidence.cargo_in_source(s, VIEWER, source="adipose-msc")
        by_name = evidence.cargo_in_source(s, VIEWER, source="ADSC")
    assert [d.molecule for d in found] == ["TIMP1", "CD63"]
    timp1 = found[0]
    # the study indexed by both repositories counts once
    assert (timp1.studies, timp1.rows, timp1.pmids) == (2, 3, ["28170197", "29964051"])
    assert timp1.methods == ["Mass spectrometry", "Western blotting"]
    assert timp1.repositories == ["ExoCarta", "Vesiclepedia"]
    assert by_name == found


def test_source_query_filters(tmp_path: Path) -> None:
    db = _loaded(tmp_path)
    with db.reader() as s:

        def ask(**kw: str) -> dict[str, int]:
            got = evidence.cargo_in_source(
                s, VIEWER, source="source:adipose-msc", filters=CargoFilter(**kw)
            )
            return {d.molecule: d.studies for d in got}

        assert ask(species="mus musculus") == {"TIMP1": 1}
        assert ask(vesicle="exosome") == {"TIMP1": 1, "CD63": 1}
        assert ask(method="western") == {"TIMP1": 2, "CD63": 1}
        assert ask(kind="mrna") == {}
        assert ask(isolation_method="ultracentrifugation") == {}
        limited = evidence.cargo_in_source(s, VIEWER, source="adipose-msc", limit=1)
    assert [d.molecule for d in limited] == ["TIMP1"]


def test_unknown_source_names_the_choices(tmp_path: Path) -> None:
    db = _loaded(tmp_path)
    with db.reader() as s, pytest.raises(UserInputError, match="adipose-msc"):
        evidence.cargo_in_source(s, VIEWER, source="unicorn")
    with db.reader() as s, pytest.raises(UserInputError, match="not an EV source"):
        evidence.cargo_in_source(s, VIEWER, source="collagen")


def test_molecule_query_lists_the_sources_carrying_it(tmp_path: Path) -> None:
    db = _loaded(tmp_path)
    with db.reader() as s:
        found = evidence.cargo_carriers(s, VIEWER, molecule="Timp1")
        everything = evidence.cargo_carriers(s, VIEWER, molecule="TIMP1", include_unmapped=True)
        humans = evidence.cargo_carriers(
            s, VIEWER, molecule="TIMP1", filters=CargoFilter(species="Mus musculus")
        )
        none = evidence.cargo_carriers(s, VIEWER, molecule="TGFB1")
    assert [(c.node_id, c.studies) for c in found] == [
        ("source:adipose-msc", 2),
        ("source:keratinocyte", 1),
    ]
    assert found[0].sample_names == [
        "Adipose tissue-derived stem cells",
        "Adipose-derived mesenchymal stem cells",
    ]
    assert found[0].species == ["Homo sapiens", "Mus musculus"]
    assert {(c.node_id, c.source_name) for c in everything} - {
        (c.node_id, c.source_name) for c in found
    } == {(None, "Melanoma cells")}
    assert [c.node_id for c in humans] == ["source:adipose-msc"]
    assert none == []


def test_sources_table_and_unmapped(tmp_path: Path) -> None:
    db = _loaded(tmp_path)
    with db.reader() as s:
        every = {x.sample_name: x for x in evidence.cargo_sources(s, VIEWER)}
        unmapped = evidence.cargo_sources(s, VIEWER, unmapped_only=True)
    assert every["Adipose-derived mesenchymal stem cells"].node_id == "source:adipose-msc"
    assert every["Adipose-derived mesenchymal stem cells"].rows == 3
    assert every["Adipose-derived mesenchymal stem cells"].studies == 1
    melanoma = every["Melanoma cells"]
    assert melanoma.node_id is None and melanoma.reviewed and "Tumour" in melanoma.note
    assert [x.sample_name for x in unmapped] == ["Moon dust extract"]
    assert not unmapped[0].reviewed


def test_shipped_mapping_names_real_ev_source_nodes() -> None:
    mapping = shipped_mapping()
    assert check_nodes(mapping, load_knowledge_base()) == []
    cases = {
        "Umblical cord mesenchymal stem cells": "source:umbilical-cord-msc",
        "Bone marrow mesenchymal stem cells": "source:bone-marrow-msc",
        "Mesenchymal stem cells ": "source:msc",
        "Adipose tissue-derived stem cells": "source:adipose-msc",
        "Foreskin fibroblasts": "source:fibroblast",
        "Platelets": "source:platelet-prp",
        "Breast milk": "source:milk-human",
        "Bovine milk": "source:milk-bovine",
        "Keratinocytes": "source:keratinocyte",
        "Lemon juice": "source:lemon",
        "Mammary cancer-associated fibroblasts": None,
        "Stromal vascular fraction": None,
        '"Cerebrospinal fluid"': None,
    }
    for sample, node in cases.items():
        rule = mapping.match(sample)
        assert rule is not None, sample
        assert rule.node == node, sample
    assert mapping.match("Dendritic cells") is None


def test_a_bad_mapping_file_is_reported_by_line() -> None:
    text = (
        "version: '1'\nreviewed: {by: me, date: '2026-12-06'}\npatterns:\n"
        "  - {pattern: 'keratinocytes', node: source:keratinocyte, note: skin}\n"
        "  - {pattern: '(unclosed', node: source:msc, note: broken}\n"
        "  - {pattern: 'collagen', node: effect:collagen, note: not a source}\n"
    )
    with pytest.raises(ValidationFailed, match="line 5") as caught:
        parse_mapping(text, "m.yaml")
    assert caught.value.problems[0].location.field == "pattern"
    good = parse_mapping(text.replace("(unclosed", "unclosed"), "m.yaml")
    (problem,) = check_nodes(good, load_knowledge_base())
    assert "effect:collagen" in problem.message and problem.location.line == 6


def test_a_failure_while_writing_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exoderm.evidence import cargo_import

    real = cargo_import._chunks

    def first_chunk_then_fail(
        rows: list[tuple[object, ...]], size: int
    ) -> Iterator[list[tuple[object, ...]]]:
        yield from list(real(rows, 2))[:1]
        raise OSError("disk full")

    monkeypatch.setattr(cargo_import, "_chunks", first_chunk_then_fail)
    db = scratch_database()
    with pytest.raises(OSError, match="disk full"), db.transaction() as s:
        evidence.import_cargo(s, SCIENTIST, path=_file(tmp_path, ROWS))
    assert _count(db) == (0, 0)


def test_numeric_columns_are_read_as_text(tmp_path: Path) -> None:
    columns: dict[str, pa.Array] = {
        c: pa.array(["Unknown"]) for c in ("molecule_type", "species", "method", "vesicle")
    }
    columns |= {
        "working_id": pa.array(["tgfb1"]),
        "sample_name": pa.array(["Platelets"]),
        "disease": pa.array(["Unknown"]),
        "characterization": pa.array(["Yes"]),
        "source": pa.array(["EV-Track"]),
        "year": pa.array([2019], pa.int64()),
        "pmid": pa.array([31160588], pa.int64()),
        "ev_metric": pa.array([44.0], pa.float64()),
        "experiment_id": pa.array([17], pa.int32()),
    }
    path = tmp_path / "numbers.parquet"
    pq.write_table(pa.table(columns), path)
    db = scratch_database()
    with db.transaction() as s:
        evidence.import_cargo(s, SCIENTIST, path=path)
    with db.reader() as s:
        row = s.scalars(select(CargoRow)).one()
        carriers = evidence.cargo_carriers(s, VIEWER, molecule="TGFB1")
    assert (row.year, row.pmid, row.ev_metric, row.experiment_id) == (2019, "31160588", 44.0, "17")
    assert [(c.node_id, c.pmids) for c in carriers] == [("source:platelet-prp", ["31160588"])]
