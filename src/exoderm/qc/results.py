"""What the QC services return: typed "Read" models of batches, measurements, decisions.

The API returns these models as they are (``response_model``); the web pages and the CLI
render them. They are built here, in the capability, from the stored rows and from the
library's own result types (:class:`~exoderm.qc.decision.ReleaseDecision`), so no face
copies fields.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from exoderm.qc.batch import BatchRecord, SourceKind
from exoderm.qc.decision import Decision, ReleaseDecision, Verdict
from exoderm.qc.measurement import ParticleMeasurement
from exoderm.qc.misev_checklist import Status
from exoderm.qc.records import QcBatch, QcCertificate
from exoderm.storage.timestamps import UtcDatetime


class BatchSummary(BaseModel):
    """One batch in a list: its lot, product, source and who entered it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    lot: str
    product: str
    source_kind: SourceKind
    created_by: str
    created_at: UtcDatetime
    organisation_id: int | None

    @classmethod
    def of(cls, batch: QcBatch) -> BatchSummary:
        return cls.model_validate(batch)


class MeasurementRead(BaseModel):
    """A particle measurement as stored with a batch."""

    id: int
    lot: str
    recorded_by: str
    recorded_at: UtcDatetime
    measurement: ParticleMeasurement


class CertificateRead(BaseModel):
    """One signed version of a certificate of analysis (without its documents)."""

    model_config = ConfigDict(from_attributes=True)

    version: int
    decision: Decision
    spec_id: str
    spec_version: str
    signed_by: str
    signed_at: UtcDatetime
    reason: str | None
    content_sha256: str
    #: The signer's full name and username as printed (None on versions signed before
    #: electronic signatures recorded them).
    signer_name: str | None = None
    #: What the signature means, e.g. "Approved for release by Quality Assurance".
    meaning: str | None = None

    @classmethod
    def of(cls, cert: QcCertificate) -> CertificateRead:
        signature = cert.content.get("signature") or {}
        return cls.model_validate(
            {
                "version": cert.version,
                "decision": cert.decision,
                "spec_id": cert.spec_id,
                "spec_version": cert.spec_version,
                "signed_by": cert.signed_by,
                "signed_at": cert.signed_at,
                "reason": cert.reason,
                "content_sha256": cert.content_sha256,
                "signer_name": signature.get("manifestation"),
                "meaning": signature.get("meaning_text"),
            }
        )


class CertificateDocument(CertificateRead):
    """A signed certificate with its frozen content, HTML and PDF."""

    lot: str
    html: str
    pdf: bytes
    content: dict[str, JsonValue]

    @classmethod
    def of_row(cls, cert: QcCertificate, lot: str) -> CertificateDocument:
        return cls.model_validate(
            CertificateRead.of(cert).model_dump()
            | {"lot": lot, "html": cert.html, "pdf": cert.pdf, "content": cert.content}
        )


class CertificateKeyRead(BaseModel):
    """The public key that checks this installation's certificates of analysis."""

    algorithm: str
    key_id: str
    public_key_pem: str


class CertificateCheck(BaseModel):
    """Whether an exported certificate's digital signature holds under a public key."""

    valid: bool
    reason: str
    key_id: str | None = None
    lot: str | None = None
    version: int | None = None


class CertificateDraft(BaseModel):
    """An unsigned preview of a certificate: nothing of it is stored."""

    lot: str
    decision: Decision
    spec: str
    html: str
    pdf: bytes


class BatchRead(BatchSummary):
    """A batch with its record, its measurements and its signed certificates."""

    record: BatchRecord
    measurements: list[MeasurementRead]
    certificates: list[CertificateRead]


class CriterionRead(BaseModel):
    """One criterion of the specification: measured value, limit, verdict, source."""

    id: str
    title: str
    measured: str
    limit: str
    verdict: Verdict
    source: str
    #: The measurement(s) the criterion used (method, instrument, file).
    measurements: list[str] = Field(default_factory=list)


class ChecklistItemRead(BaseModel):
    """One item of the MISEV2018 characterisation checklist."""

    id: str
    requirement: str
    status: Status
    evidence: str
    mandatory: bool
    source: str


class EvMetricRead(BaseModel):
    """The EV-METRIC-style transparency score: fulfilled of applicable components."""

    score: int = Field(ge=0, le=100)
    fulfilled: int = Field(ge=0)
    applicable: int = Field(ge=0)


class DecisionRead(BaseModel):
    """The release decision of a batch against a specification (nothing is stored)."""

    lot: str
    product: str
    spec: str
    decision: Decision
    criteria: list[CriterionRead]
    checklist: list[ChecklistItemRead]
    ev_metric: EvMetricRead
    allowed_term: str
    naming_reason: str
    naming_findings: list[str]

    @classmethod
    def of(cls, d: ReleaseDecision) -> DecisionRead:
        return cls(
            lot=d.lot,
            product=d.product,
            spec=d.spec,
            decision=d.decision,
            criteria=[CriterionRead.model_validate(c.__dict__) for c in d.criteria],
            checklist=[ChecklistItemRead.model_validate(i.__dict__) for i in d.checklist.items],
            ev_metric=EvMetricRead(
                score=d.metric.score, fulfilled=d.metric.fulfilled, applicable=d.metric.applicable
            ),
            allowed_term=d.naming.allowed_term,
            naming_reason=d.naming.reason,
            naming_findings=list(d.naming.findings),
        )

    @property
    def checklist_passed(self) -> bool:
        """Every mandatory checklist item is met (or not applicable)."""
        return all(i.status != "not met" for i in self.checklist if i.mandatory)

    @property
    def checklist_reasons(self) -> list[str]:
        """Why the checklist fails: one line per unmet mandatory item."""
        return [
            f"{i.requirement}: {i.evidence}"
            for i in self.checklist
            if i.mandatory and i.status == "not met"
        ]


__all__ = [
    "BatchRead",
    "BatchSummary",
    "CertificateDocument",
    "CertificateDraft",
    "CertificateRead",
    "ChecklistItemRead",
    "CriterionRead",
    "DecisionRead",
    "EvMetricRead",
    "MeasurementRead",
]
