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


def _window(ig: float = 110.0) -> np.ndarray:
    """14 days × 288 five-minute samples of a constant IG [mg/dL]."""
    return np.full((14, 288), ig)


def test_titration_rule_steps() -> None:
    # Glycaemic criteria only (no C-peptide), written out by hand. Every day: first meal and
    # breakfast at 07:00 (fasting reading = sample 420 // 5 = 84), lunch 12:00, dinner 18:00;
    # 2-h post-prandial readings at samples (420 + 120) // 5 = 108, 168 and 240. A 14-day window
    # is 2 weeks: fasting fails with more than 3 × 2 = 6 days > 126 mg/dL, post-prandial with more
    # than 4 × 2 = 8 readings > 180 mg/dL, CGM with more than 25 % of samples > 180 mg/dL. Out of
    # target = at least 2 of the 3 fail. Run-in % < 54 mg/dL: 0.5 for everyone (hypo cut above
    # 0.5 + 3 = 3.5 %); run-in mean 180 mg/dL unless given (in target, weaning needs a window mean
    # below 180 − 20 = 160 mg/dL; every window here is below 135 mg/dL unless out of target).
    s = TherapySettings()
    cases: list[tuple[str, float, np.ndarray, float]] = []

    cases.append(("flat 110: no criterion fails → wean × 0.8", 1.0, _window(), 0.8))

    hypo = _window(200.0)
    hypo[:, :12] = 50.0  # 12/288 = 4.17 % < 54 > 3.5: hypoglycaemia beats out of target
    cases.append(("hypo 4.2 % → × 0.8", 1.0, hypo, 0.8))

    edge = _window(200.0)
    edge[:, :10] = 50.0  # 10/288 = 3.47 % ≤ 3.5: no hypo cut; all three fail → × 1.1
    cases.append(("hypo 3.47 %, out of target → × 1.1", 0.5, edge, 0.55))

    fasting = _window()
    fasting[:8, 84] = 140.0  # 8 high fasting days > 6: fasting fails alone → in target
    cases.append(("fasting alone fails → wean", 1.0, fasting, 0.8))

    diary = fasting.copy()
    diary[:9, 108] = 200.0  # 9 high post-prandial readings > 8 (CGM: 9 samples, 0.2 % above 180)
    cases.append(("fasting + post-prandial fail → × 1.1", 0.5, diary, 0.55))

    tar = _window()
    tar[:, :80] = 190.0  # 80/288 = 27.8 % > 25 % above 180; fasting (sample 84) and PP in range
    cases.append(("CGM alone fails → wean", 1.0, tar, 0.8))
    tar_pp = tar.copy()
    tar_pp[:, 240] = 200.0  # + 14 high dinner readings (28.1 % above 180)
    cases.append(("CGM + post-prandial fail → × 1.1", 0.5, tar_pp, 0.55))
    tar_fasting = tar.copy()
    tar_fasting[:7, 84] = 140.0  # + 7 high fasting days > 6
    cases.append(("CGM + fasting fail → × 1.1", 0.5, tar_fasting, 0.55))
    tar_fasting_6 = tar.copy()
    tar_fasting_6[:6, 84] = 140.0  # 6 high fasting days = 3 a week, not more than 3
    cases.append(("CGM fails, fasting 3 a week → wean", 0.5, tar_fasting_6, 0.4))

    cases.append(("in target, 0.18 × 0.8 = 0.144 < 0.15 → insulin stops", 0.18, _window(), 0.0))
    cases.append(("hypo cut to 0.144 while out of target → smallest dose 0.15", 0.18, hypo, 0.15))
    cases.append(("off insulin, out of target → restart at 0.5", 0.0, _window(200.0), 0.5))
    cases.append(("off insulin, fasting + post-prandial fail → restart", 0.0, diary, 0.5))
    cases.append(("off insulin, CGM fails alone → stays off", 0.0, tar, 0.0))
    cases.append(("full dose, out of target → stays at max_scale 1", 1.0, _window(200.0), 1.0))
    no_graft = len(cases)
    cases.append(("in target, only 15 below the run-in (125) → dose kept", 1.0, _window(), 1.0))
    cases.append(("in target, 20 below the run-in (130) is not more → kept", 1.0, _window(), 1.0))
    cases.append(("in target, 21 below the run-in (131) → wean", 1.0, _window(), 0.8))

    n = len(cases)
    ig = np.stack([c[2] for c in cases])
    first = np.full((n, 14), 420, dtype=np.int64)
    main = np.tile(np.array([420, 720, 1080], dtype=np.int64), (n, 14, 1))
    scale = np.array([c[1] for c in cases])
    run_in = np.full(n, 180.0)
    run_in[no_graft : no_graft + 3] = [125.0, 130.0, 131.0]
    got = _titrate(scale, ig, first, main, run_in, np.full(n, 0.5), s).round(6)
    for (label, _, _, want), value in zip(cases, got.tolist(), strict=True):
        assert value == pytest.approx(want), label


def test_titration_no_meal_no_reading() -> None:
    # A day without meals has no fasting reading. CGM fails (27.8 % above 180 mg/dL) and the
    # fasting sample is 140 mg/dL on days 0–7: with meals every day that is 8 high readings
    # (> 6: two criteria fail → × 1.1); without meals on days 0 and 1 only 6 count (one → × 0.8).
    ig = _window()
    ig[:, :80] = 190.0
    ig[:8, 84] = 140.0
    ig = np.stack([ig, ig])
    first = np.full((2, 14), 420, dtype=np.int64)
    main = np.tile(np.array([420, 720, 1080], dtype=np.int64), (2, 14, 1))
    first[1, :2], main[1, :2, :] = -1, -1
    got = _titrate(
        np.array([0.5, 0.5]), ig, first, main, np.full(2, 180.0), np.zeros(2), TherapySettings()
    )
    assert got.round(6).tolist() == [0.55, 0.4]


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("postprandial_minutes", 0, "whole number ≥ 1"),
        ("criteria_to_act", 4, "1, 2 or 3"),
        ("criteria_to_act", 0, "whole number ≥ 1"),
        ("reduce_by", 1.0, "below 1"),
        ("postprandial_minutes", 300, "at most 240"),
    ],
)
def test_titration_settings_refused(field: str, value: float, match: str) -> None:
    with pytest.raises(InputError, match=match):
        TherapySettings(**{field: value})  # type: ignore[arg-type]


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
