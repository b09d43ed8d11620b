"""Whole labels: a label or product page split into claims, each checked per market.

A label is text: claim sentences, bullet points, a product name, and often an
"Ingredients:" line. Each sentence gets a verdict in every market asked for; the
ingredient line (or an INCI list given separately) goes to the identity rules.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from exoderm.design.claims.core import ClaimVerdictRead, check_claim
from exoderm.design.claims.identity import IdentityFindingRead, check_identity, split_inci
from exoderm.errors import UserInputError
from exoderm.evidence import KnowledgeBase
from exoderm.markets import Market

#: The largest label accepted (characters or bytes): a product page, not a book.
MAX_LABEL_CHARS = 200_000

_SENTENCE_END = re.compile(
    r"(?<=[.!?\u3002\uff01\uff1f])\s+|\n+|\s*[\u2022\u00b7\u25aa\u2023]\s*|\s+[-*]\s+"
)
_INGREDIENT_LINE = re.compile(r"^\s*(ingredients|inci|composition)\s*[:\-]", re.IGNORECASE)


class SentenceVerdictsRead(BaseModel):
    """One sentence of a label and its verdict in each market."""

    model_config = ConfigDict(frozen=True)

    index: int = Field(description="Position of the sentence in the label, from 1.")
    text: str
    accepted: bool = Field(description="True when every market accepts the sentence.")
    verdicts: list[ClaimVerdictRead]


class LabelReportRead(BaseModel):
    """A whole label checked: sentences × markets, plus identity findings."""

    model_config = ConfigDict(frozen=True)

    markets: list[str]
    product_class: str
    sentences: list[SentenceVerdictsRead]
    identity: list[IdentityFindingRead]
    accepted: bool = Field(description="True when no sentence and no identity item is rejected.")
    rejected_sentences: int


def split_sentences(text: str) -> list[str]:
    """The claims of a label: sentences, bullet points and lines, in order.

    Examples
    --------
    >>> split_sentences("Hydrates skin. Heals eczema!\\n• Fragrance-free")
    ['Hydrates skin.', 'Heals eczema!', 'Fragrance-free']
    """
    return [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip(" -*")]


def validate_label_text(text: str, *, source: str = "text") -> str:
    """The label text, or a clear error when it is empty, binary or too large.

    Examples
    --------
    >>> validate_label_text("  Hydrates skin.  ")
    'Hydrates skin.'
    """
    if "\x00" in text:
        raise UserInputError(
            f"{source}: binary content (NUL bytes)", field="file", expected="a UTF-8 text label"
        )
    if len(text) > MAX_LABEL_CHARS:
        raise UserInputError(
            f"{source}: {len(text):,} characters is too large for a label",
            field="text",
            expected=f"at most {MAX_LABEL_CHARS:,} characters (one label or product page)",
        )
    if not text.strip():
        raise UserInputError(f"{source}: empty label", field="text", expected="the label wording")
    return text.strip()


def read_label_file(path: Path) -> str:
    """Read a label file; empty, binary, non-UTF-8 or oversized files are clear errors.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "label.txt"
    >>> _ = p.write_text("Hydrates skin.", encoding="utf-8")
    >>> read_label_file(p)
    'Hydrates skin.'
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UserInputError(f"{path}: cannot read ({exc.strerror})", field="file") from None
    if size > MAX_LABEL_CHARS * 4:
        raise UserInputError(
            f"{path}: {size:,} bytes is too large for a label",
            field="file",
            expected=f"at most {MAX_LABEL_CHARS:,} characters (one label or product page)",
        )
    return decode_label(path.read_bytes(), source=str(path))


