"""The MISEV2018 characterisation checklist for one batch.

Requirements as reproduced in PMC9465297 Table 3 from MISEV2018 (Théry et al. 2018,
doi:10.1080/20013078.2018.1535750, Table 3 and section 4) and the marker rule of MISEV2018
Table 3 as summarised in PMC8581208 Table 1: at least one transmembrane/GPI protein (category
1), one cytosolic EV-enriched protein (2a; 2b proteins such as GAPDH or HSPA8 do not count),
one expected contaminant assessed (categories 3–4), category 4 when claiming a subtype
(exosomes) and 5 when functional claims involve soluble factors; global quantification by two
methods and their ratio; single-EV imaging wide-field and close-up *and* a single-particle
counter.

Protein categories come from the evidence engineer's ontology
(:func:`exoderm.evidence.misev.category_of`); none is duplicated here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from exoderm.evidence.misev import MarkerCategory, category_of
from exoderm.qc.batch import BatchRecord, MarkerResult
from exoderm.qc.facts import SINGLE_PARTICLE_METHODS, BatchFacts

Status = Literal["met", "not met", "not applicable"]
SOURCE = "MISEV2018 (doi:10.1080/20013078.2018.1535750) via PMC9465297 Table 3"
IMAGING_METHODS = ("tem", "cryo-em", "cryo-tem", "sem", "afm", "super-resolution", "immuno-em")


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    requirement: str
    status: Status
    evidence: str
    mandatory: bool = True
    source: str = SOURCE


@dataclass(frozen=True)
class Checklist:
    items: tuple[ChecklistItem, ...]

    @property
    def passed(self) -> bool:
        return all(i.status != "not met" for i in self.items if i.mandatory)

    @property
    def reasons(self) -> list[str]:
        """Why the checklist fails: one line per unmet mandatory item."""
        return [
            f"{i.requirement}: {i.evidence}"
            for i in self.items
            if i.mandatory and i.status == "not met"
        ]


def marker_category(marker: MarkerResult) -> MarkerCategory | None:
    """The marker's MISEV category: as entered, else from the ontology."""
    if marker.category:
        try:
            return MarkerCategory(marker.category)
        except ValueError:
            return None
    return category_of(marker.protein)


def _names(markers: list[MarkerResult]) -> str:
    return ", ".join(m.protein for m in markers) or "none"


def _markers(record: BatchRecord) -> list[ChecklistItem]:
    cats = [(m, marker_category(m)) for m in record.markers]
    cat1 = [m for m, c in cats if c is not None and c.group == 1 and m.present]
    cat2 = [m for m, c in cats if c is MarkerCategory.C2A and m.present]
    purity = [m for m, c in cats if c is not None and c.is_purity_control]
    cat4 = [m for m, c in cats if c is not None and c.group == 4]
    cat5 = [m for m, c in cats if c is not None and c.group == 5]
    subtype_claim = record.biogenesis_evidence != "none"
    soluble_claim = record.potency is not None
    return [
        ChecklistItem(
            "marker_cat1",
            "category 1 transmembrane/GPI protein present",
            "met" if cat1 else "not met",
            f"present: {_names(cat1)}" if cat1 else "no category 1 protein shown",
        ),
        ChecklistItem(
            "marker_cat2",
            "category 2a cytosolic EV protein present",
            "met" if cat2 else "not met",
            f"present: {_names(cat2)}"
            if cat2
            else "no category 2a protein shown (2b such as GAPDH/HSPA8 does not count)",
        ),
        ChecklistItem(
            "marker_cat3",
            "expected contaminant (category 3/4) assessed",
            "met" if purity else "not met",
            f"assessed: {_names(purity)}"
            if purity
            else "no negative/contaminant protein (e.g. calnexin, GM130, APOA1) assessed",
        ),
        ChecklistItem(
            "marker_cat4",
            "category 4 protein assessed when claiming a subtype",
            ("met" if cat4 else "not met") if subtype_claim else "not applicable",
            f"assessed: {_names(cat4)}" if cat4 else "no subtype (exosome) claim",
            mandatory=subtype_claim,
        ),
        ChecklistItem(
            "marker_cat5",
            "category 5 soluble protein assessed for functional claims",
            ("met" if cat5 else "not met") if soluble_claim else "not applicable",
            f"assessed: {_names(cat5)}"
            if cat5
            else "recommended when potency may come from co-isolated soluble factors",
            mandatory=False,
        ),
    ]


def _quantification(facts: BatchFacts) -> list[ChecklistItem]:
    r = facts.record
    methods = [
        name
        for name, ok in (
            ("particle number", facts.particles_per_ml is not None),
            ("protein", r.protein is not None),
            ("lipid", r.lipid is not None),
        )
        if ok
    ]
    ratio = facts.particles_per_ug_protein
    lipid_ratio = r.lipid is not None and facts.particles_per_ml is not None
    return [
        ChecklistItem(
            "input_amount",
            "volume of fluid / cell number / tissue mass reported",
            "met" if r.production.input_volume_ml else "not met",
            f"{r.production.input_volume_ml} mL conditioned medium"
            if r.production.input_volume_ml
            else "input amount not recorded",
        ),
        ChecklistItem(
            "two_quantifications",
            "global quantification by at least two methods",
            "met" if len(methods) >= 2 else "not met",
            f"{', '.join(methods) or 'none'}",
        ),
        ChecklistItem(
            "quantification_ratio",
            "ratio of the two quantifications",
            "met" if ratio is not None or lipid_ratio else "not met",
            f"{ratio:.3g} particles/µg protein"
            if ratio is not None
            else ("particle:lipid" if lipid_ratio else "no ratio can be formed"),
        ),
    ]


def _single_vesicle(facts: BatchFacts) -> list[ChecklistItem]:
    images = [
        i for i in facts.record.imaging if any(k in i.method.lower() for k in IMAGING_METHODS)
    ]
    wide = any(i.wide_field for i in images)
    close = any(i.close_up for i in images)
    counters = sorted({m.method for m in facts.measurements if m.method in SINGLE_PARTICLE_METHODS})
    if not images:
        img_evidence = "no single-vesicle imaging (TEM, cryo-EM, AFM) recorded"
    elif not (wide and close):
        img_evidence = f"{images[0].method} lacks {'wide-field' if not wide else 'close-up'} images"
    else:
        img_evidence = ", ".join(sorted({i.method for i in images})) + " (wide-field and close-up)"
    return [
        ChecklistItem(
            "single_vesicle_imaging",
            "single-EV imaging, wide-field and close-up",
            "met" if images and wide and close else "not met",
            img_evidence,
        ),
        ChecklistItem(
            "single_particle_counter",
            "non-imaging single-particle method",
            "met" if counters else "not met",
            ", ".join(counters) if counters else "no NTA/TRPS/flow measurement",
        ),
        ChecklistItem(
            "topology",
            "topology of functional components",
            "met" if facts.record.topology else "not met",
            facts.record.topology or "not assessed (encouraged)",
            mandatory=False,
        ),
    ]


def misev_checklist(facts: BatchFacts) -> Checklist:
    """Evaluate the MISEV2018 characterisation checklist for a batch."""
    return Checklist(
        tuple(_quantification(facts) + _markers(facts.record) + _single_vesicle(facts))
    )
