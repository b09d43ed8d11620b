"""Load test of evidence search over HTTP on loopback: throughput, latency, errors.

Target (issue 9): >= 500 requests/s on 2 cores with p99 < 100 ms and no errors; with
``--writers N`` (issue 18): >= 600 read requests/s with p99 < 100 ms while N clinicians
create clients (``POST /api/v1/clients``: encryption, audit row, one SQLite write each) in
a closed loop on their own connections, with no read or write error.

The server is ``exoderm``'s real app under uvicorn (subprocess, its own workers), on a
fresh SQLite database with an admin and an API token; the load generator is an asyncio
HTTP/1.1 keep-alive client in this process (the same role as ``wrk``), bounded in request
count, sending only to 127.0.0.1. Every request carries the bearer token, so the numbers
include authentication (token digest lookup) as well as the search itself.

    .venv/bin/python bench/bench_api.py [--tool auto|wrk|python] [--seconds 15]
                                        [--connections 16] [--workers 2]
                                        [--writers 2]

``wrk`` (Debian package) is used when installed, else the built-in asyncio generator.
Besides throughput and latency it reports the server's CPU time per request, which
gives the capacity of two cores independently of what else the machine is running.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import socket
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
#: With a write load running (issue 18).
TARGET_RPS_WITH_WRITES = 600.0
TARGET_P99_MS = 100.0
#: The body each writer posts: a new client with personal data and a consent.
CLIENT_BODY = json.dumps(
    {
        "personal": {"name": "Bench Client", "email": "bench@example.org"},
        "profile": {"fitzpatrick": {"phototype": 3}},
        "consents": [{"topic": "treatment", "version": "v1"}],
    }
).encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(data_dir: Path) -> tuple[str, str, str]:
    """A fresh database with a reader's and a clinician's token: (URL, reader, writer)."""
    from exoderm.accounts import tokens, users
    from exoderm.accounts.records import OrganisationKind, Role
    from exoderm.storage import open_database, upgrade

    url = f"sqlite:///{data_dir / 'bench.db'}"
    db = open_database(url)
    upgrade(db)
    with db.transaction() as s:
        user, _ = users.create_user(s, "bench", Role.admin, password="quiet orchid lantern 41")
        token = tokens.issue_token(s, user, name="bench", scopes=["evidence:read"]).token
        org = users.create_organisation(s, "Bench Clinic", OrganisationKind.clinic)
        doc, _ = users.create_user(
            s, "bench_doc", Role.clinician, password="amber falcon river 77", organisation=org.id
        )
        writer = tokens.issue_token(s, doc, name="w", scopes=["clients:write"]).token
    db.dispose()
    return url, token, writer


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
        "exoderm.server:app_from_environment",
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


async def read_response(reader: asyncio.StreamReader) -> bytes:
    """Read one HTTP/1.1 response (headers and a Content-Length body); its status line."""
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
    return status_line


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
            status_line = await read_response(reader)
            latencies.append(time.perf_counter() - started)
            if not status_line.startswith(b"HTTP/1.1 200"):
                errors.append(status_line.decode("latin-1").strip())
    finally:
        writer.close()


async def writer(
    port: int, token: str, stop: asyncio.Event, latencies: list[float], errors: list[str]
) -> None:
    """Create clients one after the other until ``stop`` is set."""
    reader, stream = await asyncio.open_connection("127.0.0.1", port)
    head = (
        f"POST /api/v1/clients HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(CLIENT_BODY)}\r\n\r\n"
    ).encode()
    try:
        while not stop.is_set():
            started = time.perf_counter()
            stream.write(head + CLIENT_BODY)
            status_line = await read_response(reader)
            latencies.append(time.perf_counter() - started)
            if not status_line.startswith(b"HTTP/1.1 201"):
                errors.append(status_line.decode("latin-1").strip())
    finally:
        stream.close()


async def load(
    port: int, token: str, total: int, connections: int, writes: WriteLoad | None = None
) -> tuple[float, list[float], list[str]]:
    latencies: list[float] = []
    errors: list[str] = []
    per = total // connections
    stop = asyncio.Event()
    writers = [
        asyncio.create_task(writer(port, writes.token, stop, writes.latencies, writes.errors))
        for _ in range(writes.writers if writes else 0)
    ]
    started = time.perf_counter()
    await asyncio.gather(
        *(worker(port, token, per, k * 7, latencies, errors) for k in range(connections))
    )
    elapsed = time.perf_counter() - started
    stop.set()
    await asyncio.gather(*writers)
    if writes is not None:
        writes.seconds = elapsed
    return elapsed, latencies, errors


class WriteLoad:
    """The writers' settings and what they measured."""

    def __init__(self, token: str, writers: int) -> None:
        self.token = token
        self.writers = writers
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.seconds = 0.0

    def summary(self) -> dict[str, float]:
        n = len(self.latencies)
        return {
            "writers": self.writers,
            "writes": n,
            "writes_per_s": n / self.seconds if self.seconds else 0.0,
            "write_p50_ms": percentile(self.latencies, 50) * 1e3 if n else 0.0,
            "write_p99_ms": percentile(self.latencies, 99) * 1e3 if n else 0.0,
            "write_errors": len(self.errors),
        }


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


