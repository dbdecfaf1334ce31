"""One virtual patient: replay prescribed inputs, or simulate days under the therapy rule.

:func:`replay` runs the model on given per-minute carbohydrate and insulin (used by the simglucose
comparison in ``validation/``); :func:`simulate_patient` runs a patient with a fixed functional graft
fraction F, seeded random meals and the basal–bolus rule of :class:`~endolab.sim.runner.TherapySettings`
(no titration) and returns a per-minute trace. In-silico results are never clinical evidence.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from endolab.errors import InputError, ParseError
from endolab.sim.counterregulation import CounterregulationSettings, apply_counterregulation
from endolab.sim.limits import check_seed
from endolab.sim.model import (
    C_LAST_QSTO,
    CP1,
    CP2,
    IPO,
    ISC1,
    ISC2,
    N_CARRY,
    P_BW,
    P_FGRAFT,
    P_GAMMA,
    P_H,
    P_HEDYN,
    P_HGLU,
    P_KGLU,
    P_KP4,
    P_RHO,
    P_SB,
    P_VCK1,
    P_VCK2,
    P_VCK3,
    P_VCVD,
    QSTO1,
    QSTO2,
    run_minutes,
    therapy_row,
)
from endolab.sim.patients import VirtualPatient, load_patient
from endolab.sim.scenario import random_meals

__all__ = ["TRACE_COLUMNS", "replay", "simulate_patient"]

FloatArray = NDArray[np.float64]
#: Detection random numbers for runs whose person always notices hypoglycaemia (never read).
NO_EPISODE_U = np.zeros((1, 1))

#: Columns of a patient trace and their units.
TRACE_COLUMNS: dict[str, str] = {
    "time": "datetime",
    "plasma_glucose_mg_dl": "mg/dL",
    "interstitial_glucose_mg_dl": "mg/dL",
    "insulin_u_per_min": "U/min",
    "carbs_g_per_min": "g/min",
    "secretion_pmol_kg_min": "pmol/kg/min",
    "c_peptide_pmol_l": "pmol/L",
    "graft_glucagon_egp_mg_kg_min": "mg/kg/min",
    "glucagon_pg_ml": "pg/mL",
    "rescue_carbs_g": "g",
    "severe_event": "1",
}


def _start_state(pt: VirtualPatient, graft_fraction: float) -> tuple[FloatArray, FloatArray]:
    """Parameters and initial state with graft fraction F; graft states at their basal level."""
    p = pt.params.copy()
    x = pt.x0.copy()
    p[P_FGRAFT] = graft_fraction
    sb = graft_fraction * p[P_SB]
    x[IPO] = sb / p[P_GAMMA]
    if sb > 0:
        c1 = sb * p[P_BW] / (p[P_VCK2] * p[P_VCVD])
        x[CP1] = c1
        x[CP2] = p[P_VCK3] * c1 / p[P_VCK1]
    return p, x


def replay(
    patient: str | VirtualPatient,
    cho_g: FloatArray,
    insulin_u_min: FloatArray,
    *,
    graft_fraction: float = 0.0,
    substeps: int = 1,
) -> dict[str, FloatArray]:
    """Run one patient on prescribed per-minute inputs from the file's initial state.

    Parameters
    ----------
    patient
        A name (``adult#001``) or a :class:`~endolab.sim.patients.VirtualPatient`.
    cho_g
        Carbohydrate announced at each minute [g]; eaten at 5 g/min.
    insulin_u_min
        Exogenous insulin given during each minute [U/min] (basal and boluses together).
    graft_fraction
        Functional graft fraction F [1] (constant).
    substeps
        RK4 steps per minute.

    Returns per-minute arrays ``bg`` (plasma glucose) and ``ig`` (interstitial) [mg/dL] at the start
    of each minute, ``insulin`` [U/min], ``secretion`` [pmol/kg/min], ``cpep`` [pmol/L], ``cho`` [g/min].
    """
    pt = load_patient(patient) if isinstance(patient, str) else patient
    cho = np.asarray(cho_g, dtype=np.float64)[None, :]
    ins = np.asarray(insulin_u_min, dtype=np.float64)[None, :]
    if cho.shape != ins.shape:
        raise InputError("cho_g and insulin_u_min must have the same length", field="inputs")
    p, x = _start_state(pt, graft_fraction)
    p2, x2 = p[None, :].copy(), x[None, :].copy()
    carry = np.zeros((1, N_CARRY))
    carry[0, C_LAST_QSTO] = x[QSTO1] + x[QSTO2]
    therapy = therapy_row(0.0, 0.0, 1.0, 1.0, rescue_below=0.0)[None, :]
    outs = [np.zeros_like(cho) for _ in range(9)]
    run_minutes(x2, p2, cho, np.zeros_like(cho), ins, therapy, carry, NO_EPISODE_U, substeps, *outs)
    names = ("bg", "ig", "insulin", "secretion", "cpep", "cho", "rescue", "she", "glucagon")
    return {k: v[0] for k, v in zip(names, outs, strict=True)}


def simulate_patient(
    patient: str,
    *,
    days: int = 3,
    graft_fraction: float = 0.0,
    seed: int = 1,
    carb_count_cv: float = 0.0,
    start: dt.datetime = dt.datetime(2025, 1, 6),
    graft: Any = None,
    therapy: Any = None,
    therapy_mode: str = "basal-bolus",
    rescue: bool = True,
    she: Any = None,
    counterregulation: CounterregulationSettings | None = None,
) -> pl.DataFrame:
    """Simulate one published virtual patient for ``days`` days with a constant graft fraction.

    Meals are drawn from the simglucose scenario distribution with ``seed``; insulin follows the
    basal–bolus rule (basal u2ss·BW/6000 U/min and, at each meal, carbs/CR plus a correction
    (IG − 140)/CF when IG > 150 mg/dL) with no titration; hypoglycaemia below 70 mg/dL IG is
    treated with 15 g carbohydrate [A]. ``graft_fraction`` F ≥ 0 scales the graft (F = 0: the T1D
    model exactly). ``graft`` (:class:`~endolab.sim.graft.GraftSettings`) sets the secretion
    threshold, hepatic extraction, kp4 and the graft's α-cell counter-regulation; ``therapy``
    (:class:`~endolab.sim.runner.TherapySettings`) the correction and rescue rule.
    ``therapy_mode="none"`` gives no exogenous insulin (the s.c. depots start empty: a graft
    alone); ``rescue=False`` gives no carbohydrate for hypoglycaemia, neither self-treatment nor
    third-party treatment, so the physiology shows unmasked (severe events are still recorded, as
    unnoticed). ``she`` (:class:`~endolab.sim.population.SheModel`) defines severe events. Returns
    a per-minute trace (:data:`TRACE_COLUMNS`): besides glucose, insulin, carbohydrate, secretion
    and C-peptide, the graft's α-cell contribution to glucose production, rescue carbohydrate
    taken or given at each minute and 1 at the minute a severe event is treated.
    ``counterregulation`` (default: on, :class:`~endolab.sim.counterregulation.CounterregulationSettings`,
    docs/methods/sim.md §11) adds the host's and the graft's glucagon (column ``glucagon_pg_ml``,
    plasma glucagon), the rise of insulin action in hypoglycaemia, the intra-day sensitivity
    factors (drawn from the seed) and the dawn rise; minute 0 of the trace is midnight.
    """
    if therapy_mode not in ("basal-bolus", "none"):
        raise ParseError(
            f"therapy must be basal-bolus or none, got {therapy_mode!r}", field="therapy"
        )
    if isinstance(days, bool) or int(days) != days or days < 1 or days > 365:
        raise InputError(f"days must be a whole number from 1 to 365, got {days}", field="days")
    if not (math.isfinite(graft_fraction) and 0 <= graft_fraction <= 2):
        raise InputError(
            f"graft fraction must be between 0 and 2, got {graft_fraction}", field="graft_fraction"
        )
    check_seed(seed)
    pt = load_patient(patient)
    rng = np.random.default_rng(seed)
    plan = random_meals(rng, 1, days)
    m = days * 1440
    meal = np.zeros((1, m))
    for d in range(days):
        for k in range(plan.grams.shape[2]):
            meal[0, d * 1440 + plan.minute[0, d, k]] += plan.grams[0, d, k]
    sigma = math.sqrt(math.log1p(carb_count_cv**2))
    counted = np.round(meal * np.exp(sigma * rng.standard_normal(meal.shape) - sigma**2 / 2))
    p, x = _start_state(pt, graft_fraction)
    if graft is not None:
        p[P_H], p[P_KP4] = graft.h, graft.kp4
        p[P_HEDYN] = 1.0 if graft.hepatic_extraction == "dallaman2007" else 0.0
        p[P_KGLU], p[P_HGLU] = graft.glucagon_gain, graft.glucagon_threshold_mg_dl
        if graft.insulin_baseline == "dallaman2007":
            p[P_RHO] = 1.0
    if therapy_mode == "none":
        x[ISC1] = x[ISC2] = 0.0
    p2, x2 = p[None, :].copy(), x[None, :].copy()
    apply_counterregulation(p2, x2, counterregulation or CounterregulationSettings(), rng)
    carry = np.zeros((1, N_CARRY))
    carry[0, C_LAST_QSTO] = x[QSTO1] + x[QSTO2]
    from endolab.sim.population import SheModel
    from endolab.sim.runner import TherapySettings

    t = therapy or TherapySettings()
    event = she or SheModel()
    rule = therapy_row(
        pt.basal_u_per_min if therapy_mode == "basal-bolus" else 0.0,
        1.0 if therapy_mode == "basal-bolus" else 0.0,
        pt.cr,
        pt.cf,
        target=t.correction_target,
        threshold=t.correction_threshold,
        rescue_g=t.rescue_carbs_g if rescue else 0.0,
        rescue_below=t.rescue_below_mg_dl,
        rescue_wait=t.rescue_wait_min,
        detect_prob=1.0 if rescue else 0.0,
        she_below=event.threshold_mg_dl,
        she_minutes=float(event.min_minutes),
        third_party_g=event.third_party_carbs_g if rescue else 0.0,
        she_recovered=event.recovered_mg_dl,
    )
    therapy_rows = rule[None, :]
    episode_u = np.full((1, 1), 0.5)  # never read when detect_prob is 0 or 1
    outs = [np.zeros((1, m)) for _ in range(9)]
    run_minutes(x2, p2, meal, counted, np.zeros((1, m)), therapy_rows, carry, episode_u, 1, *outs)
    bg, ig, units, sec, cpep, cho, rescue_g, severe, glucagon_pg_ml = (o[0] for o in outs)
    glucagon = p[P_FGRAFT] * p[P_KGLU] * np.maximum(p[P_HGLU] - bg, 0.0)
    times = np.datetime64(start, "us") + (np.arange(m) * 60_000_000).astype("timedelta64[us]")
    return pl.DataFrame(
        {
            "time": times,
            "plasma_glucose_mg_dl": bg,
            "interstitial_glucose_mg_dl": ig,
            "insulin_u_per_min": units,
            "carbs_g_per_min": cho,
            "secretion_pmol_kg_min": sec,
            "c_peptide_pmol_l": cpep,
            "graft_glucagon_egp_mg_kg_min": glucagon,
            "glucagon_pg_ml": glucagon_pg_ml,
            "rescue_carbs_g": rescue_g,
            "severe_event": severe.astype(np.int64),
        }
    )
