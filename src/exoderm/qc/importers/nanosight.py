"""Malvern NanoSight NTA 3.x ``ExperimentSummary.csv`` importer.

Format (Malvern Panalytical NanoSight NTA 3.2/3.4 "NTA Experiment Summary File", as in the
MIT-licensed examples of nguyens7/tidyNano, ``inst/extdata/beads*.csv``): CSV,
latin-1, sections headed ``[Name]``, one column per video, then ``Average`` and
``Standard Error`` columns on some rows. The ``[Size Data]`` section holds, per weighting,
the summary rows (Mean … D90, Valid Tracks), a ``Graph Data`` block (bin centre + one
concentration column per video + average + standard error) and, after a blank row, a
``Percentile`` table (rows 0–100).

Blocks are found by their header text, never by line number (the ``Graph Data`` header
is line 87 in one real file and 89 in another; tidyNano's fixed offsets are a known
fragility). Values are taken as printed: NanoSight's Mode
comes from a smoothed curve and NTA 3.2's printed percentiles are 1 nm below a bin
interpolation (seen in the NTA 3.2 example exports), so nothing is recomputed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from exoderm.errors import UserInputError
from exoderm.qc.distribution import bin_edges
from exoderm.qc.importers.text import SourceText, csv_rows, optional_float, parse_float
from exoderm.qc.measurement import (
    InstrumentWarning,
    ParticleMeasurement,
    Replicate,
    SizeBin,
    WeightedSummary,
)

SIGNATURE = "NTA Experiment Summary File"
SUMMARY_ROWS = {
    "Mean": "mean_nm",
    "Mode": "mode_nm",
    "SD": "sd_nm",
    "D10": "d10_nm",
    "D50": "d50_nm",
    "D90": "d90_nm",
}
RESULT_ROWS = ("Particles per frame", "Centres per frame", "Completed tracks")


@dataclass
class _Row:
    line: int
    cells: list[str]

    def cell(self, i: int) -> str:
        return self.cells[i].strip() if i < len(self.cells) else ""


BLOCK_SECTIONS = ("Size Data", "Diffusion Coefficient Data")
DIFFUSION_UNIT = "1e4 nm²/s"
#: Words with which the NTA software says a check passed ("OK"), or that nothing was
#: detected ("No"); anything else in ``[Concentration Warnings]``/``[Information]`` is
#: the instrument's own warning.
PASSING = {"ok", "no", ""}


@dataclass
class _SizeBlock:
    weighting: str
    section: str = "Size Data"
    rows: dict[str, _Row] = field(default_factory=dict)
    graph_header: _Row | None = None
    graph: list[_Row] = field(default_factory=list)
    percentiles: list[_Row] = field(default_factory=list)


@dataclass
class _Parsed:
    head: dict[str, _Row] = field(default_factory=dict)
    sections: dict[str, dict[str, _Row]] = field(default_factory=dict)
    section_headers: dict[str, _Row] = field(default_factory=dict)
    size_blocks: list[_SizeBlock] = field(default_factory=list)


def looks_like(src: SourceText) -> bool:
    return bool(src.lines) and src.lines[0].startswith(SIGNATURE)


def _rows(src: SourceText) -> list[_Row]:
    rows = csv_rows(src.lines, file=src.path)
    return [_Row(i, cells) for i, cells in enumerate(rows, start=1)]


def _blank(row: _Row) -> bool:
    return not any(c.strip() for c in row.cells)


def _split(rows: list[_Row], path: Path) -> _Parsed:
    parsed = _Parsed()
    section = ""
    block: _SizeBlock | None = None
    mode = "rows"  # inside [Size Data]: rows | graph | after_graph | percentile
    for row in rows:
        first = row.cell(0)
        if re.fullmatch(r"\[[^\]]+\]", first):
            section, mode, block = first[1:-1], "rows", None
            parsed.sections.setdefault(section, {})
            parsed.section_headers[section] = row
            continue
        if section not in BLOCK_SECTIONS:
            if first and not _blank(row):
                target = parsed.sections[section] if section else parsed.head
                target.setdefault(first, row)
            continue
        if first == "Weighting":
            block = _SizeBlock(row.cell(1), section)
            parsed.size_blocks.append(block)
            mode = "rows"
            continue
        if block is None:
            if first:
                parsed.sections[section].setdefault(first, row)
            continue
        if first == "Graph Data":
            mode = "graph"
        elif mode == "graph" and block.graph_header is None:
            block.graph_header = row
        elif mode == "graph":
            if _blank(row):
                mode = "after_graph"
            else:
                block.graph.append(row)
        elif first == "Percentile":
            mode = "percentile"
        elif mode == "percentile":
            if _blank(row):
                mode = "after_percentile"
            else:
                block.percentiles.append(row)
        elif mode == "rows" and first:
            block.rows.setdefault(first, row)
    return parsed


def _require(rows: dict[str, _Row], label: str, path: Path, section: str, last: int) -> _Row:
    if label not in rows:
        raise UserInputError(
            f"section [{section}] has no '{label}' row (truncated file?)",
            file=path,
            line=last,
            field=label,
            expected=f"a '{label}' row",
        )
    return rows[label]


def _value_cells(row: _Row, n: int, path: Path, label: str) -> list[str]:
    if len(row.cells) < n + 1:
        raise UserInputError(
            f"row has {len(row.cells) - 1} values, expected one per video ({n})",
            file=path,
            line=row.line,
            field=label,
            expected=f"{n} values",
        )
    return [row.cell(i) for i in range(1, n + 1)]


def _extra(row: _Row, header: _Row | None, name: str, n: int) -> str:
    """The cell under the ``Average``/``Standard Error`` header (by header, not offset)."""
    if header is not None:
        for i, cell in enumerate(header.cells):
            if cell.strip() == name:
                return row.cell(i)
    return row.cell(n + 1 if name == "Average" else n + 2)


def _number(text: str, path: Path, line: int, label: str) -> float:
    return parse_float(text, file=path, line=line, field=label)


def _percentile_table(block: _SizeBlock, n: int, path: Path, last: int) -> list[list[float]]:
    if len(block.percentiles) != 101:
        at = block.percentiles[-1].line if block.percentiles else last
        raise UserInputError(
            f"the Percentile table has {len(block.percentiles)} rows (truncated file?)",
            file=path,
            line=at,
            field="Percentile",
            expected="rows 0 to 100",
        )
    table: list[list[float]] = [[] for _ in range(n)]
    for row in block.percentiles:
        cells = _value_cells(row, n, path, f"Percentile {row.cell(0)}")
        for v, text in enumerate(cells):
            table[v].append(_number(text, path, row.line, f"Percentile {row.cell(0)}"))
    return table


def _graph(
    block: _SizeBlock, n: int, path: Path, last: int
) -> tuple[list[float], list[list[float]], list[float]]:
    header = block.graph_header
    if header is None or not block.graph:
        raise UserInputError(
            "no Graph Data table",
            file=path,
            line=last,
            field="Graph Data",
            expected="bin centres and concentrations",
        )
    labels = [c.strip().lower() for c in header.cells]
    avg_col = next((i for i, c in enumerate(labels) if c == "concentration average"), n + 1)
    centres: list[float] = []
    videos: list[list[float]] = [[] for _ in range(n)]
    average: list[float] = []
    for row in block.graph:
        if len(row.cells) < n + 1:
            raise UserInputError(
                f"Graph Data row has {len(row.cells)} cells (truncated file?)",
                file=path,
                line=row.line,
                field="Graph Data",
                expected=f"{n + 1} or more cells",
            )
        centres.append(_number(row.cell(0), path, row.line, "Bin centre (nm)"))
        for v in range(n):
            videos[v].append(
                _number(row.cell(v + 1), path, row.line, f"Concentration video {v + 1}")
            )
        avg = row.cell(avg_col)
        average.append(
            _number(avg, path, row.line, "Concentration average")
            if avg
            else sum(videos[v][-1] for v in range(n)) / n
        )
    return centres, videos, average


def _weighted(
    block: _SizeBlock, n: int, path: Path, last: int
) -> tuple[list[WeightedSummary], WeightedSummary]:
    """Per-video summaries of one weighting block, and its Average/Standard Error columns."""
    unit = "nm" if block.section == "Size Data" else DIFFUSION_UNIT
    header = block.rows.get("Filename")
    per_video: list[dict[str, Any]] = [{} for _ in range(n)]
    top: dict[str, Any] = {}
    where = f"[{block.section}] {block.weighting}"
    for label in SUMMARY_ROWS:
        row = _require(block.rows, label, path, where, last)
        field_name = label.lower()
        for v, text in enumerate(_value_cells(row, n, path, f"{where} {label}")):
            per_video[v][field_name] = _number(text, path, row.line, f"{where} {label}")
        avg = _extra(row, header, "Average", n)
        if avg:
            top[field_name] = _number(avg, path, row.line, f"{where} {label} Average")
            top[f"{field_name}_se"] = optional_float(
                _extra(row, header, "Standard Error", n),
                file=path,
                line=row.line,
                field=f"{where} {label} Standard Error",
            )
        elif n == 1:
            top[field_name] = per_video[0][field_name]
    tracks = block.rows.get("Valid Tracks")
    if tracks is not None:
        for v, text in enumerate(_value_cells(tracks, n, path, f"{where} Valid Tracks")):
            count = _number(text, path, tracks.line, f"{where} Valid Tracks")
            per_video[v]["valid_tracks"] = int(count)
    if block.percentiles:
        for v, column in enumerate(_percentile_table(block, n, path, last)):
            per_video[v]["percentiles"] = column
    if block.graph:
        top["graph_centres"], _, top["graph_average"] = _graph(block, n, path, last)
    summaries = [
        WeightedSummary(weighting=block.weighting, unit=unit, **values) for values in per_video
    ]
    return summaries, WeightedSummary(weighting=block.weighting, unit=unit, **top)


def _per_video_text(parsed: _Parsed, section: str, n: int) -> list[dict[str, str]]:
    rows = parsed.sections.get(section, {})
    return [{label: row.cell(v + 1) for label, row in rows.items()} for v in range(n)]


def _warnings(
    names: list[str], checks: list[dict[str, str]], info: list[dict[str, str]]
) -> list[InstrumentWarning]:
    """The instrument's failed checks: any word but OK/No (a corrected vibration is fine)."""
    found: list[InstrumentWarning] = []
    for name, video_checks, video_info in zip(names, checks, info, strict=True):
        for label, value in video_checks.items():
            if value.strip().lower() not in PASSING:
                found.append(
                    InstrumentWarning(
                        section="Concentration Warnings", item=label, value=value, replicate=name
                    )
                )
        corrected = video_info.get("Vibration correction applied", "").lower() == "yes"
        for label, value in video_info.items():
            word = value.strip().lower()
            if label == "Vibration correction applied" or word in PASSING:
                continue
            if label == "Vibration detected" and corrected:
                continue
            if label.startswith("Settings changed") and word == "no":
                continue
            found.append(
                InstrumentWarning(section="Information", item=label, value=value, replicate=name)
            )
    return found


