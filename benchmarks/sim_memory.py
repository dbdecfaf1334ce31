"""Measure the memory and disk a simulation needs per participant-day (endolab.sim.limits).

Usage::

    nice .venv/bin/python benchmarks/sim_memory.py                  # the sizes below
    nice .venv/bin/python benchmarks/sim_memory.py 10x200 40x800    # P×D pairs

Each run is ``endolab trial simulate --participants P --days D --out DIR`` in its own process,
started by a small parent whose ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` is the peak resident
memory of that run alone; the size of the written folder is summed. A line per run: P, D,
participant-days ``P × (D + 15)``, peak RSS [kB], written bytes and bytes per participant-day.
The slope of peak RSS between the runs is ``MEMORY_BYTES_PER_PARTICIPANT_DAY``; update the
constants and the table in ``src/endolab/sim/limits.py`` when the simulator changes.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ENDOLAB = str(Path(sys.executable).with_name("endolab"))
WRAP = (
    "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)"
)


def measure(participants: int, days: int, file_format: str = "csv") -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ds"
        args = ["trial", "simulate", "--participants", str(participants), "--days", str(days)]
        args += ["--format", file_format, "--out", str(out)]
        done = subprocess.run(
            [sys.executable, "-c", WRAP, ENDOLAB, *args], capture_output=True, text=True, check=True
        )
        rss_kb, code = (int(x) for x in done.stdout.split())
        size = sum(f.stat().st_size for f in out.iterdir()) if out.is_dir() else 0
        pdays = participants * (days + 15)
        print(
            f"{participants} × {days} ({file_format}): {pdays} participant-days, peak RSS "
            f"{rss_kb} kB, written {size} B ({size / pdays:.0f} B per participant-day), "
            f"exit {code}",
            flush=True,
        )
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    sizes = sys.argv[1:] or ["4x30", "10x200", "40x200", "10x800", "40x800"]
    for size in sizes:
        p, d = (int(x) for x in size.split("x"))
        measure(p, d)
    if not sys.argv[1:]:
        measure(40, 200, "parquet")
