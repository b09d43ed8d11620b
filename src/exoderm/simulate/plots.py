"""Time-course plots (matplotlib, Agg backend): treated vs control for key states, and the
reader-facing names and units of every state and endpoint the plots and pages show."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from exoderm.simulate import atopic, photoageing, wound
from exoderm.simulate.outcomes import OutcomeSummary

PANELS: dict[str, tuple[str, ...]] = {
    "wound": ("W", "phiI", "F", "C"),
    "photoageing": ("MMP1", "TNF", "TGF", "Ci"),
    "ad": ("EASI", "s", "IL4", "IL13"),
}

STATE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "wound": wound.STATE_LABELS,
    "photoageing": photoageing.STATE_LABELS,
    "ad": atopic.STATE_LABELS,
}
ENDPOINT_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "wound": wound.ENDPOINT_LABELS,
    "photoageing": photoageing.ENDPOINT_LABELS,
    "ad": atopic.ENDPOINT_LABELS,
}


def state_label(model: str, name: str) -> tuple[str, str]:
    """The name and unit of a model state, as a reader should see them.

    Parameters
    ----------
    model : str
        ``wound``, ``photoageing`` or ``ad``.
    name : str
        The state's symbol in the model's equations (e.g. ``phiI``).

    Returns
    -------
    tuple of str
        (name, unit); an unknown symbol is returned as its own name with no unit.

    References
    ----------
    .. [1] Waugh, H. V. & Sherratt, J. A. (2007). Modeling the effects of treating
       diabetic wounds with engineered skin substitutes. Wound Repair and Regeneration
       15(4), 556-565. PMID 17650100.

    Examples
    --------
    >>> state_label("wound", "phiI")
    ('Inflammatory (M1) macrophages', 'cells/mm³')
    """
    return STATE_LABELS.get(model, {}).get(name, (name, ""))


def endpoint_label(model: str, key: str) -> tuple[str, str]:
    """The name and unit of an endpoint of :func:`~.outcomes.predict_outcomes`.

    Parameters
    ----------
    model : str
        ``wound``, ``photoageing`` or ``ad``.
    key : str
        The endpoint's key in the results (e.g. ``closure_day7_pct``).

    Returns
    -------
    tuple of str
        (name, unit); an unknown key is returned as its own name with no unit.

    References
    ----------
    .. [1] Miyano, T., Irvine, A. D. & Tanaka, R. J. (2022). A mathematical model to
       identify optimal combinations of drug targets for dupilumab poor responders in
       atopic dermatitis. Allergy 77(2), 582-594. doi:10.1111/all.14870

    Examples
    --------
    >>> endpoint_label("ad", "easi_end")
    ('EASI at the end, treated', 'points (0–72)')
    """
    return ENDPOINT_LABELS.get(model, {}).get(key, (key, ""))


def plot_outcome(out: OutcomeSummary, path: Path) -> Path:
    """Write a 2×2 panel PNG of the treated and control time courses."""
    model = out.scenario.model.value
    names = PANELS[model]
    fig, axes = plt.subplots(2, 2, figsize=(10, 6.5), constrained_layout=True)
    for ax, name in zip(axes.ravel(), names, strict=True):
        label, unit = state_label(model, name)
        ax.plot(out.times, out.control[name], label="untreated / vehicle", color="0.45")
        ax.plot(out.times, out.treated[name], label="with exosomes", color="C0", linestyle="--")
        ax.set_title(label, fontsize=10)
        ax.set_xlabel(f"time ({out.time_unit}s)")
        ax.set_ylabel(unit, fontsize=8)
    axes[0, 0].legend()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
