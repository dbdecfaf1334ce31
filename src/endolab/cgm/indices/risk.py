"""Kovatchev's risk indices: LBGI, HBGI and ADRR.

Symmetrised glucose scale (Kovatchev BP, Cox DJ, Gonder-Frederick LA, Clarke W. Symmetrization of the
blood glucose measurement scale and its applications. *Diabetes Care* 1997;20(11):1655–1658,
doi:10.2337/diacare.20.11.1655)::

    f(g) = ln(g)^1.084 − 5.381            g [mg/dL]; f = 0 near g = 112.5 mg/dL
    risk(g) = c · f(g)²                   c = 22.77 (R iglu 4.3.0; 10 · 1.509² = 22.7708 in print)

LBGI / HBGI / ADRR as in Kovatchev BP, Otto E, Cox D, Gonder-Frederick L, Clarke W. Evaluation of a
new measure of blood glucose variability in diabetes. *Diabetes Care* 2006;29(11):2433–2438,
doi:10.2337/dc06-1085, computed the way R iglu 4.3.0 does (R/lbgi.R, R/hbgi.R, R/adrr.R).

**Constant** [A]: R iglu uses ``c = 22.77`` for LBGI, HBGI and ADRR; iglu-python 0.4.3 uses
``10·1.509² = 22.7708`` for LBGI/HBGI (relative difference 3.6 × 10⁻⁵, docs/methods/cgm.md §4). We follow R
iglu (acceptance compares against R iglu); pass ``constant=10 * 1.509**2`` for the other convention.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import polars as pl

from endolab.cgm.docstrings import fill_doc
from endolab.cgm.kernels.grid import Intermediates, groups_cached
from endolab.cgm.kernels.groups import (
    FloatArray,
    Groups,
    day_runs,
    result_frame,
    seg_mean,
    seg_sum,
)

__all__ = ["BGI_CONSTANT_IGLU_R", "adrr", "bgi_f_kovatchev_1997", "hbgi", "lbgi"]

#: Scale of the risk function [dimensionless], R iglu 4.3.0 (R/lbgi.R, R/hbgi.R, R/adrr.R).
BGI_CONSTANT_IGLU_R: Final = 22.77
#: Glucose at which f(g) changes sign as R iglu splits LBGI/HBGI [mg/dL] (R/lbgi.R ``gl < 112.5``).
BGI_SPLIT_MG_DL: Final = 112.5


def bgi_f_kovatchev_1997(gl: FloatArray) -> FloatArray:
    """Symmetrised glucose f(g) = ln(g)^1.084 − 5.381 (Kovatchev 1997, doi:10.2337/diacare.20.11.1655).

    Parameters
    ----------
    gl
        Glucose [mg/dL].

    Returns
    -------
    f [dimensionless]; −1.265 at 40 mg/dL, ≈ 0 at 112.5 mg/dL, +1.583 at 400 mg/dL.

    >>> [round(float(x), 3) for x in bgi_f_kovatchev_1997(np.array([40.0, 400.0]))]
    [-1.265, 1.583]
    """
    return np.asarray(np.log(gl) ** 1.084 - 5.381, dtype=np.float64)


@fill_doc
def lbgi(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    constant: float = BGI_CONSTANT_IGLU_R,
    shared: Intermediates | None = None,
) -> pl.DataFrame:
    """Low blood glucose index (Kovatchev 2006, doi:10.2337/dc06-1085).

    ``LBGI = c · Σ_{g < 112.5} min(f(g), 0)² / n`` over all n readings of the group.

    Parameters
    ----------
    %(frame)s
    %(by)s
    constant
        ``c`` [dimensionless], default 22.77 (R iglu 4.3.0).
    %(shared)s

    Returns
    -------
    ``lbgi`` [dimensionless risk units] per group.
    """
    g = groups_cached(frame, by, shared)

    def one(sg: Groups) -> dict[str, FloatArray]:
        f = bgi_f_kovatchev_1997(sg.gl)
        term = np.where(sg.gl < BGI_SPLIT_MG_DL, np.minimum(f, 0.0) ** 2, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return {"lbgi": constant * seg_sum(term, sg.start) / sg.counts}

    return result_frame(g.keys, g.map_chunks(one))


@fill_doc
def hbgi(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    constant: float = BGI_CONSTANT_IGLU_R,
    shared: Intermediates | None = None,
) -> pl.DataFrame:
    """High blood glucose index (Kovatchev 2006, doi:10.2337/dc06-1085).

    ``HBGI = c · Σ_{g ≥ 112.5} max(f(g), 0)² / n`` over all n readings of the group.

    Parameters
    ----------
    %(frame)s
    %(by)s
    constant
        ``c`` [dimensionless], default 22.77 (R iglu 4.3.0).
    %(shared)s

    Returns
    -------
    ``hbgi`` [dimensionless risk units] per group.
    """
    g = groups_cached(frame, by, shared)

    def one(sg: Groups) -> dict[str, FloatArray]:
        f = bgi_f_kovatchev_1997(sg.gl)
        term = np.where(sg.gl >= BGI_SPLIT_MG_DL, np.maximum(f, 0.0) ** 2, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return {"hbgi": constant * seg_sum(term, sg.start) / sg.counts}

    return result_frame(g.keys, g.map_chunks(one))


@fill_doc
def adrr(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    constant: float = BGI_CONSTANT_IGLU_R,
    shared: Intermediates | None = None,
) -> pl.DataFrame:
    """Average daily risk range (Kovatchev 2006, doi:10.2337/dc06-1085, equation for ADRR).

    For each calendar day d (wall clock of the frame): ``LR_d = c·min(f(min g_d), 0)²`` and
    ``HR_d = c·max(f(max g_d), 0)²``; ``ADRR = mean_d (LR_d + HR_d)`` over the days with readings.

    Parameters
    ----------
    %(frame)s
    %(by)s
    constant
        ``c`` [dimensionless], default 22.77 (R iglu 4.3.0).
    %(shared)s

    Returns
    -------
    ``adrr`` [dimensionless risk units] per group.
    """
    g = groups_cached(frame, by, shared)
    if g.gl.size == 0:
        return result_frame(g.keys, {"adrr": np.zeros(0)})
    starts, dgroup = day_runs(g)
    day_start = np.searchsorted(dgroup, np.arange(g.n + 1), side="left")
    hi = np.maximum.reduceat(g.gl, starts[:-1])
    lo = np.minimum.reduceat(g.gl, starts[:-1])
    drr = constant * (
        np.maximum(bgi_f_kovatchev_1997(hi), 0.0) ** 2
        + np.minimum(bgi_f_kovatchev_1997(lo), 0.0) ** 2
    )
    return result_frame(g.keys, {"adrr": seg_mean(drr, day_start)})
