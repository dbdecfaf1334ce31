"""CONGA(n): continuous overall net glycaemic action (McDonnell CM, Donath SM, Vidmar SI, Werther
GA, Cameron FJ. A novel approach to continuous glucose analysis utilizing glycemic variation.
*Diabetes Technol Ther* 2005;7(2):253–263, doi:10.1089/dia.2005.7.253).

``CONGA(n) = SD(g(t) − g(t − n hours))`` — the sample SD (ddof = 1) of the differences between
glucose values exactly n hours apart on the interpolated grid (:mod:`endolab.cgm.kernels.grid`),
skipping pairs with a missing end. Default ``n = 24`` h (R iglu 4.3.0 R/conga.R; other tools default
to 1 h, docs/methods/cgm.md §4). The lag in grid points is ``round(60 / dt0) · n`` as in R iglu.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from endolab.cgm.docstrings import fill_doc
from endolab.cgm.kernels.grid import DEFAULT_INTER_GAP_MIN, Grid, Intermediates, grid_of
from endolab.cgm.kernels.groups import FloatArray, result_frame, seg_sd
from endolab.errors import InputError

__all__ = ["conga"]


@fill_doc
def conga(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    n: float = 24,
    dt0: float | None = None,
    inter_gap: float = DEFAULT_INTER_GAP_MIN,
    shared: Intermediates | None = None,
) -> pl.DataFrame:
    """CONGA(n) per group (McDonnell 2005, doi:10.1089/dia.2005.7.253).

    Parameters
    ----------
    %(frame)s
    %(by)s
    n
        Lag [h], default 24 (R iglu 4.3.0).
    %(dt0_grid)s
    %(inter_gap)s
    %(shared)s

    Returns
    -------
    ``conga_<n>`` [mg/dL] (e.g. ``conga_24``).
    """
    if not np.isfinite(n) or n <= 0:
        raise InputError(f"n must be a positive number of hours, got {n}", field="n", value=n)
    grid = grid_of(frame, by, dt0=dt0, inter_gap=inter_gap, shared=shared)
    name = f"conga_{n:g}"

    def one(sg: Grid) -> dict[str, FloatArray]:
        per_hour = np.round(60.0 / np.maximum(sg.dt0, 1)).astype(np.int64)
        lag = np.where(sg.dt0 > 0, np.round(per_hour * n).astype(np.int64), 0)
        return {name: seg_sd(sg.shifted(lag) - sg.gl, sg.start)}

    return result_frame(grid.keys, grid.map_chunks(one))
