"""Contraindication screening: the client's flags against the rules in ``data/*.yaml``.

Rules are data, each with its source and severity, so a reviewer can read and change
them without reading code. Every verdict names the rule that produced it. An option is
*blocked* when any rule blocks or postpones it; *warnings* are relative
contraindications (physician review) and precautions.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from exoderm.clients.profile import ClientProfile, Isotretinoin
from exoderm.errors import Location as Loc
from exoderm.errors import Problem, ValidationFailed, problems_from_validation
from exoderm.markets import Market

#: Markets whose cosmetics law prohibits human-origin ingredients (EU Regulation (EC)
#: No 1223/2009 Annex II entry 416; China, Inventory of Prohibited Cosmetic Ingredients
#: 2021 item 390; the UK retained the EU Annex II list, SI 2019/696 Schedule 34).
HUMAN_EV_PROHIBITED_MARKETS: frozenset[Market] = frozenset({Market.EU, Market.UK, Market.CN})
#: Markets with their own screening flag (Korea: exosome wording rules).
FLAGGED_MARKETS: dict[Market, str] = {Market.KR: "market_kr"}
#: Ingredient kinds that rules name (as opposed to single catalogue ingredients).
INGREDIENT_KINDS = frozenset({"human-derived EV", "plant-derived EV"})


class Action(StrEnum):
    block = "block"
    postpone = "postpone"
    review = "review"
    caution = "caution"

    @property
    def blocks(self) -> bool:
        return self in (Action.block, Action.postpone)


class Applies(BaseModel):
    model_config = ConfigDict(extra="forbid")

    procedures: list[str] | Literal["in_clinic", "all"] | None = None
    ingredients: list[str] | Literal["from_allergies"] | None = None


class Rule(BaseModel):
    """One screening rule as written in ``screening_rules.yaml``."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    when: list[str]
    applies: Applies
    action: Action
    severity: Literal["absolute", "relative", "precaution", "legal"]
    reason: str
    source: str


