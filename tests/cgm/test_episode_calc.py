"""Consensus episodes (2023): hand-built traces, the expected episodes worked out in comments.

Most tests pin ``method="readings"`` (through :func:`episodes` below) and test that time model
(module docstring): each reading stands for the interval until the next reading (the last one of a
stretch for dt0); a run lasts the sum of its readings' intervals. The tests at the end check the
default ``method="iglu_grid"`` (R iglu's interpolated grid) where the two methods differ.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from endolab.cgm import check_frame, compute_metrics
from endolab.cgm import episodes as cgm_episodes
from endolab.cgm.episode_calc import EpisodeResult
from endolab.errors import EndolabWarning, InputError

T0 = dt.datetime(2024, 5, 1, 0, 0)


def episodes(frame: object, **params: object) -> EpisodeResult:
    """The readings time model (``method="readings"``) unless a test asks otherwise."""
    return cgm_episodes(frame, **{"method": "readings", **params})  # type: ignore[arg-type]


def _frame(gl: list[float], minutes: list[float] | None = None, sid: str = "a") -> pl.DataFrame:
    minutes = minutes if minutes is not None else [5.0 * i for i in range(len(gl))]
    return check_frame(
        pl.DataFrame(
            {
                "id": [sid] * len(gl),
                "time": [T0 + dt.timedelta(minutes=x) for x in minutes],
                "gl": [float(g) for g in gl],
            }
        )
    )


def _at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def _level(table: pl.DataFrame, kind: str, level: str) -> pl.DataFrame:
    return table.filter((pl.col("type") == kind) & (pl.col("level") == level))


def test_one_level1_hypo() -> None:
    # 100 | 65 65 65 (t = 5, 10, 15: 3 × 5 = 15 min ≥ 15) | 100 100 100 (15 min ≥ 15: recovery)
    table, summary = episodes(_frame([100, 65, 65, 65, 100, 100, 100]))
    hypo = _level(table, "hypo", "l1")
    assert hypo.height == 1
    row = hypo.row(0, named=True)
    assert (row["start"], row["end"], row["duration_min"]) == (_at(5), _at(20), 15.0)
    assert (row["nadir_gl"], row["n_readings"], row["ended_by"]) == (65.0, 3, "recovery")
    s = summary.row(0, named=True)
    assert s["hypo_l1_episodes"] == 1
    assert s["hypo_l2_episodes"] == 0
    assert s["hyper_l1_episodes"] == 0
    assert s["hypo_l1_mean_duration_min"] == 15.0


def test_ten_minutes_is_not_an_episode() -> None:
    # 65 65 = 10 min < 15
    table, summary = episodes(_frame([100, 65, 65, 100, 100, 100]))
    assert table.height == 0
    assert summary["hypo_l1_episodes"][0] == 0
    assert summary["hypo_l1_mean_duration_min"][0] is None


def test_short_recovery_does_not_end_the_episode() -> None:
    # idx: 0:100 1:65(5) 2:65(10) 3:65(15) 4:100(20) 5:100(25) 6:65(30) 7:65(35) 8-10:100
    # start at 5 (15 min below); recovery 20–25 is 10 min < 15; below again 30–35;
    # recovery from 40 lasts 15 min → episode ends at 40: duration 35 min; one episode only
    table, _ = episodes(_frame([100, 65, 65, 65, 100, 100, 65, 65, 100, 100, 100]))
    hypo = _level(table, "hypo", "l1")
    assert hypo.height == 1
    assert (hypo["start"][0], hypo["end"][0], hypo["duration_min"][0]) == (_at(5), _at(40), 35.0)


def test_level2_end_rule_parameter() -> None:
    # 100 | 50 50 50 (5–15) | 60 60 60 (20–30) | 100 100 100 (35–45)
    gl = [100, 50, 50, 50, 60, 60, 60, 100, 100, 100]
    same, _ = episodes(_frame(gl))
    # "same": recovery run ≥ 54 starts at 20 and lasts 30 min → level 2 ends at 20 (15 min)
    l2 = _level(same, "hypo", "l2")
    assert (l2.height, l2["duration_min"][0]) == (1, 15.0)
    # level 1 (< 70): 5–30 below, recovery ≥ 70 from 35 → 30 min; level 2 is also level 1
    l1 = _level(same, "hypo", "l1")
    assert (l1.height, l1["duration_min"][0]) == (1, 30.0)
    assert l2["nadir_gl"][0] == 50.0
    # "level1": level 2 ends only after ≥ 15 min ≥ 70 → at 35: 30 min
    lv1, _ = episodes(_frame(gl), lv2_end="level1")
    l2b = _level(lv1, "hypo", "l2")
    assert (l2b.height, l2b["end"][0], l2b["duration_min"][0]) == (1, _at(35), 30.0)


def test_gap_longer_than_inter_gap_splits() -> None:
    # 65 at 0, 5, 10; 60-min gap; 65 at 70, 75, 80; 100 at 85, 90, 95
    minutes = [0, 5, 10, 70, 75, 80, 85, 90, 95]
    gl = [65, 65, 65, 65, 65, 65, 100, 100, 100]
    table, _ = episodes(_frame(gl, minutes))
    hypo = _level(table, "hypo", "l1")
    # inter_gap 45: the gap splits → two episodes; the first ends at 10 + dt0 (5) = 15
    assert hypo["start"].to_list() == [_at(0), _at(70)]
    assert hypo["end"].to_list() == [_at(15), _at(85)]
    assert hypo["ended_by"].to_list() == ["gap", "recovery"]
    # inter_gap 90: bridged; the reading at 10 stands for 60 min → one episode 0–85 (85 min)
    bridged, _ = episodes(_frame(gl, minutes), inter_gap=90)
    hypo = _level(bridged, "hypo", "l1")
    assert (hypo.height, hypo["duration_min"][0]) == (1, 85.0)


def test_episode_at_end_of_data() -> None:
    # 65 65 65 at 5, 10, 15 and no more data: ends at 15 + dt0 5 = 20
    table, _ = episodes(_frame([100, 65, 65, 65]))
    row = _level(table, "hypo", "l1").row(0, named=True)
    assert (row["end"], row["duration_min"], row["ended_by"]) == (_at(20), 15.0, "end_of_data")


def test_extended_hypo_needs_more_than_120_min() -> None:
    # 25 readings < 70 at 5 min = 125 min > 120 → extended; 24 readings = 120 min → not
    ext = _level(episodes(_frame([100] + [60] * 25 + [100] * 3))[0], "hypo", "ext")
    assert (ext.height, ext["duration_min"][0]) == (1, 125.0)
    assert _level(episodes(_frame([100] + [60] * 24 + [100] * 3))[0], "hypo", "ext").height == 0


def test_hyper_levels() -> None:
    # 150 | 260 260 260 (5–15) | 200 200 200 (20–30) | 150 150 150 (35–45)
    table, summary = episodes(_frame([150, 260, 260, 260, 200, 200, 200, 150, 150, 150]))
    l1 = _level(table, "hyper", "l1")  # > 180 from 5 to 30; recovery ≤ 180 from 35 → 30 min
    assert (l1.height, l1["start"][0], l1["duration_min"][0]) == (1, _at(5), 30.0)
    assert l1["peak_gl"][0] == 260.0
    l2 = _level(table, "hyper", "l2")  # > 250 from 5 to 15; ≤ 250 from 20 for 30 min → 15 min
    assert (l2.height, l2["duration_min"][0]) == (1, 15.0)
    s = summary.row(0, named=True)
    assert (s["hyper_l1_episodes"], s["hyper_l2_episodes"], s["hyper_ext_episodes"]) == (1, 1, 0)


def test_extended_hyper_90_of_120_min() -> None:
    # 18 readings of 300 = 90 min > 250 → qualifies at the 18th; starts at 0; recovery ≤ 180
    # from 90 lasting 15 min → ends at 90: 90 min
    ext = _level(episodes(_frame([300] * 18 + [150] * 3))[0], "hyper", "ext")
    assert (ext.height, ext["start"][0], ext["duration_min"][0]) == (1, _at(0), 90.0)
    # 17 readings = 85 min < 90 → none
    assert _level(episodes(_frame([300] * 17 + [150] * 3))[0], "hyper", "ext").height == 0


def test_extended_hyper_is_cumulative() -> None:
    # 10 × 300 (0–45), 4 × 200 (50–65), 8 × 300 (70–105), 3 × 150 (110–120).
    # At t = 105 the window (−15, 105] holds 18 readings > 250 = 90 min → qualifies; first > 250
    # in the window is t = 0; recovery from 110 (15 min) → episode 0–110 = 110 min.
    gl = [300] * 10 + [200] * 4 + [300] * 8 + [150] * 3
    ext = _level(episodes(_frame(gl))[0], "hyper", "ext")
    assert (ext.height, ext["start"][0], ext["end"][0]) == (1, _at(0), _at(110))


def test_fifteen_minute_libre_reading_is_fifteen_minutes() -> None:
    # Libre historic data every 15 min: one reading of 60 stands for 15 min → an episode
    table, _ = episodes(_frame([100, 60, 100, 100], minutes=[0, 15, 30, 45]))
    hypo = _level(table, "hypo", "l1")
    assert (hypo.height, hypo["duration_min"][0]) == (1, 15.0)


def test_subjects_do_not_run_into_each_other() -> None:
    # a ends with 65 65 (10 min), b starts with 65 (5 min): no episode in either
    f = pl.concat([_frame([100, 100, 65, 65]), _frame([65, 100, 100, 100], sid="b")])
    table, summary = episodes(f)
    assert table.height == 0
    assert summary["id"].to_list() == ["a", "b"]


def test_episodes_by_day_in_compute_metrics() -> None:
    # one hypo episode on day 1 (23:45–23:55 below, 15 min), none on day 2
    minutes = [23 * 60 + 40 + 5 * i for i in range(8)]
    gl = [100, 60, 60, 60, 100, 100, 100, 100]
    r = compute_metrics(_frame(gl, minutes), metrics=["episodes"], by="day")
    assert r["date"].to_list() == [dt.date(2024, 5, 1), dt.date(2024, 5, 2)]
    assert r["hypo_l1_episodes"].to_list() == [1, 0]


def test_bad_parameters() -> None:
    with pytest.raises(InputError, match="lv2_end"):
        episodes(_frame([100]), lv2_end="other")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="dur_length"):
        episodes(_frame([100]), dur_length=-1)


def test_one_reading() -> None:
    table, summary = episodes(_frame([50]))
    assert table.height == 0
    assert summary["hypo_l1_episodes"][0] == 0


def test_raw_and_unsorted_frames_are_checked() -> None:
    # a raw frame (text times, integer glucose) and a canonical frame out of order give the same
    raw = pl.DataFrame(
        {
            "id": ["a"] * 5,
            "time": [f"2024-05-01 00:{5 * i:02d}" for i in range(5)],
            "gl": [65, 65, 65, 100, 100],
        }
    )
    # 65 × 3 (0–10) = 15 min → one episode; recovery 15–20 lasts only 10 min before the data end,
    # so it ends at the end of the last low reading (10 + 5 = 15) with ended_by "end_of_data"
    table, _ = episodes(raw)
    assert table.select("duration_min", "ended_by").rows() == [(15.0, "end_of_data")]
    canon = check_frame(raw)
    with pytest.warns(EndolabWarning, match="backwards"):
        shuffled, _ = episodes(canon[[4, 0, 1, 2, 3]])
    assert shuffled.equals(table)


# --- method="iglu_grid" (the default): R iglu 4.3.0's episode_calculation on its 5-min grid --------
# Grid (R iglu CGMS2DayByDay): points at 00:00 + k·dt0 (k ≥ 1) of the first day, glucose linearly
# interpolated between the readings around each point; a run of n grid points lasts n·dt0 min and
# must have n ≥ ceil(15 / dt0) points to start (or end) an episode.


def test_grid_counts_a_run_straddling_grid_points() -> None:
    # readings 2.5 min off the grid: 150 at 2.5, 7.5; 250 at 12.5, 17.5; 150 at 22.5 … 37.5
    minutes = [2.5, 7.5, 12.5, 17.5, 22.5, 27.5, 32.5, 37.5]
    gl = [150, 150, 250, 250, 150, 150, 150, 150]
    f = _frame(gl, minutes)
    # readings: two readings > 180 (12.5, 17.5) = 2 × 5 = 10 min < 15 → no episode
    assert _level(episodes(f)[0], "hyper", "l1").height == 0
    # grid: 10 → 150 + 100·(10 − 7.5)/5 = 200; 15 → 250; 20 → 250 − 100·2.5/5 = 200;
    # 25, 30, 35 → 150. Points > 180: 10, 15, 20 = 3 points = 15 min → one episode, recovered by
    # the three points 25–35 (15 min ≤ 180); duration 3 × 5 = 15 min, peak 250 (grid value)
    table, summary = cgm_episodes(f)
    hyper = _level(table, "hyper", "l1")
    assert hyper.select("start", "duration_min", "n_readings", "peak_gl", "ended_by").rows() == [
        (_at(10), 15.0, 3, 250.0, "recovery")
    ]
    assert summary["hyper_l1_episodes"].to_list() == [1]
    assert summary["hyper_l2_episodes"].to_list() == [0]  # 250 is not > 250


def test_grid_ten_minute_gap_at_the_end_of_an_excursion() -> None:
    # 150 at 5; 200 at 10, 15; (10-min gap) 150 at 25, 30, 35, 40
    minutes = [5, 10, 15, 25, 30, 35, 40]
    gl = [150, 200, 200, 150, 150, 150, 150]
    f = _frame(gl, minutes)
    # readings: 200 at 10 lasts 5 min, 200 at 15 lasts until 25 (gap 10 ≤ 45 bridged) = 10 min;
    # 5 + 10 = 15 min > 180 → one episode of 15 min
    readings = _level(episodes(f)[0], "hyper", "l1")
    assert readings.select("start", "duration_min").rows() == [(_at(10), 15.0)]
    # grid: 10 → 200, 15 → 200, 20 → (200 + 150)/2 = 175 ≤ 180: only 2 points > 180 → none
    table, summary = cgm_episodes(f)
    assert _level(table, "hyper", "l1").height == 0
    assert summary["hyper_l1_episodes"].to_list() == [0]


def test_grid_fifteen_minute_libre_reading_between_grid_points() -> None:
    # Libre at 15 min, 7 min past the grid: 100 at 7; 60 at 22; 100 at 37, 52, 67, 82
    minutes = [7, 22, 37, 52, 67, 82]
    gl = [100, 60, 100, 100, 100, 100]
    f = _frame(gl, minutes)
    # readings (dt0 = 15): the 60 at 22 lasts 15 min → one level-1 hypo episode
    assert episodes(f)[1]["hypo_l1_episodes"].to_list() == [1]
    # grid (dt0 = 15, points 15, 30, 45 …): 15 → 100 − 40·(15 − 7)/15 = 78.67;
    # 30 → 60 + 40·(30 − 22)/15 = 81.33; all ≥ 70 → no episode (R iglu smooths it away)
    table, summary = cgm_episodes(f)
    assert table.height == 0
    assert summary["hypo_l1_episodes"].to_list() == [0]


def test_grid_is_the_default_of_compute_metrics() -> None:
    f = _frame([150, 150, 250, 250, 150, 150, 150, 150], [2.5 + 5 * i for i in range(8)])
    full = compute_metrics(f, metrics=["episodes"])
    assert full["hyper_l1_episodes"].to_list() == [1]  # as the grid test above
    assert full["hyper_l1_mean_duration_min"].to_list() == [15.0]


def test_grid_extended_hypo_needs_25_points() -> None:
    # R iglu: extended hypo needs n ≥ 120/dt0 + 1 = 25 grid points < 70 (125 min at 5 min).
    # readings at 0, 5, …: 100 at 0, 60 at 5 … 5·k, then 100 × 3; the grid's first point is 00:05
    ext = _level(cgm_episodes(_frame([100] + [60] * 25 + [100] * 3))[0], "hypo", "ext")
    assert ext.select("start", "duration_min").rows() == [(_at(5), 125.0)]  # 25 points × 5
    assert _level(cgm_episodes(_frame([100] + [60] * 24 + [100] * 3))[0], "hypo", "ext").height == 0


def test_grid_group_without_a_grid_has_null_counts() -> None:
    # hourly readings: median interval 60 min > inter_gap 45 → no grid (R iglu stops with an error)
    f = _frame([60.0] * 6, [60.0 * i for i in range(6)])
    with pytest.warns(EndolabWarning, match="episode counts"):
        _, summary = cgm_episodes(f)
    assert summary["hypo_l1_episodes"].to_list() == [None]


def test_bad_method() -> None:
    with pytest.raises(InputError, match="method"):
        cgm_episodes(_frame([100]), method="grid")  # type: ignore[arg-type]


def test_level1_only_episodes() -> None:
    # 5-min readings from 00:05 (on the grid, so both methods agree):
    # 100; 65 65 65; 100 100 100; 50 50 50; 100 100 100
    gl = [100, 65, 65, 65, 100, 100, 100, 50, 50, 50, 100, 100, 100]
    f = _frame(gl, [5.0 + 5 * i for i in range(len(gl))])
    for method in ("iglu_grid", "readings"):
        _, summary = cgm_episodes(f, method=method)
        # level 1: 65 × 3 (15 min) then recovery (15 min ≥ 70) → episode 1; 50 × 3 → episode 2;
        # level 2: only the 50 × 3 run → 1 episode, inside level-1 episode 2.
        # level-1-only: episode 1 (never < 54) → 1 episode of 3 × 5 = 15 min
        row = summary.row(0, named=True)
        assert (row["hypo_l1_episodes"], row["hypo_l2_episodes"]) == (2, 1), method
        assert row["hypo_l1_excl_episodes"] == 1, method
        assert row["hypo_l1_excl_mean_duration_min"] == 15.0, method
        assert row["hyper_l1_excl_episodes"] == 0, method


def test_grid_episode_belongs_to_the_day_of_its_first_point() -> None:
    # readings every 5 min from 23:45 on day 1: 100; 60 60 60 (23:50 – 00:00); 100 × 3
    minutes = [23 * 60 + 45 + 5 * i for i in range(7)]
    f = _frame([100, 60, 60, 60, 100, 100, 100], minutes)
    r = compute_metrics(f, metrics=["episodes"], by="day")
    # one grid per subject (points 23:45, 23:50, …): the run 23:50–00:00 (3 points) is one
    # episode of day 1, not cut at midnight
    assert r["date"].to_list() == [dt.date(2024, 5, 1), dt.date(2024, 5, 2)]
    assert r["hypo_l1_episodes"].to_list() == [1, 0]
    assert r["hypo_l1_mean_duration_min"].to_list() == [15.0, None]


def test_grid_blocks_do_not_change_the_result(monkeypatch: pytest.MonkeyPatch) -> None:
    # the grid is processed in blocks of whole subjects; one subject per block gives the same
    gl = [100, 60, 60, 60, 100, 100, 100, 200, 260, 260, 260, 150, 150, 150] * 40
    minutes = [2.5 + 5 * i for i in range(len(gl))]  # ≈ 46 h: two calendar days
    f = pl.concat([_frame(gl, minutes, sid=s) for s in ("a", "b", "c")])
    whole = cgm_episodes(f)
    by_day = compute_metrics(f, metrics=["episodes"], by="day")
    monkeypatch.setattr("endolab.cgm.episode_calc._GRID_BLOCK_POINTS", 10)
    split = cgm_episodes(f)
    assert split.table.equals(whole.table) and split.summary.equals(whole.summary)
    assert compute_metrics(f, metrics=["episodes"], by="day").equals(by_day)
    # per 70-min cycle on the grid (readings 2.5 min off it): 100 → 60 gives 80, 60, 60, 80 → only
    # two points < 70, no hypo; 200 → 260 → 150 gives 230, 260, 260, 205 (4 points > 180, two
    # > 250) then 150, 150, 150 → one level-1 hyper episode per cycle, none of level 2
    assert whole.summary["hypo_l1_episodes"].to_list() == [0, 0, 0]
    assert whole.summary["hyper_l1_episodes"].to_list() == [40, 40, 40]
    assert whole.summary["hyper_l2_episodes"].to_list() == [0, 0, 0]


def _r_event_class(x: list[float], below: bool, thr: float, dur_idx: int, end_idx: int) -> list:
    """R iglu's event_class rules, written as a plain loop (an independent check of the
    vectorised code): runs of "level" (g < thr, or g > thr); a level run of ≥ dur_idx points is
    a possible start, a non-level run of ≥ end_idx points a possible end; each start is paired
    with the first end after it (or the segment end), starts sharing an end collapse."""
    lev = [(g < thr) if below else (g > thr) for g in x]
    runs = []
    i = 0
    while i < len(x):
        j = i
        while j < len(x) and lev[j] == lev[i]:
            j += 1
        runs.append((i, j - i, lev[i]))
        i = j
    starts = [s for s, n, v in runs if v and n >= dur_idx]
    ends = [s for s, n, v in runs if not v and n >= end_idx] + [len(x)]
    pairs: dict[int, int] = {}
    for s in starts:
        e = min(e for e in ends if e > s) - 1
        pairs.setdefault(e, s)
    return sorted((s, e) for e, s in pairs.items())


def test_grid_method_equals_a_plain_loop_over_r_rules() -> None:
    import math

    import numpy as np

    from endolab.cgm.kernels.grid import grid_of

    rng = np.random.default_rng(20241121)
    frames = []
    for k in range(12):
        n = 600
        step = rng.choice([5.0, 5.0, 15.0])
        dt_min = step + rng.normal(0, 0.3, n).clip(-1, 1)
        dt_min[rng.random(n) < 0.02] = rng.choice([20.0, 40.0, 50.0, 180.0])  # gaps
        minutes = np.cumsum(dt_min) + rng.uniform(0, 60)
        walk = 140 + np.cumsum(rng.normal(0, 9, n))
        gl = np.clip(walk, 40, 400).round()
        frames.append(_frame(gl.tolist(), minutes.tolist(), sid=f"s{k:02d}"))
    f = pl.concat(frames)
    table, summary = cgm_episodes(f)
    grid = grid_of(f, ["id"])
    for gi in range(grid.n):
        sid = grid.keys["id"][gi]
        x = grid.gl[grid.start[gi] : grid.start[gi + 1]]
        dt0 = int(grid.dt0[gi])
        d, e_ = math.ceil(15 / dt0), math.ceil(15 / dt0)
        ext = math.ceil(120 / dt0 + 1)
        want: dict[str, list[float]] = {}
        l1_excl = 0
        # split into segments of present points
        segs, cur = [], []
        for v in x:
            if np.isnan(v):
                if cur:
                    segs.append(cur)
                cur = []
            else:
                cur.append(float(v))
        if cur:
            segs.append(cur)
        for name, below, thr, dur in [
            ("hypo_l1", True, 70, d), ("hypo_l2", True, 54, d), ("hypo_ext", True, 70, ext),
            ("hyper_l1", False, 180, d), ("hyper_l2", False, 250, d),
        ]:  # fmt: skip
            want[name] = sorted(
                (e - s + 1) * dt0
                for seg in segs
                for s, e in _r_event_class(seg, below, thr, dur, e_)
            )
        for seg in segs:
            for below, t1, t2 in ((True, 70, 54), (False, 180, 250)):
                lv2 = _r_event_class(seg, below, t2, d, e_)
                for s, e in _r_event_class(seg, below, t1, d, e_):
                    l1_excl += not any(s <= s2 <= e for s2, _ in lv2)
        mine = table.filter(pl.col("id") == sid)
        row = summary.filter(pl.col("id") == sid).row(0, named=True)
        for name, durations in want.items():
            kind, level = name.split("_")
            got = sorted(_level(mine, kind, level)["duration_min"].to_list())
            assert got == durations, (sid, name)
        assert row["hypo_l1_excl_episodes"] + row["hyper_l1_excl_episodes"] == l1_excl, sid
