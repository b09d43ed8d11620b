"""Number-weighted statistics of a binned size distribution.

Used when an instrument does not print a value (ViewSizer, ZetaView, generic CSV) and to
derive the size fractions the release specification tests. Conventions:

- mean and SD are weighted by bin concentration (count) at the bin centre; the SD is the
  population SD, which reproduces NanoSight's printed SD from its 1-nm ``Graph Data``
  (checked on NanoSight NTA 3.2 and 3.4 ExperimentSummary exports);
- D10/D50/D90 interpolate the cumulative distribution linearly inside bins with edges
  at the bin bounds (NTA 3.4 agrees with this to ≤ 0.04 nm on the same exports); span =
  (D90 − D10)/D50, the usual width measure of a particle size distribution;
- fractions in a size window assume particles are spread uniformly within each bin:
  30–150 nm is the literature "exosome" range and < 200 nm the MISEV2023 small-EV class
  (MISEV2023, Welsh et al. 2024, doi:10.1002/jev2.12404, Table 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from exoderm.qc.measurement import SizeBin

EXOSOME_RANGE_NM = (30.0, 150.0)
SMALL_EV_LIMIT_NM = 200.0


@dataclass(frozen=True)
class DistributionStats:
    """Summary of a number-weighted size distribution."""

    total: float
    mean_nm: float
    sd_nm: float
    mode_nm: float
    d10_nm: float
    d50_nm: float
    d90_nm: float
    span: float
    fraction_30_150: float
    fraction_below_200: float


def bin_edges(bins: Sequence[SizeBin]) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper edges; missing edges are placed half-way between bin centres."""
    centres = np.array([b.centre_nm for b in bins], dtype=float)
    if len(centres) == 1:
        half = np.array([0.5])
    else:
        gaps = np.diff(centres)
        half = np.concatenate([[gaps[0]], (gaps[:-1] + gaps[1:]) / 2, [gaps[-1]]]) / 2
    lower = np.array(
        [
            b.lower_nm if b.lower_nm is not None else c - h
            for b, c, h in zip(bins, centres, half, strict=True)
        ]
    )
    upper = np.array(
        [
            b.upper_nm if b.upper_nm is not None else c + h
            for b, c, h in zip(bins, centres, half, strict=True)
        ]
    )
    return lower, upper


def percentile_nm(lower: np.ndarray, upper: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The size below which a fraction ``q`` of the particles lie (linear within bins)."""
    cumulative = np.concatenate([[0.0], np.cumsum(weights)])
    target = q * cumulative[-1]
    i = int(np.searchsorted(cumulative, target, side="left"))
    i = min(max(i, 1), len(weights))
    below, inside = cumulative[i - 1], weights[i - 1]
    if inside <= 0:
        return float(lower[i - 1])
    return float(lower[i - 1] + (target - below) / inside * (upper[i - 1] - lower[i - 1]))


def fraction_between(
    lower: np.ndarray, upper: np.ndarray, weights: np.ndarray, lo: float, hi: float
) -> float:
    """Share of particles with a size in [lo, hi), counting partial bins proportionally."""
    width = np.where(upper > lower, upper - lower, 1.0)
    overlap = np.clip(np.minimum(upper, hi) - np.maximum(lower, lo), 0, None) / width
    total = weights.sum()
    return float((weights * overlap).sum() / total) if total > 0 else 0.0


def number_stats(bins: Sequence[SizeBin]) -> DistributionStats:
    """Mean, SD, mode, D10/D50/D90, span and size fractions of ``bins``."""
    if not bins:
        raise ValueError("no bins")
    centres = np.array([b.centre_nm for b in bins], dtype=float)
    weights = np.array([b.weight for b in bins], dtype=float)
    total = float(weights.sum())
    if total <= 0:
        raise ValueError("the distribution is empty (all bins are zero)")
    lower, upper = bin_edges(bins)
    mean = float((centres * weights).sum() / total)
    sd = float(np.sqrt((weights * (centres - mean) ** 2).sum() / total))
    d10, d50, d90 = (percentile_nm(lower, upper, weights, q) for q in (0.1, 0.5, 0.9))
    return DistributionStats(
        total=total,
        mean_nm=mean,
        sd_nm=sd,
        mode_nm=float(centres[int(np.argmax(weights))]),
        d10_nm=d10,
        d50_nm=d50,
        d90_nm=d90,
        span=(d90 - d10) / d50 if d50 > 0 else float("nan"),
        fraction_30_150=fraction_between(lower, upper, weights, *EXOSOME_RANGE_NM),
        fraction_below_200=fraction_between(lower, upper, weights, 0.0, SMALL_EV_LIMIT_NM),
    )


__all__ = [
    "EXOSOME_RANGE_NM",
    "SMALL_EV_LIMIT_NM",
    "DistributionStats",
    "bin_edges",
    "fraction_between",
    "number_stats",
    "percentile_nm",
]
