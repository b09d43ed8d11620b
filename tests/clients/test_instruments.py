"""Each instrument against worked examples computed by its published scoring rule.

The expected numbers are worked by hand from the rule quoted in each module's docstring
(e.g. EASI: Σ multiplier × area grade × sum of four signs), including both ends of every
range; invalid input must be rejected with the allowed range in the message.
"""

from __future__ import annotations

from typing import Any

import pytest

from exoderm.clients.instruments import INSTRUMENTS, area_grade, get_instrument
from exoderm.clients.instruments import easi as easi_mod
from exoderm.clients.instruments.base import band
from exoderm.errors import UserInputError

REGIONS = easi_mod.REGIONS
SIGNS = easi_mod.SIGNS


def easi_inputs(
    signs: dict[str, tuple[float, float, float, float]], areas: dict[str, int]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for region in REGIONS:
        for sign, value in zip(SIGNS, signs[region], strict=True):
            out[f"{region}.{sign}"] = value
        out[f"{region}.area"] = areas[region]
    return out


EASI_EXAMPLE = easi_inputs(
    {
        "head_neck": (2, 1, 1, 0),
        "upper_limbs": (2, 2, 1, 1),
        "trunk": (1, 1, 0, 0),
        "lower_limbs": (2.5, 2, 2, 1.5),
    },
    {"head_neck": 2, "upper_limbs": 3, "trunk": 1, "lower_limbs": 4},
)


def test_easi_adult_worked_example() -> None:
    # 0.1×2×4 + 0.2×3×6 + 0.3×1×2 + 0.4×4×8 = 0.8 + 3.6 + 0.6 + 12.8
    result = get_instrument("easi").score(EASI_EXAMPLE)
    assert result.value == pytest.approx(17.8)
    assert result.components["lower_limbs"] == pytest.approx(12.8)
    assert result.band == "moderate"  # Leshem et al. 2015: 7.1–21.0


def test_easi_child_multipliers_apply_up_to_age_7() -> None:
    # 0.2×2×4 + 0.2×3×6 + 0.3×1×2 + 0.3×4×8 = 1.6 + 3.6 + 0.6 + 9.6
    child = get_instrument("easi").score({**EASI_EXAMPLE, "age_years": 7})
    assert child.value == pytest.approx(15.4)
    assert get_instrument("easi").score({**EASI_EXAMPLE, "age_years": 8}).value == pytest.approx(
        17.8
    )


def test_easi_range_ends() -> None:
    zero = easi_inputs({r: (0, 0, 0, 0) for r in REGIONS}, {r: 0 for r in REGIONS})
    top = easi_inputs({r: (3, 3, 3, 3) for r in REGIONS}, {r: 6 for r in REGIONS})
    assert get_instrument("easi").score(zero).value == 0
    assert get_instrument("easi").score(zero).band == "clear"
    assert get_instrument("easi").score(top).value == pytest.approx(72)
    assert get_instrument("easi").score(top).band == "very severe"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.1, "almost clear"),
        (1.0, "almost clear"),
        (1.1, "mild"),
        (7.0, "mild"),
        (7.1, "moderate"),
        (21.0, "moderate"),
        (21.1, "severe"),
        (50.0, "severe"),
        (50.1, "very severe"),
    ],
)
def test_easi_severity_strata_boundaries(value: float, expected: str) -> None:
    assert band(value, easi_mod.BANDS) == expected


@pytest.mark.parametrize(
    ("percent", "grade"),
    [
        (0, 0),
        (1, 1),
        (9, 1),
        (10, 2),
        (29, 2),
        (30, 3),
        (49, 3),
        (50, 4),
        (69, 4),
        (70, 5),
        (89, 5),
        (90, 6),
        (100, 6),
    ],
)
def test_area_grade_bands(percent: float, grade: int) -> None:
    assert area_grade(percent) == grade


def test_easi_area_percent_is_converted() -> None:
    inputs = {k: v for k, v in EASI_EXAMPLE.items() if not k.endswith(".area")}
    inputs.update(
        {
            "head_neck.area_percent": 15,
            "upper_limbs.area_percent": 35,
            "trunk.area_percent": 5,
            "lower_limbs.area_percent": 55,
        }
    )
    assert get_instrument("easi").score(inputs).value == pytest.approx(17.8)


