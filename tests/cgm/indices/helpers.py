"""Build small canonical CGM frames for the index tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

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
