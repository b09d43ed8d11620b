"""50 parallel logins against the real server: at most the limit get through, and the
server's peak memory stays under 600 MB (the issue's bar; argon2id costs 64 MiB a hash,
so unbounded parallel hashing would need 50 × 64 MiB = 3.2 GB)."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.api.live_serve import exoderm_serve

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
    with exoderm_serve(tmp_path) as served:
        started = _peak_rss_kb(served.proc.pid)
        assert re.search(r"password: (\S+)", served.startup), served.startup
        with ThreadPoolExecutor(max_workers=50) as pool:
            codes = Counter(pool.map(lambda i: _login(served.port, f"guess-{i}"), range(50)))
        peak = _peak_rss_kb(served.proc.pid)
    limit = 5  # Settings.login_max_failures' default
    assert set(codes) <= {401, 429}, codes
    assert 1 <= codes[401] <= limit, codes
    print(f"peak RSS {started // 1024} MB at start, {peak // 1024} MB after 50 logins; {codes}")
    assert peak < PEAK_LIMIT_KB, f"peak RSS {peak // 1024} MB (started at {started // 1024})"
