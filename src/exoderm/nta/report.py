"""Writing an analysis to disk: JSON (everything), CSV (distribution and tracks), PNG plot."""

from __future__ import annotations

import csv
from pathlib import Path

from exoderm.nta.analysis import NtaResult


def write_report(result: NtaResult, out_dir: str | Path, stem: str = "nta") -> list[Path]:
    """Write ``<stem>.json``, ``<stem>_distribution.csv``, ``<stem>_tracks.csv``, ``<stem>.png``."""
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
    if result.bins:
        paths.append(plot_distribution(result, out / f"{stem}.png"))
    return paths


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
