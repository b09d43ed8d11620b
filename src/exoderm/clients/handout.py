"""The regimen as a client handout: HTML (Jinja2, autoescaped) and PDF (reportlab).

The handout may carry the client's name (given by the caller, decrypted only for this
rendering); nothing rendered is stored.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from jinja2 import Environment, PackageLoader, select_autoescape

from exoderm.clients.instruments import INSTRUMENTS
from exoderm.clients.regimen import Regimen

_ENV = Environment(
    loader=PackageLoader("exoderm.clients", "data/templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def instrument_names(codes: list[str]) -> str:
    return ", ".join(INSTRUMENTS[c].info.name for c in codes)


def expected_lines(regimen: Regimen) -> list[tuple[str, list[str]]]:
    """The regimen's model predictions as (title, lines): headline endpoints, the
    prediction label and every assumption (``Regimen.expected_outcome``)."""
    out: list[tuple[str, list[str]]] = []
    for p in regimen.expected_outcome:
        if not p.available:
            out.append((f"{p.part}: no prediction", [p.reason]))
            continue
        values = p.endpoints
        shown = []
        for k in p.headline:
            value = values.get(k)
            shown.append(f"{k}: {'not reached' if value is None else format(value, '.3g')}")
        title = f"{p.part}: {p.model} model ({', '.join(p.targets)})"
        out.append((title, [*shown, p.label, *(f"assumption: {a}" for a in p.assumptions)]))
    return out


def regimen_html(regimen: Regimen, *, client_name: str | None = None) -> str:
    """The handout as a standalone HTML page."""
    template = _ENV.get_template("regimen.html.j2")
    return template.render(
        r=regimen,
        name=client_name,
        instrument_names=instrument_names,
        expected_lines=expected_lines,
    )


def regimen_pdf(regimen: Regimen, *, client_name: str | None = None) -> bytes:
    """The handout as a PDF (A4). reportlab is imported here: it is slow to import."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import ListFlowable, Paragraph, SimpleDocTemplate, Spacer, Table

    styles = getSampleStyleSheet()
    body, h1, h2 = styles["BodyText"], styles["Title"], styles["Heading2"]

    def p(text: str) -> Paragraph:
        return Paragraph(escape(text), body)

    def bullets(items: list[str]) -> Any:
        return ListFlowable([p(i) for i in items], bulletType="bullet")

    story: list[object] = [
        Paragraph(escape(f"Your skin plan{' for ' + client_name if client_name else ''}"), h1),
        p(f"Plan {regimen.pseudonym}, starting {regimen.start.isoformat()}"),
        Paragraph("Concerns", h2),
        bullets([f"{c.name} (severity {c.severity} of 3)" for c in regimen.concerns]),
        Paragraph("Home care", h2),
        p("Morning:"),
        bullets(regimen.home_care["am"]),
        p("Evening:"),
        bullets(regimen.home_care["pm"]),
        Paragraph("Sun protection", h2),
        p(regimen.sun_protection),
    ]
    if regimen.sessions:
        rows = [["#", "date", "procedure"]] + [
            [str(s.number), s.date.isoformat(), s.procedure_name] for s in regimen.sessions
        ]
        story += [Paragraph("Clinic sessions", h2), Table(rows, hAlign="LEFT")]
    visit_rows = [["date", "visit", "measurements"]] + [
        [v.date.isoformat(), v.kind, instrument_names(v.instruments)] for v in regimen.visits
    ]
    story += [Paragraph("Follow-up visits", h2), Table(visit_rows, hAlign="LEFT")]
    if regimen.expected_outcome:
        story.append(Paragraph("Expected outcome (model prediction)", h2))
        for title, lines in expected_lines(regimen):
            story += [p(title), bullets(lines)]
    story += [
        Paragraph("Why this plan", h2),
        bullets([f"{c.topic}: {c.decision} — {c.reason}" for c in regimen.choices]),
    ]
    if regimen.warnings:
        story += [
            Paragraph("Points your practitioner will check", h2),
            bullets([f"{w.option}: {w.reason} [{w.rule}]" for w in regimen.warnings]),
        ]
    story += [Spacer(1, 6 * mm), p(regimen.disclaimer)]
    buffer = BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=f"Skin plan {regimen.pseudonym}").build(story)
    return buffer.getvalue()
