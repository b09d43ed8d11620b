"""Load test of evidence search over HTTP on loopback: throughput, latency, errors.

Target (issue 9): >= 500 requests/s on 2 cores with p99 < 100 ms and no errors.

The server is ``exoderm``'s real app under uvicorn (subprocess, its own workers), on a
fresh SQLite database with an admin and an API token; the load generator is an asyncio
HTTP/1.1 keep-alive client in this process (the same role as ``wrk``), bounded in request
count, sending only to 127.0.0.1. Every request carries the bearer token, so the numbers
include authentication (token digest lookup) as well as the search itself.

    .venv/bin/python bench/bench_api.py [--requests 20000] [--connections 32] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

QUERIES = (
    "collagen",
    "wrinkles",
    "adipose",
    "TGF",
    "fibroblast",
    "MMP-1",
    "barrier",
    "pigmentation",
    "scar",
    "angiogenesis",
    "hyaluronic acid",
    "ceramide",
)
TARGET_RPS = 500.0
TARGET_P99_MS = 100.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(data_dir: Path) -> tuple[str, str]:
    """A fresh database with a scientist's token; returns (database URL, token)."""
    from exoderm.accounts import tokens, users
    from exoderm.accounts.records import Role
    from exoderm.storage import open_database, upgrade

    url = f"sqlite:///{data_dir / 'bench.db'}"
    db = open_database(url)
    upgrade(db)
    with db.transaction() as s:
        user, _ = users.create_user(s, "bench", Role.admin, password="bench-password-1")
        token = tokens.issue_token(s, user, name="bench", scopes=["evidence:read"]).token
    db.dispose()
    return url, token


def start_server(url: str, data_dir: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "EXODERM_DATABASE_URL": url,
        "EXODERM_DATA_DIR": str(data_dir),
        "EXODERM_CONFIG": str(data_dir / "none.toml"),
    }
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "exoderm.api.bootstrap:app_from_environment",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    proc = subprocess.Popen(cmd, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=1):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


async def worker(
    port: int, token: str, n: int, offset: int, latencies: list[float], errors: list[str]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for i in range(n):
            q = QUERIES[(offset + i) % len(QUERIES)].replace(" ", "%20")
            request = (
                f"GET /api/v1/evidence/search?q={q}&limit=20 HTTP/1.1\r\n"
                f"Host: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n"
            ).encode()
            started = time.perf_counter()
            writer.write(request)
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if not status_line.startswith(b"HTTP/1.1 200"):
                errors.append(status_line.decode("latin-1").strip())
    finally:
        writer.close()


async def load(
    port: int, token: str, total: int, connections: int
) -> tuple[float, list[float], list[str]]:
    latencies: list[float] = []
    errors: list[str] = []
    per = total // connections
    started = time.perf_counter()
    await asyncio.gather(
        *(worker(port, token, per, k * 7, latencies, errors) for k in range(connections))
    )
    return time.perf_counter() - started, latencies, errors


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="exoderm-bench-") as tmp:
        data_dir = Path(tmp)
        url, token = prepare(data_dir)
        port = free_port()
        server = start_server(url, data_dir, port, args.workers)
        try:
            asyncio.run(load(port, token, 20 * args.connections, args.connections))  # warm-up
            elapsed, latencies, errors = asyncio.run(
                load(port, token, args.requests, args.connections)
            )
        finally:
            server.terminate()
            server.wait(timeout=20)
    rps = len(latencies) / elapsed
    p50, p99 = percentile(latencies, 50) * 1e3, percentile(latencies, 99) * 1e3
    result = {
        "endpoint": "GET /api/v1/evidence/search?q=…&limit=20 (bearer token)",
        "requests": len(latencies),
        "connections": args.connections,
        "server_workers": args.workers,
        "seconds": round(elapsed, 2),
        "requests_per_s": round(rps, 1),
        "p50_ms": round(p50, 2),
        "p95_ms": round(percentile(latencies, 95) * 1e3, 2),
        "p99_ms": round(p99, 2),
        "max_ms": round(max(latencies) * 1e3, 2),
        "mean_ms": round(statistics.fmean(latencies) * 1e3, 2),
        "errors": len(errors),
        "rps_vs_target": round(rps / TARGET_RPS, 2),
        "p99_vs_limit": round(p99 / TARGET_P99_MS, 3),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    print(json.dumps(result, indent=2))
    ok = rps >= TARGET_RPS and p99 < TARGET_P99_MS and not errors
    print(
        f"throughput {rps:.0f} req/s = {rps / TARGET_RPS:.2f}× the 500 req/s target; "
        f"p99 {p99:.1f} ms (limit 100 ms); errors {len(errors)} -> {'PASS' if ok else 'FAIL'}"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
