"""Parameter tables: every number a model uses, with its unit and its source.

Why a table and not constants in code: the brief asks that each literature value carry
its citation, and that assumptions be visible as assumptions. Each model ships a JSON file
in ``exoderm/simulate/data/`` whose ``sources`` map a short key (``W2007``, ``M2021`` …) to
a full citation; every parameter names one key. Keys ``ASSUMPTION`` and ``HYPOTHESIS``
mark numbers that no publication gives (see ``docs/simulate.md``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from exoderm.errors import UserInputError

#: A parameter set handed to a model: scalars, or arrays of shape (n_patients,).
Params = Mapping[str, Any]


@dataclass(frozen=True)
class Prior:
    """An assumed range of a parameter: log-normal around its value, geometric SD ``gsd``."""

    gsd: float
    basis: str


@dataclass(frozen=True)
class Parameter:
    """One model parameter: value, unit, the key of its source, and an assumed prior."""

    name: str
    value: float
    unit: str
    source: str
    note: str = ""
    prior: Prior | None = None


@dataclass(frozen=True)
class ParameterTable:
    """All parameters of one model, their sources and named presets."""

    model: str
    time_unit: str
    sources: dict[str, str]
    parameters: dict[str, Parameter]
    presets: dict[str, dict[str, Any]] = field(default_factory=dict)

    def values(self, preset: str | None = None, **overrides: float) -> dict[str, Any]:
        """The parameter values, with a preset's changes and explicit overrides applied."""
        out: dict[str, Any] = {name: p.value for name, p in self.parameters.items()}
        if preset is not None:
            if preset not in self.presets:
                raise UserInputError(
                    f"unknown preset {preset!r}",
                    field="preset",
                    expected=", ".join(sorted(self.presets)),
                )
            out.update(self.presets[preset].get("values", {}))
        for name, value in overrides.items():
            if name not in out:
                raise UserInputError(f"unknown parameter {name!r}", field=name)
            out[name] = value
        return out

    def citation(self, name: str) -> str:
        """The full citation of the parameter ``name``."""
        return self.sources[self.parameters[name].source]

    def rows(self) -> list[dict[str, Any]]:
        """One row per parameter (for tables, docs and ``--format csv``)."""
        return [
            {
                "parameter": p.name,
                "value": p.value,
                "unit": p.unit,
                "source": p.source,
                "note": p.note,
                "prior_gsd": p.prior.gsd if p.prior else None,
            }
            for p in self.parameters.values()
        ]


def read_data(filename: str) -> dict[str, Any]:
    """Read a JSON file shipped in ``exoderm/simulate/data``."""
    text = (
        resources.files("exoderm.simulate").joinpath("data").joinpath(filename).read_text("utf-8")
    )
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def load_table(filename: str) -> ParameterTable:
    """Load and check a parameter table: every parameter must name a known source."""
    raw = read_data(filename)
    sources: dict[str, str] = raw["sources"]
    params: dict[str, Parameter] = {}
    for item in raw["parameters"]:
        prior = item.get("prior")
        p = Parameter(
            item["name"],
            float(item["value"]),
            item["unit"],
            item["source"],
            item.get("note", ""),
            Prior(float(prior["gsd"]), str(prior["basis"])) if prior else None,
        )
        if p.source not in sources:
            raise ValueError(f"{filename}: parameter {p.name} cites unknown source {p.source}")
        params[p.name] = p
    return ParameterTable(raw["model"], raw["time_unit"], sources, params, raw.get("presets", {}))


def broadcast(params: Params, n: int) -> dict[str, Any]:
    """Check that every array-valued parameter has one value per patient."""
    out: dict[str, Any] = {}
    for name, value in params.items():
        arr = np.asarray(value, dtype=float)
        if arr.ndim == 0:
            out[name] = float(arr)
        elif arr.shape == (n,):
            out[name] = arr
        else:
            raise ValueError(f"parameter {name} has shape {arr.shape}, expected () or ({n},)")
    return out
