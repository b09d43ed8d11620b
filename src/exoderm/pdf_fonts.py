"""Fonts for every PDF exoderm writes: DejaVu Sans, Droid Sans Fallback and NanumGothic.

reportlab's built-in fonts (Helvetica …) have no Chinese, Japanese or Korean glyphs, so a
label report of Korean claims or a handout with a client's name in kanji printed boxes.
Every PDF now registers DejaVu Sans (matplotlib's bundled copy: µ, ≤, ±, accents) and the
shipped Droid Sans Fallback (``exoderm/fonts``, Apache 2.0: Hanzi, kana, kanji) and
NanumGothic (SIL OFL 1.1: Hangul), all embedded as subsets, and :func:`markup` wraps each
run of Hangul and of other CJK characters of a paragraph in its font, so mixed text
prints with each script in a font that has it.

References
----------
.. [1] ISO 32000-1:2008, Document management — Portable document format — Part 1: PDF
   1.7, §9.9 (embedded font programs).
.. [2] The Unicode Consortium. The Unicode Standard, Version 15.0, ch. 18 (East Asia):
   the Han, Hiragana, Katakana and Hangul blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib.styles import StyleSheet1, getSampleStyleSheet
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

__all__ = ["PdfFonts", "markup", "pdf_fonts", "sample_styles"]

#: Hangul (jamo, compatibility jamo, syllables): NanumGothic.
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7ff]+")
#: Other characters the Latin font lacks: CJK punctuation, kana, Han, full-width forms.
_CJK = re.compile(
    "[\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3200-\u9fff"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]+"
)


@dataclass(frozen=True)
class PdfFonts:
    """Registered reportlab font names."""

    regular: str
    bold: str
    cjk: str
    hangul: str


@lru_cache(maxsize=1)
def pdf_fonts() -> PdfFonts:
    """Register the Latin and CJK fonts with reportlab once; their names.

    Returns
    -------
    PdfFonts
        ``regular`` and ``bold`` (DejaVu Sans), ``cjk`` (Droid Sans Fallback: Han and
        kana), ``hangul`` (NanumGothic).

    References
    ----------
    .. [1] ISO 32000-1:2008, §9.9 (embedded font programs).

    Examples
    --------
    >>> pdf_fonts().cjk
    'DroidSansFallback'
    """
    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(ttf / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(ttf / "DejaVuSans-Bold.ttf")))
    shipped = resources.files("exoderm") / "fonts"
    for name, file in (
        ("DroidSansFallback", "DroidSansFallbackFull.ttf"),
        ("NanumGothic", "NanumGothic.ttf"),
    ):
        with resources.as_file(shipped / file) as path:
            pdfmetrics.registerFont(TTFont(name, str(path)))
    return PdfFonts("DejaVuSans", "DejaVuSans-Bold", "DroidSansFallback", "NanumGothic")


def markup(text: str) -> str:
    """``text`` escaped for a reportlab paragraph, each CJK run in the CJK font.

    Parameters
    ----------
    text : str
        Plain text (any script).

    Returns
    -------
    str
        Paragraph markup: ``&``, ``<`` and ``>`` escaped, Hangul runs wrapped in
        ``<font face="NanumGothic">`` and other CJK runs in ``<font face="DroidSansFallback">``.

    References
    ----------
    .. [1] The Unicode Standard, Version 15.0, ch. 18 (East Asia).

    Examples
    --------
    >>> markup("Hydrates 피부 & 肌")
    'Hydrates <font face="NanumGothic">피부</font> &amp; <font face="DroidSansFallback">肌</font>'
    """
    fonts = pdf_fonts()
    out = _CJK.sub(lambda m: f'<font face="{fonts.cjk}">{m.group(0)}</font>', escape(text))
    return _HANGUL.sub(lambda m: f'<font face="{fonts.hangul}">{m.group(0)}</font>', out)


def sample_styles() -> StyleSheet1:
    """reportlab's sample style sheet with every style in DejaVu Sans (headings bold).

    Returns
    -------
    StyleSheet1
        A fresh sheet; paragraphs written with :func:`markup` print CJK in the CJK font.

    References
    ----------
    .. [1] ISO 32000-1:2008, §9.9 (embedded font programs).

    Examples
    --------
    >>> sample_styles()["BodyText"].fontName, sample_styles()["Title"].fontName
    ('DejaVuSans', 'DejaVuSans-Bold')
    """
    fonts = pdf_fonts()
    sheet = getSampleStyleSheet()
    for name in sheet.byName:
        style = sheet[name]
        if not hasattr(style, "fontName"):  # list styles carry no font of their own
            continue
        bold = name.startswith(("Heading", "Title")) or "Bold" in style.fontName
        style.fontName = fonts.bold if bold else fonts.regular
    return sheet
