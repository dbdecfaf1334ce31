"""Reference ranges (display only) and the flags of the predictor (docs/methods/hormones.md §4, §5.7).

Each range names its population, method and source. They are shown next to the predictions; they
are not used in any calculation.
"""

from __future__ import annotations

from typing import Final, NamedTuple

__all__ = [
    "REFERENCE_RANGES",
    "SUPRAPHYSIOLOGIC_TT_NG_DL",
    "TRIAL_AGE_RANGE_YEARS",
    "TRIAL_MAX_MEAN_NADIR_TT_NG_DL",
    "ReferenceRange",
    "prediction_flags",
]


class ReferenceRange(NamedTuple):
    """A reference interval ``low``–``high`` in ``unit`` with its population and source."""

    low: float
    high: float
    unit: str
    population: str
    source: str


#: Reference ranges shown with the results.
REFERENCE_RANGES: Final[dict[str, ReferenceRange]] = {
    "total_testosterone": ReferenceRange(
        264.0,
        916.0,
        "ng/dL",
        "2.5th–97.5th percentile, harmonized (CDC-traceable), nonobese men 19–39 y",
        "Travison TG et al. JCEM 2017;102:1161-73, DOI 10.1210/jc.2016-2935",
    ),
    "free_testosterone": ReferenceRange(
        70.0,
        float("inf"),
        "pg/mL",
        "2.5th percentile of calculated free T (mean 141.8, median 134 pg/mL), Framingham "
        "Generation 3 men 19–40 y, LC-MS/MS",
        "Bhasin S et al. JCEM 2011;96:2430-9, DOI 10.1210/jc.2010-3012",
    ),
    "estradiol": ReferenceRange(
        3.3,
        37.0,
        "pg/mL",
        "men, CDC-traceable LC-MS/MS (12–136 pmol/L)",
        "Verdonk SJE et al. Clin Chim Acta 2019;495:198-204",
    ),
    "dht": ReferenceRange(
        11.2,
        95.5,
        "ng/dL",
        "men > 19 y, LC-MS/MS (112–955 pg/mL)",
        "Mayo Clinic test DHTES (Inova Laboratories test catalogue)",
    ),
}

#: Total T above which the input is beyond typical TRT [ng/dL] (docs/methods/hormones.md §5.7, [A]).
SUPRAPHYSIOLOGIC_TT_NG_DL: Final = 1500.0
#: Mean nadir total T at the highest trial dose, 600 mg/week (Bhasin 2001) [ng/dL].
TRIAL_MAX_MEAN_NADIR_TT_NG_DL: Final = 2370.0
#: Ages of the men in Lakshman 2010 (young 19–35, older 59–75 y) [years].
TRIAL_AGE_RANGE_YEARS: Final = (19.0, 75.0)


def prediction_flags(
    *,
    total_t_ng_dl: float,
    age_years: float | None,
    shbg_given: bool,
    dose_mg_week: float | None,
    estradiol_observed_to_predicted: float | None,
    dht_observed_to_predicted: float | None,
    band_factor: float,
) -> tuple[str, ...]:
    """The notices a prediction carries, as sentences (docs/methods/hormones.md §5.7, §6 item 6).

    Parameters
    ----------
    total_t_ng_dl
        Total testosterone used [ng/dL].
    age_years
        Age as given [years], or ``None``.
    shbg_given
        Whether SHBG was measured (else the age-based default was used).
    dose_mg_week
        Weekly testosterone-enanthate dose [mg/week], or ``None``.
    estradiol_observed_to_predicted, dht_observed_to_predicted
        Measured ÷ predicted [dimensionless], or ``None``.
    band_factor
        Width of the band, ×/÷ [dimensionless].

    Returns
    -------
    tuple of str

    >>> [f.split(":")[0] for f in prediction_flags(total_t_ng_dl=2500, age_years=80, shbg_given=False,
    ...     dose_mg_week=None, estradiol_observed_to_predicted=None, dht_observed_to_predicted=None,
    ...     band_factor=1.6)]  # doctest: +NORMALIZE_WHITESPACE
    ['supraphysiologic total T', 'beyond the trial', 'age outside the trial', 'SHBG default at high T',
     'assay', 'sample timing']
    """
    flags: list[str] = []
    tt_range = REFERENCE_RANGES["total_testosterone"]
    if total_t_ng_dl > SUPRAPHYSIOLOGIC_TT_NG_DL:
        flags.append(
            f"supraphysiologic total T: {total_t_ng_dl:.0f} ng/dL is above "
            f"{SUPRAPHYSIOLOGIC_TT_NG_DL:.0f} ng/dL, beyond typical TRT; E2 and DHT extrapolate "
            "the saturable kinetics and depend strongly on the free-T scale (KM_SCALE)."
        )
    elif total_t_ng_dl > tt_range.high:
        flags.append(
            f"high total T: {total_t_ng_dl:.0f} ng/dL is above the reference range "
            f"{tt_range.low:.0f}–{tt_range.high:.0f} ng/dL (Travison 2017, men 19–39 y)."
        )
    elif total_t_ng_dl < tt_range.low:
        flags.append(
            f"low total T: {total_t_ng_dl:.0f} ng/dL is below the reference range "
            f"{tt_range.low:.0f}–{tt_range.high:.0f} ng/dL (Travison 2017, men 19–39 y)."
        )
    if total_t_ng_dl > TRIAL_MAX_MEAN_NADIR_TT_NG_DL:
        flags.append(
            f"beyond the trial: total T above {TRIAL_MAX_MEAN_NADIR_TT_NG_DL:.0f} ng/dL, the mean "
            "trough at the highest trial dose (600 mg/week, Bhasin 2001): extrapolation."
        )
    lo, hi = TRIAL_AGE_RANGE_YEARS
    if age_years is not None and not lo <= age_years <= hi:
        flags.append(
            f"age outside the trial: {age_years:g} y is outside the ages studied "
            f"({lo:.0f}–{hi:.0f} y, Lakshman 2010): extrapolation."
        )
    if not shbg_given and total_t_ng_dl > tt_range.high:
        flags.append(
            "SHBG default at high T: SHBG falls on high-dose testosterone (magnitude unknown), so "
            "the baseline SHBG default may under-estimate free T; enter a measured SHBG."
        )
    if dose_mg_week is not None:
        flags.append(
            "population mean: total T from the dose is the mean trough of young men in Bhasin 2001; "
            "individual troughs vary widely, and older men reached higher T on the same dose "
            "(Coviello 2006): measure total T."
        )
    for name, ratio in (
        ("estradiol", estradiol_observed_to_predicted),
        ("DHT", dht_observed_to_predicted),
    ):
        if ratio is None:
            continue
        if ratio > band_factor or ratio < 1.0 / band_factor:
            side = "above" if ratio > 1.0 else "below"
            flags.append(
                f"observed {name} {side} the band: measured is {ratio:.2f}× the prediction "
                f"(band ×/÷ {band_factor:g}); individual {'aromatase' if name == 'estradiol' else '5α-reductase'} "
                "activity differs from the population mean, or the assay differs (immunoassay)."
            )
    flags.append(
        "assay: E2 and DHT are LC-MS/MS-equivalent; immunoassay E2 in men reads higher "
        "(NHANES immunoassay medians ~23–29 pg/mL vs LC-MS/MS means ~20 pg/mL)."
    )
    flags.append(
        "sample timing: predictions refer to a sample drawn at the same time as the total T; the "
        "trial data are trough (pre-injection) levels, so compare trough with trough."
    )
    return tuple(flags)