RESULT_FIELDS = {
    "Particles per frame": "particles_per_frame",
    "Centres per frame": "centres_per_frame",
    "Completed tracks": "completed_tracks",
    "X-Drift (pix/frame)": "x_drift_pix_per_frame",
    "Y-Drift (pix/frame)": "y_drift_pix_per_frame",
}


def _result_values(
    results: dict[str, _Row], header: _Row | None, n: int, path: Path
) -> list[dict[str, Any]]:
    """Typed ``[Results]`` values per video, then (index ``n``) the Average/SE columns."""
    out: list[dict[str, Any]] = [{} for _ in range(n + 1)]
    for label, attr in RESULT_FIELDS.items():
        row = results.get(label)
        if row is None:
            continue
        for v, text in enumerate(_value_cells(row, n, path, label)):
            value = _number(text, path, row.line, f"{label} (video {v + 1})")
            out[v][attr] = int(value) if attr == "completed_tracks" else value
        avg = _extra(row, header, "Average", n)
        if avg and attr in ("particles_per_frame", "centres_per_frame"):
            out[n][attr] = _number(avg, path, row.line, f"{label} Average")
            out[n][f"{attr}_se"] = optional_float(
                _extra(row, header, "Standard Error", n),
                file=path,
                line=row.line,
                field=f"{label} Standard Error",
            )
    upgrade = results.get("Concentration Upgrade?")
    if upgrade is not None:
        words = _value_cells(upgrade, n, path, "Concentration Upgrade?")
        for v, word in enumerate(words):
            out[v]["concentration_upgrade"] = {"yes": True, "no": False}.get(word.lower())
        if len(set(words)) == 1:
            out[n]["concentration_upgrade"] = out[0]["concentration_upgrade"]
    return out


