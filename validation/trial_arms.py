"""The screened trial population's baseline, and control vs treated arms beside NEJM 2025.

    .venv/bin/python validation/trial_arms.py            # writes validation/trial_arms.md

1. **Population, before infusion**: 100 participants screened with the default settings (the
   protocol's year of screening), the 14-day run-in: median and interquartile range of HbA1c,
   time in range, time < 54 mg/dL (noise-free sensor), insulin and screening SHE per year, beside
   the trial's reported baseline (ADA 2024 abstract and cgtlive.com, docs/methods/trial.md §1.2).
2. **Arms**: the default trial (14 participants, 365 days) on seeds 1 and 2, once as the control
   arm (no infusion) and once treated; endpoints of the full-dose cohorts B+C (12 per seed) from
   ``endolab.trial.analyze`` beside NEJM 2025. The treated numbers are predictions of the model's
   assumptions: nothing was tuned to them (the population's behaviour is calibrated to the
   baseline only; the graft restores awareness once its stimulated C-peptide reaches Leitão
   2008's 0.3 ng/mL, setting ``[behaviour] awareness_restoration``, docs/methods/sim.md §8). The
   default settings include the counter-regulation of docs/methods/sim.md §11 (glucagon with the
   T1D host's impaired response, the graft's α-cells, insulin action rising in hypoglycaemia,
   intra-day sensitivity, dawn), set from physiology sources and assumptions, not from these
   numbers. In-silico results are never clinical evidence.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

from endolab._version import __version__
from endolab.sim import simulate_trial
from endolab.trial import analyze, load_protocol

OUT = Path(__file__).resolve().parent / "trial_arms.md"
SEEDS = (1, 2)
ENDPOINTS = (
    ("primary", "primary endpoint (SHE-free d90–365 and HbA1c response)", None),
    ("she_free_90_365", "SHE-free days 90–365", (12, 12)),
    ("hba1c_lt7_day365", "HbA1c < 7 % at day 365", (12, 12)),
    ("tir_gt70_day365", "TIR > 70 % at day 365", (12, 12)),
    ("insulin_independent_180_365", "insulin independent days 180–365", (10, 12)),
)


def _q(values: np.ndarray) -> str:
    q1, med, q3 = np.percentile(values, [25, 50, 75])
    return f"{med:.1f} ({q1:.1f}–{q3:.1f})"


def population_rows() -> list[str]:
    ds = simulate_trial(participants=100, days=1, seed=1, sensor="none")
    p = ds.participants
    per = (
        ds.cgm.join(p.select("participant_id", "infusion_date"), on="participant_id")
        .with_columns(day=(pl.col("time").dt.date() - pl.col("infusion_date")).dt.total_days())
        .filter(pl.col("day") < 0)
        .group_by("participant_id")
        .agg(
            tir=100 * pl.col("glucose_mg_dl").is_between(70, 180).mean(),
            below54=100 * (pl.col("glucose_mg_dl") < 54).mean(),
        )
    )
    vp = ds.simulation["virtual_patients"]  # type: ignore[index]
    return [
        "| baseline (run-in, 14 days) | trial, full dose (n = 12) | simulated, 100 screened: median (IQR) |",
        "|---|---|---|",
        f"| HbA1c [%] | mean 7.8, all > 7 | {_q(p['baseline_hba1c_pct'].to_numpy())} |",
        f"| TIR 70–180 mg/dL [%] | mean 49.5 | {_q(per['tir'].to_numpy())} |",
        f"| time < 54 mg/dL [%] | not reported | {_q(per['below54'].to_numpy())} |",
        f"| insulin [U/day] | mean 39.3 (19.8–52.0) | {_q(p['baseline_insulin_u_per_day'].to_numpy())} |",
        f"| SHE in the prior year [events/year] | ≥ 2 (eligibility) | {_q(p['baseline_she_per_year'].to_numpy())} |",
        f"| age [years] | about 44 (18–65) | {_q(p['age_years'].to_numpy())} |",
        "",
        f"Candidates drawn: {vp['candidates_drawn']}; simulated through screening: "
        f"{vp['candidates_simulated']}; excluded: {vp['excluded']}.",
    ]


def arm_counts(arm: str) -> dict[str, list[tuple[int, int]]]:
    out: dict[str, list[tuple[int, int]]] = {k: [] for k, _, _ in ENDPOINTS}
    for seed in SEEDS:
        ds = simulate_trial(seed=seed, arm=arm)
        group = analyze(ds, load_protocol("zimislecel-2025")).cohorts["B+C"]
        for key, _, _ in ENDPOINTS:
            out[key].append((group[key]["n"], group[key]["N"]))
    return out


def main() -> int:
    start = time.time()
    lines = [
        "# The screened trial population and the control arm (in silico, never evidence)",
        "",
        f"endolab {__version__}, {dt.date.today().isoformat()}, `validation/trial_arms.py` "
        "(default settings).",
        "",
        "## Population before infusion",
        "",
        *population_rows(),
        "",
        "## Control vs treated vs NEJM 2025 (full-dose cohorts B+C, 12 per seed)",
        "",
        f"| endpoint | control, seeds {', '.join(map(str, SEEDS))} | treated, seeds "
        f"{', '.join(map(str, SEEDS))} | NEJM 2025 (Reichman et al.) |",
        "|---|---|---|---|",
    ]
    control = arm_counts("control")
    treated = arm_counts("treated")
    for key, label, nejm in ENDPOINTS:
        c = ", ".join(f"{n}/{N}" for n, N in control[key])
        t = ", ".join(f"{n}/{N}" for n, N in treated[key])
        lines.append(f"| {label} | {c} | {t} | {f'{nejm[0]}/{nejm[1]}' if nejm else '—'} |")
    lines += [
        "",
        "The treated column is what the model's assumptions predict; nothing was tuned to it. "
        f"Run time {time.time() - start:.0f} s.",
        "",
    ]
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print(OUT.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
