"""MODD: mean of daily differences (Service FJ, Nelson RL. Characteristics of glycemic stability.
*Diabetes Care* 1980;3(1):58–62, doi:10.2337/diacare.3.1.58; Molnar GD, Taylor WF, Ho MM. Day-to-day
variation of continuously monitored glycaemia. *Diabetologia* 1972;8:342–348,
doi:10.1007/BF01218495).

``MODD = mean |g(t) − g(t − lag days)|`` over grid points at the same time of day ``lag`` days
apart (R iglu 4.3.0 R/modd.R: ``diff`` of the day-by-day matrix by ``lag`` rows), pairs with a
missing end skipped. Default ``lag = 1`` day.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from endolab.cgm.docstrings import fill_doc
from endolab.cgm.kernels.grid import DEFAULT_INTER_GAP_MIN, Grid, Intermediates, grid_of
from endolab.cgm.kernels.groups import FloatArray, result_frame, seg_mean
from endolab.errors import InputError

__all__ = ["modd"]


@fill_doc
def modd(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    lag: int = 1,
    dt0: float | None = None,
    inter_gap: float = DEFAULT_INTER_GAP_MIN,
    shared: Intermediates | None = None,
) -> pl.DataFrame:
    """MODD per group (Service & Nelson 1980, doi:10.2337/diacare.3.1.58).

    Parameters
    ----------
    %(frame)s
    %(by)s
    lag
        Days between compared values [days], default 1 (R iglu 4.3.0).
    %(dt0_grid)s
    %(inter_gap)s
    %(shared)s

    Returns
    -------
    ``modd`` [mg/dL].
    """
    if int(lag) != lag or lag < 1:
        raise InputError(
            f"lag must be a whole number of days ≥ 1, got {lag}", field="lag", value=lag
        )
    grid = grid_of(frame, by, dt0=dt0, inter_gap=inter_gap, shared=shared)

    def one(sg: Grid) -> dict[str, FloatArray]:
        d = np.abs(sg.shifted(sg.points_per_day * int(lag)) - sg.gl)
        return {"modd": seg_mean(d, sg.start)}

    return result_frame(grid.keys, grid.map_chunks(one))
