"""GRADE, the glycaemic risk assessment diabetes equation, and its hypo/eu/hyper shares.

Hill NR, Hindmarsh PC, Stevens RJ, Stratton IM, Levy JC, Matthews DR. A method for assessing quality
of control from glucose profiles. *Diabet Med* 2007;24(7):753–758,
doi:10.1111/j.1464-5491.2007.02119.x::

    GRADE(g) = 425 · (log10(log10(g [mmol/L])) + 0.16)²,  capped at 50     (g [mmol/L] = g [mg/dL] / 18)

The score is the mean of GRADE over readings; the shares are the percentage of the summed GRADE
contributed by readings below 80 mg/dL (hypo), within 70–140 mg/dL inclusive (eu) and above 140
mg/dL (hyper) — R iglu 4.3.0 defaults (R/grade_hypo.R ``lower = 80``, R/grade_eugly.R
``lower = 70, upper = 140``, R/grade_hyper.R ``upper = 140``; Hill 2007 used 3.9 and 7.8 mmol/L
≈ 70 and 140 mg/dL). The mmol/L factor 18 is :data:`endolab.units.GLUCOSE_MG_DL_PER_MMOL_L`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import polars as pl

from endolab.cgm.docstrings import fill_doc
from endolab.cgm.kernels.grid import Intermediates, groups_cached
from endolab.cgm.kernels.groups import FloatArray, Groups, result_frame, seg_mean, seg_sum
from endolab.units import GLUCOSE_MG_DL_PER_MMOL_L

__all__ = ["grade", "grade_hill_2007", "grade_parts"]

#: Cap of the per-reading GRADE score (Hill 2007).
GRADE_CAP: Final = 50.0
#: Hypo share: readings below this [mg/dL] (R iglu 4.3.0 ``grade_hypo(lower = 80)``).
GRADE_HYPO_BELOW_MG_DL: Final = 80.0
#: Euglycaemic share: lower limit, inclusive [mg/dL] (R iglu ``grade_eugly(lower = 70)``).
GRADE_EU_LOW_MG_DL: Final = 70.0
#: Euglycaemic share: upper limit, inclusive; hyper share above it [mg/dL] (R iglu 140).
GRADE_EU_HIGH_MG_DL: Final = 140.0


def grade_hill_2007(gl: FloatArray) -> FloatArray:
    """Per-reading GRADE score (Hill 2007, doi:10.1111/j.1464-5491.2007.02119.x), capped at 50.

    Parameters
    ----------
    gl
        Glucose [mg/dL] (converted with 18 mg/dL per mmol/L).

    Returns
    -------
    GRADE [dimensionless score, 0–50]; about 0 near 5.0 mmol/L (90 mg/dL), 10.88 at 10 mmol/L.

    >>> [round(float(x), 3) for x in grade_hill_2007(np.array([90.0, 180.0, 400.0]))]
    [0.008, 10.88, 35.57]
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        score = 425.0 * (np.log10(np.log10(gl / GLUCOSE_MG_DL_PER_MMOL_L)) + 0.16) ** 2
    return np.asarray(np.minimum(score, GRADE_CAP), dtype=np.float64)


@fill_doc
def grade(
    frame: pl.DataFrame, *, by: Sequence[str] = ("id",), shared: Intermediates | None = None
) -> pl.DataFrame:
    """Mean GRADE score per group (Hill 2007, doi:10.1111/j.1464-5491.2007.02119.x).

    Parameters
    ----------
    %(frame)s
    %(by)s
    %(shared)s

    Returns
    -------
    ``grade`` [dimensionless score].
    """
    g = groups_cached(frame, by, shared)
    cols = g.map_chunks(lambda sg: {"grade": seg_mean(grade_hill_2007(sg.gl), sg.start)})
    return result_frame(g.keys, cols)


@fill_doc
def grade_parts(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    hypo_below: float = GRADE_HYPO_BELOW_MG_DL,
    eu_low: float = GRADE_EU_LOW_MG_DL,
    eu_high: float = GRADE_EU_HIGH_MG_DL,
    shared: Intermediates | None = None,
) -> pl.DataFrame:
    """Shares of the summed GRADE from hypo-, eu- and hyperglycaemic readings (Hill 2007).

    ``grade_hypo = 100 · Σ_{g < hypo_below} GRADE / Σ GRADE``; ``grade_eu`` uses
    ``eu_low ≤ g ≤ eu_high``; ``grade_hyper`` uses ``g > eu_high`` (R iglu 4.3.0 definitions; the
    three need not add to 100 because 70–80 mg/dL counts in both hypo and eu).

    Parameters
    ----------
    %(frame)s
    %(by)s
    hypo_below, eu_low, eu_high
        Limits [mg/dL]; defaults 80, 70, 140 (R iglu 4.3.0).
    %(shared)s

    Returns
    -------
    ``grade_hypo``, ``grade_eu``, ``grade_hyper`` [% of the summed GRADE].
    """
    g = groups_cached(frame, by, shared)

    def one(sg: Groups) -> dict[str, FloatArray]:
        s = grade_hill_2007(sg.gl)
        total = seg_sum(s, sg.start)
        parts = {
            "grade_hypo": sg.gl < hypo_below,
            "grade_eu": (sg.gl >= eu_low) & (sg.gl <= eu_high),
            "grade_hyper": sg.gl > eu_high,
        }
        out: dict[str, FloatArray] = {}
        with np.errstate(invalid="ignore", divide="ignore"):
            for name, mask in parts.items():
                out[name] = 100.0 * seg_sum(np.where(mask, s, 0.0), sg.start) / total
        return out

    return result_frame(g.keys, g.map_chunks(one))
