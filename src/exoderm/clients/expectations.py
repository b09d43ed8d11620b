"""Expected beside observed: what a client's course should do, and what it did.

For each treatment of a client and each instrument measured before and after it, the
*observed* change is the client's own (baseline = last assessment on or before the
start, follow-up = the latest after it; signed so that positive is better) with their
responder status by the instrument's first published MCID. The *expected* change is the
stored real-world claim for the same (exposure, route, concern, instrument) — the pooled
outcome of clinics that contributed, with its 95 % interval and responder rate — when
one exists. Where the client's latest regimen carries the simulator's expected outcome,
its model endpoints are shown beside, labelled as model output.

For an instrument with a cited bridge (:mod:`exoderm.simulate.human_endpoints`) the
latest regimen's expectation is also put on the instrument's scale, beside the client's
baseline and latest score: today ECCA, for a plan with laser sessions, scaled on the one
split-face trial (Kwon et al. 2020, doi:10.2340/00015555-3666) with its 90 % interval.
GAIS, wrinkle classes, POSAS and VSS have no bridge and get no number.

For a cohort (an organisation's treated clients), the observed responder rate per cell
with its Wilson interval stands beside the registry's expected rate. The registry may
include the organisation's own contribution; the comparison says so.

References
----------
.. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
   inference. JASA 22(158):209–212. doi:10.1080/01621459.1927.10502953
.. [2] Barnett, A. G., van der Pols, J. C. & Dobson, A. J. (2005). Regression to the mean:
   what it is and how to deal with it. Int J Epidemiol 34(1):215–220.
   doi:10.1093/ije/dyh299
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from exoderm.accounts.actor import Actor
from exoderm.clients import access
from exoderm.clients.assessments import Assessment, assessments_of
from exoderm.clients.instruments import INSTRUMENTS
from exoderm.clients.records import ClientRecord, RegimenRecord
from exoderm.clients.regimen import SIMULATOR_ROUTE, ExpectedPart, ProductRead, Regimen
from exoderm.clients.rwe import NOT_OUTCOMES, change_around, series_of
from exoderm.clients.treatments import treatments_of
from exoderm.evidence.rwe import CellKey, RealWorldClaimRead, stored, wilson_interval
from exoderm.simulate.expectation import simulator_source
from exoderm.simulate.human_endpoints import Administration, MappedChange, delivered_ug, ecca_change

REGISTRY_NOTE = (
    "registry expectation: pooled before–after change of contributing clinics "
    "(observational; regression to the mean and placebo response included)"
)
MODEL_NOTE = (
    "model endpoints of the simulator; put on an instrument's scale only where a cited "
    "bridge exists (ECCA, scaled on one trial)"
)


class ExpectedObservedRow(BaseModel):
    """One treatment and instrument: the client's change beside the expected one."""

    exposure: str
    route: str
    concern: str
    instrument: str
    observed_improvement: float
    observed_responder: bool | None
    follow_up_months: int
    expected: RealWorldClaimRead | None = Field(
        None, description="The registry claim for the same cell, if one is stored."
    )
    within_expected_interval: bool | None = Field(
        None, description="Observed change inside the registry's 95 % interval of the mean."
    )


class InstrumentExpectation(BaseModel):
    """The regimen's expectation on an instrument's scale beside the client's own scores."""

    instrument: str
    part: str
    expected: MappedChange
    text: str
    observed_baseline: float | None = None
    observed_baseline_date: date | None = None
    observed_latest: float | None = None
    observed_latest_date: date | None = None
    observed_change: float | None = None


class ExpectedObserved(BaseModel):
    """A client's observed outcomes beside the registry and the simulator."""

    pseudonym: str
    rows: list[ExpectedObservedRow]
    model: list[ExpectedPart] = Field(default_factory=list)
    instruments: list[InstrumentExpectation] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=lambda: [REGISTRY_NOTE, MODEL_NOTE])


