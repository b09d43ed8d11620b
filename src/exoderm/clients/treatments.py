"""Treatments given: what a client received, by which route, for which concern, from when.

A treatment names its exposure — an EV source of the evidence graph (``source:…``) or
a formulation (``formulation:<name>``) — the route, the concern it treats (a concern
node) and the day it started. Outcomes before and after that day are what real-world
evidence compares (:mod:`exoderm.clients.rwe`).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from exoderm.accounts.actor import Actor
from exoderm.clients import access
from exoderm.clients.records import TreatmentRecord
from exoderm.errors import UserInputError
from exoderm.evidence import service as evidence
from exoderm.storage.base import utcnow


class Route(StrEnum):
    """How the exposure reached the skin."""

    topical = "topical"
    microneedling = "microneedling"
    laser_assisted = "laser-assisted"
    injection = "injection"


class ExposureKind(StrEnum):
    """An EV source of the evidence graph, or a formulation by name."""

    ev_source = "ev_source"
    formulation = "formulation"


class TreatmentInput(BaseModel):
    """A treatment as entered."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    exposure: str = Field(min_length=1, max_length=100, description="EV source or formulation.")
    exposure_kind: ExposureKind = ExposureKind.ev_source
    route: Route
    concern: str = Field(min_length=1, max_length=100)
    started_on: date


class TreatmentRead(BaseModel):
    """A stored treatment with the graph ids it was resolved to."""

    id: int
    exposure: str
    exposure_kind: ExposureKind
    route: Route
    concern: str
    started_on: date
    recorded_by: str
    created_at: datetime


def _read(row: TreatmentRecord) -> TreatmentRead:
    return TreatmentRead(
        id=row.id,
        exposure=row.exposure,
        exposure_kind=ExposureKind(row.exposure_kind),
        route=Route(row.route),
        concern=row.concern,
        started_on=row.started_on,
        recorded_by=row.recorded_by,
        created_at=row.created_at,
    )


def _exposure_id(session: Session, actor: Actor, t: TreatmentInput) -> str:
    if t.exposure_kind is ExposureKind.formulation:
        return "formulation:" + " ".join(t.exposure.lower().split())
    node = evidence.resolve(session, actor, name=t.exposure)
    if node.kind != "ev_source":
        raise UserInputError(
            f"{t.exposure!r} is a {node.kind}, not an EV source",
            field="exposure",
            expected="an EV source of the evidence graph, or exposure_kind 'formulation'",
        )
    return node.id


def _concern_id(session: Session, actor: Actor, name: str) -> str:
    node = evidence.resolve(session, actor, name=name)
    if node.kind != "concern":
        raise UserInputError(
            f"{name!r} is a {node.kind}, not a concern",
            field="concern",
            expected="a concern of the evidence graph (e.g. wrinkles, acne scars)",
        )
    return node.id


def record_treatment(
    session: Session, actor: Actor, pseudonym: str, treatment: TreatmentInput
) -> TreatmentRead:
    """Store a treatment given to a client (audited)."""
    client = access.load_client(session, actor, pseudonym, action="record treatments")
    if treatment.started_on > date.today():
        raise UserInputError(
            f"start {treatment.started_on.isoformat()} is in the future",
            field="started_on",
            expected="today or earlier",
        )
    row = TreatmentRecord(
        client_id=client.id,
        exposure=_exposure_id(session, actor, treatment),
        exposure_kind=treatment.exposure_kind.value,
        route=treatment.route.value,
        concern=_concern_id(session, actor, treatment.concern),
        started_on=treatment.started_on,
        recorded_by=actor.username,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    access.log(session, actor, "treatment", client, {"treatment": row.id, "route": row.route})
    return _read(row)


def treatments_of(session: Session, client_id: int) -> list[TreatmentRead]:
    """A client's treatments by start (no audit: callers audit their own read)."""
    rows = session.scalars(
        select(TreatmentRecord)
        .where(TreatmentRecord.client_id == client_id)
        .order_by(TreatmentRecord.started_on, TreatmentRecord.id)
    )
    return [_read(r) for r in rows]
