"""The TRT Hormone Predictor: estradiol and DHT from total testosterone (docs/methods/hormones.md §5).

Chain of models (the equations of docs/methods/hormones.md §5.1):

1. Free T by Vermeulen 1999 (:func:`endolab.hormones.free_testosterone.vermeulen_1999`) from total T,
   SHBG (measured, or the age-based default of :mod:`endolab.hormones.defaults`) and albumin.
2. Free E2 by the saturable Michaelis–Menten kinetics of Lakshman 2010 on free T
   (:func:`free_estradiol_lakshman_2010`), with the E2 Vmax 40 % higher in older men
   (:func:`aromatase_age_factor`); total E2 = free E2 ÷ the free E2 fraction of Södergård 1982 with T
   competing for SHBG (:func:`endolab.hormones.free_estradiol.free_e2_fraction_sodergard_1982`).
3. DHT by the Lakshman 2010 Michaelis–Menten kinetics with no age effect
   (:func:`dht_lakshman_2010`).

Lakshman KM, Kaplan B, Travison TG, et al. The effects of injected testosterone dose and age on the
conversion of testosterone to estradiol and dihydrotestosterone in young and older men. J Clin
Endocrinol Metab 2010;95(8):3955–64, DOI 10.1210/jc.2010-0102, PMID 20534765. Only the abstract was
read: in-vivo Km 1.83 nM (aromatase) and 3.35 nM (5α-reductase) on free T, E2 Vmax 40 % higher in
older men, DHT Vmax not age-dependent. The paper's Vmax values are not available, so the two scale
constants (``vmax_e2_young``, ``c_dht``) are **calibrated** [A] to published LC-MS/MS population
anchors (docs/methods/hormones.md §5.4): the Health In Men Study mean E2 and a DHT:T mass ratio of 1:13. Every constant is a
field of :class:`PredictorParameters`, which a caller can replace.

The predictions are LC-MS/MS-equivalent population estimates; the band (×/÷ 1.6) is an assumption
[A, not sourced]: in Framingham men, age, BMI, T and other factors explained only ~18 % of the
variance of E2 (Jasuja et al.), so any T-only prediction has a wide individual error.

Choices of this project beyond the design notes the predictor was first written from (each is
listed in docs/methods/hormones.md; none changes a published test vector):

* The calibrated constants are computed, not typed in: 13.2685 pmol/L and 0.285697 nmol/L with the
  spec's anchors (the spec's rounded 13.27 / 0.2857 differ by < 0.02 %), so that a changed Km,
  KM_SCALE, anchor or binding constant recalibrates as in docs/methods/hormones.md §5.6.
* The band ×/÷ 1.6 is applied to DHT as well as E2 (issue 2 asks for both; the spec states it in the
  E2 context) — equally unsourced [A].
* The dose → trough total T is interpolated linearly between the five Bhasin 2001 doses [A]; the
  spec gives only the five means.
* The accepted ranges of measured E2 (0.5–1000 pg/mL) and DHT (1–1000 ng/dL) are this project's
  [A]; the spec gives none.
* Flags for total T below/above the reference range 264–916 ng/dL (Travison 2017) and for a default
  SHBG with a high total T (docs/methods/hormones.md §3 caveat) are added to the docs/methods/hormones.md §5.7 flags.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Final, NamedTuple

from endolab import units
from endolab.hormones import _validate, bands, messages
from endolab.hormones.defaults import (
    DEFAULT_AGE_YEARS,
    DEFAULT_ALBUMIN_G_DL,
    OLDER_AGE_MIN_YEARS,
    SHBG_OLDER_NMOL_L,
    SHBG_YOUNG_NMOL_L,
    YOUNG_AGE_MAX_YEARS,
    age_weight,
)
from endolab.hormones.dose import BHASIN_2001_NADIR_TT_NG_DL, trough_total_t_bhasin_2001
from endolab.hormones.free_estradiol import K_ALBUMIN_E2, K_SHBG_E2, free_e2_fraction_sodergard_1982
from endolab.hormones.free_testosterone import BINDING_CONSTANTS, mass_action_free_t
from endolab.hormones.reference import prediction_flags
from endolab.hormones.results import HormonePrediction

__all__ = [
    "DEFAULT_PARAMETERS",
    "HormoneLevels",
    "PredictionBands",
    "PredictorInputs",
    "PredictorParameters",
    "aromatase_age_factor",
    "calibrate_c_dht",
    "calibrate_vmax_e2_young",
    "default_shbg",
    "dht_lakshman_2010",
    "free_estradiol_lakshman_2010",
    "parse_inputs",
    "predict",
    "predict_levels",
    "prediction_assumptions",
    "prediction_bands",
]


@dataclass(frozen=True)
class PredictorParameters:
    """Every constant of the predictor, with its source. Replace any with ``dataclasses.replace``.

    Attributes
    ----------
    km_aromatase_nmol_l
        In-vivo Km of aromatase on free T [nmol/L]: 1.83 (Lakshman 2010 abstract) [V].
    km_5ar_nmol_l
        In-vivo Km of 5α-reductase on free T [nmol/L]: 3.35 (Lakshman 2010 abstract) [V].
    km_scale
        Multiplier of both Km [dimensionless]: 1.0 feeds Vermeulen cFT straight into the kinetics
        [A]. The Km are on the trial's free-T scale; cFT-Vermeulen reads 1.19× equilibrium dialysis
        (Fiers 2018), and 1.16–2.1× the cohort's reported free T (Coviello 2006). The calibrated
        constants are recalibrated for any value (docs/methods/hormones.md §5.6).
    older_vmax_e2_factor
        E2 Vmax of older ÷ young men [dimensionless]: 1.40 (Lakshman 2010 abstract, "40 % higher") [V].
    young_age_max_years, older_age_min_years
        Age groups of Lakshman 2010 (19–35, 59–75 y) [years]; the age factor and the SHBG default
        are interpolated linearly between them [A].
    default_age_years
        Age used when none is given [years]: 47, the midpoint of 35 and 59 [A].
    shbg_young_nmol_l, shbg_older_nmol_l
        Default SHBG of young / older men [nmol/L]: 33 and 52 (Coviello 2006 baselines) [V].
    default_albumin_g_dl
        Albumin when none is given [g/dL]: 4.3 (ISSAM / Vermeulen) [V].
    vmax_e2_young_pmol_l
        Young-men E2 Vmax, as free E2 [pmol/L]; ``None`` (default) calibrates it to the E2 anchor
        with :func:`calibrate_vmax_e2_young` (13.2685 pmol/L with the defaults) [D].
    c_dht_nmol_l
        DHT scale constant [nmol/L]; ``None`` (default) calibrates it to the DHT anchor with
        :func:`calibrate_c_dht` (0.285697 nmol/L with the defaults) [D].
    e2_anchor_total_t_nmol_l, e2_anchor_estradiol_pmol_l, e2_anchor_shbg_nmol_l,
    e2_anchor_albumin_g_dl, e2_anchor_age_years
        E2 calibration anchor: Health In Men Study (older men, LC-MS/MS) mean TT 13.1 nmol/L and mean
        E2 73.4 pmol/L [V, Yeap et al., abstract via a secondary repost]; SHBG 52 nmol/L, albumin
        4.3 g/dL and age 70 y (age factor 1.4) assumed [A].
    dht_anchor_mass_ratio, dht_anchor_total_t_ng_dl, dht_anchor_shbg_nmol_l, dht_anchor_albumin_g_dl
        DHT calibration anchor: DHT:T = 1:13 by mass in healthy men by LC-MS/MS (Huang, Bhasin et al.
        2022, abstract) [V] at the harmonized median TT 531 ng/dL (Travison 2017) [V], SHBG
        33 nmol/L and albumin 4.3 g/dL [A].
    band_factor
        Width of the E2 and DHT band, ×/÷ [dimensionless]: 1.6 (≈ central 80 %) [A, not sourced].
    k_shbg_t, k_albumin_t
        Association constants of T with SHBG and albumin [L/mol]: Vermeulen 1999 (1.0e9, 3.6e4) [V2].
    k_shbg_e2, k_albumin_e2
        Association constants of E2 with SHBG and albumin [L/mol]: Södergård 1982 (3.14e8, 4.21e4) [V2].
    albumin_molar_mass_g_mol
        Albumin molar mass [g/mol]: 69,000 (Vermeulen / ISSAM) [V].
    """

    km_aromatase_nmol_l: float = 1.83
    km_5ar_nmol_l: float = 3.35
    km_scale: float = 1.0
    older_vmax_e2_factor: float = 1.4
    young_age_max_years: float = YOUNG_AGE_MAX_YEARS
    older_age_min_years: float = OLDER_AGE_MIN_YEARS
    default_age_years: float = DEFAULT_AGE_YEARS
    shbg_young_nmol_l: float = SHBG_YOUNG_NMOL_L
    shbg_older_nmol_l: float = SHBG_OLDER_NMOL_L
    default_albumin_g_dl: float = DEFAULT_ALBUMIN_G_DL
    vmax_e2_young_pmol_l: float | None = None
    c_dht_nmol_l: float | None = None
    e2_anchor_total_t_nmol_l: float = 13.1
    e2_anchor_estradiol_pmol_l: float = 73.4
    e2_anchor_shbg_nmol_l: float = 52.0
    e2_anchor_albumin_g_dl: float = 4.3
    e2_anchor_age_years: float = 70.0
    dht_anchor_mass_ratio: float = 1.0 / 13.0
    dht_anchor_total_t_ng_dl: float = 531.0
    dht_anchor_shbg_nmol_l: float = 33.0
    dht_anchor_albumin_g_dl: float = 4.3
    band_factor: float = 1.6
    k_shbg_t: float = BINDING_CONSTANTS["vermeulen1999"].k_shbg
    k_albumin_t: float = BINDING_CONSTANTS["vermeulen1999"].k_albumin
    k_shbg_e2: float = K_SHBG_E2
    k_albumin_e2: float = K_ALBUMIN_E2
    albumin_molar_mass_g_mol: float = units.ALBUMIN_MOLAR_MASS_G_PER_MOL


#: The parameters of the spec (docs/methods/hormones.md §5.2).
DEFAULT_PARAMETERS: Final = PredictorParameters()


def aromatase_age_factor(age: float, params: PredictorParameters = DEFAULT_PARAMETERS) -> float:
    """Multiplier of the young-men aromatase (E2) Vmax for a man of ``age``.

    1.0 at ≤ 35 y, ``older_vmax_e2_factor`` (1.4, Lakshman 2010: "Vmax for E2 40 % higher in older
    men") at ≥ 59 y, linear between [A].

    Parameters
    ----------
    age
        Age [years].
    params
        Predictor parameters.

    Returns
    -------
    float
        Factor [dimensionless].

    References
    ----------
    Lakshman KM, Kaplan B, Travison TG, et al. The effects of injected testosterone dose and age on
    the conversion of testosterone to estradiol and dihydrotestosterone in young and older men. J Clin
    Endocrinol Metab 2010;95(8):3955–3964, doi:10.1210/jc.2010-0102, PMID 20534765 (abstract).
    The 35 → 59 y linear interpolation is an assumption [A].

    >>> aromatase_age_factor(30), aromatase_age_factor(47), aromatase_age_factor(70)
    (1.0, 1.2, 1.4)
    """
    w = age_weight(age, young_max=params.young_age_max_years, older_min=params.older_age_min_years)
    return 1.0 + w * (params.older_vmax_e2_factor - 1.0)


def default_shbg(age: float | None, params: PredictorParameters = DEFAULT_PARAMETERS) -> float:
    """SHBG [nmol/L] assumed for ``age`` [years] (``None`` → the default age), per ``params``.

    >>> default_shbg(47)
    42.5
    """
    w = age_weight(
        params.default_age_years if age is None else age,
        young_max=params.young_age_max_years,
        older_min=params.older_age_min_years,
    )
    return params.shbg_young_nmol_l + w * (params.shbg_older_nmol_l - params.shbg_young_nmol_l)


def free_estradiol_lakshman_2010(free_t_nmol_l: float, *, vmax: float, km_nmol_l: float) -> float:
    """Free estradiol from free testosterone by saturable Michaelis–Menten kinetics.

    ``free_E2 = Vmax · FT / (Km + FT)`` (docs/methods/hormones.md §5.1), the model class reported by
    Lakshman et al. JCEM 2010;95(8):3955–64, DOI 10.1210/jc.2010-0102 (abstract: "saturable
    Michaelis–Menten kinetics", in-vivo aromatase Km 1.83 nM).

    Parameters
    ----------
    free_t_nmol_l
        Free testosterone [nmol/L].
    vmax
        Maximal free E2 [any unit; the result has the same unit], already multiplied by the age factor.
    km_nmol_l
        Aromatase Km on free T [nmol/L].

    Returns
    -------
    float
        Free estradiol [unit of ``vmax``].

    >>> free_estradiol_lakshman_2010(1.83, vmax=10.0, km_nmol_l=1.83)
    5.0
    """
    return vmax * free_t_nmol_l / (km_nmol_l + free_t_nmol_l)


def dht_lakshman_2010(
    total_t_nmol_l: float, free_t_nmol_l: float, *, c_dht_nmol_l: float, km_nmol_l: float
) -> float:
    """Total DHT from total and free testosterone by saturable Michaelis–Menten kinetics.

    ``DHT = C_DHT · TT / (Km + FT)`` (docs/methods/hormones.md §5.1): Michaelis–Menten on free T
    (Lakshman 2010, in-vivo 5α-reductase Km 3.35 nM, Vmax not age-dependent), with the free-DHT
    fraction taken proportional to the free-T fraction (≈ 0.51×, Pirke & Doerr 1975), so that the
    proportionality cancels into the calibrated constant ``C_DHT``.

    Parameters
    ----------
    total_t_nmol_l
        Total testosterone [nmol/L].
    free_t_nmol_l
        Free testosterone [nmol/L].
    c_dht_nmol_l
        Calibrated scale constant [nmol/L].
    km_nmol_l
        5α-reductase Km on free T [nmol/L].

    Returns
    -------
    float
        Total DHT [nmol/L].

    References
    ----------
    Lakshman KM, Kaplan B, Travison TG, et al. The effects of injected testosterone dose and age on
    the conversion of testosterone to estradiol and dihydrotestosterone in young and older men. J Clin
    Endocrinol Metab 2010;95(8):3955–3964, doi:10.1210/jc.2010-0102, PMID 20534765 (abstract).
    Pirke KM, Doerr P. Acta Endocrinol 1975;80 (free DHT vs free T fraction) [no DOI: 1975 print].

    >>> dht_lakshman_2010(10.0, 0.65, c_dht_nmol_l=0.4, km_nmol_l=3.35)
    1.0
    """
    return c_dht_nmol_l * total_t_nmol_l / (km_nmol_l + free_t_nmol_l)


def _free_t_nmol_l(
    tt_nmol_l: float, shbg_nmol_l: float, alb_g_dl: float, p: PredictorParameters
) -> float:
    alb = alb_g_dl * 10.0 / p.albumin_molar_mass_g_mol
    ft = mass_action_free_t(
        tt_nmol_l * 1e-9, shbg_nmol_l * 1e-9, alb, k_shbg=p.k_shbg_t, k_albumin=p.k_albumin_t
    )
    return ft * 1e9


def _free_e2_fraction(
    ft_nmol_l: float, shbg_nmol_l: float, alb_g_dl: float, p: PredictorParameters
) -> float:
    return free_e2_fraction_sodergard_1982(
        ft_nmol_l * 1e-9,
        shbg_nmol_l * 1e-9,
        alb_g_dl * 10.0 / p.albumin_molar_mass_g_mol,
        k_shbg_t=p.k_shbg_t,
        k_shbg_e2=p.k_shbg_e2,
        k_albumin_e2=p.k_albumin_e2,
    )


@functools.lru_cache(maxsize=32)
def calibrate_vmax_e2_young(params: PredictorParameters = DEFAULT_PARAMETERS) -> float:
    """Young-men E2 Vmax [pmol/L free E2] calibrated to the E2 anchor (docs/methods/hormones.md §5.4).

    At the anchor (HIMS mean TT 13.1 nmol/L, mean E2 73.4 pmol/L; SHBG 52 nmol/L, albumin 4.3 g/dL,
    age 70 y [A]): free E2 = 73.4 pmol/L × f_E2; ``Vmax_old = freeE2·(Km + FT)/FT``;
    ``Vmax_young = Vmax_old / age factor(70 y)``. Km is ``km_aromatase_nmol_l × km_scale``.

    Parameters
    ----------
    params
        Predictor parameters (anchors, Km, binding constants).

    Returns
    -------
    float
        Vmax of young men [pmol/L] (13.2685 with the defaults; 18.5759 in older men).

    >>> round(calibrate_vmax_e2_young(), 4)
    13.2685
    """
    p = params
    ft = _free_t_nmol_l(
        p.e2_anchor_total_t_nmol_l, p.e2_anchor_shbg_nmol_l, p.e2_anchor_albumin_g_dl, p
    )
    free_e2 = p.e2_anchor_estradiol_pmol_l * _free_e2_fraction(
        ft, p.e2_anchor_shbg_nmol_l, p.e2_anchor_albumin_g_dl, p
    )
    km = p.km_aromatase_nmol_l * p.km_scale
    vmax_anchor = free_e2 * (km + ft) / ft
    return vmax_anchor / aromatase_age_factor(p.e2_anchor_age_years, p)


@functools.lru_cache(maxsize=32)
def calibrate_c_dht(params: PredictorParameters = DEFAULT_PARAMETERS) -> float:
    """DHT scale constant ``C_DHT`` [nmol/L] calibrated to the DHT anchor (docs/methods/hormones.md §5.4).

    ``C_DHT = ratio_molar · (Km + FT)`` at TT 531 ng/dL, SHBG 33 nmol/L, albumin 4.3 g/dL, where
    ``ratio_molar = (1/13) × 28.84 / 29.044`` (the DHT:T mass ratio 1:13 turned molar).
    Km is ``km_5ar_nmol_l × km_scale``.

    Parameters
    ----------
    params
        Predictor parameters.

    Returns
    -------
    float
        C_DHT [nmol/L] (0.285697 with the defaults).

    >>> round(calibrate_c_dht(), 6)
    0.285697
    """
    p = params
    tt = p.dht_anchor_total_t_ng_dl / units.TESTOSTERONE_NG_DL_PER_NMOL_L
    ft = _free_t_nmol_l(tt, p.dht_anchor_shbg_nmol_l, p.dht_anchor_albumin_g_dl, p)
    ratio_molar = (
        p.dht_anchor_mass_ratio * units.TESTOSTERONE_NG_DL_PER_NMOL_L / units.DHT_NG_DL_PER_NMOL_L
    )
    return ratio_molar * (p.km_5ar_nmol_l * p.km_scale + ft)


class HormoneLevels(NamedTuple):
    """Numbers of one prediction (no checks, no text); see :func:`predict_levels`."""

    free_testosterone_nmol_l: float
    free_testosterone_percent: float
    bioavailable_testosterone_nmol_l: float
    aromatase_age_factor: float
    free_estradiol_pmol_l: float
    estradiol_pmol_l: float
    dht_nmol_l: float


def predict_levels(
    total_t_ng_dl: float,
    shbg_nmol_l: float,
    albumin_g_dl: float,
    age_years: float,
    params: PredictorParameters = DEFAULT_PARAMETERS,
    *,
    free_t_factor: float = 1.0,
) -> HormoneLevels:
    """The equations of docs/methods/hormones.md §5.1 on checked inputs (no defaults, no validation).

    Parameters
    ----------
    total_t_ng_dl
        Total testosterone [ng/dL].
    shbg_nmol_l
        SHBG [nmol/L].
    albumin_g_dl
        Albumin [g/dL].
    age_years
        Age [years].
    params
        Predictor parameters.
    free_t_factor
        Multiplier of the calculated free T before anything is derived from it [dimensionless];
        1.0 except when :mod:`endolab.hormones.bands` spans the model's own scatter.

    Returns
    -------
    HormoneLevels
        Free T [nmol/L, %], bioavailable T [nmol/L], the aromatase age factor, free and total E2
        [pmol/L], total DHT [nmol/L].

    docs/methods/hormones.md §5.5 (age 30, TT 500 ng/dL, SHBG 33): E2 20.9 pg/mL, DHT 38.7 ng/dL.

    >>> lv = predict_levels(500, 33, 4.3, 30)
    >>> f"{lv.estradiol_pmol_l / 3.6714:.1f} pg/mL, {lv.dht_nmol_l * 29.044:.1f} ng/dL"
    '20.9 pg/mL, 38.7 ng/dL'
    """
    p = params
    tt = total_t_ng_dl / units.TESTOSTERONE_NG_DL_PER_NMOL_L
    ft = _free_t_nmol_l(tt, shbg_nmol_l, albumin_g_dl, p) * free_t_factor
    n = 1.0 + p.k_albumin_t * albumin_g_dl * 10.0 / p.albumin_molar_mass_g_mol
    fa = aromatase_age_factor(age_years, p)
    vmax_young = (
        calibrate_vmax_e2_young(p) if p.vmax_e2_young_pmol_l is None else p.vmax_e2_young_pmol_l
    )
    free_e2 = free_estradiol_lakshman_2010(
        ft, vmax=vmax_young * fa, km_nmol_l=p.km_aromatase_nmol_l * p.km_scale
    )
    total_e2 = free_e2 / _free_e2_fraction(ft, shbg_nmol_l, albumin_g_dl, p)
    c_dht = calibrate_c_dht(p) if p.c_dht_nmol_l is None else p.c_dht_nmol_l
    dht = dht_lakshman_2010(tt, ft, c_dht_nmol_l=c_dht, km_nmol_l=p.km_5ar_nmol_l * p.km_scale)
    return HormoneLevels(
        free_testosterone_nmol_l=ft,
        free_testosterone_percent=100.0 * ft / tt,
        bioavailable_testosterone_nmol_l=n * ft,
        aromatase_age_factor=fa,
        free_estradiol_pmol_l=free_e2,
        estradiol_pmol_l=total_e2,
        dht_nmol_l=dht,
    )


def predict(
    total_t: float | str | None = None,
    unit: str = "ng/dL",
    age: float | str | None = None,
    shbg: float | str | None = None,
    albumin: float | str | None = None,
    *,
    albumin_unit: str = "g/dL",
    dose_mg_week: float | str | None = None,
    measured_e2: float | str | None = None,
    e2_unit: str = "pg/mL",
    measured_dht: float | str | None = None,
    dht_unit: str = "ng/dL",
    parameters: PredictorParameters | None = None,
    spread: bands.SpreadParameters | None = None,
) -> HormonePrediction:
    """Predict free T, estradiol and DHT from total testosterone (the TRT Hormone Predictor).

    Applies the chain of docs/methods/hormones.md §5.1 (see the module docstring), fills in the defaults of
    docs/methods/hormones.md §3 (and says so in ``assumptions``), and raises the flags of docs/methods/hormones.md §5.7.
    The steps, each a function of its own: :func:`parse_inputs` (parse, check, default) →
    :func:`predict_levels` (the equations) → :func:`prediction_bands` → :func:`prediction_assumptions`
    and the flags, worded by :mod:`endolab.hormones.messages` → the frozen result.

    Parameters
    ----------
    total_t
        Total testosterone, in ``unit`` [ng/dL by default; or nmol/L]; accepted 50–3000 ng/dL.
        Leave ``None`` and give ``dose_mg_week`` to start from a dose instead.
    unit
        Unit of ``total_t``: ``"ng/dL"`` or ``"nmol/L"`` (1 nmol/L = 28.84 ng/dL).
    age
        Age [years], accepted 18–90 years. ``None``: 47 y is assumed [A] for the SHBG default and the aromatase age
        factor.
    shbg
        Measured SHBG [nmol/L], accepted 5–150 nmol/L. ``None``: 33 nmol/L at ≤ 35 y, 52 nmol/L at ≥ 59 y, linear
        between (Coviello 2006 baselines; interpolation [A]).
    albumin
        Albumin, in ``albumin_unit`` [g/dL by default, as on the command line; or g/L], 2.5–5.5 g/dL.
        ``None``: 4.3 g/dL (ISSAM / Vermeulen default).
    albumin_unit
        ``"g/dL"`` or ``"g/L"``.
    dose_mg_week
        Weekly testosterone-enanthate dose [mg/week], accepted 25–600 mg/week: total T becomes the Bhasin 2001 mean
        trough for that dose (:func:`~endolab.hormones.dose.trough_total_t_bhasin_2001`), labelled
        as a population mean. Give either ``total_t`` or ``dose_mg_week``.
    measured_e2
        Measured total estradiol, in ``e2_unit`` [pg/mL by default; or pmol/L], 0.5–1000 pg/mL:
        adds observed ÷ predicted.
    e2_unit
        ``"pg/mL"`` or ``"pmol/L"`` (1 pg/mL = 3.6714 pmol/L).
    measured_dht
        Measured total DHT, in ``dht_unit`` [ng/dL by default; or nmol/L or pg/mL], 1–1000 ng/dL:
        adds observed ÷ predicted.
    dht_unit
        ``"ng/dL"``, ``"nmol/L"`` (1 nmol/L = 29.044 ng/dL) or ``"pg/mL"``.
    parameters
        Replace any constant of the model (:class:`PredictorParameters`); default: the spec's.
    spread
        Input spreads behind the free-T, bioavailable-T and free-E2 bands
        (:class:`endolab.hormones.bands.SpreadParameters`); default: the documented ones.

    Returns
    -------
    HormonePrediction
        Frozen result: free T [pg/mL, %], bioavailable T [ng/dL] and free E2 [pg/mL] with their
        band (population spread of SHBG at that age when SHBG is assumed; assay and model scatter
        when it is measured; the spread of total T as well in dose mode, see
        :mod:`endolab.hormones.bands`), E2 [pg/mL] and DHT [ng/dL] with their band, the SHBG and
        albumin used and whether each was assumed, ``assumptions`` and ``flags``.

    Raises
    ------
    endolab.errors.ParseError
        A value that is not a finite number, or an unknown unit (exit status 2).
    endolab.errors.InputError
        A value out of range, or neither / both of ``total_t`` and ``dose_mg_week`` (exit status 3).

    docs/methods/hormones.md §5.5, age 30, TT 500 ng/dL (SHBG default 33 nmol/L, albumin 4.3 g/dL):

    >>> r = predict(500, age=30)
    >>> f"FT {r.free_testosterone_pg_ml:.0f} pg/mL, E2 {r.estradiol_pg_ml:.1f} pg/mL, DHT {r.dht_ng_dl:.1f} ng/dL"
    'FT 105 pg/mL, E2 20.9 pg/mL, DHT 38.7 ng/dL'
    >>> r.shbg_nmol_l_used, r.albumin_g_dl_used
    (33.0, 4.3)
    """
    p = DEFAULT_PARAMETERS if parameters is None else parameters
    sp = bands.DEFAULT_SPREAD if spread is None else spread
    inp = parse_inputs(
        total_t,
        unit,
        age,
        shbg,
        albumin,
        albumin_unit=albumin_unit,
        dose_mg_week=dose_mg_week,
        measured_e2=measured_e2,
        e2_unit=e2_unit,
        measured_dht=measured_dht,
        dht_unit=dht_unit,
        parameters=p,
    )
    lv = predict_levels(inp.total_t_ng_dl, inp.shbg_nmol_l, inp.albumin_g_dl, inp.age_years, p)
    b = prediction_bands(inp, lv, p, sp)
    return HormonePrediction(
        total_testosterone_ng_dl=inp.total_t_ng_dl,
        age_years_used=inp.age_years,
        free_testosterone_nmol_l=lv.free_testosterone_nmol_l,
        free_testosterone_pg_ml=_free_t_pg_ml(lv.free_testosterone_nmol_l),
        free_testosterone_percent=lv.free_testosterone_percent,
        bioavailable_testosterone_ng_dl=lv.bioavailable_testosterone_nmol_l
        * units.TESTOSTERONE_NG_DL_PER_NMOL_L,
        estradiol_pg_ml=b.estradiol_pg_ml,
        estradiol_low_pg_ml=b.estradiol[0],
        estradiol_high_pg_ml=b.estradiol[1],
        free_estradiol_pg_ml=lv.free_estradiol_pmol_l / units.ESTRADIOL_PMOL_L_PER_PG_ML,
        dht_ng_dl=b.dht_ng_dl,
        dht_low_ng_dl=b.dht[0],
        dht_high_ng_dl=b.dht[1],
        shbg_nmol_l_used=inp.shbg_nmol_l,
        albumin_g_dl_used=inp.albumin_g_dl,
        free_testosterone_low_pg_ml=b.free_testosterone[0],
        free_testosterone_high_pg_ml=b.free_testosterone[1],
        bioavailable_testosterone_low_ng_dl=b.bioavailable_testosterone[0],
        bioavailable_testosterone_high_ng_dl=b.bioavailable_testosterone[1],
        free_estradiol_low_pg_ml=b.free_estradiol[0],
        free_estradiol_high_pg_ml=b.free_estradiol[1],
        shbg_assumed=inp.shbg_assumed,
        albumin_assumed=inp.albumin_assumed,
        band_basis=b.basis,
        aromatase_age_factor=lv.aromatase_age_factor,
        dose_mg_week=inp.dose_mg_week,
        estradiol_measured_pg_ml=inp.estradiol_measured_pg_ml,
        dht_measured_ng_dl=inp.dht_measured_ng_dl,
        assumptions=prediction_assumptions(inp, lv, b, p),
        flags=_prediction_flags(inp, lv, b, p, sp),
    )


# --- the steps of predict: inputs → numbers and bands → assumptions and flags -------------------


def _free_t_pg_ml(free_t_nmol_l: float) -> float:
    """Free testosterone [nmol/L] → [pg/mL] (× ng/dL per nmol/L × 10 pg/mL per ng/dL)."""
    return free_t_nmol_l * units.TESTOSTERONE_NG_DL_PER_NMOL_L * 10.0


@dataclass(frozen=True)
class PredictorInputs:
    """The predictor's inputs, parsed, checked and defaulted (:func:`parse_inputs`); no text.

    Attributes
    ----------
    total_t_ng_dl
        Total testosterone [ng/dL] (entered, or the Bhasin 2001 trough for ``dose_mg_week``).
    dose_mg_week
        Weekly testosterone-enanthate dose [mg/week], or ``None`` when total T was entered.
    age_years, age_given
        Age used [years], and the age as given (``None``: the default age was used).
    shbg_nmol_l, shbg_assumed
        SHBG used [nmol/L], and whether it is the age-based default.
    albumin_g_dl, albumin_assumed
        Albumin used [g/dL], and whether it is the default.
    estradiol_measured_pg_ml, dht_measured_ng_dl
        Measured E2 [pg/mL] and DHT [ng/dL], or ``None``.
    """

    total_t_ng_dl: float
    dose_mg_week: float | None
    age_years: float
    age_given: float | None
    shbg_nmol_l: float
    shbg_assumed: bool
    albumin_g_dl: float
    albumin_assumed: bool
    estradiol_measured_pg_ml: float | None
    dht_measured_ng_dl: float | None


def parse_inputs(
    total_t: float | str | None = None,
    unit: str = "ng/dL",
    age: float | str | None = None,
    shbg: float | str | None = None,
    albumin: float | str | None = None,
    *,
    albumin_unit: str = "g/dL",
    dose_mg_week: float | str | None = None,
    measured_e2: float | str | None = None,
    e2_unit: str = "pg/mL",
    measured_dht: float | str | None = None,
    dht_unit: str = "ng/dL",
    parameters: PredictorParameters = DEFAULT_PARAMETERS,
) -> PredictorInputs:
    """Parse, check and default the inputs of :func:`predict` (same parameters, same errors, in the
    order given there); the defaults are those of ``parameters`` (docs/methods/hormones.md §3).

    >>> inp = parse_inputs("650", age="45")
    >>> inp.total_t_ng_dl, inp.shbg_assumed, round(inp.shbg_nmol_l, 4), inp.albumin_g_dl
    (650.0, True, 40.9167, 4.3)
    """
    p = parameters
    if total_t is not None and dose_mg_week is not None:
        raise messages.both_total_t_and_dose_error(total_t, dose_mg_week)
    dose: float | None = None
    if total_t is None:
        if dose_mg_week is None:
            raise messages.missing_total_t_error()
        dose = _validate.check(dose_mg_week, "dose_mg_week")
        tt_ng_dl = trough_total_t_bhasin_2001(dose)
    else:
        t_unit, t_unit_factor = _validate.unit(unit, "total_t", field="unit")
        tt_ng_dl = _validate.check(total_t, "total_t", unit=t_unit, factor=t_unit_factor)
    age_given = None if age is None else _validate.check(age, "age")
    age_years = p.default_age_years if age_given is None else age_given
    shbg_nmol_l = default_shbg(age_years, p) if shbg is None else _validate.check(shbg, "shbg")
    a_unit, a_unit_factor = _validate.unit(albumin_unit, "albumin", field="albumin_unit")
    alb_g_dl = (
        p.default_albumin_g_dl
        if albumin is None
        else _validate.check(albumin, "albumin", unit=a_unit, factor=a_unit_factor)
    )
    e2_measured: float | None = None
    if measured_e2 is not None:
        e_unit, e_unit_factor = _validate.unit(e2_unit, "estradiol", field="e2_unit")
        e2_measured = _validate.check(measured_e2, "measured_e2", unit=e_unit, factor=e_unit_factor)
    dht_measured: float | None = None
    if measured_dht is not None:
        d_unit, d_unit_factor = _validate.unit(dht_unit, "dht", field="dht_unit")
        dht_measured = _validate.check(
            measured_dht, "measured_dht", unit=d_unit, factor=d_unit_factor
        )
    return PredictorInputs(
        total_t_ng_dl=tt_ng_dl,
        dose_mg_week=dose,
        age_years=age_years,
        age_given=age_given,
        shbg_nmol_l=shbg_nmol_l,
        shbg_assumed=shbg is None,
        albumin_g_dl=alb_g_dl,
        albumin_assumed=albumin is None,
        estradiol_measured_pg_ml=e2_measured,
        dht_measured_ng_dl=dht_measured,
    )


@dataclass(frozen=True)
class PredictionBands:
    """Total E2 and DHT of a prediction with the bands of every predicted hormone (no text).

    Attributes
    ----------
    estradiol_pg_ml, dht_ng_dl
        Predicted total E2 [pg/mL] and DHT [ng/dL].
    estradiol, dht
        Their bands (low, high) [pg/mL], [ng/dL]: ×/÷ ``band_factor`` [A], in dose mode added in
        quadrature to the spread of total T.
    free_testosterone, bioavailable_testosterone, free_estradiol
        Bands of free T [pg/mL], bioavailable T [ng/dL] and free E2 [pg/mL] over the input ranges
        (:mod:`endolab.hormones.bands`).
    basis
        The input ranges behind the free-hormone bands, as sentences.
    """

    estradiol_pg_ml: float
    dht_ng_dl: float
    estradiol: tuple[float, float]
    dht: tuple[float, float]
    free_testosterone: tuple[float, float]
    bioavailable_testosterone: tuple[float, float]
    free_estradiol: tuple[float, float]
    basis: tuple[str, ...]


def prediction_bands(
    inp: PredictorInputs,
    lv: HormoneLevels,
    p: PredictorParameters = DEFAULT_PARAMETERS,
    spread: bands.SpreadParameters = bands.DEFAULT_SPREAD,
) -> PredictionBands:
    """The bands of a prediction (docs/methods/hormones.md §5): the free hormones over the ranges of
    their inputs, each at its low and high value, added in quadrature [A]
    (:func:`endolab.hormones.bands.rss_band`); E2 and DHT ×/÷ ``p.band_factor`` [A, not sourced],
    in dose mode combined with the spread of total T at that dose.

    >>> inp = parse_inputs(500, age=30, shbg=33)
    >>> b = prediction_bands(inp, predict_levels(500, 33, 4.3, 30))
    >>> f"{b.estradiol[0]:.2f}–{b.estradiol[1]:.2f} pg/mL"
    '13.05–33.42 pg/mL'
    """
    sp = spread
    age_years = inp.age_years
    e2_pg_ml = lv.estradiol_pmol_l / units.ESTRADIOL_PMOL_L_PER_PG_ML
    dht_ng_dl = lv.dht_nmol_l * units.DHT_NG_DL_PER_NMOL_L
    band = p.band_factor
    tt_range = bands.total_t_range(
        inp.total_t_ng_dl, from_dose=inp.dose_mg_week is not None, spread=sp
    )
    ranges = [
        tt_range,
        bands.shbg_range(inp.shbg_nmol_l, assumed=inp.shbg_assumed, age_years=age_years, spread=sp),
        bands.albumin_range(inp.albumin_g_dl, assumed=inp.albumin_assumed, spread=sp),
        bands.InputRange(1.0, 1.0, "") if inp.shbg_assumed else sp.model_range,
    ]

    def _free(tt: float, sh: float, al: float, f: float) -> tuple[float, float, float]:
        b = predict_levels(tt, sh, al, age_years, p, free_t_factor=f)
        return (
            _free_t_pg_ml(b.free_testosterone_nmol_l),
            b.bioavailable_testosterone_nmol_l * units.TESTOSTERONE_NG_DL_PER_NMOL_L,
            b.free_estradiol_pmol_l / units.ESTRADIOL_PMOL_L_PER_PG_ML,
        )

    ft_band, bat_band, fe2_band = bands.rss_band(
        _free, [inp.total_t_ng_dl, inp.shbg_nmol_l, inp.albumin_g_dl, 1.0], ranges
    )
    e2_band = (e2_pg_ml / band, e2_pg_ml * band)
    dht_band = (dht_ng_dl / band, dht_ng_dl * band)
    if inp.dose_mg_week is not None:

        def _e2_dht(tt: float, m: float) -> tuple[float, float]:
            b = predict_levels(tt, inp.shbg_nmol_l, inp.albumin_g_dl, age_years, p)
            return (
                m * b.estradiol_pmol_l / units.ESTRADIOL_PMOL_L_PER_PG_ML,
                m * b.dht_nmol_l * units.DHT_NG_DL_PER_NMOL_L,
            )

        e2_band, dht_band = bands.rss_band(
            _e2_dht, [inp.total_t_ng_dl, 1.0], [tt_range, bands.InputRange(1.0 / band, band, "")]
        )
    return PredictionBands(
        estradiol_pg_ml=e2_pg_ml,
        dht_ng_dl=dht_ng_dl,
        estradiol=e2_band,
        dht=dht_band,
        free_testosterone=ft_band,
        bioavailable_testosterone=bat_band,
        free_estradiol=fe2_band,
        basis=tuple(r.basis for r in ranges if r.basis),
    )


def prediction_assumptions(
    inp: PredictorInputs,
    lv: HormoneLevels,
    b: PredictionBands,
    p: PredictorParameters = DEFAULT_PARAMETERS,
) -> tuple[str, ...]:
    """The assumptions behind a prediction, in order (the sentences of
    :mod:`endolab.hormones.messages`): the dose, the defaults used, the model, and an age between
    the trial's age groups."""
    out: list[str] = []
    if inp.dose_mg_week is not None:
        out.append(
            messages.dose_assumption(
                inp.total_t_ng_dl, inp.dose_mg_week, BHASIN_2001_NADIR_TT_NG_DL
            )
        )
    if inp.age_given is None:
        out.append(messages.age_default_assumption(inp.age_years))
    if inp.shbg_assumed:
        out.append(messages.shbg_default_assumption(inp.shbg_nmol_l, inp.age_years, p))
    if inp.albumin_assumed:
        out.append(messages.albumin_default_assumption(inp.albumin_g_dl))
    out.extend(
        messages.model_assumptions(
            p,
            age_years=inp.age_years,
            aromatase_factor=lv.aromatase_age_factor,
            dose_mode=inp.dose_mg_week is not None,
            band_basis=b.basis,
        )
    )
    if inp.age_given is not None and p.young_age_max_years < inp.age_given < p.older_age_min_years:
        out.append(messages.age_between_groups_assumption(inp.age_given, p))
    return tuple(out)


def _prediction_flags(
    inp: PredictorInputs,
    lv: HormoneLevels,
    b: PredictionBands,
    p: PredictorParameters,
    sp: bands.SpreadParameters,
) -> tuple[str, ...]:
    """The flags of docs/methods/hormones.md §5.7 (:func:`endolab.hormones.reference.prediction_flags`),
    after the assumed-SHBG flag when SHBG was not measured."""
    flags = prediction_flags(
        total_t_ng_dl=inp.total_t_ng_dl,
        age_years=inp.age_given,
        shbg_given=not inp.shbg_assumed,
        dose_mg_week=inp.dose_mg_week,
        estradiol_observed_to_predicted=(
            None
            if inp.estradiol_measured_pg_ml is None
            else inp.estradiol_measured_pg_ml / b.estradiol_pg_ml
        ),
        dht_observed_to_predicted=(
            None if inp.dht_measured_ng_dl is None else inp.dht_measured_ng_dl / b.dht_ng_dl
        ),
        band_factor=p.band_factor,
    )
    if not inp.shbg_assumed:
        return flags
    shbg_flag = messages.shbg_assumed_flag(
        shbg_nmol_l=inp.shbg_nmol_l,
        age_years=inp.age_years,
        interval=bands.shbg_population_interval(inp.age_years, sp),
        free_t_pg_ml=_free_t_pg_ml(lv.free_testosterone_nmol_l),
        free_t_band_pg_ml=b.free_testosterone,
    )
    return (shbg_flag, *flags)