class CohortRow(BaseModel):
    """One cell of an organisation's treated clients, observed beside expected."""

    exposure: str
    route: str
    concern: str
    instrument: str
    n: int
    responders: int | None
    responder_rate: float | None
    responder_low: float | None
    responder_high: float | None
    mean_improvement: float
    expected: RealWorldClaimRead | None


class CohortComparison(BaseModel):
    """An organisation's cohort outcomes beside the registry's expectation."""

    organisation_id: int | None
    rows: list[CohortRow]
    note: str = (
        "the registry may include this organisation's own contribution; an overlap makes "
        "observed and expected agree more than independent data would"
    )


def _claims_by_cell(session: Session) -> dict[CellKey, RealWorldClaimRead]:
    return {
        CellKey(exposure=c.exposure, route=c.route, concern=c.concern, instrument=c.instrument): c
        for c in stored(session)
    }


def _latest_model(session: Session, client: ClientRecord) -> list[ExpectedPart]:
    row = session.scalar(
        select(RegimenRecord)
        .where(RegimenRecord.client_id == client.id)
        .order_by(RegimenRecord.id.desc())
        .limit(1)
    )
    return [] if row is None else Regimen.model_validate(row.plan).expected_outcome


#: ECCA is read 12 weeks after the first session (Kwon 2020); home care runs until then.
ECCA_DAYS = 84


def _ev_source(product: ProductRead | None) -> tuple[str, str, float] | None:
    """(name, simulator source, % w/w) of a product's first mappable EV source."""
    if product is None:
        return None
    for a in product.actives:
        src = simulator_source(a.key) if a.kind == "ev_source" else None
        if src is not None and a.percent:
            return a.name or a.inci, src.value, float(a.percent)
    return None


def _ecca_expectation(plan: Regimen, items: list[Assessment]) -> InstrumentExpectation | None:
    """The plan's expected ECCA change by week 12 beside the client's ECCA scores."""
    scores = [a for a in items if a.instrument == "ecca"]
    sessions = [s for s in plan.sessions if s.procedure in SIMULATOR_ROUTE]
    if not scores or not sessions:
        return None
    first = sessions[0]
    route = SIMULATOR_ROUTE[first.procedure]
    clinic = _ev_source(plan.session_product) or _ev_source(plan.product)
    home = _ev_source(plan.product)
    given: list[Administration] = []
    days = [7.0 * (s.week - first.week) for s in sessions]
    if clinic is not None:
        ug = delivered_ug(clinic[2], "percent", route, clinic[1])
        given += [Administration(d, ug) for d in days]
    if home is not None:
        ug = delivered_ug(home[2], "percent", "topical", home[1])
        given += [Administration(float(d), ug) for d in range(ECCA_DAYS)]
    start = first.date
    before = [a for a in scores if a.visit_date <= start] or scores[:1]
    baseline = before[-1]
    latest = scores[-1] if scores[-1].id != baseline.id else None
    mapped = ecca_change(
        given,
        days,
        fractional_co2=first.procedure == "laser_fractional_ablative",
        baseline_ecca=baseline.value,
    )
    lo, med, hi = mapped.total_points or (0.0, 0.0, 0.0)
    if mapped.total_points is not None:
        text = (
            f"expected ECCA change {med:+.0f} points (90 % interval {lo:+.0f} to {hi:+.0f}) "
            f"by week {mapped.week:g} from a baseline of {baseline.value:g}"
        )
    else:
        a_lo, a_med, a_hi = mapped.attributable_pct
        text = (
            f"expected ECCA reduction attributable to the exosome product {a_med:.1f} % "
            f"(90 % interval {a_lo:.1f} to {a_hi:.1f} %) by week {mapped.week:g}"
        )
    text += " (model prediction scaled on one trial, Kwon 2020; not a promise)"
    return InstrumentExpectation(
        instrument="ecca",
        part=first.procedure_name + (f" with {clinic[0]}" if clinic else ""),
        expected=mapped,
        text=text,
        observed_baseline=baseline.value,
        observed_baseline_date=baseline.visit_date,
        observed_latest=latest.value if latest else None,
        observed_latest_date=latest.visit_date if latest else None,
        observed_change=latest.value - baseline.value if latest else None,
    )


