"""`cgm metrics --engine dask` at scale: throughput, peak memory per worker, and the crossover.

    nice .venv/bin/python benchmarks/dask_cgm.py                      # the recorded run
    .venv/bin/python benchmarks/dask_cgm.py --big 20 --sizes 1,5       # a quick smoke run

Needs the optional extra (``pip install 'endolab[dask]'``). Steps:

1. **Generate** seeded synthetic CGM data (``numpy.random.Generator``, seed 20261205) as
   partitioned Parquet under ``--data`` (default ``/tmp/endolab-dask-bench``, deleted at the end
   unless ``--keep``): subjects × days at 5-min readings, glucose a per-subject mean plus an AR(1)
   process, clipped to 40–400 mg/dL, ~1 % missing; written in blocks of 250 subjects × 30 days so
   that **every subject's readings are spread over several files**. Generation writes one block at
   a time (bounded memory).
2. **Big run** (``--big`` million readings, default 200 M): ``compute_metrics_dask`` (core set) on a
   ``LocalCluster`` of ``--workers`` worker processes (1 thread each) with a per-worker
   ``--memory-limit`` (default 3 GiB) smaller than the dataset in memory, and ``--buckets`` tasks.
   Every worker's resident memory is sampled every 0.2 s (psutil on the worker pids); the peak per
   worker is reported with the throughput in readings/s.
3. **Crossover**: for each of ``--sizes`` (million readings) the single-machine engine
   (``read_cgm`` + ``compute_metrics``, in a fresh process: its peak RSS is its own) and the Dask
   engine (cluster start-up timed separately) on the same files; the ratio shows below which size
   the single-machine engine wins. The single-machine engine is also run on the largest size
   given by ``--single-max`` (it holds the whole dataset in memory).

Prints a table and a JSON record (machine, versions, load average) for benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

SEED = 20_261_205
PER_DAY = 288
BLOCK_SUBJECTS = 250
BLOCK_DAYS = 30
T0 = dt.datetime(2024, 1, 1)


def generate(folder: Path, subjects: int, days: int, seed: int = SEED) -> int:
    """Write ``subjects`` × ``days`` of 5-min readings as Parquet blocks; return the reading count."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    means = rng.uniform(110.0, 190.0, subjects)
    phase = rng.integers(0, 300, subjects)  # seconds
    total = 0
    for s0 in range(0, subjects, BLOCK_SUBJECTS):
        ids = np.arange(s0, min(s0 + BLOCK_SUBJECTS, subjects))
        for d0 in range(0, days, BLOCK_DAYS):
            nd = min(BLOCK_DAYS, days - d0)
            n = nd * PER_DAY
            e = rng.normal(0.0, 12.0, (ids.size, n))
            ar = np.empty_like(e)
            ar[:, 0] = e[:, 0]
            for j in range(1, n):  # AR(1), phi 0.9, vectorised over the block's subjects
                ar[:, j] = 0.9 * ar[:, j - 1] + e[:, j]
            gl = np.clip(means[ids, None] + ar, 40.0, 400.0).round()
            gl[rng.random(gl.shape) < 0.01] = np.nan
            step = np.arange(d0 * PER_DAY, d0 * PER_DAY + n, dtype=np.int64) * 300_000_000
            times = (
                np.datetime64(T0, "us")
                + (step[None, :] + phase[ids, None] * 1_000_000).astype("timedelta64[us]")
            ).reshape(-1)
            frame = pl.DataFrame(
                {
                    "id": pl.Series(np.repeat([f"S{i:06d}" for i in ids], n)),
                    "time": times,
                    "gl": pl.Series(gl.reshape(-1), nan_to_null=True),
                }
            )
            frame.write_parquet(folder / f"s{s0:06d}-d{d0:04d}.parquet", row_group_size=1 << 20)
            total += frame.height
    return total


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _sample_workers(client: Any, stop: threading.Event, peaks: dict[str, int]) -> None:
    import psutil

    pids: dict[str, int] = client.run(os.getpid)
    procs = {addr: psutil.Process(pid) for addr, pid in pids.items()}
    while not stop.is_set():
        for addr, proc in procs.items():
            with contextlib.suppress(psutil.Error):
                peaks[addr] = max(peaks.get(addr, 0), proc.memory_info().rss)
        stop.wait(0.2)


def run_dask(folder: Path, workers: int, memory_limit: str, buckets: int | None) -> dict[str, Any]:
    from distributed import Client, LocalCluster

    from endolab.cgm.distributed import compute_metrics_dask

    t0 = time.perf_counter()
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        memory_limit=memory_limit,
        host="127.0.0.1",
        dashboard_address=":0",
    )
    client = Client(cluster)
    startup = time.perf_counter() - t0
    peaks: dict[str, int] = {}
    stop = threading.Event()
    sampler = threading.Thread(target=_sample_workers, args=(client, stop, peaks), daemon=True)
    sampler.start()
    try:
        t1 = time.perf_counter()
        result = compute_metrics_dask(str(folder / "*.parquet"), client=client, buckets=buckets)
        seconds = time.perf_counter() - t1
    finally:
        stop.set()
        sampler.join()
        client.close()
        cluster.close()
    return {
        "seconds": round(seconds, 2),
        "startup_s": round(startup, 2),
        "subjects": result.table.height,
        "tasks": result.tasks,
        "readings_in_table": int(result.table["n_readings"].sum()),
        "peak_rss_per_worker_gib": sorted(round(v / 2**30, 2) for v in peaks.values()),
    }


