"""The EU CosIng inventory: every INCI name a formulator may type, with its functions.

The inventory (30,070 entries, the Commission's state of December 2021) ships in the
package as ``data/cosing_inventory.csv.gz``: reference number, INCI name, CAS and EC
numbers, the annex references CosIng lists for the name (``V/29`` = Annex V entry 29)
and its CosIng functions. Names are matched after folding case, spacing and
punctuation, so "Phenoxyethanol", " PHENOXYETHANOL " and "phenoxy-ethanol" find the same
entry. The annex entries themselves (wording, product types) are read from the annex
register through :mod:`exoderm.design.annexes`; they apply in the EU and, as retained
law, in the UK. For other markets exoderm has no offline register and says so.

Source: European Commission, CosIng – Cosmetic ingredient database, Ingredients and
Fragrance Inventory (reuse authorised with acknowledgement, Commission Decision
2011/833/EU). It is a snapshot: a newer INCI name may be missing.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from functools import lru_cache
from importlib import resources

from pydantic import BaseModel, Field

from exoderm.design.annexes import annex_findings
from exoderm.errors import NotFoundError, UserInputError
from exoderm.markets import Market

#: Where the inventory comes from, shown with every answer that uses it.
INVENTORY_SOURCE = (
    "European Commission, CosIng – Cosmetic ingredient database, Ingredients and "
    "Fragrance Inventory (state of December 2021; reuse under Commission Decision 2011/833/EU)"
)
#: Markets whose annex lists exoderm can read offline.
ANNEX_MARKETS = frozenset({Market.EU, Market.UK})
_FOLD = re.compile(r"[^0-9a-z]+")
_REF = re.compile(r"\b[IVX]+/[0-9]+[a-z]?\b")


def fold_inci(name: str) -> str:
    """The matching key of an INCI name: lower case, letters and digits only.

    Examples
    --------
    >>> fold_inci(" Phenoxy-Ethanol ")
    'phenoxyethanol'
    """
    return _FOLD.sub("", name.lower())


class AnnexRestriction(BaseModel):
    """One annex entry that names the ingredient, and where it applies."""

    annex: str
    entry: str
    chemical_name: str
    wording: str = Field(description="conditions of use as the annex prints them, if any")
    product_types: str
    markets: list[Market] = Field(description="markets where this annex list is law")
    citation: str


class InventoryEntry(BaseModel):
    """An INCI name of the CosIng inventory, its identifiers, functions and restrictions."""

    cosing_ref_no: str
    inci_name: str
    cas_numbers: list[str]
    ec_numbers: list[str]
    functions: list[str]
    annex_references: list[str] = Field(description="annex/entry references, e.g. V/29")
    restriction_text: str = Field(description="the inventory's restriction cell, verbatim")
    restrictions: list[AnnexRestriction]
    not_covered: list[Market] = Field(
        description="markets for which exoderm has no offline annex register"
    )
    notes: list[str] = Field(
        default_factory=list,
        description="where the inventory's annex references and the annex register disagree",
    )
    updated: str
    source: str = INVENTORY_SOURCE


class InventoryStats(BaseModel):
    """How much of the inventory ships, and what it covers."""

    entries: int
    with_cas: int = Field(description="entries with at least one CAS number (not '-')")
    with_annex_reference: int
    functions: int
    source: str = INVENTORY_SOURCE


def _split(cell: str) -> list[str]:
    return [p.strip() for p in cell.split(",") if p.strip() and p.strip() != "-"]


@lru_cache(maxsize=1)
def _all_rows() -> tuple[dict[str, str], ...]:
    raw = (resources.files("exoderm.design") / "data" / "cosing_inventory.csv.gz").read_bytes()
    return tuple(csv.DictReader(io.StringIO(gzip.decompress(raw).decode("utf-8"))))


@lru_cache(maxsize=1)
def _rows() -> dict[str, list[dict[str, str]]]:
    """Rows by folded name; a few names differ only in punctuation and share a key."""
    out: dict[str, list[dict[str, str]]] = {}
    for row in _all_rows():
        out.setdefault(fold_inci(row["inci_name"]), []).append(row)
    return out


def is_inventory_name(name: str) -> bool:
    """Whether ``name`` is an INCI name of the inventory (case, spacing and punctuation folded).

    Examples
    --------
    >>> is_inventory_name("phenoxy ethanol"), is_inventory_name("Unobtainium")
    (True, False)
    """
    return fold_inci(name) in _rows()


def _find(name: str, key: str) -> dict[str, str] | None:
    """The row spelled as ``name`` (ignoring case and outer spaces), else the first folded match."""
    found = _rows().get(key)
    if not found:
        return None
    wanted = " ".join(name.upper().split())
    return next((r for r in found if r["inci_name"] == wanted), found[0])


def _restrictions(inci: str) -> list[AnnexRestriction]:
    return [
        AnnexRestriction(
            annex=f.annex,
            entry=f.reference,
            chemical_name=f.chemical_name,
            wording=f.wording,
            product_types=f.product_types,
            markets=sorted(ANNEX_MARKETS),
            citation=f.citation + " (Regulation (EC) No 1223/2009; retained in UK law)",
        )
        for f in annex_findings(inci)
    ]


def inventory_entry(name: str) -> InventoryEntry:
    """The inventory entry of an INCI name (case, spacing and punctuation ignored).

    Parameters
    ----------
    name : str
        An INCI name as a user types it.

    Returns
    -------
    InventoryEntry
        Its CAS and EC numbers, CosIng functions, and every annex entry naming it.

    Raises
    ------
    NotFoundError
        The name is not in the inventory; the message offers the closest names.

    References
    ----------
    .. [1] European Commission. CosIng – Cosmetic ingredient database, Ingredients and
       Fragrance Inventory (December 2021).
    .. [2] Regulation (EC) No 1223/2009 on cosmetic products, Annexes II–VI.

    Examples
    --------
    >>> e = inventory_entry("phenoxy ethanol")
    >>> e.inci_name, e.cas_numbers, e.functions
    ('PHENOXYETHANOL', ['122-99-6'], ['ANTIMICROBIAL', 'PRESERVATIVE'])
    >>> [(r.annex, r.entry) for r in e.restrictions]
    [('V', '29')]
    """
    key = fold_inci(name)
    if not key:
        raise UserInputError("empty INCI name", field="name", expected="an INCI name")
    row = _find(name, key)
    if row is None:
        raise NotFoundError(
            f"{name!r} is not in the CosIng inventory (state of December 2021; newer "
            f"names may be missing){_suggest(key)}"
        )
    references = _REF.findall(row["restriction"])
    restrictions = _restrictions(row["inci_name"])
    return InventoryEntry(
        cosing_ref_no=row["cosing_ref_no"],
        inci_name=row["inci_name"],
        cas_numbers=_split(row["cas_no"]),
        ec_numbers=_split(row["ec_no"]),
        functions=_split(row["function"]),
        annex_references=references,
        restriction_text=row["restriction"],
        restrictions=restrictions,
        not_covered=[m for m in Market if m not in ANNEX_MARKETS],
        notes=_disagreements(references, restrictions),
        updated=row["update_date"],
    )


def _disagreements(references: list[str], restrictions: list[AnnexRestriction]) -> list[str]:
    """Inventory references (2021) that the annex register does not confirm, and vice versa.

    The two are independent publications of the Commission at different dates: annex
    entries are renumbered and amended, and some INCI names are not printed in the annex
    they fall under, so a disagreement is shown, never resolved silently.
    """
    listed = {f"{r.annex}/{r.entry}" for r in restrictions}
    cited = set(references)
    notes = [
        f"the inventory (December 2021) lists Annex {ref}, but the annex register does not "
        "name this INCI there; check the current annex"
        for ref in sorted(cited - listed)
    ]
    notes += [
        f"the annex register names this INCI under Annex {ref}, which the inventory "
        "(December 2021) does not list"
        for ref in sorted(listed - cited)
    ]
    return notes


def _suggest(key: str) -> str:
    import difflib

    close = difflib.get_close_matches(key, list(_rows()), n=3, cutoff=0.8)
    names = [_rows()[c][0]["inci_name"] for c in close]
    return f"; did you mean {', '.join(names)}?" if names else ""


def inventory_stats() -> InventoryStats:
    """Counts of the shipped inventory.

    Examples
    --------
    >>> inventory_stats().entries > 30_000
    True
    """
    rows = _all_rows()
    functions = {f for r in rows for f in _split(r["function"])}
    return InventoryStats(
        entries=len(rows),
        with_cas=sum(1 for r in rows if _split(r["cas_no"])),
        with_annex_reference=sum(1 for r in rows if r["restriction"].strip()),
        functions=len(functions),
    )
