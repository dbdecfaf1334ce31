"""MAG: mean absolute glucose change per hour (Hermanides J, Vriesendorp TM, Bosman RJ, et al.
Glucose variability is associated with intensive care unit mortality. *Crit Care Med*
2010;38(3):838–842, doi:10.1097/CCM.0b013e3181cc4be9).

``MAG = Σ |Δg| / (number of differences · n / 60)`` [mg/dL/h], the absolute changes between grid
values ``n`` minutes apart (taking every (n/dt0)-th grid point), pairs with a missing end dropped.
Default ``n = dt0`` — changes at the CGM frequency, R iglu 4.3.0's default since 4.3.0 (R/mag.R;
before 4.3.0 iglu used hourly changes, n = 60; docs/methods/cgm.md §8). As R iglu: ``n < dt0`` is raised to
dt0 and an ``n`` that is not a multiple of dt0 is rounded to the nearest multiple.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from endolab.cgm.docstrings import fill_doc
from endolab.cgm.kernels.grid import DEFAULT_INTER_GAP_MIN, Grid, Intermediates, grid_of
from endolab.cgm.kernels.groups import FloatArray, result_frame, seg_count, seg_sum, shift_within
from endolab.errors import InputError

__all__ = ["mag"]


@fill_doc
def mag(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    n: float | None = None,
    dt0: float | None = None,
    inter_gap: float = DEFAULT_INTER_GAP_MIN,
    shared: Intermediates | None = None,
) -> pl.DataFrame:
    """MAG per group (Hermanides 2010, doi:10.1097/CCM.0b013e3181cc4be9).

    Parameters
    ----------
    %(frame)s
    %(by)s
    n
        Interval between compared values [min]; ``None`` (default, R iglu 4.3.0) = dt0.
    %(dt0_grid)s
    %(inter_gap)s
    %(shared)s

    Returns
    -------
    ``mag`` [mg/dL/h].
    """
    if n is not None and (not np.isfinite(n) or n <= 0):
        raise InputError(f"n must be a positive number of minutes, got {n}", field="n", value=n)
    grid = grid_of(frame, by, dt0=dt0, inter_gap=inter_gap, shared=shared)
    return result_frame(grid.keys, grid.map_chunks(lambda sg: {"mag": _mag(sg, n)}))


def _mag(grid: Grid, n: float | None) -> FloatArray:
    step_min = grid.dt0.astype(np.float64)
    if n is None:
        n_min = step_min.copy()
    else:
        n_r = float(np.round(n))
        n_min = np.where(
            n_r < step_min, step_min, np.round(n_r / np.maximum(step_min, 1)) * step_min
        )
    stride = np.where(grid.dt0 > 0, np.round(n_min / np.maximum(step_min, 1)), 0).astype(np.int64)
    # keep every stride-th grid point of each group, then differences of consecutive kept points
    if np.all(stride[grid.lengths > 0] == 1):
        kv, ks = grid.gl, grid.start
    else:
        sg = np.maximum(grid.per_point(stride), 1)
        keep = (grid.pos % sg) == 0
        kv = grid.gl[keep]
        kept = -(-grid.lengths // np.maximum(stride, 1))
        ks = np.concatenate(([0], np.cumsum(np.where(grid.lengths > 0, kept, 0)))).astype(np.int64)
    d = np.abs(shift_within(kv, ks, 1) - kv)
    total = seg_sum(d, ks)
    count = seg_count(d, ks)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / (count * n_min / 60.0), np.nan)
