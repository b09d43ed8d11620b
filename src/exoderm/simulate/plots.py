"""Time-course plots (matplotlib, Agg backend): treated vs control for key states."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from exoderm.simulate.outcomes import OutcomeSummary

PANELS: dict[str, tuple[str, ...]] = {
    "wound": ("W", "phiI", "F", "C"),
    "photoageing": ("MMP1", "TNF", "TGF", "Ci"),
    "ad": ("EASI", "s", "IL4", "IL13"),
}


def plot_outcome(out: OutcomeSummary, path: Path) -> Path:
    """Write a 2×2 panel PNG of the treated and control time courses."""
    names = PANELS[out.scenario.model.value]
    fig, axes = plt.subplots(2, 2, figsize=(9, 6), constrained_layout=True)
    for ax, name in zip(axes.ravel(), names, strict=True):
        ax.plot(out.times, out.control[name], label="control / vehicle", color="0.5")
        ax.plot(out.times, out.treated[name], label="exosome", color="C0")
        ax.set_title(name)
        ax.set_xlabel(out.time_unit)
    axes[0, 0].legend()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
