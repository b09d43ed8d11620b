"""A label check as a document for a regulatory file: HTML (Jinja2, autoescaped) and PDF.

The document carries the title, the date of the check, the markets and product class,
every sentence with its verdict per market, the rule that decided it (rule id and legal
basis), the compliant rewording, the identity findings of the INCI list, and the
checker's version with its held-out corpus scores per market, so a reader of the file
knows what was checked, by which rules and how far the checker can be trusted.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from io import BytesIO
from typing import Literal

from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import BaseModel, ConfigDict, Field

from exoderm.design.claims.corpus import CONSTRUCTED, evaluate, load_corpus
from exoderm.design.claims.label import LabelReportRead
from exoderm.errors import UserInputError

ReportFormat = Literal["html", "pdf"]
REPORT_FORMATS: tuple[str, ...] = ("html", "pdf")


class CorpusScoreRead(BaseModel):
    """The checker's confusion counts on the held-out corpus split, one market."""

    model_config = ConfigDict(frozen=True)

    market: str
    n: int = Field(description="Held-out wordings scored in this market.")
    tp: int = Field(description="Non-compliant wordings rejected.")
    fn: int = Field(description="Non-compliant wordings accepted (missed).")
    fp: int = Field(description="Compliant wordings rejected.")
    tn: int = Field(description="Compliant wordings accepted.")
    precision: float
    recall: float


class LabelDossierRead(BaseModel):
    """A label check ready for a regulatory file."""

    model_config = ConfigDict(frozen=True)

    title: str
    checked_on: dt.date
    checker: str = Field(description="The checker and its version.")
    corpus: str = Field(description="The labelled corpus the scores come from.")
    markets: list[str]
    product_class: str
    report: LabelReportRead
    scores: list[CorpusScoreRead] = Field(
        description="Held-out precision and recall (positive = non-compliant) per market."
    )


@lru_cache(maxsize=1)
def held_out_scores() -> tuple[CorpusScoreRead, ...]:
    """The checker's held-out scores per market (sourced wordings only).

    Examples
    --------
    >>> scores = held_out_scores()
    >>> len(scores) == 9 and all(0.0 <= s.recall <= 1.0 for s in scores)
    True
    """
    return tuple(
        CorpusScoreRead(
            market=s.market,
            n=s.n,
            tp=s.tp,
            fn=s.fn,
            fp=s.fp,
            tn=s.tn,
            precision=round(s.precision, 4),
            recall=round(s.recall, 4),
        )
        for s in evaluate("heldout")
    )


def _corpus_summary() -> str:
    rows = load_corpus()
    sourced = [r for r in rows if r.source != CONSTRUCTED]
    held = sum(r.split == "heldout" for r in sourced)
    return (
        f"exoderm claims corpus: {len(rows)} labelled wordings ({len(sourced)} from regulator "
        f"material); held-out split of {held} sourced wordings, kept out of rule development"
    )


def label_dossier(
    report: LabelReportRead, *, title: str = "", on: dt.date | None = None
) -> LabelDossierRead:
    """A label report with its title, date, checker version and corpus scores.

    Examples
    --------
    >>> from exoderm.design.claims import check_label
    >>> d = label_dossier(check_label("Heals eczema.", ["US", "EU"]), on=dt.date(2026, 1, 2))
    >>> d.title, d.checked_on.isoformat(), [s.market for s in d.scores]
    ('Label claims check', '2026-01-02', ['US', 'EU'])
    """
    from exoderm import __version__

    clean = " ".join(title.split())
    if len(clean) > 200:
        raise UserInputError(
            f"title: {len(clean)} characters", field="title", expected="at most 200 characters"
        )
    by_market = {s.market: s for s in held_out_scores()}
    return LabelDossierRead(
        title=clean or "Label claims check",
        checked_on=on or dt.datetime.now(dt.UTC).date(),
        checker=f"exoderm {__version__} claims checker (rules: design/data/claims_rules.yaml)",
        corpus=_corpus_summary(),
        markets=list(report.markets),
        product_class=report.product_class,
        report=report,
        scores=[by_market[m] for m in report.markets if m in by_market],
    )


