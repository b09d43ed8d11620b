"""Reading the whitepaper seed independently of the curated data, to check the curation."""

from __future__ import annotations

import re
from functools import cache

from tests import shared

SEED = shared.SEED


@cache
def raw_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").split("\n")


def flat(text: str) -> str:
    """Whitespace collapsed, PDF ligature loss (U+FFFD) repaired as 'ffi'."""
    return re.sub(r"\s+", " ", text.replace("\ufffd", "ffi")).strip()


@cache
def flat_text() -> str:
    return flat("\n".join(raw_lines()))


def dermal_effect_blocks() -> list[list[str]]:
    """Each "Dermal effects:" list, in document order, as printed items."""
    blocks: list[list[str]] = []
    lines = raw_lines()
    for k, line in enumerate(lines):
        if not line.startswith("Dermal effects:"):
            continue
        chunk = [line.removeprefix("Dermal effects:")]
        for nxt in lines[k + 1 :]:
            if not nxt.strip():
                break
            chunk.append(nxt)
        text = flat(" ".join(chunk))
        blocks.append([item.strip() for item in text.split(",") if item.strip()])
    return blocks


def abbreviation_labels() -> list[str]:
    """Labels of the ABBREVIATIONS list ("AD:", "ASC-CM:", …)."""
    lines = raw_lines()
    start = lines.index("ABBREVIATIONS")
    end = lines.index("REFERENCES")
    return [ln.strip().rstrip(":").strip() for ln in lines[start:end] if ln.strip().endswith(":")]


def reference_dois() -> list[str]:
    """DOIs of the reference list, with line-break hyphenation joined."""
    lines = raw_lines()
    text = "\n".join(lines[lines.index("REFERENCES") :])
    joined = re.sub(r"-\n", "", text)  # a hyphen at a line end is a break, not a character
    joined = re.sub(r"\s+", " ", joined)
    found = re.findall(r"(?:doi:|doi\.org/)\s*(10\.\d{4,9}/[^\s]+)", joined, flags=re.I)
    return [d.rstrip(".").lower() for d in found]


def reference_entry_count() -> int:
    """Entries start a line with 'Surname, X.' and a year follows on the entry."""
    lines = raw_lines()
    body = lines[lines.index("REFERENCES") + 1 :]
    return sum(1 for ln in body if re.match(r"^[A-Z][\w‐\-]+(?:[\s‐-][A-Z][\w-]+)?, [A-Z]\.", ln))
