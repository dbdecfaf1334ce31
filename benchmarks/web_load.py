"""Load test of the JSON API on 127.0.0.1: requests per second and p50/p99 latency.

    nice .venv/bin/python benchmarks/web_load.py [--workers 2] [--seconds 10] [--rate 500]

Starts ``endolab serve --no-demo`` on a free 127.0.0.1 port (uvicorn, ``--workers`` processes),
then for ``POST /api/v1/hormones/predict`` and ``POST /api/v1/hcg/mix``:

1. **throughput** — closed loop, as fast as the server answers: ``wrk`` (Debian package) with 2
   threads and 64 connections when it is installed, else this script's own asyncio client;
2. **latency at a fixed rate** — open loop at ``--rate`` requests per second for ``--seconds``
   (this script's asyncio client over keep-alive connections); each latency is measured from the
   request's *scheduled* time, so a stalled server is not hidden (no coordinated omission).

Every answer must be HTTP 200; the run is bounded in time and never leaves 127.0.0.1.
Targets (issue 9): ≥ 2,000 req/s; p99 < 50 ms at 500 req/s, on 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ENDPOINTS = {
    "/api/v1/hormones/predict": {"total_t": 650, "age": 45},
    "/api/v1/hcg/mix": {"vial_iu": 5000, "diluent_ml": 2, "dose_iu": 250},
}
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def start_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).with_name("endolab")
    cmd = [str(exe), "serve", "--no-demo", "--host", HOST, "--port", str(port)]
    cmd += ["--workers", str(workers)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/api/v1/health", timeout=1):
                return proc
        except OSError:
            time.sleep(0.2)
    stop_server(proc)
    raise SystemExit("the server did not start within 60 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def request_bytes(path: str, body: dict[str, object]) -> bytes:
    data = json.dumps(body).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    )
    return head.encode() + data


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    await reader.readexactly(length)
    return status


async def closed_loop(port: int, raw: bytes, seconds: float, conns: int) -> dict[str, float]:
    done = 0
    bad = 0
    stop = time.perf_counter() + seconds

    async def one() -> None:
        nonlocal done, bad
        reader, writer = await asyncio.open_connection(HOST, port)
        while time.perf_counter() < stop:
            writer.write(raw)
            status = await read_response(reader)
            done += 1
            bad += status != 200
        writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(conns)))
    elapsed = time.perf_counter() - t0
    return {"requests": done, "non_200": bad, "req_per_s": done / elapsed}


async def open_loop(port: int, raw: bytes, rate: float, seconds: float) -> dict[str, float]:
    """Requests scheduled every 1/rate s over a pool of keep-alive connections."""
    conns = 64
    queue: asyncio.Queue[float | None] = asyncio.Queue()
    latencies: list[float] = []
    bad = 0

    async def worker() -> None:
        nonlocal bad
        reader, writer = await asyncio.open_connection(HOST, port)
        while (scheduled := await queue.get()) is not None:
            writer.write(raw)
            status = await read_response(reader)
            latencies.append(time.perf_counter() - scheduled)
            bad += status != 200
        writer.close()

    workers = [asyncio.create_task(worker()) for _ in range(conns)]
    n = int(rate * seconds)
    t0 = time.perf_counter()
    for i in range(n):
        at = t0 + i / rate
        delay = at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait(at)
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    elapsed = time.perf_counter() - t0
    latencies.sort()

    def pct(p: float) -> float:
        return 1000 * latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))]

    return {
        "requests": len(latencies),
        "non_200": bad,
        "achieved_req_per_s": len(latencies) / elapsed,
        "p50_ms": pct(50),
        "p99_ms": pct(99),
        "max_ms": 1000 * latencies[-1],
    }


def wrk_throughput(port: int, path: str, body: dict[str, object], seconds: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(
            'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            f"wrk.body = {json.dumps(json.dumps(body))}\n"
            "done = function(summary, latency, requests)\n"
            '  io.write(string.format("RESULT %d %d %d %.3f %.3f\\n", summary.requests, '
            "summary.errors.status, summary.duration, latency:percentile(50) / 1000, "
            "latency:percentile(99) / 1000))\nend\n"
        )
        script = f.name
    try:
        out = subprocess.run(
            ["wrk", "-t2", "-c64", f"-d{seconds}s", "-s", script, f"http://{HOST}:{port}{path}"],
            capture_output=True,
            text=True,
            timeout=seconds + 30,
            check=True,
        ).stdout
    finally:
        os.unlink(script)
    line = next(x for x in out.splitlines() if x.startswith("RESULT"))
    requests, errors, micros, p50, p99 = line.split()[1:]
    return {
        "requests": int(requests),
        "non_2xx": int(errors),
        "req_per_s": int(requests) / (int(micros) / 1e6),
        "p50_ms": float(p50),
        "p99_ms": float(p99),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--rate", type=float, default=500.0)
    ap.add_argument("--no-wrk", action="store_true", help="use the Python client for throughput")
    args = ap.parse_args()
    port = free_port()
    proc = start_server(port, args.workers)
    report: dict[str, object] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "load_before": os.getloadavg(),
        "server_workers": args.workers,
    }
    try:
        for path, body in ENDPOINTS.items():
            raw = request_bytes(path, body)
            asyncio.run(closed_loop(port, raw, 1.0, 8))  # warm-up
            if shutil.which("wrk") and not args.no_wrk:
                thr = wrk_throughput(port, path, body, args.seconds)
                thr["client"] = "wrk -t2 -c64"  # type: ignore[assignment]
            else:
                thr = asyncio.run(closed_loop(port, raw, args.seconds, 64))
                thr["client"] = "asyncio, 64 connections"  # type: ignore[assignment]
            lat = asyncio.run(open_loop(port, raw, args.rate, args.seconds))
            report[path] = {"throughput": thr, f"at_{args.rate:g}_req_per_s": lat}
            print(
                f"{path}: {thr['req_per_s']:,.0f} req/s ({thr['client']}); at {args.rate:g} req/s:"
                f" p50 {lat['p50_ms']:.1f} ms, p99 {lat['p99_ms']:.1f} ms"
                f" (achieved {lat['achieved_req_per_s']:.0f} req/s, non-200: {lat['non_200']})",
                flush=True,
            )
    finally:
        stop_server(proc)
    report["load_after"] = os.getloadavg()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
