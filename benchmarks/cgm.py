"""CGM engine benchmark on the synthetic cohort of specs/cgm.md §9.1.

    nice .venv/bin/python benchmarks/cgm.py                 # build (cached) + time everything
    nice .venv/bin/python benchmarks/cgm.py --core-only --repeat 3   # core path vs the floor
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
2. Time the everyday core path end to end — the generic reader on the Parquet file (with
   ``check_frame``), ``compute_metrics(metrics="core")``, writing the table — and, in the same run,
   the plain polars floor: one lazy polars query over the same file computing the same core set
   (:func:`floor_query`), and a lighter streaming query (mean/SD/ranges only); prints the ratios and
   a breakdown (read, check_frame, gap notice, core aggregation).
3. Time endolab: the consensus core set and the full set through ``endolab.cgm.compute_metrics``
   when it exists (the core helper's orchestrator), else the indices of
   ``endolab.cgm.indices.compute_indices`` alone. Peak memory = ``ru_maxrss`` of the phase's process
   (includes reading the cohort).
4. Time iglu-python 0.4.3 (from ``validation/_env``, made by ``validation/iglu_compare.py``) on a
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


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _core_path(path: Path) -> dict[str, Any]:
    """The everyday path, end to end: read the Parquet file with the generic reader (which checks
    it with ``check_frame``), compute the consensus core set, write the table (Parquet)."""
    import tempfile
    import warnings

    from endolab.cgm import compute_metrics
    from endolab.cgm.readers import read_cgm

    out = Path(tempfile.mkdtemp()) / "core.parquet"
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the cohort's sensor gaps are stated in a warning
        frame = read_cgm(path)
    t1 = time.perf_counter()
    table = compute_metrics(frame, metrics="core")
    t2 = time.perf_counter()
    table.write_parquet(out)
    t3 = time.perf_counter()
    out.unlink()
    return {
        "phase": "core_path",
        "readings": frame.height,
        "subjects": table.height,
        "columns": table.width,
        "read_and_check_s": round(t1 - t0, 3),
        "core_s": round(t2 - t1, 3),
        "write_s": round(t3 - t2, 3),
        "total_s": round(t3 - t0, 3),
        "peak_rss_mb": _peak_mb(),
    }


def _breakdown(path: Path) -> dict[str, Any]:
    """Where the time of the core path goes, stage by stage (same process, in order)."""
    import warnings

    from endolab.cgm import compute_metrics
    from endolab.cgm.frame import check_frame, long_gap_notice

    t0 = time.perf_counter()
    raw = pl.read_parquet(path)
    t1 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = check_frame(raw)
    t2 = time.perf_counter()
    long_gap_notice(frame)
    t3 = time.perf_counter()
    compute_metrics(frame, metrics="core")
    t4 = time.perf_counter()
    return {
        "phase": "breakdown",
        "read_parquet_s": round(t1 - t0, 3),
        "check_frame_s": round(t2 - t1, 3),
        "long_gap_notice_s": round(t3 - t2, 3),
        "core_aggregation_s": round(t4 - t3, 3),
    }


def floor_query(path: Path, out: Path) -> pl.DataFrame:
    """The plain polars floor: ONE lazy query over the file that computes the same core set (same
    columns and definitions as ``compute_metrics(metrics="core")``), written as a user would
    (no endolab), then the table written to ``out``."""
    g = pl.col("gl")
    bands = {
        "tbr_54": g < 54,
        "tbr_54_70": (g >= 54) & (g < 70),
        "tbr_70": g < 70,
        "tir_70_180": (g >= 70) & (g <= 180),
        "tir_70_140": (g >= 70) & (g <= 140),
        "tar_180_250": (g > 180) & (g <= 250),
        "tar_180": g > 180,
        "tar_250": g > 250,
    }
    lf = pl.scan_parquet(path).with_columns(
        pl.when(pl.col("id") == pl.col("id").shift(1))
        .then(pl.col("time").diff().dt.total_microseconds() / 60e6)
        .alias("td")
    )
    dt0 = lf.group_by("id").agg(pl.col("td").median().round().clip(lower_bound=1.0).alias("dt0"))
    td, d = pl.col("td"), pl.col("dt0").first()
    span = (pl.col("time").max() - pl.col("time").min()).dt.total_microseconds() / 60e6
    theoretical = (span.round() / d).round() + 1.0
    excess = pl.when(td.round() > pl.col("dt0")).then(td - pl.col("dt0")).otherwise(0.0).sum()
    missing = (excess / d).round()
    table = (
        lf.join(dt0, on="id")
        .group_by("id")
        .agg(
            pl.len().alias("n_readings"),
            (pl.col("censored") == -1).sum().alias("n_low_censored"),
            (pl.col("censored") == 1).sum().alias("n_high_censored"),
            g.mean().alias("mean"),
            g.median().alias("median"),
            g.std().alias("sd"),
            *[(m.mean() * 100).alias(k) for k, m in bands.items()],
            (100 * (theoretical - missing) / theoretical).alias("active_percent"),
            (span / 1440).alias("ndays"),
            d.alias("dt0"),
            td.max().alias("longest_gap_min"),
        )
        .with_columns(
            (100 * pl.col("sd") / pl.col("mean")).alias("cv"),
            (3.31 + 0.02392 * pl.col("mean")).alias("gmi"),
            ((pl.col("mean") + 46.7) / 28.7).alias("ea1c"),
            *[(pl.col(k) / 100 * 1440).alias(f"{k}_min_per_day") for k in bands],
            (pl.col("ndays") + pl.col("dt0") / 1440).alias("days_worn"),
        )
        .with_columns(
            ((pl.col("days_worn") >= 14) & (pl.col("active_percent") >= 70)).alias(
                "sufficient_2019"
            )
        )
        .sort("id")
        .collect()
    )
    table.write_parquet(out)
    return table


def floor_simple_query(path: Path, out: Path) -> pl.DataFrame:
    """A lighter plain query for reference: counts, mean, SD and the range percentages only (no
    median, no time-based columns), on polars' streaming engine."""
    g = pl.col("gl")
    table = (
        pl.scan_parquet(path)
        .group_by("id")
        .agg(
            pl.len().alias("n_readings"),
            g.mean().alias("mean"),
            g.std().alias("sd"),
            ((g < 54).mean() * 100).alias("tbr_54"),
            ((g < 70).mean() * 100).alias("tbr_70"),
            (g.is_between(70, 180).mean() * 100).alias("tir_70_180"),
            ((g > 180).mean() * 100).alias("tar_180"),
            ((g > 250).mean() * 100).alias("tar_250"),
        )
        .sort("id")
        .collect(engine="streaming")
    )
    table.write_parquet(out)
    return table