_ENV = Environment(
    loader=PackageLoader("exoderm.design.claims", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def dossier_html(dossier: LabelDossierRead) -> str:
    """The label check as a standalone HTML page (autoescaped).

    Examples
    --------
    >>> from exoderm.design.claims import check_label
    >>> page = dossier_html(label_dossier(check_label("Heals <eczema>.", ["EU"])))
    >>> "<eczema>" in page, "&lt;eczema&gt;" in page
    (False, True)
    """
    return _ENV.get_template("label_report.html.j2").render(d=dossier)


def dossier_pdf(dossier: LabelDossierRead) -> bytes:
    """The label check as a PDF (A4, landscape tables): the same content as the HTML.

    reportlab is imported here: it is slow to import.

    Examples
    --------
    >>> from exoderm.design.claims import check_label
    >>> dossier_pdf(label_dossier(check_label("Hydrates skin.", ["EU"])))[:5]
    b'%PDF-'
    """
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from exoderm.pdf_fonts import markup, sample_styles

    styles = sample_styles()
    body, h1, h2 = styles["BodyText"], styles["Title"], styles["Heading2"]
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)

    def para(text: str, style: object = small) -> Paragraph:
        return Paragraph(markup(text), style)

    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    d, r = dossier, dossier.report
    outcome = "accepted" if r.accepted else "rejected"
    story: list[object] = [
        Paragraph(markup(d.title), h1),
        para(
            f"Checked {d.checked_on.isoformat()} for {', '.join(d.markets)} "
            f"({d.product_class}). Overall: {outcome}; {r.rejected_sentences} of "
            f"{len(r.sentences)} sentence(s) rejected in at least one market.",
            body,
        ),
        para(d.checker, body),
        Paragraph("Sentences", h2),
    ]
    widths = [10 * mm, 55 * mm, 14 * mm, 24 * mm, 95 * mm, 65 * mm]
    cells: list[list[object]] = [
        [para(h) for h in ("#", "Sentence", "Market", "Verdict", "Rule and basis", "Rewording")]
    ]
    for s in r.sentences:
        for v in s.verdicts:
            cells.append(
                [
                    para(str(s.index)),
                    para(s.text),
                    para(v.market),
                    para("accepted" if v.accepted else "REJECTED"),
                    para(f"{v.rule_id or 'no rule matched'}: {v.reason} Basis: {v.rule}"),
                    para(v.rewording or "—"),
                ]
            )
    story.append(Table(cells, colWidths=widths, repeatRows=1, style=grid, hAlign="LEFT"))
    story.append(Paragraph("Identity findings (INCI list)", h2))
    if r.identity:
        rows: list[list[object]] = [
            [para(h) for h in ("Item", "Market", "Origin", "Status", "Rule", "Rewording")]
        ]
        rows += [
            [
                para(f.item),
                para(f.market),
                para(f.origin),
                para(("allowed" if f.accepted else "REJECTED") + f" ({f.status})"),
                para(f.rule),
                para(f.rewording or "—"),
            ]
            for f in r.identity
        ]
        story.append(
            Table(
                rows,
                colWidths=[45 * mm, 14 * mm, 15 * mm, 30 * mm, 103 * mm, 50 * mm],
                repeatRows=1,
                style=grid,
                hAlign="LEFT",
            )
        )
    else:
        story.append(para("No INCI list given, or no ingredient line on the label.", body))
    story += [Paragraph("Checker scores on the held-out corpus", h2), para(d.corpus, body)]
    score_rows: list[list[object]] = [
        [para(h) for h in ("Market", "n", "TP", "FN", "FP", "TN", "Precision", "Recall")]
    ]
    score_rows += [
        [
            para(x)
            for x in (
                s.market,
                str(s.n),
                str(s.tp),
                str(s.fn),
                str(s.fp),
                str(s.tn),
                f"{s.precision:.3f}",
                f"{s.recall:.3f}",
            )
        ]
        for s in d.scores
    ]
    story += [
        Table(score_rows, style=grid, hAlign="LEFT"),
        Spacer(1, 4 * mm),
        para(
            "Positive = non-compliant wording. A rule-based check supports, and does not "
            "replace, review by the responsible person.",
            body,
        ),
    ]
    buffer = BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        title=d.title,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
    ).build(story)
    return buffer.getvalue()


def render_dossier(dossier: LabelDossierRead, fmt: str) -> bytes:
    """The document in ``fmt`` (html or pdf) as bytes; another format is a clear error.

    Examples
    --------
    >>> from exoderm.design.claims import check_label
    >>> render_dossier(label_dossier(check_label("Hydrates.", ["EU"])), "html")[:15]
    b'<!doctype html>'
    """
    if fmt == "html":
        return dossier_html(dossier).encode("utf-8")
    if fmt == "pdf":
        return dossier_pdf(dossier)
    raise UserInputError(
        f"report format {fmt!r}", field="format", expected=" or ".join(REPORT_FORMATS)
    )
