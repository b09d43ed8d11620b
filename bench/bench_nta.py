"""NTA benchmark: exoderm vs trackpy 0.7 on the synthetic video of nta.md §1.5.

Three parts, all in this one process:

1. ``throughput`` — the same 512×512, 500-frame, 200-particle video (2 px steps) located
   and linked by trackpy (``batch(processes=1)`` + ``link``, numba JIT warmed up first) and
   by exoderm (``locate`` + ``Linker``), single process; prints frames/s and the ratio.
2. ``fast`` — 6 px steps: trackpy's linker (``SubnetOversizeException`` expected) against
   exoderm's; link accuracy against ground truth and the pooled CVE diffusion bias.
3. ``memory`` — a 10,000-frame 1024×1024 video streamed from the simulator through the
   full analysis; prints the peak resident memory of the process.

Usage: ``python bench/bench_nta.py [throughput] [fast] [memory] [--frames N]``.
Requires the ``bench`` extra (trackpy, pandas) and numba for a fair trackpy.
"""

from __future__ import annotations

import argparse
import math
import platform
import resource
import sys
import time

import numpy as np

from exoderm.nta.analysis import Acquisition, AnalysisSettings, analyze, detected_frames
from exoderm.nta.detect import DetectionSettings, locate
from exoderm.nta.diffusion import increments
from exoderm.nta.frames import FrameSource
from exoderm.nta.link import Linker, LinkSettings
from exoderm.nta.physics import diameter_from_diffusion, water_viscosity_mpas
from exoderm.nta.sizing import SizingSettings
from exoderm.nta.synthetic import SimulationSettings, SizeComponent, VideoSimulator
from exoderm.nta.tracks import TrackBuilder

PX_UM, FPS, T_C = 0.166, 30.0, 22.0


def reference_video(step_px: float, frames: int, seed: int = 0) -> VideoSimulator:
    """nta.md §1.5: periodic 512² box, 200 particles, σ_PSF 1.5, amplitude 400 over 100,
    Poisson + read noise 5, no blur, per-axis step ``step_px``."""
    d = (step_px * PX_UM) ** 2 * FPS / 2
    diameter = diameter_from_diffusion(d, T_C, water_viscosity_mpas(T_C))
    return VideoSimulator(
        SimulationSettings(
            width=512,
            height=512,
            n_frames=frames,
            n_particles=200,
            exposure_ms=0,
            sheet_half_thickness_um=None,
            xy_margin_px=0,
            fps=FPS,
            pixel_size_um=PX_UM,
            temperature_c=T_C,
            sizes=[SizeComponent(diameter_nm=diameter)],
            brightness_exponent=0,
            brightness_at_100nm=400,
            background=100,
            read_noise=5,
            psf_sigma_px=1.5,
            seed=seed,
        )
    )


def exoderm_locate_link(  # type: ignore[no-untyped-def]
    frames: np.ndarray, search_range: float, memory: int = 3, threads: int = 1
):
    """exoderm's streaming pipeline: detection on ``threads`` threads ahead of the linker."""
    linker = Linker(LinkSettings(search_range=search_range, memory=memory))
    builder = TrackBuilder()
    found = detected_frames(frames, DetectionSettings(radius=4), threads)
    for i, (frame, detections) in enumerate(found):
        linked = linker.add(i, detections.x, detections.y, shape=frame.shape[:2])
        builder.add(i, detections, linked.track_ids, linked.unambiguous)
    return builder.finish()


def pooled_cve(table, exclude_ambiguous: bool = True) -> float:  # type: ignore[no-untyped-def]
    usable = table.unambiguous if exclude_ambiguous else None
    st = increments(table.track, table.frame, table.x, table.y, table.n_tracks, usable)
    ok = st.n_positions >= 10
    msq = st.sum_sq[ok].sum() / st.n_sq[ok].sum()
    cov = st.sum_cov[ok].sum() / st.n_cov[ok].sum()
    return float(msq / 2 + cov)  # px²/frame, Δt = 1


