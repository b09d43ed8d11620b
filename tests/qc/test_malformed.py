"""Issue 14: every malformed export is one clear line naming file, line and field.

A property test mutates the real NanoSight exports (and the ZetaView fixtures): truncation,
a wrong encoding, a missing section, text where a number belongs, an empty video cell.
Every mutation must raise :class:`UserInputError` with the file's name, a line and a field,
in one line, and an import through the service must write nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exoderm.accounts.actor import Actor
from exoderm.errors import UserInputError
from exoderm.qc import create_batch, parse_batch_record
from exoderm.qc import service as qc
from exoderm.qc.importers import import_file
from exoderm.storage import Database
from tests.qc.conftest import FIXTURES, passing_record
from tests.shared import SHARED_DATA, needs

NS = SHARED_DATA / "nanosight"
NTA_FILES = ["beads.csv", "beads2.csv"]
NUMERIC_LABELS = {
    "Concentration (Particles / ml)",
    "Particles per frame",
    "Centres per frame",
    "Completed tracks",
    "Mean",
    "Mode",
    "SD",
    "D10",
    "D50",
    "D90",
    "Valid Tracks",
}


def _lines(name: str) -> list[str]:
    return (NS / name).read_bytes().decode("latin-1").split("\r\n")


def _numeric_cells(lines: list[str]) -> list[tuple[int, int]]:
    """(line index, cell index) of every per-video number of a summary row."""
    n = len([c for c in next(x for x in lines if x.startswith("Filename:")).split(",")[1:] if c])
    cells, section = [], ""
    for i, line in enumerate(lines):
        label = line.split(",")[0]
        if label.startswith("["):
            section = label
        if section in ("[Results]", "[Size Data]") and label in NUMERIC_LABELS:
            cells += [(i, j) for j in range(1, n + 1)]
    return cells


def _last_required_line(lines: list[str]) -> int:
    """Index of the last line of the last percentile table (truncating before it must fail)."""
    starts = [i for i, line in enumerate(lines) if line.startswith("Percentile")]
    return starts[-1] + 101


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _assert_clear(error: UserInputError, path: Path) -> None:
    text = str(error)
    location = error.problem.location
    assert path.name in text and "\n" not in text and "Traceback" not in text
    assert location.line is not None and location.line >= 1, text
    assert location.field, text


def mutate(name: str, kind: str, data: st.DataObject) -> bytes:
    lines = _lines(name)
    if kind == "truncate":
        cut = data.draw(st.integers(1, _last_required_line(lines) - 1), label="cut")
        return "\r\n".join(lines[:cut]).encode("latin-1")
    if kind == "encoding":
        return "\r\n".join(lines).encode("utf-16")
    if kind == "section":
        section = data.draw(st.sampled_from(["[Results]", "[Size Data]", "Filename:"]))
        start = next(i for i, line in enumerate(lines) if line.startswith(section))
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines)
        )
        return "\r\n".join(lines[:start] + lines[end:]).encode("latin-1")
    i, j = data.draw(st.sampled_from(_numeric_cells(lines)), label="cell")
    cells = lines[i].split(",")
    cells[j] = "n/a" if kind == "text" else ""
    lines[i] = ",".join(cells)
    return "\r\n".join(lines).encode("latin-1")


KINDS = ["truncate", "encoding", "section", "text", "empty"]


@needs(NS)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.sampled_from(NTA_FILES), kind=st.sampled_from(KINDS), data=st.data())
def test_every_mutation_is_one_clear_line(
    tmp_path: Path, name: str, kind: str, data: st.DataObject
) -> None:
    path = _write(tmp_path, f"mutated_{name}", mutate(name, kind, data))
    with pytest.raises(UserInputError) as info:
        import_file(path)
    _assert_clear(info.value, path)


@needs(NS)
@pytest.mark.parametrize("kind", KINDS)
def test_a_malformed_import_writes_nothing(
    sqlite_db: Database, analyst: Actor, tmp_path: Path, kind: str
) -> None:
    with sqlite_db.transaction() as s:
        create_batch(s, parse_batch_record(passing_record(lot="BAD")), analyst)

    @settings(max_examples=5, deadline=None)
    @given(data=st.data())
    def attempt(data: st.DataObject) -> None:
        path = _write(tmp_path, "bad.csv", mutate("beads2.csv", kind, data))
        with pytest.raises(UserInputError), sqlite_db.transaction() as s:
            qc.import_measurements(s, analyst, "BAD", path)

    attempt()
    with sqlite_db.reader() as s:
        assert qc.get_batch(s, analyst, "BAD").measurements == []


@pytest.mark.parametrize("fixture", ["zetaview_decimal_comma.txt", "zetaview_decimal_point.txt"])
@pytest.mark.parametrize("kind", ["truncate", "text", "empty", "no-table"])
def test_zetaview_mutations(tmp_path: Path, fixture: str, kind: str) -> None:
    lines = (FIXTURES / fixture).read_bytes().decode("latin-1").split("\r\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("Size / nm"))
    if kind == "truncate":
        lines = lines[: start + 1300]  # inside the log table
    elif kind == "no-table":
        lines = lines[:start]
    else:
        cells = lines[start + 30].split("\t")
        cells[1] = "n/a" if kind == "text" else ""
        lines[start + 30] = "\t".join(cells)
    path = _write(tmp_path, fixture, "\r\n".join(lines).encode("latin-1"))
    with pytest.raises(UserInputError) as info:
        import_file(path)
    _assert_clear(info.value, path)
