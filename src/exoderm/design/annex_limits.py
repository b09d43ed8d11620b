"""Maximum concentrations of the EU annexes, per clause, and the one that binds a formula.

Annexes III (restricted substances), V (preservatives) and VI (UV filters) of
Regulation (EC) No 1223/2009 give, for each entry, the product types it may be used in
and the "maximum concentration in ready for use preparation". Many entries have
clauses, ``(a) Rinse-off products … (b) Leave-on products``, each with its own
maximum; the clause letters of the product-type cell and of the maximum cell are
paired here. A maximum becomes a number (``max_percent``) only when the cell is a plain
percentage (``1.0%``, ``0,5 % (acid)``, ``Salicylic acid: 0,5 %``, ``10 ppm``); any
other wording (``0,4 % for single ester, 0,8 % for mixtures``) keeps ``max_percent``
empty and is returned verbatim in ``max_text``. A maximum stated for a moiety ("as
acid", "of Hg", "calculated as F") is applied to the ingredient itself, which is the
stricter reading.

The route of a skin product (leave-on or rinse-off) is the only product type decided
here: a clause whose product types name only rinse-off products does not apply to a
leave-on product and vice versa, a clause for oral-care products only applies to
neither, and every other clause ("other products", "face products", no product type)
applies to both. Other product-type wording is returned in ``product_types`` for the
formulator to read.

Source: European Commission, CosIng – annexes II to VI of Regulation (EC) No
1223/2009 as published by the Commission (reuse authorised with acknowledgement under
Commission Decision 2011/833/EU of 12 December 2011), state "Last update: 28/08/2026"
as vendored byte for byte by the ``on-the-list`` package (MIT licence).
"""

from __future__ import annotations

import csv
import io
import re
from functools import lru_cache
from importlib import resources
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict

from exoderm.design.annexes import annex_findings
from exoderm.design.inventory import fold_inci
from exoderm.errors import UserInputError

#: The route of a skin product: left on the skin, or rinsed off after use.
Route = Literal["leave-on", "rinse-off"]
ROUTES: tuple[Route, ...] = get_args(Route)
#: The annexes that carry maximum concentrations.
LIMIT_ANNEXES = ("III", "V", "VI")
#: The state of the vendored annex files (their "Last update" line).
ANNEX_STATE = "28/08/2026"
REGULATION = "Reg. (EC) 1223/2009"
_HEADER_LINES = 4
_NAME_COLUMNS = ("Name of Common Ingredients Glossary", "Identified INGREDIENTS or substances e.g.")
_MAX_COLUMN = "Maximum concentration in ready for use preparation"
_TYPE_COLUMN = "Product Type, body parts"
_FOOTNOTE = re.compile(r"\(\d+\)|\[\d+\]|\*+")
_MARKER = re.compile(r"(?:(?<=\s)|^)\(?([a-z])\)")
_REFERENCE = re.compile(r"\s*(?:[,)]|and\b|or\b)")  # "(except (a), (b) and (c))"
_NUMBER = r"(\d+(?:[.,]\d+)?)\s*(%|ppm)"
_PLAIN = re.compile(
    r"^(?:[^:\n]{1,60}:\s*)?(?:[-–≤<]\s*)?(?:max\.?\s*)?"
    + _NUMBER
    + r"\s*(?:\*+|\(\*+\d*\))?\s*(?:retinol equivalent\s*)?"
    r"(?:\((?:[^()]|\([^()]*\))*\)?|\bRE\b)?\s*\*?\s*"
    r"(?:(?:in\s+|for\s+)?(?:rinse[\s-]*off|leave[\s-]*on)\s+products?)?\s*[.;]?$",
    re.IGNORECASE,
)
_NOTE_LINE = re.compile(
    r"^(?:\*|\(\*|footnote|-?\s*\(?in case of combined use|when mixed with|if mixed with"
    r"|the above\s?mentioned)",
    re.IGNORECASE,
)
_RINSE = re.compile(r"rinse[\s\-‐]*off", re.IGNORECASE)
_LEAVE = re.compile(r"leave[\s\-‐]*on", re.IGNORECASE)
_ORAL = re.compile(r"\b(?:oral|mouth\w*|tooth\w*|dental)\b", re.IGNORECASE)
_NEGATED = re.compile(
    r"\b(?:except(?:ion of)?|other than|not to be used in|excluding)\b[^;\n]*", re.IGNORECASE
)


class AnnexLimit(BaseModel):
    """One clause of an annex entry: where it applies and how much is allowed."""

    model_config = ConfigDict(frozen=True)

    annex: str
    entry: str
    chemical_name: str
    clause: str | None
    product_types: str
    max_percent: float | None
    max_text: str
    conditions: str
    routes: tuple[Route, ...]
    allowed: bool = True
    citation: str


