"""The in-silico islet-replacement trial: cohort, graft, therapy, sensor, labs → a trial dataset.

:func:`simulate_trial` draws a cohort of virtual adults, gives each a graft (dose → plateau functional
fraction F → maturation curve F(t)), simulates every participant minute by minute from a 14-day run-in
before the infusion (day 0) to the last study day under basal–bolus therapy with a titration rule,
measures CGM, labs and insulin use at the protocol's visits, and returns a validated
:class:`~endolab.trial.dataset.TrialDataset` (the format of docs/trial-data.md) whose ``simulation``
attribute is the manifest (model, version, seed, every parameter and assumption used).

In-silico results are never clinical evidence. What is an assumption is tagged [A] here, in
docs/sim.md and in the manifest. Adverse events other than severe hypoglycaemia are not simulated.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import polars as pl
from numpy.typing import NDArray

from endolab._version import __version__
from endolab.cgm.metrics import adag_nathan_2008
from endolab.errors import InputError
from endolab.notices import Notice
from endolab.output import IN_SILICO_NOTICE
from endolab.sim.counterregulation import CounterregulationSettings, apply_counterregulation
from endolab.sim.graft import GraftSettings, draw_graft_fraction, graft_fraction_curve
from endolab.sim.graft import mean_graft_fraction as _mean_f
from endolab.sim.limits import check_seed, check_simulation_resources
from endolab.sim.model import (
    C_GATE_MIN,
    C_LAST_QSTO,
    N_CARRY,
    P_FGRAFT,
    P_H,
    P_HEDYN,
    P_HGLU,
    P_KGLU,
    P_KP3,
    P_KP4,
    P_RHO,
    P_VMX,
    QSTO1,
    QSTO2,
    T_DETECT_PROB,
    T_DETECT_PROB_ASLEEP,
    T_RESCUE_BELOW,
    T_SHE_PROB,
    param_index,
    run_minutes,
)
from endolab.sim.patients import (
    JITTER_CV,
    VirtualPatient,
    jitter_patient,
    load_patient,
    patient_names,
)
from endolab.sim.population import (
    Behaviour,
    BehaviourSettings,
    PopulationSettings,
    ScreeningResult,
    ScreeningSettings,
    SheModel,
    aware_behaviour,
    awareness_weight,
    bolus_plan,
    daily_sensitivity,
    restored_asleep_detection,
    restored_awareness,
    restored_third_party_prob,
    screen,
    vary_meals,
)
from endolab.sim.population import therapy_rows as make_therapy_rows
from endolab.sim.scenario import random_meals
from endolab.sim.sensor import SAMPLE_MINUTES, check_sensor_model, measure
from endolab.trial.dataset import (
    MANIFEST,
    TWINS_FOLDER,
    TrialDataset,
    validate_tables,
    write_dataset,
)

__all__ = [
    "ARMS",
    "GATE_NOTICE_CODE",
    "SIM_PROTOCOLS",
    "Design",
    "Progress",
    "SheModel",
    "SheProxy",
    "SimulationResult",
    "TherapySettings",
    "check_sim_inputs",
    "default_settings_fingerprint",
    "demo_trial",
    "gate_notices",
    "she_proxy_events",
    "simulate",
    "simulate_paired",
    "simulate_trial",
    "write_simulation",
]

FloatArray = NDArray[np.float64]
#: Progress callback: called with (done, total) units of work (simulated participant-days).
Progress = Callable[[int, int], None]

MINUTES_PER_DAY = 1440
SAMPLES_PER_DAY = MINUTES_PER_DAY // SAMPLE_MINUTES
MODEL_NAME = "UVA/Padova 2008 T1D (simglucose structure) + Dalla Man 2007 β-cell graft + Van Cauter 1992 C-peptide"
DISCLAIMER = (
    f"{IN_SILICO_NOTICE} The model has no regulatory standing; severe hypoglycaemia is an in-silico "
    "event model (unnoticed neuroglycopenia treated by a third party); adverse events other than "
    "severe hypoglycaemia are not simulated."
)


@dataclass(frozen=True)
class TherapySettings:
    """Basal–bolus therapy by carbohydrate counting, titration and hypoglycaemia treatment.

    Attributes
    ----------
    correction_target, correction_threshold
        A meal bolus adds ``(IG − target)/CF`` when IG > threshold [mg/dL]: 140 and 150, as in
        simglucose's ``BBController`` [V], but given once at the start of each meal (not on every
        sample while eating, docs/methods/sim.md §1.2 item 2).
    carb_count_cv
        Coefficient of variation of carbohydrate-counting error (log-normal factor on the counted
        carbs) [1] for the published population: 0.2 [A] (the screened population's counting is
        :class:`~endolab.sim.population.BehaviourSettings`).
    rescue_carbs_g, rescue_below_mg_dl, rescue_wait_min
        Hypoglycaemia self-treatment: 15 g carbohydrate when IG < 70 mg/dL, at most every 30 min
        ("rule of 15") [A]; an unaware person notices later or not at all
        (:class:`~endolab.sim.population.BehaviourSettings`). 0 g disables it.

    **Titration** (the ``[titration]`` settings; docs/methods/sim.md §9) on **glycaemic criteria
    only** — no C-peptide or other graft marker. One dose scale multiplies basal and boluses (1
    before the infusion). Every ``titration_interval_days`` (7) from day 7 the clinician reads the
    previous ``titration_window_days`` (14) of noise-free interstitial glucose (IG) the way a
    transplant clinic reads a glucose diary, with three criteria, each counted per week of the
    window (:func:`titration_criteria`):

    * **fasting**: more than ``fasting_high_per_week`` (3) fasting readings a week (the IG just
      before the day's first meal) above ``fasting_above_mg_dl`` (126 mg/dL);
    * **post-prandial**: more than ``postprandial_high_per_week`` (4) readings a week taken
      ``postprandial_minutes`` (120) after the start of a main meal above
      ``postprandial_above_mg_dl`` (180 mg/dL);
    * **CGM**: more than ``tar_max_pct`` (25 %) of the time above ``tar_above_mg_dl`` (180 mg/dL).

    The fasting and post-prandial numbers are the glycaemic criteria of insulin independence in
    the islet-transplant trials (fasting > 126 mg/dL no more than 3 times a week, 2-h post-prandial
    > 180 mg/dL no more than 4 times a week: CIT-07, Hering 2016, doi:10.2337/dc15-1988 [U: wording
    not re-read]; 126 mg/dL is the ADA's diagnostic fasting glucose of diabetes [U] and 180 mg/dL
    the ADA peak post-prandial target, doi:10.2337/dc19-S006); the CGM one is the consensus target (time above
    180 mg/dL < 25 %, Battelino 2019, doi:10.2337/dci19-0028). Glycaemia is **out of target** when
    at least ``criteria_to_act`` (2) of the three fail [A: several readings must agree, so no one
    threshold decides alone]. Then, at each contact:

    * % IG below ``hypo_below_mg_dl`` (54 mg/dL, level 2 hypoglycaemia, Battelino 2019) more than
      ``hypo_margin_pct`` (3) points above the run-in's (the 14 days before day 0) [A]: the dose is lowered by ``reduce_by`` (20 %; "lower the dose by 10–20 %"
      after hypoglycaemia, ADA Standards of Care, section 9 [U]);
    * else out of target: raised by ``increase_by`` (10 %; ADA: 10–15 % once or twice weekly [U]),
      never above ``max_scale`` (1, the participant's own pre-infusion therapy);
    * else in target with a mean IG more than ``wean_below_run_in_mg_dl`` (20 mg/dL) below the
      run-in's (the graft has lowered glycaemia): lowered by ``reduce_by`` — the islet-transplant
      weaning, insulin tapered while the glycaemic criteria hold [A; relative to the run-in so that
      a participant without graft function keeps the dose that held them there]; otherwise the
      dose is kept;
    * a dose below ``stop_below_scale`` (0.15) stops insulin if glycaemia is in target, else it
      stays at 0.15 (insulin independent by the rule);
    * off insulin, out of target restarts insulin at ``restart_scale`` (0.5: recipients who
      resumed insulin needed about half their pre-transplant dose, Ryan 2005,
      doi:10.2337/diabetes.54.7.2060).

    A participant without graft function (the control arm) is mostly out of target and keeps
    about the pre-infusion dose.
    """

    correction_target: float = 140.0
    correction_threshold: float = 150.0
    carb_count_cv: float = 0.2
    rescue_carbs_g: float = 15.0
    rescue_below_mg_dl: float = 70.0
    rescue_wait_min: float = 30.0
    titration_interval_days: int = 7
    titration_window_days: int = 14
    fasting_above_mg_dl: float = 126.0
    fasting_high_per_week: float = 3.0
    postprandial_minutes: int = 120
    postprandial_above_mg_dl: float = 180.0
    postprandial_high_per_week: float = 4.0
    tar_above_mg_dl: float = 180.0
    tar_max_pct: float = 25.0
    criteria_to_act: int = 2
    hypo_below_mg_dl: float = 54.0
    hypo_margin_pct: float = 3.0
    wean_below_run_in_mg_dl: float = 20.0
    reduce_by: float = 0.2
    increase_by: float = 0.1
    stop_below_scale: float = 0.15
    restart_scale: float = 0.5
    max_scale: float = 1.0

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if isinstance(value, bool) or not math.isfinite(float(value)) or value < 0:
                raise InputError(f"therapy setting {name} must be ≥ 0, got {value}", field=name)
        for name in (
            "titration_interval_days",
            "titration_window_days",
            "postprandial_minutes",
            "criteria_to_act",
        ):
            value = getattr(self, name)
            if int(value) != value or value < 1:
                raise InputError(f"{name} must be a whole number ≥ 1, got {value}", field=name)
        if self.criteria_to_act > 3:
            raise InputError(
                f"criteria_to_act must be 1, 2 or 3 (of three criteria), got {self.criteria_to_act}",
                field="criteria_to_act",
            )
        if self.postprandial_minutes > 240:
            raise InputError(
                f"postprandial_minutes must be at most 240, got {self.postprandial_minutes}",
                field="postprandial_minutes",
            )
        for name in ("reduce_by", "increase_by"):
            if getattr(self, name) >= 1.0:
                raise InputError(f"{name} must be below 1, got {getattr(self, name)}", field=name)


#: The former name of :class:`~endolab.sim.population.SheModel` (the severe-event model replaced
#: the fixed "plasma glucose < 54 mg/dL for 60 min" proxy of earlier releases).
SheProxy = SheModel

#: Trial arms: ``treated`` (each cohort's dose) or ``control`` (standard care, no infusion).
ARMS = ("treated", "control")


@dataclass(frozen=True)
class Design:
    """A simulated trial design (the simulator's side of a protocol).

    ``cohorts`` are (label, dose as a fraction of the full dose, share of participants);
    ``visits`` are study days with labs and a mixed-meal tolerance test (MMTT).
    """

    name: str
    full_dose_cells: float
    cohorts: tuple[tuple[str, float, float], ...]
    visits: tuple[int, ...]
    run_in_days: int = 14
    reference: str = ""


#: Built-in designs. zimislecel-2025: parts A (half dose, 2 of 14), B (full dose, 5 of 14) and
#: C (full dose, 7 of 14) as in the NEJM abstract and the 2022 press release (docs/methods/trial.md §1.1);
#: visits (screening day −7, days 30, 90, 180, 270, 365) are an assumption of this project [A].
SIM_PROTOCOLS: dict[str, Design] = {
    "zimislecel-2025": Design(
        name="zimislecel-2025",
        full_dose_cells=8.0e8,
        cohorts=(("A", 0.5, 2 / 14), ("B", 1.0, 5 / 14), ("C", 1.0, 7 / 14)),
        visits=(-7, 30, 90, 180, 270, 365),
        reference="Reichman TW et al. N Engl J Med 2025;393:858, doi:10.1056/NEJMoa2506549",
    ),
}

#: MMTT: Boost 6 mL/kg up to 360 mL (CIT-type protocol [V]); 0.173 g carbohydrate per mL
#: (Boost Original, 41 g per 237 mL [U]); samples at 0, 15, 30, 60, 90, 120 min; fasting at 0.
MMTT_ML_PER_KG = 6.0
MMTT_MAX_ML = 360.0
MMTT_CARBS_G_PER_ML = 41.0 / 237.0
MMTT_START_MIN = 8 * 60
MMTT_SAMPLES_MIN = (15, 30, 60, 90, 120)
#: C-peptide below this is reported as 0 (assay limit) [A] [pmol/L].
C_PEPTIDE_LLOQ = 3.0
#: First infusion date of the first participant; later participants are staggered by 7 days [A].
START_DATE = dt.date(2025, 1, 6)
STAGGER_DAYS = 7
#: Window of mean plasma glucose behind a simulated HbA1c [days] [A].
HBA1C_WINDOW_DAYS = 90


@dataclass
class SimulationResult:
    """A simulated trial: the dataset plus per-participant internals (for dose–response and tests).

    ``graft_fraction`` has shape ``(n, days)``: F on each simulated day (run-in first);
    ``day_numbers`` are the study days of those columns. ``notices``
    (:class:`endolab.notices.Notice`) are the simulation's own findings (a run at the model's
    non-negativity gate, :data:`GATE_NOTICE_CODE`); the manifest records them (``notices``, and
    their text in ``warnings``), so they are in ``dataset.notices`` however the dataset is read
    (:func:`endolab.trial.dataset.checks.simulation_notices`) and the analysis and every report
    show them.
    """

    dataset: TrialDataset
    manifest: dict[str, Any]
    graft_fraction: FloatArray
    day_numbers: NDArray[np.int64]
    dose_scale: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))
    #: The drawn scenario (what a paired twin shares with its treated participant): meal minutes
    #: and grams, counted carbohydrate and bolus minutes ``(n, days, 6)``, the daily sensitivity
    #: factors ``(n, days)``, the awareness random numbers ``(n, days, 48)`` and the sensor
    #: stream's state before the CGM was measured (``sensor_state``).
    scenario: dict[str, Any] = field(default_factory=dict)
    #: The screening this run enrolled from (``None`` for the published population); a paired
    #: simulation gives it to the twins' run so that both arms enrol the same people.
    screening: ScreeningResult | None = None
    notices: tuple[Notice, ...] = ()


def default_settings_fingerprint() -> str:
    """12 hex digits that change whenever the simulator's defaults or version change.

    Caches of simulated output (the web app's demo trial) key on it, so a changed default is never
    served from an old cache.

    >>> len(default_settings_fingerprint())
    12
    """
    import hashlib

    defaults = {
        "model": MODEL_NAME,
        "version": __version__,
        "graft": asdict(GraftSettings()),
        "therapy": asdict(TherapySettings()),
        "she": asdict(SheModel()),
        "population": asdict(PopulationSettings()),
        "behaviour": asdict(BehaviourSettings()),
        "screening": asdict(ScreeningSettings()),
        "counterregulation": asdict(CounterregulationSettings()),
        "designs": {k: asdict(v) for k, v in SIM_PROTOCOLS.items()},
    }
    text = json.dumps(defaults, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def check_sim_inputs(participants: int, days: int, doses: Sequence[float], seed: int) -> None:
    """Refuse a simulation request out of bounds before any work (participants, days, doses, seed,
    and the memory it needs: :func:`endolab.sim.limits.check_simulation_resources`).

    Front ends call it to answer at once; :func:`simulate_trial` calls it too.
    """
    if isinstance(participants, bool) or int(participants) != participants or participants < 1:
        raise InputError(
            f"participants must be a whole number ≥ 1, got {participants}", field="participants"
        )
    if participants > 10_000:
        raise InputError(f"participants must be ≤ 10000, got {participants}", field="participants")
    if isinstance(days, bool) or int(days) != days or days < 1:
        raise InputError(f"days must be a whole number ≥ 1, got {days}", field="days")
    if days > 3650:
        raise InputError(f"days must be ≤ 3650 (10 years), got {days}", field="days")
    for d in doses:
        if not (math.isfinite(d) and d >= 0):
            raise InputError(f"dose must be ≥ 0 cells, got {d:g}", field="dose_cells", value=d)
        if d > 1e11:
            raise InputError(f"dose must be ≤ 1e11 cells, got {d:g}", field="dose_cells", value=d)
    check_seed(seed)
    check_simulation_resources(int(participants), int(days))


def get_design(protocol: str) -> Design:
    """The built-in simulated design of ``protocol``; unknown names raise InputError."""
    try:
        return SIM_PROTOCOLS[protocol]
    except KeyError:
        raise InputError(
            f"unknown protocol {protocol!r} for simulation; use one of {', '.join(SIM_PROTOCOLS)}",
            field="protocol",
            value=protocol,
        ) from None


def allocate_cohorts(
    design: Design, participants: int, full_dose: float
) -> list[tuple[str, float]]:
    """(cohort, dose [cells]) per participant: shares rounded, the last cohort takes the rest.

    >>> [c for c, _ in allocate_cohorts(SIM_PROTOCOLS["zimislecel-2025"], 14, 8e8)].count("B")
    5
    """
    out: list[tuple[str, float]] = []
    for k, (label, fraction, share) in enumerate(design.cohorts):
        count = (
            participants - len(out)
            if k == len(design.cohorts) - 1
            else min(round(share * participants), participants - len(out))
        )
        out += [(label, fraction * full_dose)] * count
    return out


def _draw_patients(rng: np.random.Generator, n: int) -> tuple[list[VirtualPatient], list[bool]]:
    """Adults without replacement while the pool lasts, then with replacement and jitter [A]."""
    pool = patient_names("adult")
    order = list(rng.permutation(len(pool)))
    picks = order[: min(n, len(pool))]
    extra = rng.integers(0, len(pool), size=max(n - len(pool), 0)).tolist()
    sexes = rng.random(n) < 0.5  # sex is not in the published sets: drawn, P(male) = 0.5 [A]
    out: list[VirtualPatient] = []
    jittered: list[bool] = []
    copies: dict[int, int] = {}
    for k, idx in enumerate([*picks, *extra]):
        pt = load_patient(pool[int(idx)], "M" if sexes[k] else "F")
        if k >= len(pool):
            copies[int(idx)] = copies.get(int(idx), 0) + 1
            pt = jitter_patient(pt, rng, copies[int(idx)])
        out.append(pt)
        jittered.append(k >= len(pool))
    return out, jittered


def she_proxy_events(
    bg: FloatArray,
    day: int,
    proxy: SheProxy,
    run_len: NDArray[np.int64],
    run_start: NDArray[np.int64],
) -> list[tuple[int, int, int]]:
    """Sustained low-glucose runs [A] in one day of per-minute plasma glucose [mg/dL].

    The severe-hypoglycaemia proxy of earlier releases (plasma glucose < 54 mg/dL for ≥ 60 min),
    kept as a helper; the trial now records severe events with the event model of
    :class:`~endolab.sim.population.SheModel` (unnoticed neuroglycopenia, third-party treatment).

    ``bg`` has shape ``(n, minutes)``. A run of consecutive minutes below
    ``proxy.threshold_mg_dl`` that reaches ``proxy.min_minutes`` is one event, reported once, as
    ``(participant, start day, day the duration was reached)``. ``run_len`` and ``run_start`` carry
    open runs across midnight (updated in place).

    >>> low = np.full((1, 1440), 120.0); low[0, 100:170] = 50.0   # 70 min below 54
    >>> proxy = SheProxy(threshold_mg_dl=54.0, min_minutes=60)
    >>> she_proxy_events(low, 3, proxy, np.zeros(1, np.int64), np.zeros(1, np.int64))
    [(0, 3, 3)]
    """
    events: list[tuple[int, int, int]] = []
    low = bg < proxy.threshold_mg_dl
    for who in np.flatnonzero(low.any(axis=1) | (run_len > 0)).tolist():
        for j in range(bg.shape[1]):
            if low[who, j]:
                if run_len[who] == 0:
                    run_start[who] = day
                run_len[who] += 1
                if run_len[who] == proxy.min_minutes:
                    events.append((who, int(run_start[who]), day))
            else:
                run_len[who] = 0
    return events


#: Index of the main meals (breakfast, lunch, dinner) in a day's six meals (:mod:`.scenario`).
MAIN_MEALS = (0, 2, 4)


def glucose_readings(
    ig_days: FloatArray,
    first_meal: NDArray[np.int64],
    main_meals: NDArray[np.int64],
    postprandial_minutes: int,
) -> tuple[FloatArray, FloatArray]:
    """The fasting and post-prandial readings a clinician takes from a glucose trace.

    ``ig_days`` is (n, days, samples) of IG [mg/dL] every ``SAMPLE_MINUTES``; ``first_meal`` (n,
    days) the minute [min after midnight] the day's first meal starts and ``main_meals`` (n, days,
    3) those of breakfast, lunch and dinner (−1: none eaten). Returns the **fasting** reading (the
    sample at or just before the first meal; NaN on a day without meals) [mg/dL], (n, days), and
    the **post-prandial** readings ``postprandial_minutes`` after the start of each main meal
    (NaN when not eaten; last sample of the day at most) [mg/dL], (n, days, 3).

    >>> ig = np.arange(288.0).reshape(1, 1, 288)          # IG = sample number
    >>> f, pp = glucose_readings(ig, np.array([[422]]), np.array([[[422, -1, 1080]]]), 120)
    >>> f.tolist(), pp.tolist()                            # 422 // 5 = 84; (422+120)//5 = 108
    ([[84.0]], [[[108.0, nan, 240.0]]])
    """
    samples = ig_days.shape[2]
    fasting = np.take_along_axis(
        ig_days, np.clip(first_meal // SAMPLE_MINUTES, 0, samples - 1)[..., None], axis=2
    )[..., 0]
    fasting = np.where(first_meal >= 0, fasting, np.nan)
    at = np.clip((main_meals + postprandial_minutes) // SAMPLE_MINUTES, 0, samples - 1)
    pp = np.take_along_axis(ig_days, at, axis=2)
    pp = np.where(main_meals >= 0, pp, np.nan)
    return fasting, pp


def titration_criteria(
    ig_days: FloatArray,
    first_meal: NDArray[np.int64],
    main_meals: NDArray[np.int64],
    settings: TherapySettings,
) -> NDArray[np.bool_]:
    """Which of the three glycaemic criteria of :class:`TherapySettings` fail, (n, 3) booleans.

    Columns: fasting (more than ``fasting_high_per_week`` fasting readings a week above
    ``fasting_above_mg_dl``), post-prandial (more than ``postprandial_high_per_week`` readings a
    week ``postprandial_minutes`` after a main meal above ``postprandial_above_mg_dl``) and CGM
    (more than ``tar_max_pct`` % of the time above ``tar_above_mg_dl``); a week is 7 days of the
    window ``ig_days`` (n, days, samples) [mg/dL]. Hering 2016 (doi:10.2337/dc15-1988), ADA
    (doi:10.2337/dc19-S006), Battelino 2019 (doi:10.2337/dci19-0028); docs/methods/sim.md §9.
    """
    weeks = ig_days.shape[1] / 7.0
    fasting, pp = glucose_readings(ig_days, first_meal, main_meals, settings.postprandial_minutes)
    high_fasting = (fasting > settings.fasting_above_mg_dl).sum(axis=1) / weeks
    high_pp = (pp > settings.postprandial_above_mg_dl).sum(axis=(1, 2)) / weeks
    tar = 100.0 * (ig_days > settings.tar_above_mg_dl).mean(axis=(1, 2))
    return np.stack(
        [
            high_fasting > settings.fasting_high_per_week,
            high_pp > settings.postprandial_high_per_week,
            tar > settings.tar_max_pct,
        ],
        axis=1,
    )


def _titrate(
    scale: FloatArray,
    ig_days: FloatArray,
    first_meal: NDArray[np.int64],
    main_meals: NDArray[np.int64],
    baseline: FloatArray,
    baseline_below54: FloatArray,
    settings: TherapySettings,
) -> FloatArray:
    """The titration rule of :class:`TherapySettings` (glycaemic criteria only).

    ``ig_days`` is (n, days, samples) of noise-free IG [mg/dL] of the last
    ``titration_window_days``, ``first_meal`` and ``main_meals`` the meal starts of those days
    (:func:`glucose_readings`); ``baseline`` each participant's run-in mean IG [mg/dL] and
    ``baseline_below54`` their run-in % of IG below
    ``hypo_below_mg_dl`` (54 mg/dL) [%]; ``scale`` the current dose scale [1]. Returns the new
    scale [1].

    >>> s = TherapySettings()
    >>> day = np.full((3, 14, 288), 110.0); day[2] = 200.0  # in target ×2, out of target
    >>> meals = np.full((3, 14), 420); main = np.tile([420, 720, 1080], (3, 14, 1))
    >>> run_in = np.array([150.0, 120.0, 150.0])   # 40 and 10 mg/dL above the window's 110
    >>> _titrate(np.array([1.0, 0.5, 0.5]), day, meals, main, run_in, np.zeros(3), s).round(6).tolist()
    [0.8, 0.5, 0.55]
    """
    fails = titration_criteria(ig_days, first_meal, main_meals, settings).sum(axis=1)
    out = fails >= settings.criteria_to_act  # [A] several criteria must agree
    below = 100.0 * (ig_days < settings.hypo_below_mg_dl).mean(axis=(1, 2))
    hypo = below > baseline_below54 + settings.hypo_margin_pct
    # weaning: in target and glycaemia lower than before the infusion (the graft's effect) [A]
    wean = ~out & (ig_days.mean(axis=(1, 2)) < baseline - settings.wean_below_run_in_mg_dl)
    on = scale > 0
    new = scale.copy()
    down = on & (hypo | wean)
    up = on & ~hypo & out & (scale < settings.max_scale)
    new[down] *= 1.0 - settings.reduce_by
    new[up] = np.minimum(new[up] * (1.0 + settings.increase_by), settings.max_scale)
    low_dose = on & (new < settings.stop_below_scale)
    # insulin stops only with glycaemia in target on the smallest dose; otherwise the dose stays
    # at the smallest one (a person without graft function never stops insulin)
    new[low_dose & ~out] = 0.0
    new[low_dose & out] = settings.stop_below_scale
    new[~on & out] = settings.restart_scale
    return new


@dataclass
class _Setup:
    """Everything :func:`simulate` fixes before the first simulated day (step 1 of 3): the
    participants, their graft, meals and behaviour, the model's state and parameters, and the random
    streams still to be drawn from (each stream is drawn in the same order as before the split, so
    the same seed gives the same bytes)."""

    arms: Sequence[tuple[str, float]]
    seed: int
    days: int
    arm: str
    design: Design
    graft: GraftSettings
    therapy: TherapySettings
    she: SheModel
    sensor: str
    substeps: int
    population: PopulationSettings
    behaviour: BehaviourSettings
    screening: ScreeningSettings
    screened: ScreeningResult | None
    counterregulation: CounterregulationSettings
    patients: list[VirtualPatient]
    jittered: list[bool]
    people: Behaviour
    doses: FloatArray
    plateau_mean: FloatArray
    plateau: FloatArray
    day_numbers: NDArray[np.int64]
    visits: list[int]
    plan: Any  # the meal plan (minute and grams of each meal, per participant and day)
    counted: FloatArray
    bolus_minute: NDArray[np.int64]
    si_daily: FloatArray
    x: FloatArray
    p: FloatArray
    carry: FloatArray
    therapy_rows: FloatArray
    weights: FloatArray
    mmtt_g: FloatArray
    rng_sensor: np.random.Generator
    rng_episode: np.random.Generator


@dataclass
class _Trace:
    """What the days of the simulation recorded (step 2 of 3), per participant and day."""

    ig5: FloatArray  # interstitial glucose every SAMPLE_MINUTES [mg/dL], (n, days, samples)
    daily_bg: FloatArray  # mean plasma glucose [mg/dL]
    daily_units: FloatArray  # insulin taken [U]
    f_daily: FloatArray  # graft fraction F [1]
    scale_daily: FloatArray  # titration dose scale [1]
    first_meal: NDArray[np.int64]  # start of the day's first meal [min after midnight], −1: none
    main_meals: NDArray[np.int64]  # starts of breakfast, lunch, dinner [min], −1: not eaten
    rescue_daily: FloatArray  # rescue carbohydrate [g/day] (self and third party)
    rescue_count: FloatArray  # rescues [1/day]
    gate: FloatArray  # minutes at the non-negativity gate during the trial [min]
    episode_u: FloatArray  # the awareness random numbers drawn, (n, days, 48)
    lab_rows: list[tuple[int, int, str, float]]  # (participant, day, test, value)
    she_rows: list[tuple[int, int, int]]  # (participant, start day, end day)


#: Code of the notice that a participant's run reached the model's non-negativity gate.
GATE_NOTICE_CODE = "W_SIM_NONNEGATIVITY_GATE"


def gate_notices(ids: Sequence[str], gate_minutes: FloatArray) -> tuple[Notice, ...]:
    """One notice per participant whose plasma or tissue glucose reached the non-negativity gate.

    >>> [(n.code, n.data["participant_id"], n.data["minutes"])
    ...  for n in gate_notices(["SIM-001", "SIM-002"], np.array([0.0, 12.0]))]
    [('W_SIM_NONNEGATIVITY_GATE', 'SIM-002', 12)]
    """
    return tuple(
        Notice(
            GATE_NOTICE_CODE,
            "W",
            f"{ids[i]}: plasma or tissue glucose at the model's non-negativity gate (≤ 0 mg/dL) for "
            f"{int(gate_minutes[i])} min — an unphysiological run; its numbers are not meaningful",
            field="participant_id",
            data={"participant_id": ids[i], "minutes": int(gate_minutes[i])},
        )
        for i in np.flatnonzero(gate_minutes > 0).tolist()
    )


def simulate(
    arms: Sequence[tuple[str, float]],
    *,
    seed: int = 1,
    days: int = 365,
    design: Design | None = None,
    graft: GraftSettings | None = None,
    therapy: TherapySettings | None = None,
    she: SheModel | None = None,
    sensor: str = "breton2008",
    substeps: int = 1,
    progress: Progress | None = None,
    population: PopulationSettings | None = None,
    behaviour: BehaviourSettings | None = None,
    screening: ScreeningSettings | None = None,
    arm: str = "treated",
    screened: ScreeningResult | None = None,
    counterregulation: CounterregulationSettings | None = None,
) -> SimulationResult:
    """Simulate one participant per ``(cohort, dose_cells)`` in ``arms``; see :func:`simulate_trial`.

    With ``population.source == "screened"`` (default) the participants are virtual adults drawn
    and screened by :func:`endolab.sim.population.screen` (the protocol's eligibility), each with
    their behaviour; ``"published"`` gives the 10 published adults, aware and bolusing exactly.
    ``screened`` reuses the screening of an earlier run with the same seed and settings (what
    :func:`screen` would return again; a paired simulation's twins) instead of repeating it.

    Three steps: :func:`_setup` (participants, graft, meals, model state), :func:`_run_days` (the
    days, minute by minute) and :func:`_result` (the dataset, manifest and notices).
    """
    setup = _setup(
        arms,
        seed=seed,
        days=days,
        design=design or SIM_PROTOCOLS["zimislecel-2025"],
        graft=graft or GraftSettings(),
        therapy=therapy or TherapySettings(),
        she=she or SheModel(),
        sensor=sensor,
        substeps=substeps,
        population=population or PopulationSettings(),
        behaviour=behaviour or BehaviourSettings(),
        screening=screening or ScreeningSettings(),
        arm=arm,
        screened=screened,
        counterregulation=counterregulation or CounterregulationSettings(),
    )
    return _result(setup, _run_days(setup, progress))


def _setup(
    arms: Sequence[tuple[str, float]],
    *,
    seed: int,
    days: int,
    design: Design,
    graft: GraftSettings,
    therapy: TherapySettings,
    she: SheModel,
    sensor: str,
    substeps: int,
    population: PopulationSettings,
    behaviour: BehaviourSettings,
    screening: ScreeningSettings,
    arm: str,
    screened: ScreeningResult | None,
    counterregulation: CounterregulationSettings,
) -> _Setup:
    """Step 1: check the inputs, draw and screen the participants, their grafts and meals, and set
    the model's initial state and parameters."""
    n = len(arms)
    check_sim_inputs(n, days, [d for _, d in arms], seed)
    check_sensor_model(sensor)
    if arm not in ARMS:
        raise InputError(f"arm must be one of {', '.join(ARMS)}, got {arm!r}", field="arm")
    ss = np.random.SeedSequence(int(seed))
    rng_pt, rng_graft, rng_meal, rng_count, rng_sensor, rng_si, rng_episode, rng_cr = (
        np.random.default_rng(s) for s in ss.spawn(8)
    )
    if population.source == "published":
        screened = None
        patients, jittered = _draw_patients(rng_pt, n)
        people = aware_behaviour(n)
        people = Behaviour(
            people.count_bias,
            people.basal_factor,
            people.impaired,
            np.full(n, therapy.rescue_below_mg_dl),
            people.detect_prob,
        )
    elif screened is None:
        screened = screen(
            rng_pt,
            n,
            population=population,
            behaviour=behaviour,
            screening=screening,
            she=she,
            correction_target=therapy.correction_target,
            correction_threshold=therapy.correction_threshold,
            rescue_carbs_g=therapy.rescue_carbs_g,
            rescue_wait_min=therapy.rescue_wait_min,
            counterregulation=counterregulation,
        )
    if screened is not None:
        if len(screened.patients) != n:
            raise InputError(
                "a reused screening must have one person per participant", field="arms"
            )
        patients, jittered, people = screened.patients, [False] * n, screened.behaviour
    doses = np.array([d for _, d in arms], dtype=np.float64)
    plateau_mean = np.array([_mean_f(d, graft) for d in doses])
    plateau = draw_graft_fraction(rng_graft, plateau_mean, graft)

    run_in = design.run_in_days
    day_numbers = np.arange(-run_in, days + 1)
    n_days = day_numbers.size
    plan = random_meals(rng_meal, n, n_days)
    if screened is None:
        count_sigma = math.sqrt(math.log1p(therapy.carb_count_cv**2))
        count_factor = np.exp(
            count_sigma * rng_count.standard_normal(plan.grams.shape) - 0.5 * count_sigma**2
        )
        counted = np.round(plan.grams * count_factor)
        bolus_minute = plan.minute
        si_daily = np.ones((n, n_days))
    else:
        plan = vary_meals(rng_meal, plan, behaviour.meal_size_cv)
        counted, bolus_minute = bolus_plan(rng_count, plan, people, behaviour)
        si_daily = daily_sensitivity(rng_si, n, n_days, behaviour.si_day_cv)
    visits = sorted({v for v in design.visits if -run_in <= v <= days} | {days})

    x = np.array([pt.x0 for pt in patients]) if screened is None else screened.x.copy()
    p = np.array([pt.params for pt in patients])
    p[:, P_H] = graft.h
    p[:, P_KP4] = graft.kp4
    p[:, P_KGLU] = graft.glucagon_gain
    p[:, P_HGLU] = graft.glucagon_threshold_mg_dl
    p[:, P_HEDYN] = 1.0 if graft.hepatic_extraction == "dallaman2007" else 0.0
    if screened is None:  # screened people carry theirs from screening (docs/methods/sim.md §11)
        apply_counterregulation(p, x, counterregulation, rng_cr)
    if graft.insulin_baseline == "dallaman2007":
        p[:, P_RHO] = 1.0  # not re-baselined (the patient's default rho is the host's)
    if screened is None:
        carry = np.zeros((n, N_CARRY))
        carry[:, C_LAST_QSTO] = x[:, QSTO1] + x[:, QSTO2]
    else:
        carry = screened.carry.copy()
    therapy_rows = make_therapy_rows(
        patients,
        people,
        correction_target=therapy.correction_target,
        correction_threshold=therapy.correction_threshold,
        rescue_carbs_g=therapy.rescue_carbs_g,
        rescue_wait_min=therapy.rescue_wait_min,
        she=she,
        settings=None if screened is None else behaviour,
    )
    weights = np.array([pt.weight_kg for pt in patients])
    mmtt_g = np.round(np.minimum(MMTT_ML_PER_KG * weights, MMTT_MAX_ML) * MMTT_CARBS_G_PER_ML)
    return _Setup(
        arms=arms,
        seed=seed,
        days=days,
        arm=arm,
        design=design,
        graft=graft,
        therapy=therapy,
        she=she,
        sensor=sensor,
        substeps=substeps,
        population=population,
        behaviour=behaviour,
        screening=screening,
        screened=screened,
        counterregulation=counterregulation,
        patients=patients,
        jittered=jittered,
        people=people,
        doses=doses,
        plateau_mean=plateau_mean,
        plateau=plateau,
        day_numbers=day_numbers,
        visits=visits,
        plan=plan,
        counted=counted,
        bolus_minute=bolus_minute,
        si_daily=si_daily,
        x=x,
        p=p,
        carry=carry,
        therapy_rows=therapy_rows,
        weights=weights,
        mmtt_g=mmtt_g,
        rng_sensor=rng_sensor,
        rng_episode=rng_episode,
    )


def _run_days(s: _Setup, progress: Progress | None) -> _Trace:
    """Step 2: simulate every day minute by minute (meals, boluses, test drinks on visit days,
    titration, graft function), recording the daily values, lab visits and severe events."""
    n, n_days = len(s.arms), s.day_numbers.size
    therapy, graft, day_numbers, plan = s.therapy, s.graft, s.day_numbers, s.plan
    x, p, carry, therapy_rows = s.x, s.p, s.carry, s.therapy_rows
    base_vmx, base_kp3 = p[:, P_VMX].copy(), p[:, P_KP3].copy()
    scale = np.ones(n)
    outs = [np.zeros((n, MINUTES_PER_DAY)) for _ in range(9)]
    gate_before = carry[:, C_GATE_MIN].copy()  # minutes at the non-negativity gate so far
    t = _Trace(
        ig5=np.zeros((n, n_days, SAMPLES_PER_DAY)),
        daily_bg=np.zeros((n, n_days)),
        daily_units=np.zeros((n, n_days)),
        f_daily=np.zeros((n, n_days)),
        scale_daily=np.zeros((n, n_days)),
        first_meal=np.full((n, n_days), -1, dtype=np.int64),
        main_meals=np.full((n, n_days, len(MAIN_MEALS)), -1, dtype=np.int64),
        rescue_daily=np.zeros((n, n_days)),
        rescue_count=np.zeros((n, n_days)),
        gate=np.zeros(n),
        episode_u=np.zeros((n, n_days, 48)),
        lab_rows=[],
        she_rows=[],
    )
    zeros = np.zeros((n, MINUTES_PER_DAY))
    rows = np.arange(n)[:, None]
    total = n * n_days
    reached = np.zeros(n, dtype=bool)  # stimulated C-peptide at Leitão 2008's boundary so far
    for k, day in enumerate(day_numbers):
        f_today = graft_fraction_curve(s.plateau, float(day), graft)
        p[:, P_FGRAFT] = f_today
        t.f_daily[:, k] = f_today
        if s.screened is not None:  # a graft restores awareness (docs/methods/sim.md §8)
            w = awareness_weight(f_today, reached, s.behaviour)
            below, prob = restored_awareness(w, s.people, s.behaviour)
            therapy_rows[:, T_RESCUE_BELOW], therapy_rows[:, T_DETECT_PROB] = below, prob
            therapy_rows[:, T_DETECT_PROB_ASLEEP] = restored_asleep_detection(w, s.behaviour)
            therapy_rows[:, T_SHE_PROB] = restored_third_party_prob(w, s.people, s.she)
        meal = np.zeros((n, MINUTES_PER_DAY))
        bolus = np.zeros((n, MINUTES_PER_DAY))
        minutes = plan.minute[:, k, :]
        grams = plan.grams[:, k, :].copy()
        carbs = s.counted[:, k, :].copy()
        is_visit = int(day) in s.visits
        if is_visit:  # MMTT morning: nothing eaten before 10:00 but the test drink, no bolus
            early = minutes < 600
            grams[early] = 0.0
            carbs[early] = 0.0
        np.add.at(meal, (np.broadcast_to(rows, minutes.shape), minutes), grams)
        bminutes = s.bolus_minute[:, k, :]
        np.add.at(bolus, (np.broadcast_to(rows, bminutes.shape), bminutes), carbs)
        if is_visit:
            meal[:, MMTT_START_MIN] += s.mmtt_g
        # the meal starts a clinician's fasting and post-prandial readings refer to (the test
        # drink is a visit day's breakfast)
        eaten_at = np.where(grams > 0, minutes, MINUTES_PER_DAY)
        if is_visit:
            eaten_at[:, 0] = MMTT_START_MIN
        first = eaten_at.min(axis=1)
        t.first_meal[:, k] = np.where(first < MINUTES_PER_DAY, first, -1)
        main = eaten_at[:, list(MAIN_MEALS)]
        t.main_meals[:, k, :] = np.where(main < MINUTES_PER_DAY, main, -1)
        if day > 0 and day % therapy.titration_interval_days == 0:
            lo = max(k - therapy.titration_window_days, 0)
            run_in_ig = t.ig5[:, day_numbers < 0, :].reshape(n, -1)
            base_below54 = 100.0 * (run_in_ig < therapy.hypo_below_mg_dl).mean(axis=1)
            scale = _titrate(
                scale,
                t.ig5[:, lo:k, :],
                t.first_meal[:, lo:k],
                t.main_meals[:, lo:k, :],
                run_in_ig.mean(axis=1),
                base_below54,
                therapy,
            )
        therapy_rows[:, 1] = scale
        t.scale_daily[:, k] = scale
        p[:, P_VMX] = base_vmx * s.si_daily[:, k]
        p[:, P_KP3] = base_kp3 * s.si_daily[:, k]
        episode_u = s.rng_episode.random((n, 48))
        t.episode_u[:, k, :] = episode_u
        run_minutes(x, p, meal, bolus, zeros, therapy_rows, carry, episode_u, s.substeps, *outs)
        bg, ig, units, _sec, cpep, _cho, rescue, she_now, _glucagon = outs
        # Leitão 2008's boundary: the day's peak plasma C-peptide [pmol/L] (stimulated by meals
        # or the test drink) at or above it restores awareness from the next day on, kept [A]
        reached |= cpep.max(axis=1) >= s.behaviour.awareness_restored_c_peptide_pmol_l
        t.rescue_daily[:, k] = rescue.sum(axis=1)
        t.rescue_count[:, k] = (rescue > 0).sum(axis=1)
        t.ig5[:, k, :] = ig[:, ::SAMPLE_MINUTES]
        t.daily_bg[:, k] = bg.mean(axis=1)
        t.daily_units[:, k] = units.sum(axis=1)
        for who in np.flatnonzero(she_now.any(axis=1)).tolist():
            t.she_rows += [(who, int(day), int(day))] * int(she_now[who].sum())
        if is_visit:
            t.lab_rows += _visit_labs(t, bg, cpep, k, int(day))
        if progress is not None:
            progress(n * (k + 1), total)
    t.gate = carry[:, C_GATE_MIN] - gate_before
    return t


def _visit_labs(
    t: _Trace, bg: FloatArray, cpep: FloatArray, k: int, day: int
) -> list[tuple[int, int, str, float]]:
    """The lab rows of a visit day ``day`` (column ``k``): HbA1c (ADAG from the mean plasma
    glucose of the previous days), fasting glucose, fasting and MMTT-peak C-peptide."""
    out: list[tuple[int, int, str, float]] = []
    for i in range(bg.shape[0]):
        fasting = cpep[i, MMTT_START_MIN]
        peak = max(cpep[i, MMTT_START_MIN + s] for s in MMTT_SAMPLES_MIN)
        lo = max(k - HBA1C_WINDOW_DAYS + 1, 0)
        hba1c = float(adag_nathan_2008(t.daily_bg[i, lo : k + 1].mean()))
        out += [
            (i, day, "HBA1C", round(hba1c, 1)),
            (i, day, "GLUCOSE_FASTING", round(float(bg[i, MMTT_START_MIN]))),
            (i, day, "CPEP_FASTING", _assay(fasting)),
            (i, day, "CPEP_STIM_PEAK", _assay(peak)),
        ]
    return out


def _result(s: _Setup, t: _Trace) -> SimulationResult:
    """Step 3: the CGM measured by the sensor model, the baseline values, the five tables, the
    manifest and the notices, validated as a dataset."""
    n = len(s.arms)
    day_numbers, run_in = s.day_numbers, s.design.run_in_days
    n_days = day_numbers.size
    # the drawn scenario (what a paired twin shares with its treated participant), with the
    # sensor stream's state before the CGM is measured
    scenario = {
        "meal_minute": s.plan.minute,
        "meal_grams": s.plan.grams,
        "counted_g": s.counted,
        "bolus_minute": s.bolus_minute,
        "si_daily": s.si_daily,
        "episode_u": t.episode_u,
        "sensor_state": s.rng_sensor.bit_generator.state,
    }
    cgm = measure(t.ig5.reshape(n, -1), s.rng_sensor, s.sensor)
    run_in_mask = day_numbers < 0
    baseline_hba1c = np.round(adag_nathan_2008(t.daily_bg[:, run_in_mask].mean(axis=1)), 1)
    baseline_units = t.daily_units[:, run_in_mask].mean(axis=1)
    run_in_she = np.zeros(n)
    for i, start, _end in t.she_rows:
        if start < 0:
            run_in_she[i] += 1
    she_per_year = run_in_she * 365.0 / run_in if s.screened is None else s.screened.she_per_year

    ids = [f"SIM-{i + 1:03d}" for i in range(n)]
    infusion = [START_DATE + dt.timedelta(days=STAGGER_DAYS * i) for i in range(n)]
    participants = pl.DataFrame(
        {
            "participant_id": ids,
            "cohort": [c for c, _ in s.arms],
            "dose_cells": s.doses,
            "infusion_date": infusion,
            "second_infusion_date": pl.Series([None] * n, dtype=pl.Date),
            "baseline_hba1c_pct": baseline_hba1c,
            "baseline_insulin_u_per_day": np.round(baseline_units, 1),
            "baseline_she_per_year": np.round(she_per_year, 1),
            "weight_kg": np.round(s.weights, 1),
            "age_years": [pt.age_years for pt in s.patients],
            "sex": [pt.sex for pt in s.patients],
        }
    )
    per = n_days * SAMPLES_PER_DAY
    starts = np.array([np.datetime64(d - dt.timedelta(days=run_in), "us") for d in infusion])
    offsets = (np.arange(per) * SAMPLE_MINUTES * 60_000_000).astype("timedelta64[us]")
    times = (starts[:, None] + offsets[None, :]).reshape(-1)
    cgm_frame = pl.DataFrame(
        {
            "participant_id": np.repeat(np.array(ids), per),
            "time": times,
            "glucose_mg_dl": cgm.reshape(-1),
        }
    )
    day_offsets = [dt.timedelta(days=int(d)) for d in day_numbers]
    insulin_frame = pl.DataFrame(
        {
            "participant_id": np.repeat(np.array(ids), n_days),
            "date": [infusion[i] + off for i in range(n) for off in day_offsets],
            "total_units": np.round(t.daily_units, 1).reshape(-1),
        }
    )
    labs_frame = pl.DataFrame(
        {
            "participant_id": [ids[i] for i, *_ in t.lab_rows],
            "date": [infusion[i] + dt.timedelta(days=d) for i, d, *_ in t.lab_rows],
            "test": [test for *_, test, _v in t.lab_rows],
            "value": [float(v) for *_, v in t.lab_rows],
        },
        schema={
            "participant_id": pl.String,
            "date": pl.Date,
            "test": pl.String,
            "value": pl.Float64,
        },
    )
    events_frame = pl.DataFrame(
        {
            "participant_id": [ids[i] for i, _, _ in t.she_rows],
            "start_date": [infusion[i] + dt.timedelta(days=s_) for i, s_, _ in t.she_rows],
            "end_date": [infusion[i] + dt.timedelta(days=e) for i, _, e in t.she_rows],
            "category": ["SHE"] * len(t.she_rows),
            "term": [f"Severe hypoglycaemia ({s.she.label})"] * len(t.she_rows),
            "serious": ["N"] * len(t.she_rows),
            "related": ["N"] * len(t.she_rows),
            "outcome": ["RECOVERED"] * len(t.she_rows),
        },
        schema={
            "participant_id": pl.String,
            "start_date": pl.Date,
            "end_date": pl.Date,
            "category": pl.String,
            "term": pl.String,
            "serious": pl.String,
            "related": pl.String,
            "outcome": pl.String,
        },
    )
    notices = gate_notices(ids, t.gate)
    manifest = _manifest(s, t, ids=ids, she_per_year=she_per_year, notices=notices)
    ds = validate_tables(
        {
            "participants": participants,
            "cgm": cgm_frame,
            "labs": labs_frame,
            "insulin": insulin_frame,
            "events": events_frame,
        },
        source=f"simulated by endolab.sim {__version__} (seed {s.seed})",
        simulation=manifest,
    )
    return SimulationResult(
        ds,
        manifest,
        t.f_daily,
        day_numbers,
        t.scale_daily,
        scenario=scenario,
        screening=s.screened,
        notices=notices,
    )


def _assay(value: float) -> float:
    """C-peptide as a lab reports it [pmol/L]: whole pmol/L, below the LLOQ as 0 [A]."""
    return 0.0 if value < C_PEPTIDE_LLOQ else float(round(value))


def _manifest(
    s: _Setup,
    t: _Trace,
    *,
    ids: list[str],
    she_per_year: FloatArray,
    notices: Sequence[Notice],
) -> dict[str, Any]:
    """The simulation manifest (simulation.json): model, version, seed, every setting and
    assumption, and per participant the graft, behaviour, rescues and gate minutes."""
    seed, days, design, visits, arm = s.seed, s.days, s.design, s.visits, s.arm
    graft, therapy, she, sensor, substeps = s.graft, s.therapy, s.she, s.sensor, s.substeps
    population, behaviour, screening, screened = s.population, s.behaviour, s.screening, s.screened
    patients, jittered, arms, people = s.patients, s.jittered, s.arms, s.people
    plateau_mean, plateau, f_last = s.plateau_mean, s.plateau, t.f_daily[:, -1]
    rescue_daily, rescue_count, gate = t.rescue_daily, t.rescue_count, t.gate
    after = s.day_numbers >= 0
    # the notices' messages, as the manifest (simulation.json) has always listed them
    warnings = [n.message for n in notices]
    source: dict[str, Any]
    if screened is None:
        source = {
            "source": "simglucose 0.2.11 vpatient_params.csv + Quest.csv (MIT, Copyright (c) 2017 Jinyu Xie)",
            "pool": "10 adults; drawn without replacement, beyond 10 with replacement and jitter [A]",
            "jitter_cv": JITTER_CV,
            "sex": "drawn, P(male) = 0.5 [A]; height 1.76 m (M) / 1.63 m (F) [A]",
        }
    else:
        source = {
            "source": "drawn from the joint log-normal (logit-normal for fractions) distribution of "
            "the 10 published adults' parameters (simglucose 0.2.11, MIT, Copyright (c) 2017 Jinyu "
            "Xie), each with its basal steady state, then screened by the protocol's eligibility "
            "[A] (endolab.sim.population)",
            "candidates_drawn": screened.candidates,
            "candidates_simulated": screened.simulated,
            "excluded": screened.reasons,
            "sex": f"drawn, P(male) = {population.p_male:g} [A]; height 1.76 m (M) / 1.63 m (F) [A]",
        }
    return {
        "generator": f"endolab.sim {__version__}",
        "format": "endolab trial dataset, version 1 (docs/trial-data.md)",
        "disclaimer": DISCLAIMER,
        "model": MODEL_NAME,
        "version": __version__,
        "seed": int(seed),
        "design": {
            "protocol": design.name,
            "reference": design.reference,
            "run_in_days": design.run_in_days,
            "follow_up_days": int(days),
            "visits": visits,
            "cohorts": [list(c) for c in design.cohorts],
            "infusion_dates": f"{START_DATE.isoformat()} + {STAGGER_DAYS} days per participant [A]",
        },
        "integrator": {
            "method": "classical RK4, inputs constant over each minute",
            "step_min": 1 / substeps,
        },
        "arm": arm,
        "warnings": warnings,
        # the same findings as data: read back as the dataset's notices (however it is read)
        "notices": [n.as_dict() for n in notices],
        "virtual_patients": source,
        "population": asdict(population),
        "behaviour": asdict(behaviour) if screened is not None else "aware, exact basal, no bias",
        "screening": asdict(screening) if screened is not None else None,
        "graft": graft.as_dict()
        | {
            "dose_chain": "F_plateau_mean = min(max_fraction, dose/1560 cells per IEQ (Pisania 2010) "
            "× engraftment_survival × potency / healthy_ieq); F_plateau ~ log-normal(mean, cv) [A]; "
            "F(t) = F_plateau / (1 + exp(−(t − t50)/slope)) × exp(−loss_rate·t)",
            "secretion": "Dalla Man 2007 (K 2.30, alpha 0.050, beta 0.11, gamma 0.5, Sb 1.514), "
            "K, beta, Sb scaled by F; secreted into the liver insulin compartment × rho (re-baselined "
            "to the host's insulin units, docs/methods/sim.md §4.1, unless insulin_baseline = "
            "dallaman2007); C-peptide from the unscaled secretion",
        },
        "therapy": asdict(therapy),
        "counterregulation": s.counterregulation.as_dict(),
        "she_model": asdict(she) | {"label": she.label},
        "sensor": {
            "model": sensor,
            "sample_min": SAMPLE_MINUTES,
            "low_high": "< 40 stored as 39, > 400 as 401",
        },
        "labs": {
            "hba1c": f"ADAG (Nathan 2008) from mean plasma glucose of the previous {HBA1C_WINDOW_DAYS} days "
            "(baseline: the run-in) [A]",
            "mmtt": f"{MMTT_ML_PER_KG:g} mL/kg up to {MMTT_MAX_ML:g} mL at {MMTT_CARBS_G_PER_ML:.3f} g/mL "
            "at 08:00, no bolus, samples 0/15/30/60/90/120 min; CPEP_STIM_PEAK = max of 15–120 min",
            "c_peptide_lloq_pmol_l": C_PEPTIDE_LLOQ,
            "c_peptide": "Van Cauter 1992 two-compartment kinetics; body class obese when BMI ≥ 30 [A]",
        },
        "not_simulated": [
            "adverse events other than severe hypoglycaemia (no AE rows are written)",
            "adrenaline and cortisol counter-regulation (glucagon is simulated, see "
            "counterregulation), exercise, illness",
            "immunosuppression and its effects on the graft, kidney or C-peptide clearance",
            "second infusions",
        ],
        "participants": [
            {
                "participant_id": pid,
                "virtual_patient": pt.name,
                "jittered": jit,
                "jittered_parameters": (
                    {k: float(pt.params[param_index(k)]) for k in JITTER_CV} if jit else {}
                ),
                "cohort": arm[0],
                "dose_cells": arm[1],
                "sex": pt.sex,
                "height_cm": pt.height_cm,
                "graft_fraction_plateau_mean": round(float(fm), 6),
                "graft_fraction_plateau": round(float(fp), 6),
                "graft_fraction_last_day": round(float(fl), 6),
                "age_years": pt.age_years,
                "behaviour": beh,
                "screening_she_per_year": round(float(rate), 1),
                "rescue_treatments_from_day_0": int(rescue_count[i, after].sum()),
                "rescue_carbs_g_from_day_0": round(float(rescue_daily[i, after].sum()), 1),
                "rescue_carbs_g_per_day_run_in": round(float(rescue_daily[i, ~after].mean()), 1),
                "nonnegativity_gate_minutes": int(gate[i]),
            }
            for i, (pid, pt, jit, arm, fm, fp, fl, beh, rate) in enumerate(
                zip(
                    ids,
                    patients,
                    jittered,
                    arms,
                    plateau_mean,
                    plateau,
                    f_last,
                    people.as_rows(),
                    she_per_year,
                    strict=True,
                )
            )
        ],
    }


def simulate_trial(
    *,
    protocol: str = "zimislecel-2025",
    participants: int = 14,
    seed: int = 1,
    days: int = 365,
    dose_cells: float | None = None,
    graft: GraftSettings | None = None,
    therapy: TherapySettings | None = None,
    she: SheModel | None = None,
    sensor: Literal["breton2008", "vettoretti2019", "none"] = "breton2008",
    progress: Progress | None = None,
    arm: str = "treated",
    population: PopulationSettings | None = None,
    behaviour: BehaviourSettings | None = None,
    screening: ScreeningSettings | None = None,
    paired: bool = False,
    counterregulation: CounterregulationSettings | None = None,
) -> TrialDataset:
    """Simulate the islet-replacement trial of ``protocol`` and return the validated dataset.

    Parameters
    ----------
    protocol
        Simulated design (:data:`SIM_PROTOCOLS`): ``zimislecel-2025`` — cohort A at half dose,
        B and C at the full dose (2/5/7 of 14 participants; shares kept for other sizes).
    participants
        Number of virtual participants (≥ 1).
    seed
        Seed of every random draw (cohort, graft, meals, carb counting, sensor): same seed, same
        dataset, byte for byte.
    days
        Follow-up after the infusion [days] (≥ 1); a 14-day run-in precedes day 0.
    dose_cells
        Full dose [cells] (default 8e8 for zimislecel-2025); cohort A gets half of it.
    graft, therapy, she, sensor
        Model settings (:class:`~endolab.sim.graft.GraftSettings`, :class:`TherapySettings`,
        :class:`SheModel`, CGM error model ``breton2008`` / ``vettoretti2019`` / ``none``).
    progress
        Optional callback ``progress(done, total)`` [participant-days] (the screening period is
        not counted).
    arm
        ``treated`` (each cohort's dose) or ``control``: the same design with no infusion (dose 0
        in every cohort; standard care goes on, titration included).
    population, behaviour, screening
        Where participants come from (:class:`~endolab.sim.population.PopulationSettings`,
        default: virtual adults screened by the protocol's eligibility), how they manage their
        diabetes (:class:`~endolab.sim.population.BehaviourSettings`) and the screening
        (:class:`~endolab.sim.population.ScreeningSettings`).
    paired
        Counterfactual twins: every participant is simulated a second time without the graft
        (the control arm of the same seed: the same people, meals, behaviour draws and sensor
        noise; only the infusion differs). The returned dataset's ``twins`` is that dataset
        (same participant ids); the manifest's ``paired`` entry says so. Only with the treated arm.
    counterregulation
        Glucagon, hypoglycaemia-dependent insulin action, intra-day sensitivity and dawn rise
        (:class:`~endolab.sim.counterregulation.CounterregulationSettings`, docs/methods/sim.md §11).

    The returned dataset's ``simulation`` attribute is the manifest; write it with
    :func:`write_simulation`. In-silico results are never clinical evidence.
    """
    design = get_design(protocol)
    full = design.full_dose_cells if dose_cells is None else float(dose_cells)
    check_sim_inputs(participants, days, [full], seed)
    arms = allocate_cohorts(design, int(participants), full)
    if paired and arm != "treated":
        raise InputError(
            "--paired runs the treated arm beside its own untreated twins; leave out --arm control",
            field="paired",
        )
    if arm == "control":
        arms = [(label, 0.0) for label, _ in arms]
    settings: dict[str, Any] = {
        "seed": seed,
        "days": days,
        "design": design,
        "graft": graft,
        "therapy": therapy,
        "she": she,
        "sensor": sensor,
        "population": population,
        "behaviour": behaviour,
        "screening": screening,
        "counterregulation": counterregulation,
    }
    if not paired:
        return simulate(arms, progress=progress, arm=arm, **settings).dataset
    return simulate_paired(arms, progress=progress, **settings)[0].dataset


def simulate_paired(
    arms: Sequence[tuple[str, float]], *, progress: Progress | None = None, **settings: Any
) -> tuple[SimulationResult, SimulationResult]:
    """The treated ``arms`` and each participant's untreated twin (counterfactual twins).

    The twins are the control arm of the same seed and settings (dose 0 in every cohort): the
    same screened people (the screening is done once and reused), meals, carbohydrate counting,
    daily sensitivity, awareness draws and sensor-noise stream, because every random process has
    its own seeded stream (``SeedSequence.spawn``) whose draws do not depend on the dose. Returns
    ``(treated, twins)``; ``treated.dataset.twins`` is ``twins.dataset`` and both manifests record
    the pairing (``paired``).
    """
    first_total = [0]

    def first(done: int, whole: int) -> None:
        first_total[0] = whole
        if progress is not None:
            progress(done, 2 * whole)

    def second(done: int, whole: int) -> None:
        if progress is not None:
            progress(first_total[0] + done, first_total[0] + whole)

    treated = simulate(arms, progress=first, arm="treated", **settings)
    twins = simulate(
        [(label, 0.0) for label, _ in arms],
        progress=second,
        arm="control",
        screened=treated.screening,
        **settings,
    )
    pairing = {
        "twins_folder": TWINS_FOLDER,
        "pairing": "same participant_id",
        "what": "every participant simulated twice on the same meals, behaviour draws and sensor "
        "noise: with the graft (this dataset) and without it (the twins: the control arm of the "
        "same seed); in silico only, no real trial can make this comparison",
    }
    treated.manifest["paired"] = pairing | {"role": "treated"}
    twins.manifest["paired"] = pairing | {"role": "untreated twins"}
    twins.dataset = dataclasses.replace(twins.dataset, simulation=twins.manifest)
    treated.dataset = dataclasses.replace(
        treated.dataset, simulation=treated.manifest, twins=twins.dataset
    )
    return treated, twins


def demo_trial(
    seed: int = 1, progress: Progress | None = None, settings: Any = None
) -> TrialDataset:
    """The default virtual trial (zimislecel-2025, 14 participants, 365 days, default settings).

    What ``endolab trial demo`` simulates and what the web app opens on: a paired simulation, so
    that the treated arm is shown beside its control arm (the participants' untreated twins, the
    control arm of the same seed; ``twins`` of the returned dataset). ``settings`` (an
    :class:`endolab.sim.settings.SimSettings`) overrides the defaults.
    """
    extra = settings.kwargs() if settings is not None else {}
    return simulate_trial(seed=seed, progress=progress, paired=True, **extra)


def manifest_json(ds: TrialDataset) -> str:
    """The dataset's simulation manifest as JSON text (sorted keys; stable bytes)."""
    if ds.simulation is None:
        raise InputError("the dataset was not simulated (no simulation manifest)", field="dataset")
    return json.dumps(ds.simulation, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_simulation(
    ds: TrialDataset, out: str | Path, *, format: Literal["csv", "parquet"] = "csv"
) -> Path:
    """Write a simulated dataset and its ``simulation.json`` manifest atomically to ``out``.

    ``out`` must not exist or be an empty folder; nothing half-written is left behind on error.
    """
    return write_dataset(
        ds, out, format=format, extra_files={MANIFEST: manifest_json(ds).encode("utf-8")}
    )
