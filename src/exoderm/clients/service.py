"""The clients capability's verbs: what the CLI, the API and the web pages call.

Every verb takes the caller's SQLAlchemy ``session`` and the acting
:class:`~exoderm.accounts.actor.Actor` and does, in this order: the role check (only
``admin`` and ``clinician`` open client records; personal data only for
``PERSONAL_DATA_ROLES``; disease instruments only for ``CLINICIAN_ROLES``), the
organisation fence (a client of another organisation is reported as not found, so its
existence does not leak), validation, storage and one audit event in the same
transaction. The rules themselves live once, in :mod:`exoderm.clients.access`.
Results are the capability's typed models, which the API returns as they are.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from cryptography.fernet import Fernet
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from exoderm.accounts.actor import Actor
from exoderm.accounts.audit import record as audit
from exoderm.accounts.records import Role
from exoderm.accounts.tenancy import bind_every_organisation, bind_organisation
from exoderm.clients import (
    access,
    assessments,
    expectations,
    invitations,
    outcomes,
    photos,
    privacy,
    regimen,
    repository,
    rwe,
    treatments,
)
from exoderm.clients.assessments import Assessment
from exoderm.clients.expectations import CohortComparison, ExpectedObserved
from exoderm.clients.instruments import INSTRUMENTS
from exoderm.clients.invitations import (
    InvitationRead,
    InvitationRequest,
    IssuedInvitation,
    Respondent,
    RespondentPrompt,
    SubmittedResponse,
    Verification,
)
from exoderm.clients.key_rotation import (
    ROTATED,
    add_key,
    key_in_force_since,
    key_state,
    reencrypt,
    retire_old_keys,
)
from exoderm.clients.keys import cipher
from exoderm.clients.outcomes import OutcomeReport
from exoderm.clients.personal import PersonalData
from exoderm.clients.photos import PhotoRead, PhotoTimeline, PhotoView
from exoderm.clients.privacy import ClientExport, Erasure
from exoderm.clients.profile import ClientProfile
from exoderm.clients.regimen import Regimen
from exoderm.clients.repository import ClientRead, ClientRow, Consent
from exoderm.clients.rwe import ContributionRead
from exoderm.clients.screening import ScreeningResult, screen
from exoderm.clients.treatments import TreatmentInput, TreatmentRead
from exoderm.errors import UserInputError
from exoderm.evidence import service as evidence_service
from exoderm.evidence.rwe import DEFAULT_MIN_CELL, RealWorldClaimRead, pool
from exoderm.settings import Settings, get_settings, reset_settings_cache
from exoderm.storage import Database
from exoderm.storage.base import utcnow
from exoderm.storage.paging import FIRST_PAGE, Page, PageQuery, page_of_list
from exoderm.storage.scratch import scratch_database
from exoderm.storage.timestamps import UtcDatetime


class InstrumentRead(BaseModel):
    """An assessment instrument: what it measures, its range, direction and source."""

    code: str
    name: str
    measures: str
    range: str
    unit: str
    direction: str
    source: str
    clinician_only: bool
    patient_reported: bool
    fields: list[str]
    responders: list[str]


#: Why a questionnaire link's transaction opens every organisation: the link is found by
#: its token before its client, and the link itself (token, factor, attempts) is the fence.
LINK_LOOKUP = "a questionnaire link is found by its token; the link is the fence"


def instruments() -> list[InstrumentRead]:
    """The assessment instruments exoderm scores, with their ranges and sources.

    Parameters
    ----------
    None

    Returns
    -------
    list of InstrumentRead
        One entry per instrument, in registry order.

    References
    ----------
    .. [1] Finlay, A. Y. & Khan, G. K. (1994). Dermatology Life Quality Index (DLQI) — a
       simple practical measure for routine clinical use. Clin Exp Dermatol 19:210–216.
       doi:10.1111/j.1365-2230.1994.tb01167.x
    .. [2] Hanifin, J. M. et al. (2001). The eczema area and severity index (EASI):
       assessment of reliability in atopic dermatitis. Exp Dermatol 10:11–18.
       doi:10.1034/j.1600-0625.2001.100102.x

    Examples
    --------
    >>> dlqi = next(i for i in instruments() if i.code == "dlqi")
    >>> dlqi.range, dlqi.clinician_only
    ('0–30', False)
    """
    return [
        InstrumentRead(
            code=t.info.code,
            name=t.info.name,
            measures=t.info.measures,
            range=t.info.range_text,
            unit=t.info.unit,
            direction=t.info.direction.value,
            source=t.info.source,
            clinician_only=t.info.clinician_only,
            patient_reported=t.info.patient_reported,
            fields=list(t.fields),
            responders=[r.label for r in t.info.responders],
        )
        for t in INSTRUMENTS.values()
    ]


def add_client(
    session: Session,
    actor: Actor,
    *,
    personal: PersonalData,
    profile: ClientProfile,
    organisation_id: int | None = None,
    consents: Sequence[Consent] = (),
) -> ClientRead:
    """Create a client: pseudonym, encrypted personal data, profile and consents (audited).

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        Who adds the client; must be a role that may see personal data.
    personal : PersonalData
        Name and contact details, stored encrypted (Fernet) apart from the record.
    profile : ClientProfile
        The clinical profile.
    organisation_id : int, optional
        The client's organisation; default the actor's. Another organisation is not found.
    consents : sequence of Consent
        Consents given at intake.

    Returns
    -------
    ClientRead
        The new client, with its random pseudonym.

    References
    ----------
    .. [1] ISO 25237:2017 Health informatics — Pseudonymization.
    .. [2] Regulation (EU) 2016/679 (GDPR), Art. 7 (conditions for consent) and Art. 32
       (security of processing: pseudonymisation and encryption).

    Examples
    --------
    >>> with _example() as (db, admin, pseudonym):
    ...     pseudonym.startswith("C-")
    True
    """
    bind_organisation(session, actor)
    return repository.add_client(
        session,
        actor,
        personal=personal,
        profile=profile,
        organisation_id=organisation_id,
        consents=list(consents),
    )


def get_client(session: Session, actor: Actor, pseudonym: str) -> ClientRead:
    """One client, with personal data only for roles that may see it (audited read).

    Parameters
    ----------
    session : Session
        The caller's transaction (the read is audited in it).
    actor : Actor
        Who reads; another organisation's client is not found.
    pseudonym : str
        The client's pseudonym (any case).

    Returns
    -------
    ClientRead
        Profile, consents and, for ``PERSONAL_DATA_ROLES``, the decrypted personal data.

    References
    ----------
    .. [1] ISO 27789:2021 Health informatics — Audit trails for electronic health records.

    Examples
    --------
    >>> with _example() as (db, admin, pseudonym):
    ...     with db.transaction() as s:
    ...         get_client(s, admin, pseudonym.lower()).personal.name
    'Ada Lovelace'
    """
    bind_organisation(session, actor)
    return repository.show_client(session, actor, pseudonym)


def list_clients(
    session: Session,
    actor: Actor,
    *,
    concern: str | None = None,
    page: PageQuery = FIRST_PAGE,
) -> Page[ClientRow]:
    """The clients of the actor's organisation (all, for an admin); no personal data.

    Parameters
    ----------
    session : Session
        The caller's transaction (the listing is audited in it).
    actor : Actor
        Who lists; only their own organisation's clients are returned.
    concern : str, optional
        Only clients with this concern (canonical name, any case).
    page : PageQuery
        Which page.

    Returns
    -------
    Page of ClientRow
        Pseudonym, organisation, phototype, concerns, erased flag and creation day.

    References
    ----------
    .. [1] ISO 27789:2021 Health informatics — Audit trails for electronic health records.
    .. [2] OWASP ASVS 5.0, V8.2 (general authorization design: data-level access control).

    Examples
    --------
    >>> with _example() as (db, admin, pseudonym):
    ...     with db.transaction() as s:
    ...         [r.pseudonym == pseudonym for r in list_clients(s, admin).items]
    [True]
    """
    bind_organisation(session, actor)
    rows = repository.list_clients(session, actor, concern=concern)
    items, total = page_of_list(rows, page)
    return Page[ClientRow](items=items, total=total, limit=page.limit, offset=page.offset)


def update_profile(
    session: Session, actor: Actor, pseudonym: str, *, profile: ClientProfile
) -> ClientRead:
    """Replace a client's clinical profile (audited; the previous profile is not kept).

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        Who changes it; another organisation's client is not found.
    pseudonym : str
        The client.
    profile : ClientProfile
        The whole new profile.

    Returns
    -------
    ClientRead
        The client with the new profile.

    References
    ----------
    .. [1] ISO 27789:2021 Health informatics — Audit trails for electronic health records.

    Examples
    --------
    >>> from exoderm.markets import Market
    >>> with _example() as (db, admin, pseudonym):
    ...     with db.transaction() as s:
    ...         old = get_client(s, admin, pseudonym).profile
    ...         new = old.model_copy(update={"market": Market.UK})
    ...         update_profile(s, admin, pseudonym, profile=new).profile.market
    <Market.UK: 'UK'>
    """
    bind_organisation(session, actor)
    return repository.update_profile(session, actor, pseudonym, profile)


def add_consent(session: Session, actor: Actor, pseudonym: str, *, consent: Consent) -> None:
    """Record a consent given or withdrawn, with the version of the text (audited).

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        Who records it; another organisation's client is not found.
    pseudonym : str
        The client.
    consent : Consent
        Topic, version, given or withdrawn.

    Returns
    -------
    None

    References
    ----------
    .. [1] Regulation (EU) 2016/679 (GDPR), Art. 7(1) (demonstrating consent) and
       Art. 7(3) (withdrawing consent).

    Examples
    --------
    >>> with _example() as (db, admin, pseudonym):
    ...     with db.transaction() as s:
    ...         add_consent(s, admin, pseudonym, consent=Consent("photos", "v2", given=False))
    ...         [(c.topic, c.given) for c in get_client(s, admin, pseudonym).consents]
    [('photos', False)]
    """
    bind_organisation(session, actor)
    repository.add_consent(session, actor, pseudonym, consent)


def record_assessment(
    session: Session,
    actor: Actor,
    pseudonym: str,
    *,
    instrument: str,
    inputs: Mapping[str, Any],
    visit_date: date | None = None,
) -> Assessment:
    """Score an instrument for a client with its published rule and store it (audited).

    Disease instruments (EASI, SCORAD, vIGA-AD) need a clinician role. For EASI without
    ``age_years`` the age comes from the encrypted date of birth (children aged 7 or
    under use other region multipliers).

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        Who assesses; another organisation's client is not found.
    pseudonym : str
        The client.
    instrument : str
        The instrument's code (see :func:`instruments`).
    inputs : mapping
        Item → value as the instrument defines; out-of-range items are named.
    visit_date : date, optional
        Default today; never in the future.

    Returns
    -------
    Assessment
        The stored score with its band, components and normalised inputs.

    References
    ----------
    .. [1] Finlay, A. Y. & Khan, G. K. (1994). Dermatology Life Quality Index (DLQI) — a
       simple practical measure for routine clinical use. Clin Exp Dermatol 19:210–216.
       doi:10.1111/j.1365-2230.1994.tb01167.x
    .. [2] Hanifin, J. M. et al. (2001). The eczema area and severity index (EASI):
       assessment of reliability in atopic dermatitis. Exp Dermatol 10:11–18.
       doi:10.1034/j.1600-0625.2001.100102.x

    Examples
    --------
    >>> with _example() as (db, admin, pseudonym):
    ...     with db.transaction() as s:
    ...         answers = {f"q{i}": 1 for i in range(1, 11)}
    ...         record_assessment(s, admin, pseudonym, instrument="dlqi", inputs=answers).value
    10.0
    """
    bind_organisation(session, actor)
    return assessments.record_assessment(
        session, actor, pseudonym, instrument, inputs, visit_date=visit_date
    )


def screen_client(session: Session, actor: Actor, pseudonym: str) -> ScreeningResult:
    """Contraindication screening of a stored client: every verdict names its rule (audited).

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        Who screens; another organisation's client is not found.
    pseudonym : str
        The client.

    Returns
    -------
    ScreeningResult
        Flags, blocked options, warnings, allowed procedures and excluded ingredients.

    References
    ----------
    .. [1] Spring, L. K. et al. (2017). Isotretinoin and timing of procedural
       interventions: a systematic review with consensus recommendations. JAMA Dermatol
       153:802–809. doi:10.1001/jamadermatol.2017.2077
    .. [2] Regulation (EC) No 1223/2009 on cosmetic products, Annex II entry 416
       (cells, tissues or products of human origin).

    Examples
    --------
    >>> with _example() as (db, admin, pseudonym):
    ...     with db.transaction() as s:
    ...         "market_prohibits_human_ev" in screen_client(s, admin, pseudonym).flags
    True
    """
    bind_organisation(session, actor)
    client = access.load_client(session, actor, pseudonym, action="screen")
    result = screen(repository.profile_of(client))
    access.log(session, actor, "screen", client, {"blocked": len(result.blocked)})
    return result


def create_regimen(
    session: Session,
    actor: Actor,
    pseudonym: str,
    *,
    start: date | None = None,
    simulate: bool = False,
) -> Regimen:
    """Build, store and audit a regimen for a stored client.

    Concerns become design targets, screening removes what the client must not have,
    the design engine formulates the home-care product under the client's market, one
    in-clinic course is chosen and follow-up visits name the instruments to measure.

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        Who plans; disease instruments are planned only for clinicians.
    pseudonym : str
        The client.
    start : date, optional
        First day of the plan; default today.
    simulate : bool
        Add the simulator's expected outcome (a labelled model prediction).

    Returns
    -------
    Regimen
        The stored plan with every choice and its reason.

    References
    ----------
    .. [1] Manuskiatti, W. et al. (2013). Effect of cooling and priming on PIH after
       fractional laser treatment in Asians. JEADV 27:e219. doi:10.1111/jdv.12050
    .. [2] Regulation (EC) No 1223/2009 on cosmetic products, Annex II entry 416.

    Examples
    --------
    >>> with _example() as (db, admin, pseudonym):
    ...     with db.transaction() as s:
    ...         plan = create_regimen(s, admin, pseudonym, start=date(2026, 1, 5))
    ...     plan.pseudonym == pseudonym, plan.visits[0].kind
    (True, 'baseline')
    """
    bind_organisation(session, actor)
    return regimen.create_regimen(session, actor, pseudonym, start=start, simulate=simulate)


def client_outcomes(session: Session, actor: Actor, pseudonym: str) -> OutcomeReport:
    """Change from baseline, percent improvement and responder status (audited read).

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        Who reads; another organisation's client is not found.
    pseudonym : str
        The client.

    Returns
    -------
    OutcomeReport
        One point per assessment, compared with the first of its series.

    References
    ----------
    .. [1] Basra, M. K. A. et al. (2015). Determining the minimal clinically important
       difference and responsiveness of the DLQI. Dermatology 230:27–33.
       doi:10.1159/000365390
    .. [2] Schram, M. E. et al. (2012). EASI, (objective) SCORAD and POEM for atopic
       eczema: responsiveness and minimal clinically important difference. Allergy
       67:99–106. doi:10.1111/j.1398-9995.2011.02719.x

    Examples
    --------
    >>> with _example() as (db, admin, pseudonym):
    ...     with db.transaction() as s:
    ...         client_outcomes(s, admin, pseudonym).points
    []
    """
    bind_organisation(session, actor)
    return outcomes.client_outcomes(session, actor, pseudonym)


def export_client(session: Session, actor: Actor, pseudonym: str) -> ClientExport:
    """Everything recorded about a client, machine-readable (audited).

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        Who exports; must be a role that may see personal data.
    pseudonym : str
        The client.

    Returns
    -------
    ClientExport
        Profile, personal data, consents, assessments, regimens and the audit trail.

    References
    ----------
    .. [1] Regulation (EU) 2016/679 (GDPR), Art. 15 (right of access) and Art. 20 (right
       to data portability).

    Examples
    --------
    >>> with _example() as (db, admin, pseudonym):
    ...     with db.transaction() as s:
    ...         export_client(s, admin, pseudonym).personal_data.name
    'Ada Lovelace'
    """
    bind_organisation(session, actor)
    return privacy.export_client(session, actor, pseudonym)


def erase_client(
    session: Session, actor: Actor, pseudonym: str, *, second_person: bool = False
) -> Erasure:
    """Delete a client's personal data and consents; keep anonymised outcomes (audited).

    Under the four-eyes rule (``second_person``, the setting ``erasure_needs_approval``)
    the first request is recorded and nothing is erased; a different user's request within
    14 days erases, and the summary names who asked first. Call
    :func:`exoderm.clients.purge_freed_pages` after the transaction commits.

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        Who erases; must be a role that may see personal data.
    pseudonym : str
        The client.
    second_person : bool, optional
        The four-eyes rule: erase only on a second, different user's request.

    Returns
    -------
    Erasure
        How many rows were deleted, and the age band kept instead of the date of birth;
        ``status`` is ``requested`` when the erasure waits for a second person.

    Raises
    ------
    UserInputError
        Under the four-eyes rule, when the person who asked asks again.

    References
    ----------
    .. [1] Regulation (EU) 2016/679 (GDPR), Art. 17 (right to erasure) and Recital 26
       (anonymous information).
    .. [2] OWASP Foundation (2025). ASVS 5.0.0, V2.3.5 (multi-user approval).

    Examples
    --------
    >>> with _example() as (db, admin, pseudonym):
    ...     with db.transaction() as s:
    ...         erase_client(s, admin, pseudonym).personal_rows_deleted
    1
    """
    bind_organisation(session, actor)
    return privacy.erase_client(session, actor, pseudonym, second_person=second_person)


def invite_client(
    session: Session, actor: Actor, pseudonym: str, *, request: InvitationRequest
) -> IssuedInvitation:
    """Send a client a single-use link to fill a patient-reported instrument (audited).

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        A role that may see personal data; another organisation's client is not found.
    pseudonym : str
        The client.
    request : InvitationRequest
        Instrument (patient-reported only), visit, second factor and days of validity.

    Returns
    -------
    IssuedInvitation
        The link's token and path (shown once) and, for ``verifier='code'``, the code to
        hand over separately.

    References
    ----------
    .. [1] NIST SP 800-63B, §5.1.1.2 (look-up secrets) and §5.2.2 (rate limiting).

    Examples
    --------
    >>> with _example() as (db, admin, pseudonym):
    ...     with db.transaction() as s:
    ...         link = invite_client(s, admin, pseudonym,
    ...                              request=InvitationRequest(instrument="dlqi"))
    >>> link.path.startswith("/respond/"), len(link.token) >= 40
    (True, True)
    """
    bind_organisation(session, actor)
    return invitations.issue(session, actor, pseudonym, request)


def list_invitations(session: Session, actor: Actor, pseudonym: str) -> list[InvitationRead]:
    """A client's links with their state (open, used, expired, revoked, locked).

    Parameters
    ----------
    session : Session
        The caller's transaction (the read is audited).
    actor : Actor
        Who reads; another organisation's client is not found.
    pseudonym : str
        The client.

    Returns
    -------
    list of InvitationRead
        Newest first; no token and no code.

    References
    ----------
    .. [1] ISO 27789:2021 Health informatics — Audit trails for electronic health records.

    Examples
    --------
    >>> with _example() as (db, admin, pseudonym):
    ...     with db.transaction() as s:
    ...         _ = invite_client(s, admin, pseudonym, request=InvitationRequest(instrument="dlqi"))
    ...         [i.state.value for i in list_invitations(s, admin, pseudonym)]
    ['open']
    """
    bind_organisation(session, actor)
    return invitations.list_for(session, actor, pseudonym)


def revoke_invitation(session: Session, actor: Actor, invitation_id: int) -> InvitationRead:
    """Withdraw a link before it is used (audited).

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        Who revokes; another organisation's link is not found.
    invitation_id : int
        The link's id (from :func:`list_invitations`).

    Returns
    -------
    InvitationRead
        The link, now revoked (a used link stays used).

    References
    ----------
    .. [1] OWASP ASVS 5.0, V7.4 (session termination: tokens can be revoked).

    Examples
    --------
    >>> with _example() as (db, admin, pseudonym):
    ...     with db.transaction() as s:
    ...         link = invite_client(s, admin, pseudonym,
    ...                              request=InvitationRequest(instrument="dlqi"))
    ...         revoke_invitation(s, admin, link.id).state.value
    'revoked'
    """
    bind_organisation(session, actor)
    return invitations.revoke(session, actor, invitation_id)


def respondent_prompt(session: Session, respondent: Respondent, *, token: str) -> RespondentPrompt:
    """What the holder of a link sees before verifying: the factor asked, nothing else.

    Parameters
    ----------
    session : Session
        An open session.
    respondent : Respondent
        The unauthenticated visitor (address and channel).
    token : str
        The link's token.

    Returns
    -------
    RespondentPrompt
        The verifier kind and the attempts left; an unknown token is not found, a used,
        expired, revoked or locked one is refused with its reason.

    References
    ----------
    .. [1] OWASP ASVS 5.0, V8.3 (no information about other users before authentication).

    Examples
    --------
    >>> with _example() as (db, admin, pseudonym):
    ...     with db.transaction() as s:
    ...         link = invite_client(s, admin, pseudonym,
    ...                              request=InvitationRequest(instrument="dlqi"))
    ...         respondent_prompt(s, Respondent(), token=link.token).verifier.value
    'date_of_birth'
    """
    bind_every_organisation(
        session, reason="a questionnaire link is found by its token; the link is the fence"
    )
    return invitations.prompt(session, token)


def verify_respondent(
    session: Session, respondent: Respondent, *, token: str, answer: str
) -> Verification:
    """Check the second factor of a link's holder; a wrong answer is counted and returned.

    Parameters
    ----------
    session : Session
        The caller's transaction (commit it also when the answer was wrong).
    respondent : Respondent
        The unauthenticated visitor; its address is rate-limited.
    token : str
        The link's token.
    answer : str
        The date of birth (ISO ``YYYY-MM-DD``) or the code.

    Returns
    -------
    Verification
        Verified with a one-time form nonce and the form, or not with attempts left; the
        twentieth wrong answer locks the link.

    References
    ----------
    .. [1] NIST SP 800-63B, §5.2.2 (rate limiting of failed attempts).

    Examples
    --------
    >>> with _example() as (db, admin, pseudonym):
    ...     with db.transaction() as s:
    ...         link = invite_client(s, admin, pseudonym,
    ...                              request=InvitationRequest(instrument="dlqi"))
    ...         wrong = verify_respondent(s, Respondent(), token=link.token, answer="2000-01-01")
    ...         right = verify_respondent(s, Respondent(), token=link.token, answer="1985-03-04")
    >>> wrong.verified, wrong.attempts_left, right.verified
    (False, 19, True)
    """
    bind_every_organisation(
        session, reason="a questionnaire link is found by its token; the link is the fence"
    )
    return invitations.verify(session, respondent, token, answer)


def submit_response(
    session: Session,
    respondent: Respondent,
    *,
    token: str,
    nonce: str,
    answers: Mapping[str, Any],
) -> SubmittedResponse:
    """Score and store a verified respondent's answers; the link is used up (audited).

    Parameters
    ----------
    session : Session
        The caller's transaction.
    respondent : Respondent
        The verified visitor; the audit row names its channel and address.
    token : str
        The link's token.
    nonce : str
        The one-time form key from :func:`verify_respondent`.
    answers : mapping
        Item → value as the instrument defines.

    Returns
    -------
    SubmittedResponse
        The instrument and the score that was stored on the client's record.

    References
    ----------
    .. [1] Finlay, A. Y. & Khan, G. K. (1994). Dermatology Life Quality Index (DLQI).
       Clin Exp Dermatol 19:210–216. doi:10.1111/j.1365-2230.1994.tb01167.x

    Examples
    --------
    >>> with _example() as (db, admin, pseudonym):
    ...     with db.transaction() as s:
    ...         link = invite_client(s, admin, pseudonym,
    ...                              request=InvitationRequest(instrument="dlqi"))
    ...         ok = verify_respondent(s, Respondent(), token=link.token, answer="1985-03-04")
    ...         _spend_on_the_form(s, link.token, seconds=90)  # ten questions take a while
    ...         answers = {f"q{i}": 1 for i in range(1, 11)}
    ...         submit_response(s, Respondent(), token=link.token, nonce=ok.nonce or "",
    ...                         answers=answers).value
    10.0
    """
    bind_every_organisation(
        session, reason="a questionnaire link is found by its token; the link is the fence"
    )
    response, _ = invitations.submit(session, respondent, token, nonce, answers)
    return response


def add_photo(
    session: Session,
    actor: Actor,
    pseudonym: str,
    *,
    data: bytes,
    view: PhotoView,
    captured_on: date | None = None,
    quota: photos.PhotoQuota | None = None,
) -> PhotoRead:
    """Store a standardised photo of a client who consented, encrypted (audited).

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        A role that may see personal data.
    pseudonym : str
        The client; their latest ``photos`` consent must be given.
    data : bytes
        A JPEG or PNG (≤ 15 MB, ≤ 40 MP); metadata is removed before storing.
    view : PhotoView
        The standard view.
    captured_on : date, optional
        Default today.
    quota : PhotoQuota, optional
        Photos and megabytes one user may store (default 5,000 and 5,000 MB); past it the
        photo is refused with :class:`~exoderm.errors.ConflictError`.

    Returns
    -------
    PhotoRead
        The photo's card.

    References
    ----------
    .. [1] Swamy, R. S. & Most, S. P. (2010). Pre- and postoperative portrait
       photography: standardized photos for various procedures. Facial Plast Surg Clin
       North Am 18(2):245–252. doi:10.1016/j.fsc.2010.01.003

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> buf = io.BytesIO(); Image.new("RGB", (8, 8)).save(buf, format="PNG")
    >>> with _example() as (db, admin, pseudonym):
    ...     with db.transaction() as s:
    ...         add_consent(s, admin, pseudonym, consent=Consent("photos", "v1"))
    ...         add_photo(s, admin, pseudonym, data=buf.getvalue(),
    ...                   view=PhotoView.frontal).media_type
    'image/png'
    """
    bind_organisation(session, actor)
    return photos.add_photo(
        session, actor, pseudonym, data=data, view=view, captured_on=captured_on, quota=quota
    )


def photo_timeline(session: Session, actor: Actor, pseudonym: str) -> PhotoTimeline:
    """A client's photos by view, with baseline and latest follow-up side by side.

    Parameters
    ----------
    session : Session
        The caller's transaction (the read is audited).
    actor : Actor
        A role that may see personal data.
    pseudonym : str
        The client.

    Returns
    -------
    PhotoTimeline
        Cards of every photo, the pairs per view and whether consent is in force.

    References
    ----------
    .. [1] Swamy, R. S. & Most, S. P. (2010). Facial Plast Surg Clin North Am
       18(2):245–252. doi:10.1016/j.fsc.2010.01.003

    Examples
    --------
    >>> with _example() as (db, admin, pseudonym):
    ...     with db.transaction() as s:
    ...         photo_timeline(s, admin, pseudonym).consent_in_force
    False
    """
    bind_organisation(session, actor)
    return photos.timeline(session, actor, pseudonym)


def photo_image(
    session: Session, actor: Actor, pseudonym: str, *, photo_id: int
) -> tuple[bytes, str]:
    """The decrypted image of one photo and its media type (audited; consent needed).

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        A role that may see personal data.
    pseudonym : str
        The client.
    photo_id : int
        The photo.

    Returns
    -------
    tuple of (bytes, str)
        The image and ``image/jpeg`` or ``image/png``.

    References
    ----------
    .. [1] Regulation (EU) 2016/679 (GDPR), Art. 9 and Art. 32.

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> buf = io.BytesIO(); Image.new("RGB", (8, 8)).save(buf, format="PNG")
    >>> with _example() as (db, admin, pseudonym):
    ...     with db.transaction() as s:
    ...         add_consent(s, admin, pseudonym, consent=Consent("photos", "v1"))
    ...         p = add_photo(s, admin, pseudonym, data=buf.getvalue(), view=PhotoView.frontal)
    ...         photo_image(s, admin, pseudonym, photo_id=p.id)[1]
    'image/png'
    """
    bind_organisation(session, actor)
    return photos.image_of(session, actor, pseudonym, photo_id)


def record_treatment(
    session: Session, actor: Actor, pseudonym: str, *, treatment: TreatmentInput
) -> TreatmentRead:
    """Record a treatment given: exposure, route, concern and start (audited).

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        Who records; another organisation's client is not found.
    pseudonym : str
        The client.
    treatment : TreatmentInput
        An EV source of the graph (or a formulation), the route, the concern, the start.

    Returns
    -------
    TreatmentRead
        The treatment with the graph ids it was resolved to.

    References
    ----------
    .. [1] Gliklich, R. E., Dreyer, N. A. & Leavy, M. B. (eds.) (2014). Registries for
       Evaluating Patient Outcomes: A User's Guide, 3rd ed. AHRQ Publication
       13(14)-EHC111.

    Examples
    --------
    >>> from exoderm.clients.treatments import Route
    >>> with _example() as (db, admin, pseudonym):
    ...     with db.transaction() as s:
    ...         t = record_treatment(s, admin, pseudonym, treatment=TreatmentInput(
    ...             exposure="ADSC", route=Route.microneedling, concern="wrinkles",
    ...             started_on=date(2026, 1, 5)))
    >>> t.exposure, t.concern
    ('source:adipose-msc', 'concern:wrinkles')
    """
    bind_organisation(session, actor)
    return treatments.record_treatment(session, actor, pseudonym, treatment)


def list_treatments(session: Session, actor: Actor, pseudonym: str) -> list[TreatmentRead]:
    """A client's recorded treatments, by start date (audited read).

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        Who reads; another organisation's client is not found.
    pseudonym : str
        The client.

    Returns
    -------
    list of TreatmentRead
        Exposure and concern as graph ids, route, start.

    References
    ----------
    .. [1] ISO 27789:2021 Health informatics — Audit trails for electronic health records.

    Examples
    --------
    >>> with _example() as (db, admin, pseudonym):
    ...     with db.transaction() as s:
    ...         list_treatments(s, admin, pseudonym)
    []
    """
    bind_organisation(session, actor)
    client = access.load_client(session, actor, pseudonym, action="show")
    rows = treatments.treatments_of(session, client.id)
    access.log(session, actor, "treatments", client, {"count": len(rows)})
    return rows


def expected_vs_observed(session: Session, actor: Actor, pseudonym: str) -> ExpectedObserved:
    """A client's observed changes beside the registry's expectation and the simulator.

    Parameters
    ----------
    session : Session
        The caller's transaction (the read is audited).
    actor : Actor
        Who reads; another organisation's client is not found.
    pseudonym : str
        The client.

    Returns
    -------
    ExpectedObserved
        Per treatment and instrument: the observed change and responder status, the
        stored real-world claim of the same cell, and the latest regimen's model output.

    References
    ----------
    .. [1] Barnett, A. G., van der Pols, J. C. & Dobson, A. J. (2005). Regression to the
       mean: what it is and how to deal with it. Int J Epidemiol 34(1):215–220.
       doi:10.1093/ije/dyh299

    Examples
    --------
    >>> with _example() as (db, admin, pseudonym):
    ...     with db.transaction() as s:
    ...         expected_vs_observed(s, admin, pseudonym).rows
    []
    """
    bind_organisation(session, actor)
    return expectations.client_expected_observed(session, actor, pseudonym)


def cohort_expected_observed(session: Session, actor: Actor) -> CohortComparison:
    """An organisation's treated clients per cell: observed responder rate beside expected.

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        A client-facing role; only their organisation's clients (all, for an admin).

    Returns
    -------
    CohortComparison
        Per (exposure, route, concern, instrument): n, responder rate with its Wilson
        interval, mean improvement, and the registry claim of the same cell.

    References
    ----------
    .. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and
       statistical inference. JASA 22(158):209–212. doi:10.1080/01621459.1927.10502953

    Examples
    --------
    >>> with _example() as (db, admin, pseudonym):
    ...     with db.transaction() as s:
    ...         cohort_expected_observed(s, admin).rows
    []
    """
    bind_organisation(session, actor)
    return expectations.cohort_expected_observed(session, actor)


def set_rwe_contribution(
    session: Session, actor: Actor, *, organisation_id: int, contributes: bool
) -> ContributionRead:
    """Opt an organisation in to (or out of) contributing outcomes as evidence (audited).

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        An admin.
    organisation_id : int
        The organisation.
    contributes : bool
        Opt in (True) or out.

    Returns
    -------
    ContributionRead
        The decision.

    References
    ----------
    .. [1] Regulation (EU) 2016/679 (GDPR), Art. 89 (safeguards for processing for
       scientific research: data minimisation, pseudonymisation).

    Examples
    --------
    >>> with _example() as (db, admin, pseudonym):
    ...     with db.transaction() as s:
    ...         org = get_client(s, admin, pseudonym).organisation_id
    ...         set_rwe_contribution(s, admin, organisation_id=org, contributes=True).contributes
    True
    """
    bind_organisation(session, actor)
    return rwe.set_contribution(session, actor, organisation_id, contributes=contributes)


def rwe_contributions(session: Session, actor: Actor) -> list[ContributionRead]:
    """Which organisations contribute their outcomes as real-world evidence (admins).

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        An admin.

    Returns
    -------
    list of ContributionRead
        One per organisation that ever decided; an organisation without a row does not
        contribute.

    References
    ----------
    .. [1] Regulation (EU) 2016/679 (GDPR), Art. 89 (safeguards for research processing).

    Examples
    --------
    >>> with _example() as (db, admin, pseudonym):
    ...     with db.transaction() as s:
    ...         org = get_client(s, admin, pseudonym).organisation_id
    ...         _ = set_rwe_contribution(s, admin, organisation_id=org, contributes=True)
    ...         [c.contributes for c in rwe_contributions(s, admin)]
    [True]
    """
    bind_organisation(session, actor)
    return rwe.list_contributions(session, actor)


def build_real_world_evidence(
    session: Session, actor: Actor, *, min_cell: int = DEFAULT_MIN_CELL
) -> list[RealWorldClaimRead]:
    """Aggregate opted-in organisations' outcomes into real-world claims and store them.

    Parameters
    ----------
    session : Session
        The caller's transaction: the old claims are replaced in it.
    actor : Actor
        An admin.
    min_cell : int
        The fewest clients one organisation may contribute to a cell (k, default 10).

    Returns
    -------
    list of RealWorldClaimRead
        One claim per (exposure, route, concern, instrument) with n, mean improvement and
        its 95 % interval, responder rate and follow-up, labelled observational.

    References
    ----------
    .. [1] Sweeney, L. (2002). k-anonymity: a model for protecting privacy. Int J
       Uncertain Fuzziness Knowl-Based Syst 10(5):557–570. doi:10.1142/S0218488502001648
    .. [2] Guyatt, G. et al. (2011). GRADE guidelines: 1. J Clin Epidemiol 64(4):383–394.
       doi:10.1016/j.jclinepi.2010.04.026

    Examples
    --------
    >>> with _example() as (db, admin, pseudonym):
    ...     with db.transaction() as s:
    ...         build_real_world_evidence(s, admin)
    []
    """
    bind_organisation(session, actor)
    if min_cell < 2:
        raise UserInputError(
            f"a minimum cell size of {min_cell} identifies people",
            field="min_cell",
            expected="at least 2 (default 10)",
        )
    claims = pool(rwe.contributions(session, actor, min_cell=min_cell), min_cell=min_cell)
    evidence_service.store_real_world_claims(session, actor, claims=claims)
    return claims


def _spend_on_the_form(session: Session, token: str, *, seconds: float) -> None:
    """For the Examples: the respondent spent ``seconds`` on the form since verifying."""
    invitations.rewind_verification(session, token, seconds=seconds)


@contextmanager
def _example() -> Iterator[tuple[Database, Actor, str]]:
    """For the Examples: a scratch database, an admin and one client (EU market).

    A throw-away encryption key is set for the duration, so no key file is written.
    """
    previous = os.environ.get("EXODERM_ENCRYPTION_KEY")
    os.environ["EXODERM_ENCRYPTION_KEY"] = Fernet.generate_key().decode("ascii")
    reset_settings_cache()
    db = scratch_database()
    admin = Actor(username="admin", role=Role.admin)
    try:
        from exoderm.accounts.users import create_organisation

        with db.transaction() as s:
            org = create_organisation(s, "Clinic A", "clinic")
            client = add_client(
                s,
                admin,
                personal=PersonalData(name="Ada Lovelace", date_of_birth=date(1985, 3, 4)),
                profile=ClientProfile.model_validate(
                    {"fitzpatrick": {"phototype": 2}, "concerns": [{"name": "wrinkles"}]}
                ),
                organisation_id=org.id,
            )
        yield db, admin, client.pseudonym
    finally:
        db.dispose()
        if previous is None:
            os.environ.pop("EXODERM_ENCRYPTION_KEY", None)
        else:
            os.environ["EXODERM_ENCRYPTION_KEY"] = previous
        reset_settings_cache()


# --------------------------------------------------------------------------- key rotation
class KeyRotationRead(BaseModel):
    """The client-data keys after a rotation or retirement (fingerprints, never keys)."""

    source: str
    fingerprints: list[str]
    reencrypted: dict[str, int] = {}
    retired: int = 0
    in_force_since: UtcDatetime | None = Field(
        None, description="When the encrypting key came into force (None: nothing encrypted yet)."
    )
    max_age_days: int = Field(description="The cryptoperiod (setting encryption_key_max_age_days).")
    rotate_by: UtcDatetime | None = Field(None, description="in_force_since + max_age_days.")
    overdue: bool = Field(False, description="The cryptoperiod has ended: rotate the key.")


def _key_read(session: Session, settings: Settings, **more: Any) -> KeyRotationRead:
    state = key_state(settings)
    since = key_in_force_since(session, settings)
    period = timedelta(days=settings.encryption_key_max_age_days)
    rotate_by = since + period if since is not None else None
    return KeyRotationRead(
        source=state.source,
        fingerprints=list(state.fingerprints),
        in_force_since=since,
        max_age_days=settings.encryption_key_max_age_days,
        rotate_by=rotate_by,
        overdue=rotate_by is not None and rotate_by <= utcnow(),
        **more,
    )


def encryption_keys(
    session: Session, actor: Actor, *, settings: Settings | None = None
) -> KeyRotationRead:
    """Where the client-data keys come from, their fingerprints (newest first), and when
    the encrypting key came into force and must be rotated by.

    Parameters
    ----------
    session : Session
        Open database session (the audit log and the oldest record date the key).
    actor : Actor
        An admin.
    settings : Settings, optional
        Where the keys are (default: the process's settings).

    Returns
    -------
    KeyRotationRead
        The source (``EXODERM_ENCRYPTION_KEY`` or the key file), the fingerprints (the
        first 12 hex digits of each key's SHA-256; never a key), the key's start, the
        cryptoperiod, the date to rotate by and whether that date has passed.

    References
    ----------
    .. [1] OWASP Foundation (2025). Application Security Verification Standard 5.0,
       V13.3.4 (secrets rotated by a documented schedule).
    .. [2] Barker, E. (2020). NIST SP 800-57 Part 1 Rev. 5, Recommendation for Key
       Management, §5.3.6 (cryptoperiod of a symmetric data-encryption key: up to two
       years of originator use). doi:10.6028/NIST.SP.800-57pt1r5

    Examples
    --------
    >>> with _example() as (db, admin, pseudonym):
    ...     with db.reader() as s:
    ...         state = encryption_keys(s, admin)
    >>> state.source, len(state.fingerprints[0]), state.max_age_days, state.overdue
    ('EXODERM_ENCRYPTION_KEY', 12, 730, False)
    """
    actor.require(Role.admin, action="see the client-data keys")
    return _key_read(session, settings or get_settings())


def rotate_encryption_key(
    session: Session, actor: Actor, *, new_key: bool = True, settings: Settings | None = None
) -> KeyRotationRead:
    """Put a new client-data key first and re-encrypt every stored token under it.

    Every token (personal data, photos, second-factor secrets, stored idempotent answers)
    is rewritten in the caller's one transaction; the older keys stay in the key file, so
    every token opens whether the transaction commits or not. Retire them afterwards with
    :func:`retire_encryption_keys`. One audit event (``clients.key_rotated``).

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        An admin.
    new_key : bool
        Add a new key to the key file first (the default). ``False`` re-encrypts under the
        first key as configured: with ``EXODERM_ENCRYPTION_KEY``, list the new key first.
    settings : Settings, optional
        Where the keys are (default: the process's settings).

    Returns
    -------
    KeyRotationRead
        The keys' fingerprints, newest first, and the tokens re-encrypted per table.

    Raises
    ------
    PermissionDenied
        The actor is not an admin.
    UserInputError
        A new key was asked for while the keys come from ``EXODERM_ENCRYPTION_KEY``, or a
        token opens with none of the keys.

    References
    ----------
    .. [1] OWASP Foundation (2025). Application Security Verification Standard 5.0,
       V13.3.4 (secrets rotated and expired by a documented schedule).
    .. [2] Barker, E. (2020). Recommendation for Key Management, Part 1: General. NIST
       Special Publication 800-57 Part 1 Rev. 5, §5.3 (cryptoperiods).
       doi:10.6028/NIST.SP.800-57pt1r5

    Examples
    --------
    With the keys in ``EXODERM_ENCRYPTION_KEY``: the new key listed first, the old after.

    >>> from pydantic import SecretStr
    >>> with _example() as (db, admin, pseudonym), db.transaction() as s:
    ...     old = os.environ["EXODERM_ENCRYPTION_KEY"]
    ...     new = Fernet.generate_key().decode("ascii")
    ...     listed = Settings(encryption_key=SecretStr(f"{new},{old}"))
    ...     done = rotate_encryption_key(s, admin, new_key=False, settings=listed)
    >>> len(done.fingerprints), done.reencrypted["clients_personal"]
    (2, 1)
    """
    actor.require(Role.admin, action="rotate the client-data key")
    bind_every_organisation(session, reason="every token is re-encrypted under the new key")
    s = settings or get_settings()
    if new_key:
        add_key(s)
    counts = reencrypt(session, cipher(s))
    fingerprints = list(key_state(s).fingerprints)
    audit(
        session,
        actor=actor.username,
        action=ROTATED,
        subject_type="client_data_key",
        subject_id=fingerprints[0],
        organisation_id=actor.organisation_id,
        detail={"keys": len(fingerprints), "reencrypted": counts},
    )
    session.flush()
    return _key_read(session, s, reencrypted=counts)


def retire_encryption_keys(
    session: Session, actor: Actor, *, settings: Settings | None = None
) -> KeyRotationRead:
    """Leave only the newest client-data key, once every stored token opens with it alone.

    Run it after :func:`rotate_encryption_key`'s transaction committed. One audit event
    (``clients.keys_retired``).

    Parameters
    ----------
    session : Session
        A transaction (only read; the key file is what changes).
    actor : Actor
        An admin.
    settings : Settings, optional
        Where the keys are (default: the process's settings).

    Returns
    -------
    KeyRotationRead
        The key left and how many older keys were removed.

    Raises
    ------
    PermissionDenied
        The actor is not an admin.
    UserInputError
        Some token still needs an older key, or the keys come from
        ``EXODERM_ENCRYPTION_KEY`` (the operator removes the old ones there).

    References
    ----------
    .. [1] Barker, E. (2020). NIST SP 800-57 Part 1 Rev. 5, §8.3.4 (key destruction once
       no protected data needs the key). doi:10.6028/NIST.SP.800-57pt1r5

    Examples
    --------
    With a key file (a new, empty database here):

    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> files = Settings(key_dir=folder / "keys", data_dir=folder, encryption_key=None)
    >>> db, admin = scratch_database(), Actor("admin", Role.admin)
    >>> with db.transaction() as s:
    ...     rotated = rotate_encryption_key(s, admin, settings=files)
    >>> with db.transaction() as s:
    ...     left = retire_encryption_keys(s, admin, settings=files)
    >>> len(rotated.fingerprints), len(left.fingerprints), left.retired
    (2, 1, 1)
    """
    actor.require(Role.admin, action="retire client-data keys")
    bind_every_organisation(session, reason="every token is checked against the newest key")
    s = settings or get_settings()
    removed = retire_old_keys(session, s)
    read = _key_read(session, s, retired=removed)
    audit(
        session,
        actor=actor.username,
        action="clients.keys_retired",
        subject_type="client_data_key",
        subject_id=read.fingerprints[0],
        organisation_id=actor.organisation_id,
        detail={"retired": removed},
    )
    return read
