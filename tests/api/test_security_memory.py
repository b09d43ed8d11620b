"""50 parallel logins against the real server: at most the limit get through, and the
server's peak memory stays under 600 MB (the issue's bar; argon2id costs 64 MiB a hash,
so unbounded parallel hashing would need 50 × 64 MiB = 3.2 GB)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.web.browser import _free_port

#: The bar from the security issue, in kB as /proc reports it.
PEAK_LIMIT_KB = 600 * 1024


def _peak_rss_kb(pid: int) -> int:
    """The process's peak resident set size (``VmHWM``), in kB (Linux proc(5))."""
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    assert match is not None, status
    return int(match.group(1))


def _login(port: int, password: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/auth/token",
        method="POST",
        data=json.dumps({"username": "admin", "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status
    except urllib.error.HTTPError as err:
        return err.code


def test_fifty_parallel_logins_keep_the_limit_and_the_memory(tmp_path: Path) -> None:
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
        started = _peak_rss_kb(proc.pid)
        password = re.search(r"password: (\S+)", "".join(lines))
        assert password is not None, "".join(lines)
        with ThreadPoolExecutor(max_workers=50) as pool:
            codes = Counter(pool.map(lambda i: _login(port, f"guess-{i}"), range(50)))
        peak = _peak_rss_kb(proc.pid)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    limit = 5  # Settings.login_max_failures' default
    assert set(codes) <= {401, 429}, codes
    assert 1 <= codes[401] <= limit, codes
    print(f"peak RSS {started // 1024} MB at start, {peak // 1024} MB after 50 logins; {codes}")
    assert peak < PEAK_LIMIT_KB, f"peak RSS {peak // 1024} MB (started at {started // 1024})"
