"""Uncertainty bands of free T, bioavailable T and free E2 when an input is assumed or uncertain.

A free-hormone value computed from an **assumed** SHBG (or albumin) is not a point: men of the same
age differ several-fold in SHBG. The band carried by the results is the range of the output over the
box of plausible inputs:

==========================  =====================================================================
input                       range used for the band
==========================  =====================================================================
SHBG, assumed               population reference interval of men of that age (table below) [V],
                            widened if needed to contain the assumed central value
SHBG, measured              value × (1 ± 1.96 · assay CV), CV 5 % [A]
albumin, assumed            3.5–5.0 g/dL, the normal range by electrophoresis (NKF KDOQI) [V]
albumin, measured           value × (1 ± 1.96 · assay CV), CV 5 % [A]
total T, measured           value × (1 ± 1.96 · assay CV), CV 5 % [A]
total T from a dose         trough × 264/531 … × 916/531: the spread of the harmonized
                            reference range (Travison 2017, 2.5th–97.5th percentile ÷ median)
                            applied around the Bhasin 2001 mean trough [A: the trial's own
                            spread of troughs at a dose is not available]
==========================  =====================================================================

SHBG reference intervals of men by age (central 95 %, electrochemiluminescence immunoassay, Roche
Elecsys) [V]:

=============  ====================  ==========================================================
age            SHBG [nmol/L]         source
=============  ====================  ==========================================================
< 50 y         16.5–55.9             Allina Health Laboratories test catalogue, SHBG (ECLIA),
                                     men 20–49 y; Region Gävleborg laboratory (2021) gives
                                     18–54 nmol/L for men 20–49 y with the same method family
≥ 50 y         19.3–76.4             Allina, men > 49 y; Region Gävleborg: 21–77 nmol/L (≥ 50 y)
=============  ====================  ==========================================================

Ages 18–19 use the 20–49 y interval [A]. These laboratory reference intervals stand in for the
population spread [A]: a clinic's healthy reference men, not a random sample. Other cohorts agree in
width: Chinese men 11.5–66.3 nmol/L (median 29.4; Yu et al. Clin Chem Lab Med 2018;56:1152,
DOI 10.1515/cclm-2017-0749); men ≥ 70 y 42.4 ± 16.7 nmol/L (mean ± SD, Health In Men Study,
Yeap et al. Eur J Endocrinol 2007;156:585, DOI 10.1530/EJE-06-0714).

Each input is moved to its low and high value with the others central; the effects on the output
(log-ratios) of independent inputs are added in quadrature (:func:`rss_band`) [A: independent
sources of spread, each a central 95 % range]. With one source of spread (e.g. an assumed SHBG and
nothing else uncertain) the band is exactly the output at that input's low and high values.

With a **measured** SHBG the band narrows to what the assay and the model carry: the assay
imprecision of each measured input (above) and the scatter of the model itself. Fiers et al.
(JCEM 2018;103(6):2167–74, DOI 10.1210/jc.2017-02360, abstract [V]) found calculated free T
(Vermeulen) ÷ free T by direct equilibrium dialysis in European Male Ageing Study men to have a
median of 1.19 and a 2.5th–97.5th percentile range of 0.90–1.47, not affected by SHBG, T or albumin.
The systematic +19 % stays (it is stated in the assumptions: the number is a *calculated* free T);
the scatter around it gives the factors 1.19/1.47 = 0.810 and 1.19/0.90 = 1.322 on free T, on
bioavailable T (free T × a constant) and on the free T that drives the predictor's free E2 [D].
When SHBG is assumed, the population spread of SHBG dominates and the model scatter is not added
on top [A].
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, NamedTuple

__all__ = [
    "DEFAULT_SPREAD",
    "InputRange",
    "ShbgInterval",
    "SpreadParameters",
    "albumin_range",
    "rss_band",
    "shbg_population_interval",
    "shbg_range",
    "total_t_range",
]


class ShbgInterval(NamedTuple):
    """Central 95 % of SHBG [nmol/L] for men aged ``age_min`` ≤ age < ``age_max`` [years]."""

    age_min: float
    age_max: float
    low_nmol_l: float
    high_nmol_l: float
    source: str


class InputRange(NamedTuple):
    """Low and high value of one input [its unit] and why."""

    low: float
    high: float
    basis: str


_ALLINA = (
    "Allina Health Laboratories test catalogue, SHBG by electrochemiluminescence immunoassay "
    "(ECLIA)"
)


@dataclass(frozen=True)
class SpreadParameters:
    """Input spreads behind the bands (see the module docstring for every source).

    Attributes
    ----------
    shbg_intervals
        SHBG reference intervals of men by age [nmol/L] [V, laboratory reference intervals].
    albumin_low_g_dl, albumin_high_g_dl
        Normal range of serum albumin [g/dL]: 3.5–5.0 by electrophoresis, NKF KDOQI Clinical
        Practice Guidelines for Nutrition in Chronic Renal Failure (2000), Appendix I [V].
    dose_total_t_low_ratio, dose_total_t_high_ratio
        Spread of total T around a dose's mean trough [dimensionless]: 264/531 and 916/531, the
        2.5th and 97.5th percentiles ÷ the median of the harmonized reference range of nonobese men
        19–39 y (Travison 2017, DOI 10.1210/jc.2016-2935) [V numbers, A use].
    assay_cv
        Analytical coefficient of variation of a measured total T, SHBG or albumin
        [dimensionless]: 0.05 [A, not sourced].
    coverage_z
        Multiplier of the CV for a measured value [dimensionless]: 1.96 (central 95 % of a normal
        error) [A].
    cft_ed_ratio_median, cft_ed_ratio_low, cft_ed_ratio_high
        Calculated (Vermeulen) ÷ equilibrium-dialysis free T in men: median 1.19, 2.5th–97.5th
        percentile 0.90–1.47 [dimensionless] (Fiers 2018, abstract) [V].
    """

    shbg_intervals: tuple[ShbgInterval, ...] = (
        ShbgInterval(0.0, 50.0, 16.5, 55.9, f"{_ALLINA}, men 20–49 y"),
        ShbgInterval(50.0, float("inf"), 19.3, 76.4, f"{_ALLINA}, men > 49 y"),
    )
    albumin_low_g_dl: float = 3.5
    albumin_high_g_dl: float = 5.0
    dose_total_t_low_ratio: float = 264.0 / 531.0
    dose_total_t_high_ratio: float = 916.0 / 531.0
    assay_cv: float = 0.05
    coverage_z: float = 1.96
    cft_ed_ratio_median: float = 1.19
    cft_ed_ratio_low: float = 0.90
    cft_ed_ratio_high: float = 1.47

    @property
    def model_range(self) -> InputRange:
        """Factor on calculated free T for the model's own scatter (Fiers 2018) [dimensionless]."""
        return InputRange(
            self.cft_ed_ratio_median / self.cft_ed_ratio_high,
            self.cft_ed_ratio_median / self.cft_ed_ratio_low,
            f"model scatter: calculated ÷ dialysis free T {self.cft_ed_ratio_low:g}–"
            f"{self.cft_ed_ratio_high:g} around its median {self.cft_ed_ratio_median:g} "
            "(Fiers 2018)",
        )


