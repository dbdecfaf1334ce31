"""Continuous glucose monitoring index, COGI (Leelarathna L, Thabit H, Wilinska ME, et al.
Evaluating glucose control with a novel composite continuous glucose monitoring index.
*J Diabetes Sci Technol* 2020;14(2):277–283, doi:10.1177/1932296819838525)::

    COGI = 100 · (0.50 · s(TIR; 0 → 100 %, increasing)
                + 0.35 · s(TBR; 15 → 0 %, decreasing)
                + 0.15 · s(SD;  108 → 18 mg/dL, decreasing))

where ``s`` maps a feature linearly onto 0–1 over the stated range and clips above 1 (below the
range it is 0): ``s_inc(x; lo, hi) = min(1, max(0, x − lo) / (hi − lo))`` and
``s_dec(x; lo, hi) = min(1, max(0, hi − x) / (hi − lo))``. TIR is 70–180 mg/dL inclusive, TBR
< 70 mg/dL (shares of readings), SD the sample SD — R iglu 4.3.0 R/cogi.r defaults.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import polars as pl

from endolab.cgm.docstrings import fill_doc
from endolab.cgm.kernels.grid import Intermediates, groups_cached
from endolab.cgm.kernels.groups import FloatArray, Groups, percent_where, result_frame, seg_sd

__all__ = ["cogi", "cogi_leelarathna_2020"]

#: Weights of TIR, TBR and SD (Leelarathna 2020).
COGI_WEIGHTS: Final = (0.5, 0.35, 0.15)
#: Scaling range of TBR [%] (Leelarathna 2020: 0 % scores 1, ≥ 15 % scores 0).
COGI_TBR_RANGE_PCT: Final = (0.0, 15.0)
#: Scaling range of SD [mg/dL] (Leelarathna 2020: ≤ 18 scores 1, ≥ 108 scores 0).
COGI_SD_RANGE_MG_DL: Final = (18.0, 108.0)


def cogi_leelarathna_2020(
    tir_pct: FloatArray,
    tbr_pct: FloatArray,
    sd_mg_dl: FloatArray,
    weights: tuple[float, float, float] = COGI_WEIGHTS,
) -> FloatArray:
    """COGI from its three features (Leelarathna 2020, doi:10.1177/1932296819838525).

    Parameters
    ----------
    tir_pct
        Time in range 70–180 mg/dL [%].
    tbr_pct
        Time below 70 mg/dL [%].
    sd_mg_dl
        Standard deviation of glucose [mg/dL].
    weights
        Weights of TIR, TBR, SD [dimensionless], default (0.5, 0.35, 0.15).

    Returns
    -------
    COGI [0–100].

    >>> # TIR 70 % → 0.5·0.7; TBR 3 % → 0.35·12/15; SD 45 → 0.15·63/90; sum 0.735 → 73.5
    >>> round(float(cogi_leelarathna_2020(np.array(70.0), np.array(3.0), np.array(45.0))), 6)
    73.5
    """
    w_ir, w_br, w_sd = weights
    s_ir = np.minimum(np.maximum(tir_pct - 0.0, 0.0) / 100.0, 1.0)
    lo, hi = COGI_TBR_RANGE_PCT
    s_br = np.minimum(np.maximum(hi - tbr_pct, 0.0) / (hi - lo), 1.0)
    lo, hi = COGI_SD_RANGE_MG_DL
    s_sd = np.minimum(np.maximum(hi - sd_mg_dl, 0.0) / (hi - lo), 1.0)
    return np.asarray(100.0 * (w_ir * s_ir + w_br * s_br + w_sd * s_sd), dtype=np.float64)


@fill_doc
def cogi(
    frame: pl.DataFrame, *, by: Sequence[str] = ("id",), shared: Intermediates | None = None
) -> pl.DataFrame:
    """COGI per group (Leelarathna 2020, doi:10.1177/1932296819838525).

    Parameters
    ----------
    %(frame)s
    %(by)s
    %(shared)s

    Returns
    -------
    ``cogi`` [0–100]; null for a group with one reading (no SD).
    """
    g = groups_cached(frame, by, shared)

    def one(sg: Groups) -> dict[str, FloatArray]:
        # each reading against the cut-offs of the unit it was measured in (schema.CUTOFFS)
        tir = percent_where(sg, (sg.gl >= sg.cut("tbr_level1")) & (sg.gl <= sg.cut("tir_high")))
        tbr = percent_where(sg, sg.gl < sg.cut("tbr_level1"))
        return {"cogi": cogi_leelarathna_2020(tir, tbr, seg_sd(sg.gl, sg.start))}

    return result_frame(g.keys, g.map_chunks(one))
