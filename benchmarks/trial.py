"""Benchmark: `endolab trial analyze` end to end on a seeded 100-participant × 1-year dataset.

Generates (seeded, numpy.random.Generator) a synthetic trial dataset in the format of
specs/trial-data.md — CGM every 5 minutes from day −14 to day 365 (100 × 380 × 288 ≈ 10.9 M
readings, ~5 % dropped at random), labs at fixed visits, daily insulin with missing days, SHE and
adverse events — then times the full pipeline (read + validate, endpoints, grading, figures, report
files written atomically) with the CLI in-process.

Usage::

    nice .venv/bin/python benchmarks/trial.py                 # 100 participants, CSV, 1 run
    nice .venv/bin/python benchmarks/trial.py --participants 20 --format parquet --keep DIR

The dataset is synthetic and only exercises the code paths; its numbers mean nothing clinically.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

TARGET_S = 20.0


def generate(folder: Path, n: int = 100, seed: int = 20250620, fmt: str = "csv") -> dict[str, int]:
    """Write a synthetic dataset to ``folder``; return the row count of each table."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    ids = [f"P{i:03d}" for i in range(1, n + 1)]
    cohorts = np.where(
        np.arange(n) < round(0.15 * n), "A", np.where(np.arange(n) < round(0.4 * n), "B", "C")
    )
    start = dt.date(2023, 1, 9)
    day0 = [start + dt.timedelta(days=int(x)) for x in rng.integers(0, 300, n)]
    base_a1c = np.round(rng.normal(7.9, 0.5, n).clip(7.1, 10.0), 1)
    base_ins = np.round(rng.normal(39.3, 8.0, n).clip(15, 70), 1)
    responder = rng.random(n) < 0.85
    participants = pl.DataFrame(
        {
            "participant_id": ids,
            "cohort": cohorts.tolist(),
            "dose_cells": np.where(cohorts == "A", 4.0e8, 8.0e8),
            "infusion_date": day0,
            "second_infusion_date": [None] * n,
            "baseline_hba1c_pct": base_a1c,
            "baseline_insulin_u_per_day": base_ins,
            "baseline_she_per_year": rng.integers(2, 7, n).astype(float),
            "weight_kg": np.round(rng.normal(74, 12, n).clip(45, 120), 1),
            "age_years": rng.integers(22, 65, n).astype(float),
            "sex": rng.choice(["F", "M"], n).tolist(),
        },
        schema_overrides={"second_infusion_date": pl.Date},
    )

    # CGM: 5-min readings from day -14 to day 365, ~5 % dropped.
    per = 380 * 288
    frames = []
    for i, pid in enumerate(ids):
        t0 = dt.datetime.combine(day0[i], dt.time()) - dt.timedelta(days=14)
        k = np.arange(per)
        keep = rng.random(per) > 0.05
        k = k[keep]
        day = k // 288 - 14
        tod = (k % 288) / 288
        circ = 25 * np.sin(2 * np.pi * (tod - 0.3))
        after = np.clip((day - 30) / 90, 0, 1) if responder[i] else np.clip((day - 30) / 90, 0, 0.4)
        mean = 165 - after * 50 + circ * (1 - 0.6 * after)
        sd = 55 - after * 33
        gl = np.round(mean + sd * rng.standard_normal(k.size)).clip(39, 401)
        frames.append(
            pl.DataFrame(
                {
                    "participant_id": pid,
                    "time": pl.Series(
                        np.datetime64(t0, "us") + (k * 5).astype("timedelta64[m]"),
                        dtype=pl.Datetime("us"),
                    ),
                    "glucose_mg_dl": gl,
                }
            )
        )
    cgm = pl.concat(frames)

    labs_rows = []
    ins_frames = []
    events_rows = []
    terms = ["Neutropenia", "Diarrhoea", "Headache", "Nausea", "Acute kidney injury", "Anaemia"]
    for i, pid in enumerate(ids):
        d0 = day0[i]
        for d in (-7, 30, 90, 120, 180, 270, 365):
            fall = (1.9 if responder[i] else 0.6) * min(max(d, 0) / 150, 1)
            labs_rows.append(
                (pid, d0 + dt.timedelta(days=d), "HBA1C", round(base_a1c[i] - fall, 1))
            )
        for d in (-7, 90, 180, 365):
            level = 0.0 if d < 0 else (600.0 if responder[i] else 120.0) * rng.uniform(0.6, 1.4)
            labs_rows.append((pid, d0 + dt.timedelta(days=d), "CPEP_STIM_PEAK", round(level)))
            labs_rows.append((pid, d0 + dt.timedelta(days=d), "CPEP_FASTING", round(level / 3)))
            fpg = 160.0 if d < 0 else (95.0 if responder[i] else 140.0)
            labs_rows.append(
                (pid, d0 + dt.timedelta(days=d), "GLUCOSE_FASTING", round(fpg + rng.normal(0, 8)))
            )
        days = np.arange(-14, 366)
        dose = base_ins[i] * np.clip(1 - days / 150, 0, 1) * (days >= 0) + base_ins[i] * (days < 0)
        if not responder[i]:
            dose = np.maximum(dose, 0.5 * base_ins[i])
        recorded = rng.random(days.size) > 0.08
        ins_frames.append(
            pl.DataFrame(
                {
                    "participant_id": pid,
                    "date": [d0 + dt.timedelta(days=int(x)) for x in days[recorded]],
                    "total_units": np.round(dose[recorded], 1),
                }
            )
        )
        for _ in range(rng.poisson(1.0 if responder[i] else 3.0)):
            d = int(rng.integers(1, 366 if not responder[i] else 80))
            date = d0 + dt.timedelta(days=d)
            events_rows.append(
                (pid, date, date, "SHE", "Severe hypoglycaemia", "Y", "N", "RECOVERED")
            )
        for _ in range(rng.poisson(3)):
            d = int(rng.integers(1, 366))
            date = d0 + dt.timedelta(days=d)
            events_rows.append(
                (
                    pid,
                    date,
                    date + dt.timedelta(days=int(rng.integers(1, 20))),
                    "AE",
                    str(rng.choice(terms)),
                    str(rng.choice(["Y", "N"], p=[0.15, 0.85])),
                    str(rng.choice(["Y", "N", "POSSIBLE"], p=[0.1, 0.7, 0.2])),
                    "RECOVERED",
                )
            )
    labs = pl.DataFrame(
        labs_rows, schema=["participant_id", "date", "test", "value"], orient="row"
    ).with_columns(pl.col("value").cast(pl.Float64))
    insulin = pl.concat(ins_frames)
    events = pl.DataFrame(
        events_rows,
        schema=[
            "participant_id",
            "start_date",
            "end_date",
            "category",
            "term",
            "serious",
            "related",
            "outcome",
        ],
        orient="row",
    )
    tables = {
        "participants": participants,
        "cgm": cgm,
        "labs": labs,
        "insulin": insulin,
        "events": events,
    }
    for name, frame in tables.items():
        if fmt == "parquet":
            frame.write_parquet(folder / f"{name}.parquet")
        else:
            frame.write_csv(folder / f"{name}.csv", datetime_format="%Y-%m-%dT%H:%M:%S")
    return {name: frame.height for name, frame in tables.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=100)
    parser.add_argument("--seed", type=int, default=20250620)
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
    parser.add_argument("--keep", type=Path, help="keep the dataset and report in this folder")
    args = parser.parse_args(argv)

    from typer.testing import CliRunner

    from endolab.cli import app

    root = args.keep or Path(tempfile.mkdtemp(prefix="endolab-trial-bench-"))
    data, report = root / "data", root / "report"
    t = time.perf_counter()
    counts = generate(data, args.participants, args.seed, args.format)
    gen_s = time.perf_counter() - t
    print(f"generated {counts} in {gen_s:.1f} s ({args.format})")

    t = time.perf_counter()
    result = CliRunner().invoke(app, ["trial", "analyze", str(data), "--out", str(report)])
    elapsed = time.perf_counter() - t
    if result.exit_code != 0:
        print(result.output, result.stderr, file=sys.stderr)
        return 1
    print(
        f"analyze: {elapsed:.2f} s for {counts['participants']} participants, "
        f"{counts['cgm']:,} CGM rows (target < {TARGET_S:.0f} s) — "
        f"{platform.machine()} {platform.processor() or ''} Python {platform.python_version()}, "
        f"polars {pl.__version__}, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    )
    if args.keep is None:
        shutil.rmtree(root, ignore_errors=True)
    return 0 if elapsed < TARGET_S else 2


if __name__ == "__main__":
    raise SystemExit(main())