@pytest.mark.parametrize(
    ("item", "value", "expected"),
    [
        ("trunk.erythema", 3.5, "0–3 in steps of 0.5"),
        ("trunk.erythema", 0.3, "0–3 in steps of 0.5"),
        ("trunk.erythema", 0.5, "0, 1, 1.5, 2, 2.5 or 3"),
        ("trunk.erythema", -1, "0–3 in steps of 0.5"),
        ("trunk.area", 7, "0–6 in whole numbers"),
        ("trunk.area", "many", "0–6 in whole numbers"),
    ],
)
def test_easi_rejects_out_of_range_with_allowed_range(item: str, value: Any, expected: str) -> None:
    with pytest.raises(UserInputError) as err:
        get_instrument("easi").score({**EASI_EXAMPLE, item: value})
    assert err.value.problem.location.field == item
    assert expected in str(err.value)


def test_unknown_item_and_instrument_are_named() -> None:
    with pytest.raises(UserInputError, match=r"trunk\.dryness"):
        get_instrument("easi").score({**EASI_EXAMPLE, "trunk.dryness": 1})
    with pytest.raises(UserInputError, match="expected one of"):
        get_instrument("pasi")


SCORAD_EXAMPLE = {
    "extent_percent": 30,
    "erythema": 2,
    "oedema": 1,
    "oozing": 0,
    "excoriation": 2,
    "lichenification": 1,
    "dryness": 2,
    "itch": 6,
    "sleeplessness": 4,
}


def test_scorad_worked_example() -> None:
    # A/5 + 7B/2 + C = 30/5 + 7×8/2 + 10 = 6 + 28 + 10
    result = get_instrument("scorad").score(SCORAD_EXAMPLE)
    assert result.value == pytest.approx(44)
    assert result.components["oSCORAD"] == pytest.approx(34)
    assert result.band == "moderate"


def test_scorad_extent_by_region_uses_the_rule_of_nines() -> None:
    # 50 % of the back (18 %) + all of the left upper limb (9 %) = 9 + 9 = 18 % of the body
    regions = {"back.area_percent": 50, "upper_limb_left.area_percent": 100}
    signs = {k: v for k, v in SCORAD_EXAMPLE.items() if k != "extent_percent"}
    result = get_instrument("scorad").score({**signs, **regions})
    assert result.components["A_extent"] == pytest.approx(18)
    assert result.value == pytest.approx(18 / 5 + 28 + 10)
    with pytest.raises(UserInputError, match="not both"):
        get_instrument("scorad").score({**SCORAD_EXAMPLE, **regions})
    with pytest.raises(UserInputError, match="0–100"):
        get_instrument("scorad").score({**signs, "back.area_percent": 120})


def test_scorad_range_ends_and_bands() -> None:
    top = {**{k: 3 for k in SCORAD_EXAMPLE}, "extent_percent": 100, "itch": 10, "sleeplessness": 10}
    bottom = {k: 0 for k in SCORAD_EXAMPLE}
    assert get_instrument("scorad").score(top).value == pytest.approx(103)
    assert get_instrument("scorad").score(top).components["oSCORAD"] == pytest.approx(83)
    assert get_instrument("scorad").score(top).band == "severe"
    assert get_instrument("scorad").score(bottom).value == 0
    assert get_instrument("scorad").score(bottom).band == "mild"


@pytest.mark.parametrize(
    ("item", "value"), [("extent_percent", 101), ("dryness", 4), ("itch", 10.5)]
)
def test_scorad_rejects_out_of_range(item: str, value: float) -> None:
    with pytest.raises(UserInputError) as err:
        get_instrument("scorad").score({**SCORAD_EXAMPLE, item: value})
    assert err.value.problem.location.field == item


def test_viga_grades_and_range() -> None:
    tool = get_instrument("vIGA-AD")
    assert [tool.score({"grade": g}).band for g in range(5)] == [
        "clear",
        "almost clear",
        "mild",
        "moderate",
        "severe",
    ]
    with pytest.raises(UserInputError, match="0–4"):
        tool.score({"grade": 5})


