"""PGS, the personal glycaemic state (Hirsch IB, Balo AK, Sayer K, Garcia A, Buckingham BA, Peyser TA.
A simple composite metric for the assessment of glycemic status from continuous glucose monitoring
data: implications for clinical practice and the artificial pancreas. *Diabetes Technol Ther*
2017;19(S3):S38–S48, doi:10.1089/dia.2017.0080).

``PGS = f_GVP + f_MG + f_PTIR + f_H54 + f_H70`` (each term 0.5/1 … 5/10; lower is better)::

    f_GVP  = 1 + 9 / (1 + exp(−0.049 · (GVP − 65.47)))                       GVP [%]
    f_PTIR = 1 + 9 / (1 + exp(0.0833 · (PTIR − 55.04)))                     PTIR = % 70–180 mg/dL
    f_MG   = 1 + 9 · (1 / (1 + exp(0.1139 · (MG − 72.08)))
                    + 1 / (1 + exp(−0.09195 · (MG − 157.57))))               MG = mean [mg/dL]
    f_H54  = 0.5 + 4.5 · (1 − exp(−0.81093 · N54))                           N54 episodes/week < 54
    f_H70  = 0.5714 · N70 + 0.625 if N70 ≤ 7.65 else 5                       N70 episodes/week < 70

As R iglu 4.3.0 (R/pgs.R): GVP on the interpolated grid; PTIR and MG on the readings; hypoglycaemic
episodes counted on the interpolated grid by the rules of :func:`endolab.cgm.episodes`
(``method="iglu_grid"``, R iglu's ``episode_calculation``) with
``dur_length = 20`` and ``end_length = 30`` min (an episode starts with ≥ 20 min below the threshold
and ends with ≥ 30 min at or above it; segments separated by missing grid points are separate),
N54 = level-2 (< 54 mg/dL) episodes and N70 = level-1 episodes that never reach level 2 (iglu's
``lv1_excl``), each per day of present grid data × 7.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import polars as pl

from endolab.cgm.docstrings import fill_doc
from endolab.cgm.episode_calc import hypo_counts_on_grid
from endolab.cgm.indices.gvp import gvp_per_group
from endolab.cgm.kernels.grid import (
    DEFAULT_INTER_GAP_MIN,
    Grid,
    Intermediates,
    grid_of,
    groups_cached,
)
from endolab.cgm.kernels.groups import (
    FloatArray,
    percent_where,
    result_frame,
    seg_count,
    seg_mean,
)

__all__ = ["pgs", "pgs_hirsch_2017"]

#: Minimum duration below threshold that starts an episode for PGS [min] (R iglu ``pgs``).
PGS_DUR_LENGTH_MIN: Final = 20.0
#: Minimum duration at/above threshold that ends an episode for PGS [min] (R iglu ``pgs``).
PGS_END_LENGTH_MIN: Final = 30.0


def pgs_hirsch_2017(
    gvp_pct: FloatArray,
    mean_mg_dl: FloatArray,
    ptir_pct: FloatArray,
    n54_per_week: FloatArray,
    n70_per_week: FloatArray,
) -> FloatArray:
    """PGS from its five inputs (Hirsch 2017, doi:10.1089/dia.2017.0080).

    Parameters
    ----------
    gvp_pct
        Glycaemic variability percentage [%].
    mean_mg_dl
        Mean glucose [mg/dL].
    ptir_pct
        Percent time 70–180 mg/dL [%].
    n54_per_week
        Level-2 hypoglycaemic episodes per week [1/week].
    n70_per_week
        Level-1-only hypoglycaemic episodes per week [1/week].

    Returns
    -------
    PGS [dimensionless, about 4.6 (best) to 40].

    >>> # GVP 65.47 % and PTIR 55.04 % sit at their sigmoid midpoints: f = 1 + 9/2 = 5.5 each;
    >>> # no episodes: f_H54 = 0.5, f_H70 = 0.625; MG 120 mg/dL:
    >>> # f_MG = 1 + 9·(1/(1 + e^{0.1139·47.92}) + 1/(1 + e^{0.09195·37.57}))
    >>> #      = 1 + 9·(0.004243 + 0.030634) = 1.3139;  PGS = 5.5 + 5.5 + 0.5 + 0.625 + 1.3139
    >>> p = pgs_hirsch_2017(np.array(65.47), np.array(120.0), np.array(55.04), np.array(0.0),
    ...                     np.array(0.0))
    >>> round(float(p), 4)
    13.4389
    """
    f_gvp = 1.0 + 9.0 / (1.0 + np.exp(-0.049 * (gvp_pct - 65.47)))
    f_ptir = 1.0 + 9.0 / (1.0 + np.exp(0.0833 * (ptir_pct - 55.04)))
    f_mg = 1.0 + 9.0 * (
        1.0 / (1.0 + np.exp(0.1139 * (mean_mg_dl - 72.08)))
        + 1.0 / (1.0 + np.exp(-0.09195 * (mean_mg_dl - 157.57)))
    )
    f_h54 = 0.5 + 4.5 * (1.0 - np.exp(-0.81093 * n54_per_week))
    f_h70 = np.where(n70_per_week <= 7.65, 0.5714 * n70_per_week + 0.625, 5.0)
    return np.asarray(f_gvp + f_ptir + f_mg + f_h54 + f_h70, dtype=np.float64)


@fill_doc
def pgs(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    dur_length: float = PGS_DUR_LENGTH_MIN,
    end_length: float = PGS_END_LENGTH_MIN,
    dt0: float | None = None,
    inter_gap: float = DEFAULT_INTER_GAP_MIN,
    shared: Intermediates | None = None,
) -> pl.DataFrame:
    """Personal glycaemic state per group (Hirsch 2017, doi:10.1089/dia.2017.0080).

    Parameters
    ----------
    %(frame)s
    %(by)s
    dur_length
        Time below threshold that starts an episode [min], default 20 (R iglu ``pgs``).
    end_length
        Time at/above threshold that ends an episode [min], default 30 (R iglu ``pgs``).
    %(dt0_grid)s
    %(inter_gap)s
    %(shared)s

    Returns
    -------
    ``pgs`` [dimensionless].
    """
    groups = groups_cached(frame, by, shared)
    grid = grid_of(frame, by, dt0=dt0, inter_gap=inter_gap, shared=shared)
    counts = grid.map_chunks(lambda sg: _per_week(sg, dur_length, end_length))
    mean_gl = seg_mean(groups.gl, groups.start)
    ptir = percent_where(
        groups, (groups.gl >= groups.cut("tbr_level1")) & (groups.gl <= groups.cut("tir_high"))
    )
    val = pgs_hirsch_2017(counts["gvp"], mean_gl, ptir, counts["n54"], counts["n70"])
    return result_frame(grid.keys, {"pgs": val})


def _per_week(grid: Grid, dur_length: float, end_length: float) -> dict[str, FloatArray]:
    """GVP and level-2 / level-1-only episodes per week of every group of ``grid``; the episodes
    are counted by the episode module's rules (:func:`endolab.cgm.episode_calc.hypo_counts_on_grid`)."""
    counts = hypo_counts_on_grid(grid, dur_length=dur_length, end_length=end_length)
    present = seg_count(grid.gl, grid.start)
    with np.errstate(invalid="ignore", divide="ignore"):
        days = present * grid.dt0 / 1440.0
        per_week_54 = np.where(days > 0, counts["hypo_l2"] / days * 7.0, np.nan)
        per_week_70 = np.where(days > 0, counts["hypo_l1_excl"] / days * 7.0, np.nan)
    return {"gvp": gvp_per_group(grid), "n54": per_week_54, "n70": per_week_70}
