"""Glycaemia Risk Index (Klonoff DC, Wang J, Rodbard D, et al. A Glycemia Risk Index (GRI) of
hypoglycemia and hyperglycemia for continuous glucose monitoring validated by clinician ratings.
*J Diabetes Sci Technol* 2023;17(5):1226–1242, doi:10.1177/19322968221085273)::

    GRI = 3.0·VLow + 2.4·Low + 1.6·VHigh + 0.8·High,   capped at 100

with the percentages of readings VLow = g < 54, Low = 54 ≤ g < 70, VHigh = g > 250,
High = 180 < g ≤ 250 mg/dL — for readings measured in mmol/L: < 3.0, 3.0–3.8, > 13.9 and
10.1–13.9 mmol/L (consensus thresholds of each unit, :data:`endolab.cgm.schema.CUTOFFS`). As R iglu
4.3.0 (R/gri.R via agp_metrics), percentages are shares of readings, not of time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import polars as pl

from endolab.cgm.docstrings import fill_doc
from endolab.cgm.kernels.grid import Intermediates, groups_cached
from endolab.cgm.kernels.groups import FloatArray, Groups, percent_where, result_frame

__all__ = ["gri", "gri_klonoff_2023"]

#: Upper bound of the GRI scale [dimensionless] (Klonoff 2023).
GRI_CAP: Final = 100.0


def gri_klonoff_2023(
    vlow_pct: FloatArray, low_pct: FloatArray, vhigh_pct: FloatArray, high_pct: FloatArray
) -> FloatArray:
    """GRI from the four percentages (Klonoff 2023, doi:10.1177/19322968221085273).

    Parameters
    ----------
    vlow_pct, low_pct, vhigh_pct, high_pct
        Percent of readings [%] < 54, 54–69, > 250 and 181–250 mg/dL.

    Returns
    -------
    GRI [0–100].

    >>> # 3.0·1 + 2.4·3 + 1.6·5 + 0.8·20 = 3 + 7.2 + 8 + 16 = 34.2
    >>> round(float(gri_klonoff_2023(np.array(1.0), np.array(3.0), np.array(5.0), np.array(20.0))), 9)
    34.2
    """
    raw = 3.0 * vlow_pct + 2.4 * low_pct + 1.6 * vhigh_pct + 0.8 * high_pct
    return np.asarray(np.minimum(raw, GRI_CAP), dtype=np.float64)


@fill_doc
def gri(
    frame: pl.DataFrame, *, by: Sequence[str] = ("id",), shared: Intermediates | None = None
) -> pl.DataFrame:
    """Glycaemia Risk Index per group (Klonoff 2023, doi:10.1177/19322968221085273).

    Parameters
    ----------
    %(frame)s
    %(by)s
    %(shared)s

    Returns
    -------
    ``gri`` [0–100].
    """
    g = groups_cached(frame, by, shared)

    def one(sg: Groups) -> dict[str, FloatArray]:
        # each reading against the cut-offs of the unit it was measured in (schema.CUTOFFS)
        b54 = percent_where(sg, sg.gl < sg.cut("tbr_level2"))
        b70 = percent_where(sg, sg.gl < sg.cut("tbr_level1"))
        a250 = percent_where(sg, sg.gl > sg.cut("tar_level2"))
        a180 = percent_where(sg, sg.gl > sg.cut("tir_high"))
        return {"gri": gri_klonoff_2023(b54, b70 - b54, a250, a180 - a250)}

    return result_frame(g.keys, g.map_chunks(one))
