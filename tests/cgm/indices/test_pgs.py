"""PGS: the episode rules it uses (R iglu's episode_calculation, 20/30 min) on a known trace, and
the score's composition."""

from __future__ import annotations

import datetime as dt
import itertools
import warnings
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from endolab.cgm import check_frame, episodes
from endolab.cgm.episode_calc import hypo_counts_on_grid
from endolab.cgm.indices import pgs
from endolab.cgm.indices.gvp import gvp_values
from endolab.cgm.indices.pgs import pgs_hirsch_2017
from endolab.cgm.kernels.grid import build_grid
from endolab.cgm.kernels.groups import groups_of
from tests.cgm.indices.helpers import T0, frame_of, stack, value

# 5-min readings (grid = readings): start ≥ 4 points (20 min) below, end ≥ 6 points (30 min) at/above
TRACE = [100] * 6 + [50] * 4 + [100] * 6 + [60] * 4 + [100] * 3 + [60] * 4 + [100] * 6


def _grid():  # type: ignore[no-untyped-def]
    return build_grid(groups_of(frame_of(TRACE), ("id",)))


def test_episode_counts() -> None:
    grid = _grid()
    # < 70: runs 50×4 at 6–9 (start), 100×6 at 10–15 (end), 60×4 at 16–19 (start), 100×3 at 20–22
    # (too short to end), 60×4 at 23–26 (same episode), 100×6 at 27–32 (end). An episode runs to
    # the point before its end run: 2 episodes, points 6–9 and 16–26
    table = episodes(frame_of(TRACE), dur_length=20.0, end_length=30.0).table
    l1 = table.filter((pl.col("type") == "hypo") & (pl.col("level") == "l1"))
    minutes = [(t - T0).total_seconds() / 60 for t in l1["start"]]
    assert minutes == [6 * 5, 16 * 5] and l1["n_readings"].to_list() == [4, 11]
    # < 54: 50×4 starts; the 23 points ≥ 54 after it end it → 1 episode; level-1-only: the first
    # level-1 episode contains it, the second does not
    counts = hypo_counts_on_grid(grid, dur_length=20.0, end_length=30.0)
    assert {k: v.tolist() for k, v in counts.items()} == {
        "hypo_l1": [2.0],
        "hypo_l2": [1.0],
        "hypo_l1_excl": [1.0],
    }


def test_pgs_is_the_sum_of_its_terms() -> None:
    frame = frame_of(TRACE)
    grid = _grid()
    # 33 present grid points × 5 min = 0.114583 days: 1 episode of each kind → 61.09 per week
    per_week = 1 / (33 * 5 / 1440) * 7
    mean = sum(TRACE) / len(TRACE)
    ptir = 100 * sum(70 <= x <= 180 for x in TRACE) / len(TRACE)  # 21 of 33 = 63.64 %
    expected = pgs_hirsch_2017(
        gvp_values(grid), np.array(mean), np.array(ptir), np.array(per_week), np.array(per_week)
    )
    assert value(pgs(frame), "pgs") == pytest.approx(float(expected[0]), rel=1e-12)
    # f_H54 saturates near 5 and f_H70 is capped at 5 (61 > 7.65 per week)
    assert per_week == pytest.approx(61.0909, rel=1e-5)


# ---------------------------------------------------------------- PGS counts = episodes() counts


def _hypo_rich_cohort() -> pl.DataFrame:
    """Subjects whose traces dip below 70 and 54 often: short dips (too short to start), long
    ones, level-2 dips inside level-1 episodes, recoveries too short to end, gaps that split, a
    15-min sensor, and an episode running into the end of the data."""
    rng = np.random.default_rng(20261205)
    parts = []
    for k, (step, n) in enumerate([(5, 3 * 288), (5, 2 * 288 + 17), (15, 3 * 96), (5, 288)]):
        t = np.arange(n)
        period = rng.uniform(90, 300) / step
        base = 95 + 45 * np.sin(2 * np.pi * t / period) + rng.normal(0, 9, n)
        values = np.clip(np.round(base), 40, 400)
        times = [T0 + dt.timedelta(minutes=step * float(i)) for i in range(n)]
        keep = np.ones(n, dtype=bool)
        if k == 1:
            keep[200:215] = False  # a 75-min gap (> inter_gap 45 min): segments split
            keep[400:405] = False  # a 25-min gap (bridged)
        if k == 3:
            values[-8:] = 50.0  # an episode open at the end of the data
        parts.append(
            frame_of(
                values[keep].tolist(),
                id_=f"s{k}",
                times=[x for x, ok in zip(times, keep, strict=True) if ok],
            )
        )
    return stack(*parts)


def _expected_pgs(frame: pl.DataFrame) -> list[float]:
    """PGS composed from public parts: GVP, mean, TIR and the hypoglycaemic episodes counted by
    endolab.cgm.episodes (R iglu's grid, PGS's durations: start ≥ 20 min, end ≥ 30 min)."""
    summary = episodes(frame, dur_length=20.0, end_length=30.0, method="iglu_grid").summary
    grid = build_grid(groups_of(frame, ("id",)))
    present = np.array(
        [np.count_nonzero(~np.isnan(grid.gl[a:b])) for a, b in itertools.pairwise(grid.start)]
    )
    days = present * grid.dt0 / 1440.0
    stats = frame.group_by("id").agg(
        pl.col("gl").mean().alias("mean"),
        (pl.col("gl").is_between(70, 180).mean() * 100).alias("ptir"),
    )
    table = summary.join(stats, on="id").sort("id")
    assert table["id"].to_list() == grid.keys["id"].to_list()
    n54 = table["hypo_l2_episodes"].to_numpy() / days * 7.0
    n70 = table["hypo_l1_excl_episodes"].to_numpy() / days * 7.0
    out = pgs_hirsch_2017(
        gvp_values(grid), table["mean"].to_numpy(), table["ptir"].to_numpy(), n54, n70
    )
    return [float(x) for x in out]


def test_pgs_counts_equal_the_episode_module() -> None:
    frame = _hypo_rich_cohort()
    summary = episodes(frame, dur_length=20.0, end_length=30.0).summary
    # the data exercise what matters: level-2 episodes, level-1-only episodes, several per subject
    assert summary["hypo_l2_episodes"].sum() >= 10
    assert summary["hypo_l1_excl_episodes"].sum() >= 10
    got = pgs(frame).sort("id")["pgs"].to_list()
    assert got == pytest.approx(_expected_pgs(frame), rel=1e-12, abs=0.0)


@pytest.mark.shared_data
def test_pgs_counts_equal_the_episode_module_on_the_example_data(shared_data_dir: Path) -> None:
    raw = pl.read_csv(shared_data_dir / "example_data_5_subject.csv").select("id", "time", "gl")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the example data have duplicates (stated in a warning)
        frame = check_frame(raw)
    got = pgs(frame).sort("id")["pgs"].to_list()
    assert got == pytest.approx(_expected_pgs(frame), rel=1e-12, abs=0.0)
