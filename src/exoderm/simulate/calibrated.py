"""Fitted exosome-effect parameters shipped with the package (``data/calibrated.json``).

The file is written by :func:`exoderm.simulate.calibration.calibrate` (``exoderm simulate
calibrate --write``): each parameter has its estimate, standard error (from the Jacobian
covariance) and the targets it was fitted to.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from exoderm.simulate.parameters import read_data

FILE = "calibrated.json"


@lru_cache(maxsize=1)
def calibrated() -> dict[str, Any]:
    """The shipped calibration result."""
    return read_data(FILE)


def calibrated_value(name: str) -> float:
    """The fitted value of one exosome-effect parameter."""
    return float(calibrated()["parameters"][name]["value"])
