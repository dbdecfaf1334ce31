"""Defaults used when the user gives only total testosterone (docs/methods/hormones.md §3, §5.1).

=========================  ===========================  =============================================
input                      default                      basis
=========================  ===========================  =============================================
albumin                    4.3 g/dL                     ISSAM / Vermeulen 1999 calculator default [V]
SHBG, age ≤ 35 y           33 nmol/L                    Coviello 2006 young baseline (the Lakshman
                                                        2010 cohort), 33 ± 2 nmol/L [V]
SHBG, age ≥ 59 y           52 nmol/L                    Coviello 2006 older baseline, 52 ± 3 [V]
SHBG, 35 < age < 59 y      linear interpolation         [A] design choice (age 47 → 42.5 nmol/L)
age missing                47 y                         [A] midpoint of 35 and 59 y
=========================  ===========================  =============================================

Coviello AD et al. JCEM 2006, DOI 10.1210/jc.2006-0822 (abstract): SHBG 52 ± 3 (older) vs 33 ± 2
(young) nmol/L. Caveat: SHBG falls with increasing testosterone dose in the Bhasin trials (magnitude
unknown), so a baseline SHBG tends to under-estimate free T at high doses. The same 35 → 59 y
interpolation weight is used for the aromatase age factor of the predictor
(:func:`endolab.hormones.predictor.aromatase_age_factor`).
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "DEFAULT_AGE_YEARS",
    "DEFAULT_ALBUMIN_G_DL",
    "OLDER_AGE_MIN_YEARS",
    "SHBG_OLDER_NMOL_L",
    "SHBG_YOUNG_NMOL_L",
    "YOUNG_AGE_MAX_YEARS",
    "age_weight",
    "default_shbg_coviello_2006",
]

#: Albumin default [g/dL]: ISSAM / Vermeulen 1999 calculator default (43 g/L).
DEFAULT_ALBUMIN_G_DL: Final = 4.3
#: Upper age of the young group of Lakshman 2010 / Coviello 2006 (19–35 y) [years].
YOUNG_AGE_MAX_YEARS: Final = 35.0
#: Lower age of the older group of Lakshman 2010 / Coviello 2006 (59–75 y) [years].
OLDER_AGE_MIN_YEARS: Final = 59.0
#: Age assumed when none is given [years]: [A] midpoint of 35 and 59 y.
DEFAULT_AGE_YEARS: Final = 47.0
#: Baseline SHBG of the young men of Coviello 2006 [nmol/L] (33 ± 2).
SHBG_YOUNG_NMOL_L: Final = 33.0
#: Baseline SHBG of the older men of Coviello 2006 [nmol/L] (52 ± 3).
SHBG_OLDER_NMOL_L: Final = 52.0


def age_weight(
    age: float,
    *,
    young_max: float = YOUNG_AGE_MAX_YEARS,
    older_min: float = OLDER_AGE_MIN_YEARS,
) -> float:
    """Interpolation weight of ``age`` between the young (0) and the older (1) group.

    0 at or below ``young_max``, 1 at or above ``older_min``, linear between ([A]).

    Parameters
    ----------
    age
        Age [years].
    young_max, older_min
        Group limits [years]; defaults 35 and 59 y (Lakshman 2010 age groups).

    Returns
    -------
    float
        Weight [dimensionless], 0 … 1.

    >>> age_weight(30), age_weight(47), age_weight(70)
    (0.0, 0.5, 1.0)
    """
    if age <= young_max:
        return 0.0
    if age >= older_min:
        return 1.0
    return (age - young_max) / (older_min - young_max)


def default_shbg_coviello_2006(age: float | None) -> float:
    """Default SHBG for a man of ``age`` when no SHBG was measured.

    33 nmol/L at ≤ 35 y and 52 nmol/L at ≥ 59 y (Coviello 2006 baselines, DOI 10.1210/jc.2006-0822);
    linear between ([A]); a missing age counts as 47 y ([A]).

    Parameters
    ----------
    age
        Age [years] or ``None``.

    Returns
    -------
    float
        SHBG [nmol/L].

    >>> default_shbg_coviello_2006(25), default_shbg_coviello_2006(47), default_shbg_coviello_2006(None)
    (33.0, 42.5, 42.5)
    >>> default_shbg_coviello_2006(80)
    52.0
    """
    w = age_weight(DEFAULT_AGE_YEARS if age is None else age)
    return SHBG_YOUNG_NMOL_L + w * (SHBG_OLDER_NMOL_L - SHBG_YOUNG_NMOL_L)
