"""UVA/Padova 2008 T1D glucose–insulin model with an intraportal β-cell graft: named state, pure RHS.

The model (docs/methods/sim.md §2–§5) is the structure that simglucose implements for its 30 virtual
patients (Dalla Man, Rizza & Cobelli, IEEE Trans Biomed Eng 2007;54:1740, doi:10.1109/TBME.2007.893506;
Kovatchev et al., J Diabetes Sci Technol 2009;3:44, doi:10.1177/193229680900300106), written from the
papers and the spec, plus three additions of this project:

* the Dalla Man 2007 β-cell secretion sub-model (states ``ipo``, ``y``), secreting into the liver
  insulin compartment ``il`` (an intraportal graft), scaled by a functional graft fraction ``F``
  (K, β and Sb multiplied by F — docs/methods/sim.md §4, an assumption [A]); with F = 0 every graft
  term is exactly zero and the model is the T1D model;
* Van Cauter 1992 two-compartment C-peptide kinetics (states ``cp1``, ``cp2``) driven by the same
  pre-hepatic secretion (Van Cauter et al., Diabetes 1992;41:368, doi:10.2337/diab.41.3.368);
* optional Dalla Man 2007 hepatic extraction ``HE = m6 − m5·S`` (``he_dynamic = 1``) in place of the
  constant ``m30`` of the T1D model, and an optional portal-insulin term ``−kp4·Ipo`` in EGP.

State (index constants below; never bare numbers) and units:

========  ==========================================================  ============
name      meaning                                                     unit
========  ==========================================================  ============
qsto1     glucose in the stomach, solid phase                         [mg]
qsto2     glucose in the stomach, liquid phase                        [mg]
qgut      glucose in the gut                                          [mg]
gp        glucose mass in plasma and rapidly equilibrating tissues    [mg/kg]
gt        glucose mass in slowly equilibrating tissues                [mg/kg]
ip        insulin mass in plasma                                      [pmol/kg]
x         insulin action on glucose utilisation (remote insulin)      [pmol/L]
i1        delayed insulin signal, first compartment                   [pmol/L]
id        delayed insulin signal acting on EGP                        [pmol/L]
il        insulin mass in the liver                                   [pmol/kg]
isc1      subcutaneous insulin, non-monomeric                         [pmol/kg]
isc2      subcutaneous insulin, monomeric                             [pmol/kg]
gs        subcutaneous glucose (interstitial; IG = gs/Vg)             [mg/kg]
ipo       insulin in the portal vein (graft)                          [pmol/kg]
y         second-phase (provision) secretion of the graft             [pmol/kg/min]
cp1       C-peptide, central (plasma) compartment                     [pmol/L]
cp2       C-peptide, peripheral compartment                           [pmol/L]
glucagon  plasma glucagon H (docs/methods/sim.md §11)                 [pg/mL]
srsh      static glucagon secretion SRsH                              [pg/mL/min]
xh        glucagon action on EGP (delayed), XH                        [pg/mL]
========  ==========================================================  ============

Inputs held constant over each minute: carbohydrate eaten ``cho`` [g/min], exogenous
subcutaneous insulin ``insulin`` [pmol/kg/min] and the meal size for gastric emptying ``dbar`` [mg].

:func:`rhs_into` is pure (it writes only ``dx``) and generic: with ``x`` of shape ``(N_STATES,)`` and
``p`` of shape ``(N_PARAMS,)`` it works on one patient (scalars, compiled by numba); with ``x`` of shape
``(N_STATES, n)`` and ``p`` of shape ``(N_PARAMS, n)`` it is vectorised over ``n`` patients in numpy. The trial
engine integrates it with fixed-step RK4 inside one compiled loop over patients and minutes
(:func:`run_minutes`), which the benchmark (benchmarks/sim.py) shows is faster than the numpy
vectorised path at trial sizes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
from numpy.typing import NDArray

__all__ = [
    "EAT_RATE_G_PER_MIN",
    "N_CARRY",
    "N_PARAMS",
    "N_STATES",
    "N_THERAPY",
    "PARAM_NAMES",
    "STATE_NAMES",
    "STATE_UNITS",
    "param_index",
    "rhs",
    "rhs_into",
    "rhs_into_numpy",
    "rk4_step",
    "run_minutes",
    "state_index",
    "therapy_row",
]

FloatArray = NDArray[np.float64]
_F = TypeVar("_F", bound=Callable[..., Any])


def _jit(fn: _F) -> _F:
    """numba ``njit`` (cached on disk, releases the GIL) keeping the signature for mypy."""
    return cast(_F, numba.njit(cache=True, nogil=True, fastmath=False)(fn))


#: State names in storage order and their units.
STATE_UNITS: dict[str, str] = {
    "qsto1": "mg",
    "qsto2": "mg",
    "qgut": "mg",
    "gp": "mg/kg",
    "gt": "mg/kg",
    "ip": "pmol/kg",
    "x": "pmol/L",
    "i1": "pmol/L",
    "id": "pmol/L",
    "il": "pmol/kg",
    "isc1": "pmol/kg",
    "isc2": "pmol/kg",
    "gs": "mg/kg",
    "ipo": "pmol/kg",
    "y": "pmol/kg/min",
    "cp1": "pmol/L",
    "cp2": "pmol/L",
    # host + graft counter-regulation (docs/methods/sim.md §11)
    "glucagon": "pg/mL",
    "srsh": "pg/mL/min",
    "xh": "pg/mL",
}
STATE_NAMES: tuple[str, ...] = tuple(STATE_UNITS)
N_STATES = len(STATE_NAMES)

(
    QSTO1,
    QSTO2,
    QGUT,
    GP,
    GT,
    IP,
    X,
    I1,
    ID,
    IL,
    ISC1,
    ISC2,
    GS,
    IPO,
    Y,
    CP1,
    CP2,
    HGLU,
    SRSH,
    XH,
) = range(N_STATES)

#: Parameter names in storage order, with units. The first block comes from the virtual-patient
#: file (simglucose's names); the graft, hepatic-extraction and C-peptide block is set per run.
PARAM_UNITS: dict[str, str] = {
    "BW": "kg",
    "kabs": "1/min",
    "kmax": "1/min",
    "kmin": "1/min",
    "b": "1",
    "d": "1",
    "f": "1",
    "Vg": "dL/kg",
    "Vi": "L/kg",
    "k1": "1/min",
    "k2": "1/min",
    "kp1": "mg/kg/min",
    "kp2": "1/min",
    "kp3": "mg/kg/min per pmol/L",
    "ke1": "1/min",
    "ke2": "mg/kg",
    "Fsnc": "mg/kg/min",
    "Vm0": "mg/kg/min",
    "Vmx": "mg/kg/min per pmol/L",
    "Km0": "mg/kg",
    "p2u": "1/min",
    "Ib": "pmol/L",
    "ki": "1/min",
    "m1": "1/min",
    "m2": "1/min",
    "m4": "1/min",
    "m30": "1/min",
    "m5": "min·kg/pmol",
    "HEb": "1",
    "ka1": "1/min",
    "ka2": "1/min",
    "kd": "1/min",
    "ksc": "1/min",
    "u2ss": "pmol/kg/min",
    # graft (Dalla Man 2007 secretion, scaled by F)
    "F": "1",
    "K": "pmol/kg per mg/dL",
    "alpha": "1/min",
    "beta": "pmol/kg/min per mg/dL",
    "gamma": "1/min",
    "h": "mg/dL",
    "Sb": "pmol/kg/min",
    "kp4": "mg/kg/min per pmol/kg",
    "he_dynamic": "1",
    "m6": "1",
    # Van Cauter 1992 C-peptide kinetics
    "vc_k1": "1/min",
    "vc_k2": "1/min",
    "vc_k3": "1/min",
    "vc_vd": "L",
    # graft α-cells: glucagon response to falling glucose, acting on EGP (scaled by F) [A]
    "kglu": "mg/kg/min per mg/dL",
    "hglu": "mg/dL",
    # insulin re-baselining: graft insulin enters the host's insulin compartments × rho
    # (host basal secretion / Dalla Man 2007 normal basal secretion, docs/methods/sim.md §4.1)
    "rho": "1",
    # counter-regulation (docs/methods/sim.md §11): glucagon kinetics, secretion and action
    # (Dalla Man 2014 S2013 structure), hypoglycaemia-dependent insulin action, intra-day
    # insulin sensitivity and dawn effect; every term is exactly 0 with its setting off
    "gl_n": "1/min",
    "gl_hb": "pg/mL",
    "gl_sigma": "pg/mL/min per mg/dL",
    "gl_rho": "1/min",
    "gl_delta": "pg/mL per mg/dL",
    "gl_gth": "mg/dL",
    "gl_kh": "1/min",
    "gl_xi": "mg/kg/min per pg/mL",
    "gl_host": "1",
    "gl_graft": "1",
    "risk_r1": "1",
    "risk_r2": "1",
    "risk_gb": "mg/dL",
    "risk_gth": "mg/dL",
    "si_log_b": "1",
    "si_log_l": "1",
    "si_log_d": "1",
    "dawn_amp": "1",
    "si_log_now": "1",
    "dawn_now": "1",
}
PARAM_NAMES: tuple[str, ...] = tuple(PARAM_UNITS)
N_PARAMS = len(PARAM_NAMES)

(
    P_BW,
    P_KABS,
    P_KMAX,
    P_KMIN,
    P_B,
    P_D,
    P_F_RA,
    P_VG,
    P_VI,
    P_K1,
    P_K2,
    P_KP1,
    P_KP2,
    P_KP3,
    P_KE1,
    P_KE2,
    P_FSNC,
    P_VM0,
    P_VMX,
    P_KM0,
    P_P2U,
    P_IB,
    P_KI,
    P_M1,
    P_M2,
    P_M4,
    P_M30,
    P_M5,
    P_HEB,
    P_KA1,
    P_KA2,
    P_KD,
    P_KSC,
    P_U2SS,
    P_FGRAFT,
    P_KSEC,
    P_ALPHA,
    P_BETA,
    P_GAMMA,
    P_H,
    P_SB,
    P_KP4,
    P_HEDYN,
    P_M6,
    P_VCK1,
    P_VCK2,
    P_VCK3,
    P_VCVD,
    P_KGLU,
    P_HGLU,
    P_RHO,
    P_GL_N,
    P_GL_HB,
    P_GL_SIGMA,
    P_GL_RHO,
    P_GL_DELTA,
    P_GL_GTH,
    P_GL_KH,
    P_GL_XI,
    P_GL_HOST,
    P_GL_GRAFT,
    P_RISK_R1,
    P_RISK_R2,
    P_RISK_GB,
    P_RISK_GTH,
    P_SI_LOG_B,
    P_SI_LOG_L,
    P_SI_LOG_D,
    P_DAWN_AMP,
    P_SI_LOG_NOW,
    P_DAWN_NOW,
) = range(N_PARAMS)

#: Carbohydrate is eaten at 5 g/min from an announced meal (simglucose ``T1DPatient.EAT_RATE`` [V]).
EAT_RATE_G_PER_MIN = 5.0


def state_index(name: str) -> int:
    """Index of a state by name; an unknown name raises ``ValueError`` listing the names."""
    try:
        return STATE_NAMES.index(name)
    except ValueError:
        raise ValueError(f"unknown state {name!r}; use one of {', '.join(STATE_NAMES)}") from None


def param_index(name: str) -> int:
    """Index of a parameter by name; an unknown name raises ``ValueError`` listing the names."""
    try:
        return PARAM_NAMES.index(name)
    except ValueError:
        raise ValueError(
            f"unknown parameter {name!r}; use one of {', '.join(PARAM_NAMES)}"
        ) from None


def rhs_into_numpy(x: Any, p: Any, cho: Any, insulin: Any, dbar: Any, dx: Any) -> None:
    """Right-hand side of the T1D + graft model; writes d(state)/dt [state unit/min] into ``dx``.

    Parameters
    ----------
    x
        State [units in :data:`STATE_UNITS`], shape ``(N_STATES,)`` or ``(N_STATES, n)``.
    p
        Parameters [units in :data:`PARAM_UNITS`], shape ``(N_PARAMS,)`` or ``(N_PARAMS, n)``.
    cho
        Carbohydrate eaten during this minute [g/min].
    insulin
        Exogenous subcutaneous insulin [pmol/kg/min].
    dbar
        Meal size for the gastric-emptying nonlinearity: stomach content at the start of the meal
        plus carbohydrate eaten since [mg]; 0 gives ``kempt = kmax``.
    dx
        Output, same shape as ``x``.

    Notes
    -----
    UVA/Padova 2008 T1D equations (Dalla Man 2007 meal model without secretion, constant hepatic
    extraction m30; docs/methods/sim.md §2). As in simglucose, seven states (gp, gt, ip, il, isc1,
    isc2, gs) may not fall while they are negative (non-negativity gate, docs/methods/sim.md §1.2 item 1) — but,
    unlike simglucose's ``(x >= 0)·dx``, a positive derivative is kept, so the gate is not an
    absorbing state (glucose at 0 still rises with rescue carbohydrate); identical to simglucose
    whenever no state is negative. :func:`run_minutes` counts minutes at the gate so that callers
    flag or refuse such runs. Insulin-dependent utilisation ``(Vm0 + Vmx·X)·Gt/(Km0 + Gt)`` is
    floored at 0 [A]: with insulin far below its basal Ib, the linear term would otherwise turn
    negative and make tissues a glucose source (simglucose has no floor; identical whenever the
    term is positive). Graft (docs/methods/sim.md §3–§4, [A]): ``S = γ·Ipo``; ``Ipo' = −γ·Ipo + Y + F·K·max(dG/dt, 0) + F·Sb``;
    ``Y' = −α·(Y − max(F·β·(G − h), −F·Sb))`` (the two branches of Dalla Man's second phase in one
    expression); S enters ``il`` as ``rho·S`` (re-baselined to the host's insulin units,
    docs/methods/sim.md §4.1; ``rho = 1``: not re-baselined); below ``h − Sb/β`` (about 81 mg/dL) the graft's β-cells stop
    secreting except for a first phase while glucose rises. Graft α-cells [A]: EGP gains
    ``F·kglu·max(hglu − G, 0)`` — a glucagon response to falling glucose in proportion to the
    graft's mass, acting at once (kept beside the glucagon compartment). Counter-regulation
    (docs/methods/sim.md §11; each term exactly 0 when its setting is off): glucagon
    ``H' = −n·H + SRsH + SRdH``, ``SRsH' = −ρ·(SRsH − n·Hb − a·σ·max(Gth − G, 0))``,
    ``SRdH = a·δ·max(−dG/dt, 0)`` below Gth, ``a = host + F·graft``; ``XH' = −kH·(XH − max(H − Hb, 0))``,
    EGP + ξ·XH; utilisation ``Vm0 + Vmx·SI·(1 + r1·risk(G))·X``; EGP kp1·(1 + dawn), kp3·SI.
    C-peptide (Van Cauter 1992, Eaton two-compartment form):
    ``cp1' = −(k2 + k3)·cp1 + k1·cp2 + S·BW/Vd``, ``cp2' = k3·cp1 − k1·cp2``.
    """
    bw = p[P_BW]
    # --- gastro-intestinal tract (Dalla Man 2006/2007 nonlinear gastric emptying)
    qsto = x[QSTO1] + x[QSTO2]
    dsafe = np.maximum(dbar, 1e-12)
    aa = 5.0 / (2.0 * dsafe * (1.0 - p[P_B]))
    cc = 5.0 / (2.0 * dsafe * p[P_D])
    kemp_meal = p[P_KMIN] + (p[P_KMAX] - p[P_KMIN]) / 2.0 * (
        np.tanh(aa * (qsto - p[P_B] * dsafe)) - np.tanh(cc * (qsto - p[P_D] * dsafe)) + 2.0
    )
    has_meal = dbar > 0.0
    kempt = has_meal * kemp_meal + (1.0 - has_meal) * p[P_KMAX]
    dx[QSTO1] = -p[P_KMAX] * x[QSTO1] + cho * 1000.0
    dx[QSTO2] = p[P_KMAX] * x[QSTO1] - kempt * x[QSTO2]
    dx[QGUT] = kempt * x[QSTO2] - p[P_KABS] * x[QGUT]
    ra = p[P_F_RA] * p[P_KABS] * x[QGUT] / bw  # [mg/kg/min]
    # --- glucose kinetics
    glucose = x[GP] / p[P_VG]  # [mg/dL]
    # intra-day insulin sensitivity (docs/methods/sim.md §11): log factor set by run_minutes
    sif = np.exp(p[P_SI_LOG_NOW])
    # graft α-cells, direct form [A] (docs/methods/sim.md §4): EGP rises with F below hglu
    glucagon = p[P_FGRAFT] * p[P_KGLU] * np.maximum(p[P_HGLU] - glucose, 0.0)
    # EGP with the dawn rise of kp1 and glucagon action ξ·XH (docs/methods/sim.md §11)
    egp = np.maximum(
        p[P_KP1] * (1.0 + p[P_DAWN_NOW])
        - p[P_KP2] * x[GP]
        - p[P_KP3] * sif * x[ID]
        - p[P_KP4] * x[IPO]
        + glucagon
        + p[P_GL_XI] * x[XH],
        0.0,
    )  # [mg/kg/min]
    renal = p[P_KE1] * np.maximum(x[GP] - p[P_KE2], 0.0)  # [mg/kg/min]
    dgp = egp + ra - p[P_FSNC] - renal - p[P_K1] * x[GP] + p[P_K2] * x[GT]
    dgp = dgp * ((x[GP] >= 0.0) | (dgp > 0.0))
    dx[GP] = dgp
    # insulin action rises in hypoglycaemia (S2013 risk function, docs/methods/sim.md §11)
    gb_risk = np.maximum(p[P_RISK_GB], 1.0)
    g_risk = np.minimum(np.maximum(glucose, np.maximum(p[P_RISK_GTH], 1.0)), gb_risk)
    f_risk = np.log(g_risk) ** p[P_RISK_R2] - np.log(gb_risk) ** p[P_RISK_R2]
    risk = 10.0 * f_risk * f_risk
    # utilisation cannot be negative: with plasma insulin far below Ib (X very negative) the
    # linear Vm0 + Vmx·X would turn tissues into a glucose source (a runaway to > 1,000 mg/dL);
    # identical to simglucose whenever Vm0 + Vmx·X ≥ 0
    vm = p[P_VM0] + p[P_VMX] * sif * (1.0 + p[P_RISK_R1] * risk) * x[X]
    uid = np.maximum(vm, 0.0) * x[GT] / (p[P_KM0] + x[GT])
    dgt = -uid + p[P_K1] * x[GP] - p[P_K2] * x[GT]
    dx[GT] = dgt * ((x[GT] >= 0.0) | (dgt > 0.0))
    # --- graft secretion (Dalla Man 2007, scaled by the functional fraction F)
    fg = p[P_FGRAFT]
    sb = fg * p[P_SB]
    dglucose = dgp / p[P_VG]  # [mg/dL/min]
    # --- glucagon (docs/methods/sim.md §11): secretion gain = impaired host fraction + F × graft α-cells;
    # static component relaxes at rate ρ to basal + σ·(Gth − G) below the threshold, dynamic
    # component δ·(rate of fall) below the threshold, one-compartment kinetics, delayed action
    gain = p[P_GL_HOST] + fg * p[P_GL_GRAFT]
    below = glucose < p[P_GL_GTH]
    target = p[P_GL_N] * p[P_GL_HB] + gain * p[P_GL_SIGMA] * np.maximum(p[P_GL_GTH] - glucose, 0.0)
    dx[SRSH] = -p[P_GL_RHO] * (x[SRSH] - target)
    srdh = below * gain * p[P_GL_DELTA] * np.maximum(-dglucose, 0.0)
    dx[HGLU] = -p[P_GL_N] * x[HGLU] + x[SRSH] + srdh
    dx[XH] = -p[P_GL_KH] * x[XH] + p[P_GL_KH] * np.maximum(x[HGLU] - p[P_GL_HB], 0.0)
    secretion = p[P_GAMMA] * x[IPO]  # S [pmol/kg/min]
    dx[IPO] = -secretion + x[Y] + fg * p[P_KSEC] * np.maximum(dglucose, 0.0) + sb
    dx[Y] = -p[P_ALPHA] * (x[Y] - np.maximum(fg * p[P_BETA] * (glucose - p[P_H]), -sb))
    # --- insulin kinetics
    he = np.minimum(np.maximum(p[P_M6] - p[P_M5] * secretion, 0.0), 0.95)
    m3 = p[P_HEDYN] * (he * p[P_M1] / (1.0 - he)) + (1.0 - p[P_HEDYN]) * p[P_M30]
    plasma_insulin = x[IP] / p[P_VI]  # I [pmol/L]
    dip = -(p[P_M2] + p[P_M4]) * x[IP] + p[P_M1] * x[IL] + p[P_KA1] * x[ISC1] + p[P_KA2] * x[ISC2]
    dx[IP] = dip * ((x[IP] >= 0.0) | (dip > 0.0))
    dx[X] = -p[P_P2U] * x[X] + p[P_P2U] * (plasma_insulin - p[P_IB])
    dx[I1] = -p[P_KI] * (x[I1] - plasma_insulin)
    dx[ID] = -p[P_KI] * (x[ID] - x[I1])
    # graft insulin in the host's insulin units (re-baselined, docs/methods/sim.md §4.1); C-peptide
    # below is driven by the physiological secretion S
    dil = -(p[P_M1] + m3) * x[IL] + p[P_M2] * x[IP] + p[P_RHO] * secretion
    dx[IL] = dil * ((x[IL] >= 0.0) | (dil > 0.0))
    disc1 = insulin - (p[P_KA1] + p[P_KD]) * x[ISC1]
    dx[ISC1] = disc1 * ((x[ISC1] >= 0.0) | (disc1 > 0.0))
    disc2 = p[P_KD] * x[ISC1] - p[P_KA2] * x[ISC2]
    dx[ISC2] = disc2 * ((x[ISC2] >= 0.0) | (disc2 > 0.0))
    dgs = -p[P_KSC] * x[GS] + p[P_KSC] * x[GP]
    dx[GS] = dgs * ((x[GS] >= 0.0) | (dgs > 0.0))
    # --- C-peptide (Van Cauter 1992): equimolar with secreted insulin, no hepatic extraction
    dx[CP1] = (
        -(p[P_VCK2] + p[P_VCK3]) * x[CP1]
        + p[P_VCK1] * x[CP2]
        + secretion * bw / np.maximum(p[P_VCVD], 1e-12)
    )
    dx[CP2] = p[P_VCK3] * x[CP1] - p[P_VCK1] * x[CP2]


#: The same right-hand side compiled by numba (one patient: ``x`` of shape ``(N_STATES,)``).
rhs_into = _jit(rhs_into_numpy)


def rhs(x: FloatArray, p: FloatArray, cho: Any, insulin: Any, dbar: Any) -> FloatArray:
    """Pure right-hand side returning a new array (see :func:`rhs_into` for units).

    >>> from endolab.sim.patients import load_patient
    >>> pt = load_patient("adult#001")
    >>> dx = rhs(pt.x0, pt.params, 0.0, pt.params[param_index("u2ss")], 0.0)
    >>> bool(abs(dx[state_index("gp")]) < 1e-6)  # the file's initial state is a steady state
    True
    """
    dx = np.empty_like(np.asarray(x, dtype=np.float64))
    rhs_into_numpy(x, p, cho, insulin, dbar, dx)
    return dx


@_jit
def rk4_step(
    x: FloatArray,
    p: FloatArray,
    cho: float,
    insulin: float,
    dbar: float,
    h: float,
    k1: FloatArray,
    k2: FloatArray,
    k3: FloatArray,
    k4: FloatArray,
    tmp: FloatArray,
) -> None:
    """One classical Runge–Kutta step of length ``h`` [min] for one patient, in place in ``x``.

    ``k1``…``k4`` and ``tmp`` are work arrays of shape ``(N_STATES,)`` (no allocation per step).
    """
    rhs_into(x, p, cho, insulin, dbar, k1)
    for j in range(x.shape[0]):
        tmp[j] = x[j] + 0.5 * h * k1[j]
    rhs_into(tmp, p, cho, insulin, dbar, k2)
    for j in range(x.shape[0]):
        tmp[j] = x[j] + 0.5 * h * k2[j]
    rhs_into(tmp, p, cho, insulin, dbar, k3)
    for j in range(x.shape[0]):
        tmp[j] = x[j] + h * k3[j]
    rhs_into(tmp, p, cho, insulin, dbar, k4)
    for j in range(x.shape[0]):
        x[j] += h / 6.0 * (k1[j] + 2.0 * k2[j] + 2.0 * k3[j] + k4[j])


#: Minutes of the day at which the intra-day insulin-sensitivity periods start [min] [A]
#: (breakfast 04:00–11:00, lunch 11:00–17:00, dinner and night 17:00–04:00; docs/methods/sim.md §11.4).
SI_PERIOD_STARTS_MIN = (240, 660, 1020)
#: Dawn window [min of day] [A]: a raised-cosine rise of EGP from 03:00 to 09:00, peak at 06:00.
DAWN_WINDOW_MIN = (180, 540)


@_jit
def intraday_si_log(tod: int, log_b: float, log_l: float, log_d: float) -> float:
    """Log insulin-sensitivity factor [1] at minute ``tod`` of the day: the period's value [A].

    >>> intraday_si_log(300, 0.1, 0.2, 0.3), intraday_si_log(700, 0.1, 0.2, 0.3)
    (0.1, 0.2)
    >>> intraday_si_log(100, 0.1, 0.2, 0.3), intraday_si_log(1100, 0.1, 0.2, 0.3)
    (0.3, 0.3)
    """
    if SI_PERIOD_STARTS_MIN[0] <= tod < SI_PERIOD_STARTS_MIN[1]:
        return log_b
    if SI_PERIOD_STARTS_MIN[1] <= tod < SI_PERIOD_STARTS_MIN[2]:
        return log_l
    return log_d


@_jit
def dawn_factor(tod: int, amplitude: float) -> float:
    """Relative rise of kp1 [1] at minute ``tod`` of the day: ``amplitude·(1 − cos 2πu)/2`` with
    ``u`` the position in the dawn window 03:00–09:00, 0 outside it [A] (docs/methods/sim.md §11.4).

    >>> dawn_factor(360, 0.2), dawn_factor(180, 0.2), dawn_factor(700, 0.2)
    (0.2, 0.0, 0.0)
    """
    start, end = DAWN_WINDOW_MIN
    if amplitude == 0.0 or tod < start or tod >= end:
        return 0.0
    u = (tod - start) / (end - start)
    return amplitude * 0.5 * (1.0 - math.cos(2.0 * math.pi * u))


#: Columns of the per-patient carry-over array used by :func:`run_minutes`: meal bookkeeping,
#: the rescue wait, the hypoglycaemia episode (in an episode, detected by the person, index of the
#: next episode random number), minutes of neuroglycopenia without self-treatment, the severe-event
#: lock (one event per episode) and the count of minutes at the model's non-negativity gate.
(
    C_PLANNED,
    C_EATING,
    C_LAST_QSTO,
    C_FOOD_TAKEN,
    C_LAST_CHO,
    C_RESCUE_WAIT,
    C_EPISODE,
    C_DETECTED,
    C_U_INDEX,
    C_NEURO_MIN,
    C_SHE_LOCK,
    C_GATE_MIN,
) = range(12)
N_CARRY = 12

#: Columns of the per-patient therapy/behaviour row of :func:`run_minutes`.
(
    T_BASAL,
    T_SCALE,
    T_CR,
    T_CF,
    T_TARGET,
    T_THRESHOLD,
    T_RESCUE_G,
    T_RESCUE_BELOW,
    T_RESCUE_WAIT,
    T_DETECT_PROB,
    T_SHE_BELOW,
    T_SHE_MINUTES,
    T_THIRD_PARTY_G,
    T_SHE_RECOVERED,
    T_DETECT_PROB_ASLEEP,
    T_SLEEP_START,
    T_SLEEP_END,
    T_ALARM_PROB,
    T_SHE_PROB,
) = range(19)
N_THERAPY = 19


def therapy_row(
    basal_u_min: float,
    scale: float,
    cr: float,
    cf: float,
    *,
    target: float = 140.0,
    threshold: float = 150.0,
    rescue_g: float = 0.0,
    rescue_below: float = 70.0,
    rescue_wait: float = 30.0,
    detect_prob: float = 1.0,
    she_below: float = 0.0,
    she_minutes: float = 30.0,
    third_party_g: float = 0.0,
    she_recovered: float = 70.0,
    detect_prob_asleep: float = 1.0,
    sleep_start_min: float = 0.0,
    sleep_end_min: float = 0.0,
    alarm_prob: float = 0.0,
    she_prob: float = 1.0,
) -> FloatArray:
    """One row of the ``therapy`` array of :func:`run_minutes` (columns ``T_*``), by name.

    The defaults keep the event model of docs/methods/sim.md §8 switched to its simplest form:
    no sleep window (``sleep_start_min == sleep_end_min``), no CGM alarm, and every unnoticed
    neuroglycopenic episode a severe event (``she_prob`` 1).

    >>> therapy_row(0.01, 1.0, 10.0, 40.0).shape
    (19,)
    """
    row = np.zeros(N_THERAPY)
    row[T_BASAL], row[T_SCALE], row[T_CR], row[T_CF] = basal_u_min, scale, cr, cf
    row[T_TARGET], row[T_THRESHOLD] = target, threshold
    row[T_RESCUE_G], row[T_RESCUE_BELOW], row[T_RESCUE_WAIT] = rescue_g, rescue_below, rescue_wait
    row[T_DETECT_PROB], row[T_SHE_BELOW], row[T_SHE_MINUTES] = detect_prob, she_below, she_minutes
    row[T_THIRD_PARTY_G], row[T_SHE_RECOVERED] = third_party_g, she_recovered
    row[T_DETECT_PROB_ASLEEP], row[T_ALARM_PROB], row[T_SHE_PROB] = (
        detect_prob_asleep,
        alarm_prob,
        she_prob,
    )
    row[T_SLEEP_START], row[T_SLEEP_END] = sleep_start_min, sleep_end_min
    return row


@_jit
def asleep_at(tod: float, start: float, end: float) -> bool:
    """Whether minute-of-day ``tod`` [min] lies in the sleep window ``[start, end)`` [min].

    The window may wrap midnight (start > end); ``start == end`` means no sleep window [A].

    >>> asleep_at(30.0, 1380.0, 420.0), asleep_at(600.0, 1380.0, 420.0), asleep_at(5.0, 0.0, 0.0)
    (True, False, False)
    """
    if start == end:
        return False
    if start < end:
        return start <= tod < end
    return tod >= start or tod < end


@_jit
def run_minutes(
    x: FloatArray,
    p: FloatArray,
    meal_g: FloatArray,
    bolus_carbs_g: FloatArray,
    insulin_u_min: FloatArray,
    therapy: FloatArray,
    carry: FloatArray,
    episode_u: FloatArray,
    substeps: int,
    out_bg: FloatArray,
    out_ig: FloatArray,
    out_insulin: FloatArray,
    out_secretion: FloatArray,
    out_cpep: FloatArray,
    out_cho: FloatArray,
    out_rescue: FloatArray,
    out_she: FloatArray,
    out_glucagon: FloatArray,
) -> None:
    """Advance every patient by ``meal_g.shape[1]`` minutes (one compiled loop), in place.

    Parameters
    ----------
    x
        States, shape ``(n, N_STATES)`` [units of :data:`STATE_UNITS`]; advanced in place.
    p
        Parameters, shape ``(n, N_PARAMS)``.
    meal_g
        Carbohydrate announced at each minute [g], shape ``(n, m)``; eaten at 5 g/min.
    bolus_carbs_g
        Carbohydrate counted for a meal bolus at that minute [g] (0 = no bolus), shape ``(n, m)``.
    insulin_u_min
        Prescribed exogenous insulin per minute [U/min], shape ``(n, m)``, added to the therapy
        rule's insulin (used to replay a recorded insulin trace; zeros otherwise).
    therapy
        Per patient therapy and behaviour, shape ``(n, N_THERAPY)`` (columns ``T_*``, built by
        :func:`therapy_row`). Insulin: basal·scale every minute; a bolus of
        ``scale·(carbs/CR + (IG > threshold)·(IG − target)/CF)`` [U] given within the minute
        (IG = noise-free interstitial glucose gs/Vg). **Self-treatment** [A]: a hypoglycaemia
        episode starts when IG falls below ``rescue_below`` and ends when IG is back above it; the
        person notices it with probability ``detect_prob`` at its start and again every
        ``rescue_wait`` minutes while unnoticed (1 = an aware person, who always notices; less =
        impaired awareness: late or no self-treatment); while asleep (minute of day in
        ``[T_SLEEP_START, T_SLEEP_END)``) the probability is ``T_DETECT_PROB_ASLEEP`` instead, and
        a CGM alarm heard and acted on with probability ``T_ALARM_PROB`` per look adds to either:
        ``p = 1 − (1 − p_symptoms)·(1 − p_alarm)`` (docs/methods/sim.md §8). Once noticed,
        ``rescue_g`` of carbohydrate at most every ``rescue_wait`` minutes while IG <
        ``rescue_below``. **Severe event**: ``she_minutes`` consecutive minutes of plasma glucose
        (Gp/Vg) below ``she_below`` while the person has not noticed the episode (no
        self-treatment) is unnoticed neuroglycopenia; it needs third-party help (one severe
        hypoglycaemic event, treated with ``third_party_g`` carbohydrate) with probability
        ``T_SHE_PROB`` (one draw), else the person notices it at last and treats it (late
        self-treatment: ``rescue_g`` at once, then as when noticed). Either way no further draw
        until plasma glucose has recovered above ``she_recovered`` (at most one event per
        episode). ``she_below`` 0 disables it.
    carry
        Per patient bookkeeping, shape ``(n, N_CARRY)`` (columns ``C_*``); updated in place.
    episode_u
        Uniform random numbers in [0, 1) for the detection draws, shape ``(n, k)``, used in turn
        (cyclically) from ``carry[:, C_U_INDEX]``.
    substeps
        RK4 steps per minute (inputs held constant over the minute).
    out_bg, out_ig, out_insulin, out_secretion, out_cpep, out_cho, out_rescue, out_she, out_glucagon
        Per-minute outputs ``(n, m)``: plasma glucose Gp/Vg [mg/dL], interstitial glucose Gs/Vg
        [mg/dL], exogenous insulin [U/min], graft secretion S [pmol/kg/min], plasma C-peptide cp1
        [pmol/L], carbohydrate eaten [g/min], rescue carbohydrate taken or given at that minute
        [g] (self-treatment and third-party treatment), 1 at the minute a severe event is
        treated by a third party (else 0), plasma glucagon H [pg/mL] (0 with the glucagon model
        off); each is the value at the start of the minute except
        insulin and carbohydrate (given during it). Minutes spent with plasma or tissue glucose
        at the model's non-negativity gate (≤ 0) are counted in ``carry[:, C_GATE_MIN]`` so that
        callers can refuse or flag such a run.

    Minute ``j`` is minute ``j mod 1440`` of the day (minute 0 is midnight): the intra-day
    insulin-sensitivity factor and the dawn rise of EGP of docs/methods/sim.md §11.4 are set from
    it before each minute (``si_log_now``, ``dawn_now``; both 0 when the settings are off).
    """
    n = x.shape[0]
    m = meal_g.shape[1]
    n_u = episode_u.shape[1]
    k1 = np.empty(x.shape[1])
    k2 = np.empty(x.shape[1])
    k3 = np.empty(x.shape[1])
    k4 = np.empty(x.shape[1])
    tmp = np.empty(x.shape[1])
    h = 1.0 / substeps
    for i in range(n):
        xi = x[i]
        pi = p[i]
        bw = pi[P_BW]
        basal, scale, cr, cf, target, threshold = (
            therapy[i, T_BASAL],
            therapy[i, T_SCALE],
            therapy[i, T_CR],
            therapy[i, T_CF],
            therapy[i, T_TARGET],
            therapy[i, T_THRESHOLD],
        )
        rescue_g = therapy[i, T_RESCUE_G]
        rescue_below = therapy[i, T_RESCUE_BELOW]
        rescue_wait = therapy[i, T_RESCUE_WAIT]
        detect_prob = therapy[i, T_DETECT_PROB]
        she_below = therapy[i, T_SHE_BELOW]
        she_minutes = therapy[i, T_SHE_MINUTES]
        third_party_g = therapy[i, T_THIRD_PARTY_G]
        she_recovered = therapy[i, T_SHE_RECOVERED]
        detect_asleep = therapy[i, T_DETECT_PROB_ASLEEP]
        sleep_start, sleep_end = therapy[i, T_SLEEP_START], therapy[i, T_SLEEP_END]
        alarm_prob = therapy[i, T_ALARM_PROB]
        she_prob = therapy[i, T_SHE_PROB]
        for j in range(m):
            tod = j % 1440
            pi[P_SI_LOG_NOW] = intraday_si_log(tod, pi[P_SI_LOG_B], pi[P_SI_LOG_L], pi[P_SI_LOG_D])
            pi[P_DAWN_NOW] = dawn_factor(tod, pi[P_DAWN_AMP])
            ig = xi[GS] / pi[P_VG]
            bg = xi[GP] / pi[P_VG]
            out_glucagon[i, j] = xi[HGLU]
            out_bg[i, j] = bg
            out_ig[i, j] = ig
            out_secretion[i, j] = pi[P_GAMMA] * xi[IPO]
            out_cpep[i, j] = xi[CP1]
            out_rescue[i, j] = 0.0
            out_she[i, j] = 0.0
            if xi[GP] <= 0.0 or xi[GT] <= 0.0:
                carry[i, C_GATE_MIN] += 1.0
            # hypoglycaemia episode and whether the person has noticed it [A]
            low = ig < rescue_below
            if not low:
                carry[i, C_EPISODE] = 0.0
                carry[i, C_DETECTED] = 0.0
            elif carry[i, C_EPISODE] == 0.0 or (
                carry[i, C_DETECTED] == 0.0 and carry[i, C_RESCUE_WAIT] <= 0.0
            ):
                if carry[i, C_EPISODE] == 0.0:
                    carry[i, C_EPISODE] = 1.0
                p_sym = detect_asleep if asleep_at(tod, sleep_start, sleep_end) else detect_prob
                p_look = 1.0 - (1.0 - p_sym) * (1.0 - alarm_prob)
                if p_look >= 1.0:
                    carry[i, C_DETECTED] = 1.0
                else:
                    u = episode_u[i, int(carry[i, C_U_INDEX]) % n_u]
                    carry[i, C_U_INDEX] += 1.0
                    if u < p_look:
                        carry[i, C_DETECTED] = 1.0
                    else:  # unnoticed: look again after rescue_wait minutes
                        carry[i, C_RESCUE_WAIT] = rescue_wait
            # rescue carbohydrate (self-treatment of hypoglycaemia) [A]
            if carry[i, C_RESCUE_WAIT] > 0.0:
                carry[i, C_RESCUE_WAIT] -= 1.0
            elif rescue_g > 0.0 and low and carry[i, C_DETECTED] > 0.0:
                carry[i, C_PLANNED] += rescue_g
                carry[i, C_RESCUE_WAIT] = rescue_wait
                carry[i, C_NEURO_MIN] = 0.0
                out_rescue[i, j] += rescue_g
            # severe hypoglycaemia: neuroglycopenia without self-treatment, third party treats [A]
            if bg < she_below and carry[i, C_DETECTED] == 0.0:
                carry[i, C_NEURO_MIN] += 1.0
            else:
                carry[i, C_NEURO_MIN] = 0.0
            if bg >= she_recovered:
                carry[i, C_SHE_LOCK] = 0.0
            if carry[i, C_NEURO_MIN] >= she_minutes and carry[i, C_SHE_LOCK] == 0.0:
                carry[i, C_SHE_LOCK] = 1.0
                carry[i, C_NEURO_MIN] = 0.0
                severe = she_prob >= 1.0
                if not severe and she_prob > 0.0:
                    u = episode_u[i, int(carry[i, C_U_INDEX]) % n_u]
                    carry[i, C_U_INDEX] += 1.0
                    severe = u < she_prob
                if severe:
                    out_she[i, j] = 1.0
                    if third_party_g > 0.0:
                        carry[i, C_PLANNED] += third_party_g
                        out_rescue[i, j] += third_party_g
                else:  # late self-treatment: neuroglycopenia noticed at last [A]
                    carry[i, C_DETECTED] = 1.0
                    if rescue_g > 0.0:
                        carry[i, C_PLANNED] += rescue_g
                        carry[i, C_RESCUE_WAIT] = rescue_wait
                        out_rescue[i, j] += rescue_g
            # announced meal, eaten at EAT_RATE (simglucose T1DPatient._announce_meal)
            carry[i, C_PLANNED] += meal_g[i, j]
            to_eat = 0.0
            if carry[i, C_PLANNED] > 0.0:
                to_eat = min(EAT_RATE_G_PER_MIN, carry[i, C_PLANNED])
                carry[i, C_PLANNED] = max(carry[i, C_PLANNED] - to_eat, 0.0)
            if to_eat > 0.0 and carry[i, C_LAST_CHO] <= 0.0:
                carry[i, C_LAST_QSTO] = xi[QSTO1] + xi[QSTO2]
                carry[i, C_FOOD_TAKEN] = 0.0
                carry[i, C_EATING] = 1.0
            if carry[i, C_EATING] > 0.0:
                carry[i, C_FOOD_TAKEN] += to_eat
            if to_eat <= 0.0 and carry[i, C_LAST_CHO] > 0.0:
                carry[i, C_EATING] = 0.0
            carry[i, C_LAST_CHO] = to_eat
            dbar = carry[i, C_LAST_QSTO] + carry[i, C_FOOD_TAKEN] * 1000.0
            # insulin [U/min]
            units = basal * scale + insulin_u_min[i, j]
            if bolus_carbs_g[i, j] > 0.0 and scale > 0.0:
                correction = (ig - target) / cf if ig > threshold else 0.0
                units += scale * (bolus_carbs_g[i, j] / cr + correction)
            out_insulin[i, j] = units
            out_cho[i, j] = to_eat
            ins = units * 6000.0 / bw  # [pmol/kg/min]
            for _ in range(substeps):
                rk4_step(xi, pi, to_eat, ins, dbar, h, k1, k2, k3, k4, tmp)
