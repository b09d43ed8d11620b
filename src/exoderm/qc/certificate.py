"""Certificates of analysis: content, HTML and PDF, signing and versions.

A certificate is a frozen snapshot of the release decision: the manufacturer and site,
the product, lot, manufacture and expiry or retest dates, every test with its method,
reference, unit, limit (of a named, versioned specification), result and verdict, the
MISEV checklist and the decision, signed electronically by a re-authenticated exoderm
user (:class:`~exoderm.qc.signing.Signer`) with the meaning of the signature and the UTC
time (21 CFR 11.50; EU GMP Annex 11 §14). Once stored it cannot change
(:mod:`exoderm.qc.records` refuses updates); a correction is a new version that gives its
reason. Signing writes an audit event (``qc.certificate.sign``).
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
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from exoderm.accounts import audit
from exoderm.accounts.records import Role
from exoderm.errors import NotFoundError, PermissionDenied, UserInputError
from exoderm.qc import coa_signing
from exoderm.qc.check import batch_facts, spec_for_product
from exoderm.qc.coa_table import clean_text, coa_lines
from exoderm.qc.decision import ReleaseDecision, evaluate
from exoderm.qc.facts import BatchFacts, measurement_label
from exoderm.qc.measurement import ParticleMeasurement
from exoderm.qc.records import QcBatch, QcCertificate
from exoderm.qc.results import CertificateDraft
from exoderm.qc.signing import Meaning, ReauthenticationFailed, Signer
from exoderm.qc.specs import Spec
from exoderm.storage.base import utcnow

SIGN_ROLES = (Role.admin, Role.qc_analyst)
TEMPLATES = Path(__file__).parent / "data" / "templates"
PLOT_COLOUR = "#1f4fd8"
#: The size axis spans the D1–D99 of the number distribution, widened by this share.
PLOT_MARGIN = 0.15
DRAFT_SIGNATURE = "DRAFT — not signed"


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


def _cleaned(value: Any) -> Any:
    """Every string of a content tree without internal review markers."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    if isinstance(value, dict):
        return {k: _cleaned(v) for k, v in value.items()}
    return value


