"""Fuzzing the QC instrument importers with damaged real exports and generated tables.

Seeds are real NanoSight, Zetasizer and ViewSizer exports and the ZetaView fixtures.
Every damaged file must import to typed measurements or raise a
:class:`~exoderm.errors.UserInputError` naming the file — never another exception.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from exoderm.qc.batch import BatchRecord
from exoderm.qc.batch_file import load_batch_file, parse_batch_text
from exoderm.qc.importers import FORMATS, Format, import_file
from exoderm.qc.measurement import ParticleMeasurement
from tests.fuzz.budget import fuzz
from tests.fuzz.checks import parse_or_refuse
from tests.fuzz.mutations import GARBAGE_CELLS, mutated
from tests.qc.conftest import FIXTURES, passing_record
from tests.shared import SHARED_DATA, needs

NANOSIGHT = ("nanosight/beads.csv", "nanosight/beads2.csv")
ZETASIZER = (
    "zetasizer/chc_particleSize.txt",
    "zetasizer/chc_zetaPotential.txt",
    "zetasizer/mxd_particleSize.txt",
    "zetasizer/mxd_zetaPotential.txt",
    "zetasizer/mxd_zetaPotential_full.txt",
)
VIEWSIZER = SHARED_DATA / "viewsizer" / "1-1e5 150nm Nanosphere 2"
ZETAVIEW = ("zetaview_decimal_comma.txt", "zetaview_decimal_point.txt")


@functools.cache
def _shared(relative: str) -> bytes:
    return (SHARED_DATA / relative).read_bytes()


@functools.cache
def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="exoderm-fuzz-qc-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _import(path: Path, data: bytes, fmt: Format | None) -> None:
    path.write_bytes(data)
    result = parse_or_refuse(lambda: import_file(path, fmt), names=path)
    if result is not None:
        assert result, "an import returned no measurement"
        assert all(isinstance(m, ParticleMeasurement) for m in result)


formats = st.sampled_from((None, *[f for f in FORMATS if f != "viewsizer"]))


@needs(SHARED_DATA / NANOSIGHT[1])
@given(
    data=st.sampled_from(NANOSIGHT[1:]).flatmap(lambda f: mutated(_shared(f))),
    fmt=st.sampled_from((None, "nanosight")),
)
@fuzz(120)
def test_damaged_nanosight_export(workdir: Path, data: bytes, fmt: Format | None) -> None:
    _import(workdir / "ExperimentSummary.csv", data, fmt)


@needs(SHARED_DATA / NANOSIGHT[0])
@given(data=mutated(b""), cut=st.integers(0, 62_931))
@fuzz(20)
def test_truncated_nta32_export(workdir: Path, data: bytes, cut: int) -> None:
    _import(workdir / "beads.csv", _shared(NANOSIGHT[0])[:cut] + data, None)


@given(data=st.sampled_from(ZETAVIEW).flatmap(lambda f: mutated(_fixture(f))), fmt=formats)
@fuzz(150)
def test_damaged_zetaview_export(workdir: Path, data: bytes, fmt: Format | None) -> None:
    _import(workdir / "zetaview.txt", data, fmt)


@needs(SHARED_DATA / ZETASIZER[0])
@given(data=st.sampled_from(ZETASIZER).flatmap(lambda f: mutated(_shared(f))), fmt=formats)
@fuzz(300)
def test_damaged_zetasizer_export(workdir: Path, data: bytes, fmt: Format | None) -> None:
    _import(workdir / "zetasizer.txt", data, fmt)


@given(data=st.binary(max_size=2000), fmt=formats)
@fuzz(150)
def test_random_bytes_as_export(workdir: Path, data: bytes, fmt: Format | None) -> None:
    _import(workdir / "random.csv", data, fmt)


@needs(VIEWSIZER)
@given(
    target=st.sampled_from(("settings", "videos", "display")),
    data=st.data(),
)
@fuzz(30)
def test_damaged_viewsizer_folder(workdir: Path, target: str, data: st.DataObject) -> None:
    victim = _viewsizer_files()[target]
    _import_viewsizer(workdir, victim, data.draw(mutated(victim.read_bytes())))


def _viewsizer_files() -> dict[str, Path]:
    results = next(VIEWSIZER.glob("Results_*"))
    return {
        "settings": next(VIEWSIZER.glob("*_2023*_084521.xml")),
        "videos": next(results.glob("Videos_*.dat")),
        "display": next(results.glob("DisplayBins_*.dat")),
    }


def _import_viewsizer(workdir: Path, victim: Path, content: bytes) -> None:
    """Import a copy of the real sample folder (links) in which ``victim`` is ``content``."""
    folder = workdir / "viewsizer"
    shutil.rmtree(folder, ignore_errors=True)
    results_name = next(p.name for p in VIEWSIZER.glob("Results_*"))
    (folder / results_name).mkdir(parents=True)
    for f in VIEWSIZER.glob("*.xml"):
        (folder / f.name).symlink_to(f)
    for f in (VIEWSIZER / results_name).iterdir():
        (folder / results_name / f.name).symlink_to(f)
    local = folder / victim.relative_to(VIEWSIZER)
    local.unlink()
    local.write_bytes(content)
    result = parse_or_refuse(lambda: import_file(folder))
    if result is not None:
        assert all(isinstance(m, ParticleMeasurement) for m in result)


SETTING_TAGS = ("Volume", "NumOfVideos", "Dilution")
SETTING_VALUES = ("0", "-1", "-0", "nan", "inf", "1e309", "1e-320", "1e300", "", "abc", "<x/>")


@needs(VIEWSIZER)
@given(
    tag=st.sampled_from(SETTING_TAGS),
    value=st.sampled_from(SETTING_VALUES) | st.floats().map(str) | st.text(max_size=10),
)
@fuzz(40)
def test_viewsizer_setting_with_bad_value(workdir: Path, tag: str, value: str) -> None:
    victim = _viewsizer_files()["settings"]
    escaped = value.replace("&", "&amp;").replace("<", "&lt;")
    text = re.sub(
        rf"<{tag}>[^<]*</{tag}>", f"<{tag}>{escaped}</{tag}>", victim.read_text("utf-8-sig")
    )
    _import_viewsizer(workdir, victim, text.encode("utf-8", "surrogatepass"))


# --------------------------------------------------------------------- generic particle CSV
numbers = st.floats(allow_nan=True, allow_infinity=True) | st.integers(-(10**30), 10**30)
cells = numbers.map(str) | st.sampled_from(GARBAGE_CELLS) | st.text(max_size=8)
META_KEYS = (
    "method",
    "instrument",
    "software",
    "sample",
    "dilution",
    "dilution_applied",
    "concentration_per_ml",
    "mean_nm",
    "mode_nm",
    "sd_nm",
    "d10_nm",
    "d50_nm",
    "d90_nm",
)
COLUMNS = ("lower_nm", "upper_nm", "centre_nm", "concentration_per_ml", "count", "other")


@st.composite
def generic_csv(draw: st.DrawFn) -> str:
    lines = ["# exoderm particle csv"]
    for key in draw(st.lists(st.sampled_from(META_KEYS), max_size=6)):
        value = draw(st.sampled_from(("NTA", "TRPS", "flow", "DLS", "true")) | cells)
        lines.append(f"# {key}: {value}")
    header = draw(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=5))
    lines.append(",".join(header))
    for _ in range(draw(st.integers(0, 12))):
        width = draw(st.integers(0, len(header) + 1))
        lines.append(",".join(draw(cells).replace("\n", " ") for _ in range(width)))
    return "\n".join(lines) + "\n"


@given(text=generic_csv())
@fuzz(300)
def test_generated_generic_csv(workdir: Path, text: str) -> None:
    _import(workdir / "generic.csv", text.encode("utf-8", "surrogatepass"), None)


# --------------------------------------------------------------------- batch record files
yaml_values = st.recursive(
    st.none() | st.booleans() | numbers | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def batch_document(draw: st.DrawFn) -> str:
    record = passing_record()
    for key in draw(st.lists(st.sampled_from(sorted(record)), max_size=4)):
        if draw(st.booleans()):
            record[key] = draw(yaml_values)
        else:
            record.pop(key, None)
    if draw(st.booleans()):
        return json.dumps(record)
    return yaml.safe_dump(record, allow_unicode=True)


@given(text=batch_document(), suffix=st.sampled_from((".yaml", ".json", ".toml")))
@fuzz(150)
def test_batch_record_with_wrong_types(text: str, suffix: str) -> None:
    result = parse_or_refuse(
        lambda: parse_batch_text(text, f"batch{suffix}"), names=f"batch{suffix}"
    )
    if result is not None:
        assert isinstance(result, BatchRecord)


@given(
    data=mutated(yaml.safe_dump(passing_record()).encode()),
    suffix=st.sampled_from((".yaml", ".toml")),
)
@fuzz(100)
def test_damaged_batch_file(workdir: Path, data: bytes, suffix: str) -> None:
    path = workdir / f"batch{suffix}"
    path.write_bytes(data)
    result = parse_or_refuse(lambda: load_batch_file(path), names=path)
    if result is not None:
        assert isinstance(result, BatchRecord)