def throughput(n_frames: int) -> None:
    import pandas as pd  # noqa: F401
    import trackpy as tp

    tp.quiet()
    sim = reference_video(2.0, n_frames)
    frames = np.stack(list(sim.frames()))
    print(f"video: {frames.shape} {frames.dtype} ({frames.nbytes / 2**20:.0f} MiB)")
    # warm-up: numba JIT of trackpy, first-call costs of both
    tp.link(tp.batch(frames[:3], 9, minmass=1500, processes=1), 8, memory=3)
    exoderm_locate_link(frames[:3], 9.0)

    threads = 2
    times: dict[str, list[float]] = {"trackpy": [], "exoderm 1 thread": [], "exoderm 2 threads": []}
    for _ in range(3):  # alternating rounds
        t0 = time.perf_counter()
        features = tp.batch(frames, 9, minmass=1500, processes=1)
        t1 = time.perf_counter()
        linked = tp.link(features, 8, memory=3)
        t2 = time.perf_counter()
        times["trackpy"].append(t2 - t0)
        table = exoderm_locate_link(frames, 4.5 * 2.0, threads=1)
        t3 = time.perf_counter()
        times["exoderm 1 thread"].append(t3 - t2)
        exoderm_locate_link(frames, 4.5 * 2.0, threads=threads)
        times["exoderm 2 threads"].append(time.perf_counter() - t3)
        print(
            f"round: trackpy 0.7 locate {t1 - t0:.2f} s + link {t2 - t1:.2f} s; exoderm "
            f"{times['exoderm 1 thread'][-1]:.2f} s (1 thread), "
            f"{times['exoderm 2 threads'][-1]:.2f} s ({threads} threads)"
        )
    tp_time = min(times["trackpy"])
    print(
        f"trackpy 0.7 best {tp_time:.2f} s ({n_frames / tp_time:.0f} frames/s), "
        f"{len(features) / n_frames:.0f} features/frame"
    )
    for name in ("exoderm 1 thread", "exoderm 2 threads"):
        ex_time = min(times[name])
        rounds = zip(times["trackpy"], times[name], strict=True)
        per_round = ", ".join(f"{a / b:.2f}x" for a, b in rounds)
        print(
            f"{name} best {ex_time:.2f} s ({n_frames / ex_time:.0f} frames/s); "
            f"THROUGHPUT RATIO exoderm/trackpy = {tp_time / ex_time:.2f}x (per round: {per_round})"
        )
    print(f"{table.detections_per_frame.mean():.0f} detections/frame")
    stubs = tp.filter_stubs(linked, 10)
    em = tp.emsd(stubs, mpp=1, fps=1, max_lagtime=2)
    print(
        f"D (px²/frame), truth 2.000: trackpy emsd(1)/4 {em.iloc[0] / 4:.3f}; "
        f"exoderm pooled CVE {pooled_cve(table):.3f}"
    )


def fast(n_frames: int) -> None:
    import pandas as pd
    import trackpy as tp
    from trackpy.linking.utils import SubnetOversizeException

    tp.quiet()
    sim = reference_video(6.0, n_frames)
    frames = list(sim.frames())
    detections = [locate(f, DetectionSettings()) for f in frames]
    df = pd.DataFrame(
        {
            "x": np.concatenate([d.x for d in detections]),
            "y": np.concatenate([d.y for d in detections]),
            "frame": np.concatenate([np.full(len(d), i) for i, d in enumerate(detections)]),
        }
    )
    try:
        tp.link(df, 24, memory=3)
        print("trackpy link (search_range 24, memory 3): completed")
    except SubnetOversizeException as exc:
        print(f"trackpy link (search_range 24, memory 3): SubnetOversizeException: {exc}")
    t0 = time.perf_counter()
    linker = Linker(LinkSettings(search_range=4.5 * 6.0, memory=2))
    builder = TrackBuilder()
    ids = []
    for i, d in enumerate(detections):
        linked = linker.add(i, d.x, d.y, shape=(512, 512))
        ids.append(linked.track_ids)
        builder.add(i, d, linked.track_ids, linked.unambiguous)
    table = builder.finish()
    print(f"exoderm link: {time.perf_counter() - t0:.2f} s for {n_frames} frames")
    sys.path.insert(0, "tests/nta")
    from test_link import _link_accuracy  # the same ground-truth scoring as the test

    acc = _link_accuracy(sim, detections, ids)
    ambiguous = 200 / 512**2 * math.pi * 2 * 36 / 2
    print(
        f"exoderm true links recovered: {acc:.4f} (pairwise-ambiguity limit ≈ {1 - ambiguous:.3f})"
    )
    used = table.unambiguous.mean()
    print(
        f"exoderm pooled CVE D {pooled_cve(table):.2f} px²/frame vs truth 18.00 "
        f"(unambiguous steps only, {used:.0%} of detections); "
        f"all steps {pooled_cve(table, False):.2f}"
    )


