"""Expected beside observed: what a client's course should do, and what it did.

For each treatment of a client and each instrument measured before and after it, the
*observed* change is the client's own (baseline = last assessment on or before the
start, follow-up = the latest after it; signed so that positive is better) with their
responder status by the instrument's first published MCID. The *expected* change is the
stored real-world claim for the same (exposure, route, concern, instrument) — the pooled
outcome of clinics that contributed, with its 95 % interval and responder rate — when
one exists. Where the client's latest regimen carries the simulator's expected outcome,
its model endpoints are shown beside, labelled as model output: no validated mapping
from a model endpoint to a clinical instrument exists, so they are never put on the
instrument's scale.

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

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from exoderm.accounts.actor import Actor
from exoderm.clients import access
from exoderm.clients.assessments import assessments_of
from exoderm.clients.instruments import INSTRUMENTS
from exoderm.clients.records import ClientRecord, RegimenRecord
from exoderm.clients.regimen import ExpectedPart, Regimen
from exoderm.clients.rwe import NOT_OUTCOMES, change_around, series_of
from exoderm.clients.treatments import treatments_of
from exoderm.evidence.rwe import CellKey, RealWorldClaimRead, stored, wilson_interval

REGISTRY_NOTE = (
    "registry expectation: pooled before–after change of contributing clinics "
    "(observational; regression to the mean and placebo response included)"
)
MODEL_NOTE = "model endpoints of the simulator; no validated mapping to this instrument"


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


class ExpectedObserved(BaseModel):
    """A client's observed outcomes beside the registry and the simulator."""

    pseudonym: str
    rows: list[ExpectedObservedRow]
    model: list[ExpectedPart] = Field(default_factory=list)
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
        pseudonym=client.pseudonym, rows=rows, model=_latest_model(session, client)
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
