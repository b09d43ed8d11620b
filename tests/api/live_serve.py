"""The real ``exoderm serve`` in a subprocess on a fresh data folder, for tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.web.browser import _free_port


@dataclass(frozen=True)
class Served:
    """A running server: its process, port and what it printed until it was ready."""

    proc: subprocess.Popen[str]
    port: int
    startup: str


@contextmanager
def exoderm_serve(tmp_path: Path) -> Iterator[Served]:
    """Start ``exoderm serve`` with a fresh data folder; stop it (SIGINT) afterwards."""
    port = _free_port()
    env = {
        **os.environ,
        "EXODERM_DATA_DIR": str(tmp_path / "data"),
        "EXODERM_CONFIG": str(tmp_path / "none.toml"),
        "COLUMNS": "200",
    }
    env.pop("EXODERM_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "exoderm.cli.main", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 60
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if "Uvicorn running" in line or not line:
                break
        yield Served(proc, port, "".join(lines))
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
