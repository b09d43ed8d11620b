"""The EV cargo layer: what the EV repositories report as detected in a source's vesicles.

Why: the curated graph says *that* a source's EVs act through a mediator; the cargo
repositories (Vesiclepedia, ExoCarta, EV-TRACK) say *what was detected* in which
preparations, by which method and in which study. Each imported row keeps its
provenance (repository, experiment, PMID or DOI, method, vesicle type, isolation method,
species, sample source) so that a count of "independent studies" can be checked row by
row. The rows are shared knowledge (no organisation), like the curated graph.

Tables: ``evidence_cargo_import`` (one accepted file: its SHA-256 and row count, so a
re-import of the same file changes nothing) and ``evidence_cargo_row`` (one detection).
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from exoderm.storage.base import Base, Timestamped


class CargoImport(Timestamped, Base):
    """One imported cargo file; all its rows were written in one transaction."""

    __tablename__ = "evidence_cargo_import"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filename: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    row_count: Mapped[int] = mapped_column(Integer)
    imported_by: Mapped[str] = mapped_column(String(100))


class CargoRow(Base):
    """One detection: a molecule reported in the EVs of a sample source, with provenance."""

    __tablename__ = "evidence_cargo_row"
    __table_args__ = (
        Index("ix_evidence_cargo_row_sample_molecule", "sample_name", "molecule"),
        Index("ix_evidence_cargo_row_molecule_sample", "molecule", "sample_name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("evidence_cargo_import.id", ondelete="CASCADE")
    )
    #: 1-based position of the row in the file (what problems are reported by).
    row_number: Mapped[int] = mapped_column(Integer)
    repository: Mapped[str] = mapped_column(String(40))
    experiment_id: Mapped[str | None] = mapped_column(String(100))
    #: Normalised symbol (whitespace collapsed, upper case); None for study-only rows.
    molecule: Mapped[str | None] = mapped_column(String(300))
    molecule_raw: Mapped[str] = mapped_column(String(300))
    molecule_kind: Mapped[str] = mapped_column(String(40))
    species: Mapped[str] = mapped_column(String(200))
    #: Sample source as the repository gave it, whitespace collapsed.
    sample_name: Mapped[str] = mapped_column(String(300))
    method: Mapped[str] = mapped_column(String(500))
    vesicle: Mapped[str] = mapped_column(String(200))
    isolation_method: Mapped[str | None] = mapped_column(String(300))
    disease: Mapped[str] = mapped_column(String(300))
    year: Mapped[int | None] = mapped_column(Integer)
    #: The study: ``pmid:<n>``, ``doi:<doi>`` or None when the repository gives neither.
    study: Mapped[str | None] = mapped_column(String(300))
    pmid: Mapped[str | None] = mapped_column(String(20))
    doi: Mapped[str | None] = mapped_column(String(300))
    characterization: Mapped[str] = mapped_column(String(40))
    #: EV-METRIC (%, EV-TRACK rows only).
    ev_metric: Mapped[float | None] = mapped_column(Float)


class CargoImportRead(BaseModel):
    """The outcome of a cargo import."""

    import_id: int
    filename: str
    sha256: str
    rows: int
    already_imported: bool = Field(
        description="True when this file (same SHA-256) was imported before; nothing changed."
    )
    seconds: float


class CargoSourceRead(BaseModel):
    """A sample source of the cargo repositories and the EV-source node it maps to."""

    sample_name: str
    rows: int
    studies: int
    node_id: str | None = Field(description="EV-source node id; None when not mapped.")
    reviewed: bool = Field(description="True when a reviewed pattern decided the mapping.")
    note: str = ""


class CargoDetectionRead(BaseModel):
    """A molecule detected in the EVs of one EV source, with its evidence counts."""

    molecule: str
    kinds: list[str]
    studies: int = Field(description="Independent studies (distinct PMID or DOI).")
    methods: list[str]
    repositories: list[str]
    pmids: list[str]
    rows: int


class CargoCarrierRead(BaseModel):
    """An EV source in whose vesicles a molecule was detected."""

    node_id: str | None = Field(description="EV-source node id; None for unmapped samples.")
    source_name: str
    sample_names: list[str]
    studies: int = Field(description="Independent studies (distinct PMID or DOI).")
    methods: list[str]
    species: list[str]
    pmids: list[str]
    rows: int


class CargoFilter(BaseModel):
    """Which detections count: each given field narrows (case-insensitive)."""

    species: str | None = Field(
        None, max_length=200, description="Exact species, e.g. 'Homo sapiens'."
    )
    vesicle: str | None = Field(None, max_length=200, description="Substring of the vesicle type.")
    isolation_method: str | None = Field(
        None, max_length=300, description="Substring of the isolation method."
    )
    method: str | None = Field(
        None, max_length=300, description="Substring of the detection method."
    )
    kind: str | None = Field(None, max_length=40, description="Cargo kind: protein, mrna, mirna …")
