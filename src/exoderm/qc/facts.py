"""The facts about one batch that checks and specifications read.

A batch record plus its measurements is turned into plain values once (which particle
measurement counts, the size fractions, the particle:protein ratio), so every check reads
the same numbers and the certificate shows where each came from.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from exoderm.qc.batch import BatchRecord
from exoderm.qc.distribution import DistributionStats, bin_edges, fraction_between, number_stats
from exoderm.qc.measurement import ParticleMeasurement

#: Methods that count single particles (MISEV2018 "non-image single-particle method",
#: Théry et al. 2018 Table 3); DLS is an ensemble method and does not count.
SINGLE_PARTICLE_METHODS = frozenset({"NTA", "TRPS", "flow"})


@dataclass(frozen=True)
class Combined:
    """One value over replicate measurements: mean ± standard error of the mean.

    ``se`` is the sample standard deviation over the ``n`` replicate values divided by
    √n (None for a single measurement); ``used`` names every measurement whose value
    entered the mean.
    """

    mean: float
    se: float | None
    n: int
    used: tuple[str, ...]


def combine(values: Sequence[tuple[str, float | None]]) -> Combined | None:
    """Mean ± SE over the replicate values present (``(label, value)`` pairs).

    >>> c = combine([("a", 100.0), ("b", 104.0), ("c", None)])
    >>> (c.mean, round(c.se, 6), c.n, c.used)
    (102.0, 2.0, 2, ('a', 'b'))
    """
    present = [(label, v) for label, v in values if v is not None]
    if not present:
        return None
    numbers = [v for _, v in present]
    se = statistics.stdev(numbers) / math.sqrt(len(numbers)) if len(numbers) > 1 else None
    return Combined(statistics.fmean(numbers), se, len(numbers), tuple(lb for lb, _ in present))


@dataclass(frozen=True)
class BatchFacts:
    """A batch record with its measurements and the derived numbers checks need.

    ``replicates`` are the measurements of the same method on the same instrument as
    ``counter`` (``counter`` included); ``combined`` holds, per counter attribute, their
    mean ± SE, which the size and concentration criteria read.
    """

    record: BatchRecord
    measurements: tuple[ParticleMeasurement, ...]
    counter: ParticleMeasurement | None
    stats: DistributionStats | None
    fraction_50_400: float | None
    replicates: tuple[ParticleMeasurement, ...] = ()
    combined: dict[str, Combined] = field(default_factory=dict)

    def value(self, attribute: str) -> float | None:
        """The combined (mean over replicates) value of a counter attribute."""
        c = self.combined.get(attribute)
        return c.mean if c else None

    @property
    def particles_per_ml(self) -> float | None:
        if self.counter is None:
            return None
        if any(not m.dilution_recorded for m in self.replicates or (self.counter,)):
            return None
        return self.value("particles_per_ml")

    @property
    def particles_per_ug_protein(self) -> float | None:
        """Particle:protein ratio (Webber & Clayton 2013, PMID 24009896)."""
        if self.particles_per_ml is None or self.record.protein is None:
            return None
        return self.particles_per_ml / self.record.protein.ug_per_ml

    @property
    def mode_nm(self) -> float | None:
        return self.value("mode_nm")


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


def _bin_facts(m: ParticleMeasurement) -> tuple[DistributionStats | None, float | None]:
    if not m.bins or sum(b.weight for b in m.bins) <= 0:
        return None, None
    lower, upper = bin_edges(m.bins)
    weights = np.array([b.weight for b in m.bins])
    return number_stats(m.bins), fraction_between(lower, upper, weights, 50.0, 400.0)


def _counter_values(m: ParticleMeasurement) -> dict[str, float | None]:
    """The values a criterion reads from one single-particle measurement."""
    stats, fraction = _bin_facts(m)
    return {
        "mode_nm": m.mode_nm if m.mode_nm is not None else (stats.mode_nm if stats else None),
        "d50_nm": m.d50_nm,
        "fraction_50_400": fraction,
        "fraction_below_200": stats.fraction_below_200 if stats else None,
        "fraction_30_150": stats.fraction_30_150 if stats else None,
        "particles_per_ml": m.stock_concentration_per_ml,
    }


def replicates_of(
    counter: ParticleMeasurement, measurements: Sequence[ParticleMeasurement]
) -> tuple[ParticleMeasurement, ...]:
    """Replicate measurements of ``counter``: same method on the same instrument.

    Another instrument or method is an orthogonal measurement, compared, not averaged.
    Sorted by the content order of :func:`single_particle_measurement`, so the result does
    not depend on import order.
    """
    same = [
        m
        for m in measurements
        if m.method == counter.method
        and m.instrument == counter.instrument
        and m.concentration_per_ml is not None
    ]
    return tuple(sorted(same, key=_preference))


def gather(record: BatchRecord, measurements: Sequence[ParticleMeasurement]) -> BatchFacts:
    """Derive the facts of a batch (measurements in recording order).

    Replicates of the chosen single-particle measurement are combined: each counter
    value is their mean ± standard error, naming every measurement used.
    """
    counter = single_particle_measurement(measurements)
    if counter is None:
        return BatchFacts(record, tuple(measurements), None, None, None)
    stats, fraction = _bin_facts(counter)
    replicates = replicates_of(counter, measurements)
    per = [(measurement_label(m), _counter_values(m)) for m in replicates]
    combined = {
        key: c
        for key in per[0][1]
        if (c := combine([(label, values[key]) for label, values in per])) is not None
    }
    if len(replicates) > 1:
        fraction = combined["fraction_50_400"].mean if "fraction_50_400" in combined else None
    return BatchFacts(record, tuple(measurements), counter, stats, fraction, replicates, combined)
