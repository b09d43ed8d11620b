"""The labelled claims corpus and its held-out evaluation (precision and recall per market).

``data/claims_corpus.csv`` holds wordings from regulator material - FDA warning letters,
ASA rulings and CAP advice, Health Canada's claims guidelines, MFDS notices, China's
cosmetic naming rules, Japan's cosmetic efficacy range - each with its source, section
and date, the markets it is labelled for, and a fixed split (``dev`` or ``heldout``,
seeded, stored in the file). Wordings composed to exercise a rule are marked
``constructed`` and never scored on the held-out split.
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from importlib import resources

from pydantic import BaseModel, ConfigDict

from exoderm.design.claims.core import check_claim
from exoderm.markets import Market

CONSTRUCTED = "constructed"
#: The development corpus, then the blind held-out set compiled after the rules froze.
CORPUS_FILES = (
    "claims_corpus.csv",
    "claims_corpus_blind.csv",
    "claims_corpus_blind2.csv",
    "claims_corpus_blind3.csv",
    "claims_corpus_blind4.csv",
    "claims_corpus_blind5.csv",
    "claims_corpus_blind6.csv",
    "claims_corpus_blind7.csv",
    "claims_corpus_blind8.csv",
    "claims_corpus_blind9.csv",
    "claims_corpus_blind10.csv",
    "claims_corpus_blind11.csv",
)
#: The split of the blind set: scored once, never used to change a rule.
BLIND = "blind"


class CorpusRow(BaseModel):
    """One labelled wording."""

    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    label: str
    markets: tuple[str, ...]
    split: str
    source: str
    section: str
    date: str


class MarketScore(BaseModel):
    """Confusion counts for one market (positive = non-compliant wording)."""

    model_config = ConfigDict(frozen=True)

    market: str
    tp: int
    fp: int
    fn: int
    tn: int
    missed: tuple[str, ...] = ()
    false_alarms: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        """How many wordings were scored."""
        return self.tp + self.fp + self.fn + self.tn

    @property
    def precision(self) -> float:
        """Share of rejections that were non-compliant wordings."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Share of non-compliant wordings that were rejected."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@lru_cache(maxsize=1)
def load_corpus() -> tuple[CorpusRow, ...]:
    """The packaged labelled corpus.

    Examples
    --------
    >>> rows = load_corpus()
    >>> splits = {"dev", "heldout", "blind", "blind2", "blind3", "blind4"}
    >>> len(rows) >= 500 and {r.split for r in rows} >= splits
    True
    """
    every = tuple(m.value for m in Market)
    rows: list[CorpusRow] = []
    for name in CORPUS_FILES:
        path = resources.files("exoderm.design") / "data" / name
        with io.StringIO(path.read_text(encoding="utf-8"), newline="") as handle:
            rows.extend(
                CorpusRow(
                    id=row["id"],
                    text=row["text"],
                    label=row["label"],
                    markets=tuple(row["markets"].split(",")) if row["markets"] else every,
                    split=row["split"],
                    source=row["source"],
                    section=row["section"],
                    date=row["date"],
                )
                for row in csv.DictReader(handle)
            )
    return tuple(rows)


def evaluate(split: str = "heldout", *, include_constructed: bool = False) -> list[MarketScore]:
    """Check every wording of ``split`` in each market it is labelled for; count per market.

    Parameters
    ----------
    split : str
        ``heldout`` or ``dev``.
    include_constructed : bool
        Score constructed wordings too (never for the held-out figures).

    Returns
    -------
    list of MarketScore
        One per market, positive class = non-compliant.

    References
    ----------
    .. [1] Sokolova, M. & Lapalme, G. (2009). A systematic analysis of performance
       measures for classification tasks. Information Processing & Management 45(4),
       427-437. doi:10.1016/j.ipm.2009.03.002

    Examples
    --------
    >>> scores = evaluate("heldout")
    >>> all(s.n >= 30 for s in scores)
    True
    """
    rows = [
        r
        for r in load_corpus()
        if r.split == split and (include_constructed or r.source != CONSTRUCTED)
    ]
    out = []
    for market in Market:
        tp = fp = fn = tn = 0
        missed: list[str] = []
        alarms: list[str] = []
        for row in (r for r in rows if market.value in r.markets):
            rejected = not check_claim(row.text, market.value, "cosmetic").accepted
            positive = row.label == "noncompliant"
            if positive and rejected:
                tp += 1
            elif positive:
                fn += 1
                missed.append(f"{row.id}: {row.text}")
            elif rejected:
                fp += 1
                alarms.append(f"{row.id}: {row.text}")
            else:
                tn += 1
        out.append(
            MarketScore(
                market=market.value,
                tp=tp,
                fp=fp,
                fn=fn,
                tn=tn,
                missed=tuple(missed),
                false_alarms=tuple(alarms),
            )
        )
    return out


def confusion_table(scores: list[MarketScore]) -> str:
    """The confusion matrix per market as a plain-text table.

    Examples
    --------
    >>> print(confusion_table(evaluate("heldout")).splitlines()[0])
    market     n   TP   FN   FP   TN  precision  recall
    """
    lines = ["market     n   TP   FN   FP   TN  precision  recall"]
    for s in scores:
        lines.append(
            f"{s.market:<6}{s.n:>5}{s.tp:>5}{s.fn:>5}{s.fp:>5}{s.tn:>5}"
            f"{s.precision:>11.3f}{s.recall:>8.3f}"
        )
    return "\n".join(lines)
