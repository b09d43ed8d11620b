"""The nomenclature gate: what a batch may be called on its label and certificate.

MISEV2018 section 1 (Théry et al. 2018, doi:10.1080/20013078.2018.1535750) and MISEV2023
(Welsh et al. 2024, doi:10.1002/jev2.12404): "exosomes" only when endosomal
biogenesis is demonstrated, otherwise an operational term — "small EVs" (< 200 nm,
MISEV2023 Table 2) or "EVs"; plant material is named "<Latin name> <part> Vesicles" (INCI
naming practice of the Personal Care Products Council's International Cosmetic Ingredient
Dictionary), never exosomes. The rules themselves live in
:mod:`exoderm.evidence.misev`; this module applies them to a batch.
"""

from __future__ import annotations

from dataclasses import dataclass

from exoderm.evidence.misev import check_nomenclature
from exoderm.qc.distribution import SMALL_EV_LIMIT_NM
from exoderm.qc.facts import BatchFacts


@dataclass(frozen=True)
class NameVerdict:
    allowed_term: str
    reason: str
    findings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.findings


def allowed_term(facts: BatchFacts) -> tuple[str, str]:
    r = facts.record
    if r.source.kind == "plant":
        return "vesicles", "plant material is named '<Latin name> <part> Vesicles' (INCI)"
    if r.biogenesis_evidence == "endosomal_demonstrated":
        return "exosomes", "endosomal biogenesis demonstrated"
    mode = facts.mode_nm
    if mode is not None and mode >= SMALL_EV_LIMIT_NM:
        return "EVs", f"mode {mode:g} nm ≥ {SMALL_EV_LIMIT_NM:g} nm: not small EVs"
    return "small EVs", "no biogenesis evidence: operational term by size (MISEV2023)"


def nomenclature_gate(facts: BatchFacts) -> NameVerdict:
    """The term the batch may use, and the naming rules its product name breaks."""
    term, reason = allowed_term(facts)
    r = facts.record
    findings = check_nomenclature(
        r.product,
        plant_source=r.source.kind == "plant",
        endosomal_origin_shown=r.biogenesis_evidence == "endosomal_demonstrated",
    )
    return NameVerdict(
        term,
        reason,
        tuple(f"'{f.found}' in product name: {f.advice} ({f.rule.source})" for f in findings),
    )