_SINGLE = """
import json, resource, sys, time, warnings
from endolab.cgm import compute_metrics
from endolab.cgm.distributed import parquet_files
from endolab.cgm.readers import read_cgm
warnings.simplefilter("ignore")
t0 = time.perf_counter()
table = compute_metrics(read_cgm(parquet_files(sys.argv[1])))
print(json.dumps({"seconds": round(time.perf_counter() - t0, 2), "subjects": table.height,
                  "readings_in_table": int(table["n_readings"].sum()),
                  "peak_rss_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2)}))
"""


def run_single(folder: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-c", _SINGLE, str(folder / "*.parquet")],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["?"])[-1][:200]}
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def shape(million: float) -> tuple[int, int]:
    """(subjects, days) for about ``million`` × 10⁶ readings: 90 days per subject."""
    days = 90
    subjects = max(1, round(million * 1e6 / (days * PER_DAY)))
    return subjects, days


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--big", type=float, default=200.0, help="big run [million readings]")
    ap.add_argument("--sizes", default="1,5,25,50", help="crossover sizes [million readings]")
    ap.add_argument("--single-max", type=float, default=100.0, help="largest single-machine run")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--memory-limit", default="3GiB", help="per worker")
    ap.add_argument("--buckets", type=int, default=None, help="tasks for the big run")
    ap.add_argument("--data", type=Path, default=Path("/tmp/endolab-dask-bench"))
    ap.add_argument("--keep", action="store_true", help="keep the generated data")
    args = ap.parse_args()

    import dask
    import distributed

    record: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "versions": {
            "polars": pl.__version__,
            "dask": dask.__version__,
            "distributed": distributed.__version__,
        },
        "load_before": _load(),
        "workers": args.workers,
        "memory_limit_per_worker": args.memory_limit,
    }
    sizes = sorted({float(x) for x in args.sizes.split(",") if x.strip()} | {args.single_max})
    try:
        rows = []
        for size in sizes:
            folder = args.data / f"{size:g}M"
            subjects, days = shape(size)
            t0 = time.perf_counter()
            n = generate(folder, subjects, days)
            gen = time.perf_counter() - t0
            single = run_single(folder)
            dask_run = run_dask(folder, args.workers, args.memory_limit, None)
            row = {
                "million": size,
                "readings": n,
                "subjects": subjects,
                "generate_s": round(gen, 1),
                "single": single,
                "dask": dask_run,
            }
            rows.append(row)
            s, d = single.get("seconds"), dask_run["seconds"]
            print(
                f"{n / 1e6:7.1f} M readings: single {s} s (peak {single.get('peak_rss_gib')} GiB)"
                f" | dask {d} s + {dask_run['startup_s']} s start-up "
                f"(peak/worker {dask_run['peak_rss_per_worker_gib']} GiB)"
                + (f" | dask/single {d / s:.2f}×" if s else ""),
                flush=True,
            )
            shutil.rmtree(folder, ignore_errors=True)
        record["crossover"] = rows
        folder = args.data / "big"
        subjects, days = shape(args.big)
        t0 = time.perf_counter()
        n = generate(folder, subjects, days)
        gen = time.perf_counter() - t0
        on_disk = sum(p.stat().st_size for p in folder.glob("*.parquet"))
        big = run_dask(folder, args.workers, args.memory_limit, args.buckets)
        big.update(
            readings=n,
            subjects_generated=subjects,
            files=len(list(folder.glob("*.parquet"))),
            parquet_gib=round(on_disk / 2**30, 2),
            in_memory_gib_estimate=round(n * (8 + 8 + 8) / 2**30, 2),
            generate_s=round(gen, 1),
            readings_per_s=round(n / big["seconds"]),
        )
        record["big"] = big
        print(
            f"big: {n / 1e6:.1f} M readings ({big['parquet_gib']} GiB Parquet, ≈ "
            f"{big['in_memory_gib_estimate']} GiB as id/time/gl columns in memory) in "
            f"{big['seconds']} s = {big['readings_per_s'] / 1e6:.2f} M readings/s on "
            f"{args.workers} workers × {args.memory_limit}; peak RSS per worker "
            f"{big['peak_rss_per_worker_gib']} GiB; {big['tasks']} tasks",
            flush=True,
        )
    finally:
        if not args.keep:
            shutil.rmtree(args.data, ignore_errors=True)
    record["load_after"] = _load()
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
