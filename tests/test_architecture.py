"""The house rules, checked on the source: faces are siblings, services own policy.

- No module under ``web/`` imports ``api/`` and none under ``api/`` imports ``web/``; the
  CLI imports neither; no capability imports a face.
- Routers and pages hold no SQL and no access rule: no ``select(``, no ``session.``, no
  SQLAlchemy import, no organisation comparison.
- No source file cites the project's notes folder or a build machine's absolute path.
- Every public verb (a capability's ``service.py`` functions) has a numpydoc docstring
  with References and Examples.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "exoderm"
FACES = ("api", "web", "cli")
CAPABILITIES = ("evidence", "design", "clients", "qc", "nta", "simulate", "accounts")


def _modules(folder: str) -> list[Path]:
    return sorted((SRC / folder).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def _offending(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    bad = []
    for path in _modules(folder):
        for name in _imports(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                bad.append(f"{path.relative_to(SRC)} imports {name}")
    return bad


def test_web_does_not_import_the_api() -> None:
    assert _offending("web", ("exoderm.api", "exoderm.cli", "exoderm.server")) == []


def test_api_does_not_import_the_web() -> None:
    assert _offending("api", ("exoderm.web", "exoderm.cli", "exoderm.server")) == []


def test_cli_imports_neither_http_face() -> None:
    assert _offending("cli", ("exoderm.web", "exoderm.api", "exoderm.serving")) == []


@pytest.mark.parametrize("capability", CAPABILITIES)
def test_capabilities_do_not_import_faces(capability: str) -> None:
    faces = ("exoderm.web", "exoderm.api", "exoderm.cli", "exoderm.serving", "exoderm.server")
    assert _offending(capability, faces) == []


SQL = re.compile(r"\bselect\(|\bsession\.|\bs\.(scalar|scalars|execute|add|get|query)\(")
ACCESS_RULE = re.compile(r"organisation_id\s*(==|!=|not in|in\b)|is_admin\b")


@pytest.mark.parametrize("face", ("api", "web"))
def test_http_faces_hold_no_sql_and_no_access_rule(face: str) -> None:
    bad = []
    for path in _modules(face):
        text = path.read_text(encoding="utf-8")
        for n, line in enumerate(text.splitlines(), 1):
            code = line.split("#", 1)[0]
            if SQL.search(code) or ACCESS_RULE.search(code):
                bad.append(f"{path.relative_to(SRC)}:{n}: {line.strip()}")
        if any(i == "sqlalchemy" or i.startswith("sqlalchemy.") for i in _imports(path)):
            bad.append(f"{path.relative_to(SRC)} imports sqlalchemy")
    assert bad == []


TEXT_SUFFIXES = {".py", ".yaml", ".yml", ".toml", ".j2", ".html", ".md", ".csv", ".json"}


def test_no_source_cites_the_notes_folder_or_a_machine_path() -> None:
    # The notes folder, a bare notes file name (``skin-models.md §2c``; ``docs/nta.md`` is the
    # shipped documentation and is allowed) or the notes' own name for themselves.
    notes = re.compile(
        r"shared/(reference|data|seed)|\.\./shared"
        r"|(?<![\w/.-])(skin-models|evidence-and-claims|ev-standards|nta|instruments-and-safety)"
        r"\.md\b"
        r"|reference[ -]sheets?\b",
        re.IGNORECASE,
    )
    machine = re.compile(r"(?<![\w.])/(work|home|root|Users|tmp/bash_jobs)/[\w.-]+")
    bad = []
    for path in sorted(SRC.rglob("*")):
        if path.suffix not in TEXT_SUFFIXES:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if notes.search(line) or machine.search(line):
                bad.append(f"{path.relative_to(SRC)}:{n}: {line.strip()[:100]}")
    assert bad == []


def _service_verbs() -> list[tuple[str, str]]:
    verbs = []
    for capability in CAPABILITIES:
        try:
            module = importlib.import_module(f"exoderm.{capability}.service")
        except ModuleNotFoundError:
            continue  # test_every_capability_has_a_service reports it
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("_") and fn.__module__ == module.__name__:
                verbs.append((capability, name))
    return verbs


@pytest.mark.parametrize("capability", CAPABILITIES)
def test_every_capability_has_a_service(capability: str) -> None:
    module = importlib.import_module(f"exoderm.{capability}.service")
    verbs = [
        n
        for n, fn in inspect.getmembers(module, inspect.isfunction)
        if not n.startswith("_") and fn.__module__ == module.__name__
    ]
    assert verbs, f"exoderm.{capability}.service has no public function"


@pytest.mark.parametrize(("capability", "verb"), _service_verbs())
def test_service_verbs_have_numpydoc_with_references_and_examples(
    capability: str, verb: str
) -> None:
    fn = getattr(importlib.import_module(f"exoderm.{capability}.service"), verb)
    doc = inspect.getdoc(fn) or ""
    for section in ("Parameters", "Returns", "References", "Examples"):
        assert re.search(rf"^{section}\n-{{3,}}$", doc, re.M), f"{verb}: no {section} section"
    assert ">>>" in doc, f"{verb}: the Examples section has no doctest"
