"""Rebuild the seeded golden run of tests/sim/test_golden_run.py (a regression reference).

    .venv/bin/python tests/sim/build_golden.py              # golden_seed11.csv
    .venv/bin/python tests/sim/build_golden.py --screened   # golden_seed11_screened.csv

The golden files record endolab's own output for a fixed seed: they detect unintended changes of
the simulator (numbers that move without a reason), they are not evidence of correctness (that is
tests/sim/test_simglucose_reference.py and the healthy-subject check). Rebuild them only with a
change that is meant to move the numbers, and say so in the commit.

* ``golden_seed11.csv``: the 10 published adults, aware, exact boluses
  (``PopulationSettings(source="published")``) and counter-regulation off
  (``CounterregulationSettings.off()``, docs/methods/sim.md §11) — the simulator with the trial
  population, behaviour, severe-event and counter-regulation components switched off; it has not
  moved since before they existed, except with the graft's default potency (rebuilt for 1.33,
  issue 17; with potency 1.05 it reproduces the former file exactly).
* ``golden_seed11_screened.csv``: the default trial population (virtual adults screened by the
  protocol's eligibility, with their behaviour) and the default counter-regulation, with a 28-day
  screening period to stay fast (rebuilt when counter-regulation was added, for potency 1.33 and
  for the Leitão 2008 awareness restoration, issue 17; with ``[behaviour] awareness_restoration =
  "proportional"`` it reproduces the former file exactly).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from endolab.sim import simulate_trial
from endolab.sim.counterregulation import CounterregulationSettings
from endolab.sim.population import PopulationSettings, ScreeningSettings

GOLDEN = Path(__file__).resolve().parent / "data" / "golden_seed11.csv"
GOLDEN_SCREENED = Path(__file__).resolve().parent / "data" / "golden_seed11_screened.csv"


def golden_frame(screened: bool = False) -> pl.DataFrame:
    """Per participant: cohort, mean sensor glucose, total insulin and every lab value."""
    if screened:
        ds = simulate_trial(participants=3, days=10, seed=11, screening=ScreeningSettings(days=28))
    else:
        ds = simulate_trial(
            participants=3,
            days=10,
            seed=11,
            population=PopulationSettings(source="published"),
            counterregulation=CounterregulationSettings.off(),
        )
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
            ds.participants.select(
                "participant_id", "cohort", "baseline_hba1c_pct", "baseline_she_per_year"
            ),
            on="participant_id",
        )
        .sort("participant_id", "day")
    )


if __name__ == "__main__":
    import sys

    if "--screened" in sys.argv:
        golden_frame(screened=True).write_csv(GOLDEN_SCREENED)
        print(f"wrote {GOLDEN_SCREENED}")
    else:
        golden_frame().write_csv(GOLDEN)
        print(f"wrote {GOLDEN}")
