"""CGM engine benchmark on the synthetic cohort of specs/cgm.md §9.1.

    nice .venv/bin/python benchmarks/cgm.py                 # build (cached) + time everything
    .venv/bin/python benchmarks/cgm.py --subjects 100       # a smaller cohort
    .venv/bin/python benchmarks/cgm.py --skip-iglu          # without the iglu-python comparison
    .venv/bin/python benchmarks/cgm.py --reuse-iglu         # reuse the last recorded iglu-python run

Steps (each timed phase runs in its own subprocess so its peak memory is its own):

1. Build the cohort (seeded, cached under ``benchmarks/_data/``, gitignored) from
   ``../shared/data/example_data_5_subject.csv`` following §9.1: each example subject on a 5-min grid
   (linear interpolation only across gaps ≤ 15 min), valid stretches concatenated into a template;
   synthetic subject k = template (k mod 5) from a random start (wrapping), × U(0.85, 1.15) +
   N(0, 8) mg/dL, plus smoothed noise e_t + Σ_{l=1..5} 0.7^l e_{t−l} (e ~ N(0, 3)), clipped to
   40–400 mg/dL and rounded; exact 5-min spacing with a per-subject phase of 0–300 s, start dates
   staggered over 30 days from 2024-01-01; geometric gaps (mean 6 points) removing ~4 % plus a 2-h
   warm-up gap (24 points) at a random time in every 10 days. Seed 20240501.
2. Time endolab: the consensus core set and the full set through ``endolab.cgm.compute_metrics``
   when it exists (the core helper's orchestrator), else the indices of
   ``endolab.cgm.indices.compute_indices`` alone. Peak memory = ``ru_maxrss`` of the phase's process
   (includes reading the cohort).
3. Time iglu-python 0.4.3 (from ``validation/_env``, made by ``validation/iglu_compare.py``) on a
   40-subject slice, every metric function, and print seconds per million readings for both.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA_DIR = HERE / "_data"
EXAMPLE = ROOT.parent / "shared" / "data" / "example_data_5_subject.csv"
IGLU_ENV_PY = ROOT / "validation" / "_env" / "bin" / "python"
SEED = 20240501
STEP_S = 300
DAYS = 90


def _templates() -> list[np.ndarray]:
    """§9.1 step 1: each example subject on a 5-min grid, gaps ≤ 15 min bridged, stretches joined."""
    raw = pl.read_csv(EXAMPLE).select(
        pl.col("id"),
        pl.col("time").str.to_datetime("%Y-%m-%d %H:%M:%S", time_unit="us"),
        pl.col("gl").cast(pl.Float64),
    )
    out = []
    for _sid, sub in sorted(raw.sort("id", "time").group_by("id"), key=lambda kv: str(kv[0])):
        t = (sub["time"].to_physical().to_numpy() // 1_000_000).astype(np.int64)
        g = sub["gl"].to_numpy()
        grid = np.arange(t[0], t[-1] + 1, STEP_S)
        r = np.searchsorted(t, grid, side="left")
        r = np.clip(r, 1, t.size - 1)
        left_t, right_t = t[r - 1], t[r]
        exact = t[np.minimum(r, t.size - 1)] == grid
        ok = exact | (right_t - left_t <= 15 * 60)
        vals = np.interp(grid, t, g)
        out.append(vals[ok])
    return out


def build_cohort(n_subjects: int, days: int = DAYS) -> pl.DataFrame:
    """The synthetic cohort of specs/cgm.md §9.1 (deterministic for a given size)."""
    rng = np.random.default_rng(SEED)
    templates = _templates()
    n_slots = days * 24 * 12
    base = dt.datetime(2024, 1, 1)
    ids, times, gls = [], [], []
    weights = 0.7 ** np.arange(6)
    for k in range(n_subjects):
        tpl = templates[k % 5]
        start = int(rng.integers(0, tpl.size))
        idx = (start + np.arange(n_slots)) % tpl.size
        scale = rng.uniform(0.85, 1.15)
        shift = rng.normal(0.0, 8.0)
        e = rng.normal(0.0, 3.0, n_slots + 5)
        noise = np.convolve(e, weights, mode="valid")[:n_slots]
        g = np.clip(np.round(tpl[idx] * scale + shift + noise), 40, 400)
        phase = int(rng.integers(0, 301))
        t0 = base + dt.timedelta(days=int(rng.integers(0, 30)), seconds=phase)
        keep = np.ones(n_slots, dtype=bool)
        # random gaps: geometric lengths (mean 6 points) removing about 4 % of the slots
        n_gaps = rng.poisson(0.04 * n_slots / 6)
        starts = rng.integers(0, n_slots, n_gaps)
        lengths = rng.geometric(1 / 6, n_gaps)
        for s, length in zip(starts.tolist(), lengths.tolist(), strict=True):
            keep[s : s + length] = False
        # a 2-h sensor warm-up gap at a random time in every 10 days
        block = 10 * 24 * 12
        for b0 in range(0, n_slots, block):
            s = b0 + int(rng.integers(0, min(block, n_slots - b0)))
            keep[s : s + 24] = False
        slots = np.flatnonzero(keep)
        t_us = slots.astype(np.int64) * STEP_S * 1_000_000
        ids.append(np.full(slots.size, k, dtype=np.int32))
        times.append(t_us + _epoch_us(t0))
        gls.append(g[slots])
    frame = pl.DataFrame(
        {
            "id": np.concatenate(ids),
            "time": pl.Series(np.concatenate(times)).cast(pl.Datetime("us")),
            "gl": np.concatenate(gls).astype(np.float64),
        }
    )
    return frame.with_columns(
        pl.format("S{}", pl.col("id").cast(pl.String).str.zfill(4)).alias("id"),
        pl.lit(0, dtype=pl.Int8).alias("censored"),
    ).select("id", "time", "gl", "censored")


def _epoch_us(t: dt.datetime) -> int:
    return int((t - dt.datetime(1970, 1, 1)) / dt.timedelta(microseconds=1))


def cohort_path(n_subjects: int) -> Path:
    return DATA_DIR / f"cohort_{n_subjects}x{DAYS}d_seed{SEED}.parquet"


def ensure_cohort(n_subjects: int) -> Path:
    path = cohort_path(n_subjects)
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        frame = build_cohort(n_subjects)
        tmp = path.with_suffix(".tmp")
        frame.write_parquet(tmp)
        tmp.replace(path)
        print(f"built {path.name}: {frame.height:,} readings in {time.perf_counter() - t:.1f} s")
    return path


# ---------------------------------------------------------------- phases (run in subprocesses)


def _phase(name: str, path: Path) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "src"))
    t_load = time.perf_counter()
    frame = pl.read_parquet(path)
    load_s = time.perf_counter() - t_load
    import endolab.cgm as cgm

    orchestrator = getattr(cgm, "compute_metrics", None)
    t = time.perf_counter()
    if name == "core":
        if orchestrator is None:
            return {"phase": name, "available": False}
        result = orchestrator(frame, metrics="core")
        what = "endolab.cgm.compute_metrics(metrics='core')"
    elif name == "full":
        if orchestrator is not None:
            result = orchestrator(frame, metrics="full")
            what = "endolab.cgm.compute_metrics(metrics='full')"
        else:
            from endolab.cgm.indices import compute_indices

            result = compute_indices(frame)
            what = "endolab.cgm.indices.compute_indices() (indices only)"
    else:
        from endolab.cgm.indices import REGISTRY
        from endolab.cgm.kernels.grid import Intermediates

        per: dict[str, float] = {}
        shared = Intermediates(frame)
        for metric, fn in REGISTRY.items():
            t1 = time.perf_counter()
            fn(frame, shared=shared)
            per[metric] = round(time.perf_counter() - t1, 3)
        return {"phase": name, "per_metric_s": per, "readings": frame.height}
    compute_s = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "phase": name,
        "available": True,
        "what": what,
        "readings": frame.height,
        "subjects": result.height,
        "columns": result.width,
        "load_s": round(load_s, 3),
        "compute_s": round(compute_s, 3),
        "peak_rss_mb": round(peak_mb, 1),
    }


IGLU_SCRIPT = r"""
import json, sys, time, warnings, resource
import pandas as pd
import iglu_python as ig
from importlib.metadata import version
warnings.simplefilter("ignore")
ig.set_iglu_r_compatible(True)
df = pd.read_csv(sys.argv[1])
df["time"] = pd.to_datetime(df["time"])
skip = {"CGMS2DayByDay", "check_data_columns", "gd2d_to_df", "set_iglu_r_compatible",
        "is_iglu_r_compatible", "load_dexcom", "load_libre", "plot_daily", "plot_statistics",
        "process_data", "roc"}
