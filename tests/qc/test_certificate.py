"""Certificates: PDF rendering (plot + spec table), signing, immutability, versions."""

from __future__ import annotations

import numpy as np
import pypdfium2 as pdfium
import pytest
from sqlalchemy import func, select

from exoderm.accounts.actor import Actor
from exoderm.accounts.audit import events_for
from exoderm.errors import ConflictError, PermissionDenied, UserInputError
from exoderm.qc import create_batch, get_batch, parse_batch_record, record_measurement
from exoderm.qc import service as qc
from exoderm.qc.certificate import PLOT_COLOUR, certificate, content_sha256
from exoderm.qc.importers import import_file
from exoderm.qc.records import QcCertificate
from exoderm.qc.signing import Signer
from exoderm.storage import Database
from tests.qc.conftest import passing_record, signer_for
from tests.shared import SHARED_DATA


@pytest.fixture
def released(any_db: Database, analyst: Actor) -> Database:
    with any_db.transaction() as s:
        create_batch(s, parse_batch_record(passing_record()), analyst)
        record_measurement(
            s, "LOT-001", import_file(SHARED_DATA / "nanosight" / "beads2.csv")[0], analyst
        )
    return any_db


def _plot_blue(pixels: np.ndarray) -> int:
    """Number of pixels drawn in the plot's curve colour."""
    rgb = np.array([int(PLOT_COLOUR[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(pixels - rgb).max(axis=2) < 40).sum())


def test_pdf_shows_plot_and_spec_table(released: Database, analyst: Actor, signer: Signer) -> None:
    with released.transaction() as s:
        signed = qc.sign_certificate(s, signer, "LOT-001", meaning="approved")
        pdf_bytes = qc.get_certificate(s, analyst, "LOT-001", signed.version).pdf
    pdf = pdfium.PdfDocument(pdf_bytes)
    page = pdf[0]
    text = page.get_textpage()
    full = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    # the tests table: header, a test row with method, unit, limit, result, verdict
    for expected in (
        "Test",
        "Method (reference)",
        "Unit",
        "Specification",
        "Result",
        "Pass/fail",
        "Endotoxin",
        "0.1 EU/mL",
        "< 0.5 EU/mL",
        "MISEV2018 characterisation checklist",
        "RELEASE",
        "Anna Berg (qa.anna)",
        "Approved for release by Quality Assurance",
    ):
        assert expected in full, expected
    # the plot: find the figure caption, then coloured curve pixels just below it
    search = text.search("Figure 1. Number-weighted size distribution")
    hit = search.get_next()
    assert hit is not None
    _left, bottom, _right, _top = text.get_charbox(hit[0])
    scale = 2.0
    pixels = np.asarray(page.render(scale=scale).to_pil().convert("RGB")).astype(int)
    y_caption = int(pixels.shape[0] - bottom * scale)  # PDF y grows upwards
    plot_height = int(8 / 2.54 * 72 * scale)  # the figure is 7.5 cm high
    region = pixels[y_caption : y_caption + plot_height]
    above = pixels[: max(1, y_caption - 40)]
    assert _plot_blue(region) > 200
    assert (region.sum(axis=2) < 720).sum() > 2000  # axes, ticks, labels, curve
    # the header above the caption has no plot colour: the blue comes from the figure
    assert _plot_blue(above) == 0


def test_signed_certificate_is_immutable_and_audited(
    released: Database, analyst: Actor, signer: Signer
) -> None:
    with released.transaction() as s:
        qc.sign_certificate(s, signer, "LOT-001", meaning="approved")
        cert = certificate(s, get_batch(s, "LOT-001", analyst))
        assert cert.content_sha256 == content_sha256(cert.content)
    with pytest.raises(ConflictError), released.transaction() as s:
        stored = certificate(s, get_batch(s, "LOT-001", analyst))
        stored.decision = "reject"
    with pytest.raises(ConflictError), released.transaction() as s:
        s.delete(certificate(s, get_batch(s, "LOT-001", analyst)))
    with released.reader() as s:
        assert qc.get_certificate(s, analyst, "LOT-001").decision == "release"
        sign = [
            e for e in events_for(s, "qc_batch", "LOT-001") if e.action == "qc.certificate.sign"
        ]
        assert len(sign) == 1 and sign[0].actor == "qa.anna"
        assert sign[0].detail is not None and sign[0].detail["version"] == 1


def test_correction_is_a_new_version_with_a_reason(
    released: Database, analyst: Actor, signer: Signer
) -> None:
    with released.transaction() as s:
        qc.sign_certificate(s, signer, "LOT-001", meaning="approved")
    with pytest.raises(UserInputError, match="reason"), released.transaction() as s:
        qc.sign_certificate(s, signer, "LOT-001", meaning="approved")
    with released.transaction() as s:
        v2 = qc.sign_certificate(
            s, signer, "LOT-001", meaning="approved", reason="endotoxin re-test entered"
        )
        assert v2.version == 2
    with released.reader() as s:
        versions = qc.list_certificates(s, analyst, "LOT-001")
        assert [c.version for c in versions] == [1, 2]
        assert certificate(s, get_batch(s, "LOT-001"), 1).content["version"] == 1
        assert versions[1].reason


def test_only_qc_roles_sign_and_failure_writes_nothing(released: Database, viewer: Actor) -> None:
    with pytest.raises(PermissionDenied), released.transaction() as s:
        qc.sign_certificate(s, signer_for(viewer), "LOT-001", meaning="approved")
    with released.reader() as s:
        assert s.scalar(select(func.count()).select_from(QcCertificate)) == 0


def test_draft_html_has_plot_and_tables(released: Database, analyst: Actor) -> None:
    with released.reader() as s:
        draft = qc.draft_certificate(s, analyst, "LOT-001")
    html, pdf = draft.html, draft.pdf
    assert "data:image/png;base64," in html
    assert "&lt; 0.5 EU/mL" in html and "DRAFT" in html
    assert pdf.startswith(b"%PDF")
    assert draft.decision == "release"


def test_certificate_without_measurement_says_so(sqlite_db: Database, analyst: Actor) -> None:
    with sqlite_db.transaction() as s:
        create_batch(s, parse_batch_record(passing_record(lot="NOSIZE")), analyst)
    with sqlite_db.reader() as s:
        draft = qc.draft_certificate(s, analyst, "NOSIZE")
    html, pdf_bytes = draft.html, draft.pdf
    text = "".join(p.get_textpage().get_text_range() for p in pdfium.PdfDocument(pdf_bytes))
    assert "No single-particle size distribution recorded." in text
    assert "NEEDS REVIEW" in text and draft.decision == "needs review"
    assert "data:image/png" not in html


def test_the_four_eyes_rule_needs_another_persons_review_of_the_same_data(
    released: Database, analyst: Actor, signer: Signer
) -> None:
    """ASVS 5.0 V2.3.5 (multi-user approval): with ``second_person`` a release needs the
    latest version to be a review of the same data by someone else, named on it."""
    from exoderm.accounts.records import Role

    other = signer_for(Actor(username="qa.ben", role=Role.qc_analyst), "Ben Ode")
    with pytest.raises(PermissionDenied, match="needs a review first"), released.transaction() as s:
        qc.sign_certificate(s, signer, "LOT-001", meaning="approved", second_person=True)
    with released.transaction() as s:
        qc.sign_certificate(s, signer, "LOT-001", meaning="reviewed")
    with pytest.raises(PermissionDenied, match="cannot also approve"), released.transaction() as s:
        qc.sign_certificate(
            s, signer, "LOT-001", meaning="approved", reason="release", second_person=True
        )
    with released.transaction() as s:
        release = qc.sign_certificate(
            s, other, "LOT-001", meaning="approved", reason="release", second_person=True
        )
        stored = certificate(s, get_batch(s, "LOT-001", analyst), release.version)
        assert stored.content["review"]["manifestation"] == "Anna Berg (qa.anna)"
        assert stored.content["review"]["version"] == 1
        assert "Reviewed by" in stored.html and "Anna Berg (qa.anna)" in stored.html
        text = "".join(
            page.get_textpage().get_text_range() for page in pdfium.PdfDocument(stored.pdf)
        )
        assert "Reviewed by" in text and "four-eyes rule" in text


def test_data_changed_after_the_review_needs_a_new_review(
    released: Database, analyst: Actor, signer: Signer
) -> None:
    from exoderm.accounts.records import Role

    other = signer_for(Actor(username="qa.ben", role=Role.qc_analyst), "Ben Ode")
    with released.transaction() as s:
        qc.sign_certificate(s, signer, "LOT-001", meaning="reviewed")
        record_measurement(
            s, "LOT-001", import_file(SHARED_DATA / "nanosight" / "beads2.csv")[0], analyst
        )
    with (
        pytest.raises(PermissionDenied, match="changed after the review"),
        released.transaction() as s,
    ):
        qc.sign_certificate(
            s, other, "LOT-001", meaning="approved", reason="release", second_person=True
        )
