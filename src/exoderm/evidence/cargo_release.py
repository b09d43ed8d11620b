"""Reading Vesiclepedia's and ExoCarta's own bulk files into cargo rows.

Why: the harmonised snapshot is one curated extract; a user who downloads a repository's
current release gets its tab-separated bulk files instead, ``<DB>_PROTEIN_MRNA_DETAILS_<v>``
and ``<DB>_MIRNA_DETAILS_<v>`` (one row per detected molecule and experiment) and
``<DB>_EXPERIMENT_DETAILS_<v>`` (one row per experiment: its PubMed ID, sample, year,
isolation method and vesicle type). They are joined on ``EXPERIMENT ID`` into rows of the
snapshot's schema, so one checker (:func:`exoderm.evidence.cargo_import.parse_columns`)
and one writer serve both.

The files are read as Latin-1 (the repositories' encoding), tab-separated and unquoted;
headers are matched case-insensitively with whitespace and underscores collapsed, because
releases differ in spelling. A problem names the bulk file, its line (the header is line
1) and the column. Values the bulk files do not carry (disease, EV-TRACK's
characterisation and EV-METRIC) are the explicit missing marker ``Unknown``. A PubMed ID
of ``0`` means none (as the repositories write it).

References
----------
.. [1] Kalra, H. et al. (2012). Vesiclepedia: a compendium for extracellular vesicles with
   continuous community annotation. PLoS Biology 10(12), e1001450.
   doi:10.1371/journal.pbio.1001450
.. [2] Chitti, S. V. et al. (2024). Vesiclepedia 2024: an extracellular vesicles and
   extracellular particles repository. Nucleic Acids Research 52(D1), D1694-D1698.
   doi:10.1093/nar/gkad1007
.. [3] Keerthikumar, S. et al. (2016). ExoCarta: a web-based compendium of exosomal
   cargo. Journal of Molecular Biology 428(4), 688-692. doi:10.1016/j.jmb.2015.09.019
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exoderm.errors import Location, Problem, UserInputError, ValidationFailed
from exoderm.evidence.cargo_import import OPTIONAL_COLUMNS, REQUIRED_COLUMNS

#: The repositories whose bulk files are read, by their file-name prefix.
RELEASES: dict[str, str] = {"VESICLEPEDIA": "Vesiclepedia", "EXOCARTA": "ExoCarta"}
#: Columns a cargo file needs; the molecule is ``GENE SYMBOL`` or ``MIRNA ID``.
CARGO_COLUMNS = ("CONTENT TYPE", "SPECIES", "EXPERIMENT ID", "METHODS")
MOLECULE_COLUMNS = ("GENE SYMBOL", "MIRNA ID")
#: Columns an experiment file needs (``ISOLATION METHOD`` is read when present).
EXPERIMENT_COLUMNS = ("EXPERIMENT ID", "PUBMED ID", "SAMPLE NAME", "YEAR", "VESICLE TYPE")
UNKNOWN = "Unknown"
_NAME = re.compile(
    r"^(VESICLEPEDIA|EXOCARTA)_(PROTEIN_MRNA_DETAILS|MIRNA_DETAILS|EXPERIMENT_DETAILS)"
)


@dataclass(slots=True)
class BulkColumns:
    """Rows of a release as columns of the snapshot's schema, and where each came from."""

    columns: dict[str, list[Any]] = field(
        default_factory=lambda: {c: [] for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)}
    )
    origins: list[tuple[Path, int]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.origins)


def header_key(text: str) -> str:
    """A header as compared: upper-case, underscores and runs of blanks one space.

    Examples
    --------
    >>> header_key(" experiment_id "), header_key("GENE  SYMBOL")
    ('EXPERIMENT ID', 'GENE SYMBOL')
    """
    return " ".join(text.replace("_", " ").split()).upper()


