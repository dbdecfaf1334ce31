"""Groups of readings and group-wise reductions: the numpy kernels under the indices and episodes.

Every index takes a canonical frame (:mod:`endolab.cgm.schema`) and ``by`` (the grouping columns,
default ``("id",)``; a period column such as ``day`` added by the orchestrator may be included) and
returns one row per group: the group columns, then the metric columns. Groups come out sorted by the
``by`` columns. A group whose metric cannot be computed (too few readings, no variation, …) gets a
null value (never an error, never a made-up number).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from endolab.cgm.kernels.chunks import CHUNK_POINTS, map_blocks
from endolab.cgm.schema import CANONICAL_SCHEMA, CUTOFFS, MMOL_COLUMN
from endolab.errors import InputError

__all__ = [
    "US_PER_DAY",
    "US_PER_MIN",
    "BoolArray",
    "FloatArray",
    "Groups",
    "IntArray",
    "check_grouping",
    "cutoffs_for",
    "day_runs",
    "group_count",
    "group_mean",
    "group_sd",
    "group_sum",
    "groups_of",
    "is_sorted_by",
    "percent_where",
    "result_frame",
    "seg_count",
    "seg_mean",
    "seg_sd",
    "seg_sum",
    "shift_within",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: The canonical columns every index needs (``censored`` is optional for them).
_REQUIRED: Final = ("id", "time", "gl")

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
    mmol
        Per reading, whether it was measured in mmol/L (the frame's ``mmol_l`` column); ``None``
        when every reading was measured in mg/dL.
    """

    keys: pl.DataFrame
    start: IntArray
    t_us: IntArray
    gl: FloatArray
    mmol: BoolArray | None = None

    def cut(self, name: str) -> float | FloatArray:
        """The consensus cut-off ``name`` (:class:`~endolab.cgm.schema.Cutoffs`) in mg/dL for each
        reading, in the unit it was measured in (a number when the unit is the same for all)."""
        return cutoffs_for(name, self.mmol)

    @cached_property
    def index(self) -> IntArray:
        """Group number of every reading."""
        return np.repeat(np.arange(self.n, dtype=np.int64), np.diff(self.start))

    @property
    def n(self) -> int:
        """Number of groups."""
        return int(self.keys.height)

    @property
    def counts(self) -> IntArray:
        """Readings per group."""
        return np.diff(self.start)

    def sub(self, g0: int, g1: int) -> Groups:
        """Groups g0 … g1 − 1 on their own (array views)."""
        lo, hi = int(self.start[g0]), int(self.start[g1])
        return Groups(
            self.keys.slice(g0, g1 - g0),
            self.start[g0 : g1 + 1] - lo,
            self.t_us[lo:hi],
            self.gl[lo:hi],
            None if self.mmol is None else self.mmol[lo:hi],
        )

    def map_chunks(
        self, fn: Callable[[Groups], dict[str, FloatArray]], max_points: int = CHUNK_POINTS
    ) -> dict[str, FloatArray]:
        """Apply ``fn`` to blocks of whole groups of about ``max_points`` readings and concatenate
        its per-group arrays."""
        return map_blocks(self.start, lambda g0, g1: fn(self.sub(g0, g1)), max_points)


def check_grouping(frame: pl.DataFrame, by: Sequence[str]) -> tuple[str, ...]:
    """The ``by`` columns as a tuple, after checking that ``frame`` has the columns of
    :data:`~endolab.cgm.schema.CANONICAL_SCHEMA` that the kernels read (``id``, ``time``, ``gl``;
    base dtypes) and the group columns."""
    if not isinstance(frame, pl.DataFrame):
        raise InputError(
            f"expected a polars DataFrame (the canonical CGM frame), got {type(frame).__name__}; "
            "pass the output of endolab.cgm.check_frame",
            field="frame",
        )
    by_t = (by,) if isinstance(by, str) else tuple(by)
    if not by_t:
        raise InputError("by must name at least one grouping column, e.g. ('id',)", field="by")
    for name in _REQUIRED:
        dtype = CANONICAL_SCHEMA[name].base_type()
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
    by_t = check_grouping(frame, by)
    unit = [MMOL_COLUMN] if MMOL_COLUMN in frame.columns else []
    data = frame.select([*by_t, "time", "gl", *unit])
    if data.height and not is_sorted_by(data, by_t):
        data = data.sort([*by_t, "time"], maintain_order=True)
    if data.height == 0:
        keys = data.select(by_t).clear()
        return Groups(
            keys,
            np.zeros(1, dtype=np.int64),
            np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=np.float64),
        )
    key_expr = pl.col(by_t[0]) if len(by_t) == 1 else pl.struct(by_t)
    change = (
        data.select((key_expr != key_expr.shift(1)).fill_null(False).arg_true().alias("c"))["c"]
        .to_numpy()
        .astype(np.int64)
    )
    start = np.concatenate(([0], change, [data.height])).astype(np.int64)
    keys = data.select(by_t)[start[:-1].tolist()]
    t_us = np.asarray(data["time"].dt.cast_time_unit("us").to_physical().to_numpy(), dtype=np.int64)
    gl = np.asarray(data["gl"].to_numpy(), dtype=np.float64)
    mmol = None
    if unit:
        flags = data.get_column(MMOL_COLUMN).fill_null(False)
        mmol = np.asarray(flags.to_numpy(), dtype=bool) if flags.any() else None
    return Groups(keys, start, t_us, gl, mmol)


