"""Laying out the certificate PDF with reportlab (platypus)."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as esc

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "DejaVuSans"
VERDICT_COLOURS = {
    "pass": colors.HexColor("#16632d"),
    "met": colors.HexColor("#16632d"),
    "fail": colors.HexColor("#aa0000"),
    "not met": colors.HexColor("#aa0000"),
    "review": colors.HexColor("#a65d00"),
}


@lru_cache(maxsize=1)
def _register_font() -> str:
    import matplotlib

    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(ttf / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT + "-Bold", str(ttf / "DejaVuSans-Bold.ttf")))
    return FONT


def _styles() -> dict[str, ParagraphStyle]:
    font = _register_font()
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("t", parent=base["Title"], fontName=font + "-Bold"),
        "h2": ParagraphStyle("h", parent=base["Heading2"], fontName=font + "-Bold"),
        "body": ParagraphStyle("b", parent=base["BodyText"], fontName=font, fontSize=9),
        "cell": ParagraphStyle(
            "c", parent=base["BodyText"], fontName=font, fontSize=7, leading=8.5
        ),
    }


def _table(
    rows: list[list[str]], widths: list[float], styles: dict[str, ParagraphStyle], verdict_col: int
) -> Table:
    cell = styles["cell"]
    data = [[Paragraph(esc(str(v)), cell) for v in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    commands: list[Any] = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    for i, row in enumerate(rows[1:], start=1):
        colour = VERDICT_COLOURS.get(row[verdict_col])
        if colour is not None:
            commands.append(("TEXTCOLOR", (verdict_col, i), (verdict_col, i), colour))
    table.setStyle(TableStyle(commands))
    return table


def build_pdf(content: dict[str, Any], sha256: str, plot_png: bytes | None) -> bytes:
    s = _styles()
    batch = content["batch"]
    story: list[Any] = [
        Paragraph("Certificate of analysis", s["title"]),
        Paragraph(
            f"<b>{batch['product']}</b>, lot <b>{batch['lot']}</b> — version "
            f"{content['version']}"
            + (f" (correction: {content['reason']})" if content.get("reason") else ""),
            s["body"],
        ),
        Paragraph(
            f"Name on label: <b>{content['naming']['allowed_term']}</b> "
            f"({content['naming']['reason']})",
            s["body"],
        ),
        Paragraph(
            f"Separation: {content['separation']}. Storage: {content['storage']}.", s["body"]
        ),
        Paragraph(f"Particle measurement: {esc(content['measurement_text'])}", s["body"]),
    ]
    for text in content.get("measurements", []):
        story.append(Paragraph(f"Measurement: {esc(text)}", s["body"]))
    story.append(Paragraph("Figure 1. Size distribution", s["h2"]))
    if plot_png:
        story.append(Image(io.BytesIO(plot_png), width=15 * cm, height=7.5 * cm))
    else:
        story.append(Paragraph("No single-particle size distribution recorded.", s["body"]))
    story.append(Paragraph(f"Specification {content['spec']}", s["h2"]))
    rows = [["Criterion", "Measured", "Limit", "Verdict", "Source of limit"]] + [
        [
            c["title"],
            c["measured"]
            + (" — from " + "; ".join(c["measurements"]) if c.get("measurements") else ""),
            c["limit"],
            c["verdict"],
            c["source"],
        ]
        for c in content["criteria"]
    ]
    story.append(_table(rows, [3.2 * cm, 4.2 * cm, 3.4 * cm, 1.5 * cm, 5.2 * cm], s, 3))
    story.append(Paragraph("MISEV2018 characterisation checklist", s["h2"]))
    rows = [["Requirement", "Status", "Evidence"]] + [
        [
            i["requirement"] + ("" if i["mandatory"] else " (recommended)"),
            i["status"],
            i["evidence"],
        ]
        for i in content["checklist"]
    ]
    story.append(_table(rows, [6.5 * cm, 2 * cm, 9 * cm], s, 1))
    metric = content["ev_metric"]
    story += [
        Spacer(1, 0.3 * cm),
        Paragraph(
            f"EV-METRIC-style transparency score: {metric['score']} % "
            f"({metric['fulfilled']} of {metric['applicable']} components)",
            s["body"],
        ),
        Paragraph(f"Decision: {content['decision'].upper()}", s["h2"]),
        Paragraph(
            f"Signed by {esc(str(content['signed_by']))} at {content['signed_at']}", s["body"]
        ),
        Paragraph(f"Content SHA-256: {sha256}", s["cell"]),
    ]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
        title=f"CoA {batch['lot']} v{content['version']}",
        author=str(content["signed_by"]),
        invariant=True,
    )
    doc.build(story)
    return out.getvalue()
