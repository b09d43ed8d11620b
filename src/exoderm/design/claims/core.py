"""Checking and generating product claims against the rules of a market and class.

A cosmetic may make appearance and feel claims; it may not claim to treat, cure or
heal, to regenerate tissue or to change a structure or function of the body, and it may
not name an ingredient the market forbids ("exosome" in Korean advertising; human-origin
material in the EU and China). Each claim also needs substantiation at the level its
type demands (Reg. (EU) 655/2013 criterion 3). Rules and their legal bases are data in
``design/data/claims_rules.yaml``. The UK applies the retained Regulation (EC) No
1223/2009 and Regulation (EU) No 655/2013, and the CAP Code section 12, so UK claims
follow the EU rules with UK bases.

A rejected claim gets its reason, the rule that rejects it and a compliant rewording in
"look / appearance / feel" wording; the rewording is itself re-checked before it is
offered.

References
----------
.. [1] Commission Regulation (EU) No 655/2013 of 10 July 2013 laying down common criteria
   for the justification of claims used in relation to cosmetic products. OJ L 190,
   11.7.2013, p. 31 (retained in UK law by SI 2019/696).
.. [2] Committee of Advertising Practice. The UK Code of Non-broadcast Advertising and
   Direct & Promotional Marketing (CAP Code), 12th ed., section 12 "Medicines, medical
   devices, health-related products and beauty products".
.. [3] Federal Food, Drug, and Cosmetic Act §201(g)(1) and (i), 21 U.S.C. 321.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from exoderm.design.claims.cosmetic_vocabulary import unknown_words
from exoderm.design.claims.identity import ev_mention, human_material_claim, identity_basis
from exoderm.design.claims.substantiation import (
    DESIGN_TO_LEVEL,
    EVIDENCE_LEVELS,
    SubstantiationRead,
    claim_type,
    required_level,
    substantiate,
)
from exoderm.design.ingredient import ProductClass
from exoderm.errors import UserInputError
from exoderm.evidence import KnowledgeBase, load_knowledge_base
from exoderm.markets import Market

__all__ = [
    "DESIGN_TO_LEVEL",
    "EVIDENCE_LEVELS",
    "ClaimVerdict",
    "ClaimVerdictRead",
    "check_claim",
    "claim_type",
    "disease_terms",
    "normalise",
    "vocabulary",
]

_APPEARANCE_WORDS = re.compile(r"\b(appearance|look\w*|visibl\w*|feel\w*|seem\w*)\b", re.I)
_CONCERN_CHANGE = re.compile(
    r"\b(reduc\w*|eras\w*|eliminat\w*|remov\w*|diminish\w*|smooth\w* out|(?:re)?fill\w*|"
    r"lighten\w*)\b"
    r".{0,30}\b(wrinkles?|fine lines|lines|pores?|dark spots|pigmentation|scars?|sagging)\b",
    re.I,
)
_GENERIC_FEEL = "helps skin feel comfortable and look healthy"
#: Rule id of a wording with a word outside the vocabulary of cosmetic claims.
OUTSIDE_VOCABULARY = "outside-cosmetic-vocabulary"
_GENERIC_LOOK = "helps skin look healthier"


class ClaimVerdictRead(BaseModel):
    """The outcome of checking one claim."""

    model_config = ConfigDict(frozen=True)

    text: str
    market: str
    product_class: str = Field(description="cosmetic, medical-device or drug")
    accepted: bool
    reason: str
    rule: str = Field(description="The legal basis of the verdict.")
    rewording: str | None = None
    rule_id: str | None = None
    substantiation: str = ""
    evidence_level: str | None = Field(
        None, description="The substantiation level the verdict used (asserted or resolved)."
    )
    evidence_source: Literal["asserted", "graph"] | None = Field(
        None,
        description="Where evidence_level comes from: asserted by the claimant, or resolved "
        "from the evidence graph from the cited evidence (the graph wins when it finds any).",
    )
    substantiation_check: SubstantiationRead | None = Field(
        None,
        description="The cited evidence resolved in the evidence graph, the level reached and "
        "the six common criteria of Reg. (EU) 655/2013 (only when evidence is cited).",
    )

    def as_dict(self) -> dict[str, str | bool | None]:
        """The verdict as the sheet shows it (``class`` for the product class)."""
        data: dict[str, str | bool | None] = self.model_dump()
        data["class"] = data.pop("product_class")
        return {key: data[key] for key in _SHEET_ORDER}


_SHEET_ORDER = (
    "text",
    "market",
    "class",
    "accepted",
    "reason",
    "rule",
    "rewording",
    "rule_id",
    "substantiation",
    "evidence_level",
    "evidence_source",
)

#: The name the rest of exoderm knows the verdict by.
ClaimVerdict = ClaimVerdictRead


@lru_cache(maxsize=1)
def _rules() -> dict[str, Any]:
    path = resources.files("exoderm.design") / "data" / "claims_rules.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, Any]:
    """The shipped disease and condition vocabulary (a Human Disease Ontology subset).

    Returns
    -------
    dict
        ``diseases`` (entries with ``doid`` and ``terms``), ``conditions`` and ``concerns``.

    References
    ----------
    .. [1] Schriml, L.M. et al. (2022). The Human Disease Ontology 2022 update. Nucleic
       Acids Research 50(D1), D1255-D1261. doi:10.1093/nar/gkab1063 (CC0 1.0).

    Examples
    --------
    >>> "psoriasis" in disease_terms()
    True
    """
    path = resources.files("exoderm.design") / "data" / "claims_diseases.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def disease_terms() -> list[str]:
    """Every disease label and synonym of the shipped vocabulary, longest first.

    Examples
    --------
    >>> "atopic dermatitis" in disease_terms()
    True
    """
    terms = {t for entry in vocabulary()["diseases"] for t in entry["terms"]}
    return sorted(terms, key=lambda t: (-len(t), t))


def _alternation(terms: list[str]) -> str:
    ordered = sorted(set(terms), key=lambda t: (-len(t), t))
    return "(" + "|".join(re.escape(t).replace(r"\ ", r"[\s-]+") for t in ordered) + ")"


@cache
def _pattern(rule_id: str) -> re.Pattern[str]:
    rule = next(r for r in _all_rules() if r["id"] == rule_id)
    vocab = vocabulary()
    if rule.get("vocabulary") == "diseases":
        # "acne-prone skin" describes the skin type, it does not claim to act on acne
        source = r"\b" + _alternation(disease_terms()) + r"\b(?![\s-]prone)"
    elif rule.get("vocabulary") == "conditions":
        source = r"\b" + _alternation(list(vocab["conditions"])) + r"\b"
    else:
        source = str(rule["pattern"]).replace("{concerns}", _alternation(list(vocab["concerns"])))
    return re.compile(source, re.IGNORECASE)


def _all_rules() -> list[dict[str, Any]]:
    return list(_rules()["forbidden"]) + list(_rules()["kr_banned"])


def _validate(text: str, market: str, product_class: str, level: str | None) -> tuple[str, str]:
    if not text.strip():
        raise UserInputError("empty claim", field="text", expected="the claim wording")
    market_value = Market.parse(market).value
    try:
        class_value = ProductClass(product_class).value
    except ValueError:
        raise UserInputError(
            f"unknown product class {product_class!r}",
            field="class",
            expected=", ".join(c.value for c in ProductClass),
        ) from None
    if level is not None and level not in EVIDENCE_LEVELS:
        raise UserInputError(
            f"unknown evidence level {level!r}",
            field="evidence_level",
            expected=", ".join(EVIDENCE_LEVELS),
        )
    return market_value, class_value


def _basis(rule: dict[str, Any], market: str) -> str:
    own = rule.get("bases") or {}
    if market in own:
        return str(own[market])
    if "basis" in rule:
        return str(rule["basis"])
    category = rule.get("category", "")
    by_market = _rules()["bases"].get(category, {})
    return str(by_market.get(market, "the strictest rule of the EU, US and KR is applied"))


def _applies(rule: dict[str, Any], market: str, product_class: str) -> bool:
    if "markets" in rule and market not in rule["markets"]:
        return False
    # Disease and structure/function rules define the cosmetic boundary; status and
    # ingredient-naming rules apply to every class.
    return not (
        rule.get("category") in ("disease", "structure", "absolute") and product_class != "cosmetic"
    )


def _reword(template: str, text: str, match: re.Match[str]) -> str:
    if template == "{look_of}":
        concern = _CONCERN_WORD().search(match.group(0))
        if concern:
            return f"helps reduce the look of {concern.group(0).lower()}"
        return _GENERIC_LOOK
    if template == "{subject_feel}":
        return _GENERIC_FEEL
    if template == "{subject_look}":
        return _GENERIC_LOOK
    if template == "{drop_word}":
        return _GENERIC_LOOK
    if template == "{drop}":
        rest = re.sub(r"\s{2,}", " ", text[: match.start()] + text[match.end() :]).strip(" ,;:-")
        return rest if len(rest.split()) >= 3 else _GENERIC_LOOK
    if template == "{fix_plant_exosome}":
        return re.sub(r"(?i)\bexosomes?\b", "vesicles", text).replace("pvesicles", "plant vesicles")
    return template


def _forbidden_rules(market: str) -> list[dict[str, Any]]:
    rules = list(_rules()["forbidden"])
    if market == Market.KR.value:
        rules += [{**r, "category": "kr"} for r in _rules()["kr_banned"]]
    return rules


@lru_cache(maxsize=1)
def _CONCERN_WORD() -> re.Pattern[str]:
    words = [*vocabulary()["concerns"], "fine lines", "wrinkles", "lines"]
    return re.compile(r"\b" + _alternation(words) + r"\b", re.IGNORECASE)


_CLAUSE_BREAK = re.compile(r"[,;:.!?()\u3002\uff0c]|\s(?:but|while|and then)\s", re.IGNORECASE)
_NEGATOR = re.compile(r"\b(not|no|never|cannot|nor|neither|without)\b|n't\b", re.IGNORECASE)
_NOT_A_NEGATION = re.compile(r"\bno (more|longer)\b", re.IGNORECASE)
_HEDGE = re.compile(
    r"\b(appearance|look|looks|looking|feel|feels|feeling|seem\w*)\b|-looking\b", re.IGNORECASE
)
_INNER_TARGET = re.compile(
    r"\b(collagen|elastin|fibroblasts?|genes?|dna|proteins?|cells?|cellular|tissues?|dermis|"
    r"dermal|muscles?|follicles?)\b",
    re.IGNORECASE,
)


def _clause(text: str, match: re.Match[str]) -> tuple[str, int]:
    """The clause around ``match`` and the match's offset in it."""
    start = 0
    for brk in _CLAUSE_BREAK.finditer(text, 0, match.start()):
        start = brk.end()
    end_break = _CLAUSE_BREAK.search(text, match.end())
    end = end_break.start() if end_break else len(text)
    return text[start:end], match.start() - start


