"""Export NTA results as a NanoSight-style ``ExperimentSummary.csv``.

The Malvern Panalytical NanoSight NTA 3.x software writes one "NTA Experiment Summary
File" per experiment: CSV sections headed ``[Name]``, one column per video, ``Average``
and ``Standard Error`` columns after the last video, and under ``[Size Data]`` the
number-weighted summary rows, a ``Graph Data`` block (particles/mL per nm on 1-nm bins
centred at 0.5, 1.5, … nm) and a 0–100 ``Percentile`` table. Writing exoderm's analyses in
that layout lets them be imported by :mod:`exoderm.qc.importers.nanosight` and by tools
that read NanoSight output.

What is written where the two programs differ:

- the distribution is exoderm's deconvolved number distribution (Walker 2012), resampled
  from its logarithmic grid onto NanoSight's 1-nm bins through the cumulative
  distribution (linear within each exoderm bin, as :meth:`Distribution.quantile`), so
  D-values read from the exported bins equal exoderm's own to within a bin;
- Mean, Mode, SD and D10/D50/D90 are exoderm's values as computed, not recomputed;
- ``[Settings]`` rows carry exoderm's own parameters under labels that say what they
  are (``Detection threshold (x noise SD)`` is not NanoSight's camera-count threshold);
  ``Max Jump Distance`` (px) and ``Min Track Length`` mean the same in both;
- the analysis's warnings are listed in ``[Information]`` (``Warning (1)`` …), which the
  QC importer reports as instrument warnings.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from exoderm import __version__
from exoderm.errors import UserInputError
from exoderm.nta.analysis import NtaResult

SIGNATURE = "NTA Experiment Summary File"
#: NanoSight's Graph Data grid: 1-nm bins from 0 nm, at least up to 1000 nm
GRID_NM = 1000
SUMMARY_ROWS = (
    ("Mean", "mean_nm"),
    ("Mode", "mode_nm"),
    ("SD", "sd_nm"),
    ("D10", "d10_nm"),
    ("D50", "d50_nm"),
    ("D90", "d90_nm"),
)
Cells = list[str]


def _mean_se(values: Sequence[float]) -> tuple[float, float] | None:
    """Average and standard error (sample SD / √n, as NanoSight prints); None for one video."""
    if len(values) < 2:
        return None
    array = np.asarray(values, dtype=float)
    return float(array.mean()), float(array.std(ddof=1) / math.sqrt(array.size))


def _with_average(label: str, values: Sequence[float], fmt: str) -> Cells:
    stats = _mean_se(values)
    extra = [format(stats[0], fmt), format(stats[1], fmt)] if stats else ["", ""]
    return [label, *(format(v, fmt) for v in values), *extra, ""]


def _per_video(label: str, values: Sequence[str], tail: int = 1) -> Cells:
    """A row: label, one cell per video, then ``tail`` empty cells (NanoSight's trailing
    comma, or the blank Average/Standard Error cells)."""
    return [label, *values, *[""] * tail]


def _video_name(result: NtaResult) -> str:
    return Path(result.source).stem or result.source


def _concentration(result: NtaResult) -> float:
    if result.concentration is None:
        raise UserInputError(
            f"the analysis of {result.source} has no concentration",
            field="calibration",
            expected="an analysis run with a volume calibration (a NanoSight summary "
            "always reports particles/mL)",
        )
    return result.concentration.concentration_per_ml


def _graph_grid(results: Sequence[NtaResult]) -> NDArray[np.float64]:
    """Edges of the 1-nm bins: 0 … max(1000 nm, the largest exoderm edge)."""
    top = max(r.bins[-1].upper_nm for r in results)
    return np.arange(0.0, max(GRID_NM, math.ceil(top)) + 1.0)


def _graph_data(result: NtaResult, edges_nm: NDArray[np.float64]) -> NDArray[np.float64]:
    """Particles/mL per nm on the 1-nm bins ``edges_nm`` (one Graph Data column): the
    result's cumulative distribution, linear within its bins, differenced at the edges."""
    dist = result.distribution()
    cdf = np.concatenate([[0.0], np.cumsum(dist.probability)])
    below = np.interp(edges_nm, dist.edges_nm, cdf, left=0.0, right=1.0)
    return np.diff(below) * _concentration(result) / np.diff(edges_nm)