def memory(n_frames: int) -> None:
    settings = SimulationSettings(
        width=1024,
        height=1024,
        n_frames=n_frames,
        concentration_per_ml=4e8,
        n_particles=None,
        brightness_exponent=2,
        seed=3,
    )
    sim = VideoSimulator(settings, record_truth=False)
    acq = Acquisition(temperature_c=22, pixel_size_um=0.166, fps=25, exposure_ms=30)
    t0 = time.perf_counter()
    result = analyze(
        FrameSource("sim-1024", sim.frames(), n_frames),
        AnalysisSettings(acquisition=acq, sizing=SizingSettings(bootstrap=20)),
    )
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"memory: {n_frames} frames 1024x1024 simulated+analysed in "
        f"{time.perf_counter() - t0:.0f} s, {result.particles_per_frame:.0f} ppf, "
        f"{result.sized_tracks} sized tracks, d50 {result.summary['d50_nm']:.1f} nm"
    )
    print(f"PEAK RSS {rss_mib:.0f} MiB")


def sizing(n_frames: int, seeds: tuple[int, ...] = (1, 2, 3, 4, 5, 6)) -> None:
    """Monodisperse 100 nm on rendered video (30 ms exposure at 25 fps, light sheet):
    D50 and mode per seed against the truth, the figures in docs/nta.md (Known limits)."""
    acq = Acquisition(temperature_c=22, pixel_size_um=0.166, fps=25, exposure_ms=30)
    rows = []
    for seed in seeds:
        settings = SimulationSettings(
            n_frames=n_frames,
            concentration_per_ml=8e8,
            n_particles=None,
            brightness_exponent=2,
            seed=seed,
        )
        sim = VideoSimulator(settings, record_truth=False)
        result = analyze(
            FrameSource(f"sim-{seed}", sim.frames(), n_frames),
            AnalysisSettings(acquisition=acq, sizing=SizingSettings(bootstrap=0)),
        )
        d50, mode = result.summary["d50_nm"], result.summary["mode_nm"]
        rows.append((d50, mode))
        print(
            f"seed {seed}: {result.sized_tracks} sized tracks, {result.particles_per_frame:.0f} "
            f"ppf, D50 {d50:.2f} nm ({d50 / 100 - 1:+.1%}), mode {mode:.2f} nm "
            f"({mode / 100 - 1:+.1%})"
        )
    d50s, modes = np.array(rows).T
    inside = int(np.sum((np.abs(d50s - 100) <= 2) & (np.abs(modes - 100) <= 2)))
    print(
        f"mean D50 {d50s.mean():.2f} nm, mean mode {modes.mean():.2f} nm; "
        f"both within ±2 % on {inside} of {len(seeds)} seeds"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("parts", nargs="*", default=["throughput", "fast"])
    parser.add_argument("--frames", type=int, default=None)
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, numpy {np.__version__}")
    try:
        import numba
        import trackpy

        print(f"trackpy {trackpy.__version__}, numba {numba.__version__}")
    except ImportError as exc:
        print(f"note: {exc}")
    for part in args.parts:
        n = args.frames or {"throughput": 500, "fast": 500, "memory": 10000, "sizing": 1500}[part]
        print(f"--- {part} ({n} frames)")
        {"throughput": throughput, "fast": fast, "memory": memory, "sizing": sizing}[part](n)


if __name__ == "__main__":
    main()