def test_posas_sums_six_items_without_overall() -> None:
    observer = get_instrument("posas_observer")
    items = {
        "vascularity": 3,
        "pigmentation": 4,
        "thickness": 2,
        "relief": 5,
        "pliability": 2,
        "surface_area": 1,
    }
    result = observer.score({**items, "overall": 9})
    assert result.value == 17
    assert result.components["overall_not_summed"] == 9
    assert observer.score({k: 1 for k in items}).value == 6
    assert observer.score({k: 10 for k in items}).value == 60
    with pytest.raises(UserInputError, match="1–10"):
        observer.score({**items, "relief": 0})
    patient = get_instrument("posas_patient")
    assert (
        patient.score(
            {k: 10 for k in ("pain", "itch", "colour", "stiffness", "thickness", "irregularity")}
        ).value
        == 60
    )


def test_vss_range() -> None:
    tool = get_instrument("vss")
    assert (
        tool.score({"vascularity": 3, "pigmentation": 2, "pliability": 5, "height": 3}).value == 13
    )
    assert (
        tool.score({"vascularity": 1, "pigmentation": 0, "pliability": 2, "height": 1}).value == 4
    )
    with pytest.raises(UserInputError, match="0–2"):
        tool.score({"vascularity": 0, "pigmentation": 3, "pliability": 0, "height": 0})


def test_ecca_weights_and_maximum() -> None:
    tool = get_instrument("ecca")
    kinds = (
        "v_shaped",
        "u_shaped",
        "m_shaped",
        "superficial_elastolysis",
        "hypertrophic_recent",
        "keloid_or_hypertrophic_old",
    )
    assert tool.score({k: 3 for k in kinds}).value == 540
    example = {**{k: 0 for k in kinds}, "v_shaped": 2, "u_shaped": 1, "m_shaped": 1}
    assert tool.score(example).value == 2 * 15 + 20 + 25
    with pytest.raises(UserInputError, match="0–3"):
        tool.score({**example, "m_shaped": 4})


MASI_EXAMPLE = {
    "forehead.area": 2,
    "forehead.darkness": 2,
    "forehead.homogeneity": 1,
    "right_malar.area": 3,
    "right_malar.darkness": 3,
    "right_malar.homogeneity": 2,
    "left_malar.area": 3,
    "left_malar.darkness": 2,
    "left_malar.homogeneity": 2,
    "chin.area": 1,
    "chin.darkness": 1,
    "chin.homogeneity": 1,
}


def test_masi_and_mmasi_worked_example() -> None:
    # MASI: 0.3×2×3 + 0.3×3×5 + 0.3×3×4 + 0.1×1×2 = 1.8 + 4.5 + 3.6 + 0.2
    assert get_instrument("masi").score(MASI_EXAMPLE).value == pytest.approx(10.1)
    # mMASI drops homogeneity: 0.3×2×2 + 0.3×3×3 + 0.3×3×2 + 0.1×1×1
    modified = {k: v for k, v in MASI_EXAMPLE.items() if not k.endswith("homogeneity")}
    assert get_instrument("mmasi").score(modified).value == pytest.approx(5.8)


def test_masi_range_ends() -> None:
    top = {k: (6 if k.endswith("area") else 4) for k in MASI_EXAMPLE}
    assert get_instrument("masi").score(top).value == pytest.approx(48)
    top_m = {k: v for k, v in top.items() if not k.endswith("homogeneity")}
    assert get_instrument("mmasi").score(top_m).value == pytest.approx(24)
    with pytest.raises(UserInputError, match="0–4"):
        get_instrument("masi").score({**MASI_EXAMPLE, "chin.darkness": 5})
    with pytest.raises(UserInputError, match="homogeneity"):
        get_instrument("mmasi").score(MASI_EXAMPLE)


