"""Median absolute deviation of glucose (scaled): ``MAD = k · median(|g − median(g)|)``.

``k = 1.4826`` makes MAD a consistent estimator of the SD for normal data (Hampel FR. The influence
curve and its role in robust estimation. *J Am Stat Assoc* 1974;69(346):383–393,
doi:10.1080/01621459.1974.10482962); R's ``mad`` default, used by R iglu 4.3.0 R/mad_glu.r.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import polars as pl

from endolab.cgm.docstrings import fill_doc
from endolab.cgm.indices.summary import group_agg
from endolab.cgm.kernels.grid import Intermediates

__all__ = ["MAD_NORMAL_CONSTANT", "mad"]

#: Normal-consistency factor of the MAD [dimensionless] (Hampel 1974; R ``mad(constant = 1.4826)``).
MAD_NORMAL_CONSTANT: Final = 1.4826


@fill_doc
def mad(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    constant: float = MAD_NORMAL_CONSTANT,
    shared: Intermediates | None = None,
) -> pl.DataFrame:
    """Scaled median absolute deviation of glucose per group.

    Parameters
    ----------
    %(frame)s
    %(by)s
    constant
        Scale factor [dimensionless], default 1.4826.
    %(shared)s

    Returns
    -------
    ``mad`` [mg/dL].

    References
    ----------
    Hampel FR. The influence curve and its role in robust estimation. J Am Stat Assoc
    1974;69(346):383–393, doi:10.1080/01621459.1974.10482962 (the scale 1.4826).
    """
    expr = ((pl.col("gl") - pl.col("gl").median()).abs().median() * constant).alias("mad")
    return group_agg(frame, by, [expr], shared)