#: The spreads documented in this module.
DEFAULT_SPREAD: Final = SpreadParameters()


def shbg_population_interval(
    age_years: float, spread: SpreadParameters = DEFAULT_SPREAD
) -> ShbgInterval:
    """SHBG reference interval of men of ``age_years`` [years] (see the module table).

    >>> shbg_population_interval(45)[2:4], shbg_population_interval(50)[2:4]
    ((16.5, 55.9), (19.3, 76.4))
    """
    for interval in spread.shbg_intervals:
        if interval.age_min <= age_years < interval.age_max:
            return interval
    return spread.shbg_intervals[-1]


def _measured(value: float, spread: SpreadParameters, what: str) -> InputRange:
    half = spread.coverage_z * spread.assay_cv
    return InputRange(
        value * (1.0 - half),
        value * (1.0 + half),
        f"{what} measured: ± {100 * half:.1f} % (assay CV {100 * spread.assay_cv:g} % [A])",
    )


def shbg_range(
    shbg_nmol_l: float,
    *,
    assumed: bool,
    age_years: float,
    spread: SpreadParameters = DEFAULT_SPREAD,
) -> InputRange:
    """Range of SHBG [nmol/L] behind the band: population interval when assumed, assay when measured.

    >>> shbg_range(40.9, assumed=True, age_years=45)[:2]
    (16.5, 55.9)
    >>> [round(x, 2) for x in shbg_range(40.0, assumed=False, age_years=45)[:2]]
    [36.08, 43.92]
    """
    if not assumed:
        return _measured(shbg_nmol_l, spread, "SHBG")
    iv = shbg_population_interval(age_years, spread)
    return InputRange(
        min(iv.low_nmol_l, shbg_nmol_l),
        max(iv.high_nmol_l, shbg_nmol_l),
        f"SHBG assumed: {iv.low_nmol_l:g}–{iv.high_nmol_l:g} nmol/L, central 95 % of men of "
        f"that age ({iv.source})",
    )


