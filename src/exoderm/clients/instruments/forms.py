"""What a clinician sees when entering an instrument: item labels and answer choices.

Each form lists its items in sections (a body region, a facial zone, a scale), each item
with a label and either its answer choices with their scores or a number range with its
unit. The field names are the instrument's own (``Instrument.fields``), so a filled form
is scored by the instrument unchanged.

Licences: the EASI, SCORAD, MASI/mMASI and POSAS 2.0 scoring sheets are published for
clinical use, and their sign names and grade labels are shown. The DLQI's item wording is
copyright of A. Y. Finlay and G. K. Khan (1992) and may not be reprinted without their
permission, so its form shows each item's number and a short neutral descriptor of the
life domain it covers (Finlay & Khan 1994) with the published response scale and scores;
the patient answers the licensed questionnaire.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from exoderm.clients.instruments import easi, scorad
from exoderm.clients.instruments.base import Instrument


@dataclass(frozen=True)
class Choice:
    """One answer: the value stored and scored, and what the clinician reads."""

    value: str
    label: str


@dataclass(frozen=True)
class FormItem:
    """One input: its field, label, and either choices or a number range."""

    field: str
    label: str
    choices: tuple[Choice, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    unit: str = ""
    required: bool = True


@dataclass(frozen=True)
class FormSection:
    """A group of items (a body region, a facial zone, a scale)."""

    title: str
    items: tuple[FormItem, ...]
    note: str = ""


@dataclass(frozen=True)
class InstrumentForm:
    """The entry form of one instrument and the licence note shown with it."""

    code: str
    sections: tuple[FormSection, ...]
    licence: str = ""
    fields: tuple[str, ...] = field(default=())


def _choices(*pairs: tuple[float | str, str]) -> tuple[Choice, ...]:
    out = []
    for value, label in pairs:
        text = (
            str(value)
            if not isinstance(value, float) or not value.is_integer()
            else str(int(value))
        )
        out.append(Choice(text, f"{text} — {label}"))
    return tuple(out)


# ---------------------------------------------------------------- DLQI
DLQI_DOMAINS = (
    "Symptoms: skin sensations",
    "Feelings: emotional impact of the skin condition",
    "Daily activities: household and shopping",
    "Daily activities: choice of clothes",
    "Leisure: social and leisure activities",
    "Leisure: sport",
    "Work or study",
    "Personal relationships",
    "Sexual difficulties",
    "Treatment: burden of treatment",
)
_DLQI_SCALE = ((3, "very much"), (2, "a lot"), (1, "a little"), (0, "not at all"))
_DLQI_Q7 = (
    (3, "yes, prevented work or study"),
    (2, "no, but a lot of problem"),
    (1, "no, but a little problem"),
    (0, "not at all"),
)


def _dlqi_item(number: int) -> FormItem:
    scale = _DLQI_Q7 if number == 7 else _DLQI_SCALE
    relevant = () if number in (1, 2) else ((0, "not relevant"),)
    return FormItem(
        field=f"q{number}",
        label=f"Item {number} · {DLQI_DOMAINS[number - 1]}",
        choices=(
            *_choices(*scale),
            *(Choice("0", "0 — not relevant") for _ in relevant),
        ),
    )


DLQI_FORM = InstrumentForm(
    code="dlqi",
    sections=(
        FormSection(
            "Answers over the last week",
            tuple(_dlqi_item(n) for n in range(1, 11)),
            note="Unanswered items are not accepted: ask the client to complete every item.",
        ),
    ),
    licence="DLQI © A. Y. Finlay, G. K. Khan, April 1992. The item wording is copyright and "
    "is not reproduced here: each item shows its number and the life domain it covers, "
    "with the published scores (0–3). The client answers the licensed questionnaire "
    "(free for routine clinical use; the copyright statement must be printed on it).",
)

# ---------------------------------------------------------------- EASI
_EASI_SIGN_LABELS = {
    "erythema": "Erythema (redness)",
    "induration": "Induration, papulation, oedema (thickness)",
    "excoriation": "Excoriation (scratching)",
    "lichenification": "Lichenification (lined, thickened skin)",
}
_EASI_GRADES = _choices(
    (0, "none"),
    (1, "mild"),
    (1.5, "mild to moderate"),
    (2, "moderate"),
    (2.5, "moderate to severe"),
    (3, "severe"),
)
_EASI_REGIONS = {
    "head_neck": "Head and neck",
    "upper_limbs": "Upper limbs",
    "trunk": "Trunk (including genitals)",
    "lower_limbs": "Lower limbs (including buttocks)",
}
#: The area grade (0–6) by % of the region affected (Hanifin et al. 2001).
AREA_GRADES = _choices(
    (0, "none (0 %)"),
    (1, "1–9 %"),
    (2, "10–29 %"),
    (3, "30–49 %"),
    (4, "50–69 %"),
    (5, "70–89 %"),
    (6, "90–100 %"),
)
_AREA_NOTE = (
    "Area: choose the grade, or type the % of the region affected and it is converted "
    "(0 none, 1: 1–9 %, 2: 10–29 %, 3: 30–49 %, 4: 50–69 %, 5: 70–89 %, 6: 90–100 %); "
    "not both."
)


def _percent(fieldname: str, label: str, *, required: bool = True) -> FormItem:
    return FormItem(fieldname, label, minimum=0, maximum=100, step=0.1, unit="%", required=required)


def _area(region: str, title: str) -> tuple[FormItem, FormItem]:
    """The area of a region: its 0–6 grade, or the % affected (either one)."""
    return (
        FormItem(f"{region}.area", f"{title}: area grade", choices=AREA_GRADES, required=False),
        _percent(f"{region}.area_percent", f"{title}: area affected", required=False),
    )


def _multiplier(region: str) -> str:
    adult, child = easi.ADULT_MULTIPLIERS[region], easi.CHILD_MULTIPLIERS[region]
    return f"multiplier {adult:g} (age 8 years or more), {child:g} (age 7 years or less)"


EASI_FORM = InstrumentForm(
    code="easi",
    sections=(
        FormSection(
            "Patient",
            (
                FormItem(
                    "age_years",
                    "Age (children 7 years or younger use the child multipliers)",
                    minimum=0,
                    maximum=130,
                    step=1,
                    unit="years",
                    required=False,
                ),
            ),
        ),
        *(
            FormSection(
                title,
                (
                    *_area(region, title),
                    *(
                        FormItem(f"{region}.{sign}", label, choices=_EASI_GRADES)
                        for sign, label in _EASI_SIGN_LABELS.items()
                    ),
                ),
                note=f"Region {_multiplier(region)}. {_AREA_NOTE}",
            )
            for region, title in _EASI_REGIONS.items()
        ),
    ),
    licence="EASI: Hanifin et al., Exp Dermatol 2001;10:11 (free to use); scoring as in "
    "Hanifin et al., Dermatitis 2022 (half points only between 1 and 3). EASI = Σ region "
    "multiplier × area grade × (sum of the four signs); bands Leshem et al. 2015.",
)

# ---------------------------------------------------------------- SCORAD
_SCORAD_SIGNS = {
    "erythema": "Erythema (redness)",
    "oedema": "Oedema / papulation (swelling)",
    "oozing": "Oozing / crusts",
    "excoriation": "Excoriation (scratch marks)",
    "lichenification": "Lichenification (skin thickening)",
    "dryness": "Dryness (on uninvolved skin)",
}
_SCORAD_REGIONS = {
    "head_neck": "Head and neck",
    "upper_limb_left": "Left upper limb",
    "upper_limb_right": "Right upper limb",
    "anterior_trunk": "Anterior trunk",
    "back": "Back",
    "lower_limb_left": "Left lower limb",
    "lower_limb_right": "Right lower limb",
    "genitals": "Genitals",
}
_SCORAD_GRADES = _choices((0, "none"), (1, "mild"), (2, "moderate"), (3, "severe"))


def _vas(fieldname: str, label: str) -> FormItem:
    return FormItem(fieldname, label, minimum=0, maximum=10, step=0.1, unit="cm (0–10)")


SCORAD_FORM = InstrumentForm(
    code="scorad",
    sections=(
        FormSection(
            "A · Extent by region (rule of nines)",
            tuple(
                _percent(
                    f"{region}.area_percent",
                    f"{title} ({scorad.RULE_OF_NINES[region]:g} % of the body): % affected",
                    required=False,
                )
                for region, title in _SCORAD_REGIONS.items()
            ),
            note="Type the % of each region affected; A = Σ region share × % affected. "
            "Regions left empty count as unaffected.",
        ),
        FormSection(
            "A · or the extent as a total",
            (
                _percent(
                    "extent_percent",
                    "Body surface area affected, total (instead of the regions)",
                    required=False,
                ),
            ),
            note="Children under 2 years: the sheet weights head and neck 17 % and each "
            "lower limb 12 %; enter the total here.",
        ),
        FormSection(
            "B · Intensity (on a representative area)",
            tuple(FormItem(k, v, choices=_SCORAD_GRADES) for k, v in _SCORAD_SIGNS.items()),
        ),
        FormSection(
            "C · Symptoms over the last 3 days and nights (visual analogue scale)",
            (_vas("itch", "Itch"), _vas("sleeplessness", "Sleeplessness")),
        ),
    ),
    licence="SCORAD: European Task Force on Atopic Dermatitis, Dermatology 1993; "
    "SCORAD = A/5 + 7B/2 + C; bands mild < 25, moderate 25–50, severe > 50 (Kunz et al. "
    "1997).",
)

# ---------------------------------------------------------------- POSAS 2.0
_POSAS_RANGE = tuple(
    Choice(str(v), f"{v}" + {1: " — like normal skin", 10: " — worst imaginable"}.get(v, ""))
    for v in range(1, 11)
)


def _posas(code: str, items: dict[str, str], who: str) -> InstrumentForm:
    rows = tuple(FormItem(k, v, choices=_POSAS_RANGE) for k, v in items.items())
    overall = FormItem(
        "overall", "Overall opinion (recorded, not summed)", choices=_POSAS_RANGE, required=False
    )
    return InstrumentForm(
        code=code,
        sections=(FormSection(who, (*rows, overall), note="1 = like normal skin, 10 = worst."),),
        licence="POSAS: Draaijers et al., Plast Reconstr Surg 2004; POSAS 2.0 van de Kar et "
        "al. 2005. Since May 2020 the POSAS authors require a licence agreement for its use "
        "(free for non-commercial clinical use, a fee for commercial use; posas.nl). The "
        "form shows the item names and the 1–10 scale only, not the questionnaire wording.",
    )


POSAS_OBSERVER_FORM = _posas(
    "posas_observer",
    {
        "vascularity": "Vascularity",
        "pigmentation": "Pigmentation",
        "thickness": "Thickness",
        "relief": "Relief",
        "pliability": "Pliability",
        "surface_area": "Surface area",
    },
    "Observer scale (clinician)",
)
POSAS_PATIENT_FORM = _posas(
    "posas_patient",
    {
        "pain": "Pain",
        "itch": "Itching",
        "colour": "Colour",
        "stiffness": "Stiffness",
        "thickness": "Thickness",
        "irregularity": "Irregularity",
    },
    "Patient scale (the client rates their scar)",
)

# ---------------------------------------------------------------- MASI / mMASI
_MASI_ZONES = {
    "forehead": "Forehead (30 %)",
    "right_malar": "Right malar (30 %)",
    "left_malar": "Left malar (30 %)",
    "chin": "Chin (10 %)",
}
_MASI_GRADES = _choices((0, "absent"), (1, "slight"), (2, "mild"), (3, "marked"), (4, "maximum"))
_HOMOGENEITY = _choices((0, "minimal"), (1, "slight"), (2, "mild"), (3, "marked"), (4, "maximum"))


def _masi(code: str, with_homogeneity: bool, source: str) -> InstrumentForm:
    sections = []
    for zone, title in _MASI_ZONES.items():
        items = [
            FormItem(f"{zone}.area", f"{title}: area grade", choices=AREA_GRADES, required=False),
            _percent(f"{zone}.area_percent", f"{title}: area involved", required=False),
            FormItem(f"{zone}.darkness", "Darkness", choices=_MASI_GRADES),
        ]
        if with_homogeneity:
            items.append(FormItem(f"{zone}.homogeneity", "Homogeneity", choices=_HOMOGENEITY))
        sections.append(FormSection(title, tuple(items), note=_AREA_NOTE))
    return InstrumentForm(code=code, sections=tuple(sections), licence=source)


MASI_FORM = _masi("masi", True, "MASI: Kimbrough-Green et al., Arch Dermatol 1994.")
MMASI_FORM = _masi("mmasi", False, "mMASI: Pandya et al., J Am Acad Dermatol 2011.")

FORMS: dict[str, InstrumentForm] = {
    f.code: f
    for f in (
        DLQI_FORM,
        EASI_FORM,
        SCORAD_FORM,
        POSAS_OBSERVER_FORM,
        POSAS_PATIENT_FORM,
        MASI_FORM,
        MMASI_FORM,
    )
}


def _generic(instrument: Instrument) -> InstrumentForm:
    items = tuple(
        FormItem(name, name.replace("_", " ").replace(".", " · ").capitalize(), required=False)
        for name in instrument.fields
    )
    return InstrumentForm(instrument.info.code, (FormSection(instrument.info.name, items),))


def form_for(instrument: Instrument) -> InstrumentForm:
    """The entry form of ``instrument``: labelled items with choices where published.

    Parameters
    ----------
    instrument
        An instrument from :data:`exoderm.clients.instruments.INSTRUMENTS`.

    Returns
    -------
    InstrumentForm
        Sections of labelled items; every field is one of ``instrument.fields``.
        Instruments without a dedicated form get one number box per field.

    References
    ----------
    Finlay AY, Khan GK (1994). Dermatology Life Quality Index (DLQI) — a simple practical
    measure for routine clinical use. Clin Exp Dermatol 19:210–216.
    doi:10.1111/j.1365-2230.1994.tb01167.x

    Hanifin JM, Baghoomian W, Grinich E, Leshem YA, Jacobson M, Simpson EL (2022). The
    Eczema Area and Severity Index — a practical guide. Dermatitis 33(3):187–192.
    doi:10.1097/DER.0000000000000895

    European Task Force on Atopic Dermatitis (1993). Severity scoring of atopic
    dermatitis: the SCORAD index. Dermatology 186(1):23–31. doi:10.1159/000247298

    Draaijers LJ, Tempelman FRH, Botman YAM, et al. (2004). The Patient and Observer Scar
    Assessment Scale: a reliable and feasible tool for scar evaluation. Plast Reconstr
    Surg 113(7):1960–1965. doi:10.1097/01.PRS.0000122207.28773.56

    Kimbrough-Green CK, Griffiths CEM, Finkel LJ, et al. (1994). Topical retinoic acid
    (tretinoin) for melasma in black patients. Arch Dermatol 130(6):727–733.
    doi:10.1001/archderm.1994.01690060057005

    Examples
    --------
    >>> from exoderm.clients.instruments import INSTRUMENTS
    >>> form = form_for(INSTRUMENTS["dlqi"])
    >>> [c.label for c in form.sections[0].items[6].choices][0]
    '3 — yes, prevented work or study'
    >>> len([i for s in form_for(INSTRUMENTS["easi"]).sections for i in s.items])
    25
    """
    form = FORMS.get(instrument.info.code) or _generic(instrument)
    names = tuple(item.field for section in form.sections for item in section.items)
    unknown = set(names) - set(instrument.fields)
    if unknown:  # a form must only ever post fields the instrument scores
        raise ValueError(f"form of {instrument.info.code} has unknown fields {sorted(unknown)}")
    return InstrumentForm(form.code, form.sections, form.licence, names)