per = {}
t0 = time.perf_counter()
for name in sorted(ig.__all__):
    if name in skip:
        continue
    t = time.perf_counter()
    try:
        getattr(ig, name)(df)
        per[name] = round(time.perf_counter() - t, 2)
    except Exception as exc:
        per[name] = "error: " + repr(exc)[:80]
total = time.perf_counter() - t0
print(json.dumps({"version": version("iglu-python"), "readings": len(df), "total_s": total,
                  "per_function_s": per,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_iglu(path: Path, n_subjects: int) -> dict[str, Any] | None:
    if not IGLU_ENV_PY.exists():
        print("iglu-python venv missing: run validation/iglu_compare.py first", file=sys.stderr)
        return None
    frame = pl.read_parquet(path)
    keep = frame["id"].unique().sort()[:n_subjects]
    sl = frame.filter(pl.col("id").is_in(keep.implode()))
    csv = DATA_DIR / f"slice_{n_subjects}.csv"
    sl.select("id", pl.col("time").dt.strftime("%Y-%m-%d %H:%M:%S"), "gl").write_csv(csv)
    env = dict(os.environ, TZ="UTC")
    out = subprocess.run(
        [str(IGLU_ENV_PY), "-c", IGLU_SCRIPT, str(csv)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    res: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--subjects", type=int, default=1000)
    ap.add_argument("--iglu-subjects", type=int, default=40)
    ap.add_argument("--skip-iglu", action="store_true")
    ap.add_argument(
        "--reuse-iglu",
        action="store_true",
        help="skip iglu-python (≈ 5 min) and reuse its result from the previous "
        "benchmarks/_data/last_run.json (marked as reused, with that run's date)",
    )
    ap.add_argument("--phase", choices=["core", "full", "per_metric"], help=argparse.SUPPRESS)
    ap.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(_phase(args.phase, args.path)))
        return
    path = ensure_cohort(args.subjects)
    results: dict[str, Any] = {}
    previous: dict[str, Any] = {}
    if args.reuse_iglu and (DATA_DIR / "last_run.json").exists():
        previous = json.loads((DATA_DIR / "last_run.json").read_text(encoding="utf-8"))
    for phase in ("core", "full", "per_metric"):
        out = subprocess.run(
            [sys.executable, __file__, "--phase", phase, "--path", str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
        results[phase] = json.loads(out.stdout.strip().splitlines()[-1])
        print(phase, json.dumps(results[phase]))
    if args.reuse_iglu:
        iglu_prev = previous.get("iglu_python")
        if iglu_prev:
            iglu_prev = dict(iglu_prev)
            iglu_prev.setdefault(
                "reused_from_run", previous.get("machine", {}).get("date", "unknown")
            )
            results["iglu_python"] = iglu_prev
            print(f"iglu_python reused from the run of {iglu_prev['reused_from_run']}")
        else:
            print("no previous iglu-python result to reuse", file=sys.stderr)
    elif not args.skip_iglu:
        iglu = run_iglu(path, args.iglu_subjects)
        results["iglu_python"] = iglu
        if iglu:
            print("iglu_python", json.dumps(iglu))
    full = results["full"]
    per_m = 1e6 / full["readings"]
    print()
    print(
        f"endolab full set: {full['compute_s']:.2f} s for {full['readings']:,} readings "
        f"= {full['compute_s'] * per_m:.3f} s per 1M readings; peak RSS {full['peak_rss_mb']:.0f} MB"
    )
    if results["core"].get("available"):
        core = results["core"]
        print(
            f"endolab core set: {core['compute_s']:.2f} s = {core['compute_s'] * per_m:.3f} s per 1M; "
            f"peak RSS {core['peak_rss_mb']:.0f} MB"
        )
    iglu = results.get("iglu_python")
    if iglu:
        iglu_per_m = iglu["total_s"] / iglu["readings"] * 1e6
        print(
            f"iglu-python {iglu['version']} all functions: {iglu['total_s']:.1f} s for "
            f"{iglu['readings']:,} readings = {iglu_per_m:.1f} s per 1M readings"
            + (f" (reused from {iglu['reused_from_run']})" if "reused_from_run" in iglu else "")
        )
        print(
            f"ratio (iglu-python / endolab full), per million readings: "
            f"{iglu_per_m / (full['compute_s'] * per_m):,.0f}×"
        )
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    mem_kb = next(
        (
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    results["machine"] = {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": round(mem_kb / 1024**2, 1),
        "python": platform.python_version(),
        "polars": pl.__version__,
        "numpy": np.__version__,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    print("machine", json.dumps(results["machine"]))
    (DATA_DIR / "last_run.json").write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
