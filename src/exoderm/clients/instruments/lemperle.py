"""Lemperle wrinkle assessment scale (WAS): photo-guided classes 0–5 per facial site.

Lemperle et al., Plast Reconstr Surg 2001;108:1735 (abstract: same class given to
92.7 % of 76 wrinkles rated live and 89.4 % of 130 photographed). Classes: 0 none,
1 just perceptible, 2 shallow, 3 moderately deep, 4 deep with well-defined edges,
5 very deep, redundant fold (descriptor wording unverified). The published scale rates
each site separately; exoderm's single number is the **mean class of the sites rated**
(our summary, not Lemperle's), and the per-site classes are kept as components.
A change of 1 class is taken as meaningful (assumed, unverified).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exoderm.clients.instruments.base import (
    Direction,
    Instrument,
    InstrumentInfo,
    InstrumentScore,
    Responder,
    number,
)
from exoderm.errors import UserInputError

SITES = (
    "forehead",
    "glabella",
    "periorbital",
    "nasolabial",
    "upper_lip",
    "lower_lip",
    "marionette",
    "neck",
)
CLASSES = (
    "none",
    "just perceptible",
    "shallow",
    "moderately deep",
    "deep",
    "very deep, redundant fold",
)

INFO = InstrumentInfo(
    code="lemperle",
    name="Lemperle wrinkle assessment scale",
    measures="wrinkle depth per facial site",
    minimum=0,
    maximum=5,
    unit="class (mean of sites)",
    direction=Direction.higher_is_worse,
    source="Lemperle et al., Plast Reconstr Surg 2001;108:1735",
    responders=(Responder("1 class", absolute=1, source="assumed [U]", verified=False),),
)


def score(inputs: Mapping[str, Any]) -> InstrumentScore:
    rated = {site: number(inputs, site, 0, 5) for site in SITES if inputs.get(site) is not None}
    if not rated:
        raise UserInputError(
            "no site rated",
            field="site",
            expected="a class 0–5 for at least one of " + ", ".join(SITES),
        )
    mean = round(sum(rated.values()) / len(rated), 4)
    return InstrumentScore("lemperle", mean, CLASSES[round(mean)], dict(rated), dict(rated))


INSTRUMENT = Instrument(INFO, score, SITES)
