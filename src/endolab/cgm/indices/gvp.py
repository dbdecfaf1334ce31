"""GVP: glycaemic variability percentage (Peyser TA, Balo AK, Buckingham BA, Hirsch IB, Garcia A.
Glycemic variability percentage: a novel method for assessing glycemic variability from continuous
glucose monitor data. *Diabetes Technol Ther* 2018;20(1):6–16, doi:10.1089/dia.2017.0187).

The length of the glucose trace relative to a flat line over the same time::

    GVP = (Σ sqrt(Δt² + Δg²) / Σ Δt − 1) · 100 %

over consecutive grid points (Δt = dt0 [min], Δg [mg/dL]) whose both ends are present, on the
interpolated grid (R iglu 4.3.0 R/gvp.r; minutes and mg/dL are mixed on the two axes as in the paper).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from endolab.cgm.indices._common import FloatArray, group_sum, result_frame
from endolab.cgm.indices._grid import DEFAULT_INTER_GAP_MIN, Grid, grid_of

__all__ = ["gvp"]


def gvp_values(grid: Grid) -> FloatArray:
    """GVP [%] of every group of ``grid`` (NaN without a pair of consecutive grid values)."""
    left, right = grid.lagged_pairs(np.where(grid.dt0 > 0, 1, 0).astype(np.int64))
    g = grid.index[left]
    step = grid.dt0[g].astype(np.float64)
    d = grid.gl[right] - grid.gl[left]
    added = group_sum(g, np.sqrt(step * step + d * d), grid.n)
    base = group_sum(g, step, grid.n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(base > 0, (added / np.where(base > 0, base, 1.0) - 1.0) * 100.0, np.nan)


def gvp(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    dt0: float | None = None,
    inter_gap: float = DEFAULT_INTER_GAP_MIN,
) -> pl.DataFrame:
    """GVP per group (Peyser 2018, doi:10.1089/dia.2017.0187).

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
    ``gvp`` [%].
    """
    grid = grid_of(frame, by, dt0=dt0, inter_gap=inter_gap)
    return result_frame(grid.keys, {"gvp": gvp_values(grid)})
