"""Physical constants and laws that turn a diffusion coefficient into a particle size.

Sources:

- Stokes–Einstein for a sphere of hydrodynamic diameter ``d``: ``D = k_B T / (3 π η d)``
  (Einstein 1905, Ann. Phys. 322:549, doi:10.1002/andp.19053220806).
- Water viscosity at 0.1 MPa from the IAPWS 2008 formulation as simplified by Huber et al.
  (2009), J. Phys. Chem. Ref. Data 38:101 (doi:10.1063/1.3088050), eq. for the
  dilute/atmospheric limit:
  ``μ = 280.68 T*^-1.9 + 511.45 T*^-7.7 + 61.131 T*^-19.6 + 0.45903 T*^-40`` µPa·s with
  ``T* = T / 300 K``, valid 253.15–383.15 K.
- Boltzmann constant: exact by the 2019 SI redefinition (CODATA 2018).

Why it matters: at a fixed measured ``D`` the size error per kelvin of temperature error is
about +2.6 %/K at 25 °C (``∂ln d/∂T = 1/T − ∂ln η/∂T`` with the Huber η), larger than
the choice of viscosity formula, so the
temperature is an explicit, reported input everywhere.
"""

from __future__ import annotations

import math

from exoderm.errors import UserInputError

#: Boltzmann constant in J/K (exact, SI 2019).
BOLTZMANN_J_PER_K = 1.380649e-23
#: Kelvin offset of the Celsius scale.
ZERO_CELSIUS_K = 273.15
#: Validity range of the Huber 2009 atmospheric-pressure correlation, in kelvin.
HUBER_VALID_K = (253.15, 383.15)

_HUBER_TERMS = ((280.68, -1.9), (511.45, -7.7), (61.131, -19.6), (0.45903, -40.0))


def water_viscosity_mpas(temperature_c: float) -> float:
    """Viscosity of liquid water at 0.1 MPa, in mPa·s (= cP), from Huber et al. 2009.

    Raises :class:`UserInputError` outside the correlation's validity range instead of
    extrapolating silently.
    """
    t_k = temperature_c + ZERO_CELSIUS_K
    low, high = HUBER_VALID_K
    if not low <= t_k <= high:
        raise UserInputError(
            f"temperature {temperature_c} °C is outside the water-viscosity correlation",
            field="temperature",
            expected=f"{low - ZERO_CELSIUS_K:.2f} to {high - ZERO_CELSIUS_K:.2f} °C, "
            "or give the viscosity explicitly",
        )
    t_star = t_k / 300.0
    micro_pas = sum(a * t_star**b for a, b in _HUBER_TERMS)
    return micro_pas / 1000.0


def diffusion_from_diameter(
    diameter_nm: float, temperature_c: float, viscosity_mpas: float
) -> float:
    """Stokes–Einstein: translational diffusion coefficient (µm²/s) of a sphere."""
    t_k = temperature_c + ZERO_CELSIUS_K
    d_m = diameter_nm * 1e-9
    eta = viscosity_mpas * 1e-3
    return BOLTZMANN_J_PER_K * t_k / (3.0 * math.pi * eta * d_m) * 1e12


def diameter_from_diffusion(
    diffusion_um2_s: float, temperature_c: float, viscosity_mpas: float
) -> float:
    """Inverse Stokes–Einstein: hydrodynamic diameter (nm) from ``D`` in µm²/s."""
    if diffusion_um2_s <= 0:
        return math.inf
    t_k = temperature_c + ZERO_CELSIUS_K
    eta = viscosity_mpas * 1e-3
    return BOLTZMANN_J_PER_K * t_k / (3.0 * math.pi * eta * diffusion_um2_s * 1e-12) * 1e9


def stokes_einstein_constant(temperature_c: float, viscosity_mpas: float) -> float:
    """``D · d`` in µm²/s · nm: divide it by a diameter (nm) to get ``D`` (µm²/s)."""
    return diffusion_from_diameter(1.0, temperature_c, viscosity_mpas)


def blur_factor(exposure_s: float, frame_interval_s: float) -> float:
    """Motion-blur coefficient ``R = (t_E/Δt)/6`` for uniform illumination over the exposure.

    Vestergaard, Blainey & Flyvbjerg 2014 (PRE 89:022726, doi:10.1103/PhysRevE.89.022726);
    ``R = 0`` for an instantaneous
    snapshot, ``1/6`` for continuous exposure.
    """
    if frame_interval_s <= 0:
        raise UserInputError("frame interval must be positive", field="fps")
    if not 0 <= exposure_s <= frame_interval_s * (1 + 1e-9):
        raise UserInputError(
            f"exposure {exposure_s * 1e3:.3g} ms does not fit in the frame interval "
            f"{frame_interval_s * 1e3:.3g} ms",
            field="exposure",
            expected="0 ≤ exposure ≤ 1/fps",
        )
    return exposure_s / frame_interval_s / 6.0