def release_files(folder: Path) -> dict[str, dict[str, Path]]:
    """The bulk files in ``folder``: repository → kind (``experiment``, ``protein``,
    ``mirna``) → path.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> for name in ("EXOCARTA_EXPERIMENT_DETAILS_5.txt", "EXOCARTA_MIRNA_DETAILS_5.txt"):
    ...     _ = (d / name).write_text("EXPERIMENT ID\\n")
    >>> sorted(release_files(d)["ExoCarta"])
    ['experiment', 'mirna']
    """
    found: dict[str, dict[str, Path]] = {}
    for path in sorted(folder.iterdir()):
        match = _NAME.match(path.name.upper())
        if match is None or not path.is_file():
            continue
        kind = {"PROTEIN_MRNA_DETAILS": "protein", "MIRNA_DETAILS": "mirna"}.get(
            match.group(2), "experiment"
        )
        repository = found.setdefault(RELEASES[match.group(1)], {})
        if kind in repository:
            raise UserInputError(
                f"two {kind} files for {RELEASES[match.group(1)]}: "
                f"{repository[kind].name} and {path.name}",
                file=folder,
                expected="one file of each kind per repository",
            )
        repository[kind] = path
    return found


def release_sha256(files: list[Path]) -> str:
    """One SHA-256 over the files' names and contents, in name order (the import's
    identity: the same release imported twice is a no-op)."""
    digest = hashlib.sha256()
    for path in sorted(files, key=lambda p: p.name):
        digest.update(path.name.encode() + b"\0")
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _table(
    path: Path, needed: tuple[str, ...]
) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    """A bulk file's header index and its rows with their line numbers."""
    with path.open(encoding="latin-1", newline="") as f:
        lines = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(lines, None)
        if header is None:
            raise UserInputError("empty file", file=path, expected="a header line")
        index = {header_key(h): k for k, h in enumerate(header)}
        missing = [c for c in needed if c not in index]
        if missing:
            raise UserInputError(
                f"missing column(s): {', '.join(missing)}",
                file=path,
                line=1,
                expected="the columns " + ", ".join(needed),
            )
        return index, [(number, row) for number, row in enumerate(lines, start=2) if row]


def _cell(row: list[str], index: dict[str, int], column: str) -> str:
    k = index.get(column)
    return row[k] if k is not None and k < len(row) else ""


@dataclass(frozen=True, slots=True)
class _Experiment:
    pmid: str
    sample: str
    year: str
    vesicle: str
    isolation: str


def _experiments(path: Path, problems: list[Problem]) -> dict[str, _Experiment]:
    index, rows = _table(path, EXPERIMENT_COLUMNS)
    out: dict[str, _Experiment] = {}
    for number, row in rows:
        key = _cell(row, index, "EXPERIMENT ID").strip()
        if not key:
            problems.append(
                Problem("no experiment id", Location(path, number, "EXPERIMENT ID"), "an id")
            )
            continue
        if key in out:
            problems.append(
                Problem(
                    f"experiment {key} is listed twice",
                    Location(path, number, "EXPERIMENT ID"),
                    "one line per experiment",
                )
            )
            continue
        pmid = _cell(row, index, "PUBMED ID").strip()
        out[key] = _Experiment(
            pmid=UNKNOWN if pmid in ("", "0") else pmid,
            sample=_cell(row, index, "SAMPLE NAME").strip()
            or _cell(row, index, "SAMPLE SOURCE").strip()
            or UNKNOWN,
            year=_cell(row, index, "YEAR").strip() or UNKNOWN,
            vesicle=_cell(row, index, "VESICLE TYPE").strip() or UNKNOWN,
            isolation=_cell(row, index, "ISOLATION METHOD").strip(),
        )
    return out