def max_percent_of(text: str) -> float | None:
    """The maximum of a clause as a percentage, or None when it is not a plain percentage.

    Lines of combined-use notes and footnotes are skipped; several plain lines (one per
    named substance) give the lowest. ``ppm`` is converted to per cent.

    Parameters
    ----------
    text : str
        The maximum-concentration text of one clause, as the annex prints it.

    Returns
    -------
    float or None
        The maximum in per cent (0 < value ≤ 100), or None.

    References
    ----------
    .. [1] Regulation (EC) No 1223/2009 of 30 November 2009 on cosmetic products,
       Annexes III, V and VI, column "Maximum concentration in ready for use preparation".

    Examples
    --------
    >>> max_percent_of("1.0%"), max_percent_of("0,5 % (acid)"), max_percent_of("10 ppm")
    (1.0, 0.5, 0.001)
    >>> max_percent_of("0,4% (as acid) for single ester") is None
    True
    """
    values: list[float] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or _NOTE_LINE.match(line):
            continue
        match = _PLAIN.match(line)
        if match is None:
            return None
        value = float(match.group(1).replace(",", "."))
        values.append(value / 10_000 if match.group(2).lower() == "ppm" else value)
    if not values or not all(0 < v <= 100 for v in values):
        return None
    return min(values)


def split_clauses(cell: str) -> dict[str, str]:
    """The clause texts of an annex cell by letter; markers count only in order a, b, c, …

    Parameters
    ----------
    cell : str
        A product-type or maximum-concentration cell.

    Returns
    -------
    dict of str to str
        Clause letter to its text; empty when the cell has no clause markers.

    References
    ----------
    .. [1] Regulation (EC) No 1223/2009 of 30 November 2009 on cosmetic products,
       Annex V, entry 1 (clauses (a) to (c)).

    Examples
    --------
    >>> split_clauses("(a) 2.5 % (acid) (b) 1.7 % (c) 0.5 %")
    {'a': '2.5 % (acid)', 'b': '1.7 %', 'c': '0.5 %'}
    >>> split_clauses("Leave-on products (except (a), (b) and (c))")
    {}
    """
    cuts: list[tuple[str, int, int]] = []
    expected = "a"
    for m in _MARKER.finditer(cell):
        line_start = not cell[: m.start()].strip(" \t").rsplit("\n", 1)[-1]
        if m.group(1) == expected and (line_start or not _REFERENCE.match(cell, m.end())):
            cuts.append((expected, m.start(), m.end()))
            expected = chr(ord(expected) + 1)
    out: dict[str, str] = {}
    for i, (letter, _, end) in enumerate(cuts):
        stop = cuts[i + 1][1] if i + 1 < len(cuts) else len(cell)
        out[letter] = cell[end:stop].strip()
    following = ""
    for letter in reversed(list(out)):  # "(a) and (b) 1 %": (a) shares the text of (b)
        if not out[letter].strip(" ,;and\n"):
            out[letter] = following
        following = out[letter]
    return out


def _routes(product_types: str, max_text: str) -> tuple[Route, ...]:
    text = _NEGATED.sub("", product_types if product_types.strip() else max_text)
    rinse, leave = bool(_RINSE.search(text)), bool(_LEAVE.search(text))
    if rinse != leave:
        return ("rinse-off",) if rinse else ("leave-on",)
    if not rinse and _ORAL.search(text):
        return ()
    return ROUTES


def _names(row: dict[str, str]) -> frozenset[str]:
    keys: set[str] = set()
    for column in _NAME_COLUMNS:
        cell = _FOOTNOTE.sub("", row.get(column, ""))
        pieces = [cell, *re.split(r"[/;]", cell), *re.split(r"[/;,]", cell)]
        keys.update(k for k in (fold_inci(p) for p in pieces) if len(k) >= 3)
    return frozenset(keys)


def _row_limits(annex: str, row: dict[str, str]) -> list[AnnexLimit]:
    entry = row["Reference Number"].strip()
    types, maxima = row.get(_TYPE_COLUMN, ""), row.get(_MAX_COLUMN, "")
    type_clauses, max_clauses = split_clauses(types), split_clauses(maxima)
    letters: list[str | None] = [*sorted(set(type_clauses) | set(max_clauses))] or [None]
    out = []
    for letter in letters:
        pt = type_clauses.get(letter, types) if letter and type_clauses else types
        mx = max_clauses.get(letter, "") if letter and max_clauses else maxima
        where = f"{REGULATION} Annex {annex} entry {entry}"
        out.append(
            AnnexLimit(
                annex=annex,
                entry=entry,
                chemical_name=row.get("Chemical name / INN", "").strip(),
                clause=letter,
                product_types=pt.strip(),
                max_percent=max_percent_of(mx),
                max_text=mx.strip(),
                conditions=row.get("Other", "").strip(),
                routes=_routes(pt, mx),
                citation=f"{where}, clause ({letter})" if letter else where,
            )
        )
    return out


