"""Time `endolab serve`'s first start (simulating and caching the built-in virtual trial) and a
start from the cache, as the README states them.

    nice .venv/bin/python benchmarks/web_first_start.py [--runs 2]

Each run uses a fresh, temporary ``XDG_CACHE_HOME``: it starts ``endolab serve`` on a free loopback
port and measures, until ``/`` answers 200, the wall time and the server process's CPU time (user
+ system, all its threads, from /proc); then it starts again on the same cache. On a busy machine
the wall time grows with the load while the CPU time stays near what an idle machine's wall time
would be; both are printed with the 1-minute load average.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ENDOLAB = Path(sys.executable).with_name("endolab")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start(cache: str) -> tuple[float, float]:
    """(wall s, CPU s) of one `endolab serve` until `/` answers."""
    port = _port()
    env = dict(os.environ, XDG_CACHE_HOME=cache)
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [str(ENDOLAB), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60) as r:
                    if r.status == 200:
                        return time.monotonic() - t0, _cpu_seconds(proc.pid)
            except OSError:
                if proc.poll() is not None:
                    raise SystemExit("endolab serve exited") from None
                time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    for run in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="endolab-first-start-") as cache:
            load = os.getloadavg()[0]
            first = start(cache)
            cached = start(cache)
        print(
            f"run {run + 1}: load {load:.1f} on {os.cpu_count()} cores; first start "
            f"{first[0]:.1f} s wall, {first[1]:.1f} s CPU; cached start {cached[0]:.1f} s wall, "
            f"{cached[1]:.1f} s CPU",
            flush=True,
        )


if __name__ == "__main__":
    main()
