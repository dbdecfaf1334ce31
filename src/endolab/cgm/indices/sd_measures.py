"""Within-day, between-day and time-of-day components of glucose variability (Rodbard D. New and
improved methods to characterize glycemic variability using continuous glucose monitoring.
*Diabetes Technol Ther* 2009;11(9):551–565, doi:10.1089/dia.2009.0015), computed as R iglu 4.3.0
R/sd_measures.R and R/cv_measures.R on the day-by-day matrix of the interpolated grid (rows = days,
columns = times of day; :mod:`endolab.cgm.indices._grid`). All SDs are sample SDs (ddof = 1) over
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

from endolab.cgm.indices._common import FloatArray, IntArray, group_mean, group_sd, result_frame
from endolab.cgm.indices._grid import DEFAULT_INTER_GAP_MIN, Grid, grid_of

__all__ = ["cv_measures", "sd_measures"]


def _rows_cols(grid: Grid) -> tuple[IntArray, IntArray, IntArray, IntArray, int, int]:
    ppd = grid.points_per_day
    g = grid.index
    pos = grid.pos
    ppd_k = np.maximum(ppd[g], 1)
    day_offset = np.concatenate(([0], np.cumsum(grid.ndays))).astype(np.int64)
    col_offset = np.concatenate(([0], np.cumsum(ppd))).astype(np.int64)
    row = day_offset[g] + pos // ppd_k
    col = col_offset[g] + pos % ppd_k
    row_group = np.repeat(np.arange(grid.n, dtype=np.int64), grid.ndays)
    col_group = np.repeat(np.arange(grid.n, dtype=np.int64), ppd)
    return row, col, row_group, col_group, int(day_offset[-1]), int(col_offset[-1])


def _sd_within_hour(grid: Grid) -> FloatArray:
    """Mean SD over all full windows of ``round(60/dt0)`` consecutive grid points, per group."""
    out = np.full(grid.n, np.nan)
    for gi in range(grid.n):
        if grid.dt0[gi] <= 0:
            continue
        w = int(np.round(60.0 / grid.dt0[gi]))
        x = grid.gl[grid.start[gi] : grid.start[gi + 1]]
        if w < 2 or x.size < w:
            continue
        ok = ~np.isnan(x)
        if not ok.any():
            continue
        c = np.where(ok, x - np.mean(x[ok]), 0.0)
        s1 = np.concatenate(([0.0], np.cumsum(c)))
        s2 = np.concatenate(([0.0], np.cumsum(c * c)))
        cnt = np.concatenate(([0], np.cumsum(ok)))
        n = (cnt[w:] - cnt[:-w]).astype(np.float64)
        sw1 = s1[w:] - s1[:-w]
        sw2 = s2[w:] - s2[:-w]
        with np.errstate(invalid="ignore", divide="ignore"):
            ss = np.maximum(sw2 - sw1 * sw1 / n, 0.0)
            sd = np.where(n >= 2, np.sqrt(ss / (n - 1.0)), np.nan)
        if np.any(~np.isnan(sd)):
            out[gi] = float(np.nanmean(sd))
    return out


def sd_measures(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    dt0: float | None = None,
    inter_gap: float = DEFAULT_INTER_GAP_MIN,
) -> pl.DataFrame:
    """The six SD components of Rodbard 2009 (doi:10.1089/dia.2009.0015); see module docstring.

    Parameters
    ----------
    frame
        Canonical CGM frame, ``gl`` [mg/dL].
    by
        Grouping columns.
    dt0
        Grid step [min]; ``None`` (default, R iglu) = the rounded median interval per group.
    inter_gap
        Longest gap between readings interpolated over [min]; default 45 (R iglu 4.3.0).

    Returns
    -------
    ``sdw``, ``sdhhmm``, ``sdwsh``, ``sddm``, ``sdb``, ``sdbdm`` [mg/dL].
    """
    grid = grid_of(frame, by, dt0=dt0, inter_gap=inter_gap)
    row, col, row_group, col_group, n_rows, n_cols = _rows_cols(grid)
    x = grid.gl
    row_sd = group_sd(row, x, n_rows)
    row_mean = group_mean(row, x, n_rows)
    col_sd = group_sd(col, x, n_cols)
    col_mean = group_mean(col, x, n_cols)
    resid = x - row_mean[row] if x.size else x
    col_sd_resid = group_sd(col, resid, n_cols)
    out = {
        "sdw": group_mean(row_group, row_sd, grid.n),
        "sdhhmm": group_sd(col_group, col_mean, grid.n),
        "sdwsh": _sd_within_hour(grid),
        "sddm": group_sd(row_group, row_mean, grid.n),
        "sdb": group_mean(col_group, col_sd, grid.n),
        "sdbdm": group_mean(col_group, col_sd_resid, grid.n),
    }
    return result_frame(grid.keys, out)


def cv_measures(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    dt0: float | None = None,
    inter_gap: float = DEFAULT_INTER_GAP_MIN,
) -> pl.DataFrame:
    """Mean and SD over days of the within-day CV (R iglu 4.3.0 R/cv_measures.R; Rodbard 2009).

    Parameters
    ----------
    frame
        Canonical CGM frame, ``gl`` [mg/dL].
    by
        Grouping columns.
    dt0
        Grid step [min]; ``None`` (default, R iglu) = the rounded median interval per group.
    inter_gap
        Longest gap between readings interpolated over [min]; default 45 (R iglu 4.3.0).

    Returns
    -------
    ``cvmean``, ``cvsd`` [%].
    """
    grid = grid_of(frame, by, dt0=dt0, inter_gap=inter_gap)
    row, _col, row_group, _cg, n_rows, _nc = _rows_cols(grid)
    row_sd = group_sd(row, grid.gl, n_rows)
    row_mean = group_mean(row, grid.gl, n_rows)
    with np.errstate(invalid="ignore", divide="ignore"):
        row_cv = row_sd / row_mean * 100.0
    return result_frame(
        grid.keys,
        {
            "cvmean": group_mean(row_group, row_cv, grid.n),
            "cvsd": group_sd(row_group, row_cv, grid.n),
        },
    )
