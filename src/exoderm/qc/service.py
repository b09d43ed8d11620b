"""The QC service: every verb the CLI, the API and the web pages call.

Each function takes the caller's session (the face opens it: ``db.transaction()`` for a
write, ``db.reader()`` for a read), the acting :class:`~exoderm.accounts.actor.Actor` and
typed input, and returns a typed Read model (:mod:`exoderm.qc.results`).

Every function that names a lot reads it through the one QC organisation fence,
:func:`exoderm.qc.repository.visible_to`: another organisation's lot is
:class:`~exoderm.errors.NotFoundError`, exactly like a lot that does not exist, and the
fence comes before the role check so that nothing tells the two apart. Lot numbers are
unique across organisations, so creating a lot that exists elsewhere is a conflict.

Specifications are chosen by name only (:func:`exoderm.qc.specs.load_spec`); a sheet from
a file reaches a service only as a :class:`~exoderm.qc.specs.Spec` the operator loaded
(``spec_sheet``), never as request text.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import cast

from sqlalchemy.orm import Session

from exoderm.accounts.actor import Actor
from exoderm.accounts.records import Role
from exoderm.accounts.tenancy import bind_organisation
from exoderm.errors import UserInputError
from exoderm.qc import certificate as certificates
from exoderm.qc import coa_signing, repository
from exoderm.qc.batch import BatchRecord
from exoderm.qc.check import batch_facts
from exoderm.qc.check import check_batch as evaluate_batch
from exoderm.qc.importers import FORMATS, Format, import_file
from exoderm.qc.measurement import ParticleMeasurement
from exoderm.qc.records import QcBatch
from exoderm.qc.repository import QC_READ_ROLES, QC_WRITE_ROLES
from exoderm.qc.results import (
    BatchRead,
    BatchSummary,
    CertificateCheck,
    CertificateDocument,
    CertificateDraft,
    CertificateKeyRead,
    CertificateRead,
    DecisionRead,
    MeasurementRead,
)
from exoderm.qc.signing import Meaning, Signer
from exoderm.qc.specs import Spec, packaged_specs
from exoderm.qc.trends import ControlChart, lot_charts
from exoderm.storage.paging import FIRST_PAGE, Page, PageQuery, page_of_select


def _fenced(
    session: Session, actor: Actor, lot: str, roles: tuple[Role, ...], action: str
) -> QcBatch:
    """The batch ``lot`` if ``actor`` may see it (else not found), then the role check."""
    batch = repository.get_batch(session, lot, actor)
    actor.require(*roles, action=action)
    return batch


def _read(session: Session, batch: QcBatch) -> BatchRead:
    return BatchRead.model_validate(
        BatchSummary.of(batch).model_dump()
        | {
            "record": repository.batch_record(batch),
            "measurements": repository.measurements_of(session, batch),
            "certificates": [
                CertificateRead.of(c) for c in certificates.certificates_of(session, batch)
            ],
        }
    )


def _spec(spec: str | None, spec_sheet: Spec | None) -> str | Spec | None:
    return spec_sheet if spec_sheet is not None else spec


def list_batches(
    session: Session,
    actor: Actor,
    *,
    product: str | None = None,
    page: PageQuery = FIRST_PAGE,
    newest_first: bool = True,
) -> Page[BatchSummary]:
    """The batches ``actor`` may see, one page at a time.

    Parameters
    ----------
    session : Session
        The caller's database session.
    actor : Actor
        Who asks; admins see every organisation, everyone else their own.
    product : str, optional
        Only the batches of this product.
    page : PageQuery
        Which page (default: the first :data:`~exoderm.storage.paging.MAX_LIMIT`).
    newest_first : bool
        Order by creation time, newest first (default) or oldest first.

    Returns
    -------
    Page[BatchSummary]
        The page and the number of visible batches.

    References
    ----------
    .. [1] OWASP Foundation. Application Security Verification Standard 5.0.0 (2025),
       V8.2.2 data-specific (object-level) authorization.

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> from exoderm.qc.examples import example_record
    >>> from exoderm.storage.scratch import scratch_database
    >>> db, me = scratch_database(), local_operator()
    >>> with db.transaction() as s:
    ...     _ = create_batch(s, me, record=example_record("L-1"))
    ...     [b.lot for b in list_batches(s, me, product="Serum A").items]
    ['L-1']
    """
    bind_organisation(session, actor)
    actor.require(*QC_READ_ROLES, action="read QC batches")
    stmt = repository.batches_query(actor, product, newest_first=newest_first)
    rows, total = page_of_select(session, stmt, page)
    return Page[BatchSummary](
        items=[BatchSummary.of(b) for b in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


def get_batch(session: Session, actor: Actor, lot: str) -> BatchRead:
    """One batch with its record, measurements and signed certificates.

    Parameters
    ----------
    session : Session
        The caller's database session.
    actor : Actor
        Who asks.
    lot : str
        The lot number.

    Returns
    -------
    BatchRead
        The batch; :class:`~exoderm.errors.NotFoundError` if it does not exist or belongs
        to another organisation.

    References
    ----------
    .. [1] OWASP Foundation. Application Security Verification Standard 5.0.0 (2025),
       V8.2.2 data-specific (object-level) authorization.

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> from exoderm.qc.examples import example_record
    >>> from exoderm.storage.scratch import scratch_database
    >>> db, me = scratch_database(), local_operator()
    >>> with db.transaction() as s:
    ...     _ = create_batch(s, me, record=example_record("L-1"))
    ...     got = get_batch(s, me, "L-1")
    >>> got.record.source.cell_type, got.measurements, got.certificates
    ('UC-MSC', [], [])
    """
    bind_organisation(session, actor)
    batch = _fenced(session, actor, lot, QC_READ_ROLES, "read QC batches")
    return _read(session, batch)


def create_batch(session: Session, actor: Actor, *, record: BatchRecord) -> BatchRead:
    """Store a new batch of the actor's organisation; audited as ``qc.batch.create``.

    Parameters
    ----------
    session : Session
        The caller's session, in a transaction.
    actor : Actor
        An admin, scientist or QC analyst.
    record : BatchRecord
        The validated batch record; its lot number must be new within the actor's
        organisation (a taken lot is :class:`~exoderm.errors.ConflictError`; another
        organisation's lots are neither seen nor counted).

    Returns
    -------
    BatchRead
        The stored batch.

    References
    ----------
    .. [1] Théry, C., Witwer, K. W. et al. (2018). Minimal information for studies of
       extracellular vesicles 2018 (MISEV2018). J Extracell Vesicles 7:1535750.
       doi:10.1080/20013078.2018.1535750
    .. [2] ISO/IEC 27001:2022, Annex A 8.15 Logging.

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> from exoderm.qc.examples import example_record
    >>> from exoderm.storage.scratch import scratch_database
    >>> db = scratch_database()
    >>> with db.transaction() as s:
    ...     create_batch(s, local_operator(), record=example_record("L-1")).product
    'Serum A'
    """
    bind_organisation(session, actor)
    batch = repository.create_batch(session, record, actor)
    return _read(session, batch)


def record_measurement(
    session: Session, actor: Actor, lot: str, *, measurement: ParticleMeasurement
) -> MeasurementRead:
    """Attach one particle measurement (e.g. from the NTA engine) to batch ``lot``.

    Parameters
    ----------
    session : Session
        The caller's session, in a transaction.
    actor : Actor
        An admin, scientist or QC analyst who may see the batch.
    lot : str
        The lot number.
    measurement : ParticleMeasurement
        The measurement.

    Returns
    -------
    MeasurementRead
        The stored measurement; audited as ``qc.measurement.record``.

    References
    ----------
    .. [1] Théry, C. et al. (2018). MISEV2018, section 4 "Characterisation" (single-particle
       counters). J Extracell Vesicles 7:1535750. doi:10.1080/20013078.2018.1535750

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> from exoderm.qc.examples import example_record
    >>> from exoderm.storage.scratch import scratch_database
    >>> db, me = scratch_database(), local_operator()
    >>> m = ParticleMeasurement(method="NTA", instrument="NS300", concentration_per_ml=2e9)
    >>> with db.transaction() as s:
    ...     _ = create_batch(s, me, record=example_record("L-1"))
    ...     record_measurement(s, me, "L-1", measurement=m).measurement.concentration_per_ml
    2000000000.0
    """
    bind_organisation(session, actor)
    return repository.record_measurement(session, lot, measurement, actor)


def import_measurements(
    session: Session,
    actor: Actor,
    lot: str,
    path: Path,
    *,
    format: str | None = None,
    source_name: str | None = None,
) -> list[MeasurementRead]:
    """Import an instrument export into batch ``lot``: every measurement of it, or none.

    Parameters
    ----------
    session : Session
        The caller's session, in a transaction.
    actor : Actor
        An admin, scientist or QC analyst who may see the batch.
    lot : str
        The lot number.
    path : Path
        The export file (or ViewSizer sample folder) on this machine.
    format : str, optional
        One of :data:`~exoderm.qc.importers.FORMATS`; recognised from the content if not
        given.
    source_name : str, optional
        The file name to store (e.g. an upload's own name instead of a temporary path).

    Returns
    -------
    list of MeasurementRead
        The stored measurements, in file order.

    References
    ----------
    .. [1] Malvern Panalytical. NanoSight NTA 3.x ExperimentSummary CSV export; Particle
       Metrix ZetaView 8.05 .txt export; Malvern Zetasizer Nano software 8.02 .txt export;
       Horiba ViewSizer 3000 result folder.

    Examples
    --------
    >>> import tempfile
    >>> from exoderm.accounts.actor import local_operator
    >>> from exoderm.qc.examples import example_record
    >>> from exoderm.storage.scratch import scratch_database
    >>> db, me = scratch_database(), local_operator()
    >>> csv = "\\n".join(["# exoderm particle csv", "# method: NTA", "# instrument: demo",
    ...                   "centre_nm,concentration_per_ml", "95,4e8", "105,6e8", ""])
    >>> with tempfile.TemporaryDirectory() as tmp, db.transaction() as s:
    ...     export = Path(tmp) / "run.csv"
    ...     _ = export.write_text(csv)
    ...     _ = create_batch(s, me, record=example_record("L-1"))
    ...     got = import_measurements(s, me, "L-1", export, source_name="run.csv")
    >>> [(m.measurement.source_file, m.measurement.concentration_per_ml) for m in got]
    [('run.csv', 1000000000.0)]
    """
    bind_organisation(session, actor)
    _fenced(session, actor, lot, QC_WRITE_ROLES, "record QC measurements")
    if format is not None and format not in FORMATS:
        raise UserInputError(
            "unknown export format", field="format", expected="one of " + ", ".join(FORMATS)
        )
    found = import_file(path, cast(Format | None, format))
    if source_name is not None:
        found = [m.model_copy(update={"source_file": source_name}) for m in found]
    return [repository.record_measurement(session, lot, m, actor) for m in found]


def check_batch(
    session: Session,
    actor: Actor,
    lot: str,
    *,
    spec: str | None = None,
    spec_sheet: Spec | None = None,
) -> DecisionRead:
    """Test batch ``lot`` against its specification and the MISEV2018 checklist.

    Parameters
    ----------
    session : Session
        The caller's database session (nothing is written).
    actor : Actor
        Who asks.
    lot : str
        The lot number.
    spec : str, optional
        A packaged spec sheet by name (``id`` or ``id@version``); an unknown name is a
        :class:`~exoderm.errors.UserInputError` listing the known ones. Default: the
        product's sheet, else the packaged default.
    spec_sheet : Spec, optional
        A sheet the operator loaded from their own file (wins over ``spec``).

    Returns
    -------
    DecisionRead
        Every criterion with measured value, limit and verdict; the checklist; the
        EV-METRIC-style score; the name the batch may carry; the decision.

    References
    ----------
    .. [1] Théry, C. et al. (2018). MISEV2018. J Extracell Vesicles 7:1535750.
       doi:10.1080/20013078.2018.1535750
    .. [2] ICH Q6B (1999). Specifications: test procedures and acceptance criteria for
       biotechnological/biological products.
    .. [3] Van Deun, J. et al. (2017). EV-TRACK. Nat Methods 14:228-232.
       doi:10.1038/nmeth.4185

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> from exoderm.qc.examples import example_record
    >>> from exoderm.storage.scratch import scratch_database
    >>> db, me = scratch_database(), local_operator()
    >>> with db.transaction() as s:
    ...     _ = create_batch(s, me, record=example_record("L-1"))
    ...     d = check_batch(s, me, "L-1")
    >>> d.spec, d.decision
    ('exoderm-default-ev@1.0', 'needs review')
    """
    bind_organisation(session, actor)
    batch = _fenced(session, actor, lot, QC_READ_ROLES, "check QC batches")
    return DecisionRead.of(evaluate_batch(session, batch, _spec(spec, spec_sheet)))


def sign_certificate(
    session: Session,
    signer: Signer,
    lot: str,
    *,
    meaning: Meaning | str,
    spec: str | None = None,
    spec_sheet: Spec | None = None,
    reason: str | None = None,
    second_person: bool = False,
) -> CertificateRead:
    """Sign a new version of the certificate of analysis of ``lot`` electronically.

    Parameters
    ----------
    session : Session
        The caller's session, in a transaction.
    signer : Signer
        An admin or QC analyst who may see the batch and has just re-entered their
        password (:func:`exoderm.qc.signing.authenticate_signer` or
        :func:`exoderm.qc.signing.reauthenticate`); never the operating-system user.
    lot : str
        The lot number.
    meaning : Meaning or str
        What the signature means: ``approved`` (for release; only a lot whose decision is
        ``release``), ``reviewed`` or ``rejected``.
    spec, spec_sheet : optional
        The specification, as in :func:`check_batch`.
    reason : str, optional
        Why a new version corrects the previous one (required from version 2).
    second_person : bool, optional
        The four-eyes rule (setting ``release_needs_review``): ``approved`` needs the
        latest version to be another person's review of the same data, who is then named
        on the release.

    Returns
    -------
    CertificateRead
        The signed version with the signer's name and the meaning; its content is frozen
        and audited as ``qc.certificate.sign``.

    References
    ----------
    .. [1] US FDA, 21 CFR Part 11 (1997-03-20), §11.10(e) audit trails, §11.50 signature
       manifestations (name, date and time, meaning) and §11.200(a) two identification
       components.
    .. [2] EudraLex Vol. 4, Annex 11 Computerised Systems (2011), §14 Electronic
       signature.
    .. [3] ICH Q7 (2000). Good manufacturing practice for active pharmaceutical
       ingredients, §11.4 Certificates of analysis.

    Examples
    --------
    >>> from exoderm.accounts.actor import Actor, local_operator
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.accounts.service import create_user
    >>> from exoderm.qc.examples import example_record
    >>> from exoderm.qc.signing import authenticate_signer
    >>> from exoderm.storage.scratch import scratch_database
    >>> db, me = scratch_database(), local_operator()
    >>> with db.transaction() as s:
    ...     _ = create_user(s, Actor("root", Role.admin), username="qa.anna",
    ...                     role="admin", password="long-enough-1",
    ...                     display_name="Anna Berg")
    ...     _ = create_batch(s, me, record=example_record("L-1"))
    >>> signer = authenticate_signer(db, username="qa.anna", password="long-enough-1")
    >>> with db.transaction() as s:
    ...     cert = sign_certificate(s, signer, "L-1", meaning="reviewed")
    >>> cert.version, cert.signer_name, cert.meaning
    (1, 'Anna Berg (qa.anna)', 'Reviewed by Quality Assurance (not a release)')
    """
    bind_organisation(session, signer.actor)
    batch = _fenced(
        session, signer.actor, lot, certificates.SIGN_ROLES, "sign certificates of analysis"
    )
    signed = certificates.issue_certificate(
        session,
        batch,
        signer,
        meaning=_meaning(meaning),
        spec=_spec(spec, spec_sheet),
        reason=reason,
        second_person=second_person,
    )
    return CertificateRead.of(signed)


def check_may_sign(session: Session, actor: Actor, lot: str) -> None:
    """Raise unless ``actor`` may see ``lot`` and has a signing role (before a password).

    A face calls this before asking for the signer's password, so that another
    organisation's lot is not found (404) and a role without signing rights is refused
    (403) whatever password comes with the request.

    Parameters
    ----------
    session : Session
        The caller's database session (nothing is written).
    actor : Actor
        The logged-in user.
    lot : str
        The lot number.

    Returns
    -------
    None

    References
    ----------
    .. [1] US FDA, 21 CFR 11.10(g) (1997-03-20): authority checks, only authorised
       individuals can electronically sign a record.

    Examples
    --------
    >>> from exoderm.accounts.actor import Actor, local_operator
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.qc.examples import example_record
    >>> from exoderm.storage.scratch import scratch_database
    >>> db = scratch_database()
    >>> with db.transaction() as s:
    ...     _ = create_batch(s, local_operator(), record=example_record("L-1"))
    ...     check_may_sign(s, Actor("vic", Role.viewer), "L-1")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    exoderm.errors.PermissionDenied: vic (viewer) may not sign certificates of analysis...
    """
    bind_organisation(session, actor)
    _fenced(session, actor, lot, certificates.SIGN_ROLES, "sign certificates of analysis")


def _meaning(meaning: Meaning | str) -> Meaning:
    try:
        return Meaning(meaning)
    except ValueError:
        raise UserInputError(
            f"unknown meaning of signature {meaning!r}",
            field="meaning",
            expected="one of " + ", ".join(m.value for m in Meaning),
        ) from None


def list_certificates(session: Session, actor: Actor, lot: str) -> list[CertificateRead]:
    """Every signed certificate version of ``lot``, oldest first.

    Parameters
    ----------
    session : Session
        The caller's database session.
    actor : Actor
        Who asks.
    lot : str
        The lot number.

    Returns
    -------
    list of CertificateRead
        The versions (without their documents).

    References
    ----------
    .. [1] ICH Q7 (2000), §11.4 Certificates of analysis (a corrected certificate is a new
       one that refers to the original).

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> from exoderm.qc.examples import example_record
    >>> from exoderm.storage.scratch import scratch_database
    >>> db, me = scratch_database(), local_operator()
    >>> with db.transaction() as s:
    ...     _ = create_batch(s, me, record=example_record("L-1"))
    ...     list_certificates(s, me, "L-1")
    []
    """
    bind_organisation(session, actor)
    batch = _fenced(session, actor, lot, QC_READ_ROLES, "read certificates of analysis")
    return [CertificateRead.of(c) for c in certificates.certificates_of(session, batch)]


def get_certificate(
    session: Session, actor: Actor, lot: str, version: int | None = None
) -> CertificateDocument:
    """One signed certificate of ``lot`` with its HTML and PDF (the latest by default).

    Parameters
    ----------
    session : Session
        The caller's database session.
    actor : Actor
        Who asks.
    lot : str
        The lot number.
    version : int, optional
        The version; :class:`~exoderm.errors.NotFoundError` if there is none.

    Returns
    -------
    CertificateDocument
        The version and its frozen documents.

    References
    ----------
    .. [1] US FDA, 21 CFR Part 11, §11.10(b) accurate and complete copies of records.

    Examples
    --------
    >>> from exoderm.accounts.actor import Actor, local_operator
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.accounts.service import create_user
    >>> from exoderm.qc.examples import example_record
    >>> from exoderm.qc.signing import authenticate_signer
    >>> from exoderm.storage.scratch import scratch_database
    >>> db, me = scratch_database(), local_operator()
    >>> with db.transaction() as s:
    ...     _ = create_user(s, Actor("root", Role.admin), username="qa.anna",
    ...                     role="admin", password="long-enough-1")
    ...     _ = create_batch(s, me, record=example_record("L-1"))
    >>> signer = authenticate_signer(db, username="qa.anna", password="long-enough-1")
    >>> with db.transaction() as s:
    ...     _ = sign_certificate(s, signer, "L-1", meaning="reviewed")
    ...     doc = get_certificate(s, me, "L-1", 1)
    >>> doc.pdf[:4], "L-1" in doc.html
    (b'%PDF', True)
    """
    bind_organisation(session, actor)
    batch = _fenced(session, actor, lot, QC_READ_ROLES, "read certificates of analysis")
    return CertificateDocument.of_row(certificates.certificate(session, batch, version), lot)


def draft_certificate(
    session: Session,
    actor: Actor,
    lot: str,
    *,
    spec: str | None = None,
    spec_sheet: Spec | None = None,
) -> CertificateDraft:
    """An unsigned preview of the certificate of ``lot``; nothing is stored.

    Parameters
    ----------
    session : Session
        The caller's database session.
    actor : Actor
        Who asks.
    lot : str
        The lot number.
    spec, spec_sheet : optional
        The specification, as in :func:`check_batch`.

    Returns
    -------
    CertificateDraft
        The decision and the draft HTML and PDF.

    References
    ----------
    .. [1] ICH Q7 (2000), §11.4 Certificates of analysis.

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> from exoderm.qc.examples import example_record
    >>> from exoderm.storage.scratch import scratch_database
    >>> db, me = scratch_database(), local_operator()
    >>> with db.transaction() as s:
    ...     _ = create_batch(s, me, record=example_record("L-1"))
    ...     draft = draft_certificate(s, me, "L-1")
    >>> draft.decision, "DRAFT" in draft.html
    ('needs review', True)
    """
    bind_organisation(session, actor)
    batch = _fenced(session, actor, lot, QC_READ_ROLES, "preview certificates of analysis")
    return certificates.draft_certificate(session, batch, spec=_spec(spec, spec_sheet))


def lot_trends(
    session: Session, actor: Actor, product: str, *, baseline: int | None = None
) -> list[ControlChart]:
    """Control charts of size mode, concentration and purity across the lots of ``product``.

    Only the lots ``actor`` may see are charted (and set the limits).

    Parameters
    ----------
    session : Session
        The caller's database session.
    actor : Actor
        Who asks.
    product : str
        The product whose lots to chart, in order of manufacture.
    baseline : int, optional
        How many first lots set mean and SD (default: all).

    Returns
    -------
    list of ControlChart
        One individuals chart per metric, with out-of-control rules flagged.

    References
    ----------
    .. [1] Western Electric Company (1956). Statistical Quality Control Handbook.
    .. [2] Nelson, L. S. (1984). The Shewhart control chart - tests for special causes.
       J Qual Technol 16:237-239. doi:10.1080/00224065.1984.11978921
    .. [3] Webber, J. & Clayton, A. (2013). How pure are your vesicles? J Extracell
       Vesicles 2:19861. PMID 24009896

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> from exoderm.qc.examples import example_record
    >>> from exoderm.storage.scratch import scratch_database
    >>> db, me = scratch_database(), local_operator()
    >>> with db.transaction() as s:
    ...     _ = create_batch(s, me, record=example_record("L-1"))
    ...     [(c.metric, len(c.points)) for c in lot_trends(s, me, "Serum A")]
    [('mode_nm', 0), ('concentration_per_ml', 0), ('particles_per_ug_protein', 0)]
    """
    bind_organisation(session, actor)
    actor.require(*QC_READ_ROLES, action="read QC trends")
    batches = session.scalars(repository.batches_query(actor, product))
    return lot_charts([batch_facts(session, b) for b in batches], baseline)


def list_specs(session: Session, actor: Actor) -> list[str]:
    """The names (``id@version``) of the specification sheets a check may name.

    Parameters
    ----------
    session : Session
        The caller's database session (specifications are packaged, not stored).
    actor : Actor
        Who asks.

    Returns
    -------
    list of str
        The packaged sheets, sorted.

    References
    ----------
    .. [1] ICH Q6B (1999). Specifications: test procedures and acceptance criteria for
       biotechnological/biological products.

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     list_specs(s, local_operator())
    ['exoderm-default-ev@1.0']
    """
    bind_organisation(session, actor)
    actor.require(*QC_READ_ROLES, action="read specification sheets")
    return packaged_specs()


def certificate_key(actor: Actor) -> CertificateKeyRead:
    """The public key that checks this installation's certificates of analysis.

    Parameters
    ----------
    actor : Actor
        Who asks; any role that reads QC data.

    Returns
    -------
    CertificateKeyRead
        Algorithm (Ed25519), key id and the public key in PEM, to give to recipients.

    References
    ----------
    .. [1] Josefsson, S. & Liusvaara, I. (2017). Edwards-Curve Digital Signature
       Algorithm (EdDSA). RFC 8032. doi:10.17487/RFC8032

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> key = certificate_key(local_operator())
    >>> key.algorithm, key.public_key_pem.startswith("-----BEGIN PUBLIC KEY-----")
    ('Ed25519', True)
    """
    actor.require(*QC_READ_ROLES, action="read the certificate-signing key")
    pem = coa_signing.public_key_pem()
    return CertificateKeyRead(
        algorithm=coa_signing.ALGORITHM,
        key_id=coa_signing.key_id(coa_signing.signing_key().public_key()),
        public_key_pem=pem,
    )


def verify_certificate(
    actor: Actor, *, content: Mapping[str, object], public_key_pem: str
) -> CertificateCheck:
    """Check an exported certificate's digital signature against an issuer's public key.

    Parameters
    ----------
    actor : Actor
        Who checks (any user; the check reads nothing stored).
    content : Mapping
        The certificate's content as exported (``exoderm qc coa --json``).
    public_key_pem : str
        The issuer's public key (``exoderm qc coa-key``).

    Returns
    -------
    CertificateCheck
        Valid or not, why, and the lot and version the content names.

    References
    ----------
    .. [1] Josefsson, S. & Liusvaara, I. (2017). RFC 8032, §5.1.7.
       doi:10.17487/RFC8032

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> me = local_operator()
    >>> signed = {"version": 1} | {"digital_signature": coa_signing.sign_content({"version": 1})}
    >>> pem = certificate_key(me).public_key_pem
    >>> verify_certificate(me, content=signed, public_key_pem=pem).valid
    True
    """
    valid, reason = coa_signing.verify_content(dict(content), public_key_pem)
    entry = content.get(coa_signing.FIELD)
    batch = content.get("batch")
    version = content.get("version")
    return CertificateCheck(
        valid=valid,
        reason=reason,
        key_id=str(entry.get("key_id")) if isinstance(entry, dict) else None,
        lot=str(batch.get("lot")) if isinstance(batch, dict) and batch.get("lot") else None,
        version=version if isinstance(version, int) else None,
    )


__all__ = [
    "certificate_key",
    "check_batch",
    "check_may_sign",
    "create_batch",
    "draft_certificate",
    "get_batch",
    "get_certificate",
    "import_measurements",
    "list_batches",
    "list_certificates",
    "list_specs",
    "lot_trends",
    "record_measurement",
    "sign_certificate",
    "verify_certificate",
]
