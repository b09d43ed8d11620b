"""EU CosIng annex lookups through the ``on-the-list`` package (MIT, offline).

``on-the-list`` 0.1.4 ships the Commission's annexes II–VI to Reg. (EC) 1223/2009
byte-for-byte (European Commission, CosIng annexes, 2023). We always read the copy vendored inside
the package (never a register a user downloaded elsewhere), so results are
reproducible; :func:`register_description` names its date for every output.

Its matching is exact on folded names, by design: "Human Adipocyte Conditioned Media
Extract" is found under Annex II entry 416, but an INCI name that is not printed in the
annex, such as "Human Adipose Stromal Cell Exosomes", is not. The human-origin gate is
therefore decided by the ingredient's ``origin`` (``regulation.yaml``), and the annex
lookup adds what the Commission lists by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from on_the_list import register as otl_register
from on_the_list.normalise import fold


@dataclass(frozen=True)
class AnnexFinding:
    """An INCI name printed in one annex entry."""

    annex: str
    reference: str
    chemical_name: str
    wording: str
    product_types: str

    @property
    def citation(self) -> str:
        return f"CosIng Annex {self.annex}, entry {self.reference}"

    def describe(self) -> str:
        text = f"{self.citation} ({self.chemical_name[:80]})"
        if self.product_types:
            text += f", product types: {self.product_types[:80]}"
        return text


@lru_cache(maxsize=1)
def _register() -> Any:
    return otl_register.load(otl_register.VENDORED)


def register_description() -> str:
    """Which annex register answered (date, origin), for provenance on every sheet."""
    line = str(_register().info.line())
    return line.split(", read from ", 1)[0]  # the install path says nothing of the data


@lru_cache(maxsize=4096)
def annex_findings(inci: str) -> tuple[AnnexFinding, ...]:
    """Every annex entry that names ``inci`` exactly (after case and space folding)."""
    if not inci.strip():
        return ()
    entries = _register().lookup(fold(inci))
    return tuple(
        AnnexFinding(
            annex=e.annex,
            reference=e.reference.strip(),
            chemical_name=e.chemical_name,
            wording=e.wording,
            product_types=e.product_types,
        )
        for e in entries
    )
