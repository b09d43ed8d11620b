"""Golden tests: the Zetasizer importer reproduces the values printed in the real exports
(expected values transcribed from ``/work/shared/data/README.md`` §3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from exoderm.errors import UserInputError
from exoderm.qc.importers import import_file
from tests.shared import SHARED_DATA

ZS = SHARED_DATA / "zetasizer"

# Z-Ave, PdI, PdI width, intensity mean, number mean, volume mean, peak 1, width 1, %Pd 1,
# intercept, measured intercept, mean count rate, derived count rate, attenuator
CHC_SIZE = [
    (108.0, 0.112, 36.11, 116.1, 78.38, 99.31, 116.1, 32.94, 28.4, 0.941, 0.885, 297.8, 2683.0, 9),
    (108.1, 0.116, 36.90, 119.4, 67.67, 97.57, 119.4, 36.91, 30.9, 0.941, 0.885, 296.8, 2674.0, 9),
    (108.2, 0.116, 36.83, 119.8, 77.59, 99.59, 119.8, 40.88, 34.1, 0.943, 0.890, 295.2, 2659.4, 9),
    (108.1, 0.090, 32.45, 118.4, 83.53, 103.6, 118.4, 31.66, 26.7, 0.939, 0.883, 290.6, 2617.8, 9),
]
LABELS = (
    "PdI Width (d.nm)",
    "Intensity Mean (d.nm)",
    "Number Mean (d.nm)",
    "Volume Mean (d.nm)",
    "Intensity Peak 1 (d.nm)",
    "Intensity Width Peak 1 (d.nm)",
    "%Pd Peak 1 (Percent)",
    "Intercept",
    "Measured Intercept",
    "Mean Count Rate (kcps)",
    "Derived Count Rate (kcps)",
    "Attenuator",
)


def test_chc_particle_size_summary_values() -> None:
    (m,) = import_file(ZS / "chc_particleSize.txt")
    assert m.method == "DLS" and m.software == "7.11" and "MAL1143160" in m.instrument
    assert [r.name for r in m.replicates] == [f"SD283 - F1, HBG6.4, 0h {i}" for i in range(1, 5)]
    for rep, row in zip(m.replicates, CHC_SIZE, strict=True):
        assert rep.z_average_nm == row[0] and rep.pdi == row[1]
        assert rep.mean_nm == row[4]
        assert tuple(rep.reported[label] for label in LABELS) == row[2:]
        # distributions sum to 100 % within the printed rounding (README: ± 0.2 %)
        assert sum(b.percent or 0 for b in rep.bins) == pytest.approx(100, abs=0.2 + 1e-9)
        assert len(rep.bins) == 70 and rep.bins[0].centre_nm == 0.4
    assert m.settings["Dispersant Name"] == "Water" and m.settings["Material Name"] == "Chitosan"
    assert m.z_average_nm == pytest.approx(sum(r[0] for r in CHC_SIZE) / 4)


def test_mxd_particle_size_distributions() -> None:
    (m,) = import_file(ZS / "mxd_particleSize.txt")
    assert m.settings["Viscosity (cP)"] == "1.2000"
    assert [r.z_average_nm for r in m.replicates] == [None, None, None]
    for rep, peak in zip(m.replicates, (22.2, 20.9, 21.1), strict=True):
        intensities = rep.reported["Intensities (Percent)"]
        top = max(range(70), key=lambda i: intensities[i])
        assert (rep.bins[top].centre_nm, intensities[top]) == (105.7, peak)
        assert sum(b.percent or 0 for b in rep.bins) == pytest.approx(100, abs=0.2 + 1e-9)


def test_zeta_exports() -> None:
    (chc,) = import_file(ZS / "chc_zetaPotential.txt")
    assert chc.method == "ELS"
    assert [r.zeta_potential_mv for r in chc.replicates] == [8.10, 8.02, 6.29, 8.45]
    assert [r.reported["Mobility (µmcm/Vs)"] for r in chc.replicates] == [
        0.6353,
        0.6284,
        0.4928,
        0.6627,
    ]
    assert [r.reported["Conductivity (mS/cm)"] for r in chc.replicates] == [
        0.0966,
        0.0970,
        0.0977,
        0.0980,
    ]
    assert [r.reported["Quality Factor"] for r in chc.replicates] == [1.85, 2.00, 1.61, 1.97]
    (mxd,) = import_file(ZS / "mxd_zetaPotential.txt")
    rep = mxd.replicates[0]
    assert rep.zeta_potential_mv == -16.8
    assert (rep.reported["Zeta Deviation (mV)"], rep.reported["Conductivity (mS/cm)"]) == (
        5.71,
        0.943,
    )


def test_settings_only_export_returns_no_results() -> None:
    (m,) = import_file(ZS / "mxd_zetaPotential_full.txt")
    assert len(m.replicates) == 3
    assert m.zeta_potential_mv is None and m.z_average_nm is None
    assert m.settings["SOP Name"] == "mansettings.nano"
    assert "settings only" in m.notes[0]


def test_truncated_record_names_line_and_column(tmp_path: Path) -> None:
    raw = (ZS / "chc_particleSize.txt").read_bytes()
    cut = tmp_path / "cut.txt"
    cut.write_bytes(raw[: int(len(raw) * 0.9)])
    with pytest.raises(UserInputError) as info:
        import_file(cut)
    loc = info.value.problem.location
    assert loc.line == len(cut.read_bytes().splitlines())
    assert loc.field


def test_mxd_record_scalars_and_sums() -> None:
    (m,) = import_file(ZS / "mxd_particleSize.txt")
    reps = m.replicates
    assert [r.reported["Record Number"] for r in reps] == [20, 21, 22]
    assert {r.reported["Measurement Status"] for r in reps} == {"Complete"}
    assert [r.reported["Attenuator"] for r in reps] == [7, 7, 7]
    assert [r.reported["Measurement Position (mm)"] for r in reps] == [3.0, 3.0, 3.0]
    sums = [round(sum(r.reported["Intensities (Percent)"]), 1) for r in reps]
    assert sums == [100.0, 100.1, 99.9]
    assert [round(sum(b.percent or 0 for b in r.bins), 1) for r in reps] == [100.0] * 3


def test_zeta_axis_of_92_points_is_split_by_position() -> None:
    (m,) = import_file(ZS / "chc_zetaPotential.txt")
    axes = [r.reported["Zeta Potentials (mV)"] for r in m.replicates]
    assert [len(a) for a in axes] == [91, 92, 92, 92]
    assert [len(r.reported["Intensities"]) for r in m.replicates] == [91, 92, 92, 92]
    assert axes[1][0] == -149 and axes[1][-1] in (149, 150)
    assert [r.reported["Derived Count Rate (kcps)"] for r in m.replicates] == [
        222.8,
        218.1,
        273.6,
        222.9,
    ]
    assert [r.reported["Zeta Runs"] for r in m.replicates] == [12, 12, 13, 12]


def test_mxd_zeta_scalars() -> None:
    (m,) = import_file(ZS / "mxd_zetaPotential.txt")
    rep = m.replicates[0]
    want = {
        "Record Number": 57,
        "Mobility (µmcm/Vs)": -1.317,
        "Mean Count Rate (kcps)": 22.0,
        "Derived Count Rate (kcps)": 22.0,
        "Viscosity (cP)": 0.8872,
        "Zeta Runs": 12,
        "Attenuator": 11,
        "Measurement Position (mm)": 2.0,
    }
    assert {k: rep.reported[k] for k in want} == want


def test_settings_only_records() -> None:
    (m,) = import_file(ZS / "mxd_zetaPotential_full.txt")
    assert [r.reported["Record Number"] for r in m.replicates] == [4, 5, 6]
    assert {r.reported["Cell Type"] for r in m.replicates} == {"DTS1070"}
    assert {r.reported["Measure Size Enabled"] for r in m.replicates} == {"False"}
