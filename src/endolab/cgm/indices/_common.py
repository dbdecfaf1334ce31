"""Shared plumbing of the index functions: grouping, entry checks and group-wise reductions.

Every index takes a canonical frame (:mod:`endolab.cgm.schema`) and ``by`` (the grouping columns,
default ``("id",)``; a period column such as ``day`` added by the orchestrator may be included) and
returns one row per group: the group columns, then the metric columns. Groups come out sorted by the
``by`` columns. A group whose metric cannot be computed (too few readings, no variation, …) gets a
null value (never an error, never a made-up number).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from endolab.errors import InputError

__all__ = [
    "Groups",
    "group_mean",
    "group_sd",
    "group_sum",
    "groups_of",
    "result_frame",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_REQUIRED: Final[dict[str, type[pl.DataType]]] = {
    "id": pl.String,
    "time": pl.Datetime,
    "gl": pl.Float64,
}

#: Microseconds per minute (canonical ``time`` is ``Datetime("us")``).
US_PER_MIN: Final = 60_000_000
#: Microseconds per day.
US_PER_DAY: Final = 86_400_000_000


@dataclass(frozen=True)
class Groups:
    """A canonical frame split into groups, rows sorted by group then time.

    Attributes
    ----------
    keys
        One row per group with the ``by`` columns, in group order.
    index
        Group number (0 … n_groups − 1) of every reading.
    start
        Offset of each group's first reading; ``start[-1]`` is the number of readings.
    t_us
        Reading times [µs since 1970-01-01, naive wall clock].
    gl
        Glucose [mg/dL].
    """

    keys: pl.DataFrame
    index: IntArray
    start: IntArray
    t_us: IntArray
    gl: FloatArray

    @property
    def n(self) -> int:
        """Number of groups."""
        return int(self.keys.height)

    @property
    def counts(self) -> IntArray:
        """Readings per group."""
        return np.diff(self.start)


def _check(frame: pl.DataFrame, by: Sequence[str]) -> tuple[str, ...]:
    if not isinstance(frame, pl.DataFrame):
        raise InputError(
            f"expected a polars DataFrame (the canonical CGM frame), got {type(frame).__name__}; "
            "pass the output of endolab.cgm.check_frame",
            field="frame",
        )
    by_t = (by,) if isinstance(by, str) else tuple(by)
    if not by_t:
        raise InputError("by must name at least one grouping column, e.g. ('id',)", field="by")
    for name, dtype in _REQUIRED.items():
        if name not in frame.columns:
            raise InputError(
                f"column {name!r} is missing; the canonical CGM frame has id, time, gl [mg/dL], "
                "censored (use endolab.cgm.check_frame)",
                field=name,
            )
        if frame.schema[name].base_type() != dtype:
            raise InputError(
                f"column {name!r} has type {frame.schema[name]}, expected {dtype} "
                "(use endolab.cgm.check_frame)",
                field=name,
            )
    for col in by_t:
        if col not in frame.columns:
            raise InputError(
                f"grouping column {col!r} is not in the frame (columns: {', '.join(frame.columns)})",
                field="by",
                value=col,
            )
        if col in ("time", "gl"):
            raise InputError(
                f"cannot group by {col!r}; group by id and/or a period column",
                field="by",
                value=col,
            )
    return by_t


def groups_of(frame: pl.DataFrame, by: Sequence[str]) -> Groups:
    """Split ``frame`` into groups of ``by`` (sorted by group, then time).

    >>> import datetime as dt
    >>> f = pl.DataFrame({"id": ["b", "a", "a"],
    ...                   "time": [dt.datetime(2024, 1, 1, 0, m) for m in (0, 5, 0)],
    ...                   "gl": [100.0, 120.0, 110.0]})
    >>> g = groups_of(f, ["id"])
    >>> g.keys["id"].to_list(), g.gl.tolist(), g.start.tolist()
    (['a', 'b'], [110.0, 120.0, 100.0], [0, 2, 3])
    """
    by_t = _check(frame, by)
    data = frame.select([*by_t, "time", "gl"])
    if data.height and not _is_sorted(data, by_t):
        data = data.sort([*by_t, "time"], maintain_order=True)
    if data.height == 0:
        keys = data.select(by_t).clear()
        empty_i: IntArray = np.zeros(0, dtype=np.int64)
        return Groups(
            keys,
            empty_i,
            np.zeros(1, dtype=np.int64),
            empty_i,
            np.zeros(0, dtype=np.float64),
        )
    gid = data.select(pl.struct(by_t).rle_id().alias("g"))["g"].to_numpy().astype(np.int64)
    change = np.flatnonzero(np.diff(gid)) + 1
    start = np.concatenate(([0], change, [data.height])).astype(np.int64)
    keys = data.select(by_t)[start[:-1].tolist()]
    t_us = data["time"].dt.cast_time_unit("us").to_physical().to_numpy().astype(np.int64)
    gl = data["gl"].to_numpy().astype(np.float64)
    return Groups(keys, gid, start, t_us, gl)


def _is_sorted(data: pl.DataFrame, by: tuple[str, ...]) -> bool:
    """True when rows are sorted by ``by`` then time (cheap check, no sort)."""
    cols = [*by, "time"]
    if len(cols) == 2 and data.schema[cols[0]] == pl.String:
        ok = data.select(
            (
                (pl.col(cols[0]) > pl.col(cols[0]).shift(1))
                | (
                    (pl.col(cols[0]) == pl.col(cols[0]).shift(1))
                    & (pl.col("time") >= pl.col("time").shift(1))
                )
            )
            .fill_null(True)
            .all()
        ).item()
        return bool(ok)
    sorted_frame = data.select(cols).sort(cols, maintain_order=True)
    return bool(sorted_frame.equals(data.select(cols)))


def group_sum(index: IntArray, values: FloatArray, n: int) -> FloatArray:
    """Sum of ``values`` per group, NaN values skipped (0 for an empty group)."""
    ok = ~np.isnan(values)
    return np.bincount(index[ok], weights=values[ok], minlength=n).astype(np.float64)


def group_count(index: IntArray, values: FloatArray, n: int) -> FloatArray:
    """Number of non-NaN ``values`` per group."""
    ok = ~np.isnan(values)
    return np.bincount(index[ok], minlength=n).astype(np.float64)


def group_mean(index: IntArray, values: FloatArray, n: int) -> FloatArray:
    """Mean of non-NaN ``values`` per group (NaN for a group without values)."""
    s = group_sum(index, values, n)
    c = group_count(index, values, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(c > 0, s / np.where(c > 0, c, 1.0), np.nan)


def group_sd(index: IntArray, values: FloatArray, n: int) -> FloatArray:
    """Sample standard deviation (ddof = 1) of non-NaN ``values`` per group; NaN below 2 values.

    Two-pass (deviations from the group mean) for accuracy, as R's ``sd``.
    """
    ok = ~np.isnan(values)
    idx = index[ok]
    v = values[ok]
    c = np.bincount(idx, minlength=n).astype(np.float64)
    s = np.bincount(idx, weights=v, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = s / np.where(c > 0, c, 1.0)
        d = v - m[idx]
        ss = np.bincount(idx, weights=d * d, minlength=n)
        return np.where(c > 1, np.sqrt(ss / np.where(c > 1, c - 1.0, 1.0)), np.nan)


def result_frame(keys: pl.DataFrame, columns: dict[str, FloatArray]) -> pl.DataFrame:
    """Group columns + metric columns (Float64; NaN becomes null)."""
    out = keys.clone()
    for name, values in columns.items():
        out = out.with_columns(pl.Series(name, np.asarray(values, dtype=np.float64)))
    return out.with_columns(pl.col(list(columns)).fill_nan(None))


def day_runs(groups: Groups) -> tuple[IntArray, IntArray]:
    """Calendar-day blocks of every group: ``(starts, group)``.

    ``starts`` are reading offsets where a new (group, wall-clock date) begins, with the total
    number of readings appended; ``group`` is the group of each block.
    """
    day = np.floor_divide(groups.t_us, US_PER_DAY)
    new = np.ones(groups.gl.size, dtype=bool)
    if groups.gl.size > 1:
        new[1:] = (day[1:] != day[:-1]) | (groups.index[1:] != groups.index[:-1])
    starts = np.flatnonzero(new).astype(np.int64)
    return np.concatenate((starts, [groups.gl.size])).astype(np.int64), groups.index[starts]
