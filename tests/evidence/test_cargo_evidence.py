"""Cargo in the graph: ``contains`` hops counted by independent studies; EV-METRIC on claims."""

from __future__ import annotations

from pathlib import Path

from exoderm.accounts.actor import Actor
from exoderm.accounts.records import Role
from exoderm.evidence import load_knowledge_base
from exoderm.evidence import service as evidence
from exoderm.evidence.cargo_claims import molecule_nodes
from exoderm.evidence.cargo_import import write_cargo_parquet
from exoderm.storage import Database
from exoderm.storage.scratch import scratch_database

SCIENTIST = Actor("sam", Role.scientist)
VIEWER = Actor("vic", Role.viewer, organisation_id=2)
KWON_DOI = "10.2340/00015555-3666"  # cited by the packaged Kwon et al. 2020 claims


def _row(symbol: str, sample: str, pmid: str, repo: str = "Vesiclepedia", **more: str) -> dict:
    return {
        "working_id": symbol,
        "molecule_type": "Protein",
        "species": "Homo sapiens",
        "sample_name": sample,
        "method": more.pop("method", "Mass spectrometry"),
        "vesicle": "Exosomes",
        "year": "2019",
        "pmid": pmid,
        "source": repo,
        **more,
    }


ROWS = [
    _row("TGFB1", "Adipose-derived mesenchymal stem cells", "111"),
    _row("TGFB1", "Adipose-derived mesenchymal stem cells", "111", "ExoCarta", method="ELISA"),
    _row("tgfb2", "Adipose-derived mesenchymal stem cells", "222"),
    _row("TNFA", "Keratinocytes", "333"),  # an alias symbol
    _row("IL10", "Keratinocytes", "Unknown"),  # no PMID or DOI
    _row("TGFB1", "Melanoma cells", "444"),  # reviewed: not an EV source of skin care
    _row("CD63", "Adipose-derived mesenchymal stem cells", "111"),  # no graph node
    {
        **_row("Unknown", "Adipose-derived mesenchymal stem cells", KWON_DOI, "EV-Track"),
        "molecule_type": "Unknown",
        "ev_metric": "25",
        "experiment_id": "EV190001",
    },
    {
        **_row("Unknown", "Adipose-derived mesenchymal stem cells", KWON_DOI, "EV-Track"),
        "molecule_type": "Unknown",
        "ev_metric": "75",
        "experiment_id": "EV190002",
    },
]


def _loaded(tmp_path: Path) -> Database:
    db = scratch_database()
    with db.transaction() as s:
        evidence.import_cargo(s, SCIENTIST, path=write_cargo_parquet(tmp_path / "c.pq", ROWS))
    return db


def test_symbols_map_to_graph_nodes_that_exist() -> None:
    kb = load_knowledge_base()
    assert all(kb.has_node(node) for node in molecule_nodes().values())


def test_detections_become_contains_claims_counted_by_independent_studies(
    tmp_path: Path,
) -> None:
    db = _loaded(tmp_path)
    with db.reader() as s:
        kb = load_knowledge_base(s)
    claim = kb.claim("cargo-adipose-msc-mediator-tgf-beta")
    assert (claim.subject, claim.predicate.value, claim.object) == (
        "source:adipose-msc",
        "contains",
        "mediator:tgf-beta",
    )
    # one study indexed by two repositories counts once; TGFB2 is the same graph node
    assert claim.effect_size == "2 independent studies"
    assert "111, 222" in claim.location and "TGFB1, TGFB2" in claim.location
    assert "ExoCarta, Vesiclepedia" in claim.location
    assert kb.claim("cargo-keratinocyte-mediator-tnf-alpha").effect_size == "1 independent study"
    ids = {c.id for c in kb.all_claims() if c.origin == "cargo"}
    unidentified = kb.claim("cargo-keratinocyte-mediator-il-10")
    assert unidentified.effect_size == "0 independent studies and 1 row without a study id"
    assert not any("melanoma" in i for i in ids), ids
    assert len(ids) == 3


def test_an_evidence_path_shows_the_detection_next_to_the_mechanism(tmp_path: Path) -> None:
    db = _loaded(tmp_path)
    with db.reader() as s:
        read = evidence.explain(
            s, VIEWER, source="adipose-msc", target="effect:inflammation", max_hops=3, limit=50
        )
    hops = [[claim.id for step in path.steps for claim in step.claims] for path in read.paths]
    through = [h for h in hops if "cargo-adipose-msc-mediator-tgf-beta" in h]
    assert through, hops
    assert any("wp-056" in h for h in through)  # TGF-β reduces inflammation (whitepaper)


def test_without_cargo_there_is_no_contains_hop() -> None:
    with scratch_database().reader() as s:
        kb = load_knowledge_base(s)
    assert not [c for c in kb.all_claims() if c.origin == "cargo"]


def test_ev_metric_of_a_cited_study_grades_its_claims(tmp_path: Path) -> None:
    before = {c.id: c for c in load_knowledge_base().all_claims()}
    db = _loaded(tmp_path)
    with db.reader() as s:
        kb = load_knowledge_base(s)
    cited = [c for c in kb.all_claims() if any(r.doi == KWON_DOI for r in c.references)]
    assert cited
    for claim in cited:
        assert claim.ev_metric == 50.0  # median of the study's two experiments
        assert claim.score < before[claim.id].score
    others = [c for c in kb.all_claims() if c.origin == "seed" and c not in cited]
    assert all(c.ev_metric == before[c.id].ev_metric for c in others)