def _percentiles(result: NtaResult) -> list[float]:
    """Sizes at 0 … 100 % of the number distribution (0 and 100: its support's ends)."""
    dist = result.distribution()
    occupied = np.flatnonzero(dist.probability > 0)
    first, last = dist.edges_nm[occupied[0]], dist.edges_nm[occupied[-1] + 1]
    inner = [dist.quantile(q / 100.0) for q in range(1, 100)]
    return [float(first), *inner, float(last)]


def _details(
    results: Sequence[NtaResult],
    sample: str,
    operator: str,
    diluent: str,
    measured_at: datetime | None,
) -> list[Cells]:
    n = len(results)
    captured = measured_at.strftime("%H:%M:%S  %d/%m/%Y") if measured_at else ""
    return [
        [SIGNATURE, ""],
        [f"Created with exoderm {__version__}", ""],
        ["", ""],
        ["[Experiment Details]", "", ""],
        ["Software Version", f"exoderm {__version__}", ""],
        ["Experiment Name", sample, ""],
        ["Operator Name", operator, ""],
        ["Time Captured", captured, ""],
        ["Sample Description", sample, ""],
        ["Pre-treatment", "", ""],
        ["Diluent", diluent, ""],
        ["Remarks", "", ""],
        ["", "", ""],
        [""] * (n + 3),
        _per_video("Filename:", [_video_name(r) for r in results]),
        _per_video("Processed", ["Yes"] * n),
        [],
    ]


def _conditions(results: Sequence[NtaResult]) -> list[Cells]:
    acq = [r.settings.acquisition for r in results]
    blank = [""] * (len(results) + 1)
    return [
        ["[Conditions]", *blank],
        _per_video("Temperature/C", [f"{a.temperature_c:.3f}" for a in acq]),
        _per_video("Viscosity/cP", [f"{r.viscosity_mpas:.6f}" for r in results]),
        _per_video("Shutter/ms", [f"{a.exposure_ms:.6f}" for a in acq]),
        _per_video("Frame rate/fps", [f"{a.fps:.6f}" for a in acq]),
        _per_video("Pixel size/um", [f"{a.pixel_size_um:.6f}" for a in acq]),
        ["", *blank],
        ["[Settings]", *blank],
        _per_video(
            "Detection threshold (x noise SD)",
            [f"{r.settings.detection.threshold_snr:g}" for r in results],
        ),
        _per_video("Spot radius/pix", [str(r.settings.detection.radius) for r in results]),
        _per_video("Max Jump Distance", [f"{r.search_range_px:.4f}" for r in results]),
        _per_video("Min Track Length", [str(r.settings.sizing.min_track_length) for r in results]),
        _per_video("Diffusion estimator", [r.settings.estimator.upper() for r in results]),
        _per_video("First frame", ["0"] * len(results)),
        _per_video("Total frames analysed", [str(r.frames) for r in results]),
        ["", *blank],
    ]


def _drift_pix_per_frame(result: NtaResult, axis: int) -> float:
    acq = result.settings.acquisition
    return result.drift_um_per_s[axis] / acq.pixel_size_um / acq.fps


def _results(results: Sequence[NtaResult]) -> list[Cells]:
    n = len(results)
    dilution = [f"{r.settings.dilution:.2e}" for r in results]
    return [
        ["[Results]", *[""] * n, "Average", "Standard Error", ""],
        _per_video("Dilution factor (concentrations adjusted for this factor)", dilution, tail=3),
        _with_average(
            "Concentration (Particles / ml)", [_concentration(r) for r in results], ".2e"
        ),
        _with_average("Particles per frame", [r.particles_per_frame for r in results], ".1f"),
        _per_video("Completed tracks", [str(r.tracks) for r in results], tail=3),
        _per_video(
            "X-Drift (pix/frame)", [f"{_drift_pix_per_frame(r, 0):.1f}" for r in results], tail=3
        ),
        _per_video(
            "Y-Drift (pix/frame)", [f"{_drift_pix_per_frame(r, 1):.1f}" for r in results], tail=3
        ),
        [""] * (n + 4),
    ]


def _information(results: Sequence[NtaResult]) -> list[Cells]:
    rows: list[Cells] = [["[Information]"]]
    most = max(len(r.warnings) for r in results)
    for k in range(most):
        cells = [r.warnings[k] if k < len(r.warnings) else "" for r in results]
        rows.append(_per_video(f"Warning ({k + 1})", cells))
    rows.append(_per_video("Settings changed?", ["No"] * len(results)))
    return [*rows, []]


