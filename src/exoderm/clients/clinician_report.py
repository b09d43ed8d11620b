"""The regimen as a technical report for the clinician (PDF, reportlab).

The client handout (:mod:`exoderm.clients.handout`) speaks plain language; this report
carries what the practitioner needs to check the plan: every decision with the rule that
shaped it and its source, the sessions' product and settings, the sterile post-procedure
product with its INCI list, the cautions once per rule, and the simulator's endpoints
with the scenario's assumptions.
"""

from __future__ import annotations

from io import BytesIO

from exoderm.clients.regimen import ProductRead, Regimen


def expected_lines(regimen: Regimen) -> list[tuple[str, list[str]]]:
    """The regimen's model predictions as (title, lines) for the clinician.

    Parameters
    ----------
    regimen
        A regimen built with ``simulate=True`` (else the list is empty).

    Returns
    -------
    list[tuple[str, list[str]]]
        Per part of the plan and model: the headline endpoints by name and value, the
        prediction label and every assumption.

    References
    ----------
    Waugh HV, Sherratt JA (2007). Modeling the effects of treating diabetic wounds with
    engineered skin substitutes. Wound Repair Regen 15:556-565. PMID 17650100 (the wound
    model behind the closure endpoints).

    Examples
    --------
    >>> from datetime import date
    >>> from exoderm.clients import build_regimen, parse_profile
    >>> plan = build_regimen("C-DOCTEST4", parse_profile({"fitzpatrick": {"phototype": 2},
    ...     "market": "US", "concerns": [{"name": "wrinkles", "severity": 2}]}),
    ...     start=date(2026, 12, 1), simulate=True)
    >>> title, lines = expected_lines(plan)[0]
    >>> title.startswith("home care: photoageing model"), any("assumption" in x for x in lines)
    (True, True)
    """
    out: list[tuple[str, list[str]]] = []
    for p in regimen.expected_outcome:
        if not p.available:
            out.append((f"{p.part}: no prediction", [p.reason]))
            continue
        shown = []
        for k in p.headline:
            value = p.endpoints.get(k)
            shown.append(f"{k}: {'not reached' if value is None else format(value, '.3g')}")
        title = f"{p.part}: {p.model} model ({', '.join(p.targets)})"
        out.append((title, [*shown, p.label, *(f"assumption: {a}" for a in p.assumptions)]))
    return out


def _product_lines(product: ProductRead) -> list[str]:
    if not product.available:
        return [f"none: {product.reason}"]
    lines = [product.name, "INCI: " + ", ".join(product.inci)]
    if product.product_type:
        lines.append(
            f"product type {product.product_type}"
            + (", sterile" if product.sterile else "")
            + f", route {product.request.route or 'leave-on'}"
        )
    lines += [
        f"{a.name or a.inci}: {a.percent} % w/w" for a in product.actives if a.percent is not None
    ]
    return lines + [f"warning: {w}" for w in product.warnings]


def clinician_report_pdf(regimen: Regimen) -> bytes:
    """The technical regimen report for the clinician (A4 PDF).

    Parameters
    ----------
    regimen
        A regimen from :func:`exoderm.clients.build_regimen`.

    Returns
    -------
    bytes
        The PDF: decisions with rule and source, sessions, products, cautions once per
        rule, blocked options and the model's endpoints.

    References
    ----------
    Manuskiatti W et al. (2013). J Eur Acad Dermatol Venereol. doi:10.1111/jdv.12050
    (the PIH rules whose ids the report prints).

    Examples
    --------
    >>> from datetime import date
    >>> from exoderm.clients import build_regimen, parse_profile
    >>> plan = build_regimen("C-DOCTEST5", parse_profile({"fitzpatrick": {"phototype": 5},
    ...     "concerns": [{"name": "acne scars", "severity": 2}]}), start=date(2026, 12, 1))
    >>> clinician_report_pdf(plan)[:5]
    b'%PDF-'
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import ListFlowable, Paragraph, SimpleDocTemplate, Table

    from exoderm.pdf_fonts import markup, sample_styles

    styles = sample_styles()
    body, h1, h2 = styles["BodyText"], styles["Title"], styles["Heading2"]
    small = body.clone("small", fontSize=7.5, leading=9)

    def para(text: str, style: object = body) -> Paragraph:
        return Paragraph(markup(text), style)

    def bullets(items: list[str]) -> ListFlowable:
        return ListFlowable([para(i) for i in items], bulletType="bullet")

    story: list[object] = [
        Paragraph(markup(f"Regimen report {regimen.pseudonym}"), h1),
        para(f"Start {regimen.start.isoformat()}; reassess week {regimen.reassess_after_weeks}"),
        Paragraph("Decisions", h2),
        bullets(
            [
                f"{c.topic}: {c.decision} — {c.reason} [rule: {c.rule or '—'}]"
                + (f" ({c.source})" if c.source else "")
                for c in regimen.choices
            ]
        ),
        Paragraph("Home-care product", h2),
        bullets(_product_lines(regimen.product)),
    ]
    if regimen.session_product is not None:
        story += [
            Paragraph("Product on microneedled skin (sterile, after needling)", h2),
            bullets(_product_lines(regimen.session_product)),
        ]
    if regimen.sessions:
        header = ["#", "date", "procedure", "product", "settings", "rule"]
        rows = [[para(h, small) for h in header]] + [
            [
                para(str(s.number), small),
                para(s.date.isoformat(), small),
                para(s.procedure, small),
                para(s.product, small),
                para(s.settings or "—", small),
                para(s.rule, small),
            ]
            for s in regimen.sessions
        ]
        story += [
            Paragraph("Sessions", h2),
            Table(rows, hAlign="LEFT", colWidths=[18, 55, 70, 140, 110, 90], repeatRows=1),
        ]
    if regimen.warnings:
        story += [
            Paragraph("Cautions (once per rule)", h2),
            bullets([f"{w.option}: {w.reason} [{w.rule}; {w.source}]" for w in regimen.warnings]),
        ]
    if regimen.blocked:
        story += [
            Paragraph("Blocked options", h2),
            bullets([f"{b.option}: {b.reason} [{b.rule}]" for b in regimen.blocked]),
        ]
    if regimen.expected_outcome:
        story.append(Paragraph("Expected outcome (model prediction)", h2))
        for title, lines in expected_lines(regimen):
            story += [para(title), bullets(lines)]
    buffer = BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=f"Regimen report {regimen.pseudonym}").build(story)
    return buffer.getvalue()
