"""Endpoints read off trajectories: time to closure, closure at a day, % change.

Kept apart from the models so the vectorised cohort and the per-patient reference compute
endpoints with the same code (the bench compares them).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


def time_to_fraction(times: Array, area: Array, remaining: float = 0.05) -> Array:
    """First time the wound area falls to ``remaining`` (95 % closure), per patient.

    Log-linear interpolation between recorded points (the area decays roughly
    exponentially between them); NaN when the wound never gets there.
    """
    area = np.atleast_2d(area)
    below = area <= remaining
    hit = below.any(axis=1)
    j = np.argmax(below, axis=1)
    out = np.full(area.shape[0], np.nan)
    rows = np.nonzero(hit & (j > 0))[0]
    j1 = j[rows]
    la, lb = np.log(area[rows, j1 - 1]), np.log(area[rows, j1])
    frac = (la - np.log(remaining)) / (la - lb)
    out[rows] = times[j1 - 1] + frac * (times[j1] - times[j1 - 1])
    out[hit & (j == 0)] = times[0]
    return out


def value_at(times: Array, values: Array, day: float) -> Array:
    """Values at a recorded time (must be one of ``times``)."""
    i = int(np.argmin(np.abs(times - day)))
    if abs(times[i] - day) > 1e-9:
        raise ValueError(f"day {day} is not a recorded time")
    out: Array = np.atleast_2d(values)[:, i]
    return out


def percent_change(treated: Array, control: Array) -> Array:
    """100 (treated - control) / control."""
    out: Array = 100.0 * (treated - control) / control
    return out
