"""The regimen as a client handout: HTML (Jinja2, autoescaped) and PDF (reportlab).

The handout may carry the client's name (given by the caller, decrypted only for this
rendering); nothing rendered is stored. It is written for the client: plain language, no
internal names, numbers only with their units and meaning, the schedule as a month
calendar, what to expect and when to call the clinic. The technical detail (rules,
sources, settings, model endpoints) is in :mod:`exoderm.clients.clinician_report`.
"""

from __future__ import annotations

import json
import re
from calendar import monthcalendar
from datetime import date, datetime
from io import BytesIO

from jinja2 import Environment, PackageLoader, select_autoescape

from exoderm.clients.regimen import Regimen
from exoderm.clients.screening import Verdict
from exoderm.simulate.intervals import Band

_ENV = Environment(
    loader=PackageLoader("exoderm.clients", "data/templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


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


#: Screening cautions in the client's words (rule id of data/screening_rules.yaml →
#: sentence); ``None`` = for the practitioner only (legal wording rules). Other rules fall
#: back to their reason without internal tags.
CLIENT_CAUTION: dict[str, str | None] = {
    "pih-risk-phototype": "Your skin type can darken after irritation, so we use gentle "
    "settings, prepare your skin at home first and ask you to protect it from the sun.",
    "microneedling-topicals-intradermal": "During and right after needling, only the "
    "sterile single-dose product we apply in the clinic goes on your skin: do not put your "
    "own products on the treated skin that day.",
    "plant-ev-patch-test": "Your product contains vesicles from plants: we test it on a "
    "small patch of skin first, in case you react to it.",
    "isotretinoin-microneedling": "You have taken isotretinoin in the last six months: "
    "your practitioner has checked this and will watch how your skin heals.",
    "isotretinoin-no-delay-needed": "You have taken isotretinoin in the last six months: "
    "your practitioner has discussed the timing of your treatment with you.",
    "pregnancy-no-safety-claim": "Because you are pregnant, your doctor or midwife has to "
    "accept each ingredient of your home-care products.",
    "herpes-active-no-topical-on-lesion": "Do not put any product on a cold sore.",
    "herpes-history-prophylaxis": "Because you have had cold sores, your doctor may give "
    "you a medicine that prevents one after the session.",
    "keloid-caution": "Because your skin can form raised scars, we test a small area first.",
    "anticoagulants-review": "Because of your blood-thinning medicine you may bruise or "
    "bleed more easily; your doctor has checked this.",
    "autoimmune-review": "Your doctor has checked that the treatment suits your medical "
    "history; tell us at once if healing seems slow.",
    "immunosuppression-review": "Your doctor has checked that the treatment suits your "
    "medicines; tell us at once if healing seems slow or you see signs of infection.",
    "diabetes-review": "Your doctor has checked that the treatment suits your diabetes; "
    "tell us at once if healing seems slow.",
    "human-ev-korea-advertising": None,
}


def caution_for_client(verdict: Verdict) -> str | None:
    """A screening caution in plain words for the client, or ``None`` if not for them."""
    if verdict.rule in CLIENT_CAUTION:
        return CLIENT_CAUTION[verdict.rule]
    return plain(verdict.reason)


def _concern_text(name: str, severity: int) -> str:
    level = {1: "mild", 2: "moderate", 3: "severe"}.get(severity, "")
    return f"{name} ({level})" if level else name


#: What each headline endpoint of the simulator means, in plain words: (what, unit
#: word, word when the value is above zero, word when below). Endpoint names and units:
#: :mod:`exoderm.simulate.outcomes` (percent change treated vs untreated; pp =
#: percentage points of wound area closed).
ENDPOINT_WORDS: dict[str, tuple[str, str, str, str]] = {
    "mmp1_mean_change_pct": (
        "MMP-1 (an enzyme that breaks down collagen)",
        " %",
        "higher",
        "lower",
    ),
    "procollagen_i_mean_change_pct": (
        "procollagen I (what the skin builds new collagen from)",
        " %",
        "higher",
        "lower",
    ),
    "collagen_change_pct": ("collagen in the skin", " %", "higher", "lower"),
    "easi_change_pct": ("the eczema severity score (EASI)", " %", "higher", "lower"),
    "tewl_change_pct": ("water lost through the skin", " %", "higher", "lower"),
    "closure_difference_day7_pp": (
        "skin repair after one week",
        " percentage points",
        "further along",
        "behind",
    ),
    "closure_difference_day14_pp": (
        "skin repair after two weeks",
        " percentage points",
        "further along",
        "behind",
    ),
}
#: How uncertain every model estimate is, in plain words (the dose scale and the
#: person-to-person spread are assumptions of the simulator, docs/simulate.md).
UNCERTAINTY = (
    "How sure is this? Not very: the model's dose scale and the differences between people "
    "are assumptions, not measurements, so your own result may be larger, smaller or "
    "absent. We measure your skin at each visit instead of relying on the model."
)
#: With intervals: what the range covers and what it does not.
UNCERTAINTY_RANGED = (
    "How sure is this? The 90 % range covers only the uncertainty in the model's fitted "
    "numbers; the dose scale and the differences between people are assumptions, so your "
    "own result may be larger, smaller or absent. We measure your skin at each visit "
    "instead of relying on the model."
)


def _weeks(scenario: str | None) -> str:
    """'4-week' from the scenario's duration in days (JSON text)."""
    if not scenario:
        return "short"
    days = float(json.loads(scenario).get("duration_days") or 0.0)
    return f"{days / 7:g}-week" if days else "short"


def _part_words(part: str) -> str:
    return "your daily routine" if part == "home care" else "the clinic sessions"


def _effect(endpoint: str, value: float | None, band: Band | None = None) -> str | None:
    words = ENDPOINT_WORDS.get(endpoint)
    if words is None or value is None:
        return None
    what, unit, up, down = words
    text = f"{what}: about {abs(value):.1f}{unit} {up if value >= 0 else down}"
    if band is not None and band.low is not None and band.high is not None:
        text += f" (90 % range {band.low:+.1f} to {band.high:+.1f}{unit})"
    return text


def expected_sentences(regimen: Regimen) -> list[str]:
    """The simulator's expectation as plain sentences, each labelled 'Model estimate'.

    One sentence per part of the plan (home care, the clinic sessions) with the headline
    endpoints in words and units compared with no treatment, followed by one sentence on
    how uncertain the estimate is. Empty when the regimen was built without simulation.
    The CLI prints exactly these sentences, and the handout carries them.

    Parameters
    ----------
    regimen
        A regimen built with ``simulate=True``.

    Returns
    -------
    list[str]
        Sentences in reading order; ``[]`` without predictions.

    References
    ----------
    Zipkin DA et al. (2014). Evidence-based risk communication: a systematic review. Ann
    Intern Med 161(4):270-280. doi:10.7326/M14-0295 (state uncertainty and compare with
    no treatment).

    Examples
    --------
    >>> from datetime import date
    >>> from exoderm.clients import build_regimen, parse_profile
    >>> plan = build_regimen("C-DOCTEST2", parse_profile({"fitzpatrick": {"phototype": 2},
    ...     "market": "US", "concerns": [{"name": "wrinkles", "severity": 2}]}),
    ...     start=date(2026, 12, 1), simulate=True)
    >>> lines = expected_sentences(plan)
    >>> lines[0].startswith("Model estimate"), lines[-1].startswith("How sure")
    (True, True)
    """
    effects: dict[tuple[str, str], list[str]] = {}
    for part in regimen.expected_outcome:
        if not part.available:
            continue
        found = [
            e
            for k in part.headline
            if (e := _effect(k, part.endpoints.get(k), part.intervals.get(k)))
        ]
        if found:
            effects.setdefault((part.part, _weeks(part.scenario)), []).extend(found)
    out = [
        f"Model estimate for {_part_words(name)}, compared with no treatment (a {weeks} "
        f"computer model of skin): {'; '.join(dict.fromkeys(found))}."
        for (name, weeks), found in effects.items()
    ]
    ranged = any(p.intervals for p in regimen.expected_outcome if p.available)
    return [*out, UNCERTAINTY_RANGED if ranged else UNCERTAINTY] if out else []


# ------------------------------------------------------------------------ calendar view
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
CALENDAR_MARK = {"baseline": "first visit", "session": "session", "reassessment": "review"}


def _marks(regimen: Regimen) -> dict[date, str]:
    """Day → what happens (sessions numbered), for the month grid."""
    marks: dict[date, str] = {v.date: CALENDAR_MARK[v.kind] for v in regimen.visits}
    for s in regimen.sessions:
        marks[s.date] = f"session {s.number}"
    return marks


def month_grids(regimen: Regimen) -> list[tuple[str, list[list[str]]]]:
    """The plan as month calendars: (month title, weeks of seven 'day: what' cells).

    Parameters
    ----------
    regimen
        A regimen.

    Returns
    -------
    list[tuple[str, list[list[str]]]]
        One grid per month from the start to the review visit, weeks Monday first; a
        cell is '' outside the month, the day number, or 'day' and what happens on a line.

    References
    ----------
    ISO 8601-1:2019, Date and time - Representations for information interchange, clause
    5.2.4 (the week starts on Monday).

    Examples
    --------
    >>> from datetime import date
    >>> from exoderm.clients import build_regimen, parse_profile
    >>> plan = build_regimen("C-DOCTEST3", parse_profile({"fitzpatrick": {"phototype": 5},
    ...     "concerns": [{"name": "acne scars", "severity": 2}]}), start=date(2026, 12, 1))
    >>> title, weeks = month_grids(plan)[0]
    >>> title, weeks[0][1].splitlines()
    ('December 2026', ['1', 'first visit'])
    """
    marks = _marks(regimen)
    last = max(marks)
    out: list[tuple[str, list[list[str]]]] = []
    year, month = regimen.start.year, regimen.start.month
    while (year, month) <= (last.year, last.month):
        weeks = []
        for week in monthcalendar(year, month):
            cells = []
            for day in week:
                if day == 0:
                    cells.append("")
                    continue
                what = marks.get(date(year, month, day))
                cells.append(f"{day}\n{what}" if what else str(day))
            weeks.append(cells)
        out.append((date(year, month, 1).strftime("%B %Y"), weeks))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


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
                *expected_sentences(regimen),
            ],
            [],
        )
    )
    out.append(("When to call the clinic", CALL_THE_CLINIC, []))
    if regimen.warnings:
        out.append(
            (
                "What your practitioner is watching for",
                list(dict.fromkeys(t for w in regimen.warnings if (t := caution_for_client(w)))),
                [],
            )
        )
    out.append(("Please note", [regimen.disclaimer], []))
    return out


