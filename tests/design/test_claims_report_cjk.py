"""PDFs print Chinese, Japanese and Korean as text in an embedded font, not boxes."""

from __future__ import annotations

import io

import pypdfium2 as pdfium

from exoderm.design.claims import check_label
from exoderm.design.claims.report import dossier_pdf, label_dossier

LABEL = "피부에 수분을 공급합니다.\n肌にうるおいを与える。\n有助于保持皮肤水分。\nHydrates skin."


def _text(pdf: bytes) -> str:
    doc = pdfium.PdfDocument(io.BytesIO(pdf))
    return "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


def test_a_label_report_prints_cjk_as_text_in_an_embedded_cjk_font() -> None:
    pdf = dossier_pdf(label_dossier(check_label(LABEL, ["KR", "JP", "CN"])))
    text = "".join(_text(pdf).split())  # lines wrap inside table cells
    for wording in ("피부에수분을공급합니다", "肌にうるおいを与える", "有助于保持皮肤水分"):
        assert wording in text, wording
    # the CJK and Latin fonts are embedded subsets (a FontFile2 program each)
    assert b"DroidSansFallback" in pdf and b"DejaVuSans" in pdf
    assert b"NanumGothic" in pdf and pdf.count(b"/FontFile2") >= 3


def test_the_cjk_glyphs_are_drawn_not_left_blank() -> None:
    pdf = dossier_pdf(label_dossier(check_label("肌にうるおいを与える。", ["JP"])))
    page = pdfium.PdfDocument(io.BytesIO(pdf))[0]
    # find the CJK sentence on the page and check its box holds ink
    textpage = page.get_textpage()
    search = textpage.search("肌にうるおい")
    found = search.get_next()
    assert found is not None
    index, count = found
    left, bottom, right, top = textpage.get_charbox(index)
    bitmap = page.render(scale=4).to_numpy()
    height = bitmap.shape[0]
    box = bitmap[
        int(height - top * 4) : int(height - bottom * 4),
        int(left * 4) : int((left + (right - left) * count) * 4),
    ]
    assert box.size and (box.min(axis=2) < 128).mean() > 0.05
