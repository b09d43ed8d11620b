"""Patient-reported instruments from home: single-use, expiring, revocable links.

A clinician invites a client to fill one *patient-reported* instrument (DLQI, the POSAS
patient scale, the Fitzpatrick questionnaire) for a named visit. The link carries a
random 256-bit token; only its SHA-256 is stored, so neither a database dump nor the
audit log opens it. The respondent has no account: before the form is shown they
confirm who they are with the second factor the clinic chose — the date of birth on
the client's encrypted record, or a code the clinic hands over separately (also stored
hashed). Until then the link reveals nothing about the client, not even the clinic.

Every wrong answer is counted on the link in the same transaction that reports it;
the :data:`MAX_FAILED_ATTEMPTS`-th locks the link for good. Attempts are also counted
per source address with the login throttle's address rows, so one address cannot
try many links. A verified respondent gets a one-time form nonce; the submission
scores the answers with the instrument's published rule, stores the assessment with
``recorded_by = "respondent:<pseudonym>"`` and writes the audit row naming the
channel, the verification factor and the address. A used, expired, revoked or locked
link is refused, and says which, because the holder of the link learns nothing new.

References
----------
.. [1] NIST SP 800-63B (2017, updated 2020), §5.1.1.2 (look-up secrets: at least 64 bits
   of entropy) and §5.2.2 (rate limiting: at most 100 consecutive failed attempts).
.. [2] OWASP ASVS 5.0, V7.2 (session tokens generated with a CSPRNG, ≥ 128 bits).
.. [3] Finlay, A. Y. & Khan, G. K. (1994). Dermatology Life Quality Index (DLQI).
   Clin Exp Dermatol 19:210–216. doi:10.1111/j.1365-2230.1994.tb01167.x
.. [4] Brysbaert, M. (2019). How many words do we read per minute? A review and
   meta-analysis of reading rate. J Mem Lang 109:104047. doi:10.1016/j.jml.2019.104047
.. [5] OWASP ASVS 5.0, V2.4.2 (business logic flows require realistic human timing).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

import segno
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from exoderm.accounts import audit
from exoderm.accounts.actor import Actor
from exoderm.accounts.throttle import (
    LoginPolicy,
    TooManyAttempts,
    reserve_attempt,
    settle_attempt,
)
from exoderm.clients import access
from exoderm.clients.assessments import Assessment, ItemValue, assessment_of, store_score
from exoderm.clients.instruments import INSTRUMENTS, get_instrument
from exoderm.clients.instruments.forms import InstrumentForm, form_for
from exoderm.clients.records import ClientRecord, InvitationRecord
from exoderm.clients.repository import personal_of
from exoderm.errors import NotFoundError, PermissionDenied, UserInputError
from exoderm.storage.base import utcnow

#: Wrong verification answers after which a link is locked for good.
MAX_FAILED_ATTEMPTS = 20
#: How long a verified respondent has to submit the form.
FORM_WINDOW = timedelta(minutes=60)
#: The least time a person takes per question of a form, from verification to sending.
#: Silent reading of non-fiction runs at 238 words per minute on average (Brysbaert 2019),
#: so one of DLQI's questions (15-25 words) takes 4-6 s to read; a quarter of that leaves
#: every genuine respondent, however fast, well clear (ASVS 5.0 V2.4.2).
MIN_SECONDS_PER_QUESTION = 1.0
#: The channel written into the audit log for answers given through a link.
CHANNEL = "patient-link"
#: Crockford base32 without I, L, O, U (easy to read out over the phone).
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: Source-address limit shared with the login throttle (NIST SP 800-63B §5.2.2).
_ADDRESS_POLICY = LoginPolicy(max_failures=10**6, address_max_failures=100)


class Verifier(StrEnum):
    """The second factor a respondent must give before the form is shown."""

    date_of_birth = "date_of_birth"
    code = "code"


class LinkState(StrEnum):
    """Where a link stands."""

    open = "open"
    used = "used"
    expired = "expired"
    revoked = "revoked"
    locked = "locked"


class InvitationRequest(BaseModel):
    """What the clinician asks for: which instrument, for which visit, how verified."""

    model_config = ConfigDict(extra="forbid")

    instrument: str = Field(description="A patient-reported instrument's code, e.g. 'dlqi'.")
    visit_date: date | None = Field(None, description="The visit the answers are for; today.")
    verifier: Verifier = Verifier.date_of_birth
    valid_days: int = Field(7, ge=1, le=30, description="Days until the link expires.")


class IssuedInvitation(BaseModel):
    """A new link. ``token`` and ``code`` are shown once and never stored in clear."""

    id: int
    pseudonym: str
    instrument: str
    instrument_name: str
    visit_date: date
    verifier: Verifier
    expires_at: datetime
    token: str
    path: str
    code: str | None = Field(None, description="Hand this to the client separately.")


class InvitationRead(BaseModel):
    """A link as the clinic sees it later (no token, no code)."""

    id: int
    instrument: str
    visit_date: date
    verifier: Verifier
    state: LinkState
    created_by: str
    created_at: datetime
    expires_at: datetime
    failed_attempts: int
    assessment_id: int | None


class RespondentPrompt(BaseModel):
    """What an unverified visitor of a link sees: nothing about the client."""

    verifier: Verifier
    attempts_left: int


class Verification(BaseModel):
    """The outcome of one verification attempt (a wrong answer is not an exception)."""

    verified: bool
    attempts_left: int
    locked: bool = False
    nonce: str | None = Field(None, description="One-time key of the form; only if verified.")
    instrument: str | None = None
    instrument_name: str | None = None
    form: InstrumentForm | None = None


class SubmittedResponse(BaseModel):
    """What the respondent is told after submitting: the instrument and that it was saved."""

    instrument: str
    instrument_name: str
    value: float
    band: str | None


@dataclass(frozen=True)
class Respondent:
    """Who is on the other end of a link: no account, a source address, a channel."""

    address: str | None = None
    channel: str = CHANNEL


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _new_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def state_of(row: InvitationRecord, now: datetime | None = None) -> LinkState:
    """The state of a link at ``now``: revoked, used and locked win over expiry."""
    if row.revoked_at is not None:
        return LinkState.revoked
    if row.used_at is not None:
        return LinkState.used
    if row.locked_at is not None:
        return LinkState.locked
    if _aware(row.expires_at) <= (now or utcnow()):
        return LinkState.expired
    return LinkState.open


def _read(row: InvitationRecord) -> InvitationRead:
    return InvitationRead(
        id=row.id,
        instrument=row.instrument,
        visit_date=row.visit_date,
        verifier=Verifier(row.verifier),
        state=state_of(row),
        created_by=row.created_by,
        created_at=_aware(row.created_at),
        expires_at=_aware(row.expires_at),
        failed_attempts=row.failed_attempts,
        assessment_id=row.assessment_id,
    )


def patient_reported_codes() -> tuple[str, ...]:
    """The instruments that may be sent to a client (patient-reported ones)."""
    return tuple(code for code, tool in INSTRUMENTS.items() if tool.info.patient_reported)


def issue(
    session: Session, actor: Actor, pseudonym: str, request: InvitationRequest
) -> IssuedInvitation:
    """Create a link for ``request`` (clinician-side; audited)."""
    tool = get_instrument(request.instrument)
    if not tool.info.patient_reported:
        raise UserInputError(
            f"{tool.info.name} is rated by a clinician and cannot be sent to the client",
            field="instrument",
            expected="a patient-reported instrument: " + ", ".join(patient_reported_codes()),
        )
    client = access.load_client(session, actor, pseudonym, action="invite clients")
    access.require_personal_data(actor)
    day = request.visit_date or date.today()
    code: str | None = None
    if request.verifier is Verifier.date_of_birth:
        personal = personal_of(session, client)
        if personal is None or personal.date_of_birth is None:
            raise UserInputError(
                "the client's record has no date of birth to verify against",
                field="verifier",
                expected="'code' (a code you hand over separately), or add the date of birth",
            )
    else:
        code = _new_code()
    token = secrets.token_urlsafe(32)
    row = InvitationRecord(
        client_id=client.id,
        token_hash=_digest(token),
        instrument=tool.info.code,
        visit_date=day,
        verifier=request.verifier.value,
        code_hash=_digest(code) if code else None,
        created_by=actor.username,
        created_at=utcnow(),
        expires_at=utcnow() + timedelta(days=request.valid_days),
        failed_attempts=0,
    )
    session.add(row)
    session.flush()
    access.log(
        session,
        actor,
        "invite",
        client,
        {"invitation": row.id, "instrument": tool.info.code, "verifier": request.verifier.value},
    )
    return IssuedInvitation(
        id=row.id,
        pseudonym=client.pseudonym,
        instrument=tool.info.code,
        instrument_name=tool.info.name,
        visit_date=day,
        verifier=request.verifier,
        expires_at=_aware(row.expires_at),
        token=token,
        path=f"/respond/{token}",
        code=code,
    )


def _client_row(session: Session, actor: Actor, invitation_id: int) -> InvitationRecord:
    row = session.get(InvitationRecord, invitation_id)
    if row is None:
        raise NotFoundError(f"no invitation {invitation_id}")
    client = session.get(ClientRecord, row.client_id)
    if client is None or not actor.may_see_organisation(client.organisation_id):
        raise NotFoundError(f"no invitation {invitation_id}")
    access.require_client_access(actor, action="manage invitations")
    return row


def revoke(session: Session, actor: Actor, invitation_id: int) -> InvitationRead:
    """Revoke a link; an already used link stays used (audited)."""
    row = _client_row(session, actor, invitation_id)
    client = session.get(ClientRecord, row.client_id)
    if row.used_at is None and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()
    access.log(session, actor, "revoke-invitation", client, {"invitation": row.id})
    return _read(row)


def list_for(session: Session, actor: Actor, pseudonym: str) -> list[InvitationRead]:
    """A client's links, newest first (audited read)."""
    client = access.load_client(session, actor, pseudonym, action="show")
    rows = session.scalars(
        select(InvitationRecord)
        .where(InvitationRecord.client_id == client.id)
        .order_by(InvitationRecord.id.desc())
    )
    out = [_read(r) for r in rows]
    access.log(session, actor, "invitations", client, {"count": len(out)})
    return out