def _floor(name: str, path: Path) -> dict[str, Any]:
    import tempfile

    out = Path(tempfile.mkdtemp()) / "floor.parquet"
    query = floor_query if name == "floor" else floor_simple_query
    t0 = time.perf_counter()
    table = query(path, out)
    total = time.perf_counter() - t0
    out.unlink()
    return {
        "phase": name,
        "subjects": table.height,
        "columns": table.width,
        "total_s": round(total, 3),
        "peak_rss_mb": _peak_mb(),
    }


def _phase(name: str, path: Path) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "src"))
    if name == "core_path":
        return _core_path(path)
    if name == "breakdown":
        return _breakdown(path)
    if name in ("floor", "floor_simple"):
        return _floor(name, path)
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
    ap.add_argument(
        "--core-only",
        action="store_true",
        help="only the core path and the plain polars floor (no full set, no iglu-python)",
    )
    ap.add_argument("--repeat", type=int, default=1, help="run the core path and floors N times")
    ap.add_argument(
        "--phase",
        choices=["core", "full", "per_metric", "core_path", "breakdown", "floor", "floor_simple"],
        help=argparse.SUPPRESS,
    )
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

    def run_phase(phase: str) -> dict[str, Any]:
        out = subprocess.run(
            [sys.executable, __file__, "--phase", phase, "--path", str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
        res: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
        print(phase, json.dumps(res))
        return res

    # the core path and the floors, interleaved (each in its own process), N times
    for phase in ("core_path", "floor", "floor_simple"):
        results[phase + "_runs"] = []
    for _ in range(max(args.repeat, 1)):
        for phase in ("core_path", "floor", "floor_simple"):
            results[phase + "_runs"].append(run_phase(phase))
    results["breakdown"] = run_phase("breakdown")
    best = {
        phase: min(results[phase + "_runs"], key=lambda r: r["total_s"])
        for phase in ("core_path", "floor", "floor_simple")
    }
    cp, fl, fs = best["core_path"], best["floor"], best["floor_simple"]
    print()
    print(
        f"core path end to end (read + check_frame + core set + write): {cp['total_s']:.2f} s "
        f"(read+check {cp['read_and_check_s']:.2f}, core {cp['core_s']:.2f}, "
        f"write {cp['write_s']:.3f}); peak RSS {cp['peak_rss_mb']:.0f} MB"
    )
    print(
        f"plain polars floor, same core set: {fl['total_s']:.2f} s, peak RSS "
        f"{fl['peak_rss_mb']:.0f} MB -> ratio {cp['total_s'] / fl['total_s']:.2f}x"
    )
    print(
        f"plain polars streaming query, mean/SD/ranges only: {fs['total_s']:.2f} s, peak RSS "
        f"{fs['peak_rss_mb']:.0f} MB -> ratio {cp['total_s'] / fs['total_s']:.2f}x"
    )
    if args.repeat > 1:
        print("(best of", args.repeat, "interleaved runs; every run is in last_run.json)")
    results["core_path_ratio_to_floor"] = round(cp["total_s"] / fl["total_s"], 3)
    results["core_path_ratio_to_floor_simple"] = round(cp["total_s"] / fs["total_s"], 3)
    if args.core_only:
        (DATA_DIR / "last_core_run.json").write_text(
            json.dumps(results, indent=2), encoding="utf-8"
        )
        return
    for phase in ("core", "full", "per_metric"):
        results[phase] = run_phase(phase)
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
