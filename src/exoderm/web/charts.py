"""Server-rendered charts as inline SVG (matplotlib, Agg backend): no JavaScript, no CDN.

Each chart gets a ``<title>`` and an ``aria-label`` so screen readers announce what it
shows; the same numbers are always also given as a table on the page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

import matplotlib

matplotlib.use("Agg")
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure

COLOURS = ("#0b5cad", "#c4510c", "#116329", "#8250df", "#a40e26", "#4a5560")


def svg_of(fig: Figure, label: str) -> str:
    """The figure as an inline SVG element labelled for assistive technology."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    start = text.find("<svg")
    svg = text[start:]
    safe = label.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    svg = svg.replace("<svg", f'<svg role="img" aria-label="{safe}"', 1)
    return re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)


def line_chart(
    series: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    bands: dict[str, tuple[Sequence[float], Sequence[float], Sequence[float]]] | None = None,
    hlines: Sequence[tuple[float, str]] = (),
    dashed: Sequence[str] = (),
    xlim: tuple[float, float] | None = None,
) -> str:
    """Lines (and optional shaded bands x, low, high) as SVG; series named in ``dashed``
    are drawn dashed (so two overlapping curves stay distinguishable), ``xlim`` fixes the
    x-axis range."""
    fig = Figure(figsize=(6.4, 3.4), dpi=96)
    ax = fig.add_subplot()
    for i, (name, (x, y)) in enumerate(series.items()):
        ax.plot(
            list(x),
            list(y),
            label=name,
            color=COLOURS[i % len(COLOURS)],
            linewidth=1.8,
            linestyle="--" if name in dashed else "-",
            marker="o" if len(x) < 20 else None,
        )
    for i, (name, (x, lo, hi)) in enumerate((bands or {}).items()):
        ax.fill_between(
            list(x), list(lo), list(hi), alpha=0.2, color=COLOURS[i % len(COLOURS)], label=name
        )
    for value, name in hlines:
        ax.axhline(value, linestyle="--", linewidth=1, color="#4a5560")
        ax.annotate(
            name,
            (0, value),
            xycoords=("axes fraction", "data"),
            fontsize=8,
            xytext=(2, 2),
            textcoords="offset points",
        )
    if xlim is not None:
        ax.set_xlim(*xlim)
    ax.set_title(title, fontsize=11)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    if series or bands:
        ax.legend(fontsize=8)
    return svg_of(fig, title)


def date_chart(
    series: Mapping[str, tuple[Sequence[date], Sequence[float]]],
    *,
    title: str,
    ylabel: str,
    bands: Mapping[str, tuple[float, float, str]] | None = None,
    pad_days: int = 14,
) -> str:
    """Values against calendar dates as SVG, with optional horizontal bands per series.

    Parameters
    ----------
    series
        Name → (visit dates, values); a series of one visit is drawn as one point.
    title, ylabel
        Chart title (also its accessible label) and y-axis label.
    bands
        Series name → (low, high, label): a shaded horizontal band in the series' colour,
        e.g. the zone within one minimal clinically important difference of baseline.
    pad_days
        Days added on each side of the visits, so one visit still shows a readable
        calendar axis rather than a zero-width one.

    Returns
    -------
    str
        An inline ``<svg>`` element with ``role="img"`` and an ``aria-label``.

    References
    ----------
    Hunter JD (2007). Matplotlib: a 2D graphics environment. Comput Sci Eng 9(3):90–95.
    doi:10.1109/MCSE.2007.55

    Examples
    --------
    >>> svg = date_chart({"dlqi": ([date(2026, 1, 5)], [12.0])}, title="t", ylabel="score",
    ...                  bands={"dlqi": (8.0, 16.0, "MCID")})
    >>> svg.startswith("<svg") and "2026" in svg
    True
    """
    fig = Figure(figsize=(6.4, 3.4), dpi=96)
    ax = fig.add_subplot()
    colours = {name: COLOURS[i % len(COLOURS)] for i, name in enumerate(series)}
    for name, (days, values) in series.items():
        ax.plot(
            date2num(list(days)),
            list(values),
            label=name,
            color=colours[name],
            linewidth=1.8,
            marker="o",
        )
    for name, (low, high, label) in (bands or {}).items():
        ax.axhspan(low, high, alpha=0.15, color=colours.get(name, COLOURS[-1]), label=label)
    every = [d for days, _ in series.values() for d in days]
    if every:
        pad = timedelta(days=pad_days)
        ax.set_xlim(float(date2num(min(every) - pad)), float(date2num(max(every) + pad)))
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.set_title(title, fontsize=11)
    ax.set_xlabel("visit date")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    if series or bands:
        ax.legend(fontsize=8)
    return svg_of(fig, title)


def bar_chart(labels: Sequence[str], values: Sequence[float], *, title: str, xlabel: str) -> str:
    """Horizontal bars (e.g. coverage per target) as SVG."""
    fig = Figure(figsize=(6.4, 0.45 * max(len(labels), 2) + 1.0), dpi=96)
    ax = fig.add_subplot()
    ax.barh(list(labels), list(values), color=COLOURS[0])
    ax.invert_yaxis()
    ax.set_title(title, fontsize=11)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", alpha=0.3)
    return svg_of(fig, title)


def size_distribution_figure(
    centres_nm: Sequence[float], density_per_nm: Sequence[float], *, xlim: tuple[float, float]
) -> Figure:
    """The number-weighted size distribution of an NTA analysis on the axis ``xlim``.

    Parameters
    ----------
    centres_nm, density_per_nm
        Bin centres (nm) and number-weighted density (per nm), in order of size.
    xlim
        The size axis in nm, e.g. D1–D99 with a margin
        (:func:`exoderm.qc.certificate.plot_range`).

    Returns
    -------
    Figure
        A matplotlib figure, rendered by the caller as SVG (page) or PNG (download).

    References
    ----------
    .. [1] ISO 19430:2016. Particle size analysis — Particle tracking analysis (PTA)
       method (number-weighted size distribution).

    Examples
    --------
    >>> fig = size_distribution_figure([90.0, 100.0, 110.0], [0.01, 0.05, 0.01],
    ...                                xlim=(70.0, 130.0))
    >>> [float(x) for x in fig.axes[0].get_xlim()]
    [70.0, 130.0]
    """
    fig = Figure(figsize=(6.4, 3.4), dpi=96)
    ax = fig.add_subplot()
    ax.plot(list(centres_nm), list(density_per_nm), color=COLOURS[0], linewidth=1.8)
    ax.fill_between(list(centres_nm), list(density_per_nm), alpha=0.15, color=COLOURS[0])
    ax.set_xlim(*xlim)
    ax.set_ylim(bottom=0.0)
    ax.set_title("Size distribution (number-weighted, finite-track-length corrected)", fontsize=10)
    ax.set_xlabel("hydrodynamic diameter (nm)")
    ax.set_ylabel("share of particles per nm")
    ax.grid(alpha=0.3)
    return fig


def png_of(fig: Figure) -> bytes:
    """The figure as PNG bytes (for downloads)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
    return buffer.getvalue()
