"""Linking against the Particle Tracking Challenge measures on nine simulator scenarios.

Scenarios: three densities × three SNRs on 512 × 512 px frames, all-in-focus (2-D), no
exposure blur, σ_PSF 1.5 px, identical particles with 6 px per-axis steps (the dense, fast
regime of ``tests/nta/test_link.py``), in a periodic box. Densities 50, 200 and 400
particles per frame (1.9e-4, 7.6e-4 and 1.5e-3 px⁻²; the expected share of particles in a
pair whose swap the Brownian likelihood prefers, ρπσ_v²/2 with σ_v² = 2·6², is 2.2 %, 8.6 %
and 17 %). SNRs 2, 4 and 7: three of the four levels of the challenge (Chenouard et al.
2014, Nat. Methods 11:281, doi:10.1038/nmeth.2808, Table 2), with SNR = spot peak above
background divided by the noise SD at the peak, ``A / √(A + B + r²)`` (shot noise on peak
plus background ``B`` = 100 counts, read noise ``r`` = 5 counts); the spot amplitude ``A``
is solved from it. A tenth row is the video of ``test_link.py`` itself (200 particles,
the simulator's default 400-count spots: SNR ≈ 17).

For each scenario, in one process:

- **oracle** — the optimal frame-to-frame assignment on the *exact* positions of every
  particle (minimum-image distances in the periodic box);
- **exoderm** — ``locate`` on the rendered frames + ``Linker`` (search range 4.5 step SDs
  = 27 px, memory 2);
- **trackpy** — ``trackpy.link`` on exoderm's detections, same search range and memory
  (its ``SubnetOversizeException`` is reported as such).

Ground-truth tracks are split where a particle wraps around the box (no linker can follow
that jump); so are the oracle's. Printed per method: Chenouard's α, β, JSC and JSC_θ
(gate ε = 5 px, as in the challenge) and the correct-link fraction (true one-frame links
whose two positions were each detected once within 1 px, kept in one track) and, beside
it, the oracle's correct-link fraction on exactly the links that method was scored on.

Usage: ``python bench/bench_linking.py [--frames N]`` (default 100 frames per scenario,
the length of the challenge videos).
Requires the ``bench`` extra (trackpy, pandas).
"""

from __future__ import annotations

import argparse
import math
import platform
import sys
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from exoderm.nta.detect import DetectionSettings, locate
from exoderm.nta.link import Linker, LinkSettings
from exoderm.nta.physics import diameter_from_diffusion, water_viscosity_mpas
from exoderm.nta.synthetic import SimulationSettings, SizeComponent, VideoSimulator
from exoderm.nta.tracking_metrics import correct_link_fraction, score_tracking

PX_UM, FPS, T_C = 0.166, 30.0, 22.0
STEP_PX = 6.0
SIZE_PX = 512
BACKGROUND, READ_NOISE = 100.0, 5.0
SEARCH_RANGE = 4.5 * STEP_PX
MEMORY = 2
DENSITIES = (50, 200, 400)
SNRS = (2.0, 4.0, 7.0)


@dataclass
class Scenario:
    particles: int
    snr: float
    amplitude: float
    seed: int


def amplitude_for_snr(snr: float) -> float:
    """Spot amplitude ``A`` with ``A / √(A + B + r²) = snr`` (positive root)."""
    base = BACKGROUND + READ_NOISE**2
    return (snr**2 + math.sqrt(snr**4 + 4.0 * snr**2 * base)) / 2.0


def simulator(scenario: Scenario, frames: int) -> VideoSimulator:
    d_um2_s = (STEP_PX * PX_UM) ** 2 * FPS / 2
    diameter = diameter_from_diffusion(d_um2_s, T_C, water_viscosity_mpas(T_C))
    settings = SimulationSettings(
        width=SIZE_PX,
        height=SIZE_PX,
        n_frames=frames,
        n_particles=scenario.particles,
        exposure_ms=0,
        sheet_half_thickness_um=None,
        xy_margin_px=0,
        fps=FPS,
        pixel_size_um=PX_UM,
        temperature_c=T_C,
        sizes=[SizeComponent(diameter_nm=diameter)],
        brightness_exponent=0,
        brightness_at_100nm=scenario.amplitude,
        background=BACKGROUND,
        read_noise=READ_NOISE,
        seed=scenario.seed,
    )
    return VideoSimulator(settings)


def split_at_wraps(table: pd.DataFrame) -> pd.DataFrame:
    """New track label wherever a track jumps by more than half the box between frames."""
    table = table.sort_values(["particle", "frame"]).reset_index(drop=True)
    same = table["particle"].eq(table["particle"].shift())
    jump = (table["x"].diff().abs() > SIZE_PX / 2) | (table["y"].diff().abs() > SIZE_PX / 2)
    segment = (~same | jump).cumsum()
    return table.assign(particle=segment)


