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
from datetime import date
from typing import Any

from cryptography.fernet import Fernet
from pydantic import BaseModel
from sqlalchemy.orm import Session

from exoderm.accounts.actor import Actor
from exoderm.accounts.records import Role
from exoderm.clients import access, assessments, outcomes, privacy, regimen, repository
from exoderm.clients.assessments import Assessment
from exoderm.clients.instruments import INSTRUMENTS
from exoderm.clients.outcomes import OutcomeReport
from exoderm.clients.personal import PersonalData
from exoderm.clients.privacy import ClientExport, Erasure
from exoderm.clients.profile import ClientProfile
from exoderm.clients.regimen import Regimen
from exoderm.clients.repository import ClientRead, ClientRow, Consent
from exoderm.clients.screening import ScreeningResult, screen
from exoderm.settings import reset_settings_cache
from exoderm.storage import Database
from exoderm.storage.paging import FIRST_PAGE, Page, PageQuery, page_of_list
from exoderm.storage.scratch import scratch_database


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
    fields: list[str]
    responders: list[str]


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
    return privacy.export_client(session, actor, pseudonym)


def erase_client(session: Session, actor: Actor, pseudonym: str) -> Erasure:
    """Delete a client's personal data and consents; keep anonymised outcomes (audited).

    Call :func:`exoderm.clients.purge_freed_pages` after the transaction commits.

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        Who erases; must be a role that may see personal data.
    pseudonym : str
        The client.

    Returns
    -------
    Erasure
        How many rows were deleted, and the age band kept instead of the date of birth.

    References
    ----------
    .. [1] Regulation (EU) 2016/679 (GDPR), Art. 17 (right to erasure) and Recital 26
       (anonymous information).

    Examples
    --------
    >>> with _example() as (db, admin, pseudonym):
    ...     with db.transaction() as s:
    ...         erase_client(s, admin, pseudonym).personal_rows_deleted
    1
    """
    return privacy.erase_client(session, actor, pseudonym)


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
