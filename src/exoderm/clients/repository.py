"""Creating, reading and listing clients (each access audited; see :mod:`.access`)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from exoderm.accounts.actor import Actor
from exoderm.accounts.records import Organisation
from exoderm.accounts.tenancy import bind_organisation
from exoderm.clients import access
from exoderm.clients.keys import cipher
from exoderm.clients.personal import PersonalData, decrypt, encrypt
from exoderm.clients.profile import ClientProfile
from exoderm.clients.records import ClientRecord, ConsentRecord, PersonalRecord
from exoderm.errors import NotFoundError, UserInputError, validation_failed
from exoderm.storage.base import utcnow
from exoderm.storage.timestamps import UtcDatetime

#: Crockford base32 without I, L, O, U: easy to read aloud, no accidental words.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_pseudonym() -> str:
    """A random pseudonym 'C-XXXXXXXX' (40 bits): carries no information about the person."""
    return "C-" + "".join(secrets.choice(_ALPHABET) for _ in range(8))


@dataclass(frozen=True)
class Consent:
    """A consent: the topic (e.g. 'treatment', 'photos', 'data-processing') and text version."""

    topic: str
    version: str
    given: bool = True
    at: datetime | None = None


class ConsentRead(BaseModel):
    """A recorded consent: topic, version of the text, given or withdrawn, when."""

    topic: str
    version: str
    given: bool
    at: UtcDatetime


class ClientRead(BaseModel):
    """What a caller gets back: profile always, personal data only for allowed roles."""

    pseudonym: str
    organisation_id: int
    created_at: UtcDatetime
    erased: bool
    age_band: str | None
    profile: ClientProfile
    personal: PersonalData | None = None
    consents: list[ConsentRead]

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "pseudonym": self.pseudonym,
            "organisation_id": self.organisation_id,
            "created_at": self.created_at.isoformat(),
            "erased": self.erased,
        }
        if self.personal is not None:
            out.update(self.personal.model_dump(mode="json"))
        if self.age_band:
            out["age_band"] = self.age_band
        p = self.profile
        history = [
            k for k, v in p.history.model_dump(mode="json").items() if v not in (False, "never")
        ]
        out.update(
            {
                "phototype": p.fitzpatrick.phototype if p.fitzpatrick else None,
                "glogau": p.glogau,
                "skin_type": p.skin_type,
                "sensitivity": p.sensitivity,
                "concerns": [f"{c.name} ({c.severity.name})" for c in p.concerns],
                "conditions": p.conditions,
                "medications": p.medications,
                "allergies": p.allergies,
                "pregnant": p.pregnant,
                "breastfeeding": p.breastfeeding,
                "history": history,
                "market": p.market,
                "biomarkers": [f"{b.name}: {b.value} {b.unit}" for b in p.biomarkers],
                "consents": [_consent_text(c) for c in self.consents],
            }
        )
        return out


#: Former name of :class:`ClientRead`.
ClientView = ClientRead


class ClientRow(BaseModel):
    """One line of the client list: no personal data."""

    pseudonym: str
    organisation_id: int
    phototype: int | None
    concerns: list[str]
    erased: bool
    created: str


def _consent_text(c: ConsentRead) -> str:
    state = "given" if c.given else "withdrawn"
    return f"{c.topic} {c.version} ({state} {c.at.date().isoformat()})"


def parse_profile(data: dict[str, Any], *, source: str = "profile") -> ClientProfile:
    """Validate a profile dict; every problem is reported with its field path."""
    try:
        return ClientProfile.model_validate(data)
    except ValidationError as exc:
        raise validation_failed(exc, subject=source, file=source) from None


def parse_personal(data: dict[str, Any], *, source: str = "personal data") -> PersonalData:
    """Validate personal data; every problem is reported with its field path."""
    try:
        return PersonalData.model_validate(data)
    except ValidationError as exc:
        raise validation_failed(exc, subject=source, file=source) from None


def _organisation_for(session: Session, actor: Actor, organisation_id: int | None) -> int:
    chosen = organisation_id if organisation_id is not None else actor.organisation_id
    if chosen is None:
        raise UserInputError(
            "a client must belong to an organisation",
            field="organisation",
            expected="an organisation id (create one with the accounts commands)",
        )
    if not actor.may_see_organisation(chosen):
        raise NotFoundError(f"no organisation {chosen}")
    if session.get(Organisation, chosen) is None:
        raise NotFoundError(f"no organisation {chosen}")
    return chosen


def add_client(
    session: Session,
    actor: Actor,
    *,
    personal: PersonalData,
    profile: ClientProfile,
    organisation_id: int | None = None,
    consents: list[Consent] | None = None,
) -> ClientRead:
    """Create a client: a pseudonymous record, the encrypted personal data, the consents."""
    access.require_client_access(actor, action="add clients")
    access.require_personal_data(actor)
    bind_organisation(session, actor)
    org = _organisation_for(session, actor, organisation_id)
    client = ClientRecord(
        pseudonym=new_pseudonym(),
        organisation_id=org,
        profile=profile.model_dump(mode="json"),
        created_by=actor.username,
    )
    session.add(client)
    session.flush()
    session.add(PersonalRecord(client_id=client.id, token=encrypt(personal, cipher())))
    for consent in consents or []:
        session.add(
            ConsentRecord(
                client_id=client.id,
                topic=consent.topic,
                version=consent.version,
                given=consent.given,
                at=consent.at or utcnow(),
                recorded_by=actor.username,
            )
        )
    session.flush()
    access.log(session, actor, "create", client, {"consents": len(consents or [])})
    return _view(session, actor, client)


def update_profile(
    session: Session, actor: Actor, pseudonym: str, profile: ClientProfile
) -> ClientRead:
    """Replace a client's clinical profile (audited; the previous profile is not kept)."""
    client = access.load_client(session, actor, pseudonym, action="update")
    client.profile = profile.model_dump(mode="json")
    access.log(session, actor, "update", client, {"fields": "profile"})
    return _view(session, actor, client)


