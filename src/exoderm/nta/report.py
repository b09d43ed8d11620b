"""Writing an analysis to disk: JSON (everything), CSV (distribution, tracks, flow tests,
mixture components), PNG plot."""

from __future__ import annotations

import csv
from pathlib import Path

from exoderm.nta.analysis import NtaResult
from exoderm.nta.flow import FlowDiagnostics

FlowValue = float | int | str | None


def write_report(result: NtaResult, out_dir: str | Path, stem: str = "nta") -> list[Path]:
    """Write ``<stem>.json``, ``<stem>_distribution.csv``, ``<stem>_tracks.csv``, ``<stem>.png``.

    With flow diagnostics in the result (the default), ``<stem>_flow.csv`` holds the drift,
    flow-field and D-trend tests and their warnings (one ``quantity,value`` row each); with
    a mixture fit (``AnalysisSettings.mixture``), ``<stem>_mixture.csv`` holds its
    components, one row each (:meth:`~exoderm.nta.mixture.MixtureSummary.to_frame`).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{stem}.json", out / f"{stem}_distribution.csv", out / f"{stem}_tracks.csv"]
    paths[0].write_text(result.model_dump_json(indent=2), encoding="utf-8")
    with paths[1].open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["lower_nm", "upper_nm", "centre_nm", "fraction", "density_per_nm"])
        for b in result.bins:
            writer.writerow([b.lower_nm, b.upper_nm, b.centre_nm, b.fraction, b.density_per_nm])
    with paths[2].open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["track", "positions", "diffusion_um2_s", "sigma_nm", "diameter_nm"])
        for t in result.track_rows:
            writer.writerow([t.track, t.positions, t.diffusion_um2_s, t.sigma_nm, t.diameter_nm])
    if result.flow is not None:
        flow_path = out / f"{stem}_flow.csv"
        with flow_path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["quantity", "value"])
            writer.writerows(_flow_rows(result.flow))
        paths.append(flow_path)
    if result.mixture is not None:
        mixture_path = out / f"{stem}_mixture.csv"
        result.mixture.to_frame().to_csv(mixture_path, index=False)
        paths.append(mixture_path)
    if result.bins:
        paths.append(plot_distribution(result, out / f"{stem}.png"))
    return paths


def _flow_rows(flow: FlowDiagnostics) -> list[tuple[str, FlowValue]]:
    """The flow diagnostics as (quantity, value) rows; warnings last, one row each."""
    d = flow.drift
    rows: list[tuple[str, FlowValue]] = [
        ("drift_vx_um_s", d.vx_um_s),
        ("drift_vy_um_s", d.vy_um_s),
        ("drift_p_value", d.p_value),
        ("drift_steps", d.steps),
        ("field_chi2", flow.field_chi2),
        ("field_dof", flow.field_dof),
        ("field_p_value", flow.field_p_value),
        ("field_max_speed_um_s", flow.field_max_speed_um_s),
        ("field_cells", len(flow.cells)),
    ]
    t = flow.trend
    if t is not None:
        rows += [
            ("trend_slope_um2_s2", t.slope_um2_s2),
            ("trend_slope_low_um2_s2", t.slope_low_um2_s2),
            ("trend_slope_high_um2_s2", t.slope_high_um2_s2),
            ("trend_relative_per_min", t.relative_per_min),
            ("trend_p_value", t.p_value),
        ]
    rows.append(("significance_alpha", flow.alpha))
    rows += [("warning", w) for w in flow.warnings]
    return rows


def plot_distribution(result: NtaResult, path: Path) -> Path:
    """Number-weighted density per nm with the per-track sizes as a histogram behind it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dist = result.distribution()
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=120)
    sizes = [t.diameter_nm for t in result.track_rows if t.diameter_nm]
    upper = max(result.summary.get("d90_nm", 200.0) * 2.0, 100.0)
    if sizes:
        ax.hist(
            sizes,
            bins=60,
            range=(0, upper),
            density=True,
            color="0.85",
            label="per-track CVE sizes",
        )
    ax.plot(
        dist.centres_nm, dist.density_per_nm, color="C0", lw=2, label="deconvolved (Walker/FTLA)"
    )
    ax.set_xlim(0, upper)
    ax.set_xlabel("hydrodynamic diameter (nm)")
    ax.set_ylabel("number density (1/nm)")
    s = result.summary
    ax.set_title(
        f"mode {s.get('mode_nm', float('nan')):.0f} nm · D50 {s.get('d50_nm', float('nan')):.0f} nm"
        f" · {result.sized_tracks} tracks"
    )
    ax.legend(frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
