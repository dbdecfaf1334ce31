"""Intraportal β-cell graft: dose → functional fraction F(t), secretion and C-peptide parameters.

Every factor of the chain cells → islet equivalents → fraction of a healthy β-cell mass → F(t) is
a documented assumption ([A]) or a recalled figure ([U]) of docs/methods/sim.md §4 and §6; none is
clinical evidence. In-silico results are never clinical evidence.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from endolab._naming import deprecated_alias
from endolab.errors import InputError

__all__ = [
    "DALLA_MAN_2007_NORMAL",
    "GLUCAGON_GAIN",
    "GLUCAGON_THRESHOLD_MG_DL",
    "GraftSettings",
    "basal_secretion_dalla_man_2007",
    "bsa_dubois_1916",
    "draw_graft_fraction",
    "engraftment_logistic",
    "graft_fraction_curve",
    "host_insulin_rebaseline_factor",
    "islet_equivalents_pisania_2010",
    "mean_graft_fraction",
    "van_cauter_1992",
]

FloatArray = NDArray[np.float64]

#: Dalla Man 2007 normal-subject values (Table I, as encoded in BioModels BIOMD0000000379 [V];
#: docs/methods/sim.md §3). K [pmol/kg per mg/dL], alpha [1/min], beta [pmol/kg/min per mg/dL],
#: gamma [1/min], kp4 [mg/kg/min per pmol/kg], and the insulin kinetics used to derive Sb.
DALLA_MAN_2007_NORMAL: dict[str, float] = {
    "K": 2.30,
    "alpha": 0.050,
    "beta": 0.11,
    "gamma": 0.5,
    "kp4": 0.0618,
    "Gb": 95.0,  # [mg/dL] (SBML value; paper ~91–95)
    "Ib": 25.0,  # [pmol/L]
    "BW": 78.0,  # [kg]
    "VG": 1.88,  # [dL/kg]
    "VI": 0.05,  # [L/kg]
    "k1": 0.065,
    "k2": 0.079,
    "m1": 0.190,
    "m2": 0.484,
    "m4": 0.194,
    "m5": 0.0304,  # [min·kg/pmol]
    "HEb": 0.6,
    "kmax": 0.0558,
    "kmin": 0.0080,
    "kabs": 0.057,
    "f": 0.90,
    "b": 0.82,
    "d": 0.010,
    "kp1": 2.70,
    "kp2": 0.0021,
    "kp3": 0.009,
    "ki": 0.0079,
    "Fcns": 1.0,
    "Vmx": 0.047,
    "Km0": 225.59,
    "p2U": 0.0331,
    "ke1": 0.0005,
    "ke2": 339.0,
}


#: Graft α-cell counter-regulation [A]: extra endogenous glucose production per mg/dL of plasma
#: glucose below the threshold, at F = 1 [mg/kg/min per mg/dL]. Chosen [A] so that a graft alone
#: (no exogenous insulin, no rescue) keeps every published adult above 45 mg/dL at F up to 1.5;
#: no paper gives it (tests/sim/test_graft.py).
GLUCAGON_GAIN = 0.2
#: Plasma glucose below which glucagon secretion rises [mg/dL]: 68 ± 1 in healthy volunteers
#: (Mitrakou A et al. Am J Physiol 1991;260:E67, doi:10.1152/ajpendo.1991.260.1.E67) [V].
GLUCAGON_THRESHOLD_MG_DL = 68.0


def basal_secretion_dalla_man_2007(
    Ib: float = 25.0,
    VI: float = 0.05,
    m1: float = 0.190,
    m2: float = 0.484,
    m4: float = 0.194,
    HEb: float = 0.6,
) -> float:
    """Basal secretion Sb [pmol/kg/min] consistent with the insulin steady state.

    Dalla Man et al., IEEE Trans Biomed Eng 2007;54:1740, doi:10.1109/TBME.2007.893506, insulin
    kinetics at steady state (docs/methods/sim.md §3, derived [D]): ``Ipb = Ib·VI``,
    ``Ilb = (m2 + m4)·Ipb/m1``, ``m3b = HEb·m1/(1 − HEb)``, ``Sb = (m1 + m3b)·Ilb − m2·Ipb``.

    Parameters: Ib [pmol/L], VI [L/kg], m1, m2, m4 [1/min], HEb [1].

    >>> round(basal_secretion_dalla_man_2007(), 3)
    1.514
    """
    ipb = Ib * VI
    ilb = (m2 + m4) * ipb / m1
    m3b = HEb * m1 / (1.0 - HEb)
    return (m1 + m3b) * ilb - m2 * ipb


def host_insulin_rebaseline_factor(
    Ib: Any, VI: Any, m1: Any, m2: Any, m4: Any, m30: Any, sb_normal: float | None = None
) -> Any:
    """Re-baselining factor rho [1]: the host's basal secretion over Dalla Man's normal one [A].

    The T1D parameter sets act relative to their own basal insulin Ib (≈ 100 pmol/L in the
    published adults) while Dalla Man 2007's normal subject secretes to Ib = 25 pmol/L
    (docs/methods/sim.md §4.1). The secretion a host would need to hold its own Ib by an
    intraportal graft (no exogenous insulin) follows from the T1D model's insulin kinetics at
    steady state (Dalla Man et al., IEEE Trans Biomed Eng 2007;54:1740,
    doi:10.1109/TBME.2007.893506; derived [D]): ``Ipb = Ib·VI``, ``Ilb = (m2 + m4)·Ipb/m1``,
    ``Sb_host = (m1 + m30)·Ilb − m2·Ipb``; ``rho = Sb_host / Sb_normal`` with ``Sb_normal`` from
    :func:`basal_secretion_dalla_man_2007` (1.514 pmol/kg/min). Graft insulin enters the host's
    liver compartment as ``rho·S``, so a graft of F = 1 at its threshold glucose gives the host
    exactly its own basal insulin, while C-peptide follows the physiological S [A].

    Parameters (scalars or arrays): Ib [pmol/L], VI [L/kg], m1, m2, m4, m30 [1/min].

    >>> round(float(host_insulin_rebaseline_factor(25.0, 0.05, 0.190, 0.484, 0.194, 0.285)), 3)
    1.0
    """
    sbn = basal_secretion_dalla_man_2007() if sb_normal is None else sb_normal
    ipb = np.asarray(Ib, dtype=np.float64) * np.asarray(VI, dtype=np.float64)
    ilb = (np.asarray(m2) + np.asarray(m4)) * ipb / np.asarray(m1)
    return ((np.asarray(m1) + np.asarray(m30)) * ilb - np.asarray(m2) * ipb) / sbn


def bsa_dubois_1916(weight_kg: float, height_cm: float) -> float:
    """Body surface area [m²] from weight [kg] and height [cm].

    Du Bois D, Du Bois EF. Arch Intern Med 1916;17:863, doi:10.1001/archinte.1916.00080130010002:
    ``BSA = 0.007184 · W^0.425 · H^0.725``.

    >>> round(bsa_dubois_1916(78, 178), 3)
    1.959
    """
    return float(0.007184 * weight_kg**0.425 * height_cm**0.725)


def van_cauter_1992(
    age_years: float,
    weight_kg: float,
    height_cm: float,
    sex: Literal["F", "M"],
    body_class: Literal["normal", "obese", "niddm"] = "normal",
) -> dict[str, float]:
    """Two-compartment C-peptide kinetic parameters from Van Cauter's population regression.

    Van Cauter E, Mestrez F, Sturis J, Polonsky KS. Estimation of insulin secretion rates from
    C-peptide levels. Diabetes 1992;41:368, doi:10.2337/diab.41.3.368 (docs/methods/sim.md §5):
    short half-life 4.95 / 4.55 / 4.52 min and fraction 0.76 / 0.78 / 0.78 (normal / obese / NIDDM);
    long half-life ``0.14·age + 29.16`` [min]; volume ``1.92·BSA + 0.64`` [L] (men) or
    ``1.11·BSA + 2.04`` (women); ``a = ln2/t½s``, ``b = ln2/t½l``, ``k1 = F·b + (1 − F)·a``,
    ``k2 = a·b/k1``, ``k3 = a + b − k1 − k2``.

    Returns ``{"k1", "k2", "k3"}`` [1/min] and ``"vd"`` [L].

    >>> p = van_cauter_1992(45, 78, 178, "M")
    >>> round(p["vd"], 2), round(p["k1"], 4), round(p["k2"], 4), round(p["k3"], 4)
    (4.4, 0.0485, 0.0565, 0.0546)
    """
    short, fraction = {
        "normal": (4.95, 0.76),
        "obese": (4.55, 0.78),
        "niddm": (4.52, 0.78),
    }[body_class]
    long_half = 0.14 * age_years + 29.16
    bsa = bsa_dubois_1916(weight_kg, height_cm)
    vd = 1.92 * bsa + 0.64 if sex == "M" else 1.11 * bsa + 2.04
    a = math.log(2) / short
    b = math.log(2) / long_half
    k1 = fraction * b + (1 - fraction) * a
    k2 = a * b / k1
    k3 = a + b - k1 - k2
    return {"k1": k1, "k2": k2, "k3": k3, "vd": vd}


def islet_equivalents_pisania_2010(cells: float) -> float:
    """Islet equivalents [IEQ] from a cell count [cells]: 1 IEQ ≈ 1,560 cells.

    Pisania A et al., Lab Invest 2010;90:1661, doi:10.1038/labinvest.2010.124 (1,560 ± 20 cells per
    IEQ in clinical human islet preparations [V]). SC-islet composition differs from cadaveric
    islets: an order-of-magnitude equivalence only [A].

    >>> round(islet_equivalents_pisania_2010(8e8))
    512821
    """
    return cells / 1560.0


@dataclass(frozen=True)
class GraftSettings:
    """The graft model's assumptions, each with its provenance (all configurable).

    Attributes
    ----------
    healthy_ieq
        Islet equivalents of a healthy adult pancreas [IEQ]: 1.0e6 — the usual "about a million
        islets" figure [U]; F = 1 means a healthy β-cell mass.
    engraftment_survival
        Fraction of infused IEQ that survive engraftment [1]: 0.5 — early intraportal loss
        (IBMIR) is often quoted at 50–60 % [U].
    potency
        Functional potency of a surviving SC-islet IEQ relative to a native islet [1]: 1.33 [A],
        **fitted to published C-peptide only** (``validation/cpeptide_calibration.py``: median
        fasting and MMTT-peak C-peptide of the full-dose cohorts B+C at day 365, seeds 1–2,
        against the CITR cut points of good graft function, Baidal 2023, doi:10.2337/dc22-1155;
        the search's best 1.328, rounded to two decimals), with the graft's insulin re-baselined
        to the host (``insulin_baseline``; docs/methods/sim.md §4.1). Re-fitted 2026-12-07 on the
        model with counter-regulation (docs/methods/sim.md §11) and the sourced titration rule
        (docs/methods/sim.md §9); the previous 1.05 was fitted before them. No trial endpoint
        enters the fit. (The former 4.75 was calibrated to insulin independence.)
    cv
        Between-participant coefficient of variation of the plateau F (log-normal) [1]: 0.35 [A]
        — engraftment is weakly predicted by dose (Hirsch 2012, doi:10.1111/j.1600-6143.2011.03947.x).
    max_fraction
        Upper bound of a drawn plateau F [1]: 1.5 [A].
    t50_days, slope_days
        Logistic maturation ``E(t) = 1/(1 + exp(−(t − t50)/s))`` [days]: 90 and 20 [A] (SC-islet
        function clinically meaningful at day 90, insulin stopped at/after day 180 in most
        zimislecel recipients, docs/methods/sim.md §6). Not fitted: the simulated C-peptide at
        days 90/180/365 is checked against zimislecel's MMTT peaks, known here only from a
        secondary source [U] (``validation/cpeptide_calibration.py``).
    loss_rate_per_year
        Graft-loss hazard [1/year]: F is multiplied by ``exp(−rate·t)``; 0 (no loss) by default [A].
    hepatic_extraction
        ``"constant"`` (the T1D model's m30, default) or ``"dallaman2007"`` (HE = m6 − m5·S, falls
        with secretion; docs/methods/sim.md §4).
    kp4
        Portal-insulin suppression of EGP [mg/kg/min per pmol/kg]: 0 by default, 0.0618
        (Dalla Man 2007) as an option (docs/methods/sim.md §4).
    h
        Secretion threshold glucose [mg/dL]: 95 (Dalla Man 2007 normal Gb; docs/methods/sim.md §4) [A].
    insulin_baseline
        ``"host"`` (default): graft insulin enters the host's insulin compartments re-baselined to
        the host's units, ``rho·S`` with :func:`host_insulin_rebaseline_factor` (docs/methods/sim.md
        §4.1) [A]; ``"dallaman2007"``: not re-baselined (``rho = 1``, the former model, in which
        the T1D sets' Ib ≈ 100 pmol/L made a physiologically sized graft look insulin-deficient).
    glucagon_gain, glucagon_threshold_mg_dl
        Graft α-cells [A]: endogenous glucose production rises by ``F·gain·(threshold − G)``
        [mg/kg/min] below the threshold (68 mg/dL, Mitrakou 1991); gain 0.2 mg/kg/min per mg/dL
        at F = 1 (:data:`GLUCAGON_GAIN`). 0 switches the graft's counter-regulation off.
    """

    healthy_ieq: float = 1.0e6
    engraftment_survival: float = 0.5
    potency: float = 1.33
    cv: float = 0.35
    max_fraction: float = 1.5
    t50_days: float = 90.0
    slope_days: float = 20.0
    loss_rate_per_year: float = 0.0
    hepatic_extraction: Literal["constant", "dallaman2007"] = "constant"
    kp4: float = 0.0
    h: float = 95.0
    glucagon_gain: float = GLUCAGON_GAIN
    glucagon_threshold_mg_dl: float = GLUCAGON_THRESHOLD_MG_DL
    insulin_baseline: Literal["host", "dallaman2007"] = "host"

    def __post_init__(self) -> None:
        for name in (
            "healthy_ieq",
            "engraftment_survival",
            "potency",
            "max_fraction",
            "t50_days",
            "slope_days",
        ):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise InputError(f"graft setting {name} must be > 0, got {value}", field=name)
        for name in (
            "cv",
            "loss_rate_per_year",
            "kp4",
            "glucagon_gain",
            "glucagon_threshold_mg_dl",
        ):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise InputError(f"graft setting {name} must be ≥ 0, got {value}", field=name)
        if self.insulin_baseline not in ("host", "dallaman2007"):
            raise InputError(
                f"insulin_baseline must be 'host' or 'dallaman2007', got {self.insulin_baseline!r}",
                field="insulin_baseline",
            )
        if self.hepatic_extraction not in ("constant", "dallaman2007"):
            raise InputError(
                f"hepatic_extraction must be 'constant' or 'dallaman2007', got "
                f"{self.hepatic_extraction!r}",
                field="hepatic_extraction",
            )

    def as_dict(self) -> dict[str, Any]:
        """The settings as a plain dict (for the manifest)."""
        return asdict(self)


def mean_graft_fraction(dose_cells: float, settings: GraftSettings | None = None) -> float:
    """Dose-implied mean plateau functional fraction F [1] of a healthy β-cell mass.

    ``F = min(max_fraction, IEQ(dose) · survival · potency / healthy_ieq)`` with
    :func:`islet_equivalents_pisania_2010`; every factor is an assumption (:class:`GraftSettings`).

    >>> round(mean_graft_fraction(8e8), 3)  # 8e8/1560 × 0.5 × 1.33 / 1e6
    0.341
    """
    s = settings or GraftSettings()
    if not (math.isfinite(dose_cells) and dose_cells >= 0):
        raise InputError(f"dose must be ≥ 0 cells, got {dose_cells}", field="dose_cells")
    ieq = islet_equivalents_pisania_2010(dose_cells)
    return min(s.max_fraction, ieq * s.engraftment_survival * s.potency / s.healthy_ieq)


def draw_graft_fraction(
    rng: np.random.Generator, mean: FloatArray, settings: GraftSettings | None = None
) -> FloatArray:
    """Per-participant plateau F [1]: log-normal with the given means and ``settings.cv`` [A].

    Drawn from ``rng`` (one standard normal per participant, so a larger dose with the same seed
    never gives a smaller F); capped at ``max_fraction``; a mean of 0 gives exactly 0.
    """
    s = settings or GraftSettings()
    sigma = math.sqrt(math.log1p(s.cv**2))
    z = rng.standard_normal(mean.shape[0])
    f = mean * np.exp(sigma * z - 0.5 * sigma**2)
    return np.asarray(np.minimum(f, s.max_fraction), dtype=np.float64)


def engraftment_logistic(t_days: FloatArray, t50_days: float, slope_days: float) -> FloatArray:
    """Maturation curve ``E(t) = 1/(1 + exp(−(t − t50)/s))`` [1] for t ≥ 0 days, 0 before day 0 [A].

    >>> engraftment_logistic(np.array([-1.0, 90.0]), 90.0, 20.0).tolist()
    [0.0, 0.5]
    """
    t = np.asarray(t_days, dtype=np.float64)
    e = 1.0 / (1.0 + np.exp(-(t - t50_days) / slope_days))
    return np.where(t >= 0, e, 0.0)


def graft_fraction_curve(
    plateau: FloatArray, t_days: float, settings: GraftSettings | None = None
) -> FloatArray:
    """Functional graft fraction F(t) [1] of each participant on study day ``t_days``.

    ``F(t) = plateau · E(t) · exp(−loss_rate·t/365.25)``; 0 before day 0.
    """
    s = settings or GraftSettings()
    e = float(engraftment_logistic(np.array([t_days]), s.t50_days, s.slope_days)[0])
    loss = math.exp(-s.loss_rate_per_year * max(t_days, 0.0) / 365.25)
    return np.asarray(plateau, dtype=np.float64) * e * loss


# former name (before the naming rule of docs/methods/index.md §4), kept as a deprecated alias
basal_secretion_dallaman2007 = deprecated_alias(
    basal_secretion_dalla_man_2007, "basal_secretion_dallaman2007"
)
