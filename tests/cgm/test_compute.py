"""compute_metrics on bad input: each case gives a correct (hand-computed) result with a stated
warning, or a clear EndolabError; and a property test that nothing else can escape."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from endolab.cgm import check_frame, compute_metrics, episodes
from endolab.cgm import metrics as m
from endolab.cgm.frame import TimeOrderError
from endolab.cgm.schema import CANONICAL_SCHEMA
from endolab.errors import EndolabError, EndolabWarning, InputError

T0 = dt.datetime(2024, 6, 1, 0, 0)


def _raw(gl: list[float], minutes: list[float], sid: str = "a") -> pl.DataFrame:
    return pl.DataFrame(
        {"id": [sid] * len(gl), "time": [T0 + dt.timedelta(minutes=x) for x in minutes], "gl": gl}
    )


def test_one_reading_gives_values_and_a_warning() -> None:
    f = check_frame(_raw([120.0], [0]))
    with pytest.warns(EndolabWarning, match="single reading"):
        r = compute_metrics(f).row(0, named=True)
    assert r["mean"] == 120.0
    assert r["tir_70_180"] == 100.0
    assert r["sd"] is None and r["active_percent"] is None
    assert r["sufficient_2019"] is None


def test_six_hour_gap() -> None:
    # 5-min readings 00:00–01:00 (13), then 07:00–08:00 (13): one 360-min gap
    # dt0 = 5; span = 480 min → theoretical = 480/5 + 1 = 97; missing = (360 − 5)/5 = 71
    # active = 100 × (97 − 71)/97 = 26.804 %
    minutes = [5.0 * i for i in range(13)] + [420 + 5.0 * i for i in range(13)]
    f = check_frame(_raw([100.0] * 26, minutes))
    r = compute_metrics(f).row(0, named=True)
    assert r["active_percent"] == pytest.approx(2600 / 97)
    assert r["longest_gap_min"] == 360.0
    # a hypo run across the gap is split: 55 at 00:50, 00:55, 01:00 | gap | 55 at 07:00, 07:05
    gl = [100.0] * 10 + [55.0] * 3 + [55.0] * 2 + [100.0] * 11
    table, _ = episodes(check_frame(_raw(gl, minutes)))
    hypo = table.filter(pl.col("level") == "l1")
    # first: 3 readings = 15 min → episode ending at 01:05 (gap); second: 2 readings = 10 min → none
    assert hypo.height == 1 and hypo["ended_by"][0] == "gap"


def test_canonical_frame_out_of_order_is_fixed_with_a_warning() -> None:
    good = check_frame(_raw([100.0, 200.0, 300.0], [0, 5, 10]))
    shuffled = good[[2, 0, 1]]
    assert shuffled.schema == CANONICAL_SCHEMA
    with pytest.warns(EndolabWarning, match="backwards"):
        r = compute_metrics(shuffled)
    assert r["mean"][0] == 200.0
    assert r["active_percent"][0] == 100.0
    with pytest.raises(TimeOrderError, match="check_frame"):
        m.active_percent(shuffled)


def test_duplicate_in_canonical_frame() -> None:
    dup = pl.concat([check_frame(_raw([100.0, 200.0], [0, 5])), check_frame(_raw([150.0], [5]))])
    with pytest.warns(EndolabWarning, match="duplicate"):
        r = compute_metrics(dup)
    assert r["mean"][0] == 150.0  # (100 + 200)/2: the first reading at 00:05 is kept


def test_spring_forward_gap_in_active_percent() -> None:
    # UTC 00:00–02:00 every 5 min = Europe/Berlin 01:00–01:55 CET then 03:00–04:00 CEST.
    # Wall clock: 12 readings, a 65-min step, 13 readings; span 180 min → theoretical 37;
    # missing = round((65 − 5)/5) = 12 → active = 100 × 25/37 = 67.568 %
    times = pd.date_range("2024-03-31 00:00", periods=25, freq="5min", tz="UTC").tz_convert(
        "Europe/Berlin"
    )
    raw = pd.DataFrame({"id": "a", "time": times, "gl": 100.0})
    with pytest.warns(EndolabWarning, match="DST"):
        f = check_frame(raw)
    r = compute_metrics(f).row(0, named=True)
    assert r["active_percent"] == pytest.approx(2500 / 37)


def test_empty_frame_error() -> None:
    with pytest.raises(InputError, match="empty"):
        compute_metrics(pl.DataFrame(schema=CANONICAL_SCHEMA))


def test_almost_canonical_frame_is_accepted_without_copying_work() -> None:
    raw = _raw([100.0, 110.0], [0, 5]).with_columns(pl.lit("x").alias("note"))
    r = compute_metrics(raw)
    assert r["mean"][0] == 105.0


# --- property test: random frames ---------------------------------------------------------------

_gl = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.integers(min_value=-10, max_value=2000).map(float),
    st.sampled_from([float("nan"), 0.0, 39.0, 401.0, 5.5, 35.9, 36.0]),
)


@st.composite
def _frames(draw: st.DrawFn) -> pl.DataFrame:
    n = draw(st.integers(min_value=0, max_value=30))
    ids = draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=n, max_size=n))
    minutes = draw(st.lists(st.integers(min_value=-100, max_value=3000), min_size=n, max_size=n))
    gl = draw(st.lists(_gl, min_size=n, max_size=n))
    as_text = draw(st.booleans())
    times: list[object] = [T0 + dt.timedelta(minutes=x) for x in minutes]
    time_text = draw(st.booleans())
    if time_text:
        junk = st.sampled_from(
            ["", "abc", "2024-13-01 00:00", "01/02/2024", "2024-01-01T00:00:00Z"]
        )
        times = [draw(junk) if draw(st.integers(0, 9)) == 0 else str(t) for t in times]
    frame = pl.DataFrame(
        {
            "id": ids,
            "time": times,
            "gl": [("High" if math.isinf(g) and g > 0 else str(g)) for g in gl] if as_text else gl,
        },
        schema={
            "id": pl.String,
            "time": pl.String if time_text else pl.Datetime("us"),
            "gl": pl.String if as_text else pl.Float64,
        },
    )
    return frame


@given(_frames(), st.sampled_from([None, "day", "week"]), st.sampled_from(["core", "full"]))
def test_random_frames_only_endolab_errors(frame: pl.DataFrame, by: str | None, which: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EndolabWarning)
        try:
            checked = check_frame(frame)
            result = compute_metrics(checked, metrics=which, by=by)
            _table, summary = episodes(checked)
        except EndolabError:
            return
    assert result.height >= 1
    assert set(result["id"].to_list()) == set(checked["id"].to_list())
    for col in ("tir_70_180", "tbr_54", "tar_250"):
        values = result[col].drop_nulls()
        assert ((values >= 0) & (values <= 100)).all()
    assert summary.height == checked["id"].n_unique()


# --- the full set shares R iglu's grid between episodes and indices -----------------------------


def _cohort_with_gaps() -> pl.DataFrame:
    """Six subjects, 2–3 days each: 5-min data (one with a 15-min sensor), random gaps of 10 min to
    3 h (some longer than inter_gap = 45 min), glucose swinging 45–320 mg/dL so every episode level
    occurs, and one subject that never leaves 70–180 (no episodes)."""
    import numpy as np

    rng = np.random.default_rng(20261121)
    ids, times, gls = [], [], []
    for k, (step, days) in enumerate([(5, 3), (5, 2), (15, 3), (5, 3), (5, 2), (5, 2)]):
        n = days * 1440 // step
        minutes = np.arange(n) * step + int(rng.integers(0, 300)) / 60
        keep = np.ones(n, dtype=bool)
        for s in rng.integers(0, n, 6):
            keep[s : s + int(rng.integers(2, 37 if step == 5 else 13))] = False
        phase = rng.uniform(0, 2 * np.pi)
        gl = 180 + 135 * np.sin(2 * np.pi * minutes / 700 + phase) + rng.normal(0, 8, n)
        if k == 5:
            gl = 120 + 20 * np.sin(2 * np.pi * minutes / 300)
        gl = np.clip(np.round(gl), 40, 400)
        ids += [f"s{k}"] * int(keep.sum())
        times += [T0 + dt.timedelta(minutes=float(x)) for x in minutes[keep]]
        gls += gl[keep].tolist()
    return check_frame(pl.DataFrame({"id": ids, "time": times, "gl": gls}))


@pytest.mark.parametrize("chunk_readings", [None, 700])
def test_full_set_shares_the_grid_and_keeps_every_value(
    monkeypatch: pytest.MonkeyPatch, chunk_readings: int | None
) -> None:
    # compute_metrics(metrics="full") runs episodes and indices chunk by chunk in one
    # Intermediates per chunk; its columns must equal separate episodes() / compute_indices()
    # calls exactly, and R iglu's grid (dt0 = None) must be built once per chunk, not twice
    import endolab.cgm.indices as ix
    from endolab.cgm.kernels import chunks
    from endolab.cgm.kernels import grid as _grid

    frame = _cohort_with_gaps()
    names = list(ix.REGISTRY)
    chunk = chunks.CHUNK_READINGS if chunk_readings is None else chunk_readings
    n_chunks = len(ix.chunks_of(frame, ("id",), chunk))
    # at most 700 readings per chunk: every subject (≥ 700 readings) is a chunk of its own
    assert n_chunks == (1 if chunk_readings is None else frame["id"].n_unique())
    assert n_chunks > 1 or chunk_readings is None

    builds: list[float | None] = []
    original = _grid.build_grid

    def counting(*args: object, **kwargs: object) -> _grid.Grid:
        builds.append(kwargs.get("dt0"))  # type: ignore[arg-type]
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_grid, "build_grid", counting)
    monkeypatch.setattr(chunks, "CHUNK_READINGS", chunk)
    full = compute_metrics(frame, metrics="full")
    assert builds.count(None) == n_chunks  # one grid per chunk, shared

    summary = episodes(frame).summary
    indices = ix.compute_indices(frame, names=names, chunk_readings=chunk)
    episode_cols = [c for c in summary.columns if c != "id"]
    index_cols = [c for c in indices.columns if c != "id"]
    assert full.select("id", *episode_cols).equals(summary)
    assert full.select("id", *index_cols).equals(indices)
    # the data exercise what matters: every level occurs, one subject has none, a gap splits
    assert all(summary[f"{lv}_episodes"].sum() > 0 for lv in ("hypo_l1", "hypo_l2", "hyper_l2"))
    assert summary.filter(pl.col("id") == "s5")["hyper_l1_episodes"].item() == 0
    assert episodes(frame).table["ended_by"].is_in(["gap"]).any()


def test_core_set_does_not_depend_on_the_inputs_chunk_layout() -> None:
    # a Parquet file arrives in row groups (chunks) that may split a subject: the core set must
    # not change in the last bit with the layout (polars' std of a run spanning two chunks does)
    rng = np.random.default_rng(3)
    parts = []
    for k in range(5):
        n = 2000 + 37 * k
        parts.append(
            pl.DataFrame(
                {
                    "id": [f"s{k}"] * n,
                    "time": [T0 + dt.timedelta(minutes=5 * i + k) for i in range(n)],
                    "gl": np.round(rng.normal(150, 50, n).clip(40, 400), 1),
                    "censored": pl.Series([0] * n, dtype=pl.Int8),
                }
            )
        )
    whole = pl.concat(parts, rechunk=True)
    cuts = [0, 777, 2500, 4100, 6000, 9000, whole.height]
    pieces = pl.concat([whole.slice(a, b - a) for a, b in itertools.pairwise(cuts)], rechunk=False)
    assert pieces.n_chunks() == 6 and whole.n_chunks() == 1
    assert compute_metrics(pieces, metrics="core").equals(compute_metrics(whole, metrics="core"))


def test_check_frame_leaves_a_canonical_frame_as_it_is() -> None:
    # the fast path: a frame already canonical is returned without a copy, censored added in the
    # chunks of the other columns (a column chunked otherwise makes polars copy the frame)
    frame = pl.concat(
        [
            pl.DataFrame(
                {"id": ["a"] * 3, "time": [T0 + dt.timedelta(minutes=5 * i) for i in range(3)]}
            ).with_columns(pl.Series("gl", [100.0, 110.0, 120.0])),
            pl.DataFrame(
                {"id": ["b"] * 2, "time": [T0 + dt.timedelta(minutes=5 * i) for i in range(2)]}
            ).with_columns(pl.Series("gl", [90.0, 95.0])),
        ],
        rechunk=False,
    ).with_columns(pl.col("time").cast(pl.Datetime("us")))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = check_frame(frame)
    assert out.schema == CANONICAL_SCHEMA
    assert out["censored"].to_list() == [0] * 5
    assert out["censored"].chunk_lengths() == out["gl"].chunk_lengths() == [3, 2]
    assert out.drop("censored").equals(frame)
    # the same data through the full path (glucose as text) give the same frame
    slow = check_frame(frame.with_columns(pl.col("gl").cast(pl.String)))
    assert slow.equals(out)


def test_partitions_of_whole_subjects_combine_to_the_same_table() -> None:
    # the seam for distributed runs (issue 10): a pure per-partition step and a final combine
    # (period joins, unit conversion, column order), notices returned as data, not warned
    from endolab.cgm.compute import combine, compute_partition
    from endolab.cgm.periods import add_periods

    frame = _cohort_with_gaps()
    one = check_frame(
        pl.DataFrame({"id": ["z"], "time": [T0], "gl": [120.0]})
    )  # a subject with one reading: the combined table's own notice
    frame = pl.concat([frame, one]).sort("id", "time")
    for by, metrics in ((None, "full"), ("week", "core")):
        plan = add_periods(frame, by=by)
        ids = frame["id"].unique().sort().to_list()
        halves = [ids[:3], ids[3:]]
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # nothing is warned by the two steps
            parts = [
                compute_partition(
                    plan.frame.filter(pl.col("id").is_in(h)),
                    plan.keys,
                    metrics=metrics,
                    period_minutes=plan.period_minutes,
                )
                for h in halves
            ]
            combined = combine(parts, plan.keys, expected=plan.expected, unit_out="mmol/L")
        with pytest.warns(EndolabWarning, match="single reading"):
            direct = compute_metrics(frame, metrics=metrics, by=by, unit_out="mmol/L")
        # equal up to floating-point rounding (polars' group std and arithmetic can differ in the
        # last bit with the number of rows a query sees)
        assert_frame_equal(combined.table, direct, check_exact=False, rel_tol=1e-12, abs_tol=0)
        assert any("single reading" in note for note in combined.warnings)
