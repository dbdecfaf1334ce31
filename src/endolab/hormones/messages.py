"""The sentences of the TRT Hormone Predictor: assumptions, the SHBG flag and input errors, worded once.

:func:`endolab.hormones.predictor.predict` computes the numbers and gives them to the functions
here, which only word them: the defaults of docs/methods/hormones.md §3, the constants of
docs/methods/hormones.md §5.2 and the flags of docs/methods/hormones.md §5.7. Nothing is computed
here beyond formatting; the other flags are worded by
:func:`endolab.hormones.reference.prediction_flags`.

>>> print(age_default_assumption(47.0))
Age not given: 47 y assumed [A] (midpoint of the trial's age groups) for the SHBG default and the aromatase age factor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from endolab.errors import InputError, ParseError
from endolab.hormones._validate import range_text

if TYPE_CHECKING:
    from endolab.hormones.bands import ShbgInterval
    from endolab.hormones.predictor import PredictorParameters

__all__ = [
    "age_between_groups_assumption",
    "age_default_assumption",
    "albumin_default_assumption",
    "both_total_t_and_dose_error",
    "dose_assumption",
    "missing_total_t_error",
    "model_assumptions",
    "shbg_assumed_flag",
    "shbg_default_assumption",
]

#: The published Vermeulen 1999 constants (K_SHBG, K_albumin) [L/mol] the first model sentence names.
_VERMEULEN_1999_K: tuple[float, float] = (1.0e9, 3.6e4)


def both_total_t_and_dose_error(total_t: object, dose_mg_week: object) -> InputError:
    """``total_t`` and ``dose_mg_week`` both given (exit status 3)."""
    return InputError(
        f"total_t and dose_mg_week: give one of them, not both (got total_t {total_t!r} and "
        f"dose_mg_week {dose_mg_week!r})",
        field="total_t",
        value=total_t,
    )


def missing_total_t_error() -> ParseError:
    """Neither ``total_t`` nor ``dose_mg_week`` given: a missing input is a usage error (exit
    status 2, ``E_MISSING_INPUT``, as in the hCG calculator; docs/cli.md, issue 18)."""
    return ParseError(
        f"total_t: missing; give total testosterone ({range_text('total_t')}) or a weekly "
        f"testosterone-enanthate dose (dose_mg_week, {range_text('dose_mg_week')})",
        code="E_MISSING_INPUT",
        field="total_t",
    )


def dose_assumption(
    total_t_ng_dl: float, dose_mg_week: float, troughs_ng_dl: Mapping[float, float]
) -> str:
    """Total T [ng/dL] taken from a weekly dose [mg/week] (Bhasin 2001 troughs [ng/dL] by dose)."""
    doses = ", ".join(f"{d:g}" for d in troughs_ng_dl)
    troughs = ", ".join(f"{t:g}" for t in troughs_ng_dl.values())
    return (
        f"Total T {total_t_ng_dl:.0f} ng/dL from the dose {dose_mg_week:g} mg/week: mean trough of "
        f"young men in Bhasin 2001 ({troughs} ng/dL at {doses} mg/week; linear between doses [A]); "
        "a population mean, not an individual level."
    )


def age_default_assumption(age_years: float) -> str:
    """The default age [years] used when none is given."""
    return (
        f"Age not given: {age_years:g} y assumed [A] (midpoint of the trial's age groups) for "
        "the SHBG default and the aromatase age factor."
    )


def shbg_default_assumption(shbg_nmol_l: float, age_years: float, p: PredictorParameters) -> str:
    """The age-based SHBG [nmol/L] used when none is measured, at ``age_years`` [years]."""
    return (
        f"SHBG not given: {shbg_nmol_l:.4g} nmol/L assumed for age {age_years:g} y "
        f"(Coviello 2006 baselines {p.shbg_young_nmol_l:g} nmol/L at ≤ "
        f"{p.young_age_max_years:g} y and {p.shbg_older_nmol_l:g} nmol/L at ≥ "
        f"{p.older_age_min_years:g} y; linear between [A]). A measured SHBG is better."
    )


def albumin_default_assumption(albumin_g_dl: float) -> str:
    """The default albumin [g/dL] used when none is given."""
    return f"Albumin not given: {albumin_g_dl:g} g/dL assumed (ISSAM/Vermeulen default)."


def model_assumptions(
    p: PredictorParameters,
    *,
    age_years: float,
    aromatase_factor: float,
    dose_mode: bool,
    band_basis: Iterable[str],
) -> list[str]:
    """The model's assumptions, in order: free T, kinetics, age factor, calibration, free E2, bands.

    Parameters
    ----------
    p
        Predictor parameters (constants named in the sentences).
    age_years
        Age used [years].
    aromatase_factor
        Aromatase age factor used [dimensionless].
    dose_mode
        Whether total T came from a dose (the ×/÷ band is then added to its spread).
    band_basis
        The input ranges behind the free-hormone bands, as sentences.
    """
    return [
        "Free T by Vermeulen 1999 (K_SHBG 1.0e9, K_albumin 3.6e4 L/mol, albumin 69,000 g/mol); "
        "it reads about 19 % above equilibrium dialysis (Fiers 2018)."
        if (p.k_shbg_t, p.k_albumin_t) == _VERMEULEN_1999_K
        else f"Free T by the mass-action model with custom constants (K_SHBG {p.k_shbg_t:.3g}, "
        f"K_albumin {p.k_albumin_t:.3g} L/mol).",
        f"E2 and DHT: saturable Michaelis–Menten kinetics on free T (Lakshman 2010: Km "
        f"{p.km_aromatase_nmol_l:g} nM aromatase, {p.km_5ar_nmol_l:g} nM 5α-reductase); "
        f"Vermeulen free T used on the trial's free-T scale (KM_SCALE {p.km_scale:g}) [A].",
        f"Aromatase (E2) Vmax factor {aromatase_factor:.3g} for age {age_years:g} y "
        f"(1.0 at ≤ {p.young_age_max_years:g} y, {p.older_vmax_e2_factor:g} at ≥ "
        f"{p.older_age_min_years:g} y, Lakshman 2010; linear between [A]); DHT kinetics "
        "age-independent.",
        "Scale constants calibrated [A], not Lakshman's own Vmax: E2 to the Health In Men Study "
        "mean (TT 13.1 nmol/L, E2 73.4 pmol/L, older men, LC-MS/MS), DHT to DHT:T = 1:13 by "
        "mass at TT 531 ng/dL."
        if p.vmax_e2_young_pmol_l is None and p.c_dht_nmol_l is None
        else "Scale constants set by the caller (vmax_e2_young_pmol_l / c_dht_nmol_l).",
        "Free E2 with Södergård 1982 constants and testosterone competing for SHBG.",
        f"Band ×/÷ {p.band_factor:g} on E2 and DHT is an assumption [A, not sourced]: only about "
        "18 % of the variance of E2 is explained by T, age, BMI and other factors (Jasuja, "
        "Framingham, LC-MS/MS), so an individual value may fall well outside it"
        + (
            "; in dose mode it is added in quadrature to the spread of total T at that dose."
            if dose_mode
            else "."
        ),
        "Bands of free T, bioavailable T and free E2: the effects of "
        + "; ".join(band_basis)
        + ", each at its low and high value, added in quadrature [A].",
    ]


def age_between_groups_assumption(age_years: float, p: PredictorParameters) -> str:
    """An age [years] between the trial's two age groups: the age effects are interpolated."""
    return (
        f"Age {age_years:g} y lies between the trial's age groups "
        f"({p.young_age_max_years:g} and {p.older_age_min_years:g} y): interpolated [A]."
    )


def shbg_assumed_flag(
    *,
    shbg_nmol_l: float,
    age_years: float,
    interval: ShbgInterval,
    free_t_pg_ml: float,
    free_t_band_pg_ml: tuple[float, float],
) -> str:
    """The flag of an assumed SHBG: its population interval at that age [nmol/L] and what it does
    to free T [pg/mL]."""
    return (
        f"SHBG assumed: {shbg_nmol_l:.4g} nmol/L for age {age_years:g} y, not measured; men of "
        f"that age range {interval.low_nmol_l:g}–{interval.high_nmol_l:g} nmol/L, so free T is "
        f"likely {free_t_band_pg_ml[0]:.0f}–{free_t_band_pg_ml[1]:.0f} pg/mL, not just "
        f"{free_t_pg_ml:.0f}; measure SHBG for a usable free T."
    )
