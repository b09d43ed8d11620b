"""The facts about one batch that checks and specifications read.

A batch record plus its measurements is turned into plain values once (which particle
measurement counts, the size fractions, the particle:protein ratio), so every check reads
the same numbers and the certificate shows where each came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from exoderm.qc.batch import BatchRecord
from exoderm.qc.distribution import DistributionStats, bin_edges, fraction_between, number_stats
from exoderm.qc.measurement import ParticleMeasurement

#: Methods that count single particles (MISEV2018 "non-image single-particle method",
#: Théry et al. 2018 Table 3); DLS is an ensemble method and does not count.
SINGLE_PARTICLE_METHODS = frozenset({"NTA", "TRPS", "flow"})


@dataclass(frozen=True)
class BatchFacts:
    """A batch record with its measurements and the derived numbers checks need."""

    record: BatchRecord
    measurements: tuple[ParticleMeasurement, ...]
    counter: ParticleMeasurement | None
    stats: DistributionStats | None
    fraction_50_400: float | None

    @property
    def particles_per_ml(self) -> float | None:
        return self.counter.stock_concentration_per_ml if self.counter else None

    @property
    def particles_per_ug_protein(self) -> float | None:
        """Particle:protein ratio (Webber & Clayton 2013, PMID 24009896)."""
        if self.particles_per_ml is None or self.record.protein is None:
            return None
        return self.particles_per_ml / self.record.protein.ug_per_ml

    @property
    def mode_nm(self) -> float | None:
        if self.counter and self.counter.mode_nm is not None:
            return self.counter.mode_nm
        return self.stats.mode_nm if self.stats else None


def measurement_label(m: ParticleMeasurement) -> str:
    """How a criterion names the measurement it used: method, instrument, file."""
    name = Path(m.source_file).name if m.source_file else (m.sample_name or "no file")
    return f"{m.method} {m.instrument} ({name})"


def _preference(m: ParticleMeasurement) -> tuple[bool, bool, str, str, str]:
    """Clean data first (no instrument warning, dilution known), then a stable tie-break."""
    return (
        bool(m.warnings),
        not m.dilution_recorded,
        m.instrument,
        m.source_sha256 or "",
        m.source_file or "",
    )


def single_particle_measurement(
    measurements: Sequence[ParticleMeasurement],
) -> ParticleMeasurement | None:
    """The single-particle count the size and concentration criteria use.

    Chosen by content, never by import order (so importing two files in either order gives
    the same decision): a measurement without instrument warnings and with a recorded
    dilution first, then by instrument and file hash. Every other measurement is still
    compared with it (:func:`exoderm.qc.decision.evaluate`, kind ``orthogonal``).
    """
    counted = [
        m
        for m in measurements
        if m.method in SINGLE_PARTICLE_METHODS and m.concentration_per_ml is not None
    ]
    return min(counted, key=_preference) if counted else None


def gather(record: BatchRecord, measurements: Sequence[ParticleMeasurement]) -> BatchFacts:
    """Derive the facts of a batch (measurements in recording order)."""
    counter = single_particle_measurement(measurements)
    stats = fraction = None
    if counter is not None and counter.bins and sum(b.weight for b in counter.bins) > 0:
        stats = number_stats(counter.bins)
        lower, upper = bin_edges(counter.bins)
        weights = np.array([b.weight for b in counter.bins])
        fraction = fraction_between(lower, upper, weights, 50.0, 400.0)
    return BatchFacts(record, tuple(measurements), counter, stats, fraction)
