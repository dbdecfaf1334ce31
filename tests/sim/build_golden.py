"""Rebuild the seeded golden run of tests/sim/test_golden_run.py (a regression reference).

    .venv/bin/python tests/sim/build_golden.py

The golden file records endolab's own output for a fixed seed: it detects unintended changes of the
simulator (numbers that move without a reason), it is not evidence of correctness (that is
tests/sim/test_simglucose_reference.py and the healthy-subject check). Rebuild it only with a
change that is meant to move the numbers, and say so in the commit.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from endolab.sim import simulate_trial

GOLDEN = Path(__file__).resolve().parent / "data" / "golden_seed11.csv"


def golden_frame() -> pl.DataFrame:
    """Per participant: cohort, mean sensor glucose, total insulin and every lab value."""
    ds = simulate_trial(participants=3, days=10, seed=11)
    cgm = ds.cgm.group_by("participant_id").agg(
        pl.col("glucose_mg_dl").mean().alias("mean_cgm_mg_dl"),
        pl.len().alias("cgm_readings"),
    )
    ins = ds.insulin.group_by("participant_id").agg(pl.col("total_units").sum().alias("insulin_u"))
    labs = ds.labs.pivot(on="test", index=["participant_id", "day"], values="value").sort(
        "participant_id", "day"
    )
    return (
        labs.join(cgm, on="participant_id")
        .join(ins, on="participant_id")
        .join(
            ds.participants.select("participant_id", "cohort", "baseline_hba1c_pct"),
            on="participant_id",
        )
        .sort("participant_id", "day")
    )


if __name__ == "__main__":
    golden_frame().write_csv(GOLDEN)
    print(f"wrote {GOLDEN}")
