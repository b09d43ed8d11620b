"""Questions on the cargo layer: what was detected in a source's EVs, who carries a molecule.

Why: "what has been detected in adipose-MSC EVs" and "which EV sources carry TIMP1" are
answered from the imported repository rows, counted by *independent studies* (distinct
PMID or DOI; the same study indexed by both Vesiclepedia and ExoCarta counts once) and
with the methods and PMIDs behind each count, so a reader can check every number.

The sample-name → EV-source mapping is applied at query time (it is reviewed data and
may change without a re-import): the distinct sample names in the database are matched
once per query and the rows are selected through the ``(sample_name, molecule)`` and
``(molecule, sample_name)`` indexes. Aggregation is done in Python over distinct
``(molecule, study, method, …)`` groups, so the same SQL runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, distinct, func, select
from sqlalchemy.orm import Session

from exoderm.evidence.cargo import (
    CargoCarrierRead,
    CargoDetectionRead,
    CargoFilter,
    CargoRow,
    CargoSourceRead,
)
from exoderm.evidence.cargo_import import molecule_keys
from exoderm.evidence.cargo_sources import SourceMapping, source_name
from exoderm.evidence.knowledge_base import KnowledgeBase


def _conditions(filters: CargoFilter) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if filters.species:
        out.append(func.lower(CargoRow.species) == filters.species.strip().lower())
    if filters.kind:
        out.append(CargoRow.molecule_kind == filters.kind.strip().lower())
    for column, text in (
        (CargoRow.vesicle, filters.vesicle),
        (CargoRow.isolation_method, filters.isolation_method),
        (CargoRow.method, filters.method),
    ):
        if text:
            out.append(func.lower(column).contains(text.strip().lower(), autoescape=True))
    return out


def sample_names(session: Session) -> list[str]:
    """Every distinct sample name of the imported rows."""
    return list(session.scalars(select(CargoRow.sample_name).distinct()))


def samples_of(session: Session, node_id: str, mapping: SourceMapping) -> list[str]:
    """The sample names the mapping assigns to ``node_id``."""
    out = []
    for name in sample_names(session):
        rule = mapping.match(name)
        if rule is not None and rule.node == node_id:
            out.append(name)
    return sorted(out)


def _pmid_label(study: str) -> str:
    return study.removeprefix("pmid:")


def _sorted_studies(studies: set[str]) -> list[str]:
    labels = [_pmid_label(s) for s in studies]
    return sorted(labels, key=lambda s: (not s.isdigit(), int(s) if s.isdigit() else 0, s))


@dataclass(slots=True)
class _Tally:
    studies: set[str] = field(default_factory=set)
    methods: set[str] = field(default_factory=set)
    kinds: set[str] = field(default_factory=set)
    repositories: set[str] = field(default_factory=set)
    species: set[str] = field(default_factory=set)
    samples: set[str] = field(default_factory=set)
    rows: int = 0


def detected_in(
    session: Session,
    node_id: str,
    mapping: SourceMapping,
    filters: CargoFilter,
    *,
    limit: int | None = None,
) -> list[CargoDetectionRead]:
    """Molecules detected in the EVs of ``node_id``, most independent studies first."""
    samples = samples_of(session, node_id, mapping)
    if not samples:
        return []
    query = (
        select(
            CargoRow.molecule,
            CargoRow.molecule_kind,
            CargoRow.study,
            CargoRow.method,
            CargoRow.repository,
            func.count(),
        )
        .where(CargoRow.sample_name.in_(samples), CargoRow.molecule.is_not(None))
        .where(*_conditions(filters))
        .group_by(
            CargoRow.molecule,
            CargoRow.molecule_kind,
            CargoRow.study,
            CargoRow.method,
            CargoRow.repository,
        )
    )
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    for molecule, kind, study, method, repository, rows in session.execute(query):
        if molecule is None:  # excluded by the query; for the type checker
            continue
        t = tallies[molecule]
        if study is not None:
            t.studies.add(study)
        t.methods.add(method)
        t.kinds.add(kind)
        t.repositories.add(repository)
        t.rows += rows
    found = [
        CargoDetectionRead(
            molecule=molecule,
            kinds=sorted(t.kinds),
            studies=len(t.studies),
            methods=sorted(t.methods),
            repositories=sorted(t.repositories),
            pmids=_sorted_studies(t.studies),
            rows=t.rows,
        )
        for molecule, t in tallies.items()
    ]
    found.sort(key=lambda d: (-d.studies, -d.rows, d.molecule))
    return found[:limit] if limit is not None else found


def carriers_of(
    session: Session,
    molecule: str,
    kb: KnowledgeBase,
    mapping: SourceMapping,
    filters: CargoFilter,
    *,
    include_unmapped: bool = False,
) -> list[CargoCarrierRead]:
    """EV sources in whose vesicles ``molecule`` was detected, most studies first."""
    keys = molecule_keys(molecule)
    if not keys:
        return []
    query = (
        select(
            CargoRow.sample_name,
            CargoRow.study,
            CargoRow.method,
            CargoRow.species,
            func.count(),
        )
        .where(CargoRow.molecule.in_(keys))
        .where(*_conditions(filters))
        .group_by(CargoRow.sample_name, CargoRow.study, CargoRow.method, CargoRow.species)
    )
    tallies: dict[tuple[str | None, str], _Tally] = defaultdict(_Tally)
    for sample, study, method, species, rows in session.execute(query):
        rule = mapping.match(sample)
        node = rule.node if rule is not None else None
        if node is None and not include_unmapped:
            continue
        t = tallies[(node, source_name(node, kb, mapping) if node else sample)]
        if study is not None:
            t.studies.add(study)
        t.methods.add(method)
        t.species.add(species)
        t.samples.add(sample)
        t.rows += rows
    found = [
        CargoCarrierRead(
            node_id=node,
            source_name=name,
            sample_names=sorted(t.samples),
            studies=len(t.studies),
            methods=sorted(t.methods),
            species=sorted(t.species),
            pmids=_sorted_studies(t.studies),
            rows=t.rows,
        )
        for (node, name), t in tallies.items()
    ]
    found.sort(key=lambda c: (-c.studies, -c.rows, c.source_name))
    return found


def source_table(
    session: Session, mapping: SourceMapping, *, unmapped_only: bool = False
) -> list[CargoSourceRead]:
    """Every sample name with its rows, studies and mapped node, most rows first."""
    query = select(
        CargoRow.sample_name, func.count(), func.count(distinct(CargoRow.study))
    ).group_by(CargoRow.sample_name)
    out = []
    for sample, rows, studies in session.execute(query):
        rule = mapping.match(sample)
        if unmapped_only and rule is not None:
            continue
        out.append(
            CargoSourceRead(
                sample_name=sample,
                rows=rows,
                studies=studies,
                node_id=rule.node if rule is not None else None,
                reviewed=rule is not None,
                note=rule.note if rule is not None else "",
            )
        )
    out.sort(key=lambda s: (-s.rows, s.sample_name))
    return out