def _size_data(results: Sequence[NtaResult]) -> list[Cells]:
    n = len(results)
    rows: list[Cells] = [
        ["[Data Included]", ""],
        ["Size distribution - Number weighting - With Percentiles", ""],
        ["", ""],
        ["[Size Data]", "", ""],
        ["Analysis Method", "Walker EMS", ""],
        ["Weighting", "Number", ""],
        ["Filename", *[_video_name(r) for r in results], "Average", "Standard Error", ""],
    ]
    for label, key in SUMMARY_ROWS:
        rows.append(_with_average(label, [r.summary[key] for r in results], ".1f"))
    rows.append(_per_video("Valid Tracks", [f"{r.sized_tracks:.1f}" for r in results], tail=3))
    edges = _graph_grid(results)
    columns = [_graph_data(r, edges) for r in results]
    column = "Concentration (particles / ml)"
    rows.append(["Graph Data", ""])
    rows.append(["Bin centre (nm)", *[column] * n, "Concentration average", "Standard Error", ""])
    centres = (edges[:-1] + edges[1:]) / 2.0
    for i, centre in enumerate(centres):
        values = [float(c[i]) for c in columns]
        stats = _mean_se(values)
        extra = [f"{stats[0]:.0f}", f"{stats[1]:.0f}"] if stats else [f"{values[0]:.0f}", ""]
        rows.append([f"{centre:.1f}", *(f"{v:.0f}" for v in values), *extra, ""])
    rows.append([])
    rows.append(["Percentile", *["Size (nm)"] * n, ""])
    table = [_percentiles(r) for r in results]
    for q in range(101):
        rows.append([str(q), *(f"{t[q]:.1f}" for t in table), ""])
    rows.append([""] * (n + 1))
    return rows


def experiment_summary_csv(
    result: NtaResult | Sequence[NtaResult],
    *,
    sample: str,
    operator: str = "",
    diluent: str = "",
    measured_at: datetime | None = None,
) -> str:
    """One or more analyses as a NanoSight NTA 3.x ``ExperimentSummary.csv`` (text).

    Several results are written as the videos of one experiment (one column each, with
    ``Average`` and ``Standard Error`` = SD/√n columns, as NanoSight prints them).

    Parameters
    ----------
    result : NtaResult or sequence of NtaResult
        Analyses with a size distribution and a concentration (run with a calibration).
    sample : str
        Sample description (``Experiment Name`` and ``Sample Description`` rows).
    operator, diluent : str, optional
        ``Operator Name`` and ``Diluent`` rows.
    measured_at : datetime, optional
        ``Time Captured`` (printed ``HH:MM:SS  DD/MM/YYYY``).

    Returns
    -------
    str
        The file's text with CRLF line ends (write it with ``newline=""``).

    Raises
    ------
    UserInputError
        A result has no concentration (no calibration) or no size distribution.

    References
    ----------
    .. [1] Malvern Panalytical. NanoSight NTA 3.x software, "NTA Experiment Summary File"
       export: the sections, per-video columns, Graph Data and Percentile tables as
       written by NTA 3.2 Dev Build 3.2.16 and NTA 3.4 Build 3.4.003 in the example
       exports of github.com/nguyens7/tidyNano (``inst/extdata/beads.csv``,
       ``beads2.csv``, MIT).
    .. [2] Walker, J. G. (2012). Improved nano-particle tracking analysis. Meas. Sci.
       Technol. 23, 065605. doi:10.1088/0957-0233/23/6/065605

    Examples
    --------
    >>> from exoderm.nta import Calibration, analyze, simulate_video
    >>> video = simulate_video(n_frames=30, width=96, height=96, n_particles=12, seed=1)
    >>> result = analyze(video, temperature=22, pixel_size=0.166, fps=25, exposure="30ms",
    ...                  bootstrap=0, calibration=Calibration.from_volume(120.0))
    >>> text = experiment_summary_csv(result, sample="beads")
    >>> text.splitlines()[0]
    'NTA Experiment Summary File,'
    >>> "[Size Data]" in text and "Graph Data" in text
    True
    """
    results = [result] if isinstance(result, NtaResult) else list(result)
    if not results:
        raise UserInputError("no analyses to export", expected="one or more NTA results")
    for r in results:
        _concentration(r)
        if not r.bins:
            raise UserInputError(
                f"the analysis of {r.source} has no size distribution",
                expected="at least 2 sized tracks",
            )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for section in (
        _details(results, sample, operator, diluent, measured_at),
        _conditions(results),
        _results(results),
        _information(results),
        _size_data(results),
    ):
        writer.writerows(section)
    return buffer.getvalue()
