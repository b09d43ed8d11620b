"""Horiba ViewSizer 3000 (MPTA) result-folder importer.

Layout (Horiba ViewSizer 3000 result folders, as in the MIT-licensed test data of
hingels/SizeViewer): a sample folder
with a settings XML (``SampleData``: RecordingSettings, SampleInformation, MetaData) and a
``Results_*`` folder of ``.dat`` tables whose separator is TAB + space, header lines start
with ``/``. ``Videos_*.dat`` lists per video the particle count, mean and sample SD and
every particle size; the bin tables give ``PSD_corrected_[counts/mL/nm]`` =
count / (NumOfVideos × Volume × bin width) (derived from those files), so
Σ PSD × width is the particle concentration in the measurement cell.

The ViewSizer prints no overall summary in these files: the top-level mean and SD pool
every particle of every video (sample SD, as the instrument uses per video), D10/D50/D90
interpolate the 1-nm ``ConstantBinsTable`` and the mode is the centre of the fullest bin of
the 20-nm ``DisplayBins`` table the software plots (``BinOption Width_20nm``).
"""

from __future__ import annotations

import statistics
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from typing import Any

from exoderm.errors import UserInputError
from exoderm.qc.distribution import number_stats
from exoderm.qc.importers.text import SourceText, parse_float, read_source
from exoderm.qc.measurement import ParticleMeasurement, Replicate, SizeBin

TABLE_COLUMNS = 6


def looks_like(path: Path) -> bool:
    return path.is_dir() and (any(path.glob("Results_*")) or any(path.glob("Videos_*.dat")))


def _settings_xml(folder: Path) -> tuple[Path, ET.Element]:
    for candidate in sorted(folder.glob("*.xml")):
        try:
            root = ET.fromstring(candidate.read_bytes())
        except ET.ParseError as exc:
            raise UserInputError(
                f"malformed XML ({exc})",
                file=candidate,
                line=exc.position[0],
                expected="well-formed XML",
            ) from exc
        if root.tag == "SampleData":
            return candidate, root
    raise UserInputError(
        "no settings XML (<SampleData>) in the sample folder",
        file=folder,
        expected="<name>_<date>.xml written by the ViewSizer",
    )


def _xml_float(root: ET.Element, path: str, file: Path) -> float:
    node = root.find(path)
    if node is None or node.text is None:
        raise UserInputError("missing setting", file=file, field=path, expected="a number")
    return parse_float(node.text, file=file, line=0, field=path)


