"""Particle Metrix ZetaView ``.txt`` importer.

Format (Particle Metrix ZetaView 8.05 ``…_size_488.txt`` export): latin-1, a ``Key:<TAB>value``
header where one line may carry several keys (``Number of Traces: … Dilution:: …``), a ``Size
Distribution`` line, the column header ``Size / nm, Number, Concentration / cm-3, Volume,
Area``, a linear table of 5-nm classes, a ``-1`` sentinel row and a logarithmic table.

Gotchas handled: the decimal separator follows the acquisition PC's locale (comma or point;
detected per file from the first table row), and sizes are printed to 4 significant digits so
centres above 1000 nm collapse — centres are rebuilt from the row index and the class width.
The table concentration is in the cell: ``Dilution`` is not applied (derived from real
8.05.14/8.05.16 exports). ZetaView prints no mean/SD/percentiles in the .txt, so those are
computed from the linear table's ``Number`` column (exact trace counts; the concentration
column is rounded to 4 digits), except the printed medians, which are used as printed.

The instrument's class rule: the class printed as size ``c`` spans [c − 5, c] nm and
percentiles interpolate linearly inside it. This reproduces the printed ``Median Number
(D50)`` of a real ZetaView 8.05.16 export to 1e-6 nm (99.147287 nm; the file
``Test Files/20230419_0002_35nm_1-5pool.txt`` of github.com/irispota/EV-NTA, read 2026,
not redistributed: no licence). Mean and SD weight the printed sizes ``c`` by ``Number``.
Every derived value of one measurement follows this one rule.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from exoderm.errors import UserInputError
from exoderm.qc.distribution import number_stats
from exoderm.qc.importers.text import SourceText, parse_float
from exoderm.qc.measurement import ParticleMeasurement, SizeBin

TABLE_HEADER = "Size / nm"
COLUMNS = ("Size / nm", "Number", "Concentration / cm-3", "Volume / nm^3", "Area / nm^2")
NUMERIC_SETTINGS = (
    "Temperature",
    "Viscosity",
    "Sensitivity",
    "Shutter",
    "Laser Wavelength nm",
    "Minimum Brightness",
    "Minimum Area",
    "Maximum Area",
    "Minimum Tracelength",
    "Tracking Radius2",
)


def looks_like(src: SourceText) -> bool:
    head = "\n".join(src.lines[:5]).lower()
    return "zetaview" in head


def _header(src: SourceText, end: int) -> dict[str, tuple[int, str]]:
    """Every ``Key:`` cell with the cell after it, keyed lower-case without the colons.

    Spelling differs across software versions (``ZetaView S/N`` / ``ZetaVIEW S/N``,
    ``Dilution:`` / ``Dilution::``), hence the case-folded keys.
    """
    keys: dict[str, tuple[int, str]] = {}
    for lineno, line in enumerate(src.lines[:end], start=1):
        cells = line.split("\t")
        for i, cell in enumerate(cells[:-1]):
            if cell.strip().endswith(":"):
                key = cell.strip().rstrip(":").strip().lower()
                keys.setdefault(key, (lineno, cells[i + 1].strip()))
    return keys


def _find_table(src: SourceText) -> int:
    for i, line in enumerate(src.lines):
        if line.startswith(TABLE_HEADER):
            return i
    raise UserInputError(
        "no size table (truncated file?)",
        file=src.path,
        line=len(src.lines),
        field=TABLE_HEADER,
        expected="a 'Size / nm' table header",
    )


def _linear_rows(
    src: SourceText, start: int, comma: bool
) -> tuple[list[tuple[int, list[float]]], int]:
    rows: list[tuple[int, list[float]]] = []
    for lineno in range(start + 2, len(src.lines) + 1):
        cells = src.lines[lineno - 1].split("\t")
        if not src.lines[lineno - 1].strip():
            break
        if len(cells) < 3:
            raise UserInputError(
                "table row too short (truncated file?)",
                file=src.path,
                line=lineno,
                field="Concentration / cm-3",
                expected="5 columns",
            )
        values = [
            parse_float(c, file=src.path, line=lineno, field=f, decimal_comma=comma)
            for c, f in zip(cells[:5], COLUMNS, strict=False)
        ]
        if values[0] < 0:
            return rows, lineno
        rows.append((lineno, values))
    raise UserInputError(
        "the linear size table has no end row (truncated file?)",
        file=src.path,
        line=len(src.lines),
        field=TABLE_HEADER,
        expected="a '-1' row after the linear table",
    )


LOG_ROWS = 200
#: Half a logarithmic class: the log table has 64 classes per decade.
LOG_HALF = 10 ** (1 / 128)


def _log_bins(src: SourceText, sentinel: int, comma: bool) -> list[SizeBin]:
    """The logarithmic table after the ``-1`` row: 200 classes, or none at all."""
    bins: list[SizeBin] = []
    for lineno in range(sentinel + 1, len(src.lines) + 1):
        line = src.lines[lineno - 1]
        if not line.strip():
            break
        cells = line.split("\t")
        if len(cells) < 3:
            raise UserInputError(
                "log table row too short (truncated file?)",
                file=src.path,
                line=lineno,
                field="Concentration / cm-3",
                expected="5 columns",
            )
        size, count, conc, *extra = (
            parse_float(c, file=src.path, line=lineno, field=f, decimal_comma=comma)
            for c, f in zip(cells[:5], COLUMNS, strict=False)
        )
        bins.append(
            SizeBin(
                centre_nm=size,
                lower_nm=size / LOG_HALF,
                upper_nm=size * LOG_HALF,
                count=count,
                concentration_per_ml=conc,
                **_volume_area(extra),
            )
        )
    if bins and len(bins) != LOG_ROWS:
        raise UserInputError(
            f"the log table has {len(bins)} rows (truncated file?)",
            file=src.path,
            line=sentinel + len(bins),
            field="Size / nm",
            expected=f"{LOG_ROWS} rows after the -1 row",
        )
    return bins


def _volume_area(extra: list[float]) -> dict[str, float]:
    """The optional Volume and Area columns of a table row, when printed."""
    return dict(zip(("volume_nm3", "area_nm2"), extra, strict=False))


def _rebuild_bins(rows: list[tuple[int, list[float]]], path: Path) -> list[SizeBin]:
    """Centres from row index and class width; the printed centres only check it."""
    if len(rows) < 2:
        raise UserInputError(
            "the size table has fewer than 2 rows",
            file=path,
            line=rows[0][0] if rows else None,
            field=TABLE_HEADER,
            expected="a linear table of size classes",
        )
    first, width = rows[0][1][0], rows[1][1][0] - rows[0][1][0]
    bins = []
    for index, (lineno, (printed, count, conc, *extra)) in enumerate(rows):
        centre = first + index * width
        if abs(printed - centre) > max(0.0006 * centre, 1e-9):
            raise UserInputError(
                f"size {printed} does not follow the {width}-nm classes (expected {centre})",
                file=path,
                line=lineno,
                field="Size / nm",
                expected="evenly spaced classes",
            )
        bins.append(
            SizeBin(
                centre_nm=centre,
                lower_nm=centre - width,
                upper_nm=centre,
                count=count,
                concentration_per_ml=conc,
                **_volume_area(extra),
            )
        )
    return bins


def parse(src: SourceText) -> list[ParticleMeasurement]:
    """Parse one ZetaView size export into a measurement (in-cell concentration)."""
    path = src.path
    start = _find_table(src)
    first_row = src.lines[start + 1] if start + 1 < len(src.lines) else ""
    comma = bool(re.match(r"^-?\d+,\d", first_row))
    keys = _header(src, start)
    linear, sentinel = _linear_rows(src, start, comma)
    bins = _rebuild_bins(linear, path)
    log_bins = _log_bins(src, sentinel, comma)
    filled = [b for b in bins if (b.count or 0) > 0]
    if not filled:
        raise UserInputError(
            "the size table is empty",
            file=path,
            line=start + 1,
            field="Number",
            expected="at least one particle",
        )
    # statistics from the exact Number column only (never the rounded concentration)
    stats = number_stats([b.model_copy(update={"concentration_per_ml": None}) for b in bins])

    def text(key: str) -> str | None:
        found = keys.get(key.lower())
        return found[1] if found and found[1] else None

    def number(key: str) -> float | None:
        found = keys.get(key.lower())
        if found is None or not found[1].split():
            return None
        lineno, value = found
        return parse_float(value.split()[0], file=path, line=lineno, field=key, decimal_comma=comma)

    settings: dict[str, Any] = {k: number(k) for k in NUMERIC_SETTINGS if k.lower() in keys}
    for key in (
        "Experiment",
        "Section",
        "SOP",
        "Camera",
        "Operator",
        "Electrolyte",
        "Cell Check Result",
        "Particle Drift Check Result",
        "Microscope Magnification",
    ):
        if text(key) is not None:
            settings[key] = text(key)
    serial = text("ZetaView S/N")
    traces = number("Number of Traces")
    d50 = number("Median Number (D50)")
    notes = [
        "mean, SD, mode and D10/D90 computed by exoderm from the Number column "
        "(class c spans [c - 5, c] nm, the instrument's rule)"
    ]
    measured_at = None
    if text("Date") and text("Time"):
        try:
            measured_at = datetime.strptime(f"{text('Date')} {text('Time')}", "%Y-%m-%d %H:%M:%S")
        except ValueError:
            lineno = keys["date"][0]
            raise UserInputError(
                f"date {text('Date')!r} {text('Time')!r} is not a date and time",
                file=path,
                line=lineno,
                field="Date",
                expected="YYYY-MM-DD and HH:MM:SS",
            ) from None
    if traces is not None and abs(sum(b.count or 0 for b in bins) - traces) > 0.5:
        notes.append(
            f"table counts sum to {sum(b.count or 0 for b in bins):g}, "
            f"header says {traces:g} traces"
        )
    software = text("Software")
    return [
        ParticleMeasurement(
            method="NTA",
            instrument="Particle Metrix ZetaView" + (f" S/N {serial}" if serial else ""),
            software=software,
            settings=settings,
            sample_name=text("Sample") or text("Experiment"),
            measured_at=measured_at,
            operator=text("Operator"),
            ph=number("pH"),
            conductivity_us_per_cm=number("Conductivity"),
            camera_gain=number("Gain"),
            max_brightness=number("Maximum Brightness"),
            micrometre_per_pixel=number("Micrometer per Pixel"),
            d50_concentration_nm=number("Median Concentration (D50)"),
            d50_volume_nm=number("Median Volume (D50)"),
            log_bins=log_bins,
            dilution=number("Dilution") or 1.0,
            dilution_recorded="dilution" in keys,
            dilution_applied=False,
            concentration_per_ml=sum(b.concentration_per_ml or 0 for b in bins),
            particles_counted=int(traces) if traces is not None else None,
            particles_per_frame=number("Average Number of Particles"),
            mean_nm=stats.mean_nm,
            sd_nm=stats.sd_nm,
            mode_nm=stats.mode_nm,
            d10_nm=stats.d10_nm,
            d50_nm=d50 if d50 is not None else stats.d50_nm,
            d90_nm=stats.d90_nm,
            bins=bins[bins.index(filled[0]) : bins.index(filled[-1]) + 1],
            source_file=str(path),
            source_sha256=src.sha256,
            reported={
                "decimal_separator": "comma" if comma else "point",
                "Average Number of Particles": number("Average Number of Particles"),
            },
            notes=notes,
        )
    ]