def _bins(centres: list[float], conc_per_nm: list[float]) -> list[SizeBin]:
    """Graph Data is particles/mL per nm at each centre; a bin holds density × width."""
    raw = [SizeBin(centre_nm=c) for c in centres]
    lower, upper = bin_edges(raw)
    return [
        SizeBin(
            centre_nm=c,
            lower_nm=float(lo),
            upper_nm=float(hi),
            concentration_per_ml=density * float(hi - lo),
        )
        for c, lo, hi, density in zip(centres, lower, upper, conc_per_nm, strict=True)
    ]


def _settings(parsed: _Parsed, n: int) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for section in ("Conditions", "Settings"):
        for label, row in parsed.sections.get(section, {}).items():
            values = [row.cell(i) for i in range(1, n + 1)]
            settings[label] = values[0] if len(set(values)) == 1 else values
    return settings


def _measured_at(parsed: _Parsed) -> datetime | None:
    row = parsed.sections.get("Experiment Details", {}).get("Time Captured")
    text = " ".join(row.cell(1).split()) if row else ""
    try:
        return datetime.strptime(text, "%H:%M:%S %d/%m/%Y") if text else None
    except ValueError:
        return None


def _software(parsed: _Parsed, src: SourceText) -> str | None:
    row = parsed.sections.get("Experiment Details", {}).get("Software Version")
    if row and row.cell(1) and row.cell(1) != "Unknown":
        return row.cell(1)
    if len(src.lines) > 1 and src.lines[1].startswith("Created with "):
        return src.lines[1].split(",")[0].removeprefix("Created with ").strip()
    return None


