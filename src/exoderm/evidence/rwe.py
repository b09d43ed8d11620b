"""Real-world evidence: clinics' observed outcomes as observational claims of the graph.

Organisations that opt in contribute, per (exposure, route, concern, instrument) cell,
the change from baseline of their treated clients. This module receives those numbers
(anonymous: one improvement, one responder flag and a follow-up in whole months per
client; see :mod:`exoderm.clients.rwe`), pools them and stores one claim per cell with

* n and the mean improvement with its 95 % t interval (Student 1908),
* the responder rate by the instrument's MCID with its 95 % Wilson interval (Wilson
  1927; recommended over the Wald interval by Brown, Cai & DasGupta 2001),
* the median follow-up in months,
* the study type "observational (clinic registry)" and its GRADE certainty: an
  uncontrolled before–after series starts at *low* and is rated down once for the risk
  of bias of having no control group, to *very low* (Guyatt et al. 2011).

These claims are shown next to the literature (``explain``, design) and are never
added into a literature score: regression to the mean and the placebo response are in
every before–after change, and only a controlled comparison separates them.

References
----------
.. [1] Student (1908). The probable error of a mean. Biometrika 6(1):1–25.
   doi:10.1093/biomet/6.1.1
.. [2] Wilson, E. B. (1927). Probable inference, the law of succession, and
   statistical inference. JASA 22(158):209–212. doi:10.1080/01621459.1927.10502953
.. [3] Brown, L. D., Cai, T. T. & DasGupta, A. (2001). Interval estimation for a
   binomial proportion. Statistical Science 16(2):101–133. doi:10.1214/ss/1009213286
.. [4] Guyatt, G. et al. (2011). GRADE guidelines: 1. Introduction — GRADE evidence
   profiles and summary of findings tables. J Clin Epidemiol 64(4):383–394.
   doi:10.1016/j.jclinepi.2010.04.026
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field
from scipy import stats
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from exoderm.evidence.records import RealWorldClaim

STUDY_TYPE = "observational (clinic registry)"
GRADE = "very low"
GRADE_REASON = (
    "uncontrolled before–after series: observational (starts low), rated down for risk "
    "of bias (no control group; regression to the mean and placebo response not separated)"
)
#: The smallest number of clients one organisation may contribute to a cell.
DEFAULT_MIN_CELL = 10


class CellKey(BaseModel):
    """What a real-world claim is about."""

    model_config = ConfigDict(frozen=True)

    exposure: str = Field(description="An EV source node id or 'formulation:<name>'.")
    route: str
    concern: str = Field(description="A concern node id.")
    instrument: str


class ClientChange(BaseModel):
    """One client's contribution to a cell: nothing that identifies them."""

    model_config = ConfigDict(frozen=True)

    improvement: float = Field(description="Signed: positive means better on the scale.")
    responder: bool | None
    follow_up_months: int = Field(ge=0)


class CellContribution(BaseModel):
    """What one organisation contributes to one cell (only if it has at least k clients)."""

    key: CellKey
    organisation_id: int
    responder_definition: str | None
    changes: list[ClientChange]


class RealWorldClaimRead(BaseModel):
    """A stored real-world claim, as explain and the faces show it."""

    exposure: str
    route: str
    concern: str
    instrument: str
    n: int
    organisations: int
    mean_improvement: float
    ci_low: float
    ci_high: float
    sd: float
    responder_definition: str | None
    responders: int | None
    responder_rate: float | None
    responder_low: float | None
    responder_high: float | None
    follow_up_months: float
    min_cell: int
    study_type: str = STUDY_TYPE
    grade: str = GRADE
    grade_reason: str = GRADE_REASON
    built_at: datetime

    def sentence(self) -> str:
        """One line for a report: n, mean change with interval, responders, follow-up."""
        text = (
            f"{self.instrument} after {self.route} {self.exposure} for {self.concern}: "
            f"n = {self.n} ({self.organisations} organisation(s)), mean improvement "
            f"{self.mean_improvement:.2f} (95 % CI {self.ci_low:.2f} to {self.ci_high:.2f})"
        )
        if self.responder_rate is not None:
            text += (
                f", responders by {self.responder_definition} {self.responder_rate:.0%} "
                f"({self.responder_low:.0%}–{self.responder_high:.0%})"
            )
        return text + (
            f", median follow-up {self.follow_up_months:g} months; {self.study_type}, "
            f"GRADE {self.grade}"
        )