def _latest_plan(session: Session, client: ClientRecord) -> Regimen | None:
    row = session.scalar(
        select(RegimenRecord)
        .where(RegimenRecord.client_id == client.id)
        .order_by(RegimenRecord.id.desc())
        .limit(1)
    )
    return None if row is None else Regimen.model_validate(row.plan)


def _instrument_expectations(session: Session, client: ClientRecord) -> list[InstrumentExpectation]:
    plan = _latest_plan(session, client)
    if plan is None:
        return []
    ecca = _ecca_expectation(plan, assessments_of(session, client.id))
    return [] if ecca is None else [ecca]


def _rows(session: Session, client: ClientRecord) -> list[tuple[CellKey, ExpectedObservedRow]]:
    items = assessments_of(session, client.id)
    claims = _claims_by_cell(session)
    out = []
    for t in treatments_of(session, client.id):
        for instrument in sorted({a.instrument for a in items} - NOT_OUTCOMES):
            found = (
                change_around(instrument, ser, t) for ser in series_of(items, instrument).values()
            )
            change = next((c for c in found if c is not None), None)
            if change is None:
                continue
            key = CellKey(
                exposure=t.exposure, route=t.route.value, concern=t.concern, instrument=instrument
            )
            expected = claims.get(key)
            inside = (
                None
                if expected is None
                else expected.ci_low <= change.improvement <= expected.ci_high
            )
            out.append(
                (
                    key,
                    ExpectedObservedRow(
                        **key.model_dump(),
                        observed_improvement=change.improvement,
                        observed_responder=change.responder,
                        follow_up_months=change.follow_up_months,
                        expected=expected,
                        within_expected_interval=inside,
                    ),
                )
            )
    return out


def client_expected_observed(session: Session, actor: Actor, pseudonym: str) -> ExpectedObserved:
    """A client's observed changes beside the registry and the simulator (audited read)."""
    client = access.load_client(session, actor, pseudonym, action="outcomes")
    rows = [row for _, row in _rows(session, client)]
    access.log(session, actor, "expected-observed", client, {"rows": len(rows)})
    return ExpectedObserved(
        pseudonym=client.pseudonym,
        rows=rows,
        model=_latest_model(session, client),
        instruments=_instrument_expectations(session, client),
    )


def cohort_expected_observed(session: Session, actor: Actor) -> CohortComparison:
    """The actor's organisation's treated clients per cell, observed beside expected."""
    access.require_client_access(actor, action="compare cohort outcomes")
    stmt = select(ClientRecord).where(ClientRecord.erased_at.is_(None))
    if not actor.may_see_organisation(None):
        stmt = stmt.where(ClientRecord.organisation_id == actor.organisation_id)
    cells: dict[CellKey, list[ExpectedObservedRow]] = defaultdict(list)
    claims = _claims_by_cell(session)
    for client in session.scalars(stmt):
        for key, row in _rows(session, client):
            cells[key].append(row)
    out = []
    for key, rows in sorted(cells.items(), key=lambda kv: kv[0].model_dump_json()):
        flags = [r.observed_responder for r in rows if r.observed_responder is not None]
        complete = bool(INSTRUMENTS[key.instrument].info.responders) and len(flags) == len(rows)
        responders = sum(flags) if complete else None
        low, high = wilson_interval(sum(flags), len(rows)) if complete else (None, None)
        out.append(
            CohortRow(
                **key.model_dump(),
                n=len(rows),
                responders=responders,
                responder_rate=responders / len(rows) if responders is not None else None,
                responder_low=low,
                responder_high=high,
                mean_improvement=sum(r.observed_improvement for r in rows) / len(rows),
                expected=claims.get(key),
            )
        )
    return CohortComparison(organisation_id=actor.organisation_id, rows=out)
