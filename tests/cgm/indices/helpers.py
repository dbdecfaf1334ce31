"""Build small canonical CGM frames for the index tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import polars as pl

T0 = dt.datetime(2024, 1, 1, 0, 5)  # 00:05 = the first point of R iglu's grid on that day


def frame_of(
    values: Sequence[float],
    *,
    id_: str = "a",
    start: dt.datetime = T0,
    step_min: float = 5.0,
    times: Sequence[dt.datetime] | None = None,
) -> pl.DataFrame:
    """One subject's canonical frame: readings every ``step_min`` minutes from ``start``."""
    ts = (
        list(times)
        if times is not None
        else [start + dt.timedelta(minutes=step_min * k) for k in range(len(values))]
    )
    return pl.DataFrame(
        {
            "id": pl.Series([id_] * len(values), dtype=pl.String),
            "time": pl.Series(ts, dtype=pl.Datetime("us")),
            "gl": pl.Series([float(v) for v in values], dtype=pl.Float64),
            "censored": pl.Series([0] * len(values), dtype=pl.Int8),
        }
    )


def stack(*frames: pl.DataFrame) -> pl.DataFrame:
    """Concatenate subjects and sort as the canonical frame is sorted."""
    return pl.concat(frames).sort("id", "time")


def value(result: pl.DataFrame, column: str, id_: str = "a") -> float | None:
    """The metric ``column`` of subject ``id_``."""
    row = result.filter(pl.col("id") == id_)
    assert row.height == 1, row
    v = row[column][0]
    return None if v is None else float(v)


def _trace(seed: int, n: int = 2 * 288 + 40, step: float = 5.0) -> list[float]:
    """A seeded glucose trace [mg/dL]: a 4-hour sine around 140 with noise, clipped to 40–400."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    base = 140 + 60 * np.sin(2 * np.pi * t / (4 * 60 / step)) + rng.normal(0, 8, n)
    return list(np.clip(np.round(base), 40, 400))


def cohort() -> pl.DataFrame:
    """Three subjects for the common tests: a (2 days, 5 min), b (a 3-hour hole, another start
    time of day), c (15-min readings)."""
    a = frame_of(_trace(1), id_="a")
    b_vals = _trace(2)
    b_times = [
        dt.datetime(2024, 3, 5, 7, 2) + dt.timedelta(minutes=5 * k) for k in range(len(b_vals))
    ]
    keep = [k for k in range(len(b_vals)) if not 100 <= k < 136]
    b = frame_of([b_vals[k] for k in keep], id_="b", times=[b_times[k] for k in keep])
    c = frame_of(_trace(3, n=300, step=15), id_="c", step_min=15)
    return stack(a, b, c)


def assert_same(x: pl.DataFrame, y: pl.DataFrame) -> None:
    """Same columns, rows and values (floats to 1e-9)."""
    assert x.columns == y.columns
    assert x.height == y.height
    for col in x.columns:
        if x.schema[col] == pl.Float64:
            np.testing.assert_allclose(
                x[col].to_numpy().astype(float),
                y[col].to_numpy().astype(float),
                rtol=1e-9,
                atol=1e-9,
                err_msg=col,
            )
        else:
            assert x[col].to_list() == y[col].to_list(), col