def _by_token(session: Session, token: str) -> InvitationRecord:
    """The link for ``token``; an unknown token and a malformed one are both not found."""
    if not 20 <= len(token) <= 100:
        raise NotFoundError("this link is not valid")
    row = session.scalar(
        select(InvitationRecord)
        .where(InvitationRecord.token_hash == _digest(token))
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise NotFoundError("this link is not valid")
    return row


_REFUSALS = {
    LinkState.used: "this link was already used; ask your clinic for a new one",
    LinkState.expired: "this link has expired; ask your clinic for a new one",
    LinkState.revoked: "this link was withdrawn by your clinic",
    LinkState.locked: "this link is locked after too many wrong answers; ask your clinic",
}


def _require_open(row: InvitationRecord) -> None:
    state = state_of(row)
    if state is not LinkState.open:
        raise PermissionDenied(_REFUSALS[state])


def _respondent_log(
    session: Session,
    row: InvitationRecord,
    client: ClientRecord,
    respondent: Respondent,
    action: str,
    detail: Mapping[str, str | int | bool | None],
) -> None:
    audit.record(
        session,
        actor=f"respondent:{client.pseudonym}",
        action=f"client.{action}",
        subject_type=access.SUBJECT,
        subject_id=client.pseudonym,
        organisation_id=client.organisation_id,
        detail={
            "invitation": row.id,
            "channel": respondent.channel,
            "address": respondent.address,
            **detail,
        },
    )


def prompt(session: Session, token: str) -> RespondentPrompt:
    """What an unverified visitor sees: the factor asked for and the attempts left."""
    row = _by_token(session, token)
    _require_open(row)
    return RespondentPrompt(
        verifier=Verifier(row.verifier),
        attempts_left=MAX_FAILED_ATTEMPTS - row.failed_attempts,
    )


def _answer_matches(
    session: Session, row: InvitationRecord, client: ClientRecord, answer: str
) -> bool:
    given = answer.strip()
    if Verifier(row.verifier) is Verifier.code:
        expected = row.code_hash or ""
        return hmac.compare_digest(_digest(given.upper().replace(" ", "")), expected)
    try:
        day = date.fromisoformat(given)
    except ValueError:
        return False
    personal = personal_of(session, client)
    born = personal.date_of_birth if personal is not None else None
    return born is not None and hmac.compare_digest(day.isoformat(), born.isoformat())


def _count_failure(session: Session, row: InvitationRecord) -> int:
    """Add one failure atomically; lock at the limit. Returns the failures now counted."""
    session.execute(
        update(InvitationRecord)
        .where(InvitationRecord.id == row.id)
        .values(failed_attempts=InvitationRecord.failed_attempts + 1)
    )
    session.refresh(row)
    if row.failed_attempts >= MAX_FAILED_ATTEMPTS and row.locked_at is None:
        row.locked_at = utcnow()
    session.flush()
    return row.failed_attempts


def _link_key(token: str) -> str:
    return f"link:{_digest(token)[:16]}"


def verify(session: Session, respondent: Respondent, token: str, answer: str) -> Verification:
    """Check the respondent's answer; a wrong one is counted and reported, not raised."""
    if respondent.address:
        wait = reserve_attempt(session, _link_key(token), respondent.address, _ADDRESS_POLICY)
        if wait is not None:
            raise TooManyAttempts(wait, f"too many attempts from this address; wait {wait} s")
    row = _by_token(session, token)
    _require_open(row)
    client = session.get(ClientRecord, row.client_id)
    if client is None or client.erased_at is not None:
        raise PermissionDenied(_REFUSALS[LinkState.revoked])
    if not _answer_matches(session, row, client, answer[:100]):
        failures = _count_failure(session, row)
        locked = row.locked_at is not None
        _respondent_log(
            session,
            row,
            client,
            respondent,
            "respondent-verify-failed",
            {"failures": failures, "locked": locked},
        )
        return Verification(
            verified=False, attempts_left=max(0, MAX_FAILED_ATTEMPTS - failures), locked=locked
        )
    if respondent.address:
        settle_attempt(session, _link_key(token), respondent.address, succeeded=True)
    nonce = secrets.token_urlsafe(24)
    row.verified_at = utcnow()
    row.form_nonce_hash = _digest(nonce)
    session.flush()
    _respondent_log(
        session, row, client, respondent, "respondent-verified", {"verifier": row.verifier}
    )
    tool = get_instrument(row.instrument)
    return Verification(
        verified=True,
        attempts_left=MAX_FAILED_ATTEMPTS - row.failed_attempts,
        nonce=nonce,
        instrument=tool.info.code,
        instrument_name=tool.info.name,
        form=form_for(tool),
    )


def rewind_verification(session: Session, token: str, *, seconds: float) -> None:
    """Move a link's verification ``seconds`` into the past, as if the respondent had
    spent that long on the form (examples and tests; the form window still applies)."""
    row = _by_token(session, token)
    if row.verified_at is not None:
        row.verified_at = _aware(row.verified_at) - timedelta(seconds=seconds)
        session.flush()


class TooFast(UserInputError):
    """Answers sent sooner than a person can read the questions; carries the form, so a
    page can show it again with the answers kept."""

    http_status = 429
    title = "Too fast"

    def __init__(self, message: str, *, form: InstrumentForm, needed_seconds: float) -> None:
        super().__init__(
            message,
            field="answers",
            expected=f"at least {needed_seconds:.0f} s between opening the form and sending it",
        )
        self.form = form


def _require_human_timing(verified_at: datetime, form: InstrumentForm) -> None:
    """Refuse a submission that came faster than :data:`MIN_SECONDS_PER_QUESTION` each.

    Nothing is changed: the form's nonce stays valid, so the respondent sends again.
    """
    questions = len(form.fields)
    needed = MIN_SECONDS_PER_QUESTION * max(1, questions)
    taken = (utcnow() - verified_at).total_seconds()
    if taken < needed:
        raise TooFast(
            f"the answers came {taken:.1f} s after the form opened, faster than its "
            f"{questions} questions can be read; check them and send the form again",
            form=form,
            needed_seconds=needed,
        )


def submit(
    session: Session,
    respondent: Respondent,
    token: str,
    nonce: str,
    answers: Mapping[str, ItemValue],
) -> tuple[SubmittedResponse, Assessment]:
    """Score and store the answers of a verified respondent; the link is then used up."""
    row = _by_token(session, token)
    _require_open(row)
    verified_at = _aware(row.verified_at) if row.verified_at is not None else None
    fresh = verified_at is not None and verified_at + FORM_WINDOW > utcnow()
    if (
        verified_at is None
        or not fresh
        or not hmac.compare_digest(_digest(nonce), row.form_nonce_hash or "")
    ):
        raise PermissionDenied("please confirm who you are again before sending the form")
    client = session.get(ClientRecord, row.client_id)
    if client is None or client.erased_at is not None:
        raise PermissionDenied(_REFUSALS[LinkState.revoked])
    tool = get_instrument(row.instrument)
    _require_human_timing(verified_at, form_for(tool))
    values = dict(answers)
    if tool.info.code == "gais":
        values["rater"] = "subject"
    record = store_score(
        session,
        client,
        tool,
        values,
        day=row.visit_date,
        recorded_by=f"respondent:{client.pseudonym}",
    )
    row.used_at = utcnow()
    row.assessment_id = record.id
    row.form_nonce_hash = None
    session.flush()
    _respondent_log(
        session,
        row,
        client,
        respondent,
        "assess",
        {"instrument": tool.info.code, "assessment": record.id, "verifier": row.verifier},
    )
    assessment = assessment_of(record)
    return (
        SubmittedResponse(
            instrument=tool.info.code,
            instrument_name=tool.info.name,
            value=assessment.value,
            band=assessment.band,
        ),
        assessment,
    )


def link_qr_svg(url: str) -> str:
    """An inline SVG QR code of ``url`` (error correction M, ISO/IEC 18004:2015).

    Examples
    --------
    >>> link_qr_svg("https://clinic.example/respond/abc").startswith("<svg")
    True
    """
    return str(segno.make(url, error="m").svg_inline(scale=4, title="Questionnaire link"))
