"""The regular time grid that CONGA, MODD, MAG, GVP, ROC, AUC, the SD/CV subtypes, MAGE and the
PGS episode counts are computed on — R iglu 4.3.0's ``CGMS2DayByDay`` convention, for every group
at once (vectorised, no loop over readings).

Convention (R iglu 4.3.0, R/utils.R ``CGMS2DayByDay``; reproduced because acceptance compares
against R iglu, docs/methods/cgm.md §6.2 — iglu-python's ``set_iglu_r_compatible(True)`` copies it too):

* grid step ``dt0`` [min] = the median interval between readings, rounded (half to even, as R's
  ``round``), unless given; an error when it exceeds ``inter_gap``. If 1440 is not a multiple of it,
  steps above 20 min become 20 and smaller ones are rounded to a multiple of 5 min;
* ``ndays = ceiling(span_days + 1)`` where ``span_days = (last − first reading) [days]``;
* grid points at ``midnight(first reading) + k·dt0`` for ``k = 1 … ndays·1440/dt0`` — the grid
  starts at 00:00 + dt0, not 00:00 (one of the "grid quirks" of docs/methods/cgm.md §6.2) [A: R parity];
* glucose linearly interpolated between the two readings around each grid point; grid points
  before the first or after the last reading, and grid points strictly inside a gap between
  consecutive readings longer than ``inter_gap`` [min] (default 45), are missing (NaN);
* the grid read row-wise is one row per calendar day (``ndays`` × ``1440/dt0`` matrix ``gd2d``).

Times are naive wall clock; calendar days are the wall-clock days of the frame (docs/methods/cgm.md §8 and
data/README: the validation treats the wall clock as UTC on both sides).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final, TypeVar

import numpy as np
import polars as pl

from endolab.cgm.kernels.chunks import CHUNK_POINTS, group_blocks, map_blocks
from endolab.cgm.kernels.groups import (
    US_PER_DAY,
    US_PER_MIN,
    BoolArray,
    FloatArray,
    Groups,
    IntArray,
    groups_of,
    shift_within,
)
from endolab.errors import InputError
from endolab.notices import Notice, emit

__all__ = [
    "DEFAULT_INTER_GAP_MIN",
    "Grid",
    "Intermediates",
    "build_grid",
    "grid_of",
    "groups_cached",
]

#: Longest gap between readings that is interpolated over [min]. R iglu 4.3.0 default
#: ``inter_gap = 45`` (docs/methods/cgm.md §2).
DEFAULT_INTER_GAP_MIN: Final = 45.0

_T = TypeVar("_T")


class Intermediates:
    """The groupings and interpolated grids of ONE frame, built on first use and kept for the
    next index computed on it: pass the same object as ``shared=`` to several index functions
    (and :func:`endolab.cgm.episodes`) on that frame to build each grid once.
    :func:`endolab.cgm.indices.compute_indices` and the full set of
    :func:`endolab.cgm.compute_metrics` make one per chunk. Nothing is cached anywhere else: no
    process-wide state, so partitions (threads, processes, Dask) never share by accident.

    Attributes
    ----------
    frame
        The frame whose intermediates these are; a function given another frame ignores them.
    """

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame
        self._store: dict[tuple[Any, ...], Any] = {}

    def get(self, kind: str, params: tuple[Any, ...], build: Callable[[], _T]) -> _T:
        """``build()`` the first time (``kind``, ``params``) is asked for, the kept value after."""
        key = (kind, params)
        if key not in self._store:
            self._store[key] = build()
        return self._store[key]  # type: ignore[no-any-return]


def cached(
    kind: str,
    frame: pl.DataFrame,
    params: tuple[Any, ...],
    build: Callable[[], _T],
    shared: Intermediates | None,
) -> _T:
    """``build()`` through ``shared`` when it holds ``frame``'s intermediates, else directly."""
    if shared is None or shared.frame is not frame:
        return build()
    return shared.get(kind, params, build)


def groups_cached(
    frame: pl.DataFrame, by: Sequence[str], shared: Intermediates | None = None
) -> Groups:
    """:func:`groups_of`, kept in ``shared`` (see :class:`Intermediates`)."""
    by_t = (by,) if isinstance(by, str) else tuple(by)
    return cached("groups", frame, by_t, lambda: groups_of(frame, by_t), shared)


