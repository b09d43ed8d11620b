"""Laying out the certificate PDF with reportlab (platypus)."""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from exoderm.pdf_fonts import markup, pdf_fonts

VERDICT_COLOURS = {
    "pass": colors.HexColor("#16632d"),
    "reported": colors.HexColor("#333333"),
    "met": colors.HexColor("#16632d"),
    "fail": colors.HexColor("#aa0000"),
    "not met": colors.HexColor("#aa0000"),
    "review": colors.HexColor("#a65d00"),
}


def _register_font() -> str:
    return pdf_fonts().regular


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
    data = [[Paragraph(markup(str(v)), cell) for v in row] for row in rows]
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


def _not_recorded(value: object) -> str:
    return str(value) if value not in (None, "") else "not recorded"


def _key_values(
    rows: list[tuple[str, str]], styles: dict[str, ParagraphStyle], widths: list[float]
) -> Table:
    cell = styles["cell"]
    data = [[Paragraph(f"<b>{markup(k)}</b>", cell), Paragraph(markup(v), cell)] for k, v in rows]
    table = Table(data, colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _header(content: dict[str, Any], s: dict[str, ParagraphStyle]) -> list[Any]:
    """Manufacturer and site block, then product, lot, dates and specification."""
    batch = content["batch"]
    maker = batch.get("manufacturer") or {}
    shelf = (
        ("Expiry date", batch["expires_on"])
        if batch.get("expires_on")
        else ("Retest date", _not_recorded(batch.get("retest_on")))
    )
    version = str(content["version"]) + (
        f" (correction: {content['reason']})" if content.get("reason") else ""
    )
    widths = [4 * cm, 14 * cm]
    return [
        Paragraph("Manufacturer", s["h2"]),
        _key_values(
            [
                ("Manufacturer", _not_recorded(maker.get("name"))),
                ("Manufacturing site", _not_recorded(maker.get("site"))),
                ("Address", _not_recorded(maker.get("address"))),
            ],
            s,
            widths,
        ),
        Paragraph("Product and lot", s["h2"]),
        _key_values(
            [
                ("Product", batch["product"]),
                ("Lot", batch["lot"]),
                ("Name on label", content["naming"]["allowed_term"]),
                ("Manufactured on", _not_recorded(batch.get("manufactured_on"))),
                (shelf[0], str(shelf[1])),
                (
                    "Specification",
                    f"{content['spec_title']} ({content['spec']}), "
                    f"version {content['spec_version']}",
                ),
                ("Certificate version", version),
            ],
            s,
            widths,
        ),
        Spacer(1, 0.2 * cm),
        Paragraph(
            f"Separation: {markup(content['separation'])}. Storage: {markup(content['storage'])}.",
            s["body"],
        ),
        Paragraph(f"Particle measurement: {markup(content['measurement_text'])}", s["body"]),
    ]


def _review_line(content: dict[str, Any]) -> list[tuple[str, str]]:
    review = content.get("review")
    if not review:
        return []
    return [
        (
            "Reviewed by",
            f"{review['manifestation']}, {review['signed_at_utc']} (version "
            f"{review['version']}; four-eyes rule)",
        )
    ]


def _signature(content: dict[str, Any], s: dict[str, ParagraphStyle]) -> list[Any]:
    sig = content.get("signature")
    if not sig:
        return [
            Paragraph("Electronic signature", s["h2"]),
            Paragraph(f"{markup(str(content['signed_by']))}: preview only.", s["body"]),
        ]
    return [
        Paragraph("Electronic signature", s["h2"]),
        _key_values(
            [
                ("Signed by", f"{sig['manifestation']}, {sig['role']}"),
                ("Meaning", sig["meaning_text"]),
                ("Date and time", sig["signed_at_utc"]),
                (
                    "Authenticated by",
                    " + ".join(sig["components"]) + ", re-entered at signing",
                ),
                *_review_line(content),
            ],
            s,
            [4 * cm, 14 * cm],
        ),
    ]


def _digital_signature(content: dict[str, Any], s: dict[str, ParagraphStyle]) -> list[Any]:
    entry = content.get("digital_signature")
    if not entry:
        return []
    return [
        Paragraph(
            f"Digitally signed ({markup(entry['algorithm'])}, key {markup(entry['key_id'])}): "
            f"{markup(entry['value'][:44])}<br/>{markup(entry['value'][44:])}<br/>"
            "Check it with the issuer's public key.",
            s["cell"],
        )
    ]


def build_pdf(content: dict[str, Any], sha256: str, plot_png: bytes | None) -> bytes:
    """Lay the certificate out on A4 pages and return the PDF."""
    s = _styles()
    batch = content["batch"]
    story: list[Any] = [Paragraph("Certificate of analysis", s["title"]), *_header(content, s)]
    for text in content.get("measurements", []) if len(content.get("measurements", [])) > 1 else []:
        story.append(Paragraph(f"Measurement: {markup(text)}", s["body"]))
    story.append(Paragraph("Figure 1. Number-weighted size distribution", s["h2"]))
    if plot_png:
        story.append(Image(io.BytesIO(plot_png), width=15 * cm, height=7.5 * cm))
    else:
        story.append(Paragraph("No single-particle size distribution recorded.", s["body"]))
    story.append(Paragraph(f"Tests and results (specification {content['spec']})", s["h2"]))
    rows = [["Test", "Method (reference)", "Unit", "Specification", "Result", "Pass/fail"]] + [
        [
            t["test"],
            f"{t['method']} ({t['reference']})",
            t["unit"],
            t["specification"],
            t["result"],
            t["verdict"],
        ]
        for t in content["tests"]
    ]
    story.append(_table(rows, [3.0 * cm, 4.3 * cm, 1.8 * cm, 3.1 * cm, 4.1 * cm, 1.7 * cm], s, 5))
    story.append(Paragraph("MISEV2018 characterisation checklist", s["h2"]))
    rows = [["Requirement", "Status", "Evidence"]] + [
        [
            i["requirement"] + ("" if i["mandatory"] else " (recommended)"),
            i["status"],
            i["evidence"],
        ]
        for i in content["checklist"]
    ]
    story.append(_table(rows, [6.5 * cm, 2 * cm, 9.5 * cm], s, 1))
    metric = content["ev_metric"]
    story += [
        Spacer(1, 0.3 * cm),
        Paragraph(
            f"EV-METRIC-style transparency score: {metric['score']} % "
            f"({metric['fulfilled']} of {metric['applicable']} components)",
            s["body"],
        ),
        Paragraph(f"Decision: {content['decision'].upper()}", s["h2"]),
        *_signature(content, s),
        Paragraph("Basis of the specification", s["h2"]),
        *[Paragraph(markup(src), s["cell"]) for src in content["spec_sources"]],
        Spacer(1, 0.3 * cm),
        Paragraph(f"Content SHA-256: {sha256}", s["cell"]),
        *_digital_signature(content, s),
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
