"""Rate of change of glucose and its SD (Clarke W, Kovatchev B. Statistical tools to analyze
continuous glucose monitor data. *Diabetes Technol Ther* 2009;11(Suppl 1):S45–S54,
doi:10.1089/dia.2008.0138).

``ROC(t) = (g(t) − g(t − timelag)) / timelag`` [mg/dL/min] on the interpolated grid, default
``timelag = 15`` min (R iglu 4.3.0 R/roc.R); ``sd_roc`` is its sample SD (ddof = 1) over the grid
points where it exists (R/sd_roc.R). As R iglu, a timelag below dt0 is raised to dt0. The lag in grid
points is ``timelag / dt0`` rounded to a whole number [A] (R's ``diff`` needs an integer lag; with
5-min data 15/5 = 3 exactly).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from endolab.cgm.docstrings import fill_doc
from endolab.cgm.kernels.grid import (
    DEFAULT_INTER_GAP_MIN,
    Grid,
    Intermediates,
    grid_of,
    groups_cached,
)
from endolab.cgm.kernels.groups import US_PER_MIN, FloatArray, IntArray, result_frame, seg_sd
from endolab.errors import InputError

__all__ = ["roc", "sd_roc"]


def _lag(grid: Grid, timelag: float) -> tuple[IntArray, FloatArray]:
    if not np.isfinite(timelag) or timelag <= 0:
        raise InputError(
            f"timelag must be a positive number of minutes, got {timelag}",
            field="timelag",
            value=timelag,
        )
    step = grid.dt0.astype(np.float64)
    tl = np.maximum(float(timelag), step)
    lag = np.where(grid.dt0 > 0, np.round(tl / np.maximum(step, 1)), 0).astype(np.int64)
    return lag, tl


@fill_doc
def sd_roc(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    timelag: float = 15.0,
    dt0: float | None = None,
    inter_gap: float = DEFAULT_INTER_GAP_MIN,
    shared: Intermediates | None = None,
) -> pl.DataFrame:
    """SD of the rate of change per group (Clarke & Kovatchev 2009, doi:10.1089/dia.2008.0138).

    Parameters
    ----------
    %(frame)s
    %(by)s
    timelag
        Interval of the rate of change [min], default 15 (R iglu 4.3.0).
    %(dt0_grid)s
    %(inter_gap)s
    %(shared)s

    Returns
    -------
    ``sd_roc`` [mg/dL/min].
    """
    grid = grid_of(frame, by, dt0=dt0, inter_gap=inter_gap, shared=shared)
    _lag(grid, timelag)  # checks timelag

    def one(sg: Grid) -> dict[str, FloatArray]:
        lag, tl = _lag(sg, timelag)
        rate = (sg.shifted(lag) - sg.gl) / sg.per_point(tl)
        return {"sd_roc": seg_sd(rate, sg.start)}

    return result_frame(grid.keys, grid.map_chunks(one))


@fill_doc
def roc(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    timelag: float = 15.0,
    dt0: float | None = None,
    inter_gap: float = DEFAULT_INTER_GAP_MIN,
    shared: Intermediates | None = None,
) -> pl.DataFrame:
    """Rate of change at every grid point (a series, not a summary; not in the metric table).

    Parameters
    ----------
    %(frame)s
    %(by)s
    timelag
        Interval of the rate of change [min], default 15 (R iglu 4.3.0).
    %(dt0_grid)s
    %(inter_gap)s
    %(shared)s

    Returns
    -------
    The group columns, ``time`` (grid time, naive) and ``roc`` [mg/dL/min] (null where a value is
    missing, including the first ``timelag`` of each group).

    References
    ----------
    Clarke W, Kovatchev B. Statistical tools to analyze continuous glucose monitor data. Diabetes
    Technol Ther 2009;11(Suppl 1):S45–S54, doi:10.1089/dia.2008.0138.
    """
    grid = grid_of(frame, by, dt0=dt0, inter_gap=inter_gap, shared=shared)
    lag, tl = _lag(grid, timelag)
    groups = groups_cached(frame, by, shared)
    g = grid.index
    pos = grid.pos
    k = np.arange(grid.gl.size)
    has = pos >= lag[g]
    prev = np.where(has, k - lag[g], 0)
    rate = np.where(has, (grid.gl - grid.gl[prev]) / tl[g], np.nan)
    first = groups.t_us[groups.start[:-1]] if groups.n else np.zeros(0, dtype=np.int64)
    d0 = (first // (1440 * US_PER_MIN)) * (1440 * US_PER_MIN)
    t = d0[g] + (pos + 1) * grid.dt0[g] * US_PER_MIN
    keys = grid.keys[g.tolist()] if g.size else grid.keys.clear()
    return keys.with_columns(
        pl.Series("time", t).cast(pl.Datetime("us")),
        pl.Series("roc", rate).fill_nan(None),
    )
