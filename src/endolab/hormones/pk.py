"""Serum total testosterone over time from a regimen (issue 23): ester pharmacokinetics.

Every injectable ester uses the same one-compartment model with first-order input from the oil
depot (the Bateman function), with ester-specific constants from its source::

    C1(t) = A · (exp(−k_rel·t) − exp(−k_rise·t))              one dose, t ≥ 0 [ng/dL]
    A     = AUC · k_rel · k_rise / (k_rise − k_rel)
    AUC   = F · D · f_T / CL                                   [ng·day/dL]
    CL    = MCR · body weight · age factor                      [L/day]

* ``k_rel = ln 2 / t½`` is the release (absorption) rate from the depot: after an injection of an
  ester the decline of serum T is set by the release, not by the elimination of testosterone
  (hours), so the terminal half-life *is* the release half-life ("flip-flop" kinetics; the
  Testoviron Depot label: "declines monophasically with a half-life of 4.5 days, corresponding to
  the release rate").
* ``k_rise`` is the faster of the two rates, chosen so that the peak falls at the source's time to
  peak (``Tmax = ln(k_rise/k_rel)/(k_rise − k_rel)``) [A: one number from a reported range].
* ``f_T`` is the mass fraction of testosterone in the ester (molar masses: T 288.42, enanthate
  400.60, cypionate 412.61, propionate 344.49, undecanoate 456.71 g/mol; the labels state the same:
  250 mg enanthate = 180 mg T, 1000 mg undecanoate = 631.5 mg T).
* ``CL`` is the metabolic clearance of testosterone released from the ester, 16 ± 7 mL/min/kg
  (Testoviron Depot label), times the body weight (70 kg by default [A]) and, when an age is given,
  the older/young ratio of the apparent clearance 1390/1821 L/day (Coviello AD et al. JCEM 2006,
  DOI 10.1210/jc.2006-0822, abstract), linear between 35 and 59 y [A].

Doses are superposed (the model is linear). At steady state with an interval τ, for
0 ≤ t < τ after the last dose::

    Css(t)  = A · (exp(−k_rel·t)/(1 − exp(−k_rel·τ)) − exp(−k_rise·t)/(1 − exp(−k_rise·τ)))
    Cavg,ss = AUC / τ
    t_peak  = ln(k_rise·(1 − exp(−k_rel·τ)) / (k_rel·(1 − exp(−k_rise·τ)))) / (k_rise − k_rel)
    trough  = Css(0) = Css(τ)
    FI      = (Cmax − Cmin) / Cavg                              fluctuation index [dimensionless]

and the endogenous testosterone that remains on therapy (0 ng/dL by default: LH is suppressed by
therapeutic injections, Nankin 1987) is added as a constant.

Sources (read for this module; the evidence tags are those of docs/methods/index.md):

* Testoviron Depot (testosterone enanthate), Swiss prescribing information (Fachinformation,
  Bayer (Schweiz) AG, Swissmedic reg. 17626, section Pharmacokinetics) [V]: complete systemic
  availability after IM injection; release from the oil depot with a half-life of about 4.5 days;
  peak serum T of about 20 ng/mL 1.5–3 days after 250 mg; 180 mg T in 250 mg of the ester;
  metabolic clearance of the released T 16 ± 7 mL/min/kg.
* Schulte-Beerbühl M, Nieschlag E. Comparison of testosterone, dihydrotestosterone, luteinizing
  hormone, and follicle-stimulating hormone in serum after injection of testosterone enanthate or
  testosterone cypionate. Fertil Steril 1980 (volume/pages 33:201–3 and the DOI not verified [U];
  the paper itself was not read) [V as summarised in Behre et al., Pharmacology of testosterone preparations, in Nieschlag & Behre (eds),
  Testosterone, 3rd ed., Cambridge University Press 2004, ch. 14, DOI
  10.1017/CBO9780511545221.015]: 194 mg enanthate and 200 mg cypionate (140 mg T each) gave
  identical serum T profiles → cypionate uses the enanthate constants per mg of testosterone.
* Behre HM, Abshagen K, Oettel M, Hübler D, Nieschlag E. Intramuscular injection of testosterone
  undecanoate for the treatment of male hypogonadism: phase I studies. Eur J Endocrinol
  1999;140(5):414–9, DOI 10.1530/eje.0.1400414 [V, abstract]: 1000 mg undecanoate in castor oil,
  terminal half-life 33.9 ± 4.9 days (mean ± SEM, n = 14).
* Nebido (testosterone undecanoate), Swiss prescribing information (Bayer (Schweiz) AG,
  Swissmedic reg. 56813) [V]: mean peak T 24 and 45 nmol/L 7 and 14 days after 1000 mg.
* Testogel (testosterone 1 % gel), Swiss prescribing information (Swissmedic reg. 56779) [V]: 5 g of
  gel raise serum T by about 2.5 ng/mL (8.7 nmol/L) on average, steady state from day 2, with
  9–14 % of the applied dose absorbed.
* Nankin HR. Hormone kinetics after intramuscular testosterone cypionate. Fertil Steril
  1987;47(6):1004–9 [V, abstract; DOI not verified]: LH suppressed after the first
  and during chronic 200 mg cypionate injections (the default endogenous level 0 ng/dL).
* Propionate: a release half-life of 0.8 days is quoted by secondary sources (encyclopaedia
  infoboxes) [U]. The primary study, Fujioka M et al. Pharmacokinetic properties of testosterone
  propionate in normal men. J Clin Endocrinol Metab 1986;63(6):1361–4 (DOI not verified), was
  found but only its abstract could be read, which gives no half-life; the time to peak is not
  sourced [A] (docs/methods/hormones.md §8).

The uncertainty band is the central 95 % of a seeded Monte-Carlo over the published between-subject
variability: the clearance 16 ± 7 mL/min/kg (SD taken as log-normal, CV 44 %), and for undecanoate
also the half-life (SEM 4.9 days × √14 = SD 18.3 days, CV 54 %). No variability of the enanthate
half-life is published in the sources read, so the enanthate/cypionate band carries the clearance
only [A].
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Final

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from matplotlib.figure import Figure

from endolab._naming import deprecated_alias
from endolab.errors import InputError, ParseError
from endolab.hormones import _validate
from endolab.numbers import parse_float

__all__ = [
    "ESTERS",
    "EsterModel",
    "Lab",
    "LabFit",
    "PkFit",
    "PkResult",
    "ProtocolRequest",
    "ProtocolResult",
    "Regimen",
    "bateman",
    "cypionate_schulte_beerbuhl_1980",
    "fit_individual",
    "parse_lab",
    "pk_figure",
    "propionate_secondary_sources",
    "protocol",
    "rise_rate_for_tmax",
    "simulate",
    "steady_state",
    "steady_state_concentration",
    "swissmedic_testogel_gel",
    "swissmedic_testoviron_enanthate",
    "undecanoate_behre_1999",
]

#: Molar masses [g/mol] (C19H28O2, C26H40O3, C27H40O3, C22H32O3, C30H48O3; the undecanoate label
#: states 456.7).
TESTOSTERONE_G_MOL: Final = 288.42
ESTER_G_MOL: Final[dict[str, float]] = {
    "enanthate": 400.60,
    "cypionate": 412.61,
    "propionate": 344.49,
    "undecanoate": 456.71,
}

#: Metabolic clearance of testosterone released from the ester [mL/min/kg], mean and SD:
#: 16 ± 7 (Testoviron Depot label).
MCR_ML_MIN_KG: Final = 16.0
MCR_SD_ML_MIN_KG: Final = 7.0
#: Body weight when none is given [kg] [A].
DEFAULT_BODY_WEIGHT_KG: Final = 70.0


def _sig(x: float, digits: int = 6) -> float:
    """``x`` rounded to ``digits`` significant figures (JSON readability only)."""
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, digits - 1 - math.floor(math.log10(abs(x))))


def _lognormal_sigma(cv: float) -> float:
    """σ of ln X for a log-normal X with coefficient of variation ``cv``."""
    return math.sqrt(math.log1p(cv * cv))


#: Apparent metabolic clearance of testosterone in older (59–75 y) and young (19–35 y) men on
#: GnRH agonist + weekly enanthate [L/day]: 1390 and 1821 (Coviello 2006, abstract).
COVIELLO_2006_AMCR_L_DAY: Final = {"young": 1821.0, "older": 1390.0}


def clearance_factor_coviello_2006(age_years: float | None) -> float:
    """Clearance of a man of ``age_years`` [years] relative to the young men of the label [ratio].

    1 at ≤ 35 y; 1390/1821 = 0.7633 at ≥ 59 y (apparent MCR of T, older vs young men, Coviello
    2006); linear between [A, as the predictor's age interpolation]. ``None`` → 1 (the label's
    young men).

    Reference: Coviello AD, Lakshman K, Mazer NA, Bhasin S. JCEM 2006, DOI 10.1210/jc.2006-0822
    (abstract: apparent MCR 1390 vs 1821 L/day).

    >>> clearance_factor_coviello_2006(30), round(clearance_factor_coviello_2006(70), 4)
    (1.0, 0.7633)
    """
    if age_years is None:
        return 1.0
    from endolab.hormones.defaults import age_weight

    ratio = COVIELLO_2006_AMCR_L_DAY["older"] / COVIELLO_2006_AMCR_L_DAY["young"]
    return 1.0 - age_weight(age_years) * (1.0 - ratio)


def rise_rate_for_tmax(k_release_per_day: float, tmax_days: float) -> float:
    """The faster Bateman rate [1/day] that puts the single-dose peak at ``tmax_days`` [day].

    Solves ``ln(k_rise/k_rel)/(k_rise − k_rel) = Tmax`` for ``k_rise > k_rel`` (requires
    ``Tmax < 1/k_rel``, the limit as ``k_rise → k_rel``).

    >>> k = rise_rate_for_tmax(math.log(2) / 4.5, 2.25)
    >>> round(math.log(k / (math.log(2) / 4.5)) / (k - math.log(2) / 4.5), 6)
    2.25
    """
    kr = k_release_per_day
    if not 0 < tmax_days < 1.0 / kr:
        raise InputError(
            f"tmax: {tmax_days:g} day is not below 1/k_release = {1.0 / kr:.4g} day", field="tmax"
        )

    def g(k: float) -> float:
        return math.log(k / kr) / (k - kr) - tmax_days

    # g falls monotonically from 1/kr − Tmax > 0 (k → kr) to −Tmax (k → ∞): bisection on ln k
    lo, hi = math.log(kr * (1 + 1e-9)), math.log(kr * 1e6)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if g(math.exp(mid)) > 0:
            lo = mid
        else:
            hi = mid
    return math.exp(0.5 * (lo + hi))


@dataclass(frozen=True)
class EsterModel:
    """One published pharmacokinetic model: the constants of the Bateman function for an ester.

    Attributes
    ----------
    ester
        ``"enanthate"``, ``"cypionate"``, ``"propionate"``, ``"undecanoate"`` or ``"gel"``.
    model
        Name of the function that implements it (named after its source).
    reference
        The source, with DOI where there is one.
    release_half_life_days
        Release (terminal) half-life from the depot [day].
    release_half_life_cv
        Between-subject CV of the half-life [dimensionless]; 0 when none is published.
    tmax_days
        Time to peak after one dose [day] that sets the rise rate.
    testosterone_fraction
        Mass of testosterone per mass of the ester [dimensionless].
    bioavailability
        Fraction of the dose reaching the circulation [dimensionless].
    tags
        The evidence behind each constant, as sentences for the assumptions.
    """

    ester: str
    model: str
    reference: str
    release_half_life_days: float
    release_half_life_cv: float
    tmax_days: float
    testosterone_fraction: float
    bioavailability: float
    tags: tuple[str, ...]

    @property
    def k_release_per_day(self) -> float:
        """Release rate constant ln 2 / t½ [1/day]."""
        return math.log(2) / self.release_half_life_days

    @property
    def k_rise_per_day(self) -> float:
        """Rise rate constant [1/day] for :attr:`tmax_days`."""
        return rise_rate_for_tmax(self.k_release_per_day, self.tmax_days)


def _fraction(ester: str) -> float:
    return TESTOSTERONE_G_MOL / ESTER_G_MOL[ester]


def swissmedic_testoviron_enanthate() -> EsterModel:
    """Testosterone enanthate IM: the Testoviron Depot label's kinetics.

    Release half-life 4.5 days [day]; time to peak 2.25 days [day], the middle of the label's
    1.5–3 days [A]; complete bioavailability; 0.7200 mg T per mg ester (label: 180 mg T in 250 mg).
    Equation: the Bateman function of the module docstring.

    Reference: Testoviron Depot, Swiss prescribing information, Bayer (Schweiz) AG, Swissmedic
    reg. 17626, section Pharmacokinetics (no DOI: a regulatory label).

    >>> m = swissmedic_testoviron_enanthate()
    >>> round(m.testosterone_fraction * 250, 1), round(m.k_release_per_day, 4)
    (180.0, 0.154)
    """
    return EsterModel(
        ester="enanthate",
        model="swissmedic_testoviron_enanthate",
        reference="Testoviron Depot prescribing information (Bayer (Schweiz) AG, Swissmedic 17626)",
        release_half_life_days=4.5,
        release_half_life_cv=0.0,
        tmax_days=2.25,
        testosterone_fraction=_fraction("enanthate"),
        bioavailability=1.0,
        tags=(
            "Enanthate: release half-life 4.5 days, complete bioavailability, clearance "
            "16 ± 7 mL/min/kg (Testoviron Depot label) [V]; time to peak 2.25 days, the middle of "
            "the label's 1.5–3 days [A]; no variability of the half-life is published in the "
            "sources read, so the band carries the clearance only [A].",
        ),
    )


def cypionate_schulte_beerbuhl_1980() -> EsterModel:
    """Testosterone cypionate IM: the enanthate kinetics per mg of testosterone.

    Schulte-Beerbühl & Nieschlag 1980 found identical serum T profiles (peak and duration) after
    194 mg enanthate and 200 mg cypionate (140 mg T each), so the release half-life [day], time to
    peak [day] and clearance are those of :func:`swissmedic_testoviron_enanthate`; only the mass
    fraction of T differs (0.6990). The Depo-Testosterone label's "half-life approximately eight
    days" is not used [A: it contradicts the head-to-head study].

    Reference: Schulte-Beerbühl M, Nieschlag E. Fertil Steril 1980 (33:201–3 and DOI not verified
    [U]), as summarised in Behre HM, Wang C, Handelsman DJ, Nieschlag E. Pharmacology of
    testosterone preparations. In: Nieschlag E, Behre HM (eds), Testosterone, 3rd ed. Cambridge
    University Press 2004, ch. 14, DOI 10.1017/CBO9780511545221.015.

    >>> round(cypionate_schulte_beerbuhl_1980().testosterone_fraction * 200, 1)
    139.8
    """
    te = swissmedic_testoviron_enanthate()
    return replace(
        te,
        ester="cypionate",
        model="cypionate_schulte_beerbuhl_1980",
        reference="Schulte-Beerbühl & Nieschlag, Fertil Steril 1980, as summarised in Behre et al. "
        "2004, DOI 10.1017/CBO9780511545221.015 (enanthate kinetics per mg T)",
        testosterone_fraction=_fraction("cypionate"),
        tags=(
            "Cypionate: serum T profile identical to enanthate at equal testosterone content "
            "(Schulte-Beerbühl & Nieschlag 1980) [V], so the enanthate constants are used; the "
            "Depo-Testosterone label's 8-day half-life is not used [A].",
            *te.tags,
        ),
    )


def undecanoate_behre_1999() -> EsterModel:
    """Testosterone undecanoate IM in castor oil (Nebido, Aveed): Behre 1999.

    Release (terminal) half-life 33.9 days [day], between-subject SD 4.9 × √14 = 18.3 days (CV
    0.541); time to peak 10.5 days [day], the middle of the Nebido label's 7 and 14 days [A];
    bioavailability 1 [A]; 0.6315 mg T per mg ester (label: 631.5 mg T in 1000 mg).

    Reference: Behre HM, Abshagen K, Oettel M, Hübler D, Nieschlag E. Eur J Endocrinol
    1999;140(5):414–9, DOI 10.1530/eje.0.1400414 (abstract: 33.9 ± 4.9 days, mean ± SEM, n = 14).

    >>> m = undecanoate_behre_1999()
    >>> round(m.testosterone_fraction * 1000, 1), round(m.release_half_life_cv, 3)
    (631.5, 0.541)
    """
    return EsterModel(
        ester="undecanoate",
        model="undecanoate_behre_1999",
        reference="Behre et al., Eur J Endocrinol 1999;140:414–9, DOI 10.1530/eje.0.1400414",
        release_half_life_days=33.9,
        release_half_life_cv=4.9 * math.sqrt(14) / 33.9,
        tmax_days=10.5,
        testosterone_fraction=_fraction("undecanoate"),
        bioavailability=1.0,
        tags=(
            "Undecanoate (castor oil): release half-life 33.9 ± 4.9 days (mean ± SEM, n = 14; "
            "Behre 1999) [V], SD 18.3 days in the band [D]; time to peak 10.5 days, between the "
            "Nebido label's 7 and 14 days [A]; bioavailability 1 and the enanthate clearance "
            "16 ± 7 mL/min/kg [A].",
        ),
    )


def propionate_secondary_sources() -> EsterModel:
    """Testosterone propionate IM: release half-life 0.8 days [day] — unverified [U].

    The 0.8 days are quoted by secondary sources (encyclopaedia infoboxes). The primary study
    (Fujioka M, Shinohara Y, Baba S, Irie M, Inoue K. J Clin Endocrinol Metab 1986;63(6):1361–4;
    DOI not verified) was found, but its abstract — all that could be read — states no half-life
    (25 mg IM: labelled T above the physiological level for 48 h); docs/methods/hormones.md §8 says
    why the value stays [U]. Time to peak 0.4 days [day]: the enanthate ratio Tmax/t½
    (2.25/4.5 = 0.5) carried over [A]. 0.8372 mg T per mg ester. Clearance as for enanthate [A].

    >>> round(propionate_secondary_sources().testosterone_fraction, 4)
    0.8372
    """
    return EsterModel(
        ester="propionate",
        model="propionate_secondary_sources",
        reference="release half-life 0.8 days from secondary sources only [U]",
        release_half_life_days=0.8,
        release_half_life_cv=0.0,
        tmax_days=0.4,
        testosterone_fraction=_fraction("propionate"),
        bioavailability=1.0,
        tags=(
            "Propionate: release half-life 0.8 days from secondary sources [U] (the primary "
            "study, Fujioka 1986, states none in its abstract; its full text was not read); time "
            "to peak 0.4 days from the enanthate shape [A]; enanthate clearance [A].",
        ),
    )


#: Testogel label: 5 g of 1 % gel (50 mg T) raise serum T by 2.5 ng/mL = 250 ng/dL [ng/dL per mg/day].
GEL_NG_DL_PER_MG_DAY: Final = 250.0 / 50.0
#: Absorbed fraction of the applied dose, 9–14 % (Testogel label); the middle is 11.5 % [A].
GEL_ABSORBED_RANGE: Final = (0.09, 0.14)


def swissmedic_testogel_gel(dose_mg_per_day: float) -> tuple[float, float, float]:
    """Steady-state rise of serum total T on daily transdermal gel: the Testogel label.

    ``ΔT = 5 ng/dL per mg of testosterone applied per day`` (5 g of 1 % gel = 50 mg → +2.5 ng/mL);
    steady state from day 2, no peaks (circadian variation as endogenous T). The band scales with
    the absorbed fraction 9–14 % around its middle 11.5 % [D from the label's range; A: uniform].

    Parameters
    ----------
    dose_mg_per_day
        Testosterone applied per day [mg/day].

    Returns
    -------
    tuple of float
        Rise of total T: central, low, high [ng/dL].

    Reference: Testogel, Swiss prescribing information, Swissmedic reg. 56779, section
    Pharmacokinetics (no DOI: a regulatory label).

    >>> [round(x, 1) for x in swissmedic_testogel_gel(50)]
    [250.0, 195.7, 304.3]
    """
    mid = sum(GEL_ABSORBED_RANGE) / 2
    c = GEL_NG_DL_PER_MG_DAY * dose_mg_per_day
    return c, c * GEL_ABSORBED_RANGE[0] / mid, c * GEL_ABSORBED_RANGE[1] / mid


#: The model per ester (``"gel"`` is handled by :func:`swissmedic_testogel_gel`).
ESTERS: Final[dict[str, Callable[[], EsterModel]]] = {
    "enanthate": swissmedic_testoviron_enanthate,
    "cypionate": cypionate_schulte_beerbuhl_1980,
    "propionate": propionate_secondary_sources,
    "undecanoate": undecanoate_behre_1999,
}

#: Accepted inputs (inclusive) [A: this project's plausibility limits].
DOSE_RANGE_MG: Final = (1.0, 1500.0)
INTERVAL_RANGE_DAYS: Final = (0.5, 140.0)
ENDOGENOUS_RANGE_NG_DL: Final = (0.0, 1500.0)
WEIGHT_RANGE_KG: Final = (35.0, 250.0)


def _number(value: object, name: str, unit: str, rng: tuple[float, float]) -> float:
    accepted = f"{rng[0]:g}–{rng[1]:g} {unit}"
    x = parse_float(value, name, unit=unit, accepted=accepted)
    if not rng[0] <= x <= rng[1]:
        raise InputError(
            f"{name}: {x:g} {unit} is out of range; accepted {accepted}", field=name, value=value
        )
    return x


def bateman(
    t_days: NDArray[np.float64] | float, amplitude: float, k_release: float, k_rise: float
) -> NDArray[np.float64]:
    """One dose: ``A·(exp(−k_rel·t) − exp(−k_rise·t))`` for t ≥ 0, 0 before [ng/dL].

    >>> float(bateman(0.0, 100.0, 0.1, 1.0)), round(float(bateman(1.0, 100.0, 0.1, 1.0)), 4)
    (0.0, 53.6958)
    """
    t = np.asarray(t_days, dtype=float)
    tt = np.maximum(t, 0.0)
    out = amplitude * (np.exp(-k_release * tt) - np.exp(-k_rise * tt))
    return np.where(t >= 0, out, 0.0)


def steady_state_concentration(
    t_days: NDArray[np.float64] | float,
    amplitude: float,
    k_release: float,
    k_rise: float,
    interval_days: float,
) -> NDArray[np.float64]:
    """Steady state of repeated doses every ``interval_days``: Css at ``t`` after a dose [ng/dL].

    ``A·(exp(−k_rel·t')/(1 − exp(−k_rel·τ)) − exp(−k_rise·t')/(1 − exp(−k_rise·τ)))`` with
    ``t' = t mod τ`` (the geometric sum of all earlier doses).

    >>> round(float(steady_state_concentration(0.0, 100.0, 0.1, 1.0, 7.0)), 4)
    98.5521
    """
    t = np.mod(np.asarray(t_days, dtype=float), interval_days)
    tau = interval_days
    out: NDArray[np.float64] = amplitude * (
        np.exp(-k_release * t) / -np.expm1(-k_release * tau)
        - np.exp(-k_rise * t) / -np.expm1(-k_rise * tau)
    )
    return out


@dataclass(frozen=True)
class Regimen:
    """A regimen, validated: ester, dose [mg of ester; gel: mg T/day], interval [day].

    ``endogenous_ng_dl`` is the patient's own testosterone that remains on therapy [ng/dL]
    (``None`` → 0, LH suppressed, Nankin 1987); ``body_weight_kg`` sets the clearance [kg]
    (``None`` → 70 kg [A]); ``start`` is the date of the first dose (optional).
    """

    ester: str
    dose_mg: float
    interval_days: float
    endogenous_ng_dl: float = 0.0
    endogenous_assumed: bool = True
    body_weight_kg: float = DEFAULT_BODY_WEIGHT_KG
    weight_assumed: bool = True
    start: date | None = None
    age_years: float | None = None

    @classmethod
    def build(
        cls,
        ester: str,
        dose_mg: object,
        interval_days: object,
        *,
        endogenous_ng_dl: object | None = None,
        body_weight_kg: object | None = None,
        start: date | str | None = None,
        age_years: object | None = None,
    ) -> Regimen:
        """Validate the inputs (as numbers or text) into a :class:`Regimen`.

        Raises :class:`~endolab.errors.ParseError` (exit 2) for text that is not a number, a date
        or an ester name, :class:`~endolab.errors.InputError` (exit 3) for a value out of range.

        >>> Regimen.build("Cypionate", "120", 7).dose_mg
        120.0
        """
        name = str(ester).strip().lower()
        if name not in (*ESTERS, "gel"):
            raise ParseError(
                f"ester: unknown `{ester}`; accepted enanthate, cypionate, propionate, "
                "undecanoate or gel",
                code="E_UNKNOWN_ESTER",
                field="ester",
                value=ester,
            )
        dose = _number(dose_mg, "dose_mg", "mg", DOSE_RANGE_MG)
        tau = _number(interval_days, "interval_days", "day", INTERVAL_RANGE_DAYS)
        if name == "gel" and tau != 1.0:
            raise InputError(
                f"interval_days: gel is applied daily (interval 1 day), got {tau:g} day",
                field="interval_days",
                value=interval_days,
            )
        endo = (
            0.0
            if endogenous_ng_dl is None
            else _number(endogenous_ng_dl, "endogenous_ng_dl", "ng/dL", ENDOGENOUS_RANGE_NG_DL)
        )
        weight = (
            DEFAULT_BODY_WEIGHT_KG
            if body_weight_kg is None
            else _number(body_weight_kg, "body_weight_kg", "kg", WEIGHT_RANGE_KG)
        )
        age = None if age_years is None else _validate.check(age_years, "age")
        start_date: date | None
        if start is None or isinstance(start, date):
            start_date = start
        else:
            try:
                start_date = date.fromisoformat(str(start).strip())
            except ValueError:
                raise ParseError(
                    f"start: `{start}` is not a date; give YYYY-MM-DD",
                    code="E_NOT_A_DATE",
                    field="start",
                    value=start,
                ) from None
        return cls(
            ester=name,
            dose_mg=dose,
            interval_days=tau,
            endogenous_ng_dl=endo,
            endogenous_assumed=endogenous_ng_dl is None,
            body_weight_kg=weight,
            weight_assumed=body_weight_kg is None,
            start=start_date,
            age_years=age,
        )

    def model(self) -> EsterModel:
        """The ester's published model (:data:`ESTERS`); not for gel."""
        return ESTERS[self.ester]()

    def clearance_l_day(self, mcr_ml_min_kg: float = MCR_ML_MIN_KG) -> float:
        """Clearance [L/day] = MCR [mL/min/kg] × weight [kg] × 1440 min/day ÷ 1000 mL/L × the age
        factor (:func:`clearance_factor_coviello_2006`; 1 when no age is given)."""
        return (
            mcr_ml_min_kg
            * self.body_weight_kg
            * 1.44
            * clearance_factor_coviello_2006(self.age_years)
        )

    def auc_ng_day_dl(self, mcr_ml_min_kg: float = MCR_ML_MIN_KG) -> float:
        """Area under the curve of one dose [ng·day/dL] = F·D·f_T / CL."""
        m = self.model()
        mg_t = m.bioavailability * self.dose_mg * m.testosterone_fraction
        return mg_t * 1e6 / (self.clearance_l_day(mcr_ml_min_kg) * 10.0)


def _amplitude(auc: float, kr: float, kf: float) -> float:
    return auc * kr * kf / (kf - kr)


def _ss_metrics(
    auc: float, kr: float, kf: float, tau: float, endo: float
) -> tuple[float, float, float, float]:
    """(peak, peak time, trough, mean) at steady state [ng/dL, day, ng/dL, ng/dL]."""
    a = _amplitude(auc, kr, kf)
    tpk = math.log(kf * -math.expm1(-kr * tau) / (kr * -math.expm1(-kf * tau))) / (kf - kr)
    tpk = min(max(tpk, 0.0), tau)
    peak = float(steady_state_concentration(tpk, a, kr, kf, tau)) + endo
    trough = float(steady_state_concentration(0.0, a, kr, kf, tau)) + endo
    return peak, tpk, trough, auc / tau + endo


@dataclass(frozen=True)
class PkResult:
    """Total testosterone over a dosing interval at steady state, with its band.

    Values in ng/dL, times in days after a dose. ``times_days`` spans two intervals; ``curve`` is
    the central model and ``curve_low``/``curve_high`` the central 95 % band. ``from_start_*`` is
    the build-up from the first dose (dates when a start date was given).
    """

    regimen: Regimen
    model: str
    reference: str
    peak_ng_dl: float
    peak_time_days: float
    trough_ng_dl: float
    mean_ng_dl: float
    fluctuation_index: float
    peak_low_ng_dl: float
    peak_high_ng_dl: float
    trough_low_ng_dl: float
    trough_high_ng_dl: float
    mean_low_ng_dl: float
    mean_high_ng_dl: float
    days_to_90pct_steady_state: float
    times_days: tuple[float, ...]
    curve_ng_dl: tuple[float, ...]
    curve_low_ng_dl: tuple[float, ...]
    curve_high_ng_dl: tuple[float, ...]
    from_start_days: tuple[float, ...]
    from_start_ng_dl: tuple[float, ...]
    assumptions: tuple[str, ...]
    seed: int
    samples: int
    hormones: tuple[dict[str, Any], ...] = field(default=())

    def from_start_dates(self) -> tuple[str, ...] | None:
        """ISO dates of :attr:`from_start_days` when a start date was given."""
        if self.regimen.start is None:
            return None
        return tuple(
            (self.regimen.start + timedelta(days=math.floor(d))).isoformat()
            for d in self.from_start_days
        )

    def to_dict(self) -> dict[str, Any]:
        """Flat JSON mapping, unit in every key (numbers to 6 significant figures)."""
        r = self.regimen
        out: dict[str, Any] = {
            "ester": r.ester,
            "model": self.model,
            "reference": self.reference,
            "dose_mg": _sig(r.dose_mg),
            "interval_days": _sig(r.interval_days),
            "endogenous_ng_dl": _sig(r.endogenous_ng_dl),
            "body_weight_kg": _sig(r.body_weight_kg),
            "age_years": None if r.age_years is None else _sig(r.age_years),
            "start_date": None if r.start is None else r.start.isoformat(),
            "peak_ng_dl": _sig(self.peak_ng_dl),
            "peak_time_days": _sig(self.peak_time_days),
            "trough_ng_dl": _sig(self.trough_ng_dl),
            "mean_ng_dl": _sig(self.mean_ng_dl),
            "fluctuation_index": _sig(self.fluctuation_index),
            "peak_low_ng_dl": _sig(self.peak_low_ng_dl),
            "peak_high_ng_dl": _sig(self.peak_high_ng_dl),
            "trough_low_ng_dl": _sig(self.trough_low_ng_dl),
            "trough_high_ng_dl": _sig(self.trough_high_ng_dl),
            "mean_low_ng_dl": _sig(self.mean_low_ng_dl),
            "mean_high_ng_dl": _sig(self.mean_high_ng_dl),
            "steady_state_90pct_days": _sig(self.days_to_90pct_steady_state),
            "curve_times_days": [_sig(x) for x in self.times_days],
            "curve_ng_dl": [_sig(x) for x in self.curve_ng_dl],
            "curve_low_ng_dl": [_sig(x) for x in self.curve_low_ng_dl],
            "curve_high_ng_dl": [_sig(x) for x in self.curve_high_ng_dl],
            "from_start_days": [_sig(x) for x in self.from_start_days],
            "from_start_ng_dl": [_sig(x) for x in self.from_start_ng_dl],
            "from_start_dates": None if (dates := self.from_start_dates()) is None else list(dates),
            "band_seed": self.seed,
            "band_samples": self.samples,
            "assumptions": list(self.assumptions),
            "hormones": list(self.hormones),
        }
        return out


def _assumptions(r: Regimen, m: EsterModel | None) -> list[str]:
    out = list(m.tags) if m is not None else []
    if r.endogenous_assumed:
        out.append(
            "Endogenous testosterone on therapy 0 ng/dL: LH is suppressed by therapeutic "
            "injections (Nankin 1987) [V for injections; A for gel]; give your own level if known."
        )
    if r.weight_assumed and m is not None:
        out.append("Body weight 70 kg for the clearance (16 mL/min/kg) [A].")
    if m is not None:
        if r.age_years is None:
            out.append(
                "Clearance of young men (the label's); no age given. Older men clear T more "
                "slowly (apparent MCR 1390 vs 1821 L/day, Coviello 2006): give the age."
            )
        else:
            f = clearance_factor_coviello_2006(r.age_years)
            out.append(
                f"Clearance × {f:.3g} for age {r.age_years:g} y (apparent MCR 1390 vs 1821 L/day "
                "in older vs young men, Coviello 2006; linear between 35 and 59 y [A])."
            )
    if m is not None:
        out.append(
            "Steady state assumed (after about 5 release half-lives); doses superposed by "
            "linearity; band: central 95 % of a seeded Monte-Carlo over the published "
            "between-subject variability."
        )
    return out


def steady_state(
    regimen: Regimen,
    *,
    scale: float = 1.0,
    k_release_per_day: float | None = None,
    seed: int = 0,
    samples: int = 4000,
    points_per_interval: int = 97,
    log_covariance: Sequence[Sequence[float]] | None = None,
) -> PkResult:
    """Steady-state total T over the interval: peak, trough, mean, fluctuation index and band.

    Parameters
    ----------
    regimen
        The validated regimen (:meth:`Regimen.build`).
    scale
        Individual exposure factor [dimensionless] (1 = the population model; see
        :func:`fit_individual`); multiplies the exogenous testosterone.
    k_release_per_day
        Individual release rate [1/day]; ``None`` → the ester's published value.
    seed, samples
        Seed (an integer ≥ 0) and size of the Monte-Carlo behind the band
        (``numpy.random.default_rng(seed)``).
    points_per_interval
        Curve resolution [points per interval].
    log_covariance
        After an individual fit: the posterior covariance of (ln scale[, ln k_release]) from
        :class:`PkFit`; the band then samples it (Laplace approximation) instead of the population's
        between-subject variability.

    >>> r = steady_state(Regimen.build("enanthate", 125, 7))
    >>> round(r.trough_ng_dl), round(r.mean_ng_dl)
    (525, 797)
    """
    r = regimen
    tau = r.interval_days
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError(f"seed: {seed!r} is not an integer ≥ 0", field="seed", value=seed)
    if r.ester == "gel":
        c, lo, hi = swissmedic_testogel_gel(r.dose_mg)
        e = r.endogenous_ng_dl
        gel_times = tuple(float(x) for x in np.linspace(0.0, 2 * tau, 3))
        return PkResult(
            regimen=r,
            model="swissmedic_testogel_gel",
            reference="Testogel prescribing information (Swissmedic 56779)",
            peak_ng_dl=c * scale + e,
            peak_time_days=0.0,
            trough_ng_dl=c * scale + e,
            mean_ng_dl=c * scale + e,
            fluctuation_index=0.0,
            peak_low_ng_dl=lo * scale + e,
            peak_high_ng_dl=hi * scale + e,
            trough_low_ng_dl=lo * scale + e,
            trough_high_ng_dl=hi * scale + e,
            mean_low_ng_dl=lo * scale + e,
            mean_high_ng_dl=hi * scale + e,
            days_to_90pct_steady_state=2.0,
            times_days=gel_times,
            curve_ng_dl=(c * scale + e,) * 3,
            curve_low_ng_dl=(lo * scale + e,) * 3,
            curve_high_ng_dl=(hi * scale + e,) * 3,
            from_start_days=(0.0, 2.0),
            from_start_ng_dl=(e, c * scale + e),
            assumptions=(
                "Gel: +2.5 ng/mL per 5 g of 1 % gel (50 mg T/day), steady state from day 2, "
                "9–14 % absorbed (Testogel label) [V]; band from the absorbed range [D].",
                *_assumptions(r, None),
            ),
            seed=seed,
            samples=0,
        )
    m = r.model()
    kr = m.k_release_per_day if k_release_per_day is None else k_release_per_day
    kf = m.k_rise_per_day
    if kr >= kf:
        raise InputError("k_release must be below the rise rate", field="k_release")
    auc = r.auc_ng_day_dl() * scale
    e = r.endogenous_ng_dl
    peak, tpk, trough, mean = _ss_metrics(auc, kr, kf, tau, e)
    times = np.linspace(0.0, 2 * tau, 2 * points_per_interval - 1)
    curve = steady_state_concentration(times, _amplitude(auc, kr, kf), kr, kf, tau) + e
    curve[-1] = curve[0]  # t = 2τ is the next trough (mod would give the same value)

    # --- band: seeded Monte-Carlo over clearance (and half-life for undecanoate) ---
    rng = np.random.default_rng(seed)
    s_cl = _lognormal_sigma(MCR_SD_ML_MIN_KG / MCR_ML_MIN_KG)
    if log_covariance is not None:
        cov = np.asarray(log_covariance, dtype=float)
        z = rng.multivariate_normal(np.zeros(len(cov)), cov, samples)
        cl_f = np.exp(-z[:, 0])
        kr_s = np.minimum(kr * np.exp(z[:, 1]), 0.9 * kf) if len(cov) > 1 else np.full(samples, kr)
    else:
        cl_f = np.exp(rng.normal(-0.5 * s_cl**2, s_cl, samples))  # mean-preserving log-normal
    if log_covariance is not None:
        pass
    elif m.release_half_life_cv > 0:
        s_k = _lognormal_sigma(m.release_half_life_cv)
        hl = m.release_half_life_days * np.exp(rng.normal(-0.5 * s_k**2, s_k, samples))
        kr_s = np.minimum(math.log(2) / hl * (kr / m.k_release_per_day), 0.9 * kf)
    else:
        kr_s = np.full(samples, kr)
    auc_s = auc / cl_f
    a_s = auc_s * kr_s * kf / (kf - kr_s)
    t_mod = np.mod(times, tau)
    curves = a_s[:, None] * (
        np.exp(-kr_s[:, None] * t_mod) / -np.expm1(-kr_s[:, None] * tau)
        - np.exp(-kf * t_mod) / -np.expm1(-kf * tau)
    )
    curves += e
    lo_c, hi_c = np.percentile(curves, [2.5, 97.5], axis=0)
    troughs = curves[:, 0]
    peaks = curves.max(axis=1)
    means = auc_s / tau + e
    q = [2.5, 97.5]
    pk_lo, pk_hi = np.percentile(peaks, q)
    tr_lo, tr_hi = np.percentile(troughs, q)
    mn_lo, mn_hi = np.percentile(means, q)

    # --- build-up from the first dose: superposition of every dose given so far ---
    n_int = max(2, math.ceil(5 * (math.log(2) / kr) / tau) + 1)
    n_int = min(n_int, 60)
    t_start = np.linspace(0.0, n_int * tau, n_int * 24 + 1)
    a = _amplitude(auc, kr, kf)
    build = np.zeros_like(t_start)
    for i in range(n_int):
        build += bateman(t_start - i * tau, a, kr, kf)
    build += e

    return PkResult(
        regimen=r,
        model=m.model,
        reference=m.reference,
        peak_ng_dl=peak,
        peak_time_days=tpk,
        trough_ng_dl=trough,
        mean_ng_dl=mean,
        fluctuation_index=(peak - trough) / mean if mean > 0 else 0.0,
        peak_low_ng_dl=float(pk_lo),
        peak_high_ng_dl=float(pk_hi),
        trough_low_ng_dl=float(tr_lo),
        trough_high_ng_dl=float(tr_hi),
        mean_low_ng_dl=float(mn_lo),
        mean_high_ng_dl=float(mn_hi),
        days_to_90pct_steady_state=math.log(10) / kr,
        times_days=tuple(float(x) for x in times),
        curve_ng_dl=tuple(float(x) for x in curve),
        curve_low_ng_dl=tuple(float(x) for x in lo_c),
        curve_high_ng_dl=tuple(float(x) for x in hi_c),
        from_start_days=tuple(float(x) for x in t_start),
        from_start_ng_dl=tuple(float(x) for x in build),
        assumptions=tuple(_assumptions(r, m)),
        seed=seed,
        samples=samples,
    )


def simulate(
    regimen: Regimen, t_days: Sequence[float] | NDArray[np.float64], *, n_doses: int
) -> NDArray[np.float64]:
    """Total T [ng/dL] at ``t_days`` [day after the first dose] after ``n_doses`` doses.

    Superposition ``Σ_i C1(t − i·τ)`` of the single-dose curve, plus the endogenous level.

    >>> r = Regimen.build("enanthate", 250, 21)
    >>> round(float(simulate(r, [2.25], n_doses=1)[0]))
    1216
    """
    m = regimen.model()
    kr, kf = m.k_release_per_day, m.k_rise_per_day
    a = _amplitude(regimen.auc_ng_day_dl(), kr, kf)
    t = np.asarray(t_days, dtype=float)
    out = np.zeros_like(t)
    for i in range(n_doses):
        out += bateman(t - i * regimen.interval_days, a, kr, kf)
    return out + regimen.endogenous_ng_dl


# ---------------------------------------------------------------------------------------------
# Individualisation
# ---------------------------------------------------------------------------------------------

_LAB_RE: Final = re.compile(r"^\s*([^@]+?)\s*@\s*([^@]+?)\s*(d|day|days|h|hour|hours)\s*$", re.I)
#: The value part of a lab: a number, then its unit (``650ng/dL``, ``22.5 nmol/L``).
_LAB_VALUE_RE: Final = re.compile(r"^(.*?[0-9.])\s*([^\s0-9.,+\-][^@]*)?$")
_LAB_EXAMPLE: Final = "650ng/dL@3.5d or 22.5nmol/L@84h"


@dataclass(frozen=True)
class Lab:
    """A measured total T [ng/dL] at a time since the last dose [day], at steady state."""

    total_t_ng_dl: float
    days_since_dose: float


def parse_lab(text: str, interval_days: float) -> Lab:
    """Read ``"650ng/dL@3.5d"`` or ``"22.5nmol/L@84h"``: total T at a time since the last dose.

    The total T carries its unit (ng/dL or nmol/L, 1 nmol/L = 28.84 ng/dL; the units of
    :data:`endolab.units.TOTAL_T_UNITS`), the time its unit (``d`` days or ``h`` hours); the time
    must lie within the dosing interval (0 ≤ t ≤ τ). A value without a unit is refused
    (``E_LAB_UNIT``, exit status 2) rather than guessed.

    >>> parse_lab("650ng/dL@3.5d", 7)
    Lab(total_t_ng_dl=650.0, days_since_dose=3.5)
    >>> round(parse_lab("22.5 nmol/L@84h", 7).total_t_ng_dl, 1), parse_lab("650ng/dL@84h", 7).days_since_dose
    (648.9, 3.5)
    """
    m = _LAB_RE.match(str(text))
    if m is None:
        raise ParseError(
            f"lab: `{text}` is not TOTAL_T UNIT@TIME; write e.g. {_LAB_EXAMPLE} (total T in "
            "ng/dL or nmol/L, time since the last dose in days d or hours h)",
            code="E_LAB_FORMAT",
            field="lab",
            value=text,
        )
    v = _LAB_VALUE_RE.match(m.group(1))
    if v is None or v.group(2) is None:
        raise ParseError(
            f"lab: `{text}` gives no unit for the total T; write it with its unit, e.g. "
            f"{_LAB_EXAMPLE} (ng/dL or nmol/L)",
            code="E_LAB_UNIT",
            field="lab",
            value=text,
        )
    unit_name, factor = _validate.unit(v.group(2), "total_t", field="lab")
    tt = _validate.check(v.group(1), "total_t", unit=unit_name, factor=factor)
    t = parse_float(m.group(2), "lab time", unit=m.group(3))
    days = t / 24.0 if m.group(3).lower().startswith("h") else t
    if not 0.0 <= days <= interval_days:
        raise InputError(
            f"lab: time since the last dose {days:g} day is outside the interval 0–"
            f"{interval_days:g} day",
            code="E_LAB_TIME",
            field="lab",
            value=text,
        )
    return Lab(tt, days)


@dataclass(frozen=True)
class LabFit:
    """One lab value beside the model's value at that time [ng/dL]."""

    days_since_dose: float
    measured_ng_dl: float
    population_ng_dl: float
    fitted_ng_dl: float


@dataclass(frozen=True)
class PkFit:
    """An individual fit: the scale and release rate, how far they moved, each lab vs the model.

    ``scale`` multiplies the exogenous T (1 = population); ``release_half_life_days`` is the fitted
    half-life [day] (the population's when only one lab is given). ``method`` words the estimator.
    """

    scale: float
    release_half_life_days: float
    population_release_half_life_days: float
    scale_moved_sd: float
    half_life_moved_sd: float | None
    fitted_half_life: bool
    labs: tuple[LabFit, ...]
    method: str
    log_covariance: tuple[tuple[float, ...], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Flat JSON (unit in every key)."""
        return {
            "fit_scale": _sig(self.scale),
            "fit_scale_moved_sd": _sig(self.scale_moved_sd),
            "fit_release_half_life_days": _sig(self.release_half_life_days),
            "population_release_half_life_days": _sig(self.population_release_half_life_days),
            "fit_half_life_moved_sd": None
            if self.half_life_moved_sd is None
            else _sig(self.half_life_moved_sd),
            "fit_method": self.method,
            "labs": [
                {
                    "days_since_dose": _sig(x.days_since_dose),
                    "measured_ng_dl": _sig(x.measured_ng_dl),
                    "population_ng_dl": _sig(x.population_ng_dl),
                    "fitted_ng_dl": _sig(x.fitted_ng_dl),
                }
                for x in self.labs
            ],
        }


def _levenberg_marquardt(
    residuals: Callable[[NDArray[np.float64]], NDArray[np.float64]],
    x0: NDArray[np.float64],
    lower: NDArray[np.float64],
    upper: NDArray[np.float64],
    *,
    max_iter: int = 200,
) -> NDArray[np.float64]:
    """Minimise ``Σ residuals(x)²`` within bounds: Levenberg–Marquardt, central-difference Jacobian.

    Step ``(JᵀJ + λ·diag(JᵀJ))·δ = −Jᵀr``, clipped to the bounds; λ ÷ 3 after a step that lowers
    the sum, × 4 otherwise (Marquardt DW. J Soc Ind Appl Math 1963;11(2):431–41).

    >>> f = lambda x: np.array([x[0] - 1.0, 10 * (x[1] - x[0] ** 2)])
    >>> [round(float(v), 6) for v in _levenberg_marquardt(f, np.zeros(2), -np.ones(2) * 5, np.ones(2) * 5)]
    [1.0, 1.0]
    """
    x: NDArray[np.float64] = np.clip(np.asarray(x0, dtype=float), lower, upper)
    r = residuals(x)
    cost = float(r @ r)
    lam = 1e-3
    h = 1e-6
    for _ in range(max_iter):
        jac = np.empty((len(r), len(x)))
        for i in range(len(x)):
            e = np.zeros_like(x)
            e[i] = h
            jac[:, i] = (residuals(x + e) - residuals(x - e)) / (2 * h)
        jtj = jac.T @ jac
        grad = jac.T @ r
        improved = False
        for _ in range(30):
            step = np.linalg.solve(jtj + lam * np.diag(np.diag(jtj) + 1e-12), -grad)
            x_new: NDArray[np.float64] = np.clip(x + step, lower, upper)
            r_new = residuals(x_new)
            cost_new = float(r_new @ r_new)
            if cost_new < cost:
                improved = True
                lam = max(lam / 3.0, 1e-12)
                break
            lam *= 4.0
        if not improved:
            break
        done = float(np.max(np.abs(x_new - x))) < 1e-10 or cost - cost_new < 1e-14 * (1 + cost)
        x, r, cost = x_new, r_new, cost_new
        if done:
            break
    return x


#: Residual SD of ln(measured T) around the individual curve [A: assay ~5 % CV plus day-to-day
#: variation and timing; not sourced].
RESIDUAL_SD_LOG: Final = 0.15
#: Prior SD of ln(release half-life) for esters without a published variability [A].
DEFAULT_HALF_LIFE_SD_LOG: Final = 0.3


def fit_individual(regimen: Regimen, labs: Sequence[Lab]) -> PkFit:
    """Fit an individual exposure scale (and, with ≥ 2 labs, the release rate) by MAP.

    Maximum a posteriori on the log scale, with log-normal priors from the population model::

        minimise Σ_i ((ln y_i − ln ŷ_i(s, k)) / σ_res)²
                 + (ln s / σ_CL)² + ((ln k − ln k_pop) / σ_k)²

    ``ŷ_i`` is the steady-state model at the lab's time plus the endogenous level; ``σ_CL`` = 0.418
    (the clearance 16 ± 7 mL/min/kg), ``σ_k`` from the ester's published CV (undecanoate) or 0.3
    [A]; ``σ_res`` = 0.15 [A]. With one lab only ``s`` is fitted (``k = k_pop``). The objective is
    a sum of squares, solved by Levenberg–Marquardt (:func:`_levenberg_marquardt`, bounded; numpy
    only, so the calculator needs no optional extra). "Moved" is the fitted log-parameter's
    distance from the population value in prior SDs.

    >>> r = Regimen.build("enanthate", 125, 7)
    >>> f = fit_individual(r, [Lab(525.0 * 1.5, 0.0)])
    >>> 1.3 < f.scale < 1.5
    True
    """
    if not labs:
        raise InputError("labs: give at least one lab value", field="lab")
    if regimen.ester == "gel":
        raise InputError(
            "lab: individual fitting is for injections; for gel the level is flat",
            field="lab",
        )
    m = regimen.model()
    kr0, kf = m.k_release_per_day, m.k_rise_per_day
    auc0 = regimen.auc_ng_day_dl()
    tau = regimen.interval_days
    e = regimen.endogenous_ng_dl
    s_cl = _lognormal_sigma(MCR_SD_ML_MIN_KG / MCR_ML_MIN_KG)
    s_k = (
        _lognormal_sigma(m.release_half_life_cv)
        if m.release_half_life_cv > 0
        else DEFAULT_HALF_LIFE_SD_LOG
    )
    t = np.array([lab.days_since_dose for lab in labs])
    y = np.array([lab.total_t_ng_dl for lab in labs])
    fit_k = len(labs) >= 2

    def model(log_s: float, log_k: float) -> NDArray[np.float64]:
        k = kr0 * math.exp(log_k)
        return (
            steady_state_concentration(t, _amplitude(auc0 * math.exp(log_s), k, kf), k, kf, tau) + e
        )

    def residuals(p: NDArray[np.float64]) -> NDArray[np.float64]:
        log_s, log_k = float(p[0]), float(p[1]) if fit_k else 0.0
        yhat = np.maximum(model(log_s, log_k), 1e-9)
        res = (np.log(y) - np.log(yhat)) / RESIDUAL_SD_LOG
        prior = [log_s / s_cl, log_k / s_k] if fit_k else [log_s / s_cl]
        return np.concatenate([res, prior])

    def objective(p: NDArray[np.float64]) -> float:
        return float(np.sum(residuals(p) ** 2))

    k_max = math.log(0.9 * kf / kr0)
    if fit_k:
        lower, upper = np.array([-5.0, -3.0]), np.array([5.0, min(3.0, k_max)])
    else:
        lower, upper = np.array([-5.0]), np.array([5.0])
    x_opt = _levenberg_marquardt(residuals, np.zeros(len(lower)), lower, upper)
    log_s = float(x_opt[0])
    log_k = float(x_opt[1]) if fit_k else 0.0
    # Laplace approximation: the objective is −2·ln(posterior) + const, so cov = 2·H⁻¹
    n = len(x_opt)
    h = 1e-4
    hess = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            ei, ej = np.eye(n)[i] * h, np.eye(n)[j] * h
            hess[i, j] = (
                objective(x_opt + ei + ej)
                - objective(x_opt + ei - ej)
                - objective(x_opt - ei + ej)
                + objective(x_opt - ei - ej)
            ) / (4 * h * h)
    cov = 2.0 * np.linalg.inv(hess)
    pop = model(0.0, 0.0)
    fitted = model(log_s, log_k)
    k_fit = kr0 * math.exp(log_k)
    return PkFit(
        scale=math.exp(log_s),
        release_half_life_days=math.log(2) / k_fit,
        population_release_half_life_days=m.release_half_life_days,
        scale_moved_sd=log_s / s_cl,
        half_life_moved_sd=(-log_k / s_k) if fit_k else None,
        fitted_half_life=fit_k,
        labs=tuple(
            LabFit(float(tt), float(yy), float(pp), float(ff))
            for tt, yy, pp, ff in zip(t, y, pop, fitted, strict=True)
        ),
        method=(
            "MAP on the log scale: Gaussian residuals (SD 0.15 [A]) and log-normal priors from the "
            f"population model (scale SD {s_cl:.3f} from the clearance 16 ± 7 mL/min/kg"
            + (f"; half-life SD {s_k:.3f}" if fit_k else "; half-life fixed (one lab)")
            + "); Levenberg–Marquardt, bounded; posterior band by the Laplace approximation."
        ),
        log_covariance=tuple(tuple(float(x) for x in row) for row in cov),
    )


# ---------------------------------------------------------------------------------------------
# Through the predictor: E2, DHT and free T at trough, mean and peak
# ---------------------------------------------------------------------------------------------


def _hormone_row(
    point: str, tt: float, age: float | str | None, shbg: float | str | None
) -> dict[str, Any]:
    from endolab.hormones.predictor import predict

    lo, hi = _validate.INPUT_RANGES["total_t"].low, _validate.INPUT_RANGES["total_t"].high
    if not lo <= tt <= hi:
        return {
            "point": point,
            "total_testosterone_ng_dl": _sig(tt),
            "predicted": False,
            "note": f"total T {tt:.4g} ng/dL is outside the predictor's range {lo:g}–{hi:g} ng/dL: "
            "E2, DHT and free T not predicted",
        }
    p = predict(tt, age=age, shbg=shbg)
    return {
        "point": point,
        "total_testosterone_ng_dl": _sig(tt),
        "predicted": True,
        "free_testosterone_pg_ml": _sig(p.free_testosterone_pg_ml),
        "free_testosterone_low_pg_ml": _sig(p.free_testosterone_low_pg_ml),
        "free_testosterone_high_pg_ml": _sig(p.free_testosterone_high_pg_ml),
        "estradiol_pg_ml": _sig(p.estradiol_pg_ml),
        "estradiol_low_pg_ml": _sig(p.estradiol_low_pg_ml),
        "estradiol_high_pg_ml": _sig(p.estradiol_high_pg_ml),
        "free_estradiol_pg_ml": _sig(p.free_estradiol_pg_ml),
        "dht_ng_dl": _sig(p.dht_ng_dl),
        "dht_low_ng_dl": _sig(p.dht_low_ng_dl),
        "dht_high_ng_dl": _sig(p.dht_high_ng_dl),
        "shbg_nmol_l_used": _sig(p.shbg_nmol_l_used),
        "shbg_assumed": p.shbg_assumed,
    }


@dataclass(frozen=True)
class ProtocolResult:
    """A regimen's steady-state total T, the individual fit (if labs were given) and the hormones.

    ``estradiol_curve_pg_ml`` is the predicted estradiol [pg/mL] at each time of
    ``pk.times_days`` (the predictor applied to the total-T curve; ``None`` where total T is outside
    the predictor's 50–3000 ng/dL).
    """

    pk: PkResult
    fit: PkFit | None
    estradiol_curve_pg_ml: tuple[float | None, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Flat JSON of :class:`PkResult` plus the fit's keys (unit in every key)."""
        out = self.pk.to_dict()
        out["curve_estradiol_pg_ml"] = [
            None if x is None else _sig(x) for x in self.estradiol_curve_pg_ml
        ]
        if self.fit is not None:
            out.update(self.fit.to_dict())
        return out


def _estradiol_curve(
    curve_ng_dl: Sequence[float], age: float | str | None, shbg: float | str | None
) -> tuple[float | None, ...]:
    """The predictor's estradiol [pg/mL] at each total T of a curve [ng/dL] (Lakshman 2010)."""
    from endolab.hormones.predictor import predict

    lo, hi = _validate.INPUT_RANGES["total_t"].low, _validate.INPUT_RANGES["total_t"].high
    return tuple(
        predict(tt, age=age, shbg=shbg).estradiol_pg_ml if lo <= tt <= hi else None
        for tt in curve_ng_dl
    )


def protocol(
    ester: str,
    dose_mg: object,
    interval_days: object,
    *,
    labs: Sequence[str] = (),
    endogenous_ng_dl: object | None = None,
    body_weight_kg: object | None = None,
    start: date | str | None = None,
    age: float | str | None = None,
    shbg: float | str | None = None,
    seed: int = 0,
) -> ProtocolResult:
    """From a regimen (and optional labs) to total T over the interval and E2, DHT, free T.

    Validates the inputs (:meth:`Regimen.build`, :func:`parse_lab`), fits the labs
    (:func:`fit_individual`), computes the steady state with the individual parameters
    (:func:`steady_state`) and passes trough, mean and peak total T through the existing predictor
    (:func:`endolab.hormones.predict`, Lakshman 2010 / Vermeulen 1999, with ``age`` and ``shbg``
    as there). ``age`` [years] also sets the clearance (:func:`clearance_factor_coviello_2006`). A point outside the predictor's 50–3000 ng/dL is reported, not predicted.

    >>> r = protocol("cypionate", 120, 7)
    >>> [h["point"] for h in r.pk.hormones]
    ['trough', 'mean', 'peak']
    """
    reg = Regimen.build(
        ester,
        dose_mg,
        interval_days,
        endogenous_ng_dl=endogenous_ng_dl,
        body_weight_kg=body_weight_kg,
        start=start,
        age_years=age,
    )
    parsed = [parse_lab(x, reg.interval_days) for x in labs]
    fit = fit_individual(reg, parsed) if parsed else None
    if fit is None:
        pk = steady_state(reg, seed=seed)
    else:
        pk = steady_state(
            reg,
            scale=fit.scale,
            k_release_per_day=math.log(2) / fit.release_half_life_days,
            seed=seed,
            log_covariance=fit.log_covariance,
        )
    rows = tuple(
        _hormone_row(name, tt, age, shbg)
        for name, tt in (
            ("trough", pk.trough_ng_dl),
            ("mean", pk.mean_ng_dl),
            ("peak", pk.peak_ng_dl),
        )
    )
    extra = (
        ()
        if fit is None
        else (
            "Curve individualised to your labs (" + fit.method + "); the band is the "
            "posterior uncertainty of the fitted parameters, not the population's spread.",
        )
    )
    pk = replace(pk, hormones=rows, assumptions=(*pk.assumptions, *extra))
    return ProtocolResult(
        pk=pk, fit=fit, estradiol_curve_pg_ml=_estradiol_curve(pk.curve_ng_dl, age, shbg)
    )


@dataclass(frozen=True)
class ProtocolRequest:
    """What a person entered for :func:`protocol`, not yet parsed: the regimen, the labs and the
    person, passed through as one object by the command line, the JSON API and the web page.

    Attributes
    ----------
    ester, dose_mg, every_days
        The regimen: ester (or ``gel``), dose per injection [mg of ester] (gel: [mg T/day]) and
        the interval between doses [days] (text or number; checked by :meth:`Regimen.build`).
    labs
        Measured total T at a time since the last dose, e.g. ``"650ng/dL@3.5d"`` (:func:`parse_lab`).
    endogenous_ng_dl, weight_kg
        Own testosterone left on therapy [ng/dL] and body weight [kg] (``None``: the defaults of
        :meth:`Regimen.build`).
    start
        Date of the first dose (``YYYY-MM-DD``) or ``None``.
    age, shbg
        Age [years] and SHBG [nmol/L] for the predictor (``None``: its defaults).
    seed
        Seed of the band's Monte-Carlo.

    >>> r = ProtocolRequest.from_fields({"ester": "cypionate", "dose_mg": "120",
    ...     "every_days": "7", "labs": ["650ng/dL@3.5d"], "compare": None})
    >>> r.labs, r.weight_kg
    (('650ng/dL@3.5d',), None)
    >>> r.compared_with("enanthate", "250", "14").labs
    ()
    """

    ester: str
    dose_mg: object
    every_days: object
    labs: Sequence[str] = ()
    endogenous_ng_dl: object | None = None
    weight_kg: object | None = None
    start: date | str | None = None
    age: float | str | None = None
    shbg: float | str | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "labs", tuple(self.labs))

    @classmethod
    def from_fields(cls, values: Mapping[str, Any]) -> ProtocolRequest:
        """The request from a mapping that holds its fields by name (other keys are ignored), e.g.
        a command's options or a JSON body; a field that is absent keeps its default."""
        return cls(**{f.name: values[f.name] for f in fields(cls) if f.name in values})

    def compared_with(self, ester: str, dose_mg: object, every_days: object) -> ProtocolRequest:
        """A second regimen for the same person (weight, age, SHBG, endogenous T, seed), without
        labs or start date: the population model, shown side by side."""
        return replace(
            self, ester=ester, dose_mg=dose_mg, every_days=every_days, labs=(), start=None
        )

    def run(self) -> ProtocolResult:
        """The :func:`protocol` result of this request."""
        return protocol(
            self.ester,
            self.dose_mg,
            self.every_days,
            labs=self.labs,
            endogenous_ng_dl=self.endogenous_ng_dl,
            body_weight_kg=self.weight_kg,
            start=self.start,
            age=self.age,
            shbg=self.shbg,
            seed=self.seed,
        )


def pk_figure(result: PkResult, *, title: str | None = None) -> Figure:
    """The steady-state curve as a figure: total T [ng/dL] over two intervals [day after a dose].

    The central curve, its band (shaded), trough and peak marked, and the harmonized reference
    range of total T (264–916 ng/dL, Travison 2017; :data:`endolab.hormones.reference.REFERENCE_RANGES`)
    shaded. Built without pyplot (no global state); save with ``fig.savefig(path)``. Every number
    drawn is a field of ``result``.
    """
    from matplotlib.figure import Figure

    from endolab.hormones.reference import REFERENCE_RANGES

    ref = REFERENCE_RANGES["total_testosterone"]
    r = result.regimen
    fig = Figure(figsize=(7.0, 4.0))
    ax = fig.add_subplot()
    ax.axhspan(
        ref.low,
        ref.high,
        color="#2e7d32",
        alpha=0.08,
        label=f"reference {ref.low:g}–{ref.high:g} ng/dL",
    )
    ax.fill_between(
        result.times_days,
        result.curve_low_ng_dl,
        result.curve_high_ng_dl,
        color="#1565c0",
        alpha=0.18,
        label="band (central 95 %)",
    )
    ax.plot(result.times_days, result.curve_ng_dl, color="#1565c0", lw=2, label="total T")
    tau = r.interval_days
    for k in (0, 1):
        ax.plot([result.peak_time_days + k * tau], [result.peak_ng_dl], "v", color="#c62828")
        ax.plot([k * tau], [result.trough_ng_dl], "^", color="#6a1b9a")
    ax.annotate(
        f"peak {result.peak_ng_dl:.0f} ng/dL",
        (result.peak_time_days, result.peak_ng_dl),
        textcoords="offset points",
        xytext=(6, 6),
        fontsize=8,
    )
    ax.annotate(
        f"trough {result.trough_ng_dl:.0f} ng/dL",
        (0.0, result.trough_ng_dl),
        textcoords="offset points",
        xytext=(6, -12),
        fontsize=8,
    )
    ax.set_xlabel("days after a dose [day]")
    ax.set_ylabel("total testosterone [ng/dL]")
    ax.set_xlim(0, 2 * tau)
    ax.set_ylim(bottom=0)
    ax.set_title(
        title or f"{r.ester} {r.dose_mg:g} mg every {tau:g} days — steady state ({result.model})",
        fontsize=9,
    )
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    return fig


# --- former names (before the naming rule of docs/methods/index.md §4), kept as deprecated aliases
coviello_2006_clearance_factor = deprecated_alias(
    clearance_factor_coviello_2006, "coviello_2006_clearance_factor"
)
schulte_beerbuhl_1980_cypionate = deprecated_alias(
    cypionate_schulte_beerbuhl_1980, "schulte_beerbuhl_1980_cypionate"
)
behre_1999_undecanoate = deprecated_alias(undecanoate_behre_1999, "behre_1999_undecanoate")
