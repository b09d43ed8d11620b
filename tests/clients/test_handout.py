"""The client handout can be handed to a client; the clinician report carries the detail."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pypdfium2
import pytest

from exoderm.clients import build_regimen, parse_profile, regimen_html, regimen_pdf
from exoderm.clients.clinician_report import clinician_report_pdf
from exoderm.clients.handout import expected_sentences, handout_sections, month_grids
from exoderm.clients.screening import rules

START = date(2026, 12, 1)
SNAKE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")
PROFILES: dict[str, dict[str, Any]] = {
    "phototype V acne scars": {
        "fitzpatrick": {"phototype": 5},
        "concerns": [{"name": "atrophic acne scars", "severity": "moderate"}],
    },
    "US wrinkles": {
        "fitzpatrick": {"phototype": 2},
        "market": "US",
        "concerns": [{"name": "wrinkles", "severity": "moderate"}],
    },
    "Korea pigmentation, isotretinoin": {
        "fitzpatrick": {"phototype": 4},
        "market": "KR",
        "history": {"isotretinoin": "current", "herpes_simplex_history": True},
        "concerns": [{"name": "pigmentation", "severity": "severe"}],
    },
}


def pdf_text(data: bytes) -> str:
    doc = pypdfium2.PdfDocument(data)
    return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


@pytest.mark.parametrize("simulate", [False, True])
@pytest.mark.parametrize("case", list(PROFILES))
def test_handout_pdf_has_no_internal_names(case: str, simulate: bool) -> None:
    plan = build_regimen(
        "C-TEST0301", parse_profile(PROFILES[case]), start=START, simulate=simulate
    )
    text = pdf_text(regimen_pdf(plan, client_name="Ana Silva"))
    assert "Ana Silva" in text and "When to call the clinic" in text
    assert not SNAKE.findall(text), SNAKE.findall(text)[:5]
    assert "[U" not in text and "[V]" not in text and "[S]" not in text
    assert ".md" not in text and ".yaml" not in text and ".csv" not in text
    assert "exoderm " not in text.lower()
    assert not any(rule.id in text for rule in rules())  # no rule ids
    html = regimen_html(plan, client_name="Ana Silva")
    assert not any(rule.id in html for rule in rules())
    if simulate and expected_sentences(plan):
        assert "Model estimate" in text and "How sure is this?" in text


def test_expected_sentences_carry_units_meaning_and_uncertainty() -> None:
    plan = build_regimen(
        "C-TEST0302", parse_profile(PROFILES["US wrinkles"]), start=START, simulate=True
    )
    sentences = expected_sentences(plan)
    estimates = [s for s in sentences if s.startswith("Model estimate")]
    assert estimates and sentences[-1].startswith("How sure is this?")
    for sentence in estimates:
        assert "compared with no treatment" in sentence
        numbers = re.findall(r"about (\d+(?:\.\d+)?)( %| percentage points)", sentence)
        assert numbers, sentence  # every number with its unit
        assert not SNAKE.findall(sentence)
    home = next(p for p in plan.expected_outcome if p.part == "home care" and p.available)
    shown = home.endpoints["mmp1_mean_change_pct"]
    assert shown is not None
    word = "lower" if shown < 0 else "higher"
    assert f"about {abs(shown):.1f} % {word}" in estimates[0]
    unsimulated = build_regimen("C-TEST0302", parse_profile(PROFILES["US wrinkles"]), start=START)
    assert expected_sentences(unsimulated) == []


def test_calendar_is_a_month_grid_with_every_visit() -> None:
    plan = build_regimen(
        "C-TEST0303", parse_profile(PROFILES["phototype V acne scars"]), start=START
    )
    grids = month_grids(plan)
    assert grids[0][0] == "December 2026"
    cells = [c for _, weeks in grids for week in weeks for c in week]
    assert all(len(week) == 7 for _, weeks in grids for week in weeks)
    marked = [c for c in cells if "\n" in c]
    assert len(marked) == len(plan.sessions) + 2  # first visit, sessions, review
    assert sum("session" in c for c in marked) == len(plan.sessions)
    text = pdf_text(regimen_pdf(plan))
    assert "Mon" in text and "January 2027" in text
    sections = dict((h, lines) for h, lines, _ in handout_sections(plan))
    assert "What to expect after a session" in sections


def test_client_cautions_are_plain_and_once() -> None:
    plan = build_regimen(
        "C-TEST0304", parse_profile(PROFILES["phototype V acne scars"]), start=START
    )
    watching = dict((h, lines) for h, lines, _ in handout_sections(plan))[
        "What your practitioner is watching for"
    ]
    assert len(watching) == len(set(watching)) >= 2
    assert any("sterile" in line for line in watching)
    assert not any("n=" in line or "Fitzpatrick" in line for line in watching)


def test_clinician_report_carries_the_technical_detail() -> None:
    plan = build_regimen(
        "C-TEST0305", parse_profile(PROFILES["phototype V acne scars"]), start=START, simulate=True
    )
    text = " ".join(pdf_text(clinician_report_pdf(plan)).split())
    for rule in ("pih-risk-phototype", "microneedling-topicals-intradermal", "pih-risk-ablative"):
        assert rule in text
    assert plan.session_product is not None
    assert "post-procedure-sterile" in text and "sterile" in text
    assert "closure_difference_day7_pp" in text  # the endpoints by name, for the clinician


@pytest.mark.parametrize("name", ["김민지", "山田花子", "王芳"])
def test_a_client_name_in_hangul_kanji_or_hanzi_prints_as_text(name: str) -> None:
    plan = build_regimen("C-TEST0302", parse_profile(PROFILES["US wrinkles"]), start=START)
    data = regimen_pdf(plan, client_name=name)
    assert name in pdf_text(data)
    assert (b"NanumGothic" if name == "김민지" else b"DroidSansFallback") in data
