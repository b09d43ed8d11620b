"""The MISEV protein-marker ontology and EV nomenclature rules, for quality control.

Why: MISEV2018 (Théry et al., J Extracell Vesicles 7:1535750, 2018,
doi:10.1080/20013078.2018.1535750) asks every EV preparation to show at least one
transmembrane (category 1) and one cytosolic (category 2) EV protein and to assess
contaminants (category 3), and to report other-compartment proteins (category 4) and
co-recovered secreted proteins (category 5) where they apply. Quality control classifies
the proteins a batch reports with :func:`category_of`. MISEV2023 (Welsh et al., JEV
13:e12404, 2024, doi:10.1002/jev2.12404) keeps "EV" as the generic term and restricts
"exosome" to preparations whose endosomal origin is shown (:func:`nomenclature_rules`).

The marker table ships as ``data/misev_markers.yaml``; every row carries a confidence
flag (V verified against Théry et al. 2018, MISEV2018 Table 3, doi:10.1080/20013078.2018.1535750;
U unverified sub-category gene lists).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

import yaml

_SOURCE_MISEV2018 = "MISEV2018 Table 3 (Théry 2018, doi:10.1080/20013078.2018.1535750)"


class MarkerCategory(StrEnum):
    """MISEV2018 Table 3 protein categories (Théry et al. 2018, PMC6322352)."""

    C1A = "1a"
    C1B = "1b"
    C2A = "2a"
    C2B = "2b"
    C3A = "3a"
    C3B = "3b"
    C4A = "4a"
    C4B = "4b"
    C4C = "4c"
    C4D = "4d"
    C5A = "5a"
    C5B = "5b"

    @property
    def group(self) -> int:
        """The top-level category number (1–5)."""
        return int(self.value[0])

    @property
    def is_ev_identity(self) -> bool:
        """True for 1a, 1b and 2a: proteins that count as evidence of EV identity.

        2b proteins (HSPA8, GAPDH, actins, tubulins) are incorporated promiscuously and
        do not count (MISEV2018 Table 3, category 2b; Théry et al. 2018, PMC6322352).
        """
        return self in (MarkerCategory.C1A, MarkerCategory.C1B, MarkerCategory.C2A)

    @property
    def is_purity_control(self) -> bool:
        """True for 3a–4d: proteins whose absence or depletion shows purity."""
        return self.group in (3, 4)


@dataclass(frozen=True)
class MarkerEntry:
    """One protein (or gene family) of the MISEV2018 marker table."""

    protein: str
    gene: str | None
    category: MarkerCategory
    meaning: str
    source: str
    synonyms: tuple[str, ...] = ()
    gene_pattern: str | None = None
    confidence: str = "U"


@dataclass(frozen=True)
class NomenclatureRule:
    """A naming rule for vesicle preparations and the source that states it."""

    id: str
    term: str
    rule: str
    preferred: str
    discouraged: tuple[str, ...]
    applies_to: str
    source: str


@dataclass(frozen=True)
class NomenclatureFinding:
    """A naming rule a text breaks, with the offending word."""

    rule: NomenclatureRule
    found: str
    advice: str = field(default="")


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-–—]+", "", text.strip().lower())


@cache
def _raw() -> dict[str, Any]:
    text = (
        resources.files("exoderm.evidence").joinpath("data/misev_markers.yaml").read_text("utf-8")
    )
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def category_meaning(category: MarkerCategory | str) -> str:
    """What a category means for a preparation (MISEV2018 Table 3)."""
    return str(_raw()["categories"][MarkerCategory(category).value])


@cache
def _entries() -> tuple[MarkerEntry, ...]:
    raw = _raw()
    out: list[MarkerEntry] = []
    for row in raw["markers"]:
        cat = MarkerCategory(row["category"])
        meaning = category_meaning(cat)
        if row.get("note"):
            meaning = f"{meaning}. Note: {row['note']}"
        out.append(
            MarkerEntry(
                protein=row["protein"],
                gene=row.get("gene"),
                category=cat,
                meaning=meaning,
                source=f"{_SOURCE_MISEV2018}; PMC6322352, via PMC9465297 Table 3 "
                f"[{row['confidence']}]",
                synonyms=tuple(str(s) for s in row.get("synonyms", [])),
                gene_pattern=row.get("pattern"),
                confidence=row["confidence"],
            )
        )
    return tuple(out)


def markers() -> list[MarkerEntry]:
    """Every MISEV2018 marker entry, in table order (1a … 5b)."""
    return list(_entries())


@cache
def _exact_index() -> dict[str, MarkerEntry]:
    index: dict[str, MarkerEntry] = {}
    for entry in _entries():
        for name in (entry.protein, entry.gene, *entry.synonyms):
            if name:
                index.setdefault(_norm(name), entry)
    return index


def marker(protein_or_gene: str) -> MarkerEntry | None:
    """The marker entry for a protein name, HGNC symbol or synonym (case-insensitive).

    Exact names win over gene-family patterns, so ACTN4 (4d) is not taken for an actin
    (2b) and GOLGA2 is found as GM130.
    """
    key = _norm(protein_or_gene)
    if not key:
        return None
    hit = _exact_index().get(key)
    if hit is not None:
        return hit
    symbol = protein_or_gene.strip().upper()
    for entry in _entries():
        if entry.gene_pattern and re.fullmatch(entry.gene_pattern, symbol):
            return entry
    return None


def category_of(protein_or_gene: str) -> MarkerCategory | None:
    """The MISEV2018 category of a protein or gene, or ``None`` when it is not listed."""
    entry = marker(protein_or_gene)
    return entry.category if entry else None


_RULES: tuple[NomenclatureRule, ...] = (
    NomenclatureRule(
        id="ev-generic-term",
        term="extracellular vesicle (EV)",
        rule="'EV' is the generic term for lipid-bilayer particles released from cells that "
        "cannot replicate; use it unless a subtype's origin is shown.",
        preferred="extracellular vesicles (EVs)",
        discouraged=(),
        applies_to="all",
        source="MISEV2018 §nomenclature (Théry et al. 2018, doi:10.1080/20013078.2018.1535750); "
        "MISEV2023 Table 2 (Welsh et al. 2024, doi:10.1002/jev2.12404)",
    ),
    NomenclatureRule(
        id="exosome-needs-biogenesis",
        term="exosome",
        rule="Call a preparation 'exosomes' only when its endosomal (multivesicular-body) "
        "biogenesis is demonstrated; otherwise use 'EV' or an operational term such as "
        "'small EV'.",
        preferred="small EVs (sEVs)",
        discouraged=("exosome", "exosomes", "microvesicle", "microvesicles"),
        applies_to="all",
        source="MISEV2018 (Théry et al. 2018, doi:10.1080/20013078.2018.1535750); MISEV2023 "
        "(Welsh et al. 2024, doi:10.1002/jev2.12404) and its editorial (Welsh et al., J "
        "Extracell Vesicles 2024, doi:10.1002/jev2.12416); corrects the whitepaper's "
        "'exosomes, 30-150 nm'",
    ),
    NomenclatureRule(
        id="size-classes",
        term="small EV / large EV",
        rule="Operational size classes: small EVs are often described as < 200 nm and large "
        "EVs as > 200 nm; the measured diameter depends on the method, so state it.",
        preferred="sEV (< 200 nm) / lEV (> 200 nm), with the sizing method",
        discouraged=(),
        applies_to="all",
        source="MISEV2023 Table 2 (Welsh et al. 2024, doi:10.1002/jev2.12404)",
    ),
    NomenclatureRule(
        id="nvep",
        term="non-vesicular extracellular particle (NVEP)",
        rule="Multimolecular assemblies released without a lipid bilayer (e.g. exomeres, "
        "supermeres) are NVEPs, not EVs; 'extracellular particles' (EPs) covers both.",
        preferred="NVEPs / EPs",
        discouraged=(),
        applies_to="all",
        source="MISEV2023 Table 2 (Welsh et al. 2024, doi:10.1002/jev2.12404)",
    ),
    NomenclatureRule(
        id="ev-mimetic",
        term="EV mimetic",
        rule="Particles made by direct artificial manipulation are EV mimetics (artificial "
        "cell-derived vesicles, synthetic vesicles); prefer this to 'exosome-like vesicles'.",
        preferred="EV mimetic / ACDV / synthetic vesicle",
        discouraged=("exosome-like vesicles", "exosome-like vesicle"),
        applies_to="all",
        source="MISEV2023 Table 2 (Welsh et al. 2024, doi:10.1002/jev2.12404)",
    ),
    NomenclatureRule(
        id="plant-vesicles",
        term="plant-derived vesicles",
        rule="Plant material is named '<Latin plant name> <part> Vesicles' or '… Extracellular "
        "Vesicles' (e.g. 'Dendropanax Morbiferus Leaf Vesicles'), never 'exosomes'.",
        preferred="<Latin name> <part> Vesicles",
        discouraged=(
            "exosome",
            "exosomes",
            "pexosome",
            "pexosomes",
            "plant exosome",
            "plant exosomes",
            "plant-derived exosomes",
        ),
        applies_to="plant",
        source="INCI naming practice for vesicles per zmuni (secondary [S]), https://www.zmuni.com/"
        "en/news/navigatingcomplianceforplantderivedvesiclesandexosomelikeing/; corrects the "
        "whitepaper's 'pExosomes'",
    ),
    NomenclatureRule(
        id="misev-current",
        term="MISEV2023",
        rule="MISEV2023 is the current guideline (superseding MISEV2014 and MISEV2018); cite it "
        "when claiming guideline compliance.",
        preferred="MISEV2023",
        discouraged=(),
        applies_to="all",
        source="Welsh et al., J Extracell Vesicles 13:e12404 (2024), doi:10.1002/jev2.12404; "
        "corrects the whitepaper's 'MISEV guidelines in 2014 and 2018'",
    ),
)


def nomenclature_rules() -> list[NomenclatureRule]:
    """The EV naming rules (MISEV2018/2023 nomenclature; INCI plant-vesicle naming)."""
    return list(_RULES)


def check_nomenclature(
    text: str, *, plant_source: bool = False, endosomal_origin_shown: bool = False
) -> list[NomenclatureFinding]:
    """Naming rules a product or batch name breaks.

    A plant preparation may never be called an exosome; a mammalian one only when its
    endosomal origin is shown (``endosomal_origin_shown``).
    """
    lowered = text.lower()
    findings: list[NomenclatureFinding] = []
    for rule in _RULES:
        if rule.applies_to == "plant" and not plant_source:
            continue
        if rule.id == "exosome-needs-biogenesis" and (endosomal_origin_shown or plant_source):
            continue
        for word in sorted(rule.discouraged, key=len, reverse=True):
            if re.search(rf"\b{re.escape(word)}\b", lowered):
                findings.append(NomenclatureFinding(rule, word, f"use '{rule.preferred}'"))
                break
    return findings
