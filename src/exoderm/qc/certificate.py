"""Certificates of analysis: content, HTML and PDF, signing and versions.

A certificate is a frozen snapshot of the release decision: what was measured, the
limits, the MISEV checklist and the decision, signed by a user at a time. Once stored it
cannot change (:mod:`exoderm.qc.records` refuses updates); a correction is a new version
that gives its reason. Signing writes an audit event (``qc.certificate.sign``).
The PDF is laid out with reportlab; the size plot is drawn with matplotlib; the font is
matplotlib's bundled DejaVu Sans so that µ, ≤ and ± print without system fonts.
Functions here take a batch row already read through the organisation fence
(:func:`exoderm.qc.repository.get_batch` with the actor); :mod:`exoderm.qc.service` does.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from exoderm.accounts import audit
from exoderm.accounts.actor import Actor
from exoderm.accounts.records import Role
from exoderm.errors import NotFoundError, UserInputError
from exoderm.qc.check import batch_facts, spec_for_product
from exoderm.qc.decision import ReleaseDecision, evaluate
from exoderm.qc.facts import BatchFacts, measurement_label
from exoderm.qc.measurement import ParticleMeasurement
from exoderm.qc.records import QcBatch, QcCertificate
from exoderm.qc.results import CertificateDraft
from exoderm.qc.specs import Spec
from exoderm.storage.base import utcnow

SIGN_ROLES = (Role.admin, Role.qc_analyst)
TEMPLATES = Path(__file__).parent / "data" / "templates"
PLOT_COLOUR = "#1f4fd8"
PLOT_MAX_NM = 1000.0


def _one_measurement_text(m: ParticleMeasurement) -> str:
    parts = [measurement_label(m)]
    if m.stock_concentration_per_ml is not None:
        parts.append(f"{m.stock_concentration_per_ml:.3g} particles/mL (stock)")
    elif m.concentration_per_ml is not None and not m.dilution_recorded:
        parts.append("stock concentration unknown (dilution not recorded)")
    for label, value in (("mode", m.mode_nm), ("mean", m.mean_nm), ("D50", m.d50_nm)):
        if value is not None:
            parts.append(f"{label} {value:.4g} nm")
    if m.warnings:
        parts.append("instrument warnings: " + "; ".join(w.text for w in m.warnings))
    return ", ".join(parts)


def _measurement_text(facts: BatchFacts) -> str:
    m = facts.counter
    if m is None:
        return "no single-particle measurement"
    return _one_measurement_text(m)


def _storage_text(facts: BatchFacts) -> str:
    st = facts.record.storage
    parts = [
        f"{st.temperature_c:g} °C" if st.temperature_c is not None else None,
        f"in {st.buffer}" if st.buffer else None,
        f"{st.freeze_thaw_cycles} freeze–thaw cycles"
        if st.freeze_thaw_cycles is not None
        else None,
        f"cryoprotectant {st.cryoprotectant}" if st.cryoprotectant else None,
    ]
    return ", ".join(p for p in parts if p) or "not recorded"


def certificate_content(facts: BatchFacts, decision: ReleaseDecision) -> dict[str, Any]:
    """The JSON-able snapshot a certificate freezes (before signing fields are added)."""
    r = facts.record
    bins = [b for b in (facts.counter.bins if facts.counter else []) if b.centre_nm <= PLOT_MAX_NM]
    return {
        "batch": r.model_dump(mode="json"),
        "separation": ", ".join(r.separation + r.concentration_methods) or "not recorded",
        "storage": _storage_text(facts),
        "measurement_text": _measurement_text(facts),
        "measurements": [_one_measurement_text(m) for m in facts.measurements],
        "distribution": [[b.centre_nm, b.weight] for b in bins],
        "spec": decision.spec,
        "decision": decision.decision,
        "criteria": [c.__dict__ for c in decision.criteria],
        "checklist": [i.__dict__ for i in decision.checklist.items],
        "ev_metric": {
            "score": decision.metric.score,
            "fulfilled": decision.metric.fulfilled,
            "applicable": decision.metric.applicable,
        },
        "naming": {
            "allowed_term": decision.naming.allowed_term,
            "reason": decision.naming.reason,
            "findings": list(decision.naming.findings),
        },
    }


def content_sha256(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def size_plot_png(distribution: list[list[float]]) -> bytes | None:
    """The number-weighted size distribution as a PNG (None without data)."""
    if not distribution:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.0, 3.0), dpi=120)
    ax = fig.add_subplot()
    x = [p[0] for p in distribution]
    y = [p[1] for p in distribution]
    ax.fill_between(x, y, color=PLOT_COLOUR, alpha=0.35, linewidth=0)
    ax.plot(x, y, color=PLOT_COLOUR, linewidth=1.5)
    ax.set_xlabel("diameter (nm)")
    ax.set_ylabel("particles/mL per bin")
    ax.set_xlim(0, min(max(x) * 1.1, PLOT_MAX_NM))
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )


def render_html(content: dict[str, Any], sha256: str) -> str:
    """The certificate as a self-contained HTML page (the plot is embedded)."""
    png = size_plot_png(content["distribution"])
    plot = base64.b64encode(png).decode("ascii") if png else None
    return (
        _environment().get_template("coa.html.j2").render(c=content, plot_png=plot, sha256=sha256)
    )


def render_pdf(content: dict[str, Any], sha256: str) -> bytes:
    """The certificate as PDF: header, plot, specification table, checklist, signature."""
    from exoderm.qc.certificate_pdf import build_pdf

    return build_pdf(content, sha256, size_plot_png(content["distribution"]))


def _next_version(session: Session, batch_id: int) -> int:
    current = session.scalar(
        select(func.max(QcCertificate.version)).where(QcCertificate.batch_id == batch_id)
    )
    return (current or 0) + 1


def issue_certificate(
    session: Session,
    batch: QcBatch,
    actor: Actor,
    *,
    spec: str | Spec | None = None,
    reason: str | None = None,
) -> QcCertificate:
    """Sign a new certificate version for ``batch``; a version after the first needs a reason."""
    actor.require(*SIGN_ROLES, action="sign certificates of analysis")
    lot = batch.lot
    version = _next_version(session, batch.id)
    if version > 1 and not (reason and reason.strip()):
        raise UserInputError(
            f"lot {lot} already has a signed certificate (version {version - 1}); a "
            "correction needs a reason",
            field="reason",
            expected="--reason 'what changed'",
        )
    facts = batch_facts(session, batch)
    the_spec = spec_for_product(facts.record.product, spec)
    decision = evaluate(facts, the_spec)
    signed_at = utcnow()
    content = certificate_content(facts, decision) | {
        "version": version,
        "reason": reason,
        "signed_by": actor.username,
        "signed_at": signed_at.isoformat(timespec="seconds"),
    }
    sha = content_sha256(content)
    cert = QcCertificate(
        batch_id=batch.id,
        version=version,
        decision=decision.decision,
        spec_id=the_spec.id,
        spec_version=the_spec.version,
        signed_by=actor.username,
        signed_at=signed_at,
        reason=reason,
        content=content,
        content_sha256=sha,
        html=render_html(content, sha),
        pdf=render_pdf(content, sha),
    )
    session.add(cert)
    session.flush()
    audit.record(
        session,
        actor=actor.username,
        action="qc.certificate.sign",
        subject_type="qc_batch",
        subject_id=lot,
        organisation_id=actor.organisation_id,
        detail={
            "version": version,
            "decision": decision.decision,
            "sha256": sha,
            "spec": the_spec.ref,
        },
        note=reason,
    )
    return cert


def certificates_of(session: Session, batch: QcBatch) -> list[QcCertificate]:
    """Every certificate version of ``batch``, oldest first."""
    return list(
        session.scalars(
            select(QcCertificate)
            .where(QcCertificate.batch_id == batch.id)
            .order_by(QcCertificate.version)
        )
    )


def certificate(session: Session, batch: QcBatch, version: int | None = None) -> QcCertificate:
    """One certificate version of ``batch`` (the latest by default)."""
    certs = certificates_of(session, batch)
    chosen = [c for c in certs if version is None or c.version == version]
    if not chosen:
        raise NotFoundError(
            f"lot {batch.lot} has no certificate" + (f" version {version}" if version else "")
        )
    return chosen[-1]


def draft_certificate(
    session: Session, batch: QcBatch, *, spec: str | Spec | None = None
) -> CertificateDraft:
    """An unsigned preview (decision, HTML, PDF); nothing is stored."""
    facts = batch_facts(session, batch)
    decision = evaluate(facts, spec_for_product(facts.record.product, spec))
    content = certificate_content(facts, decision) | {
        "version": 0,
        "reason": None,
        "signed_by": "DRAFT — not signed",
        "signed_at": "—",
    }
    sha = content_sha256(content)
    return CertificateDraft(
        lot=batch.lot,
        decision=decision.decision,
        spec=decision.spec,
        html=render_html(content, sha),
        pdf=render_pdf(content, sha),
    )
