"""Release specifications: versioned spec sheets (TOML) with cited limits.

The packaged default (``qc/data/specs/exoderm-default-ev-1.0.toml``) draws each limit from
published clinical-grade EV release specifications (World J Stem Cells 17(10):110445
(2025) Table 1, MSC-EVs; Signal Transduct Target Ther (2025) doi:10.1038/s41392-025-02262-3
Table 1, nebulised hUC-MSC-EVs) and MISEV2018 (Théry et al. 2018,
doi:10.1080/20013078.2018.1535750). A product spec sheet ``extends`` a packaged sheet and
overrides, adds or removes criteria, so a product can be held to e.g. < 0.25 EU/mL without
copying the rest.

A sheet is chosen **by name** (``id`` or ``id@version``) among the packaged ones
(:func:`load_spec`); an unknown name is a :class:`~exoderm.errors.UserInputError` that
lists the known names and nothing else. Only :func:`load_spec_file` reads a file, for an
operator who names their own sheet on the command line; no request text becomes a path.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from exoderm.errors import UserInputError, validation_failed

SPEC_DIR = Path(__file__).parent / "data" / "specs"
DEFAULT_SPEC = "exoderm-default-ev@1.0"

Kind = Literal[
    "max",
    "min",
    "equals",
    "markers_present",
    "markers_absent",
    "misev_checklist",
    "nomenclature",
    "provided",
    "label_tolerance",
    "report",
    "separation",
    "orthogonal",
]


class Criterion(BaseModel):
    """One line of a specification: what is tested, its limit, and where the limit comes from."""

    model_config = ConfigDict(extra="forbid")

    id: str
    title: str
    kind: Kind
    attribute: str | None = None
    limit: float | None = None
    strict: bool = False
    expected: str | None = None
    markers: list[str] = Field(default_factory=list)
    min_count: int = 1
    tolerance: float | None = None
    #: For ``orthogonal``: the largest ratio allowed between two concentrations.
    factor: float | None = Field(default=None, gt=1)
    unit: str | None = None
    #: The analytical procedure (printed on the certificate) ...
    method: str | None = None
    #: ... and the standard or publication that defines it.
    method_reference: str | None = None
    required: bool = True
    source: str = Field(min_length=3)


class Spec(BaseModel):
    """A versioned specification sheet."""

    model_config = ConfigDict(extra="forbid")

    id: str
    version: str
    title: str
    product: str | None = None
    extends: str | None = None
    sources: list[str] = Field(default_factory=list)
    criteria: list[Criterion] = Field(default_factory=list)
    overrides: dict[str, dict[str, Any]] = Field(default_factory=dict)
    remove: list[str] = Field(default_factory=list)

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise UserInputError(f"cannot read spec sheet: {exc.strerror}", file=path) from exc
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise UserInputError(
            f"invalid TOML ({exc})",
            file=path,
            line=int(line.group(1)) if line else None,
            expected="a TOML spec sheet",
        ) from exc


def _validate(data: dict[str, Any], path: Path) -> Spec:
    try:
        return Spec.model_validate(data)
    except ValidationError as exc:
        raise validation_failed(exc, subject=f"spec sheet {path.name}", file=path) from exc


def _packaged_sheets() -> list[Spec]:
    return [_validate(_read(p), p) for p in sorted(SPEC_DIR.glob("*.toml"))]


def packaged_specs() -> list[str]:
    """References (``id@version``) of the spec sheets shipped with exoderm."""
    return sorted(spec.ref for spec in _packaged_sheets())


def _packaged(ref: str) -> Spec:
    for spec in _packaged_sheets():
        if ref in (spec.ref, spec.id):
            return spec
    raise UserInputError(
        "unknown specification sheet",
        field="spec",
        expected="one of " + ", ".join(packaged_specs()),
    )


def _apply(base: Spec, child: Spec, path: Path) -> Spec:
    """The child's criteria replace or extend the base's; overrides patch single fields."""
    by_id = {c.id: c for c in base.criteria}
    for c in child.criteria:
        by_id[c.id] = c
    for cid, patch in child.overrides.items():
        if cid not in by_id:
            raise UserInputError(
                f"override of unknown criterion {cid!r}",
                file=path,
                field=f"overrides.{cid}",
                expected=", ".join(by_id),
            )
        merged = by_id[cid].model_dump() | patch
        try:
            by_id[cid] = Criterion.model_validate(merged)
        except ValidationError as exc:
            raise UserInputError(
                f"bad override: {exc.errors()[0]['msg']}", file=path, field=f"overrides.{cid}"
            ) from exc
    for cid in child.remove:
        by_id.pop(cid, None)
    return child.model_copy(
        update={
            "criteria": list(by_id.values()),
            "overrides": {},
            "remove": [],
            "sources": base.sources + child.sources,
        }
    )


def load_spec(name: str | None = None) -> Spec:
    """A packaged spec sheet by name (``id@version`` or ``id``); the default without one.

    The name is never read as a path: ``"/etc/x.toml"`` is an unknown name like any other.

    Examples
    --------
    >>> load_spec().ref
    'exoderm-default-ev@1.0'
    >>> load_spec("../x.toml")
    Traceback (most recent call last):
    ...
    exoderm.errors.UserInputError: field 'spec': unknown specification sheet (expected one of ...)
    """
    return _packaged(DEFAULT_SPEC if name is None else name)


def load_spec_file(path: Path) -> Spec:
    """The spec sheet in the TOML file ``path`` (an operator's own file, named explicitly).

    A sheet that ``extends`` another names a packaged sheet (:func:`load_spec`).
    """
    path = Path(path)
    spec = _validate(_read(path), path)
    if spec.extends:
        spec = _apply(load_spec(spec.extends), spec, path)
    if not spec.criteria:
        raise UserInputError(
            "spec sheet has no criteria",
            file=path,
            field="criteria",
            expected="at least one [[criteria]] table",
        )
    return spec


__all__ = ["DEFAULT_SPEC", "Criterion", "Spec", "load_spec", "load_spec_file", "packaged_specs"]