def _annex_rows(annex: str) -> list[dict[str, str]]:
    path = resources.files("on_the_list") / "data" / f"annex_{annex}.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    header = rows[_HEADER_LINES]
    return [dict(zip(header, r, strict=False)) for r in rows[_HEADER_LINES + 1 :] if any(r)]


def annex_state(annex: str = "V") -> str:
    """The "Last update" date printed in the vendored annex file.

    Examples
    --------
    >>> annex_state("V") == ANNEX_STATE
    True
    """
    path = resources.files("on_the_list") / "data" / f"annex_{annex}.csv"
    second = next(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig").split("\n")[1])))
    return next(c.split(":", 1)[1].strip() for c in second if c.startswith("Last update"))


@lru_cache(maxsize=1)
def _index() -> tuple[tuple[frozenset[str], tuple[AnnexLimit, ...]], ...]:
    return tuple(
        (_names(row), tuple(_row_limits(annex, row)))
        for annex in LIMIT_ANNEXES
        for row in _annex_rows(annex)
    )


def all_annex_limits() -> tuple[AnnexLimit, ...]:
    """Every clause of Annexes III, V and VI, in the order of the annexes.

    Examples
    --------
    >>> limits = all_annex_limits()
    >>> {lim.annex for lim in limits} == set(LIMIT_ANNEXES)
    True
    """
    return tuple(lim for _, limits in _index() for lim in limits)


@lru_cache(maxsize=4096)
def annex_limits(inci: str) -> tuple[AnnexLimit, ...]:
    """Every clause of Annexes III, V and VI whose entry names ``inci``.

    Parameters
    ----------
    inci : str
        An INCI name; case, spacing and punctuation are ignored.

    Returns
    -------
    tuple of AnnexLimit
        One item per clause, in annex order; empty if no entry names the ingredient.

    References
    ----------
    .. [1] Regulation (EC) No 1223/2009 of 30 November 2009 on cosmetic products,
       Annexes III, V and VI (CosIng, state 28/08/2026).

    Examples
    --------
    >>> [(lim.clause, lim.max_percent) for lim in annex_limits("Sodium Benzoate")]
    [('a', 2.5), ('b', 1.7), ('c', 0.5)]
    """
    key = fold_inci(inci)
    return tuple(lim for names, limits in _index() if key in names for lim in limits)


def limit_for(inci: str, route: Route) -> AnnexLimit | None:
    """The binding (lowest) annex limit of ``inci`` in a skin product of ``route``.

    Parameters
    ----------
    inci : str
        An INCI name.
    route : {"leave-on", "rinse-off"}
        Whether the product stays on the skin.

    Returns
    -------
    AnnexLimit or None
        The applicable clause with the lowest ``max_percent`` (a clause without a plain
        percentage only if none has one); a clause with ``allowed=False`` if every
        clause excludes the route; None if no annex entry names the ingredient.

    Raises
    ------
    UserInputError
        ``route`` is not one of :data:`ROUTES`.

    References
    ----------
    .. [1] Regulation (EC) No 1223/2009 of 30 November 2009 on cosmetic products,
       Article 14 and Annexes III, V and VI.

    Examples
    --------
    >>> limit_for("phenoxyethanol", "leave-on").max_percent
    1.0
    >>> limit_for("methylisothiazolinone", "leave-on").allowed
    False
    """
    if route not in ROUTES:
        raise UserInputError(
            f"unknown route {route!r}", field="route", expected=" or ".join(ROUTES)
        )
    limits = annex_limits(inci)
    if not limits:
        return None
    applicable = [lim for lim in limits if route in lim.routes]
    if not applicable:
        return _lowest(limits).model_copy(update={"allowed": False})
    return _lowest(applicable)


def _lowest(limits: tuple[AnnexLimit, ...] | list[AnnexLimit]) -> AnnexLimit:
    numeric = [lim for lim in limits if lim.max_percent is not None]
    return min(numeric, key=lambda lim: lim.max_percent or 0.0) if numeric else limits[0]


def prohibited(inci: str) -> str | None:
    """The Annex II citation if ``inci`` is printed there (a prohibited substance).

    Parameters
    ----------
    inci : str
        An INCI name.

    Returns
    -------
    str or None
        For example ``"Reg. (EC) 1223/2009 Annex II entry 1339"``, or None.

    References
    ----------
    .. [1] Regulation (EC) No 1223/2009 of 30 November 2009 on cosmetic products,
       Article 14(1)(a) and Annex II.

    Examples
    --------
    >>> prohibited("Hydroquinone"), prohibited("Glycerin")
    ('Reg. (EC) 1223/2009 Annex II entry 1339', None)
    """
    hits = [f for f in annex_findings(inci) if f.annex == "II"]
    return f"{REGULATION} Annex II entry {hits[0].reference}" if hits else None
