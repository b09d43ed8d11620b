"""The documented generic particle CSV, for instruments without a dedicated importer.

Format (UTF-8 or latin-1; ``docs/qc.md`` shows an example)::

    # exoderm particle csv
    # method: TRPS                      (NTA | TRPS | flow | DLS)
    # instrument: Izon qNano
    # software: Izon Control Suite 3.4  (optional)
    # sample: EV pool 7                 (optional)
    # dilution: 10                      (optional, default 1)
    # dilution_applied: false           (optional: true if the concentrations below
    #                                    already account for the dilution)
    # mode_nm: 98.5                     (optional reported values: concentration_per_ml,
    #                                    mean_nm, mode_nm, sd_nm, d10_nm, d50_nm, d90_nm)
    lower_nm,upper_nm,concentration_per_ml
    30,40,1.2e8
    ...

The table needs either ``lower_nm,upper_nm`` or ``centre_nm`` and either
``concentration_per_ml`` (particles per mL in the bin) or ``count``. Summary values not
given in the header are computed from the bins (:mod:`exoderm.qc.distribution`).
"""

from __future__ import annotations

from typing import Any, get_args

from exoderm.errors import UserInputError
from exoderm.qc.distribution import number_stats
from exoderm.qc.importers.text import SourceText, csv_rows, parse_float
from exoderm.qc.measurement import Method, ParticleMeasurement, SizeBin

SIGNATURE = "# exoderm particle csv"
SUMMARY_KEYS = ("concentration_per_ml", "mean_nm", "mode_nm", "sd_nm", "d10_nm", "d50_nm", "d90_nm")
BIN_COLUMNS = ("lower_nm", "upper_nm", "centre_nm", "concentration_per_ml", "count")


def looks_like(src: SourceText) -> bool:
    return bool(src.lines) and src.lines[0].strip().lower().startswith(SIGNATURE)


def _meta(src: SourceText) -> tuple[dict[str, tuple[int, str]], int]:
    meta: dict[str, tuple[int, str]] = {}
    for i, line in enumerate(src.lines):
        if not line.startswith("#"):
            return meta, i
        key, sep, value = line[1:].partition(":")
        if sep:
            meta[key.strip().lower()] = (i + 1, value.split("(")[0].strip())
    return meta, len(src.lines)


def _bins(src: SourceText, start: int) -> list[SizeBin]:
    rows = csv_rows(src.lines[start:], file=src.path, first_line=start + 1)
    if not rows:
        raise UserInputError(
            "no table after the header",
            file=src.path,
            line=start + 1,
            field="lower_nm",
            expected="a header row and bins",
        )
    header = [c.strip().lower() for c in rows[0]]
    has_edges = {"lower_nm", "upper_nm"} <= set(header)
    if not (has_edges or "centre_nm" in header) or not (
        {"concentration_per_ml", "count"} & set(header)
    ):
        raise UserInputError(
            f"unexpected columns {rows[0]}",
            file=src.path,
            line=start + 1,
            field="header",
            expected="lower_nm,upper_nm or centre_nm, and concentration_per_ml or count",
        )
    bins: list[SizeBin] = []
    for offset, row in enumerate(rows[1:], start=start + 2):
        if not any(c.strip() for c in row):
            continue
        if len(row) < len(header):
            raise UserInputError(
                "row is too short (truncated file?)",
                file=src.path,
                line=offset,
                field=header[len(row)],
                expected=f"{len(header)} values",
            )
        values = {
            h: parse_float(c, file=src.path, line=offset, field=h)
            for h, c in zip(header, row, strict=False)
            if h in BIN_COLUMNS and c.strip()
        }
        centre = values.get("centre_nm")
        if centre is None:
            centre = (values["lower_nm"] + values["upper_nm"]) / 2
        try:
            bins.append(
                SizeBin(
                    centre_nm=centre,
                    lower_nm=values.get("lower_nm"),
                    upper_nm=values.get("upper_nm"),
                    concentration_per_ml=values.get("concentration_per_ml"),
                    count=values.get("count"),
                )
            )
        except ValueError as exc:
            raise UserInputError(
                f"invalid bin ({exc.__class__.__name__})",
                file=src.path,
                line=offset,
                field="concentration_per_ml",
                expected="non-negative values",
            ) from exc
    if not bins:
        raise UserInputError(
            "the table has no bins",
            file=src.path,
            line=len(src.lines),
            field="bins",
            expected="at least one bin",
        )
    return bins


def parse(src: SourceText) -> list[ParticleMeasurement]:
    """Parse a generic particle CSV into one measurement."""
    meta, start = _meta(src)
    method_line, method = meta.get("method", (1, ""))
    if method not in get_args(Method):
        raise UserInputError(
            f"method {method!r} is not supported",
            file=src.path,
            line=method_line,
            field="method",
            expected=" | ".join(get_args(Method)),
        )
    bins = _bins(src, start)
    stats = number_stats(bins)
    values: dict[str, Any] = {
        "concentration_per_ml": sum(b.concentration_per_ml or 0 for b in bins)
        if any(b.concentration_per_ml is not None for b in bins)
        else None,
        "mean_nm": stats.mean_nm,
        "mode_nm": stats.mode_nm,
        "sd_nm": stats.sd_nm,
        "d10_nm": stats.d10_nm,
        "d50_nm": stats.d50_nm,
        "d90_nm": stats.d90_nm,
    }
    for key in SUMMARY_KEYS:
        if key in meta:
            line, text = meta[key]
            values[key] = parse_float(text, file=src.path, line=line, field=key)
    dilution = 1.0
    if "dilution" in meta:
        dilution = parse_float(
            meta["dilution"][1], file=src.path, line=meta["dilution"][0], field="dilution"
        )
    applied = meta.get("dilution_applied", (0, "false"))[1].lower() in {"true", "yes", "1"}
    return [
        ParticleMeasurement(
            method=method,
            instrument=meta.get("instrument", (0, "unspecified"))[1] or "unspecified",
            software=meta.get("software", (0, ""))[1] or None,
            sample_name=meta.get("sample", (0, ""))[1] or None,
            dilution=dilution,
            dilution_applied=applied,
            bins=bins,
            source_file=str(src.path),
            source_sha256=src.sha256,
            notes=["values not given in the header were computed from the bins"],
            **values,
        )
    ]