def mean_interval(
    values: Sequence[float], level: float = 0.95
) -> tuple[float, float, float, float]:
    """(mean, low, high, sd) with the Student-t interval of the mean.

    Examples
    --------
    >>> m, lo, hi, sd = mean_interval([4.0, 6.0, 5.0, 7.0, 3.0])
    >>> m, round(lo, 2), round(hi, 2)
    (5.0, 3.04, 6.96)
    """
    n = len(values)
    mean = statistics.fmean(values)
    if n < 2:
        return mean, math.nan, math.nan, math.nan
    sd = statistics.stdev(values)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n)
    return mean, mean - half, mean + half, sd


def wilson_interval(successes: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of a proportion.

    Examples
    --------
    >>> [round(x, 3) for x in wilson_interval(18, 30)]
    [0.423, 0.754]
    """
    z = float(stats.norm.ppf(0.5 + level / 2))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def pool(contributions: Sequence[CellContribution], *, min_cell: int) -> list[RealWorldClaimRead]:
    """One claim per cell from the contributions of at least ``min_cell`` clients each."""
    by_key: dict[CellKey, list[CellContribution]] = {}
    for c in contributions:
        if len(c.changes) >= min_cell:
            by_key.setdefault(c.key, []).append(c)
    now = datetime.now(UTC)
    claims = []
    for key, parts in sorted(by_key.items(), key=lambda kv: kv[0].model_dump_json()):
        changes = [ch for part in parts for ch in part.changes]
        mean, low, high, sd = mean_interval([ch.improvement for ch in changes])
        flags = [ch.responder for ch in changes if ch.responder is not None]
        definition = parts[0].responder_definition
        rate = r_low = r_high = None
        responders = None
        if definition and flags and len(flags) == len(changes):
            responders = sum(flags)
            rate = responders / len(flags)
            r_low, r_high = wilson_interval(responders, len(flags))
        claims.append(
            RealWorldClaimRead(
                **key.model_dump(),
                n=len(changes),
                organisations=len(parts),
                mean_improvement=mean,
                ci_low=low,
                ci_high=high,
                sd=sd,
                responder_definition=definition if flags else None,
                responders=responders,
                responder_rate=rate,
                responder_low=r_low,
                responder_high=r_high,
                follow_up_months=float(statistics.median(ch.follow_up_months for ch in changes)),
                min_cell=min_cell,
                built_at=now,
            )
        )
    return claims


def replace_all(session: Session, claims: Sequence[RealWorldClaimRead], *, built_by: str) -> int:
    """Replace every stored real-world claim with ``claims`` (one transaction)."""
    session.execute(delete(RealWorldClaim))
    for c in claims:
        session.add(
            RealWorldClaim(
                exposure=c.exposure,
                route=c.route,
                concern=c.concern,
                instrument=c.instrument,
                n=c.n,
                organisations=c.organisations,
                mean_improvement=c.mean_improvement,
                ci_low=c.ci_low,
                ci_high=c.ci_high,
                sd=c.sd,
                responder_definition=c.responder_definition,
                responders=c.responders,
                responder_low=c.responder_low,
                responder_high=c.responder_high,
                follow_up_months=c.follow_up_months,
                min_cell=c.min_cell,
                built_at=c.built_at,
                built_by=built_by,
            )
        )
    session.flush()
    return len(claims)


def _read(row: RealWorldClaim) -> RealWorldClaimRead:
    built = row.built_at if row.built_at.tzinfo else row.built_at.replace(tzinfo=UTC)
    rate = None if row.responders is None else row.responders / row.n
    return RealWorldClaimRead(
        exposure=row.exposure,
        route=row.route,
        concern=row.concern,
        instrument=row.instrument,
        n=row.n,
        organisations=row.organisations,
        mean_improvement=row.mean_improvement,
        ci_low=row.ci_low,
        ci_high=row.ci_high,
        sd=row.sd,
        responder_definition=row.responder_definition,
        responders=row.responders,
        responder_rate=rate,
        responder_low=row.responder_low,
        responder_high=row.responder_high,
        follow_up_months=row.follow_up_months,
        min_cell=row.min_cell,
        built_at=built,
    )


def stored(
    session: Session, *, exposure: str | None = None, concern: str | None = None
) -> list[RealWorldClaimRead]:
    """The stored real-world claims, optionally of one exposure and/or concern."""
    stmt = select(RealWorldClaim).order_by(RealWorldClaim.exposure, RealWorldClaim.concern)
    if exposure is not None:
        stmt = stmt.where(RealWorldClaim.exposure == exposure)
    if concern is not None:
        stmt = stmt.where(RealWorldClaim.concern == concern)
    return [_read(r) for r in session.scalars(stmt)]
