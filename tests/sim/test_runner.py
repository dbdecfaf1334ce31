"""The simulated trial: determinism, round trip through the trial engine, dose and F = 0 properties,
bad input and atomic output."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from endolab.cgm.metrics import adag_nathan_2008
from endolab.errors import InputError
from endolab.sim import simulate, simulate_trial, write_simulation
from endolab.sim.population import PopulationSettings, ScreeningSettings
from endolab.sim.runner import (
    SIM_PROTOCOLS,
    SheProxy,
    TherapySettings,
    _titrate,
    allocate_cohorts,
    she_proxy_events,
)
from endolab.trial import analyze, load_protocol, read_dataset

#: A 28-day screening period keeps these tests fast (the default is the protocol's year).
FAST = ScreeningSettings(days=28)
#: The 10 published adults, aware, exact boluses: the mechanics of the trial engine alone.
PUBLISHED = PopulationSettings(source="published")


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_gives_byte_identical_dataset_folder(tmp_path: Path) -> None:
    a = write_simulation(
        simulate_trial(participants=3, days=8, seed=7, screening=FAST), tmp_path / "a"
    )
    b = write_simulation(
        simulate_trial(participants=3, days=8, seed=7, screening=FAST), tmp_path / "b"
    )
    c = write_simulation(
        simulate_trial(participants=3, days=8, seed=8, screening=FAST), tmp_path / "c"
    )
    assert _files(a) == _files(b)
    assert _files(a)["cgm.csv"] != _files(c)["cgm.csv"]
    assert set(_files(a)) == {
        ".endolab-manifest.json",
        "participants.csv",
        "cgm.csv",
        "labs.csv",
        "insulin.csv",
        "events.csv",
        "simulation.json",
    }


def test_round_trip_reader_and_analysis(tmp_path: Path) -> None:
    ds = simulate_trial(participants=4, days=31, seed=2, screening=FAST)
    folder = write_simulation(ds, tmp_path / "sim")
    back = read_dataset(folder)
    assert back.simulated and back.simulation is not None
    assert back.simulation["seed"] == 2
    assert back.participants.height == 4
    assert back.cgm.height == ds.cgm.height == 4 * (14 + 32) * 288
    # run-in CGM covers the protocol's baseline window [-14, -1]
    assert back.cgm["day"].min() == -14 and back.cgm["day"].max() == 31
    analysis = analyze(back, load_protocol())
    doc = analysis.endpoints_json()
    assert doc["dataset"]["simulated"] is True
    # cohorts by the zimislecel-2025 shares for 4 participants: A 1, B 1, C 2
    assert sorted(ds.participants["cohort"].to_list()) == ["A", "B", "C", "C"]
    assert set(ds.labs["test"].unique().to_list()) == {
        "HBA1C",
        "CPEP_FASTING",
        "CPEP_STIM_PEAK",
        "GLUCOSE_FASTING",
    }
    manifest = json.loads((folder / "simulation.json").read_text(encoding="utf-8"))
    assert "adverse events other than severe hypoglycaemia" in manifest["not_simulated"][0]
    assert manifest["she_model"]["min_minutes"] == 30
    assert manifest["arm"] == "treated"
    # every enrolled participant passed the screening: ≥ 2 SHE per year, age 18–65
    assert (back.participants["baseline_she_per_year"] >= 2).all()
    assert back.participants["age_years"].is_between(18, 65).all()


def test_larger_dose_never_lowers_mean_graft_fraction() -> None:
    means = []
    for dose in (0.0, 2e8, 4e8, 8e8, 1.6e9):
        res = simulate([("X", dose)] * 5, seed=3, days=5, population=PUBLISHED)
        means.append(res.graft_fraction.mean())
    assert means[0] == 0.0
    assert all(b >= a for a, b in itertools.pairwise(means))


def test_no_graft_participants_never_stop_insulin() -> None:
    res = simulate([("X", 0.0)] * 4, seed=4, days=60, population=PUBLISHED)
    assert (res.graft_fraction == 0).all()
    assert (res.dose_scale > 0).all()
    assert (res.dataset.insulin["total_units"] > 0).all()
    assert (
        res.dataset.labs.filter(res.dataset.labs["test"].str.starts_with("CPEP"))["value"] == 0
    ).all()


def test_no_graft_participants_stay_near_their_own_baseline() -> None:
    # Before the fix (fixed thresholds: × 0.7 whenever mean IG < 145 mg/dL) this cohort's insulin
    # was cut although nothing had changed, and days 30–90 ran 25–55 mg/dL above the run-in.
    # Without graft function the therapy that held each adult at the run-in mean must keep them
    # there: days 30–90 mean IG ≤ run-in mean + 10 mg/dL, and insulin never stops.
    res = simulate([("X", 0.0)] * 6, seed=4, days=90, sensor="none", population=PUBLISHED)
    ds = res.dataset
    day = (
        ds.cgm["time"].dt.date()
        - ds.cgm["participant_id"].replace_strict(
            dict(
                zip(
                    ds.participants["participant_id"], ds.participants["infusion_date"], strict=True
                )
            ),
            return_dtype=pl.Date,
        )
    ).dt.total_days()
    frame = ds.cgm.with_columns(day=day)
    per = frame.group_by("participant_id").agg(
        run_in=pl.col("glucose_mg_dl").filter(pl.col("day") < 0).mean(),
        later=pl.col("glucose_mg_dl").filter(pl.col("day").is_between(30, 90)).mean(),
    )
    assert per.height == 6
    assert (per["later"] <= per["run_in"] + 10.0).all(), per
    assert (res.dose_scale > 0).all()


def test_titration_rule_steps() -> None:
    # Glycaemic criteria only (no C-peptide). Baseline 130 mg/dL with 0.5 % of the run-in
    # < 54 mg/dL for every row; margin 20, hypo margin 3 points, raise 5; factors 0.6/0.8/1.1.
    s = TherapySettings()
    scale = np.array([1.0, 1.0, 1.0, 1.0, 0.8, 1.0, 0.2, 0.0, 0.0, 1.0])
    ig = np.array(
        [
            np.full(100, 89.0),  # mean < 130 − 2·20 = 90 → × 0.6
            np.r_[np.full(96, 150.0), np.full(4, 50.0)],  # 4 % < 54 > 0.5 + 3 → × 0.6
            np.r_[np.full(97, 130.0), np.full(3, 50.0)],  # 3 % < 54 ≤ 3.5; mean 127.6 → no change
            np.full(100, 109.0),  # mean < 130 − 20 = 110 → × 0.8
            np.full(100, 136.0),  # mean > 130 + 5, scale 0.8 < 1 → × 1.1 = 0.88
            np.full(100, 200.0),  # already at the full dose (max 1) → stays 1
            np.full(100, 109.0),  # 0.2 × 0.8 = 0.16 ≥ 0.15 → 0.16 (still on insulin)
            np.full(100, 170.0),  # off insulin, mean > 154 → restart at 0.3
            np.full(100, 150.0),  # off insulin, mean ≤ 154 → stays off
            np.full(100, 140.0),  # mean > 135 at the full dose → stays 1
        ]
    )
    base = np.full(10, 130.0)
    base_below54 = np.full(10, 0.5)
    got = _titrate(scale, ig, base, base_below54, s).round(6).tolist()
    assert got == [0.6, 0.6, 1.0, 0.8, 0.88, 1.0, 0.16, 0.3, 0.0, 1.0]
    # a smaller step below the stop threshold stops insulin: 0.18 × 0.8 = 0.144 < 0.15
    stop = _titrate(np.array([0.18]), np.full((1, 100), 109.0), base[:1], base_below54[:1], s)
    assert stop.tolist() == [0.0]
    # … but not while glucose is above target: a hypoglycaemia-driven cut (4 % < 54, × 0.6 =
    # 0.108) with mean IG 194 > 154 keeps the smallest dose, 0.15 (before this guard a control
    # participant stopped insulin this way and reached a fasting glucose of 1,077 mg/dL)
    hypo_high = np.r_[np.full(96, 200.0), np.full(4, 50.0)]
    kept = _titrate(np.array([0.18]), hypo_high[None, :], base[:1], base_below54[:1], s)
    assert kept.round(6).tolist() == [0.15]


def test_adag_relation() -> None:
    # Nathan 2008, Table: A1C 6 % ↔ 126 mg/dL, 8 % ↔ 183 mg/dL (eAG = 28.7·A1C − 46.7)
    np.testing.assert_allclose(adag_nathan_2008(np.array([125.5, 182.9])), [6.0, 8.0], atol=0.01)


def test_cohort_allocation_default() -> None:
    arms = allocate_cohorts(SIM_PROTOCOLS["zimislecel-2025"], 14, 8e8)
    assert [c for c, _ in arms].count("A") == 2
    assert {d for c, d in arms if c == "A"} == {4e8}
    assert {d for c, d in arms if c != "A"} == {8e8}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"participants": 0}, "participants must be"),
        ({"days": 0}, "days must be"),
        ({"dose_cells": -1.0}, "dose must be ≥ 0"),
        ({"protocol": "nope"}, "unknown protocol 'nope'"),
        ({"seed": -1}, "seed must be"),
    ],
)
def test_bad_input_is_one_input_error(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(InputError, match=match):
        simulate_trial(**kwargs)  # type: ignore[arg-type]


def test_output_folder_not_empty_is_refused_and_nothing_left(tmp_path: Path) -> None:
    ds = simulate_trial(participants=1, days=2, seed=1, population=PUBLISHED)
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    with pytest.raises(InputError, match=r"mine\.txt', which endolab did not write"):
        write_simulation(ds, out)
    assert [p.name for p in out.iterdir()] == ["mine.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_she_proxy_counts_sustained_runs_once_and_across_midnight() -> None:
    proxy = SheProxy(threshold_mg_dl=54.0, min_minutes=60)
    bg = np.full((3, 1440), 100.0)
    bg[0, 0:59] = 50.0  # 59 min: below the duration, no event
    bg[1, 10:200] = 53.9  # one long run: one event
    bg[1, 300:400] = 54.0  # exactly 54 is not below 54
    bg[2, 1400:] = 40.0  # 40 min before midnight ...
    run_len = np.zeros(3, np.int64)
    run_start = np.zeros(3, np.int64)
    assert she_proxy_events(bg, 5, proxy, run_len, run_start) == [(1, 5, 5)]
    nxt = np.full((3, 1440), 100.0)
    nxt[2, :20] = 40.0  # ... and 20 min after: 60 min in all, started on day 5
    assert she_proxy_events(nxt, 6, proxy, run_len, run_start) == [(2, 5, 6)]
    with pytest.raises(InputError, match="10–120 min"):
        SheProxy(min_minutes=5)


def test_cohort_larger_than_the_pool_is_jittered_copies() -> None:
    res = simulate([("X", 0.0)] * 12, seed=9, days=1, population=PUBLISHED)
    people = res.manifest["participants"]
    names = [p["virtual_patient"] for p in people]
    assert len(set(n.split("~")[0] for n in names[:10])) == 10  # every adult once first
    assert all("~" in n for n in names[10:]) and [p["jittered"] for p in people].count(True) == 2


def test_progress_callback_reaches_total() -> None:
    calls: list[tuple[int, int]] = []
    simulate_trial(
        participants=2,
        days=3,
        seed=1,
        progress=lambda d, t: calls.append((d, t)),
        population=PUBLISHED,
    )
    assert calls[-1] == (2 * (14 + 4), 2 * (14 + 4))
    assert all(b[0] >= a[0] for a, b in itertools.pairwise(calls))
