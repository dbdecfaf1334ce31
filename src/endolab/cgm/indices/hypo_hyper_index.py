"""Hypoglycaemia and hyperglycaemia indices (Rodbard D. Interpretation of continuous glucose
monitoring data: glycemic variability and quality of glycemic control. *Diabetes Technol Ther*
2009;11(Suppl 1):S55–S67, doi:10.1089/dia.2008.0132)::

    hypo_index  = Σ_{g < LLTR} (LLTR − g)^b / (n · d)      LLTR = 80 mg/dL, b = 2,   d = 30
    hyper_index = Σ_{g > ULTR} (g − ULTR)^a / (n · c)      ULTR = 140 mg/dL, a = 1.1, c = 30

n is the number of readings of the group (R iglu 4.3.0 R/hypo_index.R, R/hyper_index.R; the
"lower/upper limit of target range" defaults there and in Rodbard 2009).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import polars as pl

from endolab.cgm.docstrings import fill_doc
from endolab.cgm.kernels.grid import Intermediates, groups_cached
from endolab.cgm.kernels.groups import FloatArray, Groups, result_frame, seg_sum

__all__ = ["hyper_index", "hyper_index_values", "hypo_index", "hypo_index_values"]

#: Lower limit of target range for the hypo index [mg/dL] (Rodbard 2009; R iglu ``LLTR = 80``).
LLTR_MG_DL: Final = 80.0
#: Upper limit of target range for the hyper index [mg/dL] (Rodbard 2009; R iglu ``ULTR = 140``).
ULTR_MG_DL: Final = 140.0


def hypo_index_values(g: Groups, lltr: float, b: float, d: float) -> FloatArray:
    """Hypoglycaemia index of every group of ``g`` (Rodbard 2009): Σ_{gl < lltr} |lltr − gl|^b /
    (n · d); ``lltr`` [mg/dL], exponent ``b`` and scale ``d`` as in :func:`hypo_index`."""
    term = np.where(g.gl < lltr, np.abs(lltr - g.gl) ** b, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return seg_sum(term, g.start) / (g.counts * d)


def hyper_index_values(g: Groups, ultr: float, a: float, c: float) -> FloatArray:
    """Hyperglycaemia index of every group of ``g`` (Rodbard 2009): Σ_{gl > ultr} |gl − ultr|^a /
    (n · c); ``ultr`` [mg/dL], exponent ``a`` and scale ``c`` as in :func:`hyper_index`."""
    term = np.where(g.gl > ultr, np.abs(g.gl - ultr) ** a, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return seg_sum(term, g.start) / (g.counts * c)


@fill_doc
def hypo_index(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    lltr: float = LLTR_MG_DL,
    b: float = 2.0,
    d: float = 30.0,
    shared: Intermediates | None = None,
) -> pl.DataFrame:
    """Hypoglycaemia index (Rodbard 2009, doi:10.1089/dia.2008.0132).

    Parameters
    ----------
    %(frame)s
    %(by)s
    lltr
        Lower limit of the target range [mg/dL], default 80.
    b
        Exponent [dimensionless], default 2.
    d
        Scale [dimensionless], default 30.
    %(shared)s

    Returns
    -------
    ``hypo_index`` [dimensionless].
    """
    g = groups_cached(frame, by, shared)
    return result_frame(
        g.keys, g.map_chunks(lambda sg: {"hypo_index": hypo_index_values(sg, lltr, b, d)})
    )


@fill_doc
def hyper_index(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    ultr: float = ULTR_MG_DL,
    a: float = 1.1,
    c: float = 30.0,
    shared: Intermediates | None = None,
) -> pl.DataFrame:
    """Hyperglycaemia index (Rodbard 2009, doi:10.1089/dia.2008.0132).

    Parameters
    ----------
    %(frame)s
    %(by)s
    ultr
        Upper limit of the target range [mg/dL], default 140.
    a
        Exponent [dimensionless], default 1.1.
    c
        Scale [dimensionless], default 30.
    %(shared)s

    Returns
    -------
    ``hyper_index`` [dimensionless].
    """
    g = groups_cached(frame, by, shared)
    return result_frame(
        g.keys, g.map_chunks(lambda sg: {"hyper_index": hyper_index_values(sg, ultr, a, c)})
    )
