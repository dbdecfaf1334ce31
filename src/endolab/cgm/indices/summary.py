"""Polars aggregations per group on the indices' groupings (:func:`group_agg`, used by MAD).

The order statistics of glucose (median, quantiles, min, max, range, IQR; R iglu 4.3.0's
``median_glu`` … ``summary_glu``) are computed once, by :mod:`endolab.cgm.metrics`
(``median_glucose``, ``quantile_glucose``, ``summary_glucose`` …; entries of
:data:`endolab.cgm.registry.REGISTRY`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from endolab.cgm.kernels.grid import Intermediates, groups_cached
from endolab.cgm.kernels.groups import FloatArray, Groups, result_frame

__all__ = ["group_agg"]


def group_agg(
    frame: pl.DataFrame,
    by: Sequence[str],
    exprs: list[pl.Expr],
    shared: Intermediates | None = None,
) -> pl.DataFrame:
    """Polars aggregations per group, a block of groups at a time; one row per group."""
    g = groups_cached(frame, by, shared)
    names = [e.meta.output_name() for e in exprs]

    def one(sg: Groups) -> dict[str, FloatArray]:
        data = pl.DataFrame({"_g": sg.index, "gl": sg.gl})
        agg = data.group_by("_g").agg(exprs).sort("_g")
        out = {n: np.full(sg.n, np.nan) for n in names}
        idx = agg["_g"].to_numpy()
        for n in names:
            out[n][idx] = agg[n].cast(pl.Float64).to_numpy()
        return out

    return result_frame(g.keys, g.map_chunks(one))