def albumin_range(
    albumin_g_dl: float, *, assumed: bool, spread: SpreadParameters = DEFAULT_SPREAD
) -> InputRange:
    """Range of albumin [g/dL] behind the band: normal range when assumed, assay when measured.

    >>> albumin_range(4.3, assumed=True)[:2]
    (3.5, 5.0)
    """
    if not assumed:
        return _measured(albumin_g_dl, spread, "albumin")
    return InputRange(
        min(spread.albumin_low_g_dl, albumin_g_dl),
        max(spread.albumin_high_g_dl, albumin_g_dl),
        f"albumin assumed: {spread.albumin_low_g_dl:g}–{spread.albumin_high_g_dl:g} g/dL, the "
        "normal range by electrophoresis (NKF KDOQI 2000, Appendix I)",
    )


def total_t_range(
    total_t_ng_dl: float, *, from_dose: bool, spread: SpreadParameters = DEFAULT_SPREAD
) -> InputRange:
    """Range of total T [ng/dL] behind the band: population spread at a dose, else assay.

    >>> [round(x) for x in total_t_range(542.0, from_dose=True)[:2]]
    [269, 935]
    """
    if not from_dose:
        return _measured(total_t_ng_dl, spread, "total T")
    return InputRange(
        total_t_ng_dl * spread.dose_total_t_low_ratio,
        total_t_ng_dl * spread.dose_total_t_high_ratio,
        f"total T from a dose: × {spread.dose_total_t_low_ratio:.3f} … × "
        f"{spread.dose_total_t_high_ratio:.3f} (spread of the harmonized reference range, "
        "Travison 2017, applied around the mean trough [A])",
    )


def rss_band(
    model: Callable[..., Sequence[float]],
    central: Sequence[float],
    ranges: Sequence[InputRange],
) -> list[tuple[float, float]]:
    """Band of each output of ``model``: one-at-a-time input effects combined in quadrature.

    For each input *i* the model is run with that input at its low and at its high value, the others
    central; the log-ratios to the central output that fall below (``d_i``) and above (``u_i``)
    are combined as ``low = y · exp(−√Σ d_i²)``, ``high = y · exp(+√Σ u_i²)``: independent
    sources of spread, each a central 95 % range, added in quadrature on the log scale [A]. With
    one source of spread the band is exactly the output at that input's low and high values.

    Parameters
    ----------
    model
        Called with one value per range (positional, in the order of ``ranges``); returns a
        sequence of positive outputs.
    central
        Central value of each input.
    ranges
        Low and high value of each input.

    Returns
    -------
    list of (low, high)
        One pair per output of ``model``.

    >>> [tuple(round(v, 3) for v in b) for b in rss_band(
    ...     lambda a, b: (a * b,), [1.0, 1.0], [InputRange(0.5, 2.0, ""), InputRange(1.0, 1.0, "")])]
    [(0.5, 2.0)]
    >>> [tuple(round(v, 3) for v in b) for b in rss_band(
    ...     lambda a, b: (a * b,), [1.0, 1.0], [InputRange(0.5, 2.0, ""), InputRange(0.5, 2.0, "")])]
    [(0.375, 2.665)]
    """
    y0 = list(model(*central))
    down2 = [0.0] * len(y0)
    up2 = [0.0] * len(y0)
    for i, r in enumerate(ranges):
        logs: list[list[float]] = [[] for _ in y0]
        for value in (r.low, r.high):
            args = list(central)
            args[i] = value
            for k, (y, ref) in enumerate(zip(model(*args), y0, strict=True)):
                logs[k].append(math.log(y / ref))
        for k, lr in enumerate(logs):
            down2[k] += min(0.0, *lr) ** 2
            up2[k] += max(0.0, *lr) ** 2
    return [
        (y * math.exp(-math.sqrt(d2)), y * math.exp(math.sqrt(u2)))
        for y, d2, u2 in zip(y0, down2, up2, strict=True)
    ]