def parse(src: SourceText) -> list[ParticleMeasurement]:
    """Parse a NanoSight ExperimentSummary.csv into one measurement (videos = replicates)."""
    path, last = src.path, len(src.lines)
    parsed = _split(_rows(src), path)
    names_row = parsed.head.get("Filename:") or parsed.sections.get("Experiment Details", {}).get(
        "Filename:"
    )
    if names_row is None:
        raise UserInputError(
            "no 'Filename:' row naming the videos",
            file=path,
            line=last,
            field="Filename:",
            expected="a row of video names",
        )
    names = [c.strip() for c in names_row.cells[1:] if c.strip()]
    n = len(names)
    results = parsed.sections.get("Results")
    if results is None:
        raise UserInputError(
            "no [Results] section (truncated file?)",
            file=path,
            line=last,
            field="[Results]",
            expected="a [Results] section",
        )
    blocks = [b for b in parsed.size_blocks if b.weighting.lower() == "number"]
    if not blocks:
        raise UserInputError(
            "no number-weighted [Size Data] block (truncated file?)",
            file=path,
            line=last,
            field="Weighting",
            expected="Weighting,Number",
        )
    block = blocks[0]
    results_header = parsed.section_headers.get("Results")
    size_header = block.rows.get("Filename")
    conc_row = _require(results, "Concentration (Particles / ml)", path, "Results", last)
    dil_row = _require(
        results, "Dilution factor (concentrations adjusted for this factor)", path, "Results", last
    )
    summary_rows = {
        label: _require(block.rows, label, path, "Size Data", last) for label in SUMMARY_ROWS
    }
    centres, video_conc, average_conc = _graph(block, n, path, last)
    percentiles = _percentile_table(block, n, path, last)

    conc_cells = _value_cells(conc_row, n, path, "Concentration (Particles / ml)")
    dil_cells = _value_cells(dil_row, n, path, "Dilution factor")
    dilution_values = {c for c in dil_cells}
    dilution, applied, recorded, notes = 1.0, False, True, []
    if dilution_values == {"Not recorded"}:
        recorded = False
        notes.append(
            "dilution factor not recorded in the NTA software: concentrations are "
            "as measured in the cell; stock concentration unknown"
        )
    elif len(dilution_values) == 1:
        dilution = _number(dil_cells[0], path, dil_row.line, "Dilution factor")
        applied = True
    else:
        raise UserInputError(
            "videos have different dilution factors",
            file=path,
            line=dil_row.line,
            field="Dilution factor",
            expected="one factor",
        )

    size_blocks = [b for b in parsed.size_blocks if b.section == "Size Data"]
    diffusion_blocks = [b for b in parsed.size_blocks if b.section != "Size Data"]
    size_weightings = [_weighted(b, n, path, last) for b in size_blocks]
    diffusion_weightings = [_weighted(b, n, path, last) for b in diffusion_blocks]
    checks = _per_video_text(parsed, "Concentration Warnings", n)
    info = _per_video_text(parsed, "Information", n)
    result_values = _result_values(results, results_header, n, path)

    replicates: list[Replicate] = []
    for v, name in enumerate(names):
        values: dict[str, Any] = {}
        for label, attr in SUMMARY_ROWS.items():
            row = summary_rows[label]
            values[attr] = _number(_value_cells(row, n, path, label)[v], path, row.line, label)
        reported: dict[str, Any] = {"percentile_nm": percentiles[v]}
        for label in RESULT_ROWS:
            if label in results:
                reported[label] = optional_float(
                    results[label].cell(v + 1), file=path, line=results[label].line, field=label
                )
        tracks = block.rows.get("Valid Tracks")
        counted = (
            optional_float(tracks.cell(v + 1), file=path, line=tracks.line, field="Valid Tracks")
            if tracks
            else None
        )
        replicates.append(
            Replicate(
                name=name,
                concentration_per_ml=_number(conc_cells[v], path, conc_row.line, "Concentration"),
                particles_counted=int(counted) if counted is not None else None,
                bins=_bins(centres, video_conc[v]),
                reported=reported,
                weightings=[per_video[v] for per_video, _ in size_weightings],
                diffusion=[per_video[v] for per_video, _ in diffusion_weightings],
                concentration_warnings=checks[v],
                information=info[v],
                **result_values[v],
                **values,
            )
        )

    top: dict[str, Any] = {}
    avg_conc = _extra(conc_row, results_header, "Average", n)
    se_conc = _extra(conc_row, results_header, "Standard Error", n)
    if avg_conc:
        top["concentration_per_ml"] = _number(
            avg_conc, path, conc_row.line, "Concentration Average"
        )
        top["concentration_se_per_ml"] = optional_float(
            se_conc, file=path, line=conc_row.line, field="Concentration Standard Error"
        )
    elif n == 1:
        top["concentration_per_ml"] = replicates[0].concentration_per_ml
    reported_top: dict[str, Any] = {}
    for label, attr in SUMMARY_ROWS.items():
        row = summary_rows[label]
        avg = _extra(row, size_header, "Average", n)
        if avg:
            top[attr] = _number(avg, path, row.line, f"{label} Average")
            se = _extra(row, size_header, "Standard Error", n)
            reported_top[f"{label} Standard Error"] = optional_float(
                se, file=path, line=row.line, field=f"{label} Standard Error"
            )
        elif n == 1:
            top[attr] = getattr(replicates[0], attr)
    for label in RESULT_ROWS:
        result_row = results.get(label)
        if result_row is not None and _extra(result_row, results_header, "Average", n):
            reported_top[f"{label} Average"] = _number(
                _extra(result_row, results_header, "Average", n), path, result_row.line, label
            )
    if not avg_conc and n > 1:
        notes.append("the file prints no Average column; summary values left empty")

    details = parsed.sections.get("Experiment Details", {})
    sample = next(
        (
            details[k].cell(1)
            for k in ("Sample Description", "Sample Name", "Experiment Name")
            if k in details and details[k].cell(1)
        ),
        None,
    )
    operator_row = details.get("Operator Name") or details.get("Operator")
    averages = result_values[n] if n > 1 else result_values[0]
    return [
        ParticleMeasurement(
            method="NTA",
            operator=(operator_row.cell(1) or None) if operator_row else None,
            dilution_recorded=recorded,
            warnings=_warnings(names, checks, info),
            weightings=[average for _, average in size_weightings],
            diffusion=[average for _, average in diffusion_weightings],
            **averages,
            instrument="Malvern NanoSight",
            software=_software(parsed, src),
            settings=_settings(parsed, n),
            sample_name=sample,
            measured_at=_measured_at(parsed),
            dilution=dilution,
            dilution_applied=applied,
            weighting="number",
            bins=_bins(centres, average_conc),
            replicates=replicates,
            source_file=str(path),
            source_sha256=src.sha256,
            notes=notes,
            reported=reported_top,
            **top,
        )
    ]
