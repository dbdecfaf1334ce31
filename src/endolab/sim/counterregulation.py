"""Counter-regulation of hypoglycaemia in the T1D + graft model: glucagon, insulin action, clock.

The UVA/Padova S2013/S2017 line (docs/methods/sim.md §11), written from the papers:

* **glucagon kinetics, secretion and action** in the structure of Dalla Man C et al., The
  UVA/PADOVA Type 1 Diabetes Simulator: New Features, J Diabetes Sci Technol 2014;8:26,
  doi:10.1177/1932296813514502 (PMC4454102): one plasma compartment ``H' = −n·H + SRsH + SRdH``;
  a static secretion that relaxes at rate ρ to basal plus ``σ·(Gth − G)`` below a threshold; a
  dynamic secretion ``δ·max(−dG/dt, 0)``; glucagon raising endogenous glucose production through
  a delayed action ``XH' = −kH·XH + kH·max(H − Hb, 0)``, ``EGP += ξ·XH``. The T1D host secretes
  a fraction ``host_response_fraction`` of the normal response (Gerich J et al., Science
  1973;182:171, doi:10.1126/science.182.4108.171: plasma glucagon did not rise in six
  juvenile-onset diabetics during severe insulin-induced hypoglycaemia); a graft's α-cells add
  ``F × graft_alpha_response`` of it [A];
* the **increase of insulin action in hypoglycaemia** (S2013): ``Vmx·(1 + r1·risk(G))`` with
  ``risk = 10·f(G)²``, ``f(G) = ln(G)^r2 − ln(Gb)^r2`` between 60 mg/dL and the basal glucose Gb,
  ``f(60)`` below it, 0 above Gb;
* **intra-day insulin sensitivity and the dawn rise** (S2017: Visentin R et al., The UVA/Padova
  Type 1 Diabetes Simulator Goes From Single Meal to Single Day, J Diabetes Sci Technol
  2018;12:273, doi:10.1177/1932296818757747): per-person sensitivity factors in three periods of
  the day and a rise of basal EGP in the early morning (their values here are assumptions [A]).

Every component has a switch; with all of them off every added term is exactly 0 and the model is
the one simglucose is compared with (validation/simglucose_compare.py). In-silico results are
never clinical evidence.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from endolab.errors import InputError
from endolab.sim.model import (
    GP,
    HGLU,
    P_DAWN_AMP,
    P_GL_DELTA,
    P_GL_GRAFT,
    P_GL_GTH,
    P_GL_HB,
    P_GL_HOST,
    P_GL_KH,
    P_GL_N,
    P_GL_RHO,
    P_GL_SIGMA,
    P_GL_XI,
    P_RISK_GB,
    P_RISK_GTH,
    P_RISK_R1,
    P_RISK_R2,
    P_SI_LOG_B,
    P_SI_LOG_D,
    P_SI_LOG_L,
    P_VG,
    SRSH,
    XH,
)

__all__ = [
    "CounterregulationSettings",
    "apply_counterregulation",
    "glucagon_elimination_rate_laurenti_2016",
    "glucagon_secretion_gain_gerich_1974",
    "hypoglycaemia_risk_dalla_man_2014",
]

FloatArray = NDArray[np.float64]

#: Bounds of an intra-day insulin-sensitivity factor [1] [A] (as the day-to-day factor's).
INTRADAY_SI_BOUNDS = (0.5, 2.0)


def glucagon_elimination_rate_laurenti_2016(half_life_min: float = 4.0) -> float:
    """Elimination rate constant n [1/min] of plasma glucagon from its half-life [min].

    Laurenti MC et al., Assessment of individual and standardized glucagon kinetics in healthy
    humans, Am J Physiol Endocrinol Metab, issue 1, E71–E77 [U: year and DOI not read; the
    abstract was read]: a single exponential fitted the glucagon infusion data of
    51 nondiabetic adults, t½ = 4 ± 1.1 min [V: abstract]. ``n = ln 2 / t½``.

    >>> round(glucagon_elimination_rate_laurenti_2016(4.0), 4)
    0.1733
    """
    if not (math.isfinite(half_life_min) and half_life_min > 0):
        raise InputError(f"glucagon half-life must be > 0 min, got {half_life_min}", field="n")
    return math.log(2.0) / half_life_min


def glucagon_secretion_gain_gerich_1974(
    rise_pg_ml: float = 328.0,
    nadir_mg_dl: float = 40.0,
    threshold_mg_dl: float = 68.0,
    half_life_min: float = 4.0,
) -> float:
    """Static glucagon secretion gain σ [pg/mL/min per mg/dL] of a normal α-cell response.

    At steady state of the static component, ``H − Hb = σ·(Gth − G)/n``, so
    ``σ = ΔH · n / (Gth − G)``. ΔH: plasma glucagon rose from 143 ± 6.5 to 471 ± 15 pg/mL
    (+328 pg/mL) during insulin-induced hypoglycaemia in 15 normal subjects (Gerich JE et al.,
    Characterization of the glucagon response to hypoglycemia in man, J Clin Endocrinol Metab
    1974 [U: journal and year recalled; abstract read]); the nadir of that test is not in the
    abstract: 40 mg/dL [A]; Gth 68 mg/dL (Mitrakou 1991); n from
    :func:`glucagon_elimination_rate_laurenti_2016`.

    >>> round(glucagon_secretion_gain_gerich_1974(), 2)
    2.03
    """
    n = glucagon_elimination_rate_laurenti_2016(half_life_min)
    return rise_pg_ml * n / (threshold_mg_dl - nadir_mg_dl)


def hypoglycaemia_risk_dalla_man_2014(
    glucose_mg_dl: Any, basal_mg_dl: float, r2: float = 0.8124, threshold_mg_dl: float = 60.0
) -> Any:
    """S2013 risk function [1] that raises insulin action below the basal glucose.

    Dalla Man et al., J Diabetes Sci Technol 2014;8:26, doi:10.1177/1932296813514502:
    ``risk = 10·f(G)²`` with ``f(G) = ln(G)^r2 − ln(Gb)^r2`` for ``Gth ≤ G < Gb``, ``f(Gth)``
    below Gth (60 mg/dL) and 0 at or above Gb; insulin-dependent utilisation becomes
    ``[Vm0 + Vmx·(1 + r1·risk)·X]·Gt/(Km0 + Gt)``. Glucose [mg/dL].

    Hand check at G = 60, Gb = 120, r2 = 0.8124: ln 60 = 4.0943, ln 120 = 4.7875;
    4.0943^0.8124 = 3.1430, 4.7875^0.8124 = 3.5687; f = −0.4258; risk = 10·0.1813 = 1.813.

    >>> round(float(hypoglycaemia_risk_dalla_man_2014(60.0, 120.0)), 3)
    1.813
    >>> float(hypoglycaemia_risk_dalla_man_2014(130.0, 120.0))
    0.0
    """
    g = np.minimum(np.maximum(np.asarray(glucose_mg_dl, dtype=np.float64), threshold_mg_dl),
                   basal_mg_dl)  # fmt: skip
    f = np.log(g) ** r2 - np.log(basal_mg_dl) ** r2
    return 10.0 * f * f


@dataclass(frozen=True)
class CounterregulationSettings:
    """Counter-regulation of hypoglycaemia and the clock of insulin sensitivity (all switchable).

    Attributes
    ----------
    glucagon_model
        ``"dallaman2014"`` (default): glucagon kinetics, secretion and action on EGP
        (docs/methods/sim.md §11);
        ``"off"``: no glucagon state acts.
    glucagon_basal_pg_ml
        Basal plasma glucagon Hb [pg/mL]: 100 [A] (fasting glucagon 108 pg/mL in juvenile-type
        diabetics, Unger 1970, J Clin Invest, radioimmunoassay of its time [U]); only the trace's
        level depends on it, not the glucose (action acts on H − Hb).
    glucagon_half_life_min
        Plasma half-life [min]: 4 (Laurenti, :func:`glucagon_elimination_rate_laurenti_2016`).
    glucagon_threshold_mg_dl
        Glucose below which glucagon secretion rises [mg/dL]: 68 ± 1 (Mitrakou A et al., Am J
        Physiol 1991;260:E67, doi:10.1152/ajpendo.1991.260.1.E67).
    secretion_gain
        σ [pg/mL/min per mg/dL] of a normal response: 2.03 (:func:`glucagon_secretion_gain_gerich_1974`,
        derived with an assumed nadir [A]).
    secretion_rate_per_min
        ρ [1/min], how fast the static secretion follows glucose: 0.1 [A] (responses evident
        15 min after insulin, Gerich 1974 [U]).
    dynamic_gain
        δ [pg/mL per mg/dL] of the rate-of-fall component, below the threshold: 3.0 [A].
    action_rate_per_min
        kH [1/min] of the delayed action on EGP: 0.1 [A].
    action_gain
        ξ [mg/kg/min per pg/mL]: 0.01 [A] (order of magnitude: about +2 mg/kg/min of EGP at
        about +200 pg/mL of glucagon in glucagon-infusion studies [U]).
    host_response_fraction
        Fraction of the normal secretion response left in the T1D host [1]: 0.1 [A] (Gerich 1973,
        doi:10.1126/science.182.4108.171: no rise in six juvenile-onset diabetics; lost within
        years of onset, Bolli 1983 [U]).
    graft_alpha_response
        Normal responses per unit of functional graft fraction F [1]: 1.0 [A] (a graft of F = 1
        restores a normal α-cell response). The direct ``[graft] glucagon_gain`` term is kept
        beside it [A]: with the compartment alone, at these assumed σ and ξ, a graft alone
        (no insulin, no rescue) took 10 of 40 published adult × F runs below 45 mg/dL in 20
        days (docs/methods/sim.md §11.5).
    hypo_insulin_action
        ``"dallaman2014"`` (default): insulin action rises in hypoglycaemia
        (docs/methods/sim.md §11); ``"off"``.
    risk_r1, risk_r2
        S2013 risk-function parameters [1]: 1.4407 and 0.8124 [U: S2013 adult values as
        recalled; cross-checked against a public implementation of the published model].
    risk_threshold_mg_dl
        Gth of the risk function [mg/dL]: 60 (Dalla Man 2014).
    intraday_si_cv
        Between-period CV of a person's insulin sensitivity in three periods of the day
        (breakfast 04–11 h, lunch 11–17 h, dinner/night 17–04 h) [1]: 0.2 [A] (S2017 models a
        person-specific daily SI pattern, Visentin 2018; the T1D pattern is individual,
        Hinshaw 2013, doi:10.2337/db12-1759 [U]); 0 = off.
    dawn_egp_rise
        Peak relative rise of basal EGP (kp1) at 06:00, raised cosine 03:00–09:00 [1]: 0.1 [A]
        (S2017 includes a dawn phenomenon, Visentin 2018; its size here is assumed); 0 = off.
    """

    glucagon_model: Literal["dallaman2014", "off"] = "dallaman2014"
    glucagon_basal_pg_ml: float = 100.0
    glucagon_half_life_min: float = 4.0
    glucagon_threshold_mg_dl: float = 68.0
    secretion_gain: float = 2.03
    secretion_rate_per_min: float = 0.1
    dynamic_gain: float = 3.0
    action_rate_per_min: float = 0.1
    action_gain: float = 0.01
    host_response_fraction: float = 0.1
    graft_alpha_response: float = 1.0
    hypo_insulin_action: Literal["dallaman2014", "off"] = "dallaman2014"
    risk_r1: float = 1.4407
    risk_r2: float = 0.8124
    risk_threshold_mg_dl: float = 60.0
    intraday_si_cv: float = 0.2
    dawn_egp_rise: float = 0.1

    def __post_init__(self) -> None:
        for name in ("glucagon_model", "hypo_insulin_action"):
            if getattr(self, name) not in ("dallaman2014", "off"):
                raise InputError(
                    f"counterregulation {name} must be 'dallaman2014' or 'off', got "
                    f"{getattr(self, name)!r}",
                    field=name,
                )
        for name in ("glucagon_half_life_min", "glucagon_threshold_mg_dl", "risk_threshold_mg_dl"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise InputError(f"counterregulation {name} must be > 0, got {value}", field=name)
        for name in (
            "glucagon_basal_pg_ml",
            "secretion_gain",
            "secretion_rate_per_min",
            "dynamic_gain",
            "action_rate_per_min",
            "action_gain",
            "host_response_fraction",
            "graft_alpha_response",
            "risk_r1",
            "risk_r2",
            "intraday_si_cv",
            "dawn_egp_rise",
        ):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise InputError(f"counterregulation {name} must be ≥ 0, got {value}", field=name)
        if self.intraday_si_cv > 2 or self.dawn_egp_rise > 1:
            raise InputError(
                "counterregulation intraday_si_cv must be ≤ 2 and dawn_egp_rise ≤ 1",
                field="counterregulation",
            )

    @classmethod
    def off(cls) -> CounterregulationSettings:
        """Every component off: the model without counter-regulation (simglucose's)."""
        return cls(
            glucagon_model="off", hypo_insulin_action="off", intraday_si_cv=0.0, dawn_egp_rise=0.0
        )

    def as_dict(self) -> dict[str, Any]:
        """The settings as a plain dict (for the manifest)."""
        return asdict(self)


def apply_counterregulation(
    p: FloatArray,
    x: FloatArray,
    settings: CounterregulationSettings | None = None,
    rng: np.random.Generator | None = None,
) -> None:
    """Write the counter-regulation parameters into ``p`` and its basal states into ``x``, in place.

    ``p`` (n, N_PARAMS) and ``x`` (n, N_STATES) hold the people in their basal steady state (the
    risk function's Gb is each person's basal plasma glucose ``Gp/Vg`` of ``x``; the glucagon states
    start at basal: H = Hb, SRsH = n·Hb, XH = 0). The intra-day sensitivity factors are drawn from
    ``rng`` (median-1 log-normal with ``intraday_si_cv``, clipped to :data:`INTRADAY_SI_BOUNDS`,
    three per person) only when that CV is > 0, so that with it off no random number is used.
    """
    s = settings or CounterregulationSettings()
    n_people = p.shape[0]
    if s.glucagon_model == "dallaman2014":
        n = glucagon_elimination_rate_laurenti_2016(s.glucagon_half_life_min)
        p[:, P_GL_N] = n
        p[:, P_GL_HB] = s.glucagon_basal_pg_ml
        p[:, P_GL_SIGMA] = s.secretion_gain
        p[:, P_GL_RHO] = s.secretion_rate_per_min
        p[:, P_GL_DELTA] = s.dynamic_gain
        p[:, P_GL_GTH] = s.glucagon_threshold_mg_dl
        p[:, P_GL_KH] = s.action_rate_per_min
        p[:, P_GL_XI] = s.action_gain
        p[:, P_GL_HOST] = s.host_response_fraction
        p[:, P_GL_GRAFT] = s.graft_alpha_response
        x[:, HGLU] = s.glucagon_basal_pg_ml
        x[:, SRSH] = n * s.glucagon_basal_pg_ml
        x[:, XH] = 0.0
    if s.hypo_insulin_action == "dallaman2014":
        p[:, P_RISK_R1] = s.risk_r1
        p[:, P_RISK_R2] = s.risk_r2
        p[:, P_RISK_GB] = x[:, GP] / p[:, P_VG]
        p[:, P_RISK_GTH] = s.risk_threshold_mg_dl
    if s.intraday_si_cv > 0 and rng is not None:
        sigma = math.sqrt(math.log1p(s.intraday_si_cv**2))
        logs = np.clip(sigma * rng.standard_normal((n_people, 3)), *np.log(INTRADAY_SI_BOUNDS))
        p[:, P_SI_LOG_B], p[:, P_SI_LOG_L], p[:, P_SI_LOG_D] = logs[:, 0], logs[:, 1], logs[:, 2]
    p[:, P_DAWN_AMP] = s.dawn_egp_rise