def add_consent(session: Session, actor: Actor, pseudonym: str, consent: Consent) -> None:
    """Record a consent given or withdrawn."""
    client = access.load_client(session, actor, pseudonym, action="record consent")
    session.add(
        ConsentRecord(
            client_id=client.id,
            topic=consent.topic,
            version=consent.version,
            given=consent.given,
            at=consent.at or utcnow(),
            recorded_by=actor.username,
        )
    )
    access.log(session, actor, "consent", client, {"topic": consent.topic, "given": consent.given})


def profile_of(client: ClientRecord) -> ClientProfile:
    return ClientProfile.model_validate(client.profile)


def personal_of(session: Session, client: ClientRecord) -> PersonalData | None:
    row = session.scalar(select(PersonalRecord).where(PersonalRecord.client_id == client.id))
    return None if row is None else decrypt(row.token, cipher())


def consents_of(session: Session, client: ClientRecord) -> list[ConsentRead]:
    rows = session.scalars(
        select(ConsentRecord).where(ConsentRecord.client_id == client.id).order_by(ConsentRecord.at)
    )
    return [ConsentRead(topic=c.topic, version=c.version, given=c.given, at=c.at) for c in rows]


def _view(session: Session, actor: Actor, client: ClientRecord) -> ClientRead:
    personal = personal_of(session, client) if actor.sees_personal_data else None
    return ClientRead(
        pseudonym=client.pseudonym,
        organisation_id=client.organisation_id,
        profile=profile_of(client),
        personal=personal,
        consents=consents_of(session, client),
        created_at=client.created_at,
        erased=client.erased_at is not None,
        age_band=client.age_band,
    )


def show_client(session: Session, actor: Actor, pseudonym: str) -> ClientRead:
    """One client, with personal data if ``actor`` may see it (audited as a read)."""
    client = access.load_client(session, actor, pseudonym, action="show")
    view = _view(session, actor, client)
    access.log(session, actor, "read", client, {"personal_data": view.personal is not None})
    return view


def list_clients(session: Session, actor: Actor, *, concern: str | None = None) -> list[ClientRow]:
    """The clients ``actor`` may see: pseudonym, concerns, phototype (no personal data)."""
    access.require_client_access(actor, action="list clients")
    bind_organisation(session, actor)
    stmt = select(ClientRecord).order_by(ClientRecord.created_at, ClientRecord.id)
    if not actor.may_see_organisation(None):
        stmt = stmt.where(ClientRecord.organisation_id == actor.organisation_id)
    rows = []
    wanted = concern.strip().lower() if concern else None
    for client in session.scalars(stmt):
        if not actor.may_see_organisation(client.organisation_id):
            continue
        profile = profile_of(client)
        names = [c.name for c in profile.concerns]
        if wanted is not None and wanted not in (n.lower() for n in names):
            continue
        rows.append(
            ClientRow(
                pseudonym=client.pseudonym,
                organisation_id=client.organisation_id,
                phototype=profile.fitzpatrick.phototype if profile.fitzpatrick else None,
                concerns=names,
                erased=client.erased_at is not None,
                created=client.created_at.date().isoformat(),
            )
        )
    access.log(
        session,
        actor,
        "list",
        None,
        {"pseudonyms": [r.pseudonym for r in rows]},
        subject_id=f"organisation:{actor.organisation_id or '*'}",
    )
    return rows


def age_on(session: Session, client: ClientRecord, day: date) -> int | None:
    """The client's age on ``day`` from the encrypted date of birth (None if unknown)."""
    personal = personal_of(session, client)
    return None if personal is None else personal.age_on(day)
