"""Shared tests over every metric of REGISTRY (cf. sklearn metrics/tests/test_common.py):
row-order invariance, per-subject grouping equals single-subject results, grouping by a period
column, mg/dL-only input, empty and degenerate groups, and only EndolabError for bad input."""

from __future__ import annotations

import datetime as dt
import inspect
import warnings

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from endolab.cgm.indices import REGISTRY, compute_indices
from endolab.cgm.kernels.grid import Intermediates
from endolab.errors import EndolabError, EndolabWarning, InputError
from endolab.units import convert
from tests.cgm.indices.helpers import frame_of, stack

NAMES = list(REGISTRY)


def _trace(seed: int, n: int = 2 * 288 + 40, step: float = 5.0) -> list[float]:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    base = 140 + 60 * np.sin(2 * np.pi * t / (4 * 60 / step)) + rng.normal(0, 8, n)
    return list(np.clip(np.round(base), 40, 400))


def _cohort() -> pl.DataFrame:
    a = frame_of(_trace(1), id_="a")
    # subject b has a 3-hour hole and a different start time of day
    b_vals = _trace(2)
    b_times = [
        dt.datetime(2024, 3, 5, 7, 2) + dt.timedelta(minutes=5 * k) for k in range(len(b_vals))
    ]
    keep = [k for k in range(len(b_vals)) if not 100 <= k < 136]
    b = frame_of([b_vals[k] for k in keep], id_="b", times=[b_times[k] for k in keep])
    c = frame_of(_trace(3, n=300, step=15), id_="c", step_min=15)
    return stack(a, b, c)


def _assert_same(x: pl.DataFrame, y: pl.DataFrame) -> None:
    assert x.columns == y.columns
    assert x.height == y.height
    for col in x.columns:
        if x.schema[col] == pl.Float64:
            np.testing.assert_allclose(
                x[col].to_numpy().astype(float),
                y[col].to_numpy().astype(float),
                rtol=1e-9,
                atol=1e-9,
            )
        else:
            assert x[col].to_list() == y[col].to_list()


@pytest.mark.parametrize("name", NAMES)
def test_signature_and_columns(name: str) -> None:
    fn = REGISTRY[name]
    params = inspect.signature(fn).parameters
    assert list(params)[:2] == ["frame", "by"]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in list(params.values())[1:])
    assert "unit" not in params  # glucose is always mg/dL in the canonical frame
    assert params["shared"].default is None  # intermediates are passed explicitly, never global
    # shared parameter text comes from endolab.cgm.docstrings.docdict, filled in
    assert fn.__doc__ is not None and "%(" not in fn.__doc__
    assert "Canonical CGM frame (:func:`endolab.cgm.check_frame`)" in fn.__doc__
    out = fn(_cohort())
    assert out.columns[0] == "id" and out.height == 3
    assert out["id"].to_list() == ["a", "b", "c"]
    assert all(out.schema[c] == pl.Float64 for c in out.columns[1:])


@pytest.mark.parametrize("name", NAMES)
def test_row_order_invariance(name: str) -> None:
    frame = _cohort()
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=7)
    _assert_same(REGISTRY[name](frame), REGISTRY[name](shuffled))


@pytest.mark.parametrize("name", NAMES)
def test_grouping_equals_single_subject(name: str) -> None:
    frame = _cohort()
    together = REGISTRY[name](frame)
    for sid in ("a", "b", "c"):
        alone = REGISTRY[name](frame.filter(pl.col("id") == sid))
        _assert_same(together.filter(pl.col("id") == sid), alone)


@pytest.mark.parametrize("name", NAMES)
def test_grouping_by_a_period_column(name: str) -> None:
    frame = _cohort().with_columns(
        pl.when(pl.col("time").dt.hour() < 12)
        .then(pl.lit("am"))
        .otherwise(pl.lit("pm"))
        .alias("half")
    )
    both = REGISTRY[name](frame, by=("id", "half"))
    assert both.columns[:2] == ["id", "half"]
    for (sid, half), sub in frame.group_by(["id", "half"]):
        alone = REGISTRY[name](sub.sort("id", "time"), by=("id", "half"))
        _assert_same(both.filter((pl.col("id") == sid) & (pl.col("half") == half)), alone)


@pytest.mark.parametrize("name", NAMES)
def test_mmol_input_converted_first_gives_the_same_numbers(name: str) -> None:
    frame = _cohort()
    mmol = frame.with_columns(pl.col("gl") / 18.0)
    back = mmol.with_columns(
        pl.Series("gl", convert(mmol["gl"].to_numpy(), "mmol/L", "mg/dL", quantity="glucose"))
    )
    _assert_same(REGISTRY[name](frame), REGISTRY[name](back))


@pytest.mark.parametrize("name", NAMES)
def test_empty_frame_and_single_reading(name: str) -> None:
    empty = _cohort().clear()
    out = REGISTRY[name](empty)
    assert out.height == 0 and out.columns[0] == "id"
    one = REGISTRY[name](frame_of([120.0]))
    assert one.height == 1  # a value or null, never an error


@pytest.mark.parametrize("name", NAMES)
def test_missing_column_is_an_input_error(name: str) -> None:
    with pytest.raises(InputError, match="column 'gl' is missing"):
        REGISTRY[name](_cohort().drop("gl"))


def test_compute_indices_joins_and_chunks() -> None:
    frame = _cohort()
    whole = compute_indices(frame)
    chunked = compute_indices(frame, chunk_readings=1)
    _assert_same(whole, chunked)
    shared = Intermediates(frame)
    separate = [REGISTRY[n](frame, shared=shared) for n in NAMES]
    for part, name in zip(separate, NAMES, strict=True):
        _assert_same(part, REGISTRY[name](frame))  # the same values without shared grids
    cols = [c for part in separate for c in part.columns[1:]]
    assert whole.columns == ["id", *cols]
    with pytest.raises(InputError, match="unknown metric"):
        compute_indices(frame, names=["mage", "nope"])


@st.composite
def _frames(draw: st.DrawFn) -> pl.DataFrame:
    n_ids = draw(st.integers(1, 3))
    parts = []
    for i in range(n_ids):
        n = draw(st.integers(1, 60))
        gaps = draw(st.lists(st.integers(1, 200), min_size=n, max_size=n))
        gl = draw(st.lists(st.floats(39, 401, allow_nan=False), min_size=n, max_size=n))
        t0 = dt.datetime(2024, 1, 1) + dt.timedelta(minutes=draw(st.integers(0, 3000)))
        times, t = [], t0
        for g in gaps:
            times.append(t)
            t += dt.timedelta(minutes=g)
        parts.append(frame_of(gl, id_=f"s{i}", times=times))
    return stack(*parts)


@given(_frames())
def test_random_frames_only_endolab_errors(frame: pl.DataFrame) -> None:
    for name in NAMES:
        with warnings.catch_warnings():
            # sparse random groups are reported with an EndolabWarning (grid metrics left empty)
            warnings.simplefilter("ignore", EndolabWarning)
            try:
                out = REGISTRY[name](frame)
            except EndolabError:
                continue
        assert out.height == frame["id"].n_unique()
