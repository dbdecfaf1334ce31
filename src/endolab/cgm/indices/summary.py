"""Order statistics of glucose: median, quartiles, minimum, maximum, range, IQR.

Quantiles are R's default type 7 (linear interpolation between order statistics; Hyndman RJ, Fan Y.
Sample quantiles in statistical packages. *Am Stat* 1996;50(4):361–365, doi:10.2307/2684934), as R
iglu 4.3.0's ``median_glu``, ``quantile_glu``, ``iqr_glu``, ``range_glu`` and ``summary_glu``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from endolab.cgm.docstrings import fill_doc
from endolab.cgm.kernels.grid import Intermediates, groups_cached
from endolab.cgm.kernels.groups import FloatArray, Groups, result_frame
from endolab.errors import InputError

__all__ = ["group_agg", "quantile_glu", "summary_glu"]


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


@fill_doc
def summary_glu(
    frame: pl.DataFrame, *, by: Sequence[str] = ("id",), shared: Intermediates | None = None
) -> pl.DataFrame:
    """Minimum, quartiles (type 7), maximum, range and IQR of glucose per group.

    Parameters
    ----------
    %(frame)s
    %(by)s
    %(shared)s

    Returns
    -------
    ``min``, ``q25``, ``median``, ``q75``, ``max``, ``range``, ``iqr`` [mg/dL].
    """
    gl = pl.col("gl")
    out = group_agg(
        frame,
        by,
        [
            gl.min().alias("min"),
            gl.quantile(0.25, "linear").alias("q25"),
            gl.median().alias("median"),
            gl.quantile(0.75, "linear").alias("q75"),
            gl.max().alias("max"),
        ],
        shared,
    )
    return out.with_columns(
        (pl.col("max") - pl.col("min")).alias("range"),
        (pl.col("q75") - pl.col("q25")).alias("iqr"),
    )


@fill_doc
def quantile_glu(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    quantiles: Sequence[float] = (0.0, 25.0, 50.0, 75.0, 100.0),
    shared: Intermediates | None = None,
) -> pl.DataFrame:
    """Glucose quantiles (R type 7) per group; column ``q<p>`` for percentile p (``q2.5`` …).

    Parameters
    ----------
    %(frame)s
    %(by)s
    quantiles
        Percentiles [%], each in 0–100; default 0, 25, 50, 75, 100 (R iglu).
    %(shared)s

    Returns
    -------
    ``q<p>`` [mg/dL] per requested percentile.
    """
    for p in quantiles:
        if not 0.0 <= float(p) <= 100.0:
            raise InputError(
                f"quantiles are percentiles between 0 and 100, got {p}", field="quantiles", value=p
            )
    exprs = [
        pl.col("gl").quantile(float(p) / 100.0, "linear").alias(f"q{float(p):g}") for p in quantiles
    ]
    return group_agg(frame, by, exprs, shared)