def cutoffs_for(name: str, mmol: BoolArray | None) -> float | FloatArray:
    """The consensus cut-off ``name`` in mg/dL for readings flagged ``mmol`` (measured in mmol/L)
    or not: a number when no reading (or every reading) is flagged, else one value per reading.

    >>> cutoffs_for("tight_high", None), cutoffs_for("tight_high", np.array([True, False])).tolist()
    (140.0, [140.4, 140.0])
    """
    mg = float(getattr(CUTOFFS["mg/dL"], name))
    if mmol is None or not mmol.any():
        return mg
    mm = float(getattr(CUTOFFS["mmol/L"], name))
    if mmol.all():
        return mm
    return np.where(mmol, mm, mg)


def is_sorted_by(data: pl.DataFrame, by: tuple[str, ...]) -> bool:
    """True when rows are sorted by ``by`` then time (cheap check, no sort)."""
    if len(by) == 1:
        key = pl.col(by[0])
        ok = data.select(
            (
                (key > key.shift(1))
                | ((key == key.shift(1)) & (pl.col("time") >= pl.col("time").shift(1)))
            )
            .fill_null(True)
            .all()
        ).item()
        return bool(ok)
    cols = [*by, "time"]
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


def percent_where(g: Groups, mask: npt.NDArray[np.bool_]) -> FloatArray:
    """Percentage of each group's readings where ``mask`` holds [%] (NaN for an empty group)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(100.0 * seg_sum(mask.astype(np.float64), g.start) / g.counts)


def day_runs(groups: Groups) -> tuple[IntArray, IntArray]:
    """Calendar-day blocks of every group: ``(starts, group)``.

    ``starts`` are reading offsets where a new (group, wall-clock date) begins, with the total
    number of readings appended; ``group`` is the group of each block.
    """
    day = np.floor_divide(groups.t_us, US_PER_DAY)
    new = np.ones(groups.gl.size, dtype=bool)
    if groups.gl.size > 1:
        new[1:] = day[1:] != day[:-1]
    new[groups.start[:-1][groups.counts > 0]] = True
    starts = np.flatnonzero(new).astype(np.int64)
    return np.concatenate((starts, [groups.gl.size])).astype(np.int64), groups.index[starts]


# ---------------------------------------------------------------- contiguous-segment reductions
# Readings (and grid points) of one group are contiguous, so per-group reductions are
# ``np.add.reduceat`` over the group offsets: faster than bincount and without an index array.


def seg_sum(x: FloatArray, start: IntArray) -> FloatArray:
    """Sum of the non-NaN values of each contiguous segment ``x[start[i]:start[i+1]]`` (0 if none).

    ``start[-1]`` must equal ``len(x)``.

    >>> seg_sum(np.array([1.0, np.nan, 2.0, 5.0]), np.array([0, 3, 3, 4])).tolist()
    [3.0, 0.0, 5.0]
    """
    n = start.size - 1
    out = np.zeros(n)
    nonempty = start[1:] > start[:-1]
    if x.size and nonempty.any():
        out[nonempty] = np.add.reduceat(np.where(np.isnan(x), 0.0, x), start[:-1][nonempty])
    return out


def seg_count(x: FloatArray, start: IntArray) -> FloatArray:
    """Number of non-NaN values of each contiguous segment."""
    n = start.size - 1
    out = np.zeros(n)
    nonempty = start[1:] > start[:-1]
    if x.size and nonempty.any():
        out[nonempty] = np.add.reduceat((~np.isnan(x)).astype(np.float64), start[:-1][nonempty])
    return out


def seg_mean(x: FloatArray, start: IntArray) -> FloatArray:
    """Mean of the non-NaN values of each segment (NaN when it has none)."""
    s = seg_sum(x, start)
    c = seg_count(x, start)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(c > 0, s / np.where(c > 0, c, 1.0), np.nan)


def seg_sd(x: FloatArray, start: IntArray) -> FloatArray:
    """Sample SD (ddof = 1, two-pass) of the non-NaN values of each segment; NaN below 2 values."""
    c = seg_count(x, start)
    m = seg_mean(x, start)
    dev = x - np.repeat(m, np.diff(start))
    ss = seg_sum(dev * dev, start)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(c > 1, np.sqrt(ss / np.where(c > 1, c - 1.0, 1.0)), np.nan)


def shift_within(x: FloatArray, start: IntArray, lag: int) -> FloatArray:
    """``y[k] = x[k + lag]`` when ``k + lag`` is in the same segment as ``k``, else NaN.

    R's ``diff(x, lag)`` on each segment is then ``shift_within(x, start, lag) − x``.

    >>> shift_within(np.array([1.0, 2.0, 3.0, 10.0, 20.0]), np.array([0, 3, 5]), 1).tolist()
    [2.0, 3.0, nan, 20.0, nan]
    """
    n = x.size
    out = np.full(n, np.nan)
    if lag <= 0 or n == 0:
        if lag == 0:
            out[:] = x
        return out
    if lag < n:
        out[: n - lag] = x[lag:]
    # the last `lag` positions of every segment look past its end
    ends = start[1:]
    begins = np.maximum(start[:-1], ends - lag)
    lens = ends - begins
    if lens.sum():
        idx = np.repeat(ends - lens, lens) + (
            np.arange(int(lens.sum())) - np.repeat(np.cumsum(lens) - lens, lens)
        )
        out[idx] = np.nan
    return out
