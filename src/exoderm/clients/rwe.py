"""Clinics' outcomes as real-world evidence: opt-in, minimum cell size, month-level dates.

An organisation contributes only after it opts in (:func:`set_contribution`). For each
of its clients who were not erased, each recorded treatment and each instrument, the
*baseline* is the last assessment on or before the treatment's start month and the
*follow-up* the last assessment in a later month; the client contributes their signed
improvement (positive = better), whether they responded by the instrument's first
published responder definition (MCID), and the follow-up in whole months. Dates are
cut to the month before anything is compared, and no pseudonym or date leaves this
module. An organisation's cell is used only when it holds at least ``min_cell``
clients (k-anonymity, Sweeney 2002; k = 10 by default), and every contribution is one
audit event of that organisation.

References
----------
.. [1] Sweeney, L. (2002). k-anonymity: a model for protecting privacy. Int J Uncertain
   Fuzziness Knowl-Based Syst 10(5):557–570. doi:10.1142/S0218488502001648
.. [2] El Emam, K. & Dankar, F. K. (2008). Protecting privacy using k-anonymity. J Am Med
   Inform Assoc 15(5):627–637. doi:10.1197/jamia.M2716
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from exoderm.accounts import audit
from exoderm.accounts.actor import Actor
from exoderm.accounts.records import Organisation, Role
from exoderm.clients.assessments import Assessment, assessments_of
from exoderm.clients.instruments import INSTRUMENTS
from exoderm.clients.outcomes import improvement, responder_status
from exoderm.clients.records import ClientRecord, ContributionRecord
from exoderm.clients.treatments import TreatmentRead, treatments_of
from exoderm.errors import NotFoundError
from exoderm.evidence.rwe import CellContribution, CellKey, ClientChange
from exoderm.storage.base import utcnow

#: Instruments that describe a trait or rate change itself: no before–after change.
NOT_OUTCOMES = frozenset({"fitzpatrick", "gais"})


class ContributionRead(BaseModel):
    """Whether an organisation contributes its outcomes."""

    organisation_id: int
    contributes: bool
    decided_by: str | None


def _month(day: date) -> int:
    return day.year * 12 + day.month - 1


def set_contribution(
    session: Session, actor: Actor, organisation_id: int, *, contributes: bool
) -> ContributionRead:
    """Opt an organisation in or out (admins only; audited in that organisation)."""
    actor.require(Role.admin, action="decide an organisation's real-world-evidence contribution")
    if session.get(Organisation, organisation_id) is None:
        raise NotFoundError(f"no organisation {organisation_id}")
    row = session.scalar(
        select(ContributionRecord).where(ContributionRecord.organisation_id == organisation_id)
    )
    if row is None:
        row = ContributionRecord(organisation_id=organisation_id)
        session.add(row)
    row.contributes = contributes
    row.decided_by = actor.username
    row.decided_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor=actor.username,
        action="rwe.opt-in" if contributes else "rwe.opt-out",
        subject_type="organisation",
        subject_id=str(organisation_id),
        organisation_id=organisation_id,
    )
    return ContributionRead(
        organisation_id=organisation_id, contributes=contributes, decided_by=actor.username
    )


def list_contributions(session: Session, actor: Actor) -> list[ContributionRead]:
    """Every organisation's recorded decision (admins only)."""
    actor.require(Role.admin, action="see real-world-evidence contributions")
    rows = session.scalars(select(ContributionRecord).order_by(ContributionRecord.organisation_id))
    return [
        ContributionRead(
            organisation_id=r.organisation_id, contributes=r.contributes, decided_by=r.decided_by
        )
        for r in rows
    ]


def contributing_organisations(session: Session) -> list[int]:
    """The organisations that opted in."""
    return list(
        session.scalars(
            select(ContributionRecord.organisation_id)
            .where(ContributionRecord.contributes.is_(True))
            .order_by(ContributionRecord.organisation_id)
        )
    )


def series_of(items: list[Assessment], instrument: str) -> dict[str, list[Assessment]]:
    """One instrument's assessments by series (device site / rater), in date order."""
    out: dict[str, list[Assessment]] = defaultdict(list)
    for a in items:
        if a.instrument != instrument:
            continue
        site = a.inputs.get("site")
        out[str(site) if site is not None else ""].append(a)
    return out


def change_around(
    instrument: str, items: list[Assessment], treatment: TreatmentRead
) -> ClientChange | None:
    """The client's change on one series around ``treatment`` (month precision).

    ``items`` are one instrument's assessments in date order; ``None`` without an
    assessment both on or before the start month and in a later month.
    """
    start = _month(treatment.started_on)
    before = [a for a in items if _month(a.visit_date) <= start]
    after = [a for a in items if _month(a.visit_date) > start]
    if not before or not after:
        return None
    baseline, follow = before[-1], after[-1]
    info = INSTRUMENTS[instrument].info
    gain, _ = improvement(info, baseline.value, follow.value)
    flags, _ = responder_status(info, baseline.value, follow.value)
    first = info.responders[0].label if info.responders else None
    return ClientChange(
        improvement=gain,
        responder=flags.get(first) if first else None,
        follow_up_months=_month(follow.visit_date) - _month(baseline.visit_date),
    )


def _client_changes(session: Session, client: ClientRecord) -> list[tuple[CellKey, ClientChange]]:
    items = assessments_of(session, client.id)
    out = []
    for treatment in treatments_of(session, client.id):
        for instrument in sorted({a.instrument for a in items} - NOT_OUTCOMES):
            for series in series_of(items, instrument).values():
                change = change_around(instrument, series, treatment)
                if change is None:
                    continue
                key = CellKey(
                    exposure=treatment.exposure,
                    route=treatment.route.value,
                    concern=treatment.concern,
                    instrument=instrument,
                )
                out.append((key, change))
                break  # one series per instrument and client
    return out


def contributions(session: Session, actor: Actor, *, min_cell: int) -> list[CellContribution]:
    """Every organisation's cells of at least ``min_cell`` clients (each one audited)."""
    actor.require(Role.admin, action="build real-world evidence")
    result = []
    for org in contributing_organisations(session):
        cells: dict[CellKey, list[ClientChange]] = defaultdict(list)
        clients = session.scalars(
            select(ClientRecord).where(
                ClientRecord.organisation_id == org, ClientRecord.erased_at.is_(None)
            )
        )
        for client in clients:
            for key, change in _client_changes(session, client):
                cells[key].append(change)
        for key, changes in sorted(cells.items(), key=lambda kv: kv[0].model_dump_json()):
            if len(changes) < min_cell:
                continue
            info = INSTRUMENTS[key.instrument].info
            result.append(
                CellContribution(
                    key=key,
                    organisation_id=org,
                    responder_definition=info.responders[0].label if info.responders else None,
                    changes=changes,
                )
            )
            audit.record(
                session,
                actor=actor.username,
                action="rwe.contribute",
                subject_type="organisation",
                subject_id=str(org),
                organisation_id=org,
                detail={**key.model_dump(), "n": len(changes), "min_cell": min_cell},
            )
    return result
