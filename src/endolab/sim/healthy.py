"""The Dalla Man 2007 healthy subject on the same right-hand side (F = 1, no exogenous insulin).

A regression check of this model, not a validation against data (docs/methods/sim.md §3.1): the
spec's independent re-implementation gives, for a 78 g meal (``kempt`` shape from D = 78 g; the
paper's a, c values imply ~106 g, docs/methods/sim.md §3.1), glucose 95 → 160.4 mg/dL at 65 min, insulin
25 → 251.8 pmol/L at 97 min and peak secretion 8.17 pmol/kg/min, and C-peptide 475 → 2254 pmol/L.
Digitised mean data peak near 350–360 pmol/L at 30–60 min: the model's insulin is about 35 % low and
late (docs/methods/sim.md §3.1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from endolab.sim.graft import DALLA_MAN_2007_NORMAL, basal_secretion_dalla_man_2007, van_cauter_1992
from endolab.sim.model import (
    CP1,
    CP2,
    GP,
    GS,
    GT,
    I1,
    ID,
    IL,
    IP,
    IPO,
    N_PARAMS,
    N_STATES,
    QSTO1,
    param_index,
    rhs_into_numpy,
)

__all__ = ["MealTest", "healthy_meal_test", "healthy_subject_dalla_man_2007"]

FloatArray = NDArray[np.float64]


def healthy_subject_dalla_man_2007() -> tuple[FloatArray, FloatArray]:
    """Parameters and basal state of the Dalla Man 2007 normal subject (78 kg, Gb 95, Ib 25).

    Dalla Man C, Rizza RA, Cobelli C. IEEE Trans Biomed Eng 2007;54:1740,
    doi:10.1109/TBME.2007.893506, Table I normal values (docs/methods/sim.md §3) with the basal state derived
    self-consistently (docs/methods/sim.md §3 [D]): Sb = 1.514 pmol/kg/min, Vm0 = 2.434 mg/kg/min,
    m6 = HEb + m5·Sb, dynamic hepatic extraction HE = m6 − m5·S, kp4·Ipo in EGP, F = 1. C-peptide:
    Van Cauter 1992 for a 45-year-old man, 1.78 m (docs/methods/sim.md §5 example).

    Returns ``(params, x0)`` (shapes ``(N_PARAMS,)`` and ``(N_STATES,)``).
    """
    dm = DALLA_MAN_2007_NORMAL
    sb = basal_secretion_dalla_man_2007(dm["Ib"], dm["VI"], dm["m1"], dm["m2"], dm["m4"], dm["HEb"])
    gpb = dm["Gb"] * dm["VG"]
    ipb = dm["Ib"] * dm["VI"]
    ilb = (dm["m2"] + dm["m4"]) * ipb / dm["m1"]
    ipob = sb / dm["gamma"]
    egpb = dm["kp1"] - dm["kp2"] * gpb - dm["kp3"] * dm["Ib"] - dm["kp4"] * ipob
    gtb = (dm["k1"] * gpb + dm["Fcns"] - egpb) / dm["k2"]
    vm0 = (egpb - dm["Fcns"]) * (dm["Km0"] + gtb) / gtb
    vc = van_cauter_1992(45, dm["BW"], 178, "M", "normal")
    values = {
        "BW": dm["BW"],
        "kabs": dm["kabs"],
        "kmax": dm["kmax"],
        "kmin": dm["kmin"],
        "b": dm["b"],
        "d": dm["d"],
        "f": dm["f"],
        "Vg": dm["VG"],
        "Vi": dm["VI"],
        "k1": dm["k1"],
        "k2": dm["k2"],
        "kp1": dm["kp1"],
        "kp2": dm["kp2"],
        "kp3": dm["kp3"],
        "ke1": dm["ke1"],
        "ke2": dm["ke2"],
        "Fsnc": dm["Fcns"],
        "Vm0": vm0,
        "Vmx": dm["Vmx"],
        "Km0": dm["Km0"],
        "p2u": dm["p2U"],
        "Ib": dm["Ib"],
        "ki": dm["ki"],
        "m1": dm["m1"],
        "m2": dm["m2"],
        "m4": dm["m4"],
        "m30": dm["HEb"] * dm["m1"] / (1 - dm["HEb"]),
        "m5": dm["m5"],
        "HEb": dm["HEb"],
        "ka1": 0.0,
        "ka2": 0.0,
        "kd": 0.0,
        "ksc": 0.1,
        "u2ss": 0.0,
        "F": 1.0,
        "K": dm["K"],
        "alpha": dm["alpha"],
        "beta": dm["beta"],
        "gamma": dm["gamma"],
        "h": dm["Gb"],
        "Sb": sb,
        "kp4": dm["kp4"],
        "he_dynamic": 1.0,
        "m6": dm["HEb"] + dm["m5"] * sb,
        "vc_k1": vc["k1"],
        "vc_k2": vc["k2"],
        "vc_k3": vc["k3"],
        "vc_vd": vc["vd"],
        "rho": 1.0,  # the healthy subject is Dalla Man's normal subject: no re-baselining
    }
    params = np.zeros(N_PARAMS)
    for key, value in values.items():
        params[param_index(key)] = value
    x0 = np.zeros(N_STATES)
    x0[GP] = gpb
    x0[GT] = gtb
    x0[IP] = ipb
    x0[I1] = dm["Ib"]
    x0[ID] = dm["Ib"]
    x0[IL] = ilb
    x0[IPO] = ipob
    x0[GS] = gpb  # interstitial glucose at the plasma level
    c1 = sb * dm["BW"] / (vc["k2"] * vc["vd"])
    x0[CP1] = c1
    x0[CP2] = vc["k3"] * c1 / vc["k1"]
    return params, x0


@dataclass(frozen=True)
class MealTest:
    """Per-minute traces of a meal test [units in brackets], index = minutes after the meal."""

    glucose_mg_dl: FloatArray
    insulin_pmol_l: FloatArray
    secretion_pmol_kg_min: FloatArray
    c_peptide_pmol_l: FloatArray


def healthy_meal_test(carbs_g: float = 78.0, minutes: int = 420) -> MealTest:
    """Simulate the healthy subject's meal response (RK4, 1-min step; meal as an impulse D·δ(t)).

    The meal of ``carbs_g`` [g] is placed in the solid stomach at t = 0 and sets ``D`` of the
    gastric-emptying curve (Dalla Man 2007 form, docs/methods/sim.md §3).
    """
    params, x = healthy_subject_dalla_man_2007()
    x = x.copy()
    dose_mg = carbs_g * 1000.0
    x[QSTO1] = dose_mg
    n = minutes + 1
    g = np.empty(n)
    ins = np.empty(n)
    sec = np.empty(n)
    cp = np.empty(n)
    k = [np.empty(N_STATES) for _ in range(4)]
    vg, vi, gamma = (
        params[param_index("Vg")],
        params[param_index("Vi")],
        params[param_index("gamma")],
    )
    for t in range(n):
        g[t] = x[GP] / vg
        ins[t] = x[IP] / vi
        sec[t] = gamma * x[IPO]
        cp[t] = x[CP1]
        rhs_into_numpy(x, params, 0.0, 0.0, dose_mg, k[0])
        rhs_into_numpy(x + 0.5 * k[0], params, 0.0, 0.0, dose_mg, k[1])
        rhs_into_numpy(x + 0.5 * k[1], params, 0.0, 0.0, dose_mg, k[2])
        rhs_into_numpy(x + k[2], params, 0.0, 0.0, dose_mg, k[3])
        x = x + (k[0] + 2 * k[1] + 2 * k[2] + k[3]) / 6.0
    return MealTest(g, ins, sec, cp)
