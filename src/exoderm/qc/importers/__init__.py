"""Importers for instrument exports; each returns :class:`ParticleMeasurement` objects.

:func:`import_file` recognises the format from the content (not the file name):
NanoSight NTA ExperimentSummary CSV, ZetaView .txt, Malvern Zetasizer .txt, the generic
particle CSV, or a Horiba ViewSizer sample folder. Every importer reads the whole file
before returning, so a malformed or truncated file raises
:class:`~exoderm.errors.UserInputError` (naming file, line and field) before anything can
be written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from exoderm.errors import UserInputError, validation_failed
from exoderm.qc.importers import generic_csv, nanosight, viewsizer, zetasizer, zetaview
from exoderm.qc.importers.text import read_source
from exoderm.qc.measurement import ParticleMeasurement

Format = Literal["nanosight", "zetaview", "zetasizer", "viewsizer", "generic"]
FORMATS: tuple[str, ...] = ("nanosight", "zetaview", "zetasizer", "viewsizer", "generic")


def import_file(path: Path, format: Format | None = None) -> list[ParticleMeasurement]:
    """Parse an instrument export (file or ViewSizer folder) into measurements.

    A value the file states but a measurement cannot hold (e.g. a dilution of 0) is a
    :class:`~exoderm.errors.ValidationFailed` naming the file and the field.
    """
    path = Path(path)
    try:
        return _import(path, format)
    except ValidationError as exc:
        raise validation_failed(exc, subject=f"import of {path.name}", file=path) from exc


def _import(path: Path, format: Format | None) -> list[ParticleMeasurement]:
    if format == "viewsizer" or (format is None and viewsizer.looks_like(path)):
        return viewsizer.parse_folder(path)
    if path.is_dir():
        raise UserInputError(
            "a folder is only accepted as a ViewSizer sample folder",
            file=path,
            expected="a file, or a folder with Results_*",
        )
    src = read_source(path)
    parsers = {
        "nanosight": (nanosight.looks_like, nanosight.parse),
        "zetaview": (zetaview.looks_like, zetaview.parse),
        "zetasizer": (zetasizer.looks_like, zetasizer.parse),
        "generic": (generic_csv.looks_like, generic_csv.parse),
    }
    if format is not None:
        return parsers[format][1](src)
    for looks_like, parse in parsers.values():
        if looks_like(src):
            return parse(src)
    raise UserInputError(
        "unrecognised export format (wrong encoding or not an instrument export?)",
        file=path,
        line=1,
        field="format",
        expected="NanoSight ExperimentSummary CSV, ZetaView .txt, Zetasizer .txt, "
        "a ViewSizer folder, or the generic particle CSV ('# exoderm particle csv')",
    )


__all__ = ["FORMATS", "Format", "import_file"]