@dataclass(frozen=True)
class Grid:
    """Interpolated glucose on R iglu's day-by-day grid, all groups concatenated.

    Attributes
    ----------
    keys
        One row per group (the ``by`` columns).
    dt0
        Grid step per group [min] (0 for a group with fewer than 2 readings: no grid).
    ndays
        Number of grid days (matrix rows) per group.
    start
        Offset of each group's first grid point in :attr:`gl` (length n_groups + 1).
    gl
        Interpolated glucose [mg/dL]; NaN where missing.
    mmol
        Per group, whether its readings were measured in mmol/L (all of them; see
        :class:`~endolab.cgm.kernels.groups.Groups`); ``None`` when no group was.
    """

    keys: pl.DataFrame
    dt0: IntArray
    ndays: IntArray
    start: IntArray
    gl: FloatArray
    mmol: BoolArray | None = None

    @property
    def n(self) -> int:
        """Number of groups."""
        return int(self.keys.height)

    @property
    def points_per_day(self) -> IntArray:
        """Grid points per day (1440 / dt0) per group (0 without a grid)."""
        return np.where(self.dt0 > 0, 1440 // np.maximum(self.dt0, 1), 0).astype(np.int64)

    @property
    def lengths(self) -> IntArray:
        """Grid points per group."""
        return np.diff(self.start)

    def sub(self, g0: int, g1: int) -> Grid:
        """Groups g0 … g1 − 1 as a grid of their own (array views, no copy of the values)."""
        lo, hi = int(self.start[g0]), int(self.start[g1])
        return Grid(
            keys=self.keys.slice(g0, g1 - g0),
            dt0=self.dt0[g0:g1],
            ndays=self.ndays[g0:g1],
            start=self.start[g0 : g1 + 1] - lo,
            gl=self.gl[lo:hi],
            mmol=None if self.mmol is None else self.mmol[g0:g1],
        )

    def map_chunks(
        self, fn: Callable[[Grid], dict[str, FloatArray]], max_points: int = CHUNK_POINTS
    ) -> dict[str, FloatArray]:
        """Apply ``fn`` to consecutive blocks of whole groups of about ``max_points`` grid points
        and concatenate its per-group arrays (small temporaries; the values do not change)."""
        return map_blocks(self.start, lambda g0, g1: fn(self.sub(g0, g1)), max_points)

    @cached_property
    def index(self) -> IntArray:
        """Group number of every grid point."""
        return np.repeat(np.arange(self.n, dtype=np.int64), self.lengths)

    @cached_property
    def pos(self) -> IntArray:
        """Position of every grid point within its group (0-based)."""
        return np.arange(self.gl.size, dtype=np.int64) - np.repeat(self.start[:-1], self.lengths)

    def per_point(self, values: np.ndarray) -> np.ndarray:
        """Broadcast one value per group to every grid point."""
        return np.repeat(values, self.lengths)

    def shifted(self, lag: IntArray) -> FloatArray:
        """``y[k] = gl[k + lag_g]`` inside group g (NaN past its end): R's ``diff(x, lag)`` is
        ``shifted(lag) − gl`` on the row-wise flattened grid (``as.vector(t(gd2d))``)."""
        lags = np.unique(lag[self.lengths > 0])
        if lags.size == 0:
            return np.full(self.gl.size, np.nan)
        if lags.size == 1:
            return shift_within(self.gl, self.start, int(lags[0]))
        out = np.full(self.gl.size, np.nan)
        per = self.per_point(lag)
        for L in lags.tolist():
            mask = per == L
            out[mask] = shift_within(self.gl, self.start, int(L))[mask]
        return out

    @cached_property
    def row_start(self) -> IntArray:
        """Offsets of every grid day (matrix row) of every group, then the total length."""
        ppd = self.points_per_day
        rows = int(self.ndays.sum())
        day_off = np.repeat(np.cumsum(self.ndays) - self.ndays, self.ndays)
        r = np.arange(rows, dtype=np.int64) - day_off
        starts = np.repeat(self.start[:-1], self.ndays) + r * np.repeat(ppd, self.ndays)
        return np.concatenate((starts, [self.gl.size])).astype(np.int64)

    @property
    def day_offset(self) -> IntArray:
        """Offsets of each group's first day in :attr:`row_start` (length n_groups + 1)."""
        return np.concatenate(([0], np.cumsum(self.ndays))).astype(np.int64)


def _grid_step(
    groups: Groups, dt0: float | None, inter_gap: float, *, check: bool = True
) -> IntArray:
    """R iglu's dt0 per group [min] (0 when a group has fewer than 2 readings)."""
    n = groups.n
    counts = groups.counts
    step = np.zeros(n, dtype=np.int64)
    if dt0 is not None:
        if not np.isfinite(dt0) or dt0 <= 0:
            raise InputError(
                f"dt0 must be a positive number of minutes, got {dt0}", field="dt0", value=dt0
            )
        raw = np.full(n, float(dt0))
    else:
        diffs = np.diff(groups.t_us).astype(np.float64) / US_PER_MIN
        # the interval that starts a group belongs to no group: drop it
        first = groups.start[1:-1] - 1
        keep = np.ones(diffs.size, dtype=bool)
        keep[first[(first >= 0) & (first < diffs.size)]] = False
        lens = np.maximum(counts - 1, 0)
        med = (
            pl.DataFrame({"g": np.repeat(np.arange(n, dtype=np.int64), lens), "d": diffs[keep]})
            .group_by("g")
            .agg(pl.col("d").median())
        )
        raw = np.full(n, np.nan)
        raw[med["g"].to_numpy()] = med["d"].to_numpy()
        raw = np.round(raw)  # half to even, as R's round()
    has = (counts >= 2) & np.isfinite(raw)
    if dt0 is not None and check and float(dt0) > inter_gap:
        raise InputError(
            f"dt0 = {dt0:g} min exceeds inter_gap = {inter_gap:g} min, the longest gap the grid "
            "interpolates over; pass a larger inter_gap",
            field="dt0",
            value=dt0,
        )
    skipped: list[int] = []
    for g in np.flatnonzero(has).tolist():
        d = float(raw[g])
        if not check:
            step[g] = int(d) if d >= 1 else 0
            continue
        if d > inter_gap or d < 1:
            skipped.append(g)  # R iglu stops here; we leave this group without a grid
            continue
        di = int(d)
        if 1440 % di != 0:
            if di > 20:
                di = 20
            else:
                rem = di % 5
                di = di + 5 - rem if rem > 2 else di - rem
        step[g] = di
    if skipped:
        names = "; ".join(
            ", ".join(f"{c}={groups.keys[c][g]}" for c in groups.keys.columns) for g in skipped[:3]
        )
        more = f" and {len(skipped) - 3} more" if len(skipped) > 3 else ""
        emit(
            Notice(
                "W_CGM_GRID_INTERVAL",
                "W",
                f"{len(skipped)} group(s) ({names}{more}) have a median sampling interval outside "
                f"1–{inter_gap:g} min (inter_gap); their grid-based indices (CONGA, MODD, MAG, GVP, "
                "SD of ROC, AUC, SD/CV subtypes, MAGE, PGS, episode counts) are left empty",
            ),
            stacklevel=3,
        )
    return step


def build_grid(
    groups: Groups,
    *,
    dt0: float | None = None,
    inter_gap: float = 45.0,
    step: IntArray | None = None,
) -> Grid:
    """Interpolate every group onto R iglu's ``CGMS2DayByDay`` grid (see module docstring).

    Parameters
    ----------
    groups
        Readings split by group (:func:`endolab.cgm.kernels.groups.groups_of`).
    dt0
        Grid step [min]; ``None`` (default, R iglu) = rounded median interval per group.
    inter_gap
        Longest gap interpolated over [min] (R iglu default 45).
    """
    if not np.isfinite(inter_gap) or inter_gap <= 0:
        raise InputError(
            f"inter_gap must be a positive number of minutes, got {inter_gap}",
            field="inter_gap",
            value=inter_gap,
        )
    n = groups.n
    if step is None:
        step = _grid_step(groups, dt0, inter_gap)
    first = groups.t_us[groups.start[:-1]] if n else np.zeros(0, dtype=np.int64)
    last = groups.t_us[groups.start[1:] - 1] if n else np.zeros(0, dtype=np.int64)
    span = last - first
    ndays = np.where(step > 0, -(-span // US_PER_DAY) + 1, 0).astype(np.int64)
    d0 = (first // US_PER_DAY) * US_PER_DAY
    npts = np.where(step > 0, ndays * (1440 // np.maximum(step, 1)), 0).astype(np.int64)
    counts = groups.counts
    start = np.concatenate(([0], np.cumsum(npts))).astype(np.int64)
    out = np.full(int(start[-1]), np.nan)
    gap_us = inter_gap * US_PER_MIN

    # process groups in chunks so the temporaries stay small
    for g0, g1 in group_blocks(start, CHUNK_POINTS):
        lo, hi = int(start[g0]), int(start[g1])
        if hi > lo:
            gi = np.repeat(np.arange(g0, g1, dtype=np.int64), npts[g0:g1])
            pos = np.arange(lo, hi, dtype=np.int64) - start[gi]
            grid_t = d0[gi] + (pos + 1) * step[gi] * US_PER_MIN
            o_lo, o_hi = int(groups.start[g0]), int(groups.start[g1])
            ot = groups.t_us[o_lo:o_hi]
            og = np.repeat(np.arange(g0, g1, dtype=np.int64), counts[g0:g1])
            ov = groups.gl[o_lo:o_hi]
            stride = int(np.max(ndays[g0:g1])) * US_PER_DAY + 2 * US_PER_DAY
            okey = (og - g0) * stride + (ot - d0[og])
            gkey = (gi - g0) * stride + (grid_t - d0[gi])
            r = np.searchsorted(okey, gkey, side="left")
            m = okey.size
            rc = np.minimum(r, m - 1)
            lc = np.maximum(r - 1, 0)
            exact = (r < m) & (okey[rc] == gkey)
            inside = (r > 0) & (r < m) & (og[lc] == gi) & (og[rc] == gi)
            dt_lr = (ot[rc] - ot[lc]).astype(np.float64)
            bridged = inside & (dt_lr <= gap_us)
            with np.errstate(invalid="ignore", divide="ignore"):
                w = (grid_t - ot[lc]).astype(np.float64) / np.where(dt_lr > 0, dt_lr, 1.0)
                val = ov[lc] + (ov[rc] - ov[lc]) * w
            res = np.where(bridged, val, np.nan)
            res = np.where(exact, ov[rc], res)
            out[lo:hi] = res
    mmol = None
    if groups.mmol is not None:
        # a group counts as measured in mmol/L when all its readings were [A]
        per_group = np.logical_and.reduceat(groups.mmol, groups.start[:-1]) if groups.n else None
        mmol = per_group if per_group is not None and per_group.any() else None
    return Grid(keys=groups.keys, dt0=step, ndays=ndays, start=start, gl=out, mmol=mmol)


def grid_of(
    frame: pl.DataFrame,
    by: Sequence[str],
    *,
    dt0: float | None = None,
    inter_gap: float = DEFAULT_INTER_GAP_MIN,
    shared: Intermediates | None = None,
) -> Grid:
    """The grid of ``frame`` grouped by ``by`` (kept in ``shared``, see :class:`Intermediates`).

    A fixed ``dt0`` that equals every group's own grid step gives the same grid as ``dt0=None``,
    so that grid is reused (MAGE's 5-min grid on 5-min data).
    """
    by_t = (by,) if isinstance(by, str) else tuple(by)
    ig = float(inter_gap)
    if shared is not None and shared.frame is not frame:
        shared = None

    def auto_steps() -> IntArray:
        g = groups_cached(frame, by_t, shared)
        return _grid_step(g, None, ig, check=False)

    if dt0 is not None and shared is not None:
        steps = cached("steps", frame, (by_t, ig), auto_steps, shared)
        has = groups_cached(frame, by_t, shared).counts >= 2
        if np.all(steps[has] == dt0):
            try:
                return grid_of(frame, by_t, dt0=None, inter_gap=ig, shared=shared)
            except InputError:
                pass
    return cached(
        "grid",
        frame,
        (by_t, dt0, ig),
        lambda: build_grid(groups_cached(frame, by_t, shared), dt0=dt0, inter_gap=ig),
        shared,
    )
