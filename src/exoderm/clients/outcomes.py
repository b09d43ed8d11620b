"""Outcomes: change from baseline, percent improvement and responder status per instrument.

Baseline is the first assessment of an instrument. Percent improvement is signed so
that positive always means better (for TEWL lower is better; for the Corneometer higher
is better). Responder status uses the instrument's published thresholds (EASI-50/75,
SCORAD-35, DLQI MCID 4 …); where none exists it is ``None`` with the reason, never a
guess. Device readings are compared only at the same site.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from exoderm.accounts.actor import Actor
from exoderm.clients import access
from exoderm.clients.assessments import Assessment, assessments_of
from exoderm.clients.instruments import INSTRUMENTS, Direction, InstrumentInfo


class OutcomePoint(BaseModel):
    """One assessment compared with its baseline."""

    instrument: str
    visit_date: str
    value: float
    baseline: float
    change: float
    percent_improvement: float | None
    responders: dict[str, bool | None]
    series: str
    note: str = ""
    #: The series' first visit: it is the baseline, so it carries no responder verdict.
    is_baseline: bool = False

    def row(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument,
            "series": self.series,
            "visit_date": self.visit_date,
            "value": self.value,
            "baseline": self.baseline,
            "change": self.change,
            "improvement_%": self.percent_improvement,
            "responder": "baseline"
            if self.is_baseline
            else ", ".join(
                f"{k}: {'yes' if v else 'no'}" for k, v in self.responders.items() if v is not None
            )
            or None,
            "note": self.note or None,
        }


class OutcomeReport(BaseModel):
    """The outcome points of one client, series by series."""

    pseudonym: str
    points: list[OutcomePoint] = Field(default_factory=list)

    def rows(self) -> list[dict[str, Any]]:
        return [p.row() for p in self.points]


def improvement(info: InstrumentInfo, baseline: float, value: float) -> tuple[float, float | None]:
    """(signed improvement in points, percent improvement) — positive means better."""
    gain = baseline - value if info.direction is Direction.higher_is_worse else value - baseline
    if baseline == 0:
        return gain, None
    return gain, round(100 * gain / abs(baseline), 2)


def responder_status(
    info: InstrumentInfo, baseline: float, value: float
) -> tuple[dict[str, bool | None], str]:
    """Each published responder definition met or not; a note when there is none."""
    if info.code == "gais":
        return {}, "GAIS rates change itself; no validated responder cut-off"
    if not info.responders:
        return {}, "no published MCID for this instrument"
    gain, percent = improvement(info, baseline, value)
    out: dict[str, bool | None] = {}
    for r in info.responders:
        if info.code == "viga_ad":
            out[r.label] = value <= 1 and gain >= 2
        elif r.percent is not None:
            out[r.label] = None if percent is None else percent >= r.percent
        elif r.absolute is not None:
            out[r.label] = gain >= r.absolute
    unverified = [r.label for r in info.responders if not r.verified]
    note = f"unverified threshold: {', '.join(unverified)}" if unverified else ""
    return out, note


def _series_key(a: Assessment) -> str:
    """Instrument plus site (devices) or rater (GAIS): only like is compared with like."""
    if "site" in a.inputs:
        return f"{a.instrument}@{a.inputs['site']}"
    if "rater" in a.inputs:
        return f"{a.instrument}:{a.inputs['rater']}"
    return a.instrument


def compute_outcomes(pseudonym: str, assessments: list[Assessment]) -> OutcomeReport:
    """Outcomes for a list of assessments (pure; see :func:`client_outcomes`)."""
    report = OutcomeReport(pseudonym=pseudonym)
    by_series: dict[str, list[Assessment]] = {}
    for a in assessments:
        by_series.setdefault(_series_key(a), []).append(a)
    for series, items in by_series.items():
        info = INSTRUMENTS[items[0].instrument].info
        if info.code == "fitzpatrick":
            continue  # a trait, not an outcome
        baseline = items[0].value
        for index, a in enumerate(items):
            change = round(a.value - baseline, 4)
            _, percent = improvement(info, baseline, a.value)
            responders, note = responder_status(info, baseline, a.value)
            report.points.append(
                OutcomePoint(
                    instrument=info.code,
                    visit_date=a.visit_date.isoformat(),
                    value=a.value,
                    baseline=baseline,
                    change=change,
                    percent_improvement=percent,
                    responders=responders,
                    series=series,
                    note=note,
                    is_baseline=index == 0,
                )
            )
    return report


def client_outcomes(session: Session, actor: Actor, pseudonym: str) -> OutcomeReport:
    """Outcomes of one client (audited read)."""
    client = access.load_client(session, actor, pseudonym, action="outcomes")
    items = assessments_of(session, client.id)
    access.log(session, actor, "outcomes", client, {"assessments": len(items)})
    return compute_outcomes(client.pseudonym, items)


def plot_outcomes(report: OutcomeReport, path: Path) -> Path:
    """A figure with one panel per series (value over time, baseline dashed); PNG/SVG/PDF."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.dates import DateFormatter

    series: dict[str, list[OutcomePoint]] = {}
    for p in report.points:
        series.setdefault(p.series, []).append(p)
    n = max(len(series), 1)
    fig, axes = plt.subplots(n, 1, figsize=(7, 2.6 * n), squeeze=False)
    from datetime import date as _date

    for ax, (name, points) in zip(axes[:, 0], series.items(), strict=False):
        info = INSTRUMENTS[points[0].instrument].info
        days = [_date.fromisoformat(p.visit_date) for p in points]
        ax.plot(days, [p.value for p in points], marker="o")
        ax.axhline(points[0].baseline, linestyle="--", linewidth=0.8, color="grey")
        ax.set_title(f"{info.name} ({name})", fontsize=9)
        ax.set_ylabel(info.unit)
        ax.xaxis.set_major_formatter(DateFormatter("%Y-%m-%d"))
        ax.tick_params(axis="x", labelsize=7)
    fig.suptitle(f"Outcomes of {report.pseudonym}")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path)
    plt.close(fig)
    return path