def regimen_html(regimen: Regimen, *, client_name: str | None = None) -> str:
    """The client handout as a standalone HTML page (plain language, see the PDF)."""
    template = _ENV.get_template("regimen.html.j2")
    return template.render(
        r=regimen,
        name=client_name,
        sections=handout_sections(regimen),
        months=month_grids(regimen),
        weekdays=WEEKDAYS,
    )


def regimen_pdf(regimen: Regimen, *, client_name: str | None = None) -> bytes:
    """The client handout as a PDF (A4): plain language, a calendar, when to call.

    The technical detail (rules, sources, model endpoints) is in
    :func:`exoderm.clients.clinician_report.clinician_report_pdf`. reportlab is imported
    here: it is slow to import.
    """
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        KeepTogether,
        ListFlowable,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    from exoderm.pdf_fonts import markup, sample_styles

    styles = sample_styles()
    body, h1, h2 = styles["BodyText"], styles["Title"], styles["Heading2"]

    def para(text: str) -> Paragraph:
        return Paragraph(markup(text), body)

    def month(title: str, weeks: list[list[str]]) -> KeepTogether:
        small = styles["BodyText"].clone("day", fontSize=8, leading=9)
        cells = [[Paragraph(f"<b>{d}</b>", small) for d in WEEKDAYS]]
        cells += [
            [
                Paragraph(
                    markup(c).replace("\n", "<br/><b>") + ("</b>" if "\n" in c else ""), small
                )
                for c in week
            ]
            for week in weeks
        ]
        grid = Table(cells, colWidths=[23 * mm] * 7, hAlign="LEFT")
        marked = [
            ("BACKGROUND", (col, row + 1), (col, row + 1), colors.HexColor("#dbeafe"))
            for row, week in enumerate(weeks)
            for col, c in enumerate(week)
            if "\n" in c
        ]
        grid.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    *marked,
                ]
            )
        )
        return KeepTogether([Paragraph(markup(title), styles["Heading3"]), grid])

    story: list[object] = [
        Paragraph(markup(f"Your skin plan{' for ' + client_name if client_name else ''}"), h1),
        para(f"Starting {regimen.start.strftime('%d %B %Y')}."),
    ]
    for heading, lines, rows in handout_sections(regimen):
        story.append(Paragraph(markup(heading), h2))
        if rows:
            story += [month(title, weeks) for title, weeks in month_grids(regimen)]
            story.append(Spacer(1, 3 * mm))
            cells = [[para("Date"), para("What happens")]]
            cells += [[para(a), para(b)] for a, b in rows]
            story.append(Table(cells, hAlign="LEFT", colWidths=[40 * mm, 120 * mm], repeatRows=1))
        elif len(lines) > 1:
            story.append(ListFlowable([para(x) for x in lines], bulletType="bullet"))
        else:
            story += [para(x) for x in lines]
    story += [Spacer(1, 6 * mm), para(f"Your plan reference: {regimen.pseudonym}")]
    buffer = BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title="Your skin plan").build(story)
    return buffer.getvalue()