def _add_cargo(
    out: BulkColumns,
    path: Path,
    repository: str,
    experiments: dict[str, _Experiment],
    problems: list[Problem],
) -> None:
    index, rows = _table(path, CARGO_COLUMNS)
    molecule = next((c for c in MOLECULE_COLUMNS if c in index), None)
    if molecule is None:
        raise UserInputError(
            "no molecule column", file=path, line=1, expected=" or ".join(MOLECULE_COLUMNS)
        )
    cols = out.columns
    for number, row in rows:
        experiment_id = _cell(row, index, "EXPERIMENT ID").strip()
        experiment = experiments.get(experiment_id)
        if experiment is None:
            problems.append(
                Problem(
                    f"experiment {experiment_id or '(none)'} is not in the experiment file",
                    Location(path, number, "EXPERIMENT ID"),
                    "an EXPERIMENT ID of the release's EXPERIMENT_DETAILS file",
                )
            )
            continue
        values = {
            "working_id": _cell(row, index, molecule),
            "molecule_type": _cell(row, index, "CONTENT TYPE") or UNKNOWN,
            "species": _cell(row, index, "SPECIES") or UNKNOWN,
            "sample_name": experiment.sample,
            "method": _cell(row, index, "METHODS") or UNKNOWN,
            "vesicle": experiment.vesicle,
            "disease": UNKNOWN,
            "year": experiment.year,
            "pmid": experiment.pmid,
            "characterization": UNKNOWN,
            "ev_metric": UNKNOWN,
            "source": repository,
            "experiment_id": experiment_id,
            "isolation_method": experiment.isolation,
        }
        for column, value in values.items():
            cols[column].append(value)
        out.origins.append((path, number))


def read_release(folder: Path) -> tuple[BulkColumns, list[Path]]:
    """Every cargo row of the bulk files in ``folder``, joined to its experiment.

    Parameters
    ----------
    folder : Path
        A folder holding, per repository, an ``*_EXPERIMENT_DETAILS_*`` file and at least
        one of ``*_PROTEIN_MRNA_DETAILS_*`` and ``*_MIRNA_DETAILS_*``.

    Returns
    -------
    (BulkColumns, files)
        The rows as columns of the snapshot's schema with each row's file and line, and
        the files read.

    Raises
    ------
    UserInputError
        No bulk file, a repository without its experiment file, or a column missing.
    ValidationFailed
        Cargo lines whose experiment the experiment file lacks, or experiment lines
        without an id or listed twice; nothing is read further.

    References
    ----------
    .. [1] Keerthikumar, S. et al. (2016). ExoCarta: a web-based compendium of exosomal
       cargo. Journal of Molecular Biology 428(4), 688-692. doi:10.1016/j.jmb.2015.09.019

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "EXOCARTA_EXPERIMENT_DETAILS_5.txt").write_text(
    ...     "EXPERIMENT ID\\tPUBMED ID\\tSPECIES\\tSAMPLE NAME\\tYEAR\\tVESICLE TYPE\\n"
    ...     "7\\t19056867\\tHomo sapiens\\tKeratinocytes\\t2008\\tExosomes\\n", "latin-1")
    >>> _ = (d / "EXOCARTA_MIRNA_DETAILS_5.txt").write_text(
    ...     "CONTENT ID\\tCONTENT TYPE\\tMIRNA ID\\tSPECIES\\tEXPERIMENT ID\\tMETHODS\\n"
    ...     "1\\tmiRNA\\thsa-miR-21\\tHomo sapiens\\t7\\tMicroarray\\n", "latin-1")
    >>> rows, files = read_release(d)
    >>> rows.columns["working_id"], rows.columns["pmid"], rows.origins[0][1]
    (['hsa-miR-21'], ['19056867'], 2)
    """
    releases = release_files(folder)
    if not releases:
        raise UserInputError(
            "no Vesiclepedia or ExoCarta bulk file",
            file=folder,
            expected="files named VESICLEPEDIA_… or EXOCARTA_… _PROTEIN_MRNA_DETAILS, "
            "_MIRNA_DETAILS and _EXPERIMENT_DETAILS",
        )
    out, problems, files = BulkColumns(), list[Problem](), list[Path]()
    for repository, kinds in releases.items():
        if "experiment" not in kinds:
            raise UserInputError(
                f"{repository}: no EXPERIMENT_DETAILS file",
                file=folder,
                expected="the experiment file the cargo files are joined to",
            )
        cargo = [kinds[k] for k in ("protein", "mirna") if k in kinds]
        if not cargo:
            raise UserInputError(
                f"{repository}: no PROTEIN_MRNA_DETAILS or MIRNA_DETAILS file", file=folder
            )
        experiments = _experiments(kinds["experiment"], problems)
        for path in cargo:
            _add_cargo(out, path, repository, experiments, problems)
        files += [kinds["experiment"], *cargo]
    if problems:
        raise ValidationFailed(problems, subject=str(folder))
    return out, files
