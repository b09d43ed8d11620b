"""Bench: a million-patient wound cohort, compiled engine vs libRoadRunner on the same SBML.

Anchor (issue 21): 1,000,000 virtual patients x 60 days of the wound model on the
compiled engine (``exoderm.simulate.population.stream_wound_cohort``: numba RK4, every
core, endpoints streamed in chunks) against libRoadRunner simulating the SBML that
exoderm exports for the same scenario, one patient after another (serial ensemble) and in
a pool of one process per core (libRoadRunner parallelises model loading, not
simulation, so a process pool is its parallel ensemble). Each round runs the three in
turn; libRoadRunner covers the first ``--rr-patients`` patients of the cohort and its
time is scaled to the full cohort. The endpoints of those patients are compared
(time to 95 % closure, closure at days 7 and 14, collagen at day 60) and the peak
resident memory after the compiled cohort is printed.

Run: ``.venv/bin/python bench/bench_cohort.py [--patients N] [--rr-patients M] [--rounds R]``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import resource
import time
from collections.abc import Sequence

import numba
import numpy as np
import roadrunner

from exoderm.simulate.endpoints import time_to_fraction, value_at
from exoderm.simulate.exposure import Exposure
from exoderm.simulate.population import (
    CHUNK,
    VARIED,
    WoundCohortInput,
    stream_wound_cohort,
    wound_cohort_input,
    wound_endpoints,
)
from exoderm.simulate.sbml import to_sbml, with_exposure, wound_spec
from exoderm.simulate.scenario import ModelName, TreatmentScenario, build_scenario
from exoderm.simulate.wound import WoundModel

NAMES = ("time_to_95_closure_days", "closure_day7_pct", "closure_day14_pct", "collagen_end")
_RR: roadrunner.RoadRunner | None = None


def _scenario() -> TreatmentScenario:
    return build_scenario(
        model="wound",
        source="adipose-msc",
        dose=1e12,
        unit="particles",
        route="injection",
        schedule=(0, 7, 14),
        duration_days=60,
    )


def _sbml(inp: WoundCohortInput) -> str:
    first = {k: (float(v[0]) if isinstance(v, np.ndarray) else v) for k, v in inp.params.items()}
    spec = wound_spec(first, WoundModel().initial_state(first, 1)[0])
    return to_sbml(with_exposure(spec, inp.exposure, 0, 1.0))


def _load(sbml: str, rtol: float, atol: float) -> roadrunner.RoadRunner:
    rr = roadrunner.RoadRunner(sbml)
    rr.integrator.relative_tolerance = rtol
    rr.integrator.absolute_tolerance = atol
    return rr


def _init_worker(sbml: str, rtol: float, atol: float) -> None:
    global _RR
    _RR = _load(sbml, rtol, atol)


def _patient_rows(inp: WoundCohortInput, rows: range) -> list[tuple[dict[str, float], list[float]]]:
    varied = VARIED[ModelName.wound]
    return [
        ({k: float(inp.params[k][i]) for k in varied}, [float(a) for a in inp.exposure.amounts[i]])
        for i in rows
    ]


def _simulate(
    rr: roadrunner.RoadRunner, patients: Sequence[tuple[dict[str, float], list[float]]]
) -> np.ndarray:
    out = np.empty((len(patients), 601, 2))
    for j, (values, doses) in enumerate(patients):
        rr.reset()
        for name, value in values.items():
            rr[name] = value
        rr["E"] = doses[0]
        for k, amount in enumerate(doses[1:]):
            rr[f"dose_{k}"] = amount
        out[j] = np.asarray(rr.simulate(0.0, 60.0, 601, ["W", "C"]))
    return out


def _worker(patients: list[tuple[dict[str, float], list[float]]]) -> np.ndarray:
    assert _RR is not None
    return _simulate(_RR, patients)


def _endpoints(traj: np.ndarray) -> dict[str, np.ndarray]:
    times = np.round(np.arange(0.0, 60.05, 0.1), 10)
    w, c = traj[:, :, 0], traj[:, :, 1]
    closure = 100.0 * (1.0 - w)
    return {
        "time_to_95_closure_days": time_to_fraction(times, w),
        "closure_day7_pct": value_at(times, closure, 7.0),
        "closure_day14_pct": value_at(times, closure, 14.0),
        "collagen_end": c[:, -1],
    }


def _compiled_cohort(scenario: TreatmentScenario, n: int, seed: int) -> dict[str, np.ndarray]:
    parts = list(stream_wound_cohort(scenario, n, seed))
    return {k: np.concatenate([p[k] for p in parts]) for k in NAMES}


def _subset(inp: WoundCohortInput, m: int) -> WoundCohortInput:
    p = {k: (v[:m] if isinstance(v, np.ndarray) else v) for k, v in inp.params.items()}
    ex = inp.exposure
    return WoundCohortInput(p, Exposure(ex.times, ex.amounts[:m], ex.k_el, ex.ec50), inp.times)


def _worst(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> float:
    worst = 0.0
    for name in NAMES:
        if not np.array_equal(np.isfinite(a[name]), np.isfinite(b[name])):
            return float("inf")
        ok = np.isfinite(a[name])
        rel = np.abs(a[name][ok] / b[name][ok] - 1.0)
        worst = max(worst, float(rel.max()) if rel.size else 0.0)
        print(f"    {name}: max relative difference {float(rel.max()):.2e}")
    return worst


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--patients", type=int, default=1_000_000)
    ap.add_argument("--rr-patients", type=int, default=2_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rtol", type=float, default=1e-8)
    ap.add_argument("--atol", type=float, default=1e-10)
    args = ap.parse_args()
    scenario = _scenario()
    head = wound_cohort_input(scenario, min(CHUNK, args.patients), seed=args.seed)
    m = min(args.rr_patients, head.exposure.n)
    sbml = _sbml(head)
    cores = os.cpu_count() or 1
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}"
        f" ({numba.get_num_threads()} threads), libroadrunner {roadrunner.__version__}, "
        f"{cores} cores"
    )
    print(
        f"wound model, {args.patients:,} patients x 60 days; libRoadRunner (CVODE rtol "
        f"{args.rtol:g}, atol {args.atol:g}) on the first {m:,}, scaled"
    )
    wound_endpoints(_subset(head, 8), "compiled")  # JIT compile (or load the cache)
    rr = _load(sbml, args.rtol, args.atol)
    pool = mp.get_context("spawn").Pool(cores, _init_worker, (sbml, args.rtol, args.atol))
    pool.map(_worker, [_patient_rows(head, range(2))] * cores)  # load in every worker
    rows = _patient_rows(head, range(m))
    per = -(-m // cores)
    batches = [rows[i : i + per] for i in range(0, m, per)]
    peak_gib = 0.0
    for r in range(args.rounds):
        t0 = time.perf_counter()
        cohort = _compiled_cohort(scenario, args.patients, args.seed)
        t_compiled = time.perf_counter() - t0
        peak_gib = max(peak_gib, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20)
        t0 = time.perf_counter()
        serial = _endpoints(_simulate(rr, rows))
        t_serial = (time.perf_counter() - t0) * args.patients / m
        t0 = time.perf_counter()
        pooled = _endpoints(np.concatenate(pool.map(_worker, batches)))
        t_pool = (time.perf_counter() - t0) * args.patients / m
        print(
            f"round {r + 1}: compiled {t_compiled:.1f} s; libRoadRunner serial "
            f"{t_serial:.0f} s, {cores}-process pool {t_pool:.0f} s (scaled); ratios "
            f"{t_serial / t_compiled:.1f}x serial, {t_pool / t_compiled:.1f}x pool"
        )
    pool.close()
    print(f"peak resident memory after the compiled cohort: {peak_gib:.2f} GiB")
    head_compiled = {k: cohort[k][:m] for k in NAMES}
    print("  compiled vs libRoadRunner serial:")
    worst = _worst(head_compiled, serial)
    print("  libRoadRunner pool vs serial:")
    _worst(pooled, serial)
    print(f"worst relative endpoint difference compiled vs libRoadRunner: {worst:.2e}")
    summary = {k: np.nanpercentile(cohort[k], [5, 50, 95]) for k in NAMES}
    for k, (p05, med, p95) in summary.items():
        print(f"  {k}: median {med:.4g} (90 % of patients {p05:.4g} to {p95:.4g})")


if __name__ == "__main__":
    main()
