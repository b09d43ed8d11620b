"""Identity rules: what a product *is* (its INCI list, its name), not only what it says.

Human-derived material - cells, tissues, their conditioned media and extracellular
vesicles - is not a cosmetic ingredient in the EU and UK (Annex II entry 416, "cells,
tissues or products of human origin") and makes a US product a biological product and a
drug whatever its wording (FDA public safety notification on exosome products, 2019; PHS
Act §351). China lists no stem-cell ingredient; Taiwan asks for a safety dossier for
human cell-derived exosomes; Korea allows only human cell culture fluid that meets the
MFDS safety standard. Plant-derived vesicles pass, named "... Vesicles" in INCI.

References
----------
.. [1] Regulation (EC) No 1223/2009, Annex II entry 416. OJ L 342, 22.12.2009, p. 59.
.. [2] US FDA (2019). Public Safety Notification on Exosome Products, 6 December 2019.
.. [3] Public Health Service Act §351, 42 U.S.C. 262; FD&C Act §201(g)(1), 21 U.S.C. 321.
.. [4] Welsh, J.A. et al. (2024). Minimal information for studies of extracellular
   vesicles (MISEV2023). Journal of Extracellular Vesicles 13(2), e12404.
   doi:10.1002/jev2.12404
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from exoderm.errors import UserInputError
from exoderm.markets import Market

_HUMAN = re.compile(
    r"\b(human|homo sapiens|umbilical|cord blood|placenta\w*|amnio\w*|adipose|adipocyte\w*|"
    r"mesenchymal|msc|huc-?msc|bone marrow|platelet\w*|foreskin|keratinocyte\w*|"
    r"fibroblast conditioned|autologous|allogeneic)\b",
    re.IGNORECASE,
)
_STEM_OR_EV = re.compile(
    r"\b(stem[- ]cells?|exosomes?|conditioned media|culture (fluid|media|medium)|secretome)\b",
    re.IGNORECASE,
)
_PLANT = re.compile(
    r"(?i:\b(plant|phyto|botanical|callus|leaf|root|fruit|flower|seed|peel|stem extract|"
    r"ferment|yeast|algae)\b)|"
    r"\b(?!(?:Stem|Cell|Cells|Exosomes?|Human|Derived|Conditioned)\b)[A-Z][a-z]+ "
    r"(?!(?:cells?|exosomes?|derived|gel|serum|conditioned|media)\b)[a-z]{3,}\b"
)

_BASIS: dict[str, tuple[str, str]] = {
    "US": (
        "prohibited",
        "FDA Public Safety Notification on Exosome Products (6 Dec 2019): human exosome "
        "products are regulated as drugs and biological products; PHS Act §351 (42 U.S.C. "
        "262) and FD&C Act §201(g)(1): a licence (BLA) or IND is needed, whatever the wording",
    ),
    "EU": (
        "prohibited",
        "Reg. (EC) 1223/2009 Annex II entry 416: cells, tissues or products of human origin "
        "are prohibited in cosmetic products",
    ),
    "UK": (
        "prohibited",
        "UK Cosmetics Regulation (Reg. (EC) 1223/2009 as retained by SI 2019/696 Schedule 34) "
        "Annex II entry 416: cells, tissues or products of human origin are prohibited",
    ),
    "CN": (
        "prohibited",
        "化妆品安全技术规范 (2015) prohibited substances: human cells, tissues or products; "
        "NMPA: 'stem cell cosmetics' (干细胞化妆品) is a false concept and the IECIC lists no "
        "stem-cell ingredient [U]",
    ),
    "TW": (
        "dossier required",
        "TFDA (2024): cosmetics containing human cell-derived exosomes need a safety dossier "
        "before supply [U]; Cosmetic Hygiene and Safety Act (2018)",
    ),
    "KR": (
        "conditional",
        "MFDS 화장품 안전기준 등에 관한 규정: only human cell or tissue culture fluid meeting the "
        "MFDS safety standard may be used [U]; advertising wording implying human-derived "
        "ingredients ('엑소좀') is banned since 21 Jan 2025",
    ),
    "CA": (
        "prohibited",
        "no verified Health Canada rule on human-derived cosmetic ingredients; the strictest "
        "rule (EU Annex II entry 416; US PHS Act §351) is applied",
    ),
    "JP": (
        "prohibited",
        "no verified MHLW rule on human-derived cosmetic ingredients; the strictest rule "
        "(EU Annex II entry 416; US PHS Act §351) is applied",
    ),
    "ZA": (
        "prohibited",
        "no verified South African rule on human-derived cosmetic ingredients; the strictest "
        "rule (EU Annex II entry 416; US PHS Act §351) is applied",
    ),
}

_PLANT_BASIS = (
    "plant-derived vesicles are plant material, not products of human origin (Annex II entry "
    "416 does not apply); name them '... Vesicles' in INCI, not 'exosomes' (MISEV2023)"
)
_REWORDING = (
    "reformulate without human-derived material, e.g. a plant-derived vesicle ingredient "
    "named '<Plant> ... Vesicles' in INCI"
)


class IdentityFindingRead(BaseModel):
    """What one INCI item or product identity means in one market."""

    model_config = ConfigDict(frozen=True)

    item: str
    market: str
    origin: str = Field(description="human, plant or none (no EV, cell or media material)")
    accepted: bool
    status: str = Field(description="allowed, prohibited, conditional or dossier required")
    rule: str = Field(description="The legal basis of the finding.")
    rewording: str | None = None


def origin_of(item: str) -> str:
    """'human', 'plant' or 'none' for one INCI item or identity phrase.

    Examples
    --------
    >>> origin_of("Human Adipose Stem Cell Conditioned Media")
    'human'
    >>> origin_of("Centella Asiatica Leaf Extracellular Vesicles")
    'plant'
    >>> origin_of("Glycerin")
    'none'
    >>> origin_of("Stem cell exosomes"), origin_of("Centella asiatica vesicles")
    ('human', 'plant')
    """
    if _HUMAN.search(item):
        return "human"
    if _STEM_OR_EV.search(item) or re.search(r"\bvesicles?\b", item, re.IGNORECASE):
        return "plant" if _PLANT.search(item) else "human"
    return "none"


def human_material_claim(text: str) -> bool:
    """True when a sentence names human-derived cells, media or EVs as what it contains.

    A sentence must name EV, stem-cell or conditioned-media material and either a human
    source or no plant source ("stem cell exosome gel" is human-derived unless a plant is
    named).

    Examples
    --------
    >>> human_material_claim("Stem Cell Exosome Gel")
    True
    >>> human_material_claim("with plant stem cell extract for glowing-looking skin")
    False
    >>> human_material_claim("for all human skin types")
    False
    """
    if not _STEM_OR_EV.search(text):
        return False
    return bool(_HUMAN.search(text)) or not _PLANT.search(text)


def ev_mention(text: str) -> re.Match[str] | None:
    """Where a sentence names EV, stem-cell or conditioned-media material, if it does.

    Examples
    --------
    >>> ev_mention("with stem cell exosomes").group(0)
    'stem cell'
    """
    return _STEM_OR_EV.search(text)


def identity_basis(market: str) -> tuple[str, str]:
    """The status and legal basis for human-derived material in ``market``.

    Examples
    --------
    >>> identity_basis("EU")[0]
    'prohibited'
    """
    return _BASIS[Market.parse(market).value]


def split_inci(text: str) -> list[str]:
    """An INCI list (comma-, semicolon- or newline-separated) as its items.

    Examples
    --------
    >>> split_inci("Ingredients: Aqua, Glycerin; Centella Asiatica Leaf Vesicles")
    ['Aqua', 'Glycerin', 'Centella Asiatica Leaf Vesicles']
    """
    body = re.sub(r"^\s*(ingredients|inci)\s*[:\-]\s*", "", text, flags=re.IGNORECASE)
    return [part.strip(" .") for part in re.split(r"[,;\n]", body) if part.strip(" .")]


def check_identity(items: list[str] | str, market: str) -> list[IdentityFindingRead]:
    """Check an INCI list or product identity against a market's human-origin rules.

    Parameters
    ----------
    items : list of str or str
        INCI names, or one INCI list / identity text to split.
    market : str
        A market code (see :class:`exoderm.markets.Market`).

    Returns
    -------
    list of IdentityFindingRead
        One finding per item that is human- or plant-derived EV, cell or media material
        (items of neither origin are not reported).

    References
    ----------
    .. [1] Regulation (EC) No 1223/2009, Annex II entry 416.
    .. [2] US FDA (2019). Public Safety Notification on Exosome Products, 6 Dec 2019;
       Public Health Service Act §351, 42 U.S.C. 262.

    Examples
    --------
    >>> [f.accepted for f in check_identity("Aqua, Human Umbilical Cord Stem Cell Exosomes", "US")]
    [False]
    >>> [f.accepted for f in check_identity(["Rosa Damascena Callus Vesicles"], "EU")]
    [True]
    """
    code = Market.parse(market).value
    listed = split_inci(items) if isinstance(items, str) else [i.strip() for i in items]
    if not any(listed):
        raise UserInputError("empty INCI list", field="inci", expected="INCI names")
    out = []
    for item in filter(None, listed):
        origin = origin_of(item)
        if origin == "human":
            status, basis = _BASIS[code]
            out.append(
                IdentityFindingRead(
                    item=item,
                    market=code,
                    origin=origin,
                    accepted=False,
                    status=status,
                    rule=basis,
                    rewording=_REWORDING,
                )
            )
        elif origin == "plant":
            out.append(
                IdentityFindingRead(
                    item=item,
                    market=code,
                    origin=origin,
                    accepted=True,
                    status="allowed",
                    rule=_PLANT_BASIS,
                )
            )
    return out
