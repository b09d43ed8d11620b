"""Malvern Zetasizer Nano ``.txt`` export importer (DLS size and zeta potential).

Format (Malvern Zetasizer software 7.x/8.x "Export" of selected parameters, as in the
MIT-licensed test files of cheminfo/parse-zetasizer, S/W 8.02): user-configured
columns, one record per row, TAB-separated, latin-1. Array columns are ``Name[i] (unit)``.
Gotchas handled here:

- several tables in one file (a new header row starts wherever a row names
  ``Sample Name``); records of different tables are merged by sample name and time;
- the same quantity spelled differently in two headers (``Z-Ave`` / ``Z-Average``) and
  repeated columns (``Sample Name`` twice, an empty second ``Derived Count Rate``): the
  first non-empty value wins;
- rows longer than their header (zeta axis of 92 instead of 91 points): the excess is
  shared among the trailing array columns, by position;
- exports with settings only and no results: returned with no summary values, not an error.

Z-average and PdI come from the instrument's cumulants fit and cannot be recomputed from
the size arrays, so they are read, never derived.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from statistics import fmean
from typing import Any

from exoderm.errors import UserInputError
from exoderm.qc.importers.text import SourceText, parse_float
from exoderm.qc.measurement import ParticleMeasurement, Replicate, SizeBin

ARRAY = re.compile(r"^(?P<name>.+?)\[(?P<index>\d+)\](?P<unit>.*)$")
#: Scalar labels → model field; the alternatives are the spellings seen in real exports.
SCALARS: dict[str, tuple[str, ...]] = {
    "z_average_nm": ("Z-Ave (d.nm)", "Z-Average (d.nm)"),
    "pdi": ("PdI",),
    "mean_nm": ("Number Mean (d.nm)",),
    "zeta_potential_mv": ("Zeta Potential (mV)", "ZP (mV)"),
}
#: Distributions kept with each record, under the file's label (the raw correlation
#: function and phase traces are signals, not results, and are not kept).
KEPT_ARRAYS = (
    "Sizes (d.nm)",
    "Intensities (Percent)",
    "Numbers (Percent)",
    "Volumes (Percent)",
    "Zeta Potentials (mV)",
    "Intensities",
)
SETTINGS = (
    "S/W Version",
    "Serial Number",
    "Result Origin",
    "Temperature (°C)",
    "T (°C)",
    "Viscosity (cP)",
    "Duration (s)",
    "Size Runs",
    "Zeta Runs",
    "Attenuator",
    "Measurement Position (mm)",
    "Dispersant Name",
    "Dispersant RI",
    "Material Name",
    "Material RI",
    "Material Absorption",
    "SOP Name",
    "Cell Type",
)


@dataclass
class _Record:
    line: int
    scalars: dict[str, str]
    arrays: dict[str, list[str]]


def looks_like(src: SourceText) -> bool:
    return bool(src.lines) and "\t" in src.lines[0] and "Sample Name" in src.lines[0].split("\t")


def _is_header(fields: list[str]) -> bool:
    return "Sample Name" in fields


def _array_layout(header: list[str]) -> list[tuple[str, str | None]]:
    """For each header column: (scalar or array name, None or array marker)."""
    layout: list[tuple[str, str | None]] = []
    for label in header:
        m = ARRAY.match(label)
        layout.append((f"{m['name']}{m['unit']}", "array") if m else (label, None))
    return layout


def _stretch(
    layout: list[tuple[str, str | None]], excess: int, path: Path, line: int
) -> list[tuple[str, str | None]]:
    """Give the extra fields of a long row to the trailing same-length array columns.

    A Zetasizer zeta record may carry a 92-point axis and 92 intensities under a header
    written for 91 (seen in real Zetasizer 8.02 zeta exports): the last array groups of equal length
    grow together, by position.
    """
    groups: list[tuple[str, int]] = []
    for name, kind in reversed(layout):
        if kind is None:
            break
        if groups and groups[-1][0] == name:
            groups[-1] = (name, groups[-1][1] + 1)
        else:
            groups.append((name, 1))
    suffix = [g for g in groups if g[1] == groups[0][1]] if groups else []
    suffix = suffix[: next((i for i, g in enumerate(groups) if g[1] != groups[0][1]), len(groups))]
    if not suffix or excess % len(suffix):
        raise UserInputError(
            f"record has {excess} more fields than its header",
            file=path,
            line=line,
            field="(columns)",
            expected="as many fields as header columns",
        )
    per = excess // len(suffix)
    keep = len(layout) - sum(n for _, n in suffix)
    stretched = list(layout[:keep])
    for name, count in reversed(suffix):
        stretched.extend([(name, "array")] * (count + per))
    return stretched


def _records(src: SourceText) -> list[_Record]:
    path = src.path
    header: list[str] | None = None
    records: list[_Record] = []
    for lineno, line in enumerate(src.lines, start=1):
        if not line.strip():
            continue
        fields = line.split("\t")
        if _is_header(fields):
            header = fields
            continue
        if header is None:
            raise UserInputError(
                "data before any header row",
                file=path,
                line=lineno,
                field="Sample Name",
                expected="a header row naming columns",
            )
        layout = _array_layout(header)
        if len(fields) < len(header):
            raise UserInputError(
                f"record has {len(fields)} fields, its header has {len(header)} (truncated file?)",
                file=path,
                line=lineno,
                field=header[len(fields)] if fields else header[0],
                expected=f"{len(header)} tab-separated fields",
            )
        if len(fields) > len(header):
            layout = _stretch(layout, len(fields) - len(header), path, lineno)
        scalars: dict[str, str] = {}
        arrays: dict[str, list[str]] = {}
        for (name, kind), value in zip(layout, fields, strict=True):
            if kind:
                arrays.setdefault(name, []).append(value.strip())
            elif value.strip() and name not in scalars:
                scalars[name] = value.strip()
        records.append(_Record(lineno, scalars, arrays))
    return records


def _merge(records: list[_Record]) -> list[_Record]:
    """Records of several tables about the same measurement become one record."""
    merged: dict[tuple[str, str], _Record] = {}
    for rec in records:
        key = (rec.scalars.get("Sample Name", ""), rec.scalars.get("Measurement Date and Time", ""))
        if key in merged:
            target = merged[key]
            for k, v in rec.scalars.items():
                target.scalars.setdefault(k, v)
            for k, arr in rec.arrays.items():
                target.arrays.setdefault(k, arr)
        else:
            merged[key] = _Record(rec.line, dict(rec.scalars), dict(rec.arrays))
    return list(merged.values())


def _floats(values: list[str], path: Path, line: int, name: str) -> list[float]:
    return [
        parse_float(v, file=path, line=line, field=f"{name}[{i}]")
        for i, v in enumerate(values, start=1)
    ]


def _as_number(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def _replicate(rec: _Record, path: Path) -> Replicate:
    values: dict[str, Any] = {}
    for attr, labels in SCALARS.items():
        for label in labels:
            if label in rec.scalars:
                values[attr] = parse_float(
                    rec.scalars[label], file=path, line=rec.line, field=label
                )
                break
    bins: list[SizeBin] = []
    sizes = [v for v in rec.arrays.get("Sizes (d.nm)", []) if v]
    numbers = [v for v in rec.arrays.get("Numbers (Percent)", []) if v]
    if sizes and numbers:
        centres = _floats(sizes, path, rec.line, "Sizes")
        shares = _floats(numbers, path, rec.line, "Numbers")
        if len(centres) != len(shares):
            raise UserInputError(
                "Sizes and Numbers arrays differ in length",
                file=path,
                line=rec.line,
                field="Numbers",
                expected=f"{len(centres)} values",
            )
        bins = [SizeBin(centre_nm=c, percent=p) for c, p in zip(centres, shares, strict=True)]
    reported: dict[str, Any] = {k: _as_number(v) for k, v in rec.scalars.items()}
    for name in KEPT_ARRAYS:
        if any(rec.arrays.get(name, [])):
            reported[name] = _floats(rec.arrays[name], path, rec.line, name)
    return Replicate(
        name=rec.scalars.get("Sample Name", f"record at line {rec.line}"),
        bins=bins,
        reported=reported,
        **values,
    )


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    for fmt in ("%d %B %Y %H:%M:%S", "%A, %d %B %Y %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return fmean(present) if present else None


def parse(src: SourceText) -> list[ParticleMeasurement]:
    """One measurement per record type (Size → DLS, Zeta → ELS); records are replicates."""
    path = src.path
    records = _merge(_records(src))
    if not records:
        raise UserInputError(
            "no records after the header",
            file=path,
            line=len(src.lines),
            field="(records)",
            expected="one record per line",
        )
    groups: dict[str, list[_Record]] = {}
    for rec in records:
        groups.setdefault(rec.scalars.get("Type", "Size"), []).append(rec)
    out: list[ParticleMeasurement] = []
    for kind, recs in groups.items():
        reps = [_replicate(r, path) for r in recs]
        first = recs[0].scalars
        settings = {k: first[k] for k in SETTINGS if k in first}
        has_results = any(
            r.z_average_nm is not None or r.zeta_potential_mv is not None or r.bins for r in reps
        )
        notes = [
            f"{len(reps)} records; top-level values are the mean of the records "
            "(computed by exoderm, not printed by the instrument)"
        ]
        if not has_results:
            notes = ["this export holds settings only: no measurement results"]
        out.append(
            ParticleMeasurement(
                method="ELS" if kind == "Zeta" else "DLS",
                instrument="Malvern Zetasizer " + first.get("Serial Number", "").strip(),
                software=first.get("S/W Version"),
                settings=settings,
                sample_name=first.get("Sample Name"),
                measured_at=_when(first.get("Measurement Date and Time")),
                weighting="number",
                z_average_nm=_mean([r.z_average_nm for r in reps]),
                pdi=_mean([r.pdi for r in reps]),
                mean_nm=_mean([r.mean_nm for r in reps]),
                zeta_potential_mv=_mean([r.zeta_potential_mv for r in reps]),
                replicates=reps,
                source_file=str(path),
                source_sha256=src.sha256,
                notes=notes,
            )
        )
    return out
