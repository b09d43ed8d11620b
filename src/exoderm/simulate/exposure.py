"""The exosome dose layer: regimen -> delivered amount -> exposure E(t) -> effect Phi.

Form (a one-compartment bolus model with an Emax effect; Gabrielsson & Weiner, Pharmacokinetic
and Pharmacodynamic Data Analysis, 5th ed., 2016)::

    E(t)  = sum_i  F_route * F_source * D_i * exp(-k_el (t - t_i))   for t_i <= t
    Phi   = E / (EC50 + E)

``D_i`` is the dose in µg protein (particles are converted with ``particles_per_ug``,
Webber & Clayton 2013; a formulation percentage with ``ug_per_percent``, an assumption).
No publication gives F_route, F_source, k_el or EC50: EC50 is fitted (see
:mod:`exoderm.simulate.calibration`), the others are documented assumptions.

Doses are boluses, so E jumps at each dosing time. Integrators integrate between dosing
times and tell :meth:`Exposure.effect` which doses have been given so far
(``given_until``), which keeps every method exact at the jumps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from exoderm.simulate.parameters import load_table
from exoderm.simulate.scenario import DoseUnit, TreatmentScenario

Array = NDArray[np.float64]
LAYER_FILE = "exosome_layer.json"


def layer_values() -> dict[str, float]:
    """The dose-layer parameters (conversion, route and source factors, k_el)."""
    return load_table(LAYER_FILE).values()


def dose_in_ug(dose: float, unit: DoseUnit, layer: dict[str, float] | None = None) -> float:
    """Convert one administration to µg protein equivalent."""
    layer = layer or layer_values()
    if unit is DoseUnit.particles:
        return dose / layer["particles_per_ug"]
    if unit is DoseUnit.percent:
        return dose * layer["ug_per_percent"]
    return dose


def scenario_dose_ug(
    scenario: TreatmentScenario, layer: dict[str, float] | None = None, dose: float | None = None
) -> float:
    """One administration of ``scenario`` (or ``dose`` in its unit) in µg protein.

    The scenario's own ``particles_per_ug`` or ``ug_per_percent`` (a measured ratio, a
    known delivery) replaces the layer's assumed conversion when given.
    """
    layer = dict(layer or layer_values())
    if scenario.particles_per_ug is not None:
        layer["particles_per_ug"] = scenario.particles_per_ug
    if scenario.ug_per_percent is not None:
        layer["ug_per_percent"] = scenario.ug_per_percent
    return dose_in_ug(scenario.dose if dose is None else dose, scenario.unit, layer)


def bioavailable_fraction(
    scenario: TreatmentScenario, layer: dict[str, float] | None = None
) -> float:
    """F_route * F_source for a scenario."""
    layer = layer or layer_values()
    return layer[f"route_{scenario.route.value}"] * layer[f"source_{scenario.source.value}"]


@dataclass(frozen=True)
class Exposure:
    """Dermal exosome exposure for ``n`` patients (or arms) sharing dosing times.

    ``times`` are the dosing times in days, shape (m,); ``amounts`` the delivered
    µg-equivalents, shape (n, m); ``k_el`` (1/day) and ``ec50`` (µg) scalars or (n,).
    """

    times: Array
    amounts: Array
    k_el: float | Array
    ec50: float | Array

    @property
    def n(self) -> int:
        return int(self.amounts.shape[0])

    def level(self, t_days: float, given_until: float) -> Array:
        """E(t) in µg-equivalents, counting doses given at times <= ``given_until``."""
        mask = self.times <= given_until + 1e-9
        if not mask.any():
            return np.zeros(self.n)
        dt = t_days - self.times[mask]
        k = np.asarray(self.k_el, dtype=float)
        decay = np.exp(-np.multiply.outer(k, dt)) if k.ndim else np.exp(-k * dt)
        level: Array = np.sum(self.amounts[:, mask] * decay, axis=1)
        return level

    def effect(self, t_days: float, given_until: float) -> Array:
        """Phi(E) in [0, 1): the fraction of the maximal exosome effect."""
        e = self.level(t_days, given_until)
        phi: Array = e / (self.ec50 + e)
        return phi

    @staticmethod
    def none(n: int) -> Exposure:
        """No treatment."""
        return Exposure(np.zeros(1), np.zeros((n, 1)), 1.0, 1.0)


def exposure_for(
    scenarios: list[TreatmentScenario], ec50: float, k_el: float | None = None
) -> Exposure:
    """Exposure for several arms (one row each); all arms must share a schedule."""
    layer = layer_values()
    times = np.asarray(scenarios[0].schedule, dtype=float)
    rows = []
    for sc in scenarios:
        if sc.schedule != scenarios[0].schedule:
            raise ValueError("arms stacked in one exposure must share a schedule")
        amount = scenario_dose_ug(sc, layer) * bioavailable_fraction(sc, layer)
        rows.append(np.full(times.shape, amount))
    return Exposure(times, np.asarray(rows), layer["k_el"] if k_el is None else k_el, ec50)