def certificate_content(facts: BatchFacts, decision: ReleaseDecision, spec: Spec) -> dict[str, Any]:
    """The JSON-able snapshot a certificate freezes (before signing fields are added)."""
    r = facts.record
    bins = facts.counter.bins if facts.counter else []
    return _cleaned(
        {
            "batch": r.model_dump(mode="json"),
            "separation": ", ".join(r.separation + r.concentration_methods) or "not recorded",
            "storage": _storage_text(facts),
            "measurement_text": _measurement_text(facts),
            "measurements": [_one_measurement_text(m) for m in facts.measurements],
            "distribution": [[b.centre_nm, b.weight] for b in bins],
            "spec": decision.spec,
            "spec_title": spec.title,
            "spec_version": spec.version,
            "spec_sources": list(spec.sources),
            "tests": [line.model_dump() for line in coa_lines(facts, spec, decision)],
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
    )


def content_sha256(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def plot_range(distribution: list[list[float]]) -> tuple[float, float]:
    """The size axis of the plot: D1 to D99 of the number distribution, with a margin.

    Parameters
    ----------
    distribution : list of [centre_nm, weight]
        The number-weighted bins, in order of size.

    Returns
    -------
    tuple of float
        The lower and upper limit of the axis in nm (never below 0).

    References
    ----------
    .. [1] ISO 9276-2:2014. Representation of results of particle size analysis, part 2:
       calculation of average particle sizes and moments (percentiles Dx of a
       cumulative distribution).

    Examples
    --------
    >>> plot_range([[float(c), 1.0 if 80 <= c <= 120 else 0.0] for c in range(0, 1001, 5)])
    (74.0, 126.0)
    """
    total = sum(w for _, w in distribution)
    if total <= 0:
        return 0.0, max(c for c, _ in distribution) or 1.0
    running, d1, d99 = 0.0, distribution[0][0], distribution[-1][0]
    found_d1 = False
    for centre, weight in distribution:
        running += weight
        if not found_d1 and running >= 0.01 * total:
            d1, found_d1 = centre, True
        if running >= 0.99 * total:
            d99 = centre
            break
    margin = max(PLOT_MARGIN * (d99 - d1), 5.0)
    return max(0.0, round(d1 - margin, 1)), round(d99 + margin, 1)


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
    ax.set_xlim(*plot_range(distribution))
    ax.set_ylim(bottom=0)
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


def signed_at_text(moment: datetime) -> str:
    """A signing time as printed: ``YYYY-MM-DD HH:MM:SS UTC``.

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> signed_at_text(datetime(2026, 12, 6, 9, 30, 5, 123, tzinfo=UTC))
    '2026-12-06 09:30:05 UTC'
    """
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _check_signer(signer: Signer, now: datetime) -> None:
    """Only a fresh re-authentication of an exoderm account with a signing role signs."""
    if signer.actor.user_id is None:
        raise ReauthenticationFailed(
            f"{signer.actor.username} is not an exoderm account: certificates are signed by "
            "an exoderm user who re-enters their password"
        )
    if not signer.is_fresh(now):
        raise ReauthenticationFailed(
            "the re-authentication has expired: enter the password again to sign"
        )
    signer.actor.require(*SIGN_ROLES, action="sign certificates of analysis")


def _check_meaning(meaning: Meaning, decision: ReleaseDecision) -> None:
    if meaning is Meaning.approved and decision.decision != "release":
        raise UserInputError(
            f"lot {decision.lot} is '{decision.decision}' against {decision.spec}: it cannot "
            "be approved for release",
            field="meaning",
            expected="--meaning reviewed or --meaning rejected",
        )


def _signature(signer: Signer, meaning: Meaning, signed_at: datetime) -> dict[str, Any]:
    return {
        "username": signer.actor.username,
        "full_name": signer.full_name,
        "role": signer.actor.role.value,
        "manifestation": signer.manifestation,
        "meaning": meaning.value,
        "meaning_text": meaning.text,
        "signed_at_utc": signed_at_text(signed_at),
        "components": list(signer.components),
    }


def _review_for_release(
    session: Session, batch: QcBatch, signer: Signer, facts_content: dict[str, Any]
) -> dict[str, Any]:
    """The review a release rests on under the four-eyes rule, or a refusal.

    The batch's latest certificate must mean ``reviewed``, be signed by another person,
    and freeze the same facts (measurements, decision, specification) as the release.
    """
    versions = certificates_of(session, batch)
    latest = versions[-1] if versions else None
    if latest is None or latest.content.get("signature", {}).get("meaning") != "reviewed":
        raise PermissionDenied(
            f"lot {batch.lot}: a release needs a review first: another QC analyst or admin "
            "signs it with the meaning 'reviewed' (four-eyes rule)"
        )
    if latest.signed_by == signer.actor.username:
        raise PermissionDenied(
            f"lot {batch.lot}: {signer.actor.username} reviewed version {latest.version} and "
            "cannot also approve it; another person must (four-eyes rule)"
        )
    reviewed = {key: latest.content.get(key) for key in facts_content}
    if content_sha256(reviewed) != content_sha256(facts_content):
        raise PermissionDenied(
            f"lot {batch.lot}: the data changed after the review of version "
            f"{latest.version}; it must be reviewed again before release"
        )
    return {
        "version": latest.version,
        "manifestation": latest.content["signature"]["manifestation"],
        "signed_at_utc": latest.content["signature"]["signed_at_utc"],
    }


def issue_certificate(
    session: Session,
    batch: QcBatch,
    signer: Signer,
    *,
    meaning: Meaning,
    spec: str | Spec | None = None,
    reason: str | None = None,
    second_person: bool = False,
) -> QcCertificate:
    """Sign a new certificate version for ``batch``; a version after the first needs a reason.

    ``signer`` must come from a re-authentication (:mod:`exoderm.qc.signing`) made less
    than :data:`~exoderm.qc.signing.SIGNING_WINDOW` ago by an admin or QC analyst;
    ``approved`` is only possible for a lot whose decision is ``release``. With
    ``second_person`` (the four-eyes rule), ``approved`` also needs the latest version to
    be a review of the same data by another person, who is named on the release.
    """
    now = utcnow()
    _check_signer(signer, now)
    actor = signer.actor
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
    _check_meaning(meaning, decision)
    facts_content = certificate_content(facts, decision, the_spec)
    review = (
        _review_for_release(session, batch, signer, facts_content)
        if second_person and meaning is Meaning.approved
        else None
    )
    signature = _signature(signer, meaning, now)
    content = facts_content | {
        "version": version,
        "reason": reason,
        "signed_by": signer.manifestation,
        "signed_at": signature["signed_at_utc"],
        "signature": signature,
        **({"review": review} if review else {}),
    }
    content[coa_signing.FIELD] = coa_signing.sign_content(content)
    sha = content_sha256(content)
    cert = QcCertificate(
        batch_id=batch.id,
        version=version,
        decision=decision.decision,
        spec_id=the_spec.id,
        spec_version=the_spec.version,
        signed_by=actor.username,
        signed_at=now,
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
            "meaning": meaning.value,
            "signer": signer.manifestation,
            "authenticated_by": " + ".join(signer.components),
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
    the_spec = spec_for_product(facts.record.product, spec)
    decision = evaluate(facts, the_spec)
    content = certificate_content(facts, decision, the_spec) | {
        "version": 0,
        "reason": None,
        "signed_by": DRAFT_SIGNATURE,
        "signed_at": "—",
        "signature": None,
    }
    sha = content_sha256(content)
    return CertificateDraft(
        lot=batch.lot,
        decision=decision.decision,
        spec=decision.spec,
        html=render_html(content, sha),
        pdf=render_pdf(content, sha),
    )
