"""Recording assessments: score with the published rule, check the role, store, audit."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from exoderm.accounts.actor import Actor
from exoderm.clients import access
from exoderm.clients.instruments import Instrument, get_instrument
from exoderm.clients.records import AssessmentRecord, ClientRecord
from exoderm.clients.repository import age_on
from exoderm.errors import UserInputError
from exoderm.storage.timestamps import UtcDatetime

#: One normalised instrument item: a number, or a categorical answer / site / rater.
ItemValue = float | int | str | bool | None


class Assessment(BaseModel):
    """A stored assessment as returned to callers (``AssessmentRead``)."""

    id: int
    instrument: str
    visit_date: date
    value: float
    band: str | None
    components: dict[str, float]
    inputs: dict[str, ItemValue]
    recorded_by: str
    created_at: UtcDatetime | None = None

    def row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "instrument": self.instrument,
            "visit_date": self.visit_date.isoformat(),
            "value": self.value,
            "band": self.band,
            "recorded_by": self.recorded_by,
        }


AssessmentRead = Assessment


def _from_record(r: AssessmentRecord) -> Assessment:
    return Assessment(
        id=r.id,
        instrument=r.instrument,
        visit_date=r.visit_date,
        value=r.value,
        band=r.band,
        components=r.components,
        inputs=r.inputs,
        recorded_by=r.recorded_by,
        created_at=r.created_at,
    )


def record_assessment(
    session: Session,
    actor: Actor,
    pseudonym: str,
    instrument: str,
    inputs: Mapping[str, Any],
    *,
    visit_date: date | None = None,
) -> Assessment:
    """Score ``inputs`` on ``instrument`` for the client and store the result.

    Disease instruments (EASI, SCORAD, vIGA-AD) need a clinician role: tracking atopic
    dermatitis is a disease claim, kept under physician supervision. For EASI without
    ``age_years`` the age comes from the encrypted date of birth, because children aged
    7 or under use other multipliers.
    """
    tool = get_instrument(instrument)
    if tool.info.clinician_only:
        access.require_clinician(actor, tool.info.name)
    client = access.load_client(session, actor, pseudonym, action="assess")
    day = visit_date or date.today()
    if day > date.today():
        raise UserInputError(
            f"visit date {day.isoformat()} is in the future",
            field="visit_date",
            expected="today or earlier",
        )
    values = dict(inputs)
    if tool.info.code == "easi" and values.get("age_years") is None:
        age = age_on(session, client, day)
        if age is not None:
            values["age_years"] = age
    record = store_score(session, client, tool, values, day=day, recorded_by=actor.username)
    access.log(
        session, actor, "assess", client, {"instrument": tool.info.code, "assessment": record.id}
    )
    return _from_record(record)


def store_score(
    session: Session,
    client: ClientRecord,
    tool: Instrument,
    values: Mapping[str, Any],
    *,
    day: date,
    recorded_by: str,
) -> AssessmentRecord:
    """Score ``values`` with ``tool`` and add the assessment row (the caller audits)."""
    result = tool.score(values)
    record = AssessmentRecord(
        client_id=client.id,
        instrument=tool.info.code,
        visit_date=day,
        value=result.value,
        band=result.band,
        inputs=result.inputs,
        components=result.components,
        recorded_by=recorded_by,
    )
    session.add(record)
    session.flush()
    return record


def assessment_of(record: AssessmentRecord) -> Assessment:
    """The caller's view of a stored assessment row."""
    return _from_record(record)


def assessments_of(session: Session, client_id: int) -> list[Assessment]:
    """All assessments of a client (no audit: callers audit their own read)."""
    stmt = (
        select(AssessmentRecord)
        .where(AssessmentRecord.client_id == client_id)
        .order_by(AssessmentRecord.visit_date, AssessmentRecord.id)
    )
    return [_from_record(r) for r in session.scalars(stmt)]