class Procedure(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    in_clinic: bool
    injectable: bool
    energy: Literal["none", "mechanical", "chemical", "non_ablative", "ablative"]


class Verdict(BaseModel):
    """What one rule says about one option."""

    model_config = ConfigDict(frozen=True)

    option: str
    kind: Literal["procedure", "ingredient"]
    rule: str
    action: str
    severity: str
    reason: str
    source: str

    def row(self) -> dict[str, Any]:
        return self.model_dump()


class ScreeningResult(BaseModel):
    """Blocked options and warnings, each with its rule; plus what remains allowed."""

    flags: list[str]
    blocked: list[Verdict] = Field(default_factory=list)
    warnings: list[Verdict] = Field(default_factory=list)
    allowed_procedures: list[str] = Field(default_factory=list)
    review_procedures: list[str] = Field(
        default_factory=list,
        description="allowed procedures a physician must approve first (a 'review' rule hits)",
    )
    excluded_ingredients: list[str] = Field(default_factory=list)

    def blockers_of(self, option: str) -> list[Verdict]:
        return [v for v in self.blocked if v.option == option]

    def warnings_for(self, option: str) -> list[Verdict]:
        return [v for v in self.warnings if v.option == option]

    def rows(self) -> list[dict[str, Any]]:
        out = [{"status": "blocked", **v.row()} for v in self.blocked]
        out += [{"status": "warning", **v.row()} for v in self.warnings]
        return out

    def grouped_rows(self) -> list[dict[str, Any]]:
        """:meth:`rows` with one row per cause: the options a rule hits share its row.

        Examples
        --------
        >>> v = dict(kind="procedure", rule="pih", action="caution", severity="relative",
        ...          reason="PIH risk", source="s")
        >>> r = ScreeningResult(flags=[], warnings=[Verdict(option="peel", **v),
        ...                                         Verdict(option="laser", **v)])
        >>> [(g["option"], g["rule"]) for g in r.grouped_rows()]
        [('peel, laser', 'pih')]
        """
        grouped: dict[tuple[str, str, str], dict[str, Any]] = {}
        for row in self.rows():
            key = (row["status"], row["rule"], row["reason"])
            if key in grouped:
                grouped[key]["option"] += f", {row['option']}"
            else:
                grouped[key] = dict(row)
        return list(grouped.values())


def _load_yaml(name: str) -> Any:
    text = resources.files("exoderm.clients").joinpath("data", name).read_text("utf-8")
    return yaml.safe_load(text)


@lru_cache(maxsize=1)
def procedures() -> dict[str, Procedure]:
    """The procedures a regimen may use (``data/procedures.yaml``)."""
    data = _load_yaml("procedures.yaml")["procedures"]
    return {key: Procedure.model_validate(value) for key, value in data.items()}


@lru_cache(maxsize=1)
def rules() -> tuple[Rule, ...]:
    """The screening rules (``data/screening_rules.yaml``), validated once."""
    raw = _load_yaml("screening_rules.yaml")["rules"]
    problems: list[Problem] = []
    parsed: list[Rule] = []
    known = set(procedures())
    for i, item in enumerate(raw):
        try:
            rule = Rule.model_validate(item)
        except ValidationError as exc:
            problems += [
                Problem(
                    p.message, Loc("screening_rules.yaml", None, f"rules[{i}].{p.location.field}")
                )
                for p in problems_from_validation(exc)
            ]
            continue
        listed = rule.applies.procedures
        if isinstance(listed, list) and not set(listed) <= known:
            problems.append(
                Problem(
                    f"unknown procedure(s) {sorted(set(listed) - known)}",
                    Loc("screening_rules.yaml", None, f"{rule.id}.applies"),
                )
            )
        parsed.append(rule)
    if problems:
        raise ValidationFailed(problems, subject="screening rules")
    return tuple(parsed)


@lru_cache(maxsize=1)
def _medication_table() -> dict[str, str]:
    """Medicine name → flag (``data/medications.yaml``, WHO ATC classes)."""
    data = _load_yaml("medications.yaml")["flags"]
    return {name: flag for flag, spec in data.items() for name in spec["names"]}


def medication_flags(medications: list[str]) -> set[str]:
    """Flags implied by listed medicines, matched on whole words ('warfarin 5 mg' counts)."""
    table = _medication_table()
    found: set[str] = set()
    for entry in medications:
        text = f" {entry.lower()} "
        found |= {flag for name, flag in table.items() if f" {name} " in text}
    return found


def client_flags(profile: ClientProfile) -> set[str]:
    """The facts about a client that rules test, derived from the profile."""
    flags = {name for name, value in profile.history.model_dump().items() if value is True}
    if profile.pregnant:
        flags.add("pregnant")
    if profile.breastfeeding:
        flags.add("breastfeeding")
    if profile.history.isotretinoin in (Isotretinoin.current, Isotretinoin.stopped_within_6_months):
        flags.add("isotretinoin_recent")
    flags |= medication_flags(profile.medications)
    phototype = profile.fitzpatrick.phototype if profile.fitzpatrick else None
    if phototype is not None and (phototype >= 4 or (phototype >= 3 and profile.asian_ancestry)):
        flags.add("pih_risk")
    if profile.allergies:
        flags.add("allergy")
    if profile.market in HUMAN_EV_PROHIBITED_MARKETS:
        flags.add("market_prohibits_human_ev")
    if profile.market in FLAGGED_MARKETS:
        flags.add(FLAGGED_MARKETS[profile.market])
    return flags


def _procedures_of(rule: Rule) -> list[str]:
    listed = rule.applies.procedures
    if listed is None:
        return []
    if listed == "all":
        return list(procedures())
    if listed == "in_clinic":
        return [k for k, p in procedures().items() if p.in_clinic]
    return list(listed)


def _ingredients_of(rule: Rule, profile: ClientProfile) -> list[str]:
    listed = rule.applies.ingredients
    if listed is None:
        return []
    if listed == "from_allergies":
        return list(profile.allergies)
    return list(listed)


def screen(profile: ClientProfile) -> ScreeningResult:
    """Apply every rule to ``profile``; pure (no storage, no audit)."""
    flags = client_flags(profile)
    result = ScreeningResult(flags=sorted(flags))
    for rule in rules():
        if not set(rule.when) <= flags:
            continue
        targets: list[tuple[str, Literal["procedure", "ingredient"]]] = [
            (p, "procedure") for p in _procedures_of(rule)
        ] + [(i, "ingredient") for i in _ingredients_of(rule, profile)]
        for option, kind in targets:
            verdict = Verdict(
                option=option,
                kind=kind,
                rule=rule.id,
                action=rule.action.value,
                severity=rule.severity,
                reason=rule.reason,
                source=rule.source,
            )
            (result.blocked if rule.action.blocks else result.warnings).append(verdict)
    blocked = {v.option for v in result.blocked}
    result.allowed_procedures = [p for p in procedures() if p not in blocked]
    review = {v.option for v in result.warnings if v.action == Action.review.value}
    result.review_procedures = [p for p in result.allowed_procedures if p in review]
    result.excluded_ingredients = sorted(
        {v.option for v in result.blocked if v.kind == "ingredient"}
    )
    return result