def truth_table(sim: VideoSimulator) -> pd.DataFrame:
    rows = [
        pd.DataFrame({"frame": i, "x": t.x, "y": t.y, "particle": t.ids})
        for i, t in enumerate(sim.truth)
    ]
    return split_at_wraps(pd.concat(rows, ignore_index=True))


def oracle_table(sim: VideoSimulator) -> pd.DataFrame:
    """Optimal frame-to-frame assignment on the exact positions (periodic box)."""
    first = sim.truth[0]
    label = np.arange(first.ids.size)
    rows = [pd.DataFrame({"frame": 0, "x": first.x, "y": first.y, "particle": label})]
    for i, (a, b) in enumerate(zip(sim.truth[:-1], sim.truth[1:], strict=True), start=1):
        d = np.column_stack([a.x, a.y])[:, None, :] - np.column_stack([b.x, b.y])[None, :, :]
        d -= SIZE_PX * np.rint(d / SIZE_PX)
        r, c = linear_sum_assignment((d**2).sum(axis=-1))
        new = np.empty(b.ids.size, dtype=np.int64)
        new[c] = label[r]
        label = new
        rows.append(pd.DataFrame({"frame": i, "x": b.x, "y": b.y, "particle": label}))
    return split_at_wraps(pd.concat(rows, ignore_index=True))


def detect(sim: VideoSimulator) -> list[pd.DataFrame]:
    settings = DetectionSettings()
    out = []
    for i, frame in enumerate(sim.frames()):
        det = locate(frame, settings)
        out.append(pd.DataFrame({"frame": i, "x": det.x, "y": det.y}))
    return out


def exoderm_table(detections: list[pd.DataFrame]) -> pd.DataFrame:
    linker = Linker(LinkSettings(search_range=SEARCH_RANGE, memory=MEMORY))
    rows = []
    for det in detections:
        frame = int(det["frame"].iloc[0]) if len(det) else 0
        x, y = det["x"].to_numpy(), det["y"].to_numpy()
        ids = linker.add(frame, x, y, shape=(SIZE_PX, SIZE_PX)).track_ids
        rows.append(det.assign(particle=ids))
    return pd.concat(rows, ignore_index=True)


def trackpy_table(detections: list[pd.DataFrame]) -> pd.DataFrame | str:
    import trackpy as tp
    from trackpy.linking.utils import SubnetOversizeException

    tp.quiet()
    frame = pd.concat(detections, ignore_index=True)
    try:
        linked = tp.link(frame, search_range=SEARCH_RANGE, memory=MEMORY)
    except SubnetOversizeException:
        return "SubnetOversizeException"
    return linked[["frame", "x", "y", "particle"]]


def row(
    name: str, scenario: Scenario, truth: pd.DataFrame, est: pd.DataFrame, oracle: pd.DataFrame
) -> str:
    m = score_tracking(truth, est, gate=5.0)
    links = correct_link_fraction(truth, est, gate=1.0)
    same = correct_link_fraction(truth, oracle, gate=1.0, among=est)
    return (
        f"| {scenario.particles:3d} | {scenario.snr:4.1f} | {name:8s} | {m.alpha:.3f} | "
        f"{m.beta:.3f} | {m.jaccard_detections:.3f} | {m.jaccard_tracks:.3f} | "
        f"{_percent(links.fraction)} | {links.scored:6d} | {_percent(same.fraction)} |"
    )


def _percent(value: float | None) -> str:
    return f"{100 * value:5.1f} %" if value is not None else "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=100)
    args = parser.parse_args()
    scenarios = [
        Scenario(n, snr, amplitude_for_snr(snr), seed=100 + 10 * k + j)
        for k, n in enumerate(DENSITIES)
        for j, snr in enumerate(SNRS)
    ]
    default_amp = SimulationSettings().brightness_at_100nm
    reference_snr = default_amp / math.sqrt(default_amp + BACKGROUND + READ_NOISE**2)
    scenarios.append(Scenario(200, reference_snr, default_amp, seed=11))
    print(f"python {sys.version.split()[0]} on {platform.platform()}; {args.frames} frames each")
    print(f"amplitudes (counts): {', '.join(f'SNR {s}: {amplitude_for_snr(s):.1f}' for s in SNRS)}")
    print(
        "| particles | SNR | method | α | β | JSC | JSCθ | correct links | links scored "
        "| oracle, same links |\n|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    start = time.perf_counter()
    for scenario in scenarios:
        sim = simulator(scenario, args.frames)
        detections = detect(sim)
        truth = truth_table(sim)
        oracle = oracle_table(sim)
        print(row("oracle", scenario, truth, oracle, oracle))
        print(row("exoderm", scenario, truth, exoderm_table(detections), oracle))
        linked = trackpy_table(detections)
        if isinstance(linked, str):
            print(f"| {scenario.particles:3d} | {scenario.snr:4.1f} | trackpy  | {linked} |")
        else:
            print(row("trackpy", scenario, truth, linked, oracle))
        sys.stdout.flush()
    print(f"total {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
