"""A dose in every unit the simulator knows, with each conversion and what it rests on.

A regimen's dose is given in particles, µg protein or % w/w of an exosome preparation;
the models act on µg protein delivered to the dermis. The conversions between them are
assumptions (``data/exosome_layer.json``): the particle:protein ratio is the
high-purity threshold of Webber & Clayton (2013), the µg per % w/w is exoderm's own, and
the route and source factors carry the priors sampled into every interval. This module
shows all of them for one scenario and which the user replaced with their own (a lot's
measured particle:protein ratio from its QC release, a known delivery per application),
so a clinician or formulator can see and challenge each step.

References
----------
.. [1] Webber, J. & Clayton, A. (2013). How pure are your vesicles? Journal of
   Extracellular Vesicles 2, 19861. doi:10.3402/jev.v2i0.19861
.. [2] Gabrielsson, J. & Weiner, D. (2016). Pharmacokinetic and Pharmacodynamic Data
   Analysis, 5th ed. (bioavailable fraction F of a dose).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from exoderm.simulate.exposure import LAYER_FILE, bioavailable_fraction, scenario_dose_ug
from exoderm.simulate.parameters import load_table
from exoderm.simulate.scenario import DoseUnit, TreatmentScenario

__all__ = ["ConversionRead", "DoseEquivalentsRead", "dose_equivalents"]


class ConversionRead(BaseModel):
    """One step from the dose as given to the dose the model uses."""

    model_config = ConfigDict(frozen=True)

    name: str
    value: float
    unit: str
    source: str = Field(description="Source key of the parameter table (ASSUMPTION: none).")
    rests_on: str = Field(description="The citation or assumption the value rests on.")
    given_by_user: bool = False
    prior_gsd: float | None = Field(
        None, description="Geometric SD of the prior sampled into the intervals, if any."
    )


class DoseEquivalentsRead(BaseModel):
    """One administration in particles, µg protein and % w/w, and what reaches the dermis."""

    model_config = ConfigDict(frozen=True)

    given: str = Field(description="The dose as given, with its unit.")
    particles: float
    ug_protein: float
    percent_w_w: float
    delivered_ug: float = Field(description="µg protein reaching the dermis (F_route F_source).")
    conversions: list[ConversionRead]

    def sentence(self) -> str:
        """The dose in words, as the CLI and pages print it."""
        return (
            f"{self.given} per administration = {self.particles:.3g} particles = "
            f"{self.ug_protein:.3g} µg protein = {self.percent_w_w:.3g} % w/w; "
            f"{self.delivered_ug:.3g} µg reach the dermis"
        )


def _conversion(name: str, label: str, unit: str, value: float, given: bool) -> ConversionRead:
    table = load_table(LAYER_FILE)
    param = table.parameters[name]
    rests_on = "given for this scenario" if given else f"{table.citation(name)} — {param.note}"
    return ConversionRead(
        name=label,
        value=value,
        unit=unit,
        source="USER" if given else param.source,
        rests_on=rests_on,
        given_by_user=given,
        prior_gsd=None if given or param.prior is None else param.prior.gsd,
    )


def dose_equivalents(scenario: TreatmentScenario) -> DoseEquivalentsRead:
    """The scenario's dose per administration in every unit, with each conversion.

    Parameters
    ----------
    scenario : TreatmentScenario
        Dose, unit, route and source; ``particles_per_ug`` and ``ug_per_percent`` replace
        the assumed conversions when given.

    Returns
    -------
    DoseEquivalentsRead
        The dose in particles, µg protein and % w/w, the µg reaching the dermis, and
        each conversion with its value, source and what it rests on (the user's own
        value, or the citation or assumption of ``data/exosome_layer.json``).

    References
    ----------
    .. [1] Webber, J. & Clayton, A. (2013). J Extracell Vesicles 2, 19861.
       doi:10.3402/jev.v2i0.19861

    Examples
    --------
    >>> from exoderm.simulate.scenario import build_scenario
    >>> d = dose_equivalents(build_scenario(model="wound", dose=3e10, route="topical"))
    >>> d.ug_protein, round(d.delivered_ug, 3), d.conversions[0].given_by_user
    (1.0, 0.05, False)
    >>> mine = build_scenario(model="wound", dose=3e10, particles_per_ug=1e10)
    >>> dose_equivalents(mine).ug_protein, dose_equivalents(mine).conversions[0].source
    (3.0, 'USER')
    """
    layer = load_table(LAYER_FILE).values()
    per_ug = scenario.particles_per_ug or layer["particles_per_ug"]
    per_percent = scenario.ug_per_percent or layer["ug_per_percent"]
    ug = scenario_dose_ug(scenario)
    route, source = f"route_{scenario.route.value}", f"source_{scenario.source.value}"
    conversions = [
        _conversion(
            "particles_per_ug",
            "particles per µg protein",
            "particles/µg",
            per_ug,
            scenario.particles_per_ug is not None,
        ),
        _conversion(
            "ug_per_percent",
            "µg protein per application per 1 % w/w",
            "µg/%",
            per_percent,
            scenario.ug_per_percent is not None,
        ),
        _conversion(route, f"F_route ({scenario.route.value})", "1", layer[route], False),
        _conversion(source, f"F_source ({scenario.source.value})", "1", layer[source], False),
    ]
    unit = {DoseUnit.particles: "particles", DoseUnit.percent: "% w/w"}.get(
        scenario.unit, "µg protein"
    )
    return DoseEquivalentsRead(
        given=f"{scenario.dose:.3g} {unit}",
        particles=ug * per_ug,
        ug_protein=ug,
        percent_w_w=ug / per_percent,
        delivered_ug=ug * bioavailable_fraction(scenario),
        conversions=conversions,
    )