def _negated(text: str, match: re.Match[str]) -> bool:
    """'does not treat eczema', 'no FDA-approved ...': a negator before the match in its clause."""
    clause, offset = _clause(text, match)
    before = clause[:offset]
    return bool(_NEGATOR.search(before)) and not _NOT_A_NEGATION.search(before)


def _hedged(text: str, match: re.Match[str]) -> bool:
    """'renew the look of your skin': appearance or feel wording, no cell or tissue target."""
    clause, _ = _clause(text, match)
    return bool(_HEDGE.search(clause)) and not _INNER_TARGET.search(clause)


def normalise(text: str) -> str:
    """Typographic quotes and dashes made plain, so patterns see one spelling.

    Examples
    --------
    >>> normalise("skin\u2019s \u2014 look")
    "skin's - look"
    """
    table = {0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"', 0x2013: "-", 0x2014: "-"}
    return text.translate(table)


def _first_violation(
    text: str, market: str, product_class: str
) -> tuple[dict[str, Any], re.Match[str]] | None:
    text = normalise(text)
    for rule in _forbidden_rules(market):
        if not _applies(rule, market, product_class):
            continue
        for match in _pattern(str(rule["id"])).finditer(text):
            if rule.get("negatable") and _negated(text, match):
                continue
            if rule.get("hedgeable") and _hedged(text, match):
                continue
            return rule, match
    mention = ev_mention(text)
    if (
        product_class == "cosmetic"
        and mention is not None
        and human_material_claim(text)
        and not _negated(text, mention)
    ):
        status, basis = identity_basis(market)
        rule = {
            "id": "human-derived-identity",
            "reason": f"names human-derived cells, media or EVs ({status} in {market})",
            "basis": basis,
            "rewording": "with plant-derived vesicles for a healthy-looking complexion",
        }
        return rule, mention
    if product_class == "cosmetic":
        change = _CONCERN_CHANGE.search(text)
        if change and not _APPEARANCE_WORDS.search(text):
            rule = {
                "id": "missing-appearance",
                "reason": "claims to change the skin itself ('reduces wrinkles'), not its "
                "appearance; 'reduces the appearance of wrinkles' is the cosmetic form",
                "category": "structure",
            }
            return rule, change
        return _outside_vocabulary(text, market)
    return None


def _outside_vocabulary(text: str, market: str) -> tuple[dict[str, Any], re.Match[str]] | None:
    """Fail safe: a word outside the vocabulary of cosmetic claims sends it to review."""
    for unknown in unknown_words(text, market):
        match = re.compile(re.escape(unknown.word)).search(text, unknown.start)
        assert match is not None  # the word was found at this position
        if not _negated(text, match):  # "does not treat eczema" is a disclaimer
            return _vocabulary_rule(market), match
    return None


def _vocabulary_rule(market: str) -> dict[str, Any]:
    return {
        "id": OUTSIDE_VOCABULARY,
        "reason": "is not in exoderm's vocabulary of cosmetic claims, so the wording may "
        "claim more than a cosmetic can; a regulatory reviewer must confirm it before use",
        "basis": f"{_accepted_basis(market, 'cosmetic')}; a wording the checker cannot "
        "read as one of these purposes is referred for review, never accepted",
        "rewording": "{drop_word}",
    }


def _appearance_fix(text: str, match: re.Match[str]) -> str:
    verb, concern = match.group(1), match.group(2)
    return f"visibly {verb.lower()} the appearance of {concern.lower()}"


def _substantiation(text: str, market: str, level: str | None) -> tuple[bool, str, str]:
    kind, required, description_of = required_level(text)
    description = f"{kind} claim: needs {description_of} ({required} or better)"
    if level is None:
        return True, description, ""
    ok = EVIDENCE_LEVELS.index(level) >= EVIDENCE_LEVELS.index(required)
    return ok, description, required


def _graph_check(
    text: str,
    market: str,
    cites: Sequence[str],
    graph: KnowledgeBase | None,
    violation: tuple[dict[str, Any], re.Match[str]] | None,
) -> SubstantiationRead | None:
    """The cited evidence resolved in the graph (``None`` when nothing is cited)."""
    if not cites:
        return None
    kb = graph if graph is not None else load_knowledge_base()
    if violation is None:
        return substantiate(text, market, cites, kb)
    rule, match = violation
    return substantiate(
        text,
        market,
        cites,
        kb,
        rule_id=str(rule["id"]),
        rule_category=str(rule.get("category", "identity")),
        rule_reason=f"'{match.group(0)}' {rule['reason']}",
    )


def check_claim(
    text: str,
    market: str,
    product_class: str,
    evidence_level: str | None = None,
    *,
    cites: Sequence[str] = (),
    graph: KnowledgeBase | None = None,
) -> ClaimVerdict:
    """Check one claim for a market and product class.

    ``evidence_level`` is the best substantiation the claimant holds for this claim
    (one of :data:`EVIDENCE_LEVELS`); if given and below what the claim type requires,
    the claim is rejected under Reg. 655/2013 criterion 3 (EU) or the market's
    equivalent. Without it, an otherwise compliant claim is accepted and the verdict
    states the substantiation still needed.

    ``cites`` names the evidence behind the claim (evidence-claim ids, ``doi:...``,
    ``pmid:...``), resolved in ``graph`` (default: the shipped evidence graph). When any
    cited item is found, the level it reaches replaces the asserted one
    (``evidence_source`` "graph"), and ``substantiation_check`` carries each item and
    the six common criteria.

    Examples
    --------
    >>> v = check_claim("visibly reduces the appearance of wrinkles", "EU", "cosmetic",
    ...                 cites=["lit-park2023-wrinkles"])
    >>> v.accepted, v.evidence_level, v.evidence_source
    (True, 'rct', 'graph')
    """
    market, product_class = _validate(text, market, product_class, evidence_level)
    violation = _first_violation(text, market, product_class)
    check = _graph_check(text, market, cites, graph, violation)
    level, source = evidence_level, ("asserted" if evidence_level is not None else None)
    if check is not None and check.found:
        level, source = check.best_level, "graph"
    ok, needed, required = _substantiation(text, market, level)
    evidence = {"evidence_level": level, "evidence_source": source, "substantiation_check": check}
    if violation is not None:
        rule, match = violation
        template = str(rule.get("rewording", ""))
        rewording = (
            _appearance_fix(text, match)
            if rule["id"] == "missing-appearance"
            else _reword(template, text, match)
        )
        return ClaimVerdict(
            text=text,
            market=market,
            product_class=product_class,
            accepted=False,
            reason=f"'{match.group(0)}' {rule['reason']}",
            rule=_basis(rule, market),
            rewording=_safe_rewording(rewording, market, product_class),
            rule_id=str(rule["id"]),
            substantiation=needed,
            **evidence,
        )
    if not ok:
        resolved = " (resolved from the evidence graph)" if source == "graph" else ""
        return ClaimVerdict(
            text=text,
            market=market,
            product_class=product_class,
            accepted=False,
            reason=f"evidence level {level}{resolved} is below the {required} this claim needs",
            rule=_substantiation_basis(market),
            rewording=_weaker_claim(text),
            rule_id="substantiation",
            substantiation=needed,
            **evidence,
        )
    return ClaimVerdict(
        text=text,
        market=market,
        product_class=product_class,
        accepted=True,
        reason=f"compliant {product_class} wording for {market}; {needed}",
        rule=_accepted_basis(market, product_class),
        substantiation=needed,
        **evidence,
    )


def _accepted_basis(market: str, product_class: str) -> str:
    if product_class != "cosmetic":
        return (
            f"{product_class} claims need the marketing authorisation or clearance of the "
            f"product in {market}; the cosmetic wording rules do not apply"
        )
    return {
        "US": "FD&C Act 201(i): cosmetics may claim to beautify or alter the appearance",
        "EU": "Reg. (EU) 655/2013 common criteria; appearance and feel claims are cosmetic",
        "UK": "Reg. (EU) 655/2013 common criteria as retained in UK law and CAP Code "
        "section 12 (rule 12.1: documentary evidence); appearance and feel claims are "
        "cosmetic",
        "KR": "MFDS 화장품 표시·광고 관리 지침: appearance claims allowed if substantiated",
        "CA": "Food and Drugs Act s. 2 ('cosmetic': cleansing, improving or altering the "
        "complexion, skin, hair or teeth); Health Canada & Advertising Standards Canada "
        "Guidelines for Cosmetic Advertising and Labelling Claims (rev. Feb 2006): "
        "non-therapeutic claims",
        "JP": "PMD Act Art. 2(3); within the MHLW efficacy range for cosmetics "
        "(薬発第1339号, 2000, amended 2011)",
        "TW": "Cosmetic Hygiene and Safety Act (2018) Art. 10: cosmetic wording without "
        "medical efficacy or exaggeration",
        "CN": "化妆品监督管理条例 (2020) and 化妆品功效宣称评价规范 (2021): efficacy claims "
        "need the evaluation the claim category requires",
        "ZA": "Foodstuffs, Cosmetics and Disinfectants Act 54 of 1972: appearance and feel "
        "wording, not a medicine under Act 101 of 1965",
    }.get(market, "appearance and feel wording, the strictest rule of the EU, US and KR")


def _substantiation_basis(market: str) -> str:
    basis = (
        "Reg. (EU) 655/2013 Annex, criterion 3 (evidential support): claims need "
        "adequate and verifiable evidence relevant to the product and the benefit"
    )
    if market == Market.UK.value:
        return basis.replace("Reg. (EU) 655/2013", "Retained Reg. (EU) 655/2013") + (
            "; CAP Code rule 12.1 (objective evidence for claims)"
        )
    return basis


def _weaker_claim(text: str) -> str | None:
    """A feel claim needs only consumer perception: the fallback when evidence is thin."""
    if claim_type(text) == "feel":
        return None
    return "helps skin feel smoother and more comfortable"


def _safe_rewording(rewording: str, market: str, product_class: str) -> str | None:
    """Offer a rewording only if it passes the same rules (else the generic feel claim)."""
    for candidate in (rewording, _GENERIC_FEEL):
        if candidate and _first_violation(candidate, market, product_class) is None:
            return candidate
    return None
