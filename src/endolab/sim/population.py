"""The virtual trial population: a multivariate parameter distribution, behaviour, and screening.

The published UVA/Padova adults (simglucose's 10 sets) are well-controlled people without severe
hypoglycaemia; the islet-replacement trial enrolled adults with impaired awareness of
hypoglycaemia and recurrent severe hypoglycaemic events (SHE). This module

1. draws **virtual adults** from a multivariate distribution of the model parameters estimated
   from the 10 published adults (:func:`adult_parameter_distribution`, :func:`draw_virtual_adults`),
   each with a self-consistent basal steady state;
2. gives each a **behaviour** (:class:`BehaviourSettings`): carbohydrate-counting bias and error,
   missed and late boluses, a prescribed basal rate that is not exactly right, and hypoglycaemia
   **awareness** (an aware person treats hypoglycaemia at once, an unaware one late or not at all);
3. **screens** them like the trial (:func:`screen`): age 18–65, undetectable C-peptide, impaired
   awareness, and at least 2 SHE in a simulated year before enrolment (the protocol's
   eligibility, NCT04786262; docs/methods/trial.md §1.1). Only eligible candidates are enrolled;
   each keeps the state reached at the end of screening and its SHE rate (``baseline_she_per_year``).

Every number here is an assumption [A] unless a source is named; the behaviour values are chosen so
that the screened population's run-in resembles the trial's reported baseline (HbA1c about 7.8 %,
time in range about 50 %, insulin about 39 U/day; docs/sim.md) — a calibration to the baseline,
never to outcomes. In-silico results are never clinical evidence.
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from endolab.errors import InputError
from endolab.sim.counterregulation import CounterregulationSettings, apply_counterregulation
from endolab.sim.model import (
    C_GATE_MIN,
    C_LAST_QSTO,
    GP,
    GS,
    GT,
    I1,
    ID,
    IL,
    IP,
    ISC1,
    ISC2,
    N_CARRY,
    N_STATES,
    P_FGRAFT,
    P_KP3,
    P_VMX,
    QSTO1,
    QSTO2,
    X,
    param_index,
    run_minutes,
    therapy_row,
)
from endolab.sim.patients import (
    HEIGHT_CM,
    VirtualPatient,
    load_patient,
    published_tables,
    with_c_peptide,
)
from endolab.sim.scenario import MealPlan, random_meals

__all__ = [
    "BehaviourSettings",
    "PopulationSettings",
    "ScreeningResult",
    "SheModel",
    "adult_parameter_distribution",
    "awareness_restoration_leitao_2008",
    "awareness_weight",
    "bolus_plan",
    "draw_behaviour",
    "draw_virtual_adults",
    "restored_asleep_detection",
    "restored_awareness",
    "restored_third_party_prob",
    "screen",
    "steady_state",
]

FloatArray = NDArray[np.float64]
MINUTES_PER_DAY = 1440

#: Parameters drawn from the joint distribution: log-transformed (positive) …
LOG_PARAMS: tuple[str, ...] = (
    "BW", "EGPb", "Gb", "Ib", "kabs", "kmax", "kmin", "Vg", "Vi", "Vmx", "Km0", "k1", "k2",
    "p2u", "m1", "m2", "m4", "m30", "m5", "ki", "kp2", "kp3", "kd", "ksc", "ka1", "ka2",
)  # fmt: skip
#: … logit-transformed (fractions in (0, 1)) …
LOGIT_PARAMS: tuple[str, ...] = ("b", "d", "f", "HEb")
#: … and the therapy constants of Quest.csv (log-transformed), drawn jointly so that a person's
#: carbohydrate ratio and correction factor stay matched to their insulin sensitivity.
QUEST_PARAMS: tuple[str, ...] = ("CR", "CF")
#: The rules a graft can restore awareness by (:class:`BehaviourSettings`).
AWARENESS_RESTORATION_RULES: tuple[str, ...] = ("leitao2008", "proportional")


def _forward(name: str, value: float) -> float:
    return math.log(value / (1.0 - value)) if name in LOGIT_PARAMS else math.log(value)


def _backward(name: str, value: float) -> float:
    return 1.0 / (1.0 + math.exp(-value)) if name in LOGIT_PARAMS else math.exp(value)


@dataclass(frozen=True)
class ParameterDistribution:
    """Multivariate normal of transformed parameters: ``θ = mean + factors @ z``, ``z ~ N(0, I)``.

    ``names`` are the transformed parameters (:data:`LOG_PARAMS`, :data:`LOGIT_PARAMS`,
    :data:`QUEST_PARAMS`) that vary between the published adults; ``factors`` has shape
    ``(len(names), 10)``: the centred published adults divided by √9, so ``factors @ factors.T`` is
    the sample covariance. ``fixed`` are the parameters equal in all adults (kept as they are).
    ``low`` and ``high`` bound a draw (transformed): the published range widened by a quarter of
    its width on each side [A]; a draw outside is drawn again (this keeps every virtual adult near
    the published ones and the 1-minute RK4 step stable, e.g. kabs ≤ 0.8 /min).
    """

    names: tuple[str, ...]
    mean: FloatArray
    factors: FloatArray
    fixed: dict[str, float]
    low: FloatArray
    high: FloatArray


@functools.cache
def adult_parameter_distribution() -> ParameterDistribution:
    """The joint distribution of the 10 published adults' parameters [A].

    Log-normal (logit-normal for fractions) with the sample mean and the sample covariance of the
    transformed parameters of simglucose's 10 adults (``vpatient_params.csv``, ``Quest.csv``). With
    10 sets the covariance has rank 9: draws are random combinations of the published adults in the
    transformed space, which keeps their correlations (e.g. body weight with volumes, insulin
    sensitivity with carbohydrate ratio). That the population is this distribution is the
    assumption; the UVA/Padova simulator's own population distribution is not public.

    >>> dist = adult_parameter_distribution()
    >>> dist.factors.shape[1], "Vmx" in dist.names
    (10, True)
    """
    params, quest = published_tables()
    names = [n for n in params if n.startswith("adult#")]
    rows: dict[str, list[float]] = {}
    for key in (*LOG_PARAMS, *LOGIT_PARAMS):
        rows[key] = [_forward(key, float(params[n][key])) for n in names]
    for key in QUEST_PARAMS:
        rows[key] = [_forward(key, float(quest[n][key])) for n in names]
    varying = [k for k, v in rows.items() if float(np.std(v)) > 1e-12]
    fixed = {k: _backward(k, v[0]) for k, v in rows.items() if k not in varying}
    z = np.array([rows[k] for k in varying])
    mean = z.mean(axis=1)
    factors = (z - mean[:, None]) / math.sqrt(len(names) - 1)
    width = z.max(axis=1) - z.min(axis=1)
    low = z.min(axis=1) - 0.25 * width
    high = z.max(axis=1) + 0.25 * width
    return ParameterDistribution(tuple(varying), mean, factors, fixed, low, high)


def steady_state(values: dict[str, float]) -> tuple[dict[str, float], FloatArray] | None:
    """Derived parameters and the basal steady state of a UVA/Padova parameter set.

    From the basal glucose ``Gb`` [mg/dL], insulin ``Ib`` [pmol/L] and production ``EGPb``
    [mg/kg/min], the relations the published sets satisfy (checked on all 10 adults; Dalla Man
    2007, doi:10.1109/TBME.2007.893506): ``Gpb = Gb·Vg``, ``Gtb = (Fsnc − EGPb + k1·Gpb)/k2``,
    ``kp1 = EGPb + kp2·Gpb + kp3·Ib``, ``Vm0 = (EGPb − Fsnc)·(Km0 + Gtb)/Gtb``, ``Ipb = Ib·Vi``,
    ``Ilb = m2·Ipb/(m1 + m30)``, ``u2ss = (m2 + m4)·Ipb − m1·Ilb`` [pmol/kg/min],
    ``Isc1 = u2ss/(ka1 + kd)``, ``Isc2 = kd·Isc1/ka2``. Returns ``(derived, x0)`` or ``None`` when
    the set has no positive steady state.

    >>> from endolab.sim.patients import published_tables
    >>> row = published_tables()[0]["adult#001"]
    >>> derived, x0 = steady_state({k: float(v) for k, v in row.items() if k not in ("Name", "patient_history")})
    >>> abs(derived["kp1"] - float(row["kp1"])) < 1e-9, abs(derived["u2ss"] - float(row["u2ss"])) < 1e-9
    (True, True)
    """
    v = values
    gpb = v["Gb"] * v["Vg"]
    gtb = (v["Fsnc"] - v["EGPb"] + v["k1"] * gpb) / v["k2"]
    if gtb <= 0 or v["EGPb"] <= v["Fsnc"]:
        return None
    kp1 = v["EGPb"] + v["kp2"] * gpb + v["kp3"] * v["Ib"]
    vm0 = (v["EGPb"] - v["Fsnc"]) * (v["Km0"] + gtb) / gtb
    ipb = v["Ib"] * v["Vi"]
    ilb = v["m2"] * ipb / (v["m1"] + v["m30"])
    u2ss = (v["m2"] + v["m4"]) * ipb - v["m1"] * ilb
    if u2ss <= 0:
        return None
    isc1 = u2ss / (v["ka1"] + v["kd"])
    isc2 = v["kd"] * isc1 / v["ka2"]
    x0 = np.zeros(N_STATES)
    x0[GP], x0[GT], x0[IP], x0[X] = gpb, gtb, ipb, 0.0
    x0[I1], x0[ID], x0[IL], x0[ISC1], x0[ISC2], x0[GS] = v["Ib"], v["Ib"], ilb, isc1, isc2, gpb
    return {"kp1": kp1, "Vm0": vm0, "u2ss": u2ss, "Gpb": gpb, "Gtb": gtb}, x0


@dataclass(frozen=True)
class PopulationSettings:
    """Where virtual participants come from.

    Attributes
    ----------
    source
        ``"screened"`` (default): virtual adults drawn from :func:`adult_parameter_distribution`
        and screened like the trial (:func:`screen`); ``"published"``: the 10 published adults
        (then with replacement and a jitter), aware, with exact boluses — the simulator before the
        trial population existed, kept for comparison.
    z_clip
        Each standard-normal factor of a draw is clipped to ±``z_clip`` [1]: 2.0 [A], so that no
        virtual adult lies far outside the published sets.
    age_mean_years, age_sd_years
        Age is not a model parameter: drawn normal with the mean and SD of the 10 published
        adults' ages (51.6 and 16.8 years) [A], rounded to whole years; screening keeps 18–65.
    p_male
        Probability of a male participant [1]: 0.5 [A] (sex is not in the published sets).
    """

    source: Literal["screened", "published"] = "screened"
    z_clip: float = 2.0
    age_mean_years: float = 51.6
    age_sd_years: float = 16.8
    p_male: float = 0.5

    def __post_init__(self) -> None:
        if self.source not in ("screened", "published"):
            raise InputError(
                f"population source must be screened or published, got {self.source!r}",
                field="source",
            )
        if not (math.isfinite(self.z_clip) and self.z_clip > 0):
            raise InputError(f"z_clip must be > 0, got {self.z_clip}", field="z_clip")


def draw_virtual_adults(
    rng: np.random.Generator, n: int, settings: PopulationSettings | None = None, start: int = 0
) -> list[VirtualPatient]:
    """``n`` virtual adults from :func:`adult_parameter_distribution` with their steady states.

    A draw outside the distribution's bounds or without a positive steady state is drawn again
    (from the same ``rng``). Names are
    ``virtual#00001`` … counted from ``start + 1``. Sex is drawn (P(male) ``p_male``), age from
    :class:`PopulationSettings`; the total daily insulin of the name-sake field is the basal
    steady state's insulin plus 180 g of carbohydrate at the drawn carbohydrate ratio [A] (a
    reference only; the simulated insulin is what the behaviour gives).
    """
    s = settings or PopulationSettings()
    dist = adult_parameter_distribution()
    template = load_patient("adult#001")
    out: list[VirtualPatient] = []
    while len(out) < n:
        z = np.clip(rng.standard_normal(dist.factors.shape[1]), -s.z_clip, s.z_clip)
        theta = dist.mean + dist.factors @ z
        male = bool(rng.random() < s.p_male)
        age = float(round(rng.normal(s.age_mean_years, s.age_sd_years)))
        if ((theta < dist.low) | (theta > dist.high)).any():
            continue
        values = dict(dist.fixed)
        values.update({k: _backward(k, float(t)) for k, t in zip(dist.names, theta, strict=True)})
        if "ke1" not in values:
            row = published_tables()[0]["adult#001"]
            values.update({k: float(row[k]) for k in ("ke1", "ke2", "Fsnc")})
        derived = steady_state(values)
        if derived is None:
            continue
        extra, x0 = derived
        values.update(extra)
        params = template.params.copy()
        for key in (
            "BW", "kabs", "kmax", "kmin", "b", "d", "f", "Vg", "Vi", "k1", "k2", "kp1", "kp2",
            "kp3", "ke1", "ke2", "Fsnc", "Vm0", "Vmx", "Km0", "p2u", "Ib", "ki", "m1", "m2",
            "m4", "m30", "m5", "HEb", "ka1", "ka2", "kd", "ksc", "u2ss",
        ):  # fmt: skip
            params[param_index(key)] = values[key]
        params[param_index("m6")] = values["HEb"]
        params[P_FGRAFT] = 0.0
        sex: Literal["F", "M"] = "M" if male else "F"
        basal_u_day = values["u2ss"] * values["BW"] / 6000.0 * MINUTES_PER_DAY
        pt = VirtualPatient(
            name=f"virtual#{start + len(out) + 1:05d}",
            params=params,
            x0=x0,
            cr=values["CR"],
            cf=values["CF"],
            age_years=age,
            tdi_u_per_day=basal_u_day + 180.0 / values["CR"],
            sex=sex,
            height_cm=HEIGHT_CM[sex],
        )
        out.append(with_c_peptide(pt))
    return out


@dataclass(frozen=True)
class BehaviourSettings:
    """How virtual people manage their diabetes: the source of problematic hypoglycaemia [A].

    The structure follows the T1D patient decision simulator (Vettoretti M, Facchinetti A,
    Sparacino G, Cobelli C. IEEE Trans Biomed Eng 2018, doi:10.1109/TBME.2017.2746340): the
    UVA/Padova model driven by a model of the person's treatment decisions (carbohydrate counting,
    bolus timing, hypoglycaemia treatment). The numbers are this project's [A], chosen so that the
    screened population's run-in resembles the trial's reported baseline (docs/sim.md), except
    where a source is named.

    Attributes
    ----------
    count_bias_median, count_bias_cv
        A per-person systematic bolus bias (log-normal factor on the counted carbohydrate): median
        0.5, between-person CV 0.3 [A, calibrated to the baseline]. It stands for counting bias
        and a carbohydrate ratio that does not match the person's need together; a person above 1
        over-boluses at every meal.
    carb_count_cv
        Within-person CV of the counting error of one meal (log-normal) [1]: 0.45 — patients'
        estimates of typical meals had CVs of 27.9–44.5 % (bolus-guide study, J Diabetes Sci
        Technol 2010, PMC2909521 [V abstract]).
    missed_bolus_prob
        Probability that a meal bolus is forgotten [1]: 0.3 [A] (snacks included).
    late_bolus_prob, late_bolus_min_max
        Probability that a bolus is given late, and the largest delay [min] (uniform from 10):
        0.25 and 60 [A].
    basal_median, basal_cv
        The prescribed basal rate relative to the one that holds the steady state (log-normal):
        median 0.85, between-person CV 0.3, clipped to 0.6–1.5 [A]; too much basal is a classic cause of nocturnal
        hypoglycaemia, too little of fasting hyperglycaemia.
    meal_size_cv
        Extra meal-to-meal variability of the amount eaten (log-normal factor, median 1, on the
        simglucose scenario's amounts, whose SDs are only 5–10 g) [1]: 0.5 [A].
    si_day_cv
        Day-to-day variability of insulin sensitivity: Vmx and kp3 multiplied by one log-normal
        factor per person and day (median 1, clipped to 0.5–2) [1]: 0.4 [A] (intra- and inter-day
        SI variability is part of the UVA/Padova S2017 simulator, Visentin 2018,
        doi:10.1177/1932296818757747; its published distribution is not used here).
    impaired_awareness_prob
        Probability that a candidate has impaired awareness of hypoglycaemia [1]: 0.195 — 19.5 %
        of 518 randomly selected adults with T1D of a hospital clinic had impaired awareness by
        the Gold method (Geddes J et al., Diabet Med 2008;25:501,
        doi:10.1111/j.1464-5491.2008.02413.x [V abstract]); only they can be enrolled.
    aware_detect_below_mg_dl
        An aware person notices hypoglycaemia (symptoms) when interstitial glucose falls below
        70 mg/dL, always while awake, and treats it [A] (the "rule of 15": 15 g every 30 min).
    impaired_detect_below_mg_dl, impaired_detect_prob
        A person with impaired awareness notices it only below 50 mg/dL (autonomic symptoms begin
        at 58 ± 2 mg/dL in people without diabetes, Mitrakou 1991, doi:10.1152/ajpendo.1991.260.1.E67;
        shifted lower by impaired awareness [A]) and then with probability 0.9 per 30-minute look
        [A]: late or, now and then, not at all (while awake).
    sleep_start_hour, sleep_end_hour
        The sleep window [h of the day]: 23 to 7 [A] (after the scenario's last snack, before its
        breakfast). While asleep the symptom detection probabilities above are replaced by
        ``asleep_detect_prob`` (docs/methods/sim.md §8). Equal values switch the window off.
    asleep_detect_prob
        Probability per 30-minute look that a sleeping person with T1D wakes and treats
        hypoglycaemia [1]: 0.0625 — 1 of 16 adults with T1D awakened when plasma glucose was
        lowered to 2.2 mmol/L (40 mg/dL) within an hour in stage-2 sleep, against 10 of 16 healthy
        controls (Schultes B et al., PLoS Med 2007;4:e69, doi:10.1371/journal.pmed.0040069 [V
        abstract]); 8 adults with T1D were "markedly" less often awakened by a 45 mg/dL clamp step
        than controls (Banarer S, Cryer PE, Diabetes 2003;52:1195,
        doi:10.2337/diabetes.52.5.1195 [V abstract]). The same for aware and impaired people
        (both studies' patients were not selected for unawareness [U]); that the per-episode
        figure holds per look is this project's assumption.
    asleep_detect_prob_restored
        The asleep detection probability a graft restores at full restoration (see
        ``awareness_restored_at_graft_fraction``) [1]: 0.625, the healthy controls' 10 of 16 of
        Schultes 2007; the move by the restoration w of ``awareness_restoration`` is [A].
    cgm_alarm_response_prob
        Probability per 30-minute look that a CGM low alarm (interstitial glucose below the
        person's detection threshold) is heard and acted on, asleep or awake [1]: 0 [A] — off
        by default: Kovatchev 1998's calibration cohort used meters, and no source here gives
        the response rate to alarms of people with impaired awareness; ``p_look = 1 − (1 −
        p_symptoms)·(1 − p_alarm)``.
    awareness_restored_at_graft_fraction
        A graft restores awareness [A]: in a person with impaired awareness the detection threshold
        and probability move from the impaired values to the aware ones in proportion to the
        graft's functional fraction F, fully at F ≥ this value [1]: 1.0 [A] (a healthy pancreas'
        mass); 0 switches the restoration off (:func:`restored_awareness`). Clinical basis: the
        Clarke hypoglycaemia score of 31 islet recipients fell from 5.3 (unaware) to 1.4 after
        transplantation, most in those off insulin (Leitão et al., Diabetes Care 2008;31:2113,
        PMID 18697903), and avoiding hypoglycaemia after an islet graft restores counter-regulatory
        and autonomic symptom responses (Rickels, Ann N Y Acad Sci 2019;1454:68,
        doi:10.1111/nyas.14214); a clamp study found symptom recognition not restored in 7
        insulin-independent recipients (Paty et al., Diabetes 2002;51:3428,
        doi:10.2337/diabetes.51.12.3428). That restoration follows F, at once and in proportion,
        is this project's assumption; the published course is gradual (months) and, in Leitão
        2008, persisted after graft failure. Used only with ``awareness_restoration =
        "proportional"``.
    awareness_restoration
        Which rule restores awareness after a graft: ``"leitao2008"`` (default) or
        ``"proportional"`` (the rule above, in proportion to F). ``"leitao2008"``
        (:func:`awareness_restoration_leitao_2008`): full restoration (w = 1) from the day after
        the first day on which the participant's simulated plasma C-peptide peaked at or above
        ``awareness_restored_c_peptide_pmol_l``, kept for the rest of the run. Source: Leitão et
        al. (Diabetes Care 2008;31:2113, PMID 18697903, PMC2571057; DOI not verified here [U]):
        in 31 islet recipients the Clarke hypoglycaemia score fell as far in recipients still on
        insulin with stimulated C-peptide ≥ 0.3 ng/mL (5.31 → 1.15, n = 13) as in those off
        insulin (5.63 → no hypoglycaemia, n = 8), and still improved 11.5 ± 14.5 months after
        graft failure (5.00 → 2.70, n = 10). Assumptions [A]: the day's peak of the model's
        plasma C-peptide (meal- or test-drink-stimulated) stands for Leitão's stimulated
        C-peptide; restoration is a step at once (the abstract gives no time since transplant
        for the score); it is kept, fully, after the C-peptide falls again (Leitão's
        graft-failure group kept only part of it); what it does to waking asleep and to the
        third-party probability is as in the proportional rule with w = 1.
    awareness_restored_c_peptide_pmol_l
        Leitão 2008's boundary of graft function [pmol/L]: 99.3 = 0.3 ng/mL × 331 pmol/L per
        ng/mL (C-peptide 3020 g/mol, ``endolab.trial.grading.C_PEPTIDE_PMOL_L_PER_NG_ML``).
    """

    count_bias_median: float = 0.5
    count_bias_cv: float = 0.3
    carb_count_cv: float = 0.45
    missed_bolus_prob: float = 0.3
    late_bolus_prob: float = 0.25
    late_bolus_min_max: float = 60.0
    basal_median: float = 0.85
    basal_cv: float = 0.3
    impaired_awareness_prob: float = 0.195
    meal_size_cv: float = 0.5
    si_day_cv: float = 0.4
    aware_detect_below_mg_dl: float = 70.0
    impaired_detect_below_mg_dl: float = 50.0
    impaired_detect_prob: float = 0.9
    awareness_restored_at_graft_fraction: float = 1.0
    sleep_start_hour: float = 23.0
    sleep_end_hour: float = 7.0
    asleep_detect_prob: float = 0.0625
    asleep_detect_prob_restored: float = 0.625
    cgm_alarm_response_prob: float = 0.0
    awareness_restoration: Literal["leitao2008", "proportional"] = "leitao2008"
    awareness_restored_c_peptide_pmol_l: float = 0.3 * 331.0

    def __post_init__(self) -> None:
        if self.awareness_restoration not in AWARENESS_RESTORATION_RULES:
            raise InputError(
                "behaviour setting awareness_restoration must be 'leitao2008' or 'proportional', "
                f"got {self.awareness_restoration!r}",
                field="awareness_restoration",
            )
        for name in ("count_bias_cv", "carb_count_cv", "basal_cv", "late_bolus_min_max",
                     "count_bias_median", "meal_size_cv", "si_day_cv", "basal_median",
                     "awareness_restored_at_graft_fraction",
                     "awareness_restored_c_peptide_pmol_l"):  # fmt: skip
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise InputError(f"behaviour setting {name} must be ≥ 0, got {value}", field=name)
        for name in (
            "missed_bolus_prob",
            "late_bolus_prob",
            "impaired_awareness_prob",
            "impaired_detect_prob",
            "asleep_detect_prob",
            "asleep_detect_prob_restored",
            "cgm_alarm_response_prob",
        ):
            value = getattr(self, name)
            if not (math.isfinite(value) and 0 <= value <= 1):
                raise InputError(f"behaviour setting {name} must be 0–1, got {value}", field=name)
        for name in ("sleep_start_hour", "sleep_end_hour"):
            value = getattr(self, name)
            if not (math.isfinite(value) and 0 <= value < 24):
                raise InputError(
                    f"behaviour setting {name} must be 0–24 h (exclusive), got {value}", field=name
                )

    @property
    def sleep_minutes(self) -> tuple[float, float]:
        """The sleep window as minutes of the day [min] (start, end)."""
        return round(self.sleep_start_hour * 60.0), round(self.sleep_end_hour * 60.0)


@dataclass(frozen=True)
class SheModel:
    """Severe hypoglycaemic event (SHE) model: an event the person cannot treat alone.

    A severe event is level-3 hypoglycaemia, "altered mental and/or physical status requiring
    assistance" (ADA Standards of Care; International Hypoglycaemia Study Group 2017). In the model
    (docs/methods/sim.md §8): **unnoticed neuroglycopenia** is plasma glucose (Gp/Vg) below
    ``threshold_mg_dl`` — 50 mg/dL, where neuroglycopenic symptoms (51 ± 3) and cognitive
    dysfunction (49 ± 2 mg/dL) begin (Mitrakou 1991, doi:10.1152/ajpendo.1991.260.1.E67) — for
    ``min_minutes`` consecutive minutes (30 [A]) while the person has not noticed the episode
    (detection by awareness, sleep and CGM alarm: :class:`BehaviourSettings`). It needs a third
    party's help with probability ``third_party_prob`` [1] in an aware person and
    ``third_party_prob_impaired`` in one with impaired awareness (one draw per episode): then a
    third party treats it with ``third_party_carbs_g`` (30 g [A], standing in for glucagon or
    glucose given by someone else) and the event is recorded; otherwise the person notices it at
    last and treats it (late self-treatment [A]; left untreated until waking, glucose of most
    virtual candidates reached the model's non-negativity gate, which no physiology allows). No
    further draw until plasma glucose has recovered above ``recovered_mg_dl`` (70).
    ``threshold_mg_dl`` 0 disables the model.

    Both probabilities (0.019 and 0.093) are [A], **calibrated** (``validation/she_lbgi.py``,
    ``CALIBRATED_TO``; no source gives the share of unnoticed neuroglycopenic episodes that end in
    third-party help):
    their ratio to the six-fold SH rate of impaired vs normal awareness of Geddes et al. 2008
    (2.36 vs 0.38 per year, doi:10.1111/j.1464-5491.2008.02413.x), their level to the SH rates by
    LBGI class of Kovatchev et al. 1998 (doi:10.2337/diacare.21.11.1870), on virtual adults not
    selected for unawareness. That they differ stands for what the model does not simulate in
    impaired awareness: the blunted adrenaline response and the lower threshold of cognitive
    dysfunction of hypoglycaemia-associated autonomic failure, which make unnoticed episodes
    deeper and longer [A]. A graft moves the impaired value to the aware one with awareness
    (:func:`restored_third_party_prob`).
    """

    threshold_mg_dl: float = 50.0
    min_minutes: int = 30
    third_party_prob: float = 0.019
    third_party_prob_impaired: float = 0.093
    third_party_carbs_g: float = 30.0
    recovered_mg_dl: float = 70.0

    def __post_init__(self) -> None:
        if not 10 <= self.min_minutes <= 120:
            raise InputError(
                f"SHE duration must be 10–120 min, got {self.min_minutes}", field="she_minutes"
            )
        if not (math.isfinite(self.threshold_mg_dl) and 0 <= self.threshold_mg_dl <= 70):
            raise InputError(
                f"SHE threshold must be 0–70 mg/dL, got {self.threshold_mg_dl}",
                field="she_threshold",
            )
        if not (math.isfinite(self.third_party_carbs_g) and self.third_party_carbs_g >= 0):
            raise InputError("third_party_carbs_g must be ≥ 0", field="third_party_carbs_g")
        for name in ("third_party_prob", "third_party_prob_impaired"):
            value = getattr(self, name)
            if not (math.isfinite(value) and 0 <= value <= 1):
                raise InputError(f"{name} must be 0–1, got {value}", field=name)

    @property
    def label(self) -> str:
        """The event model as words (it goes with every simulated SHE)."""
        return (
            f"in-silico event model: plasma glucose < {self.threshold_mg_dl:g} mg/dL for "
            f"≥ {self.min_minutes} min without self-treatment, needing third-party help "
            f"(probability {self.third_party_prob:g} aware, {self.third_party_prob_impaired:g} "
            "impaired awareness)"
        )


@dataclass(frozen=True)
class Behaviour:
    """Per-person behaviour drawn from :class:`BehaviourSettings` (arrays of shape ``(n,)``)."""

    count_bias: FloatArray
    basal_factor: FloatArray
    impaired: NDArray[np.bool_]
    detect_below: FloatArray
    detect_prob: FloatArray

    def take(self, index: NDArray[np.int64]) -> Behaviour:
        """The behaviour of the people at ``index``."""
        return Behaviour(*(getattr(self, k)[index] for k in self.__dataclass_fields__))

    def as_rows(self) -> list[dict[str, Any]]:
        """Per person, JSON-ready (for the manifest)."""
        return [
            {
                "count_bias": round(float(self.count_bias[i]), 6),
                "basal_factor": round(float(self.basal_factor[i]), 6),
                "impaired_awareness": bool(self.impaired[i]),
                "detect_below_mg_dl": float(self.detect_below[i]),
                "detect_prob": float(self.detect_prob[i]),
            }
            for i in range(self.count_bias.shape[0])
        ]


def _lognormal(rng: np.random.Generator, cv: float, size: int | tuple[int, ...]) -> FloatArray:
    """Median-1 log-normal factors with coefficient of variation ``cv`` (1 when cv = 0)."""
    sigma = math.sqrt(math.log1p(cv**2))
    return np.asarray(np.exp(sigma * rng.standard_normal(size)), dtype=np.float64)


#: Bounds of the prescribed-basal factor [1] [A]: a person on less than 60 % of the basal that
#: holds their steady state ran fasting glucose of several hundred mg/dL (up to 968 mg/dL in a
#: simulated control participant), which no clinic would leave untreated.
BASAL_BOUNDS = (0.6, 1.5)


def draw_behaviour(rng: np.random.Generator, n: int, settings: BehaviourSettings) -> Behaviour:
    """Per-person behaviour of ``n`` people [A] (see :class:`BehaviourSettings`)."""
    bias = settings.count_bias_median * _lognormal(rng, settings.count_bias_cv, n)
    basal = np.clip(settings.basal_median * _lognormal(rng, settings.basal_cv, n), *BASAL_BOUNDS)
    impaired = rng.random(n) < settings.impaired_awareness_prob
    below = np.where(
        impaired, settings.impaired_detect_below_mg_dl, settings.aware_detect_below_mg_dl
    )
    prob = np.where(impaired, settings.impaired_detect_prob, 1.0)
    return Behaviour(bias, basal, impaired, below.astype(np.float64), prob.astype(np.float64))


def awareness_restoration_leitao_2008(reached: NDArray[np.bool_]) -> FloatArray:
    """Awareness restoration w [1] after Leitão et al. 2008: 1 once graft function was reached.

    Leitão CB et al., Restoration of hypoglycemia awareness after islet transplantation,
    Diabetes Care 2008;31:2113 (PMID 18697903, PMC2571057; DOI not verified here [U]): the Clarke
    score of recipients still on insulin with stimulated C-peptide ≥ 0.3 ng/mL fell as far as that
    of recipients off insulin (5.31 → 1.15 and 5.63 → no hypoglycaemia), and it stayed improved
    after graft failure. ``reached`` [bool]: the participant's stimulated C-peptide has been at or
    above the boundary (``awareness_restored_c_peptide_pmol_l``, 0.3 ng/mL = 99.3 pmol/L) on an
    earlier day; w = 1 then, else 0. That the step is whole, at once and kept is [A]
    (docs/methods/sim.md §8).

    >>> awareness_restoration_leitao_2008(np.array([False, True])).tolist()
    [0.0, 1.0]
    """
    return np.where(np.asarray(reached, dtype=bool), 1.0, 0.0).astype(np.float64)


def awareness_weight(
    graft_fraction: FloatArray, reached: NDArray[np.bool_], settings: BehaviourSettings
) -> FloatArray:
    """The restoration w [1] of the chosen rule (``awareness_restoration``).

    ``"leitao2008"``: :func:`awareness_restoration_leitao_2008` of ``reached``;
    ``"proportional"``: ``min(F/R, 1)`` (0 when R = 0) of ``graft_fraction`` F [1] [A].

    >>> f, reached = np.array([0.2, 0.2]), np.array([False, True])
    >>> awareness_weight(f, reached, BehaviourSettings()).tolist()
    [0.0, 1.0]
    >>> awareness_weight(f, reached, BehaviourSettings(awareness_restoration="proportional")).tolist()
    [0.2, 0.2]
    """
    if settings.awareness_restoration == "leitao2008":
        return awareness_restoration_leitao_2008(reached)
    return _proportional_weight(graft_fraction, settings)


def _proportional_weight(graft_fraction: FloatArray, settings: BehaviourSettings) -> FloatArray:
    r = settings.awareness_restored_at_graft_fraction
    f = np.asarray(graft_fraction, dtype=np.float64)
    return np.asarray(np.clip(f / r, 0.0, 1.0) if r > 0 else np.zeros_like(f), dtype=np.float64)


def restored_awareness(
    restoration: FloatArray, behaviour: Behaviour, settings: BehaviourSettings
) -> tuple[FloatArray, FloatArray]:
    """Detection threshold [mg/dL] and probability per 30-min look [1] with awareness restored by
    a graft to the degree w [1] (``restoration``: :func:`awareness_weight` of the chosen rule) [A].

    A person with impaired awareness notices below ``impaired + w·(aware − impaired)`` mg/dL with
    probability ``p_impaired + w·(1 − p_impaired)``; an aware person is unchanged.

    >>> beh = Behaviour(np.ones(3), np.ones(3), np.array([True, True, False]),
    ...                 np.array([50.0, 50.0, 70.0]), np.array([0.9, 0.9, 1.0]))
    >>> below, prob = restored_awareness(np.array([0.5, 1.0, 1.0]), beh, BehaviourSettings())
    >>> below.tolist(), prob.round(6).tolist()   # 50 + 0.5·(70 − 50); 0.9 + 0.5·0.1
    ([60.0, 70.0, 70.0], [0.95, 1.0, 1.0])
    """
    w = restoration
    below = np.where(
        behaviour.impaired,
        settings.impaired_detect_below_mg_dl
        + w * (settings.aware_detect_below_mg_dl - settings.impaired_detect_below_mg_dl),
        behaviour.detect_below,
    )
    prob = np.where(
        behaviour.impaired,
        settings.impaired_detect_prob + w * (1.0 - settings.impaired_detect_prob),
        behaviour.detect_prob,
    )
    return below.astype(np.float64), prob.astype(np.float64)


def restored_asleep_detection(restoration: FloatArray, settings: BehaviourSettings) -> FloatArray:
    """Probability per 30-min look of waking to hypoglycaemia [1] with awareness restored to the
    degree w [1] (``restoration``, as in :func:`restored_awareness`).

    ``asleep_detect_prob + w·(asleep_detect_prob_restored − asleep_detect_prob)`` for everyone
    [A] (the awakening defect of Schultes 2007 is one of T1D, not only of impaired awareness).

    >>> restored_asleep_detection(np.array([0.0, 0.5, 1.0]), BehaviourSettings()).tolist()
    [0.0625, 0.34375, 0.625]
    """
    w = restoration
    lo, hi = settings.asleep_detect_prob, settings.asleep_detect_prob_restored
    return np.asarray(lo + w * (hi - lo), dtype=np.float64)


def restored_third_party_prob(
    restoration: FloatArray, behaviour: Behaviour, she: SheModel
) -> FloatArray:
    """Probability that unnoticed neuroglycopenia needs third-party help [1] with awareness
    restored to the degree w [1] (``restoration``, as in :func:`restored_awareness`).

    A person with impaired awareness has ``q_impaired + w·(q_aware − q_impaired)`` [A], an aware
    person ``q_aware``.

    >>> beh = Behaviour(np.ones(2), np.ones(2), np.array([True, False]),
    ...                 np.array([50.0, 70.0]), np.array([0.9, 1.0]))
    >>> she = SheModel(third_party_prob=0.02, third_party_prob_impaired=0.1)
    >>> restored_third_party_prob(np.array([0.5, 0.5]), beh, she).round(6).tolist()
    [0.06, 0.02]
    """
    w = restoration
    qa, qi = she.third_party_prob, she.third_party_prob_impaired
    return np.asarray(np.where(behaviour.impaired, qi + w * (qa - qi), qa), dtype=np.float64)


def aware_behaviour(n: int) -> Behaviour:
    """Everyone aware, exact basal, no counting bias (the published-population default)."""
    return Behaviour(np.ones(n), np.ones(n), np.zeros(n, dtype=bool), np.full(n, 70.0), np.ones(n))


def vary_meals(rng: np.random.Generator, plan: MealPlan, cv: float) -> MealPlan:
    """The plan with each meal's amount multiplied by a median-1 log-normal factor [A] (whole g)."""
    grams = np.round(plan.grams * _lognormal(rng, cv, plan.grams.shape))
    return MealPlan(minute=plan.minute, grams=grams)


#: Bounds of the day-to-day insulin-sensitivity factor [1] [A]: without them a rare very
#: resistant day (factor ~0.2 on kp3) drove a virtual participant's plasma glucose above
#: 1,000 mg/dL, outside anything the model was identified on.
SI_DAY_BOUNDS = (0.5, 2.0)


def daily_sensitivity(rng: np.random.Generator, n: int, days: int, cv: float) -> FloatArray:
    """Per person and day, the insulin-sensitivity factor on Vmx and kp3 [1], shape (n, days) [A].

    Median-1 log-normal with coefficient of variation ``cv``, clipped to :data:`SI_DAY_BOUNDS`.
    """
    return np.clip(_lognormal(rng, cv, (n, days)), *SI_DAY_BOUNDS)


def bolus_plan(
    rng: np.random.Generator,
    plan: MealPlan,
    behaviour: Behaviour,
    settings: BehaviourSettings,
) -> tuple[FloatArray, NDArray[np.int64]]:
    """Counted carbohydrate [g] and bolus minute of every planned meal, shape ``(n, days, 6)``.

    Counted = grams × person's bias × a per-meal log-normal error (``carb_count_cv``), rounded to
    whole grams; a forgotten bolus (``missed_bolus_prob``) counts 0; a late bolus
    (``late_bolus_prob``) is given 10–``late_bolus_min_max`` minutes after the meal starts (within
    the day) [A].
    """
    shape = plan.grams.shape
    error = _lognormal(rng, settings.carb_count_cv, shape)
    missed = rng.random(shape) < settings.missed_bolus_prob
    late = rng.random(shape) < settings.late_bolus_prob
    delay = np.round(rng.uniform(10.0, max(settings.late_bolus_min_max, 10.0), shape))
    counted = np.round(plan.grams * behaviour.count_bias[:, None, None] * error)
    counted = np.where(missed, 0.0, counted)
    minute = np.minimum(plan.minute + np.where(late, delay, 0).astype(np.int64), 1439)
    return counted, minute


def therapy_rows(
    patients: list[VirtualPatient],
    behaviour: Behaviour,
    *,
    correction_target: float,
    correction_threshold: float,
    rescue_carbs_g: float,
    rescue_wait_min: float,
    she: SheModel,
    settings: BehaviourSettings | None = None,
) -> FloatArray:
    """The ``therapy`` array of :func:`~endolab.sim.model.run_minutes` for these people.

    ``settings`` give the sleep window, asleep detection and CGM alarm (docs/methods/sim.md §8);
    ``None`` (the published, always-aware population): no sleep window and no alarm.
    """
    if settings is None:
        sleep, asleep, alarm = (0.0, 0.0), 1.0, 0.0
    else:
        sleep = settings.sleep_minutes
        asleep, alarm = settings.asleep_detect_prob, settings.cgm_alarm_response_prob
    return np.array(
        [
            therapy_row(
                pt.basal_u_per_min * float(behaviour.basal_factor[i]),
                1.0,
                pt.cr,
                pt.cf,
                target=correction_target,
                threshold=correction_threshold,
                rescue_g=rescue_carbs_g,
                rescue_below=float(behaviour.detect_below[i]),
                rescue_wait=rescue_wait_min,
                detect_prob=float(behaviour.detect_prob[i]),
                she_below=she.threshold_mg_dl,
                she_minutes=float(she.min_minutes),
                third_party_g=she.third_party_carbs_g,
                she_recovered=she.recovered_mg_dl,
                detect_prob_asleep=asleep,
                sleep_start_min=sleep[0],
                sleep_end_min=sleep[1],
                alarm_prob=alarm,
                she_prob=(
                    she.third_party_prob_impaired if behaviour.impaired[i] else she.third_party_prob
                ),
            )
            for i, pt in enumerate(patients)
        ]
    )


@dataclass(frozen=True)
class ScreeningSettings:
    """The protocol's eligibility, applied to simulated candidates (NCT04786262 [V]).

    Adults 18–65 years with T1D, impaired awareness of hypoglycaemia, at least 2 severe
    hypoglycaemic events in the year before screening and undetectable C-peptide (Penn Medicine
    study listing of VX-880-101 "FORWARD": 18–65 years, impaired hypoglycaemic awareness and
    severe hypoglycaemia; ADA 2024 abstract: ≥ 2 SHE in the prior year, undetectable C-peptide;
    docs/methods/trial.md §1.1). ``days`` is the simulated "prior year" [days]: 365 (a shorter
    period is scaled to a year: SHE per year = events × 365/days). ``max_candidates_per_place``
    bounds the search: screening more than that many candidates per place refuses the request.
    """

    days: int = 365
    min_age_years: float = 18.0
    max_age_years: float = 65.0
    min_she_per_year: float = 2.0
    max_candidates_per_place: int = 60

    def __post_init__(self) -> None:
        if isinstance(self.days, bool) or int(self.days) != self.days or not 7 <= self.days <= 730:
            raise InputError(f"screening days must be 7–730, got {self.days}", field="days")


@dataclass
class ScreeningResult:
    """Enrolled people with the state reached at the end of screening.

    ``x`` (n, N_STATES) and ``carry`` (n, N_CARRY) continue the simulation; ``she_per_year`` is each
    enrolled person's screening SHE rate [events/year]; ``candidates`` how many were drawn,
    ``simulated`` how many passed the checks before the SHE count and were simulated,
    ``reasons`` the count of candidates excluded by each criterion.
    """

    patients: list[VirtualPatient]
    behaviour: Behaviour
    x: FloatArray
    carry: FloatArray
    she_per_year: FloatArray
    candidates: int
    simulated: int
    reasons: dict[str, int]


def screen(
    rng: np.random.Generator,
    n: int,
    *,
    population: PopulationSettings,
    behaviour: BehaviourSettings,
    screening: ScreeningSettings,
    she: SheModel,
    correction_target: float,
    correction_threshold: float,
    rescue_carbs_g: float,
    rescue_wait_min: float,
    counterregulation: CounterregulationSettings | None = None,
) -> ScreeningResult:
    """Draw candidates and enrol the first ``n`` who meet the protocol's eligibility.

    Checks in order: age 18–65; C-peptide undetectable (always true of a T1D virtual patient without
    a graft: F = 0); impaired awareness; then a simulated screening period of ``screening.days``
    under the person's behaviour and therapy, counting severe events with ``she``: enrolled when
    events × 365/days ≥ ``min_she_per_year``. A candidate whose glucose reached the model's
    non-negativity gate (≤ 0 mg/dL) during screening is excluded as unphysiological (counted in
    ``reasons``). (Excluding candidates above 600 mg/dL at any time of a screening year was tried:
    it excluded 625 of 728 and left a population better controlled than the trial's.) Candidates are drawn in batches from ``rng`` (same
    seed, same people); more than ``max_candidates_per_place × n`` candidates raise
    :class:`~endolab.errors.InputError`. ``counterregulation`` (docs/methods/sim.md §11) acts
    during screening; an enrolled person's ``params`` carry its parameters (the intra-day
    sensitivity factors drawn for them) into the trial.
    """
    reasons = {"age": 0, "c_peptide": 0, "awareness": 0, "she": 0, "unphysiological": 0}
    kept: list[VirtualPatient] = []
    kept_beh: list[Behaviour] = []
    kept_x: list[FloatArray] = []
    kept_carry: list[FloatArray] = []
    kept_rate: list[float] = []
    drawn = 0
    simulated = 0
    while len(kept) < n:
        if drawn >= screening.max_candidates_per_place * n:
            raise InputError(
                f"screening found only {len(kept)} of {n} eligible virtual participants among "
                f"{drawn} candidates; relax the screening or behaviour settings",
                field="screening",
            )
        batch = max(8, 4 * (n - len(kept)))
        people = draw_virtual_adults(rng, batch, population, start=drawn)
        beh = draw_behaviour(rng, batch, behaviour)
        drawn += batch
        ok = []
        for k, pt in enumerate(people):
            if not screening.min_age_years <= pt.age_years <= screening.max_age_years:
                reasons["age"] += 1
            elif pt.params[P_FGRAFT] != 0.0:
                reasons["c_peptide"] += 1
            elif not beh.impaired[k]:
                reasons["awareness"] += 1
            else:
                ok.append(k)
        if not ok:
            continue
        idx = np.array(ok, dtype=np.int64)
        cand = [people[k] for k in ok]
        cand_beh = beh.take(idx)
        simulated += len(cand)
        x, carry, events, _stats = _run_screening(
            rng,
            cand,
            cand_beh,
            behaviour,
            screening.days,
            she,
            correction_target,
            correction_threshold,
            rescue_carbs_g,
            rescue_wait_min,
            counterregulation,
        )
        rate = events * 365.0 / screening.days
        for k in range(len(cand)):
            if carry[k, C_GATE_MIN] > 0:
                reasons["unphysiological"] += 1
            elif rate[k] >= screening.min_she_per_year and len(kept) < n:
                kept.append(cand[k])  # params with the counter-regulation set at screening
                kept_beh.append(cand_beh.take(np.array([k])))
                kept_x.append(x[k])
                kept_carry.append(carry[k])
                kept_rate.append(float(rate[k]))
            elif rate[k] < screening.min_she_per_year:
                reasons["she"] += 1
    merged = Behaviour(
        *(np.concatenate([getattr(b, f) for b in kept_beh]) for f in Behaviour.__dataclass_fields__)
    )
    return ScreeningResult(
        kept,
        merged,
        np.array(kept_x),
        np.array(kept_carry),
        np.array(kept_rate),
        drawn,
        simulated,
        reasons,
    )


def _run_screening(
    rng: np.random.Generator,
    people: list[VirtualPatient],
    beh: Behaviour,
    settings: BehaviourSettings,
    days: int,
    she: SheModel,
    correction_target: float,
    correction_threshold: float,
    rescue_carbs_g: float,
    rescue_wait_min: float,
    counterregulation: CounterregulationSettings | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray, dict[str, FloatArray]]:
    """Simulate the screening period; returns end states, carry-over, SHE counts and, per person,
    summary statistics of the period (``stats``: mean plasma glucose [mg/dL], % of noise-free
    IG 70–180 and < 54 mg/dL, insulin [U/day], rescue carbohydrate [g/day]). The people's
    ``params`` arrays receive the counter-regulation parameters (written in place, so that the
    trial continues with them; docs/methods/sim.md §11)."""
    n = len(people)
    plan = vary_meals(rng, random_meals(rng, n, days), settings.meal_size_cv)
    counted, bolus_minute = bolus_plan(rng, plan, beh, settings)
    si = daily_sensitivity(rng, n, days, settings.si_day_cv)
    x = np.array([pt.x0 for pt in people])
    p = np.array([pt.params for pt in people])
    apply_counterregulation(p, x, counterregulation or CounterregulationSettings(), rng)
    for k, pt in enumerate(people):
        pt.params[:] = p[k]
    base_vmx, base_kp3 = p[:, P_VMX].copy(), p[:, P_KP3].copy()
    carry = np.zeros((n, N_CARRY))
    carry[:, C_LAST_QSTO] = x[:, QSTO1] + x[:, QSTO2]
    rows = therapy_rows(
        people,
        beh,
        correction_target=correction_target,
        correction_threshold=correction_threshold,
        rescue_carbs_g=rescue_carbs_g,
        rescue_wait_min=rescue_wait_min,
        she=she,
        settings=settings,
    )
    outs = [np.zeros((n, MINUTES_PER_DAY)) for _ in range(9)]
    zeros = np.zeros((n, MINUTES_PER_DAY))
    events = np.zeros(n)
    sums = {k: np.zeros(n) for k in ("bg", "tir", "below54", "units", "rescue")}
    max_bg = np.zeros(n)
    idx = np.arange(n)[:, None]
    for k in range(days):
        meal = np.zeros((n, MINUTES_PER_DAY))
        bolus = np.zeros((n, MINUTES_PER_DAY))
        np.add.at(meal, (np.broadcast_to(idx, plan.minute[:, k].shape), plan.minute[:, k]),
                  plan.grams[:, k])  # fmt: skip
        np.add.at(bolus, (np.broadcast_to(idx, bolus_minute[:, k].shape), bolus_minute[:, k]),
                  counted[:, k])  # fmt: skip
        u = rng.random((n, 48))
        p[:, P_VMX] = base_vmx * si[:, k]
        p[:, P_KP3] = base_kp3 * si[:, k]
        run_minutes(x, p, meal, bolus, zeros, rows, carry, u, 1, *outs)
        events += outs[7].sum(axis=1)
        ig = outs[1]
        sums["bg"] += outs[0].mean(axis=1)
        sums["tir"] += ((ig >= 70) & (ig <= 180)).mean(axis=1)
        sums["below54"] += (ig < 54).mean(axis=1)
        sums["units"] += outs[2].sum(axis=1)
        sums["rescue"] += outs[6].sum(axis=1)
        max_bg = np.maximum(max_bg, outs[0].max(axis=1))
    stats = {
        "mean_bg_mg_dl": sums["bg"] / days,
        "tir_pct": 100.0 * sums["tir"] / days,
        "below54_pct": 100.0 * sums["below54"] / days,
        "insulin_u_per_day": sums["units"] / days,
        "rescue_g_per_day": sums["rescue"] / days,
        "max_bg_mg_dl": max_bg,
    }
    return x, carry, events, stats


def settings_dict(
    population: PopulationSettings, behaviour: BehaviourSettings, screening: ScreeningSettings
) -> dict[str, Any]:
    """The population, behaviour and screening settings as plain dicts (for the manifest)."""
    return {
        "population": asdict(population),
        "behaviour": asdict(behaviour),
        "screening": asdict(screening),
    }
