"""A software bill of materials (CycloneDX) of the installed environment lists every
runtime dependency that pyproject.toml declares, with its installed version (ASVS 5.0
V15.1.2)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    found = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert found is not None, requirement
    return re.sub(r"[-_.]+", "-", found.group(0)).lower()


def test_the_sbom_lists_every_declared_dependency(tmp_path: Path) -> None:
    target = tmp_path / "sbom.cdx.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cyclonedx_py",
            "environment",
            sys.executable,
            "--pyproject",
            str(ROOT / "pyproject.toml"),
            "--of",
            "JSON",
            "--output-reproducible",
            "-o",
            str(target),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    bom = json.loads(target.read_text(encoding="utf-8"))
    assert bom["bomFormat"] == "CycloneDX" and bom["metadata"]["component"]["name"] == "exoderm"
    listed = {
        re.sub(r"[-_.]+", "-", c["name"]).lower(): c.get("version") for c in bom["components"]
    }
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for requirement in declared:
        name = _name(requirement)
        assert name in listed, f"{name} is declared but not in the SBOM"
        assert listed[name] == version(name), name
