"""Reading the curated knowledge shipped in ``exoderm/evidence/data``.

Why: the whitepaper and the primary literature curated against it (every claim names its
source) are the system's knowledge; they ship as versioned YAML files (see
``docs/evidence.md`` for the layout) that are loaded into memory — never copied into the
database — so a new release of the package is a new version of the knowledge. Every
dermal-effect item becomes a ``part_of`` claim linking its node to its application area,
quoting the item and its line in the whitepaper.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any

import yaml

from exoderm.evidence.doi import normalise_doi
from exoderm.evidence.model import Claim, EvidenceLevel, Node, NodeKind, Predicate, Reference

DATA_FILES = (
    "nodes.yaml",
    "references.yaml",
    "glossary.yaml",
    "areas.yaml",
    "claims_whitepaper.yaml",
    "claims_literature.yaml",
)

#: Folder of topic files of primary-literature claims (each with its own nodes, references
#: and claims, and the effects searched without finding primary evidence).
LITERATURE_DIR = "literature"

WHITEPAPER_REFERENCE = "whitepaper"


@dataclass(frozen=True, slots=True)
class GlossaryEntry:
    """An abbreviation and its expansion; ``in_whitepaper`` if the whitepaper lists it."""

    abbreviation: str
    expansion: str
    in_whitepaper: bool
    node: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Figure:
    """A figure caption of the whitepaper (verbatim) and the source it cites."""

    number: int
    caption: str
    reference: str | None
    location: str
    area: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class DermalEffectItem:
    """One item of an area's "Dermal effects" list, as printed, and its node."""

    area: str
    item: str
    node: str
    location: str


@dataclass(frozen=True, slots=True)
class UnevidencedEffect:
    """A dermal effect searched for in the primary literature without finding evidence."""

    node: str
    searched: str
    date: str
    note: str = ""
    topic_file: str = ""


@dataclass(slots=True)
class SeedData:
    version: str
    nodes: list[Node] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    glossary: list[GlossaryEntry] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    effect_items: list[DermalEffectItem] = field(default_factory=list)
    unevidenced: list[UnevidencedEffect] = field(default_factory=list)


