"""Shared browser-test machinery: a live server on loopback and headless Chromium.

Debian's chromium is driven by Playwright through ``executable_path`` (Playwright's own
browser download is not used). Without chromium the browser tests are skipped locally,
but under CI (``CI=true``) they fail, so a gap cannot hide behind a skip.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

CHROMIUM = os.environ.get("EXODERM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IN_CI = os.environ.get("CI", "").lower() == "true"


def require_chromium() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if IN_CI:
        pytest.fail(f"CI=true but {CHROMIUM} is missing: .ci/run must install chromium")
    pytest.skip(f"no chromium at {CHROMIUM}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port in a thread; yields its URL."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    if not server.started:
        raise RuntimeError("test server did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def screenshot_dir() -> Path:
    """Where screenshots go: ``EXODERM_SCREENSHOTS`` or ``artifacts/screenshots``."""
    target = Path(os.environ.get("EXODERM_SCREENSHOTS", "artifacts/screenshots"))
    target.mkdir(parents=True, exist_ok=True)
    return target
