"""Trends across lots: individuals control charts with out-of-control rules.

Centre line and limits are the mean ± 1, 2 and 3 SD (sample SD) of the baseline lots
(all lots unless a baseline count is given). Rules flagged, from the Western Electric
*Statistical Quality Control Handbook* (1956) and Nelson, "The Shewhart control chart —
tests for special causes", J Qual Technol 16:237–239 (1984):

- ``beyond_3sd``: one point beyond 3 SD (WE rule 1, Nelson 1);
- ``2_of_3_beyond_2sd``: 2 of 3 consecutive points beyond 2 SD on the same side (WE 2,
  Nelson 5);
- ``4_of_5_beyond_1sd``: 4 of 5 consecutive beyond 1 SD on the same side (WE 3, Nelson 6);
- ``8_same_side``: 8 consecutive points on one side of the centre line (WE 4; Nelson
  uses 9);
- ``6_trending``: 6 consecutive points steadily increasing or decreasing (Nelson 3).

Metrics: size mode (nm), stock concentration (particles/mL) and the particle:protein
purity ratio (Webber & Clayton 2013, PMID 24009896).
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Callable, Sequence

from pydantic import BaseModel, Field

from exoderm.qc.facts import BatchFacts

METRICS: dict[str, tuple[str, Callable[[BatchFacts], float | None]]] = {
    "mode_nm": ("size mode (nm)", lambda f: f.mode_nm),
    "concentration_per_ml": ("particles/mL (stock)", lambda f: f.particles_per_ml),
    "particles_per_ug_protein": ("particles/µg protein", lambda f: f.particles_per_ug_protein),
}


class ChartPoint(BaseModel):
    """One lot on a control chart, with the rules it breaks."""

    lot: str
    value: float
    flags: list[str] = Field(default_factory=list)


class ControlChart(BaseModel):
    """An individuals chart of one metric across lots."""

    metric: str
    label: str
    points: list[ChartPoint]
    mean: float
    sd: float
    baseline_n: int

    def limit(self, k: float) -> tuple[float, float]:
        return self.mean - k * self.sd, self.mean + k * self.sd

    @property
    def out_of_control(self) -> list[ChartPoint]:
        return [p for p in self.points if p.flags]


def _zone(value: float, mean: float, sd: float) -> float:
    return (value - mean) / sd if sd > 0 else 0.0


def _flag_runs(points: list[ChartPoint], z: list[float]) -> None:
    n = len(points)
    for i in range(n):
        if abs(z[i]) > 3:
            points[i].flags.append("beyond_3sd")
        for window, need, k, rule in (
            (3, 2, 2, "2_of_3_beyond_2sd"),
            (5, 4, 1, "4_of_5_beyond_1sd"),
        ):
            if i + 1 >= window:
                span = z[i + 1 - window : i + 1]
                for sign in (1, -1):
                    if sum(1 for v in span if sign * v > k) >= need and sign * z[i] > k:
                        points[i].flags.append(rule)
        if i + 1 >= 8:
            span = z[i - 7 : i + 1]
            if all(v > 0 for v in span) or all(v < 0 for v in span):
                points[i].flags.append("8_same_side")
        if i + 1 >= 6:
            vals = [p.value for p in points[i - 5 : i + 1]]
            steps = [b - a for a, b in itertools.pairwise(vals)]
            if all(s > 0 for s in steps) or all(s < 0 for s in steps):
                points[i].flags.append("6_trending")


def control_chart(
    metric: str, label: str, values: Sequence[tuple[str, float]], baseline: int | None = None
) -> ControlChart:
    """An individuals chart of ``(lot, value)`` pairs in production order, with rules flagged."""
    points = [ChartPoint(lot=lot, value=float(v)) for lot, v in values]
    base = [p.value for p in points[: baseline or len(points)]]
    mean = statistics.fmean(base) if base else float("nan")
    sd = statistics.stdev(base) if len(base) >= 2 else 0.0
    if len(points) >= 2:
        _flag_runs(points, [_zone(p.value, mean, sd) for p in points])
    return ControlChart(
        metric=metric, label=label, points=points, mean=mean, sd=sd, baseline_n=len(base)
    )


def lot_charts(facts: Sequence[BatchFacts], baseline: int | None = None) -> list[ControlChart]:
    """Control charts of every metric across lots, in order of manufacture."""
    facts = list(facts)
    facts.sort(key=lambda f: (f.record.manufactured_on is None, f.record.manufactured_on))
    charts = []
    for metric, (label, get) in METRICS.items():
        values = [(f.record.lot, v) for f in facts if (v := get(f)) is not None]
        charts.append(control_chart(metric, label, values, baseline))
    return charts


def control_chart_png(chart: ControlChart) -> bytes:
    """The chart as a PNG: values, centre line, ±1/2/3 SD, flagged points in red."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 3.2), dpi=110)
    ax = fig.add_subplot()
    x = list(range(len(chart.points)))
    ax.plot(x, [p.value for p in chart.points], marker="o", color="#1f4fd8")
    for k, style in ((0, "-"), (1, ":"), (2, "--"), (3, "-")):
        for y in {chart.mean + k * chart.sd, chart.mean - k * chart.sd}:
            ax.axhline(y, color="grey" if k < 3 else "#aa0000", linestyle=style, linewidth=0.8)
    bad = [(i, p.value) for i, p in enumerate(chart.points) if p.flags]
    if bad:
        ax.scatter([i for i, _ in bad], [v for _, v in bad], color="#aa0000", zorder=3)
    ax.set_xticks(x, [p.lot for p in chart.points], rotation=45, ha="right", fontsize=7)
    ax.set_ylabel(chart.label)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
