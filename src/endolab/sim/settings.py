"""Every simulation setting in one place: print it as TOML, read overrides from a TOML file.

``endolab sim settings`` prints :func:`settings_toml` of the defaults; ``--settings FILE.toml`` on
``trial simulate``, ``trial demo``, ``sim dose-response`` and ``sim patient`` reads
:func:`load_settings`: any field of any section may be given, the rest keep their defaults. The
trial manifest (``simulation.json``) records the effective settings. Every default is an assumption
[A] unless its docstring (the settings classes) names a source.

>>> s = load_settings_text("[titration]\\nreduce_by = 0.15\\n")
>>> s.therapy.reduce_by, s.therapy.increase_by
(0.15, 0.1)
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from endolab.errors import InputError
from endolab.sim.counterregulation import CounterregulationSettings
from endolab.sim.graft import GraftSettings
from endolab.sim.population import (
    BehaviourSettings,
    PopulationSettings,
    ScreeningSettings,
    SheModel,
)
from endolab.sim.runner import TherapySettings

__all__ = [
    "SECTIONS",
    "SimSettings",
    "load_settings",
    "load_settings_text",
    "settings_toml",
]

#: Fields of :class:`~endolab.sim.runner.TherapySettings` shown in the ``[titration]`` section.
TITRATION_FIELDS: tuple[str, ...] = (
    "titration_interval_days",
    "titration_window_days",
    "fasting_above_mg_dl",
    "fasting_high_per_week",
    "postprandial_minutes",
    "postprandial_above_mg_dl",
    "postprandial_high_per_week",
    "tar_above_mg_dl",
    "tar_max_pct",
    "criteria_to_act",
    "hypo_below_mg_dl",
    "hypo_margin_pct",
    "wean_below_run_in_mg_dl",
    "reduce_by",
    "increase_by",
    "stop_below_scale",
    "restart_scale",
    "max_scale",
)

#: Section → (settings attribute of :class:`SimSettings`, one-line description).
SECTIONS: dict[str, tuple[str, str]] = {
    "graft": ("graft", "dose → functional graft fraction, secretion and α-cell counter-regulation"),
    "therapy": ("therapy", "basal–bolus therapy and hypoglycaemia self-treatment"),
    "titration": ("therapy", "insulin titration on glycaemic criteria only (no C-peptide)"),
    "population": ("population", "where virtual participants come from"),
    "behaviour": ("behaviour", "how virtual people manage their diabetes; awareness"),
    "screening": ("screening", "the protocol's eligibility, applied to simulated candidates"),
    "she": ("she", "severe hypoglycaemic event model"),
    "counterregulation": (
        "counterregulation",
        "glucagon, insulin action in hypoglycaemia, intra-day sensitivity, dawn (docs/methods/sim.md §11)",
    ),
}

#: Unit and provenance of each field, as the TOML comment: ``section.field`` → text.
FIELD_NOTES: dict[str, str] = {
    "graft.healthy_ieq": "[IEQ] islets of a healthy pancreas [U]",
    "graft.engraftment_survival": "[1] surviving fraction after infusion [U]",
    "graft.potency": "[1] SC-islet IEQ vs a native islet [A, fitted to C-peptide only: day-365 "
    "CITR cut points, B+C seeds 1-2, with counter-regulation and the titration rule, 2026-12-07; "
    "validation/cpeptide_calibration.md]",
    "graft.cv": "[1] between-participant CV of the plateau F [A]",
    "graft.max_fraction": "[1] upper bound of a drawn plateau F [A]",
    "graft.t50_days": "[days] logistic maturation midpoint [A], not fitted (validation/cpeptide_calibration.md)",
    "graft.slope_days": "[days] logistic maturation slope [A], not fitted (validation/cpeptide_calibration.md)",
    "graft.loss_rate_per_year": "[1/year] graft-loss hazard [A]",
    "graft.hepatic_extraction": "constant (m30) or dallaman2007 (HE = m6 − m5·S)",
    "graft.kp4": "[mg/kg/min per pmol/kg] portal-insulin EGP term; 0.0618 Dalla Man 2007",
    "graft.h": "[mg/dL] secretion threshold glucose (Dalla Man 2007 Gb) [A]",
    "graft.glucagon_gain": "[mg/kg/min per mg/dL] direct α-cell EGP term at F = 1, beside [counterregulation] glucagon [A]",
    "graft.glucagon_threshold_mg_dl": "[mg/dL] glucagon threshold, Mitrakou 1991",
    "graft.insulin_baseline": "host (graft insulin × rho, the host's units) or dallaman2007 (rho = 1)",
    "therapy.correction_target": "[mg/dL] correction-bolus target (simglucose BBController)",
    "therapy.correction_threshold": "[mg/dL] correction only above this (simglucose)",
    "therapy.carb_count_cv": "[1] counting CV, published population only [A]",
    "therapy.rescue_carbs_g": "[g] self-treatment carbohydrate [A]",
    "therapy.rescue_below_mg_dl": "[mg/dL] IG below which an aware person treats [A]",
    "therapy.rescue_wait_min": "[min] between self-treatments / looks [A]",
    "titration.titration_interval_days": "[days] between titration contacts (weekly) [A]",
    "titration.titration_window_days": "[days] of IG each contact reads (two weeks) [A]",
    "titration.fasting_above_mg_dl": "[mg/dL] high fasting reading (ADA diabetes threshold; CIT-07 [U])",
    "titration.fasting_high_per_week": "[1/week] more high fasting readings fail (CIT-07, Hering 2016 [U])",
    "titration.postprandial_minutes": "[min] post-prandial reading after a main meal's start (2 h; ADA)",
    "titration.postprandial_above_mg_dl": "[mg/dL] high post-prandial reading (ADA peak target)",
    "titration.postprandial_high_per_week": "[1/week] more high post-prandial readings fail (CIT-07 [U])",
    "titration.tar_above_mg_dl": "[mg/dL] CGM time above this (Battelino 2019)",
    "titration.tar_max_pct": "[%] more time above fails (Battelino 2019: < 25 %)",
    "titration.criteria_to_act": "[1] failing criteria (of 3) that make glycaemia out of target [A]",
    "titration.hypo_below_mg_dl": "[mg/dL] level 2 hypoglycaemia (Battelino 2019)",
    "titration.hypo_margin_pct": "[% points] % IG below that above the run-in's: reduce [A]",
    "titration.wean_below_run_in_mg_dl": "[mg/dL] wean in target only this far below the run-in mean [A]",
    "titration.reduce_by": "[1] dose cut after hypoglycaemia or to wean (ADA: 10–20 % [U])",
    "titration.increase_by": "[1] dose rise when out of target (ADA: 10–15 % [U])",
    "titration.stop_below_scale": "[1] dose scale below this stops insulin, if in target [A]",
    "titration.restart_scale": "[1] dose scale at a restart (half, Ryan 2005)",
    "titration.max_scale": "[1] never above the pre-infusion dose × this [A]",
    "population.source": "screened (virtual adults, screened) or published (the 10 adults)",
    "population.z_clip": "[1] clip of each standard-normal factor of a draw [A]",
    "population.age_mean_years": "[years] mean age of draws (published adults) [A]",
    "population.age_sd_years": "[years] SD of age (published adults) [A]",
    "population.p_male": "[1] probability of a male participant [A]",
    "behaviour.count_bias_median": "[1] median bolus bias (counting × ratio) [A, baseline-calibrated]",
    "behaviour.count_bias_cv": "[1] between-person CV of the bias [A]",
    "behaviour.carb_count_cv": "[1] per-meal counting CV (28–45 %, PMC2909521)",
    "behaviour.missed_bolus_prob": "[1] probability a bolus is forgotten [A]",
    "behaviour.late_bolus_prob": "[1] probability a bolus is late [A]",
    "behaviour.late_bolus_min_max": "[min] largest bolus delay (uniform from 10) [A]",
    "behaviour.basal_median": "[1] median prescribed basal / steady-state basal [A]",
    "behaviour.basal_cv": "[1] between-person CV of the basal factor [A]",
    "behaviour.impaired_awareness_prob": "[1] share of candidates with impaired awareness (Geddes 2008: 19.5 %)",
    "behaviour.meal_size_cv": "[1] extra meal-size variability [A]",
    "behaviour.si_day_cv": "[1] day-to-day insulin-sensitivity CV (Vmx, kp3) [A]",
    "behaviour.aware_detect_below_mg_dl": "[mg/dL] IG at which an aware person notices (awake: always) [A]",
    "behaviour.impaired_detect_below_mg_dl": "[mg/dL] IG at which an unaware person may notice [A]",
    "behaviour.impaired_detect_prob": "[1] chance an unaware person notices, per 30-min look awake [A]",
    "behaviour.sleep_start_hour": "[h] sleep window start [A]; equal start and end = no window",
    "behaviour.sleep_end_hour": "[h] sleep window end [A]",
    "behaviour.asleep_detect_prob": "[1] chance of waking to hypoglycaemia per 30-min look (Schultes 2007: 1 of 16 with T1D)",
    "behaviour.asleep_detect_prob_restored": "[1] the same with a fully restoring graft (Schultes 2007: 10 of 16 controls) [A]",
    "behaviour.cgm_alarm_response_prob": "[1] chance a CGM low alarm is acted on per 30-min look [A]; 0 = off",
    "behaviour.awareness_restored_at_graft_fraction": "[1] proportional rule only: graft F at which awareness is fully restored, in proportion below; 0 = off [A]",
    "behaviour.awareness_restoration": "leitao2008 (restored once stimulated C-peptide reached the boundary below; Leitão 2008, Diabetes Care 31:2113, PMID 18697903) or proportional (to F) [A]",
    "behaviour.awareness_restored_c_peptide_pmol_l": "[pmol/L] day's peak C-peptide that restores awareness: 0.3 ng/mL × 331 (Leitão 2008); step, kept [A]",
    "screening.days": "[days] simulated prior period (the protocol's year)",
    "screening.min_age_years": "[years] NCT04786262",
    "screening.max_age_years": "[years] NCT04786262",
    "screening.min_she_per_year": "[events/year] ≥ 2 SHE in the prior year (ADA 2024 abstract)",
    "screening.max_candidates_per_place": "[1] search bound: candidates per enrolled place",
    "she.threshold_mg_dl": "[mg/dL] plasma glucose of neuroglycopenia (Mitrakou 1991: 49–51)",
    "she.min_minutes": "[min] unnoticed minutes below the threshold that make neuroglycopenia [A]",
    "she.third_party_prob": "[1] chance unnoticed neuroglycopenia needs third-party help, aware [A, calibrated: Kovatchev 1998 by LBGI class; validation/she_lbgi.md]",
    "she.third_party_prob_impaired": "[1] the same, impaired awareness [A, calibrated: Geddes 2008 six-fold ratio; validation/she_lbgi.md]",
    "she.third_party_carbs_g": "[g] third-party treatment (stands in for glucagon) [A]",
    "she.recovered_mg_dl": "[mg/dL] next event only after recovery above this [A]",
    "counterregulation.glucagon_model": "dallaman2014 (glucagon kinetics, secretion, action on EGP; Dalla Man 2014) or off",
    "counterregulation.glucagon_basal_pg_ml": "[pg/mL] basal plasma glucagon Hb [A] (trace level only)",
    "counterregulation.glucagon_half_life_min": "[min] plasma half-life, 4 ± 1.1 (Laurenti, healthy adults)",
    "counterregulation.glucagon_threshold_mg_dl": "[mg/dL] secretion threshold, 68 ± 1 (Mitrakou 1991)",
    "counterregulation.secretion_gain": "[pg/mL/min per mg/dL] sigma, normal response (Gerich 1974 rise, nadir [A])",
    "counterregulation.secretion_rate_per_min": "[1/min] rho, static secretion follows glucose [A]",
    "counterregulation.dynamic_gain": "[pg/mL per mg/dL] delta, rate-of-fall component [A]",
    "counterregulation.action_rate_per_min": "[1/min] kH, delay of glucagon action on EGP [A]",
    "counterregulation.action_gain": "[mg/kg/min per pg/mL] xi, EGP per glucagon above basal [A]",
    "counterregulation.host_response_fraction": "[1] T1D host's share of a normal response [A] (Gerich 1973: none)",
    "counterregulation.graft_alpha_response": "[1] normal responses per unit graft F [A]",
    "counterregulation.hypo_insulin_action": "dallaman2014 (Vmx·(1 + r1·risk) below basal glucose) or off",
    "counterregulation.risk_r1": "[1] S2013 r1 [U]",
    "counterregulation.risk_r2": "[1] S2013 r2 [U]",
    "counterregulation.risk_threshold_mg_dl": "[mg/dL] risk held below this (Dalla Man 2014: 60)",
    "counterregulation.intraday_si_cv": "[1] CV of a person's SI in 3 periods of the day [A]; 0 = off",
    "counterregulation.dawn_egp_rise": "[1] peak rise of basal EGP at 06:00 [A]; 0 = off",
}


@dataclass(frozen=True)
class SimSettings:
    """All simulation settings: the keyword arguments of :func:`endolab.sim.simulate_trial`."""

    graft: GraftSettings = field(default_factory=GraftSettings)
    therapy: TherapySettings = field(default_factory=TherapySettings)
    population: PopulationSettings = field(default_factory=PopulationSettings)
    behaviour: BehaviourSettings = field(default_factory=BehaviourSettings)
    screening: ScreeningSettings = field(default_factory=ScreeningSettings)
    she: SheModel = field(default_factory=SheModel)
    counterregulation: CounterregulationSettings = field(default_factory=CounterregulationSettings)

    def kwargs(self) -> dict[str, Any]:
        """As keyword arguments of :func:`~endolab.sim.simulate_trial` / ``simulate``."""
        return {k.name: getattr(self, k.name) for k in fields(self)}

    def as_dict(self) -> dict[str, dict[str, Any]]:
        """Section → field → value (the TOML layout)."""
        out: dict[str, dict[str, Any]] = {}
        for section, (attr, _) in SECTIONS.items():
            values = asdict(getattr(self, attr))
            if attr == "therapy":
                keep = (
                    TITRATION_FIELDS
                    if section == "titration"
                    else tuple(k for k in values if k not in TITRATION_FIELDS)
                )
                values = {k: values[k] for k in keep}
            out[section] = values
        return out


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, int):
        return str(value)
    text = repr(float(value))
    return text if ("." in text or "e" in text or "inf" in text or "nan" in text) else text + ".0"


def settings_toml(settings: SimSettings | None = None) -> str:
    """The settings as TOML: one section per group, each field with its unit and source.

    >>> text = settings_toml()
    >>> "[titration]" in text and "reduce_by = 0.2" in text
    True
    >>> load_settings_text(text) == SimSettings()
    True
    """
    s = settings or SimSettings()
    lines = [
        "# endolab simulation settings (endolab sim settings). Give any subset of them to",
        "# --settings FILE.toml; the rest keep their defaults. [A] assumption of this project,",
        "# [U] recalled, not re-checked. In-silico results are never clinical evidence.",
    ]
    for section, values in s.as_dict().items():
        lines += ["", f"# {SECTIONS[section][1]}", f"[{section}]"]
        for key, value in values.items():
            note = FIELD_NOTES.get(f"{section}.{key}", "")
            lines.append(f"{key} = {_toml_value(value)}" + (f"  # {note}" if note else ""))
    return "\n".join(lines) + "\n"


def load_settings_text(text: str, base: SimSettings | None = None) -> SimSettings:
    """Settings from TOML text: given fields override ``base`` (default: the defaults).

    Unknown sections or fields and values of the wrong type raise
    :class:`~endolab.errors.InputError` naming them.
    """
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"settings file is not valid TOML: {exc}", field="settings") from None
    s = base or SimSettings()
    groups: dict[str, dict[str, Any]] = {}
    for section, values in doc.items():
        if section not in SECTIONS:
            raise InputError(
                f"unknown settings section [{section}]; use one of "
                + ", ".join(f"[{k}]" for k in SECTIONS),
                field="settings",
            )
        if not isinstance(values, dict):
            raise InputError(f"[{section}] must be a table of fields", field="settings")
        allowed = s.as_dict()[section]
        attr = SECTIONS[section][0]
        for key, value in values.items():
            if key not in allowed:
                raise InputError(
                    f"unknown setting {section}.{key}; [{section}] has " + ", ".join(allowed),
                    field="settings",
                )
            default = allowed[key]
            if isinstance(default, str) != isinstance(value, str) or isinstance(value, bool):
                raise InputError(
                    f"setting {section}.{key} must be like {_toml_value(default)}, got {value!r}",
                    field="settings",
                )
            if isinstance(value, float) and not math.isfinite(value):
                raise InputError(f"setting {section}.{key} must be finite", field="settings")
            if isinstance(default, int) and not isinstance(default, bool):
                if float(value) != int(value):
                    raise InputError(
                        f"setting {section}.{key} must be a whole number, got {value}",
                        field="settings",
                    )
                value = int(value)
            elif isinstance(default, float):
                value = float(value)
            groups.setdefault(attr, {})[key] = value
    updates = {attr: replace(getattr(s, attr), **vals) for attr, vals in groups.items()}
    return replace(s, **updates)


def load_settings(path: str | Path | None) -> SimSettings:
    """Settings from a TOML file (``None``: the defaults); see :func:`load_settings_text`."""
    if path is None:
        return SimSettings()
    p = Path(path)
    if not p.is_file():
        raise InputError(f"--settings {str(p)!r} is not a file", field="settings", value=str(p))
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read --settings {str(p)!r}: {exc}", field="settings") from None
    return load_settings_text(text)
