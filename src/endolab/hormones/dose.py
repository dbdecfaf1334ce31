"""Weekly testosterone-enanthate dose → expected trough total testosterone (Bhasin 2001).

Bhasin S, Woodhouse L, Casaburi R, et al. Testosterone dose-response relationships in healthy young
men. Am J Physiol Endocrinol Metab 2001;281:E1172–81, DOI 10.1152/ajpendo.2001.281.6.E1172
PMID 11701431 (abstract): GnRH agonist + weekly testosterone enanthate for 20 weeks; mean **nadir** total T
253, 306, 542, 1345 and 2370 ng/dL at 25, 50, 125, 300 and 600 mg/week.

These are group means of young men (19–35 y) with endogenous T suppressed; individual troughs vary
widely. Between the five doses the trough is interpolated linearly in dose [A] (the paper's
dose-response curve itself is not available).
"""

from __future__ import annotations

import itertools
from typing import Final

from endolab.hormones import _validate

__all__ = ["BHASIN_2001_NADIR_TT_NG_DL", "trough_total_t_bhasin_2001"]

#: Mean nadir total testosterone [ng/dL] by weekly testosterone-enanthate dose [mg/week],
#: young men, Bhasin 2001 (abstract).
BHASIN_2001_NADIR_TT_NG_DL: Final[dict[float, float]] = {
    25.0: 253.0,
    50.0: 306.0,
    125.0: 542.0,
    300.0: 1345.0,
    600.0: 2370.0,
}


def trough_total_t_bhasin_2001(dose_mg_week: float) -> float:
    """Expected trough (nadir) total testosterone for a weekly testosterone-enanthate dose.

    The Bhasin 2001 mean at the five trial doses; linear interpolation in dose between them [A].

    Parameters
    ----------
    dose_mg_week
        Weekly testosterone-enanthate dose [mg/week], accepted 25–600 mg/week (the trial's range).

    Returns
    -------
    float
        Mean trough total testosterone [ng/dL] (a population mean of young men).

    Raises
    ------
    endolab.errors.InputError
        Dose outside 25–600 mg/week.

    References
    ----------
    Bhasin S, Woodhouse L, Casaburi R, et al. Testosterone dose-response relationships in healthy
    young men. Am J Physiol Endocrinol Metab 2001;281(6):E1172–E1181,
    doi:10.1152/ajpendo.2001.281.6.E1172, PMID 11701431 (abstract: mean nadir total T by dose).

    >>> trough_total_t_bhasin_2001(125)
    542.0
    >>> trough_total_t_bhasin_2001(200)  # 542 + (1345 − 542) × 75/175
    886.1428571428571
    """
    dose = _validate.check(dose_mg_week, "dose_mg_week")
    points = sorted(BHASIN_2001_NADIR_TT_NG_DL.items())
    for (d0, t0), (d1, t1) in itertools.pairwise(points):
        if d0 <= dose <= d1:
            return t0 + (t1 - t0) * (dose - d0) / (d1 - d0)
    # only reached through the inclusive slack of the range check at either end
    return points[0][1] if dose < points[0][0] else points[-1][1]