def _read(name: str) -> Any:
    text = resources.files("exoderm.evidence").joinpath(f"data/{name}").read_text("utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)


def literature_files() -> list[str]:
    """Names (``literature/<topic>.yaml``) of the shipped topic files, sorted."""
    folder = resources.files("exoderm.evidence").joinpath(f"data/{LITERATURE_DIR}")
    if not folder.is_dir():
        return []
    names = (f.name for f in folder.iterdir() if f.name.endswith(".yaml"))
    return [f"{LITERATURE_DIR}/{name}" for name in sorted(names)]


def _merge_nodes(nodes: list[Node], extra: list[Node], file: str) -> None:
    """Add a topic file's nodes; a node already known must have the same kind."""
    index = {n.id: k for k, n in enumerate(nodes)}
    for node in extra:
        k = index.get(node.id)
        if k is None:
            index[node.id] = len(nodes)
            nodes.append(node)
            continue
        known = nodes[k]
        if known.kind is not node.kind:
            raise ValueError(
                f"{file}: node {node.id!r} is declared as {node.kind.value}, "
                f"but it is already a {known.kind.value}"
            )
        synonyms = tuple(dict.fromkeys((*known.synonyms, *node.synonyms)))
        nodes[k] = replace(known, synonyms=synonyms)


def _merge_references(refs: list[Reference], extra: list[Reference], file: str) -> None:
    """Add a topic file's references; one declared before must be declared identically."""
    known = {r.id: r for r in refs}
    for ref in extra:
        if ref.id not in known:
            known[ref.id] = ref
            refs.append(ref)
        elif known[ref.id] != ref:
            raise ValueError(
                f"{file}: reference {ref.id!r} is declared again with different fields; "
                "declare it once, or identically"
            )


def _merge_claims(claims: list[dict[str, Any]], extra: list[dict[str, Any]], file: str) -> None:
    """Add a topic file's claim rows; a claim id must be new."""
    ids = {str(row["id"]) for row in claims}
    for row in extra:
        if str(row["id"]) in ids:
            raise ValueError(f"{file}: claim id {row['id']!r} is already used; ids are unique")
        ids.add(str(row["id"]))
        claims.append(dict(row))


def _read_literature(data: SeedData) -> None:
    for name in literature_files():
        raw = _read(name) or {}
        _merge_nodes(data.nodes, [node_from(r) for r in raw.get("nodes") or ()], name)
        refs = [reference_from(r) for r in raw.get("references") or ()]
        _merge_references(data.references, refs, name)
        _merge_claims(data.claims, list(raw.get("claims") or ()), name)
        data.unevidenced.extend(
            UnevidencedEffect(
                node=str(r["node"]),
                searched=str(r.get("searched", "")),
                date=str(r.get("date", "")),
                note=str(r.get("note", "") or ""),
                topic_file=name,
            )
            for r in raw.get("no_primary_evidence") or ()
        )


def node_from(row: dict[str, Any]) -> Node:
    return Node(
        id=row["id"],
        kind=NodeKind(row["kind"]),
        name=row["name"],
        synonyms=tuple(str(s) for s in row.get("synonyms") or ()),
        description=row.get("description", "") or "",
        source=row.get("source", "") or "",
    )


def reference_from(row: dict[str, Any]) -> Reference:
    doi = row.get("doi")
    return Reference(
        id=str(row["id"]),
        authors=tuple(row.get("authors") or ()),
        year=row.get("year"),
        title=row.get("title", ""),
        journal=row.get("journal", "") or "",
        volume=str(row.get("volume", "") or ""),
        pages=str(row.get("pages", "") or ""),
        doi=normalise_doi(doi) if doi else None,
        study_type=row.get("study_type", "") or "",
        url=row.get("url"),
        note=row.get("note", "") or "",
        in_whitepaper=bool(row.get("in_whitepaper", False)),
        doi_as_printed=row.get("doi_as_printed"),
        pmid=str(row["pmid"]) if row.get("pmid") else None,
        checked=row.get("checked", "") or "",
    )


def _area_claims(
    areas: list[dict[str, Any]],
) -> tuple[list[DermalEffectItem], list[dict[str, Any]]]:
    items: list[DermalEffectItem] = []
    claims: list[dict[str, Any]] = []
    for area in areas:
        for k, row in enumerate(area["dermal_effects"], start=1):
            item = DermalEffectItem(area["id"], row["item"], row["node"], area["effects_location"])
            items.append(item)
            claims.append(
                {
                    "id": f"wp-{area['id'].split(':')[1]}-effect-{k:02d}",
                    "subject": row["node"],
                    "predicate": "part_of",
                    "object": area["id"],
                    "quote": row["item"],
                    "location": f"whitepaper, {area['name']}, {area['effects_location']}",
                    "area": area["id"],
                    "references": [WHITEPAPER_REFERENCE],
                    "evidence_level": EvidenceLevel.CURATED_ONTOLOGY.value,
                    "notes": "Dermal-effect item listed for this application area.",
                }
            )
    return items, claims


@cache
def load_seed() -> SeedData:
    """Parse every data file once per process."""
    nodes_raw = _read("nodes.yaml")
    data = SeedData(version=str(nodes_raw["version"]))
    data.nodes = [node_from(r) for r in nodes_raw["nodes"]]
    data.references = [reference_from(r) for r in _read("references.yaml")["references"]]
    glossary = _read("glossary.yaml")["abbreviations"]
    data.glossary = [
        GlossaryEntry(
            g["abbreviation"],
            g["expansion"],
            bool(g.get("in_whitepaper")),
            g.get("node"),
            g.get("note", "") or "",
        )
        for g in glossary
    ]
    areas = _read("areas.yaml")
    data.nodes.extend(
        Node(
            a["id"],
            NodeKind.AREA,
            a["name"],
            tuple(a.get("synonyms") or ()),
            a.get("description", ""),
            f"whitepaper, {a['location']}",
        )
        for a in areas["areas"]
    )
    data.nodes.extend(
        Node(
            e["id"],
            NodeKind.DERMAL_EFFECT,
            e["name"],
            tuple(e.get("synonyms") or ()),
            e.get("description", ""),
            "whitepaper, Dermal effects lists",
        )
        for e in areas["effect_nodes"]
    )
    data.figures = [
        Figure(
            f["number"],
            f["caption"],
            f.get("reference"),
            f["location"],
            f["area"],
            f.get("note", "") or "",
        )
        for f in areas["figures"]
    ]
    data.effect_items, area_claims = _area_claims(areas["areas"])
    data.claims = area_claims
    for name in ("claims_whitepaper.yaml", "claims_literature.yaml"):
        raw = _read(name)
        defaults = raw.get("defaults") or {}
        data.claims.extend({**defaults, **row} for row in raw["claims"])
    _read_literature(data)
    return data


def _cited(row: dict[str, Any], refs: dict[str, Reference]) -> tuple[Reference, ...]:
    missing = [r for r in row.get("references") or () if r not in refs]
    if missing:
        raise ValueError(f"claim {row.get('id')!r} cites unknown reference(s) {missing}")
    return tuple(refs[r] for r in row.get("references") or ())


def claim_from(row: dict[str, Any], refs: dict[str, Reference], origin: str = "seed") -> Claim:
    """Build a :class:`Claim` from a validated row (references looked up by id)."""
    return Claim(
        id=str(row["id"]),
        # node ids interned: a million claims read from a database would otherwise hold
        # two million copies of a few thousand ids, and every graph lookup compare them
        subject=sys.intern(str(row["subject"])),
        predicate=Predicate(row["predicate"]),
        object=sys.intern(str(row["object"])),
        negated=bool(row.get("negated", False)),
        quote=row.get("quote", "") or "",
        location=row.get("location", "") or "",
        area=row.get("area"),
        references=_cited(row, refs),
        evidence_level=EvidenceLevel(row.get("evidence_level", "marketing_whitepaper")),
        model_system=row.get("model_system", "") or "",
        notes=row.get("notes", "") or "",
        relevance=float(row.get("relevance", 1.0)),
        downgrades=int(row.get("downgrades", 0)),
        upgrades=int(row.get("upgrades", 0)),
        ev_metric=row.get("ev_metric"),
        effect_size=row.get("effect_size", "") or "",
        origin=origin,
        contradicts=tuple(row.get("contradicts") or ()),
    )
