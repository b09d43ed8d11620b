"""Annex limits, checked against the cells of the vendored Commission files themselves."""

from __future__ import annotations

import csv
import io
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exoderm.design.annex_limits import (
    ANNEX_STATE,
    all_annex_limits,
    annex_limits,
    annex_state,
    limit_for,
    max_percent_of,
    prohibited,
    split_clauses,
)
from exoderm.errors import UserInputError


def _cell(annex: str, reference: str, column: str) -> str:
    """The cell as the Commission's file prints it, read with the standard library only."""
    text = (resources.files("on_the_list") / "data" / f"annex_{annex}.csv").read_text("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[4]
    row = next(r for r in rows[5:] if r and r[0].strip() == reference)
    return row[header.index(column)]


MAX = "Maximum concentration in ready for use preparation"


def test_the_vendored_files_are_the_stated_state() -> None:
    assert {annex_state(a) for a in ("II", "III", "V", "VI")} == {ANNEX_STATE}


def test_phenoxyethanol_leave_on_is_one_percent() -> None:
    assert _cell("V", "29", MAX) == "1.0%"
    limit = limit_for("Phenoxyethanol", "leave-on")
    assert limit is not None
    assert (limit.annex, limit.entry, limit.max_percent, limit.allowed) == ("V", "29", 1.0, True)
    assert limit.citation == "Reg. (EC) 1223/2009 Annex V entry 29"


def test_sodium_benzoate_differs_by_route_as_annex_v_entry_1_says() -> None:
    cell = _cell("V", "1", MAX)
    assert "a) 2.5% (acid)" in cell and "c) 0.5% (acid)" in cell
    leave, rinse = (
        limit_for("sodium benzoate", "leave-on"),
        limit_for("SODIUM BENZOATE", "rinse-off"),
    )
    assert leave is not None and rinse is not None
    assert (leave.clause, leave.max_percent) == ("c", 0.5)
    assert (rinse.clause, rinse.max_percent) == ("a", 2.5)
    assert "Leave-on" in leave.product_types and "Rinse-off" in rinse.product_types
    # the oral-care clause (b) 1.7 % applies to neither skin route
    oral = [lim for lim in annex_limits("Sodium Benzoate") if lim.clause == "b"]
    assert oral[0].max_percent == 1.7 and oral[0].routes == ()


def test_methylisothiazolinone_is_rinse_off_only() -> None:
    assert "Rinse-off" in _cell("V", "57", MAX)
    leave = limit_for("Methylisothiazolinone", "leave-on")
    rinse = limit_for("Methylisothiazolinone", "rinse-off")
    assert leave is not None and rinse is not None
    assert leave.allowed is False
    assert rinse.allowed is True and rinse.max_percent == pytest.approx(0.0015)


def test_salicylic_acid_binds_at_the_lowest_applicable_clause() -> None:
    limits = {(lim.annex, lim.entry, lim.clause): lim for lim in annex_limits("Salicylic Acid")}
    assert limits[("III", "98", "a")].max_percent == 3.0
    assert limits[("III", "98", "a")].routes == ("rinse-off",)
    assert limits[("III", "98", "b")].max_percent == 2.0
    assert limits[("V", "3", None)].max_percent == 0.5
    leave = limit_for("Salicylic Acid", "leave-on")
    assert leave is not None and leave.max_percent == 0.5


def test_a_uv_filter_from_annex_vi() -> None:
    assert _cell("VI", "8", MAX) == "5%"
    limit = limit_for("Butyl Methoxydibenzoylmethane", "leave-on")
    assert limit is not None and (limit.annex, limit.max_percent) == ("VI", 5.0)
    octocrylene = {lim.clause: lim.max_percent for lim in annex_limits("Octocrylene")}
    assert octocrylene == {"a": 9.0, "b": 10.0}


def test_a_name_in_no_annex_has_no_limit() -> None:
    assert annex_limits("Glycerin") == ()
    assert limit_for("Glycerin", "leave-on") is None
    assert prohibited("Glycerin") is None


def test_hydroquinone_is_in_annex_ii() -> None:
    assert prohibited("hydroquinone") == "Reg. (EC) 1223/2009 Annex II entry 1339"


def test_an_unknown_route_is_refused() -> None:
    with pytest.raises(UserInputError, match="route"):
        limit_for("Phenoxyethanol", "spray")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.0%", 1.0),
        ("0.5% (acid)", 0.5),
        ("0,5 %", 0.5),
        ("0.0015 %", 0.0015),
        ("Salicylic acid: 0,5 % (acid)\n\nSalicylic acid salts: 0,5 % (acid)", 0.5),
        ("0.007% (of Hg)\nIf mixed with other mercurial compounds, 0.007%", 0.007),
        ("10 ppm", 0.001),
        ("0,4% (as acid) for single ester\n0,8% (as acid) for mixtures of esters", None),
        ("150 %", None),
        ("", None),
    ],
)
def test_plain_percentages(text: str, value: float | None) -> None:
    assert max_percent_of(text) == (pytest.approx(value) if value is not None else None)


def test_clause_letters_pair_with_the_maximum_cell() -> None:
    clauses = split_clauses("(a) 2.5 % (acid) (b) 1.7 % (c) 0.5 %")
    assert {k: max_percent_of(v) for k, v in clauses.items()} == {"a": 2.5, "b": 1.7, "c": 0.5}


def test_every_shipped_maximum_is_a_percentage() -> None:
    limits = all_annex_limits()
    numeric = [lim.max_percent for lim in limits if lim.max_percent is not None]
    assert len(numeric) > 300
    assert all(0 < v <= 100 for v in numeric)


@given(
    st.floats(min_value=0.0001, max_value=100, allow_nan=False).map(lambda v: round(v, 4)),
    st.sampled_from([".", ","]),
    st.sampled_from(["%", " %"]),
    st.sampled_from(["", " (acid)", " (as acid)"]),
)
def test_a_formatted_percentage_reads_back(value: float, point: str, sign: str, tail: str) -> None:
    text = f"{value}".replace(".", point) + sign + tail
    assert max_percent_of(text) == pytest.approx(value)


@given(st.text(max_size=80))
def test_any_text_gives_none_or_a_percentage(text: str) -> None:
    value = max_percent_of(text)
    assert value is None or 0 < value <= 100
