"""Particle:protein purity ratio and its tiers.

Webber & Clayton, "How pure are your vesicles?", J Extracell Vesicles 2:19861 (2013),
PMID 24009896: particles (NTA) per µg protein (BCA) falls when contaminating protein is
spiked in. Tiers as commonly quoted from that paper, **not yet verified** against its text
(PMC3760653; verify before relying on them): > 3×10¹⁰ high purity; 2×10⁹–2×10¹⁰ low
purity; < 1.5×10⁹ impure. The gaps between published tiers are reported as
"intermediate". Engineered or protein-loaded EVs lower the ratio without being less pure.
"""

from __future__ import annotations

from typing import Literal

PurityTier = Literal["high purity", "intermediate", "low purity", "impure"]
HIGH_PURITY = 3e10
LOW_PURITY_RANGE = (2e9, 2e10)
IMPURE_BELOW = 1.5e9
SOURCE = "Webber & Clayton 2013, PMID 24009896 (tiers not yet verified against the paper)"


def purity_tier(particles_per_ug: float) -> PurityTier:
    """The Webber & Clayton tier of a particle:protein ratio."""
    if particles_per_ug > HIGH_PURITY:
        return "high purity"
    if particles_per_ug < IMPURE_BELOW:
        return "impure"
    low, high = LOW_PURITY_RANGE
    if low <= particles_per_ug <= high:
        return "low purity"
    return "intermediate"
