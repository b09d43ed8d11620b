"""Cargo as evidence: ``contains`` hops from the repositories' detections, EV-METRIC on claims.

Why: a curated claim says adipose-MSC EVs act through TGF-β; the cargo layer says whether
TGF-β was actually *detected* in adipose-MSC EV preparations, and in how many independent
studies. Each (EV source, graph molecule) pair with at least one detection becomes one
``contains`` claim whose location names the repositories, the study count, the PMIDs and
the methods, so an evidence path shows the detection next to the mechanism. Detection is
not function: the claim is graded as a laboratory characterisation (``in_vitro``).

EV-TRACK scores each experiment's reporting with EV-METRIC (EV-TRACK Consortium, Van Deun
et al. 2017, Nat Methods 14:228-232, doi:10.1038/nmeth.4185); a
curated claim citing a study that EV-TRACK scored takes the median EV-METRIC of that
study's experiments, which enters the claim score's characterisation factor
(:func:`exoderm.evidence.scoring.terms_of`).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from exoderm.evidence.cargo import CargoRow
from exoderm.evidence.cargo_import import molecule_key
from exoderm.evidence.cargo_sources import SourceMapping
from exoderm.evidence.model import Claim, EvidenceLevel, Node, NodeKind, Predicate, Reference

SYMBOLS_FILE = "cargo_symbols.yaml"
#: Most PMIDs written into one claim's location (the count is always complete).
SHOWN_STUDIES = 12


@lru_cache(maxsize=1)
def molecule_nodes() -> dict[str, str]:
    """Repository symbol (normalised) → graph node, from ``data/cargo_symbols.yaml``.

    Examples
    --------
    >>> molecule_nodes()["TGFB1"], molecule_nodes()["TNFA"]
    ('mediator:tgf-beta', 'mediator:tnf-alpha')
    """
    path = resources.files("exoderm.evidence").joinpath("data", SYMBOLS_FILE)
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for entry in doc["molecules"]:
        for symbol in (*entry["symbols"], *(entry.get("aliases") or ())):
            key = molecule_key(symbol)
            if key is not None:
                out[key] = entry["node"]
    return out


@dataclass(slots=True)
class _Detections:
    studies: set[str] = field(default_factory=set)
    methods: set[str] = field(default_factory=set)
    repositories: set[str] = field(default_factory=set)
    symbols: set[str] = field(default_factory=set)
    species: set[str] = field(default_factory=set)
    rows: int = 0
    unidentified: int = 0


def _study_label(study: str) -> str:
    return study.removeprefix("pmid:")


def _claim(source: str, target: str, d: _Detections) -> Claim:
    studies = sorted(d.studies, key=lambda s: (not s.startswith("pmid:"), s))
    shown = ", ".join(_study_label(s) for s in studies[:SHOWN_STUDIES])
    more = f" and {len(studies) - SHOWN_STUDIES} more" if len(studies) > SHOWN_STUDIES else ""
    count = f"{len(studies)} independent stud{'y' if len(studies) == 1 else 'ies'}"
    if d.unidentified:
        count += f" and {d.unidentified} row{'s' if d.unidentified > 1 else ''} without a study id"
    listed = f" ({shown}{more})" if studies else ""
    location = (
        f"{', '.join(sorted(d.repositories))}: {', '.join(sorted(d.symbols))} detected in "
        f"{count}{listed}; {d.rows} rows"
    )
    return Claim(
        id=f"cargo-{source.split(':', 1)[1]}-{target.replace(':', '-')}",
        subject=source,
        predicate=Predicate.CONTAINS,
        object=target,
        quote="",
        location=location[:500],
        evidence_level=EvidenceLevel.IN_VITRO,
        model_system=f"EV preparations; species {', '.join(sorted(d.species))}"[:300],
        notes=f"Detected by {'; '.join(sorted(d.methods))}. Detection is not function."[:2000],
        effect_size=count,
        origin="cargo",
    )


def contains_claims(
    session: Session, mapping: SourceMapping, known: set[str]
) -> tuple[list[Node], list[Claim]]:
    """One ``contains`` claim per (EV source, graph molecule) with detections.

    ``known`` is the set of node ids of the graph; EV sources the mapping declares but the
    graph lacks are returned as new nodes. Rows of unmapped sample sources are left out.

    Examples
    --------
    >>> from exoderm.evidence.cargo_sources import shipped_mapping
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     contains_claims(s, shipped_mapping(), set())
    ([], [])
    """
    symbols = molecule_nodes()
    grouped = (
        CargoRow.sample_name,
        CargoRow.molecule,
        CargoRow.study,
        CargoRow.method,
        CargoRow.repository,
        CargoRow.species,
    )
    query = (
        select(*grouped, func.count())
        .where(CargoRow.molecule.in_(sorted(symbols)))
        .group_by(*grouped)
    )
    tallies: dict[tuple[str, str], _Detections] = defaultdict(_Detections)
    for sample, molecule, study, method, repository, species, rows in session.execute(query):
        rule = mapping.match(sample)
        target = symbols.get(molecule or "")
        if rule is None or rule.node is None or target is None or target not in known:
            continue
        d = tallies[(rule.node, target)]
        if study is not None:
            d.studies.add(study)
        else:
            d.unidentified += rows
        d.methods.add(method)
        d.repositories.add(repository)
        d.symbols.add(molecule or "")
        d.species.add(species)
        d.rows += rows
    sources = {source for source, _ in tallies}
    nodes = [
        Node(s, NodeKind.EV_SOURCE, mapping.declared.get(s, s), source="cargo_sources.yaml")
        for s in sorted(sources - known)
    ]
    claims = [_claim(s, t, d) for (s, t), d in sorted(tallies.items())]
    return nodes, claims


def study_ev_metrics(session: Session) -> dict[str, float]:
    """``pmid:<n>`` / ``doi:<doi>`` → median EV-METRIC (%) of the study's EV-TRACK experiments.

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     study_ev_metrics(s)
    {}
    """
    query = select(CargoRow.study, CargoRow.experiment_id, CargoRow.ev_metric).where(
        CargoRow.ev_metric.is_not(None), CargoRow.study.is_not(None)
    )
    per_experiment: dict[str, dict[str, float]] = defaultdict(dict)
    for study, experiment, metric in session.execute(query.distinct()):
        if study is not None and metric is not None:  # excluded by the query; for mypy
            per_experiment[study][experiment or ""] = float(metric)
    return {s: statistics.median(m.values()) for s, m in per_experiment.items()}


def _keys(ref: Reference) -> list[str]:
    keys = [f"doi:{ref.doi.lower()}"] if ref.doi else []
    return keys + ([f"pmid:{ref.pmid}"] if ref.pmid else [])


def with_ev_metric(claim: Claim, metrics: dict[str, float]) -> Claim:
    """The claim with the EV-METRIC of the study it cites, unless it already has one.

    Examples
    --------
    >>> ref = Reference("r", ("Doe, J.",), 2020, "T", pmid="123")
    >>> c = Claim("c", "source:msc", Predicate.REDUCES, "concern:wrinkles", references=(ref,))
    >>> with_ev_metric(c, {"pmid:123": 50.0}).ev_metric
    50.0
    """
    if claim.ev_metric is not None or not metrics:
        return claim
    found = [metrics[k] for r in claim.references for k in _keys(r) if k in metrics]
    return replace(claim, ev_metric=min(found)) if found else claim
