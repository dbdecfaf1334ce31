"""Within-day, between-day and time-of-day components of glucose variability (Rodbard D. New and
improved methods to characterize glycemic variability using continuous glucose monitoring.
*Diabetes Technol Ther* 2009;11(9):551–565, doi:10.1089/dia.2009.0015), computed as R iglu 4.3.0
R/sd_measures.R and R/cv_measures.R on the day-by-day matrix of the interpolated grid (rows = days,
columns = times of day; :mod:`endolab.cgm.kernels.grid`). All SDs are sample SDs (ddof = 1) over
present values; a row/column needs ≥ 2 present values for its SD.

======  ====================================================================================
sdw     mean over days of the SD within each day ("vertical", within days)
sdhhmm  SD over times of day of the mean at each time of day (between time points)
sdwsh   mean of the SD within 1-hour windows (``round(60/dt0)`` consecutive grid points, all full
        windows along the flattened grid; R's ``caTools::runsd(endrule = "trim")``)
sddm    SD of the daily means ("horizontal")
sdb     mean over times of day of the SD across days at each time of day
sdbdm   as sdb after subtracting each day's mean (between days, corrected for daily means)
cvmean  mean over days of the daily CV (SD / mean × 100 %)
cvsd    SD over days of the daily CV
======  ====================================================================================

Difference from R iglu [A]: R's ``sd_measures`` builds every subject's grid with the *first*
subject's dt0; we use each group's own dt0 (identical whenever subjects share a sampling interval).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from endolab.cgm.docstrings import fill_doc
from endolab.cgm.kernels.grid import DEFAULT_INTER_GAP_MIN, Grid, Intermediates, grid_of
from endolab.cgm.kernels.groups import FloatArray, IntArray, result_frame, seg_mean, seg_sd

__all__ = ["cv_measures", "sd_measures"]


def _column_stats(m: FloatArray, day_offset: IntArray) -> tuple[FloatArray, FloatArray]:
    """Per group (rows day_offset[g]…day_offset[g+1] of ``m``): mean and SD of each column.

    Returns two (n_groups × columns) arrays; NaN where a column has no / < 2 present values.
    """
    n = day_offset.size - 1
    cols = m.shape[1]
    nonempty = day_offset[1:] > day_offset[:-1]
    mean = np.full((n, cols), np.nan)
    sd = np.full((n, cols), np.nan)
    if not nonempty.any():
        return mean, sd
    idx = day_offset[:-1][nonempty]
    ok = ~np.isnan(m)
    cnt = np.add.reduceat(ok.astype(np.float64), idx, axis=0)
    tot = np.add.reduceat(np.where(ok, m, 0.0), idx, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = np.where(cnt > 0, tot / np.where(cnt > 0, cnt, 1.0), np.nan)
        dev = m - np.repeat(mu, np.diff(day_offset)[nonempty], axis=0)
        ss = np.add.reduceat(np.where(ok, dev * dev, 0.0), idx, axis=0)
        sdv = np.where(cnt > 1, np.sqrt(ss / np.where(cnt > 1, cnt - 1.0, 1.0)), np.nan)
    mean[nonempty] = mu
    sd[nonempty] = sdv
    return mean, sd


def _row_nan_mean(a: FloatArray) -> FloatArray:
    flat = a.ravel()
    return seg_mean(flat, np.arange(0, flat.size + 1, max(a.shape[1], 1), dtype=np.int64))


def _row_nan_sd(a: FloatArray) -> FloatArray:
    flat = a.ravel()
    return seg_sd(flat, np.arange(0, flat.size + 1, max(a.shape[1], 1), dtype=np.int64))


def _by_day_matrix(grid: Grid, row_mean: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """sdhhmm, sdb, sdbdm per group from the day-by-day matrices (grouped by points per day)."""
    n = grid.n
    sdhhmm = np.full(n, np.nan)
    sdb = np.full(n, np.nan)
    sdbdm = np.full(n, np.nan)
    ppd = grid.points_per_day
    for p in np.unique(ppd[grid.ndays > 0]).tolist():
        sel = np.flatnonzero((ppd == p) & (grid.ndays > 0))
        if sel.size == n:
            x = grid.gl
            rm = row_mean
        else:
            x = np.concatenate([grid.gl[grid.start[g] : grid.start[g + 1]] for g in sel])
            rm = np.concatenate(
                [row_mean[grid.day_offset[g] : grid.day_offset[g + 1]] for g in sel]
            )
        m = x.reshape(-1, p)
        day_off = np.concatenate(([0], np.cumsum(grid.ndays[sel]))).astype(np.int64)
        col_mean, col_sd = _column_stats(m, day_off)
        _, col_sd_resid = _column_stats(m - rm[:, None], day_off)
        sdhhmm[sel] = _row_nan_sd(col_mean)
        sdb[sel] = _row_nan_mean(col_sd)
        sdbdm[sel] = _row_nan_mean(col_sd_resid)
    return sdhhmm, sdb, sdbdm


def _sd_within_hour(grid: Grid) -> FloatArray:
    """Mean SD over all full windows of ``round(60/dt0)`` consecutive grid points, per group
    (windows ending past the group are dropped; missing points inside a window are skipped).

    Window sums are direct sums over each window (``sliding_window_view``) of values centred on the
    group mean; a window whose sum of squares is below 1e-12 of its raw second moment is exactly
    flat and gets SD 0, as the two-pass SD gives.
    """
    n = grid.n
    out = np.full(n, np.nan)
    win = np.where(grid.dt0 > 0, np.round(60.0 / np.maximum(grid.dt0, 1)), 0).astype(np.int64)
    x = grid.gl
    if x.size == 0:
        return out
    ok = ~np.isnan(x)
    c = np.where(ok, x - grid.per_point(seg_mean(x, grid.start)), 0.0)
    c2 = c * c
    okf = ok.astype(np.float64)
    for w in np.unique(win[grid.lengths > 0]).tolist():
        if w < 2 or x.size < w:
            continue
        m = x.size
        res = np.full(m, np.nan)
        a1 = np.lib.stride_tricks.sliding_window_view(c, w).sum(axis=1)
        a2 = np.lib.stride_tricks.sliding_window_view(c2, w).sum(axis=1)
        cnt = np.lib.stride_tricks.sliding_window_view(okf, w).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            ss = a2 - a1 * a1 / np.maximum(cnt, 1.0)
            ss = np.where(ss > 1e-12 * a2, ss, 0.0)
            res[: m - w + 1] = np.where(cnt >= 2, np.sqrt(ss / (cnt - 1.0)), np.nan)
        # windows must end inside their own group: drop each group's last w − 1 starts
        ends = grid.start[1:]
        begins = np.maximum(grid.start[:-1], ends - (w - 1))
        bad = ends - begins
        if bad.sum():
            idx = np.repeat(begins, bad) + (
                np.arange(int(bad.sum())) - np.repeat(np.cumsum(bad) - bad, bad)
            )
            res[idx] = np.nan
        means = seg_mean(res, grid.start)
        pick = np.flatnonzero(win == w)
        out[pick] = means[pick]
    return out


@fill_doc
def sd_measures(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    dt0: float | None = None,
    inter_gap: float = DEFAULT_INTER_GAP_MIN,
    shared: Intermediates | None = None,
) -> pl.DataFrame:
    """The six SD components of Rodbard 2009 (doi:10.1089/dia.2009.0015); see module docstring.

    Parameters
    ----------
    %(frame)s
    %(by)s
    %(dt0_grid)s
    %(inter_gap)s
    %(shared)s

    Returns
    -------
    ``sdw``, ``sdhhmm``, ``sdwsh``, ``sddm``, ``sdb``, ``sdbdm`` [mg/dL].
    """
    grid = grid_of(frame, by, dt0=dt0, inter_gap=inter_gap, shared=shared)

    def one(sg: Grid) -> dict[str, FloatArray]:
        rows = sg.row_start
        row_sd = seg_sd(sg.gl, rows)
        row_mean = seg_mean(sg.gl, rows)
        sdhhmm, sdb, sdbdm = _by_day_matrix(sg, row_mean)
        return {
            "sdw": seg_mean(row_sd, sg.day_offset),
            "sdhhmm": sdhhmm,
            "sdwsh": _sd_within_hour(sg),
            "sddm": seg_sd(row_mean, sg.day_offset),
            "sdb": sdb,
            "sdbdm": sdbdm,
        }

    return result_frame(grid.keys, grid.map_chunks(one))


@fill_doc
def cv_measures(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    dt0: float | None = None,
    inter_gap: float = DEFAULT_INTER_GAP_MIN,
    shared: Intermediates | None = None,
) -> pl.DataFrame:
    """Mean and SD over days of the within-day CV (R iglu 4.3.0 R/cv_measures.R; Rodbard 2009).

    Parameters
    ----------
    %(frame)s
    %(by)s
    %(dt0_grid)s
    %(inter_gap)s
    %(shared)s

    Returns
    -------
    ``cvmean``, ``cvsd`` [%].

    References
    ----------
    Rodbard D. New and improved methods to characterize glycemic variability using continuous glucose
    monitoring. Diabetes Technol Ther 2009;11(9):551–565, doi:10.1089/dia.2009.0015.
    """
    grid = grid_of(frame, by, dt0=dt0, inter_gap=inter_gap, shared=shared)

    def one(sg: Grid) -> dict[str, FloatArray]:
        rows = sg.row_start
        with np.errstate(invalid="ignore", divide="ignore"):
            row_cv = seg_sd(sg.gl, rows) / seg_mean(sg.gl, rows) * 100.0
        return {
            "cvmean": seg_mean(row_cv, sg.day_offset),
            "cvsd": seg_sd(row_cv, sg.day_offset),
        }

    return result_frame(grid.keys, grid.map_chunks(one))