def decode_label(data: bytes, *, source: str = "upload") -> str:
    """The text of an uploaded label; empty, binary, non-UTF-8 or oversized data is a clear
    error naming ``source``.

    Examples
    --------
    >>> decode_label("Hydrates skin.".encode())
    'Hydrates skin.'
    >>> try:
    ...     decode_label(b"\\x00\\x01")
    ... except UserInputError as exc:
    ...     print(exc.problem.message)
    upload: binary file (NUL bytes)
    """
    if len(data) > MAX_LABEL_CHARS * 4:
        raise UserInputError(
            f"{source}: {len(data):,} bytes is too large for a label",
            field="file",
            expected=f"at most {MAX_LABEL_CHARS:,} characters (one label or product page)",
        )
    if b"\x00" in data:
        raise UserInputError(
            f"{source}: binary file (NUL bytes)", field="file", expected="a UTF-8 text label"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserInputError(
            f"{source}: not UTF-8 text (byte {exc.start})",
            field="file",
            expected="a UTF-8 text label",
        ) from None
    return validate_label_text(text, source=source)


def check_label(
    text: str,
    markets: list[str],
    product_class: str = "cosmetic",
    inci: list[str] | str | None = None,
    *,
    cites: Sequence[str] = (),
    graph: KnowledgeBase | None = None,
) -> LabelReportRead:
    """Check every sentence of a label in every market, and its ingredients' identity.

    Parameters
    ----------
    text : str
        The label or product page (plain text). A line starting "Ingredients:" is read
        as the INCI list rather than as a claim.
    markets : list of str
        Market codes (at least one).
    product_class : str
        cosmetic, medical-device or drug.
    inci : list of str or str, optional
        The INCI list, when it is not on the label.
    cites : sequence of str
        Evidence behind the label's claims (evidence-claim ids, ``doi:...``,
        ``pmid:...``), resolved for every sentence in ``graph`` (see
        :func:`~exoderm.design.claims.core.check_claim`).
    graph : KnowledgeBase, optional
        The evidence graph in force (default: the shipped graph).

    Returns
    -------
    LabelReportRead
        Sentences with a verdict per market (rule, reason, checked rewording) and the
        identity findings per market.

    References
    ----------
    .. [1] Commission Regulation (EU) No 655/2013 of 10 July 2013 (common criteria for
       cosmetic claims). OJ L 190, 11.7.2013, p. 31.
    .. [2] Federal Food, Drug, and Cosmetic Act §201(g)(1), (i); 21 U.S.C. 321.

    Examples
    --------
    >>> r = check_label("Hydrates skin. Heals eczema.", ["US", "EU"])
    >>> [(s.text, s.accepted) for s in r.sentences]
    [('Hydrates skin.', True), ('Heals eczema.', False)]
    """
    body = validate_label_text(text)
    if not markets:
        raise UserInputError("no market given", field="market", expected=", ".join(Market))
    codes = list(dict.fromkeys(Market.parse(m).value for m in markets))
    items: list[str] = []
    claims: list[str] = []
    in_inci = False  # an "Ingredients:" block runs to the next blank line
    for line in body.splitlines():
        if _INGREDIENT_LINE.match(line):
            in_inci = True
        elif not line.strip():
            in_inci = False
        if in_inci:
            items += split_inci(line)
        else:
            claims.append(line)
    if inci:
        items += split_inci(inci) if isinstance(inci, str) else list(inci)
    sentences = []
    for index, sentence in enumerate(split_sentences("\n".join(claims)), start=1):
        verdicts = [
            check_claim(sentence, code, product_class, cites=cites, graph=graph) for code in codes
        ]
        sentences.append(
            SentenceVerdictsRead(
                index=index,
                text=sentence,
                accepted=all(v.accepted for v in verdicts),
                verdicts=verdicts,
            )
        )
    identity = [f for code in codes for f in (check_identity(items, code) if items else [])]
    rejected = sum(not s.accepted for s in sentences)
    return LabelReportRead(
        markets=codes,
        product_class=product_class,
        sentences=sentences,
        identity=identity,
        accepted=rejected == 0 and all(f.accepted for f in identity),
        rejected_sentences=rejected,
    )