def _one(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    if not found:
        raise UserInputError(
            f"no file matching {pattern!r}", file=folder, expected="a ViewSizer Results folder"
        )
    return found[0]


def _fields(line: str) -> list[str]:
    return [f.strip() for f in line.split("\t") if f.strip()]


def _videos(src: SourceText) -> list[Replicate]:
    reps: list[Replicate] = []
    for lineno, line in enumerate(src.lines, start=1):
        if not line.strip() or line.startswith("/"):
            continue
        cells = _fields(line)
        if len(cells) < 4:
            raise UserInputError(
                "video row too short (truncated file?)",
                file=src.path,
                line=lineno,
                field="#particles",
                expected="Video#, #particles, AVG, SD, sizes",
            )
        n = int(parse_float(cells[1], file=src.path, line=lineno, field="#particles"))
        sizes = [parse_float(c, file=src.path, line=lineno, field="size[nm]") for c in cells[4:]]
        if len(sizes) != n:
            raise UserInputError(
                f"video lists {len(sizes)} particle sizes but reports {n} (truncated file?)",
                file=src.path,
                line=lineno,
                field="#particles",
                expected=f"{n} sizes",
            )
        reps.append(
            Replicate(
                name=f"video {cells[0]}",
                particles_counted=n,
                mean_nm=parse_float(cells[2], file=src.path, line=lineno, field="AVG size[nm]"),
                sd_nm=parse_float(cells[3], file=src.path, line=lineno, field="SD size[nm]"),
                particle_sizes_nm=sizes,
            )
        )
    if not reps:
        raise UserInputError(
            "no video rows",
            file=src.path,
            line=len(src.lines),
            field="Video#",
            expected="one row per video",
        )
    return reps


def _table(src: SourceText) -> list[SizeBin]:
    bins: list[SizeBin] = []
    for lineno, line in enumerate(src.lines, start=1):
        if not line.strip() or line.startswith("/"):
            continue
        cells = _fields(line)
        if len(cells) < TABLE_COLUMNS:
            raise UserInputError(
                "bin row too short (truncated file?)",
                file=src.path,
                line=lineno,
                field="PSD_corrected_[counts/mL/nm]",
                expected=f"{TABLE_COLUMNS} columns",
            )
        lo, centre, hi, count, psd = (
            parse_float(c, file=src.path, line=lineno, field=f)
            for c, f in zip(
                cells[:5],
                (
                    "LowerBinDiameter",
                    "CenterBinDiameter",
                    "UpperBinDiameter",
                    "TotalParticlesCounted",
                    "PSD",
                ),
                strict=True,
            )
        )
        bins.append(
            SizeBin(
                centre_nm=centre,
                lower_nm=lo,
                upper_nm=hi,
                count=count,
                concentration_per_ml=psd * (hi - lo),
            )
        )
    return bins


def _trim(bins: list[SizeBin]) -> list[SizeBin]:
    """Drop the empty bins before the first and after the last particle (sums unchanged)."""
    filled = [i for i, b in enumerate(bins) if (b.count or 0) > 0]
    return bins[filled[0] : filled[-1] + 1] if filled else []


def _measured_at(root: ET.Element) -> datetime | None:
    node = root.find("MetaData/MeasurementStartDateTime")
    try:
        return datetime.fromisoformat(node.text.strip()) if node is not None and node.text else None
    except ValueError:
        return None


def _kept(section: str, tag: str) -> set[str]:
    """Instrument metadata worth keeping (the customer's address is not a setting)."""
    if section != "MetaData":
        return {tag}
    return {
        "AnalyzerModel",
        "SerialNumber",
        "CalibrationConstant",
        "FirmwareVersion",
        "CameraType",
        "MeasurementStartDateTime",
    }


def _sizes_of(rep: Replicate) -> list[float]:
    """The per-particle sizes of one video, as the ``Videos_*.dat`` file lists them."""
    return list(rep.particle_sizes_nm)


def parse_folder(folder: Path) -> list[ParticleMeasurement]:
    """Import one ViewSizer sample folder (or its Results folder's parent)."""
    folder = Path(folder)
    xml_path, root = _settings_xml(folder)
    results = next((p for p in sorted(folder.glob("Results_*")) if p.is_dir()), folder)
    videos_src = read_source(_one(results, "Videos_*.dat"))
    reps = _videos(videos_src)
    volume = _xml_float(root, "RecordingSettings/Volume", xml_path)
    if volume <= 0:
        raise UserInputError(
            f"recorded volume {volume} mL is not positive",
            file=xml_path,
            field="RecordingSettings/Volume",
            expected="the analysed volume per video in mL, > 0",
        )
    n_videos = int(_xml_float(root, "RecordingSettings/NumOfVideos", xml_path))
    for rep in reps:
        rep.concentration_per_ml = (rep.particles_counted or 0) / volume
    fine = _table(read_source(_one(results, "ConstantBinsTable_*.dat")))
    display = _trim(_table(read_source(_one(results, "DisplayBins_*.dat"))))
    counted = sum(b.count or 0 for b in fine)
    if counted != sum(r.particles_counted or 0 for r in reps):
        raise UserInputError(
            "bin table and video list count different particles",
            file=results,
            field="TotalParticlesCounted",
            expected=f"{sum(r.particles_counted or 0 for r in reps)} particles",
        )
    stats = number_stats(_trim(fine))
    sizes = [float(s) for r in reps for s in _sizes_of(r)]
    settings: dict[str, Any] = {
        f"{section}/{node.tag}": node.text
        for section in ("RecordingSettings", "ProcessingSettings", "SampleInformation", "MetaData")
        for node in (root.find(section) or [])
        if node.text and node.text.strip() and node.tag in _kept(section, node.tag)
    }
    dilution = (
        _xml_float(root, "SampleInformation/Dilution", xml_path)
        if root.find("SampleInformation/Dilution") is not None
        else 1.0
    )
    return [
        ParticleMeasurement(
            method="NTA",
            instrument="Horiba ViewSizer 3000 (MPTA)",
            software=(root.findtext("MetaData/RecordingSoftwareVersion") or None),
            settings=settings,
            sample_name=root.findtext("SampleInformation/Name"),
            measured_at=_measured_at(root),
            dilution=dilution,
            dilution_applied=False,
            concentration_per_ml=sum(b.concentration_per_ml or 0 for b in fine),
            particles_counted=len(sizes),
            mean_nm=statistics.fmean(sizes),
            sd_nm=statistics.stdev(sizes),
            mode_nm=max(display, key=lambda b: b.count or 0).centre_nm,
            d10_nm=stats.d10_nm,
            d50_nm=stats.d50_nm,
            d90_nm=stats.d90_nm,
            bins=display,
            replicates=reps,
            source_file=str(folder),
            source_sha256=videos_src.sha256,
            notes=[
                f"{n_videos} videos of {volume} mL each; concentration is in the measurement "
                "cell (Σ PSD × bin width); summary values computed by exoderm from the "
                "particle list and bin tables (the ViewSizer prints none)"
            ],
        )
    ]
