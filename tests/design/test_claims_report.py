"""The label check as an HTML and PDF document for a regulatory file, and its CLI."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from exoderm import __version__
from exoderm.cli.main import main
from exoderm.cli.output import NOT_COMPLIANT_EXIT
from exoderm.design.claims import LabelDossierRead, check_label, label_dossier, render_dossier
from exoderm.design.claims.corpus import evaluate
from exoderm.errors import UserInputError
from tests.design.test_claims_label import LABEL


def _pdf_text(data: bytes) -> str:
    doc = pdfium.PdfDocument(data)
    text = "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    return re.sub(r"\s+", " ", text)  # table cells wrap lines; compare on single spaces


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def dossier() -> LabelDossierRead:
    report = check_label(LABEL, ["US", "EU"])
    return label_dossier(report, title="Renewal Serum dossier", on=dt.date(2026, 12, 6))


def test_pdf_carries_every_verdict_rule_rewording_and_finding(dossier: LabelDossierRead) -> None:
    data = render_dossier(dossier, "pdf")
    assert data.startswith(b"%PDF-")
    text = _pdf_text(data)
    for head in ("Renewal Serum dossier", "2026-12-06", "US, EU", __version__):
        assert head in text, head
    rejected = [v for s in dossier.report.sentences for v in s.verdicts if not v.accepted]
    accepted = [v for s in dossier.report.sentences for v in s.verdicts if v.accepted]
    assert rejected and accepted
    assert text.count("REJECTED") >= len(rejected)  # one per rejected verdict (+ identity)
    assert text.count("accepted") >= len(accepted)
    for v in rejected:
        assert v.rule_id and v.rule_id in text, v.rule_id
        # the legal basis (citation) and the rewording, at least their opening words
        assert _squash(v.rule)[:40] in text, v.rule
        assert v.rewording and _squash(v.rewording)[:30] in text, v.rewording
    for s in dossier.report.sentences:
        assert _squash(s.text)[:30] in text, s.text
    human = [f for f in dossier.report.identity if f.origin == "human"]
    assert human and all(_squash(f.rule)[:40] in text for f in human)
    assert "Human Adipose Stem Cell Conditioned Media" in text
    for score in evaluate("heldout"):
        if score.market in ("US", "EU"):
            assert f"{score.recall:.3f}" in text and f"{score.precision:.3f}" in text


def test_html_has_the_same_content_escaped(dossier: LabelDossierRead) -> None:
    page = render_dossier(dossier, "html").decode("utf-8")
    assert page.startswith("<!doctype html>") and "Renewal Serum dossier" in page
    rejected = [v for s in dossier.report.sentences for v in s.verdicts if not v.accepted]
    assert page.count('class="rejected">rejected') >= len(rejected)
    for v in rejected:
        assert v.rule_id and f"<strong>{v.rule_id}</strong>" in page
    assert "Checker scores on the held-out corpus" in page
    hostile = label_dossier(check_label("<script>alert(1)</script> heals eczema.", ["EU"]))
    out = render_dossier(hostile, "html").decode("utf-8")
    assert "<script>" not in out and "&lt;script&gt;" in out


def test_unknown_format_and_long_title_are_clear_errors(dossier: LabelDossierRead) -> None:
    with pytest.raises(UserInputError, match="report format"):
        render_dossier(dossier, "docx")
    with pytest.raises(UserInputError, match="title"):
        label_dossier(dossier.report, title="x" * 201)


def test_an_accepted_label_reads_accepted(tmp_path: Path) -> None:
    d = label_dossier(check_label("Hydrates skin. Helps skin look smoother.", ["JP"]))
    text = _pdf_text(render_dossier(d, "pdf"))
    assert "Overall: accepted" in text and "REJECTED" not in text
    assert d.checked_on == dt.datetime.now(dt.UTC).date()


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_writes_pdf_and_html_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    label = tmp_path / "label.txt"
    label.write_text(LABEL, encoding="utf-8")
    base = ["design", "claims", "check", "--file", str(label), "--market", "US", "--market", "EU"]
    pdf = tmp_path / "report.pdf"
    code, _, err = _run([*base, "--report", str(pdf), "--title", "Serum file"], capsys)
    assert code == NOT_COMPLIANT_EXIT and "Traceback" not in err and f"wrote {pdf}" in err
    text = _pdf_text(pdf.read_bytes())
    assert "Serum file" in text and "REJECTED" in text
    expected = check_label(LABEL, ["US", "EU"])
    for s in expected.sentences:
        for v in s.verdicts:
            if not v.accepted:
                assert v.rule_id and v.rule_id in text
    html = tmp_path / "report.html"
    code, _, err = _run([*base, "--report", str(html)], capsys)
    assert code == NOT_COMPLIANT_EXIT and html.read_text(encoding="utf-8").startswith(
        "<!doctype html>"
    )
    code, _, err = _run([*base, "--report", str(tmp_path / "report.docx")], capsys)
    assert code == 2 and ".pdf or .html" in err and "Traceback" not in err
    assert not (tmp_path / "report.docx").exists()
    # a single claim with --report is checked as a one-sentence label
    one = tmp_path / "one.pdf"
    code, _, err = _run(
        ["design", "claims", "check", "Hydrates skin.", "--report", str(one)], capsys
    )
    assert code == 0 and "Overall: accepted" in _pdf_text(one.read_bytes())