WRK_SCRIPT = """
local queries = {QUERIES}
local i = 0
request = function()
  i = i + 1
  local q = queries[(i % #queries) + 1]
  return wrk.format("GET", "/api/v1/evidence/search?q=" .. q .. "&limit=20")
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT %d %d %d %d %d %d %d %.3f %.3f %.3f %.3f\\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def run_wrk(port: int, token: str, seconds: int, connections: int) -> dict[str, float]:
    """wrk (C, epoll) on loopback for ``seconds``; returns requests, rate, latencies."""
    queries = "{" + ", ".join(f'"{q.replace(" ", "%20")}"' for q in QUERIES) + "}"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(WRK_SCRIPT.replace("{QUERIES}", queries))
        script = fh.name
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "5s",
                "-s",
                script,
                "-H",
                f"Authorization: Bearer {token}",
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
    finally:
        os.unlink(script)
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULT"))
    n, dur_us, *errs_and_lat = line.split()[1:]
    errors = sum(int(x) for x in errs_and_lat[:5])
    p50, p95, p99, mx = (float(x) for x in errs_and_lat[5:])
    seconds_run = int(dur_us) / 1e6
    return {
        "requests": int(n),
        "seconds": seconds_run,
        "rps": int(n) / seconds_run,
        "p50_ms": p50,
        "p95_ms": p95,
        "p99_ms": p99,
        "max_ms": mx,
        "errors": errors,
    }


def run_python(
    port: int, token: str, total: int, connections: int, writes: WriteLoad | None = None
) -> dict[str, float]:
    elapsed, latencies, errors = asyncio.run(load(port, token, total, connections, writes))
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "rps": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 50) * 1e3,
        "p95_ms": percentile(latencies, 95) * 1e3,
        "p99_ms": percentile(latencies, 99) * 1e3,
        "max_ms": max(latencies) * 1e3,
        "errors": len(errors),
    }


def server_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of the server and its worker processes so far."""
    import psutil

    root = psutil.Process(pid)
    total = 0.0
    for proc in [root, *root.children(recursive=True)]:
        try:
            t = proc.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            continue
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--seconds", type=int, default=15, help="wrk run length")
    parser.add_argument("--requests", type=int, default=10_000, help="python generator count")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--writers", type=int, default=0, help="clinicians creating clients meanwhile"
    )
    args = parser.parse_args()
    tool = args.tool
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") and not args.writers else "python"
    with tempfile.TemporaryDirectory(prefix="exoderm-bench-") as tmp:
        data_dir = Path(tmp)
        url, token, write_token = prepare(data_dir)
        writes = WriteLoad(write_token, args.writers) if args.writers else None
        port = free_port()
        server = start_server(url, data_dir, port, args.workers)
        try:
            run_python(port, token, 50 * args.connections, args.connections)  # warm-up
            cpu_before = server_cpu_seconds(server.pid)
            if tool == "wrk":
                r = run_wrk(port, token, args.seconds, args.connections)
            else:
                r = run_python(port, token, args.requests, args.connections, writes)
            cpu_used = server_cpu_seconds(server.pid) - cpu_before
        finally:
            server.terminate()
            server.wait(timeout=20)
    cpu_ms = 1e3 * cpu_used / max(r["requests"], 1)
    result = {
        "endpoint": "GET /api/v1/evidence/search?q=…&limit=20 (bearer token)",
        "load_generator": tool,
        "connections": args.connections,
        "server_workers": args.workers,
        **{k: round(v, 2) for k, v in r.items()},
        **({k: round(v, 2) for k, v in writes.summary().items()} if writes else {}),
        "server_cpu_ms_per_request": round(cpu_ms, 3),
        "capacity_rps_on_2_cores_from_cpu": round(2000 / cpu_ms, 0) if cpu_ms else None,
        "rps_vs_target": round(r["rps"] / TARGET_RPS, 2),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    target = TARGET_RPS_WITH_WRITES if writes else TARGET_RPS
    result["rps_vs_target"] = round(r["rps"] / target, 2)
    print(json.dumps(result, indent=2))
    ok = r["rps"] >= target and r["p99_ms"] < TARGET_P99_MS and not r["errors"]
    if writes is not None:
        w = writes.summary()
        ok = ok and w["writes"] > 0 and not w["write_errors"]
        print(
            f"writes: {w['writes']:.0f} clients created by {args.writers} writers, "
            f"{w['writes_per_s']:.1f}/s, p99 {w['write_p99_ms']:.1f} ms, "
            f"errors {w['write_errors']:.0f}"
        )
    print(
        f"throughput {r['rps']:.0f} req/s = {r['rps'] / target:.2f}× the {target:.0f} req/s "
        "target; "
        f"p99 {r['p99_ms']:.1f} ms (limit 100 ms); errors {r['errors']:.0f} "
        f"-> {'PASS' if ok else 'FAIL'}"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
