"""The regimen as a client handout: HTML (Jinja2, autoescaped) and PDF (reportlab).

The handout may carry the client's name (given by the caller, decrypted only for this
rendering); nothing rendered is stored.
"""

from __future__ import annotations

import re
from datetime import datetime
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


# ----------------------------------------------------------------- plain-language handout
#: What clients commonly notice after each kind of procedure (energy class of
#: data/procedures.yaml), in plain words.
AFTER_SESSION = {
    "mechanical": "Redness, warmth and mild swelling for one to three days, like a "
    "sunburn; small dry flakes for a few days after that.",
    "non_ablative": "Redness and a warm, tight feeling for one to three days; the skin may "
    "look slightly bronzed and flake for a week.",
    "ablative": "Redness, oozing and crusts for about a week; pinkness can last weeks.",
    "chemical": "Tightness, redness and peeling for three to seven days.",
}
CALL_THE_CLINIC = [
    "redness, pain or swelling that gets worse after the second day, or spreads",
    "yellow crusts, pus, blisters or a fever",
    "a rash, hives or itching after you start a new product (stop using it)",
    "dark patches appearing where you were treated",
    "anything that worries you",
]
_SNAKE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")
_INTERNAL = re.compile(r"\s*\[[A-Z][^\]]*\]")  # evidence-grade tags such as [V] or [U]


def plain(text: str) -> str:
    """``text`` without internal tags ([V], [U DOI]), with identifiers spelled as words."""
    text = _INTERNAL.sub("", text)
    return _SNAKE.sub(lambda m: m.group(0).replace("_", " "), text).strip()


def _concern_text(name: str, severity: int) -> str:
    level = {1: "mild", 2: "moderate", 3: "severe"}.get(severity, "")
    return f"{name} ({level})" if level else name


def _expected_sentences(parts: list[Any]) -> list[str]:
    """One sentence per part of the plan (home care, clinic) over its modelled targets."""
    targets: dict[str, list[str]] = {}
    for part in parts:
        if part.available:
            named = targets.setdefault(part.part, [])
            named += [plain(t).replace("-", " ") for t in part.targets]
    return [_expected_sentence(name, list(dict.fromkeys(ts))) for name, ts in targets.items()]


def _expected_sentence(part: str, targets: list[str]) -> str:
    what = "your daily routine" if part == "home care" else "the clinic sessions"
    return (
        f"Model estimate: a computer model of skin suggests that {what} may help with "
        f"{', '.join(targets) or 'your skin'}. This is an estimate from a model, not a "
        "measurement of your skin; real results vary a lot from person to person, and we "
        "will measure yours at each visit."
    )


def handout_sections(regimen: Regimen) -> list[tuple[str, list[str], list[list[str]]]]:
    """The client handout as (heading, paragraphs or bullets, calendar rows) in plain words.

    Parameters
    ----------
    regimen
        A regimen from :func:`exoderm.clients.build_regimen`.

    Returns
    -------
    list[tuple[str, list[str], list[list[str]]]]
        Sections in reading order; the calendar section carries rows (date, what).
        No internal identifiers, rule ids, evidence tags or file references.

    References
    ----------
    Baur C, Prue C (2014). The CDC Clear Communication Index is a research-based tool to
    help organizations develop and assess public communication materials. Health Promot
    Pract 15(5):629-637. doi:10.1177/1524839914538969

    Examples
    --------
    >>> from datetime import date
    >>> from exoderm.clients import build_regimen, parse_profile
    >>> plan = build_regimen("C-DOCTEST1", parse_profile({"fitzpatrick": {"phototype": 5},
    ...     "concerns": [{"name": "acne scars", "severity": 2}]}), start=date(2026, 12, 1))
    >>> [h for h, _, _ in handout_sections(plan)][:3]
    ['What we are treating', 'Every day at home', 'Your calendar']
    """
    out: list[tuple[str, list[str], list[list[str]]]] = []
    out.append(
        (
            "What we are treating",
            [_concern_text(c.name, c.severity) for c in regimen.concerns],
            [],
        )
    )
    am = [plain(s) for s in regimen.home_care.get("am", [])]
    pm = [plain(s) for s in regimen.home_care.get("pm", [])]
    out.append(
        (
            "Every day at home",
            [
                "Morning: " + "; then ".join(am) + ".",
                "Evening: " + "; then ".join(pm) + ".",
                "Sun: " + plain(regimen.sun_protection),
            ],
            [],
        )
    )
    rows: list[list[str]] = []
    for s in regimen.sessions:
        rows.append(
            [
                s.date.strftime("%a %d %b %Y"),
                f"Clinic session {s.number} of {len(regimen.sessions)}: "
                f"{plain(s.procedure_name)} (we also check how your skin is doing)",
            ]
        )
    for v in regimen.visits:
        if v.kind == "session":  # measured at the session itself: one calendar line
            continue
        what = {
            "baseline": "First visit: we photograph and measure your skin as a starting point",
            "session": "We check how your skin is doing before the session",
            "reassessment": "Review visit: we measure your skin again and adjust the plan",
        }[v.kind]
        rows.append([v.date.strftime("%a %d %b %Y"), what])
    rows.sort(key=lambda r: datetime.strptime(r[0], "%a %d %b %Y"))
    out.append(("Your calendar", [], rows))
    if regimen.sessions:
        from exoderm.clients.screening import procedures

        energy = procedures()[regimen.sessions[0].procedure].energy
        expect = [AFTER_SESSION.get(energy, "Some redness for a day or two is common.")]
        expect.append(
            "For three days after each session: no make-up, no exfoliating or active products, "
            "no sauna or heavy exercise; keep out of the sun."
        )
        if regimen.sessions[0].settings:
            expect.append(
                "Because your skin can darken after irritation, we use gentle settings and "
                "prepare your skin at home for the first weeks."
            )
        out.append(("What to expect after a session", expect, []))
    out.append(
        (
            "Results",
            [
                f"Skin changes slowly: we will compare your skin with today's at the review "
                f"visit after about {regimen.reassess_after_weeks} weeks.",
                *_expected_sentences(regimen.expected_outcome),
            ],
            [],
        )
    )
    out.append(("When to call the clinic", CALL_THE_CLINIC, []))
    if regimen.warnings:
        out.append(
            (
                "What your practitioner is watching for",
                [plain(w.reason) for w in regimen.warnings],
                [],
            )
        )
    out.append(("Please note", [regimen.disclaimer], []))
    return out


