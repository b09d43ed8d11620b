"""Writing references as BibTeX, RIS or CSL-JSON (for reference managers and Pandoc)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from enum import StrEnum

from exoderm.evidence.model import Reference


class BibFormat(StrEnum):
    BIBTEX = "bibtex"
    RIS = "ris"
    CSLJSON = "csljson"


def _bib_escape(text: str) -> str:
    return re.sub(r"([{}&%$#_])", r"\\\1", text)


def _bibtex(ref: Reference) -> str:
    fields = {
        "author": " and ".join(ref.named_authors()),
        "title": f"{{{_bib_escape(ref.title)}}}",
        "journal": ref.journal,
        "year": str(ref.year or ""),
        "volume": ref.volume,
        "pages": ref.pages.replace("-", "--"),
        "doi": ref.doi or "",
        "pmid": ref.pmid or "",
        "url": ref.url or "",
        "note": ref.study_type,
    }
    body = ",\n".join(
        f"  {k} = {{{v}}}" if k != "title" else f"  {k} = {v}" for k, v in fields.items() if v
    )
    kind = "article" if ref.journal else "misc"
    return f"@{kind}{{{ref.id},\n{body}\n}}\n"


def _ris(ref: Reference) -> str:
    lines = [f"TY  - {'JOUR' if ref.journal else 'GEN'}", f"ID  - {ref.id}"]
    lines += [f"AU  - {a}" for a in ref.named_authors()]
    lines.append(f"TI  - {ref.title}")
    if ref.journal:
        lines.append(f"JO  - {ref.journal}")
    if ref.year:
        lines.append(f"PY  - {ref.year}")
    if ref.volume:
        lines.append(f"VL  - {ref.volume}")
    if ref.pages:
        start, _, end = ref.pages.partition("-")
        lines.append(f"SP  - {start}")
        if end:
            lines.append(f"EP  - {end}")
    if ref.doi:
        lines.append(f"DO  - {ref.doi}")
    if ref.pmid:
        lines.append(f"AN  - PMID:{ref.pmid}")
    if ref.url:
        lines.append(f"UR  - {ref.url}")
    lines.append("ER  - ")
    return "\n".join(lines) + "\n"


def _csl(ref: Reference) -> dict[str, object]:
    authors = []
    for name in ref.named_authors():
        family, _, given = name.partition(",")
        authors.append(
            {"family": family.strip(), "given": given.strip()}
            if given
            else {"literal": family.strip()}
        )
    item: dict[str, object] = {
        "id": ref.id,
        "type": "article-journal" if ref.journal else "document",
        "title": ref.title,
        "author": authors,
    }
    if ref.year:
        item["issued"] = {"date-parts": [[ref.year]]}
    optional = {
        "container-title": ref.journal,
        "volume": ref.volume,
        "page": ref.pages,
        "DOI": ref.doi,
        "PMID": ref.pmid,
        "URL": ref.url,
        "genre": ref.study_type,
    }
    item |= {k: v for k, v in optional.items() if v}
    return item


def format_references(refs: Iterable[Reference], fmt: BibFormat | str) -> str:
    """All references in one text, in the given format."""
    chosen = BibFormat(fmt)
    items = list(refs)
    if chosen is BibFormat.BIBTEX:
        return "\n".join(_bibtex(r) for r in items)
    if chosen is BibFormat.RIS:
        return "\n".join(_ris(r) for r in items)
    return json.dumps([_csl(r) for r in items], indent=2, ensure_ascii=False) + "\n"