def _fitz(total: int) -> dict[str, int]:
    answers = [4] * (total // 4) + ([total % 4] if total % 4 else [])
    answers += [0] * (10 - len(answers))
    return {f"q{i + 1}": a for i, a in enumerate(answers)}


@pytest.mark.parametrize(
    ("total", "version", "expected"),
    [
        (0, "a", "I"),
        (6, "a", "I"),
        (7, "a", "II"),
        (13, "a", "II"),
        (14, "a", "III"),
        (20, "a", "III"),
        (21, "a", "IV"),
        (27, "a", "IV"),
        (28, "a", "V"),
        (34, "a", "V"),
        (35, "a", "VI"),
        (40, "a", "VI"),
        (7, "b", "I"),
        (8, "b", "II"),
        (16, "b", "II"),
        (17, "b", "III"),
        (26, "b", "IV"),
        (30, "b", "IV"),
        (31, "b", "V"),
    ],
)
def test_fitzpatrick_bands(total: int, version: str, expected: str) -> None:
    result = get_instrument("fitzpatrick").score({**_fitz(total), "band_version": version})
    assert result.value == total
    assert result.band == expected


def test_fitzpatrick_version_b_conflicts_are_noted() -> None:
    overlap = get_instrument("fitzpatrick").score({**_fitz(25), "band_version": "b"})
    assert overlap.band == "III" and "overlaps" in overlap.note
    top = get_instrument("fitzpatrick").score({**_fitz(35), "band_version": "b"})
    assert "V from VI" in top.note
    with pytest.raises(UserInputError, match="0–4"):
        get_instrument("fitzpatrick").score({**_fitz(10), "q3": 5})


def test_glogau_gais_lemperle() -> None:
    assert get_instrument("glogau").score({"type": 3}).band.startswith("III")
    for bad in (0, 5):
        with pytest.raises(UserInputError, match="1–4"):
            get_instrument("glogau").score({"type": bad})
    gais = get_instrument("gais")
    assert gais.score({"grade": 1}).band == "very much improved"
    assert gais.score({"grade": 5, "rater": "subject"}).band == "worse"
    with pytest.raises(UserInputError, match="investigator or subject"):
        gais.score({"grade": 3, "rater": "nurse"})
    lemperle = get_instrument("lemperle")
    assert lemperle.score({"forehead": 2, "nasolabial": 4}).value == 3
    assert lemperle.score({"glabella": 0}).value == 0
    assert lemperle.score({"glabella": 5}).value == 5
    with pytest.raises(UserInputError, match="0–5"):
        lemperle.score({"forehead": 6})
    with pytest.raises(UserInputError, match="at least one"):
        lemperle.score({})


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (0, "no effect"),
        (1, "no effect"),
        (2, "small effect"),
        (5, "small effect"),
        (6, "moderate effect"),
        (10, "moderate effect"),
        (11, "very large effect"),
        (20, "very large effect"),
        (21, "extremely large effect"),
        (30, "extremely large effect"),
    ],
)
def test_dlqi_bands(total: int, expected: str) -> None:
    answers = [3] * (total // 3) + ([total % 3] if total % 3 else [])
    answers += [0] * (10 - len(answers))
    result = get_instrument("dlqi").score({f"q{i + 1}": a for i, a in enumerate(answers)})
    assert result.value == total
    assert result.band == expected


def test_devices_validate_range_and_site() -> None:
    assert get_instrument("tewl").score({"value": 12.5, "site": "left cheek"}).value == 12.5
    with pytest.raises(UserInputError, match="≥ 0"):
        get_instrument("tewl").score({"value": -1, "site": "left cheek"})
    with pytest.raises(UserInputError, match="site"):
        get_instrument("tewl").score({"value": 10})
    assert get_instrument("corneometer").score({"value": 120, "site": "forearm"}).value == 120
    with pytest.raises(UserInputError, match="0–120"):
        get_instrument("corneometer").score({"value": 121, "site": "forearm"})
    with pytest.raises(UserInputError, match="0–1"):
        get_instrument("elasticity").score({"value": 1.2, "site": "cheek"})


def test_every_instrument_names_its_source_and_range() -> None:
    for code, tool in INSTRUMENTS.items():
        assert tool.info.source, code
        assert tool.info.maximum is None or tool.info.maximum > tool.info.minimum
    clinician_only = {c for c, t in INSTRUMENTS.items() if t.info.clinician_only}
    assert clinician_only == {"easi", "scorad", "viga_ad"}
