"""An EV-METRIC-style transparency score.

EV-METRIC (EV-TRACK, Van Deun et al., Nat Methods 14:228, 2017, doi:10.1038/nmeth.4185)
scores nine reporting components; UC specifics, antibody specifics and lysate preparation
apply only when the method was used (JEV 2019 add-on, doi:10.1080/20013078.2019.1699367).
Score = round(100 × fulfilled / applicable), which reproduces the percentages published on
evtrack.org (values fall on k/5 … k/9). The component names follow Van Deun et al. 2017
Fig. 3a as read, not an official list: this is "EV-METRIC-style", not the official score.
"""

from __future__ import annotations

from dataclasses import dataclass

from exoderm.qc.facts import SINGLE_PARTICLE_METHODS, BatchFacts
from exoderm.qc.misev_checklist import marker_category
from exoderm.qc.separation import DENSITY_GRADIENT_METHODS, ULTRACENTRIFUGATION_METHODS

ANTIBODY_METHODS = ("blot", "elisa", "flow", "immuno", "bead")


@dataclass(frozen=True)
class MetricComponent:
    name: str
    applicable: bool
    fulfilled: bool


@dataclass(frozen=True)
class EvMetric:
    components: tuple[MetricComponent, ...]

    @property
    def applicable(self) -> int:
        return sum(c.applicable for c in self.components)

    @property
    def fulfilled(self) -> int:
        return sum(c.applicable and c.fulfilled for c in self.components)

    @property
    def score(self) -> int:
        """Percent of applicable components fulfilled, rounded as EV-TRACK does."""
        return round(100 * self.fulfilled / self.applicable) if self.applicable else 0


def ev_metric(facts: BatchFacts) -> EvMetric:
    r = facts.record
    cats = [(m, marker_category(m)) for m in r.markers]
    methods = {s.strip().lower() for s in r.separation + r.concentration_methods}
    antibody = any(k in m.method.lower() for m in r.markers for k in ANTIBODY_METHODS)
    blot = any("blot" in m.method.lower() for m in r.markers)
    em = [i for i in r.imaging if "em" in i.method.lower()]
    parts = [
        (
            "EV-enriched proteins shown",
            True,
            any(c is not None and c.is_ev_identity and m.present for m, c in cats),
        ),
        (
            "non-EV proteins (negative markers) shown",
            True,
            any(c is not None and c.is_purity_control for m, c in cats),
        ),
        (
            "EM, wide-field and close-up",
            True,
            any(i.wide_field for i in em) and any(i.close_up for i in em),
        ),
        (
            "EM or quantitative particle analysis",
            True,
            bool(em) or any(m.method in SINGLE_PARTICLE_METHODS for m in facts.measurements),
        ),
        ("density gradient used", True, bool(methods & DENSITY_GRADIENT_METHODS)),
        ("protocol details reported", True, r.reporting.protocol_details_reported),
        (
            "ultracentrifugation specifics",
            bool(methods & ULTRACENTRIFUGATION_METHODS),
            bool(r.reporting.uc_specifics_reported),
        ),
        ("antibody specifics", antibody, bool(r.reporting.antibody_specifics_reported)),
        ("lysate preparation", blot, bool(r.reporting.lysate_preparation_reported)),
    ]
    return EvMetric(tuple(MetricComponent(n, a, f) for n, a, f in parts))