def regimen_html(regimen: Regimen, *, client_name: str | None = None) -> str:
    """The client handout as a standalone HTML page (plain language, see the PDF)."""
    template = _ENV.get_template("regimen.html.j2")
    return template.render(r=regimen, name=client_name, sections=handout_sections(regimen))


def regimen_pdf(regimen: Regimen, *, client_name: str | None = None) -> bytes:
    """The client handout as a PDF (A4): plain language, a calendar, when to call.

    The technical detail (rules, sources, model endpoints) is in
    :func:`clinician_report_pdf`. reportlab is imported here: it is slow to import.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import ListFlowable, Paragraph, SimpleDocTemplate, Spacer, Table

    styles = getSampleStyleSheet()
    body, h1, h2 = styles["BodyText"], styles["Title"], styles["Heading2"]

    def para(text: str) -> Paragraph:
        return Paragraph(escape(text), body)

    story: list[object] = [
        Paragraph(escape(f"Your skin plan{' for ' + client_name if client_name else ''}"), h1),
        para(f"Starting {regimen.start.strftime('%d %B %Y')}."),
    ]
    for heading, lines, rows in handout_sections(regimen):
        story.append(Paragraph(escape(heading), h2))
        if rows:
            cells = [[para("Date"), para("What happens")]]
            cells += [[para(a), para(b)] for a, b in rows]
            story.append(Table(cells, hAlign="LEFT", colWidths=[40 * mm, 120 * mm]))
        elif len(lines) > 1:
            story.append(ListFlowable([para(x) for x in lines], bulletType="bullet"))
        else:
            story += [para(x) for x in lines]
    story += [Spacer(1, 6 * mm), para(f"Your plan reference: {regimen.pseudonym}")]
    buffer = BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title="Your skin plan").build(story)
    return buffer.getvalue()


def clinician_report_pdf(regimen: Regimen) -> bytes:
    """The technical regimen report for the clinician: every choice with its rule and
    source, the cautions, the sessions' settings and the model's endpoints."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import ListFlowable, Paragraph, SimpleDocTemplate, Table

    styles = getSampleStyleSheet()
    body, h1, h2 = styles["BodyText"], styles["Title"], styles["Heading2"]

    def para(text: str) -> Paragraph:
        return Paragraph(escape(text), body)

    def bullets(items: list[str]) -> Any:
        return ListFlowable([para(i) for i in items], bulletType="bullet")

    story: list[object] = [
        Paragraph(escape(f"Regimen report {regimen.pseudonym}"), h1),
        para(f"Start {regimen.start.isoformat()}; reassess week {regimen.reassess_after_weeks}"),
        Paragraph("Decisions", h2),
        bullets(
            [
                f"{c.topic}: {c.decision} — {c.reason} [rule: {c.rule or '—'}]"
                + (f" ({c.source})" if c.source else "")
                for c in regimen.choices
            ]
        ),
    ]
    if regimen.sessions:
        rows = [["#", "date", "procedure", "product", "settings", "rule"]] + [
            [str(s.number), s.date.isoformat(), s.procedure, s.product, s.settings, s.rule]
            for s in regimen.sessions
        ]
        story += [Paragraph("Sessions", h2), Table(rows, hAlign="LEFT")]
    if regimen.warnings:
        story += [
            Paragraph("Cautions (once per rule)", h2),
            bullets([f"{w.option}: {w.reason} [{w.rule}; {w.source}]" for w in regimen.warnings]),
        ]
    if regimen.expected_outcome:
        story.append(Paragraph("Expected outcome (model prediction)", h2))
        for title, lines in expected_lines(regimen):
            story += [para(title), bullets(lines)]
    buffer = BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=f"Regimen report {regimen.pseudonym}").build(story)
    return buffer.getvalue()
