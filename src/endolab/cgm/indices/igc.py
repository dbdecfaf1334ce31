"""Index of glycaemic control (Rodbard D. *Diabetes Technol Ther* 2009;11(Suppl 1):S55–S67,
doi:10.1089/dia.2008.0132): ``IGC = hyper_index + hypo_index`` with the defaults of
:mod:`endolab.cgm.indices.hypo_hyper_index` (R iglu 4.3.0 R/igc.R).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from endolab.cgm.docstrings import fill_doc
from endolab.cgm.indices.hypo_hyper_index import (
    LLTR_MG_DL,
    ULTR_MG_DL,
    hyper_index_values,
    hypo_index_values,
)
from endolab.cgm.kernels.grid import Intermediates, groups_cached
from endolab.cgm.kernels.groups import result_frame

__all__ = ["igc"]


@fill_doc
def igc(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    lltr: float = LLTR_MG_DL,
    ultr: float = ULTR_MG_DL,
    a: float = 1.1,
    b: float = 2.0,
    c: float = 30.0,
    d: float = 30.0,
    shared: Intermediates | None = None,
) -> pl.DataFrame:
    """Index of glycaemic control = hyperglycaemia index + hypoglycaemia index (Rodbard 2009).

    Parameters
    ----------
    %(frame)s
    %(by)s
    lltr, ultr
        Target range limits [mg/dL], defaults 80 and 140.
    a, b, c, d
        Exponents and scales [dimensionless], defaults 1.1, 2, 30, 30.
    %(shared)s

    Returns
    -------
    ``igc`` [dimensionless].

    References
    ----------
    Rodbard D. Interpretation of continuous glucose monitoring data: glycemic variability and quality
    of glycemic control. Diabetes Technol Ther 2009;11(Suppl 1):S55–S67, doi:10.1089/dia.2008.0132.
    """
    g = groups_cached(frame, by, shared)
    cols = g.map_chunks(
        lambda sg: {"igc": hyper_index_values(sg, ultr, a, c) + hypo_index_values(sg, lltr, b, d)}
    )
    return result_frame(g.keys, cols)
