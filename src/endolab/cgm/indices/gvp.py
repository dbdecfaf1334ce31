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

from endolab.cgm.docstrings import fill_doc
from endolab.cgm.kernels.grid import DEFAULT_INTER_GAP_MIN, Grid, Intermediates, grid_of
from endolab.cgm.kernels.groups import FloatArray, result_frame, seg_count, seg_sum

__all__ = ["gvp", "gvp_per_group", "gvp_values"]


def gvp_values(grid: Grid) -> FloatArray:
    """GVP [%] of every group of ``grid`` (NaN without a pair of consecutive grid values).

    References
    ----------
    Peyser TA et al. Glycemic variability percentage: a novel method for assessing glycemic
    variability from continuous glucose monitor data. Diabetes Technol Ther 2018;20(1):6–16,
    doi:10.1089/dia.2017.0187.
    """
    return grid.map_chunks(lambda sg: {"gvp": gvp_per_group(sg)})["gvp"]


def gvp_per_group(grid: Grid) -> FloatArray:
    """GVP [%] of every group of ``grid`` in one pass (see the module docstring; NaN without a pair
    of consecutive grid values). :func:`gvp_values` runs it block by block."""
    d = grid.shifted(np.ones(grid.n, dtype=np.int64)) - grid.gl
    steps = np.unique(grid.dt0[grid.lengths > 0])
    step: float | np.ndarray = (
        float(steps[0]) if steps.size == 1 else grid.per_point(grid.dt0.astype(np.float64))
    )
    added = seg_sum(np.sqrt(step * step + d * d), grid.start)
    base = seg_count(d, grid.start) * grid.dt0
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(base > 0, (added / np.where(base > 0, base, 1.0) - 1.0) * 100.0, np.nan)


@fill_doc
def gvp(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    dt0: float | None = None,
    inter_gap: float = DEFAULT_INTER_GAP_MIN,
    shared: Intermediates | None = None,
) -> pl.DataFrame:
    """GVP per group (Peyser 2018, doi:10.1089/dia.2017.0187).

    Parameters
    ----------
    %(frame)s
    %(by)s
    %(dt0_grid)s
    %(inter_gap)s
    %(shared)s

    Returns
    -------
    ``gvp`` [%].
    """
    grid = grid_of(frame, by, dt0=dt0, inter_gap=inter_gap, shared=shared)
    return result_frame(grid.keys, {"gvp": gvp_values(grid)})
