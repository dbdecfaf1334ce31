"""Testosterone ester pharmacokinetics (issue 23): hand calculations, published data, fit recovery.

Every expected number is written out here with its source or its arithmetic; none is the module's
own output pasted back.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from endolab.errors import InputError, ParseError
from endolab.hormones import predict
from endolab.hormones.pk import (
    Lab,
    Regimen,
    bateman,
    cypionate_schulte_beerbuhl_1980,
    fit_individual,
    parse_lab,
    protocol,
    simulate,
    steady_state,
    steady_state_concentration,
    swissmedic_testoviron_enanthate,
    undecanoate_behre_1999,
)

# --- the ester's testosterone content: the labels' own statements --------------------------------


def test_testosterone_content_matches_the_labels() -> None:
    # Testoviron Depot label: 250 mg testosterone enanthate deliver 180 mg testosterone.
    assert swissmedic_testoviron_enanthate().testosterone_fraction * 250 == pytest.approx(
        180, rel=0.002
    )
    # Nebido label: 1000 mg testosterone undecanoate correspond to 631.5 mg testosterone.
    assert undecanoate_behre_1999().testosterone_fraction * 1000 == pytest.approx(631.5, rel=0.001)


# --- superposition and steady state: hand calculations ---------------------------------------------


def test_superposition_of_two_doses_by_hand() -> None:
    # One-compartment, first-order input: C1(t) = A·(exp(−k1·t) − exp(−k2·t)), A = 100 ng/dL,
    # k1 = 0.1 /day, k2 = 1.0 /day; doses at day 0 and day 7; at day 10:
    #   dose 1 (t = 10): 100·(e^−1.0 − e^−10) = 100·(0.3678794 − 0.0000454) = 36.78340
    #   dose 2 (t = 3):  100·(e^−0.3 − e^−3)  = 100·(0.7408182 − 0.0497871) = 69.10311
    #   sum = 105.88651 ng/dL
    total = bateman(10.0, 100.0, 0.1, 1.0) + bateman(3.0, 100.0, 0.1, 1.0)
    assert float(total) == pytest.approx(105.88651, abs=1e-4)
    # before a dose is given it contributes nothing
    assert float(bateman(-1.0, 100.0, 0.1, 1.0)) == 0.0


def test_steady_state_closed_form_by_hand() -> None:
    # Css(t) = A·(e^−k1·t / (1 − e^−k1·τ) − e^−k2·t / (1 − e^−k2·τ)), A = 100, k1 = 0.1, k2 = 1.0,
    # τ = 7 days. At t = 2 days:
    #   1 − e^−0.7 = 1 − 0.4965853 = 0.5034147;  e^−0.2 = 0.8187308 → 1.6263552
    #   1 − e^−7   = 1 − 0.0009119 = 0.9990881;  e^−2   = 0.1353353 → 0.1354588
    #   Css(2) = 100·(1.6263552 − 0.1354588) = 149.08964 ng/dL
    assert float(steady_state_concentration(2.0, 100.0, 0.1, 1.0, 7.0)) == pytest.approx(
        149.08964, abs=1e-3
    )


def test_steady_state_equals_explicit_sum_of_many_doses() -> None:
    # the closed form (geometric series) against 300 doses summed one by one
    t = np.linspace(0.0, 7.0, 29)
    explicit = sum(bateman(t + i * 7.0, 100.0, 0.1, 1.0) for i in range(300))
    np.testing.assert_allclose(
        steady_state_concentration(t, 100.0, 0.1, 1.0, 7.0), explicit, rtol=1e-9
    )


def test_mean_peak_and_trough_of_the_steady_state() -> None:
    r = Regimen.build("enanthate", 125, 7)
    res = steady_state(r)
    curve = np.array(res.curve_ng_dl[: len(res.curve_ng_dl) // 2 + 1])
    times = np.array(res.times_days[: len(res.curve_ng_dl) // 2 + 1])
    # Cavg = AUC/τ against the trapezoid integral of the curve over one interval
    trapezoid = float(np.sum((curve[1:] + curve[:-1]) / 2 * np.diff(times))) / 7.0
    assert res.mean_ng_dl == pytest.approx(trapezoid, rel=1e-3)
    # the closed-form peak time against the curve's own maximum (grid of 7/96 day)
    assert res.peak_time_days == pytest.approx(times[int(np.argmax(curve))], abs=7 / 96)
    assert res.peak_ng_dl >= curve.max() - 1e-9
    assert res.trough_ng_dl == pytest.approx(curve[0])
    # fluctuation index = (Cmax − Cmin)/Cavg
    assert res.fluctuation_index == pytest.approx(
        (res.peak_ng_dl - res.trough_ng_dl) / res.mean_ng_dl
    )


def test_area_under_one_dose_by_hand() -> None:
    # AUC = D·f_T/CL. 250 mg enanthate = 250 × 288.42/400.60 = 179.995 mg T; CL = 16 mL/min/kg ×
    # 70 kg × 1440 min/day = 1,612,800 mL/day = 16,128 dL/day → AUC = 179.995e6 ng / 16,128 dL/day
    # = 11,160.4 ng·day/dL; the Bateman integral A·(1/k1 − 1/k2) must give the same.
    r = Regimen.build("enanthate", 250, 21)
    assert r.auc_ng_day_dl() == pytest.approx(11160.4, rel=1e-4)
    t = np.linspace(0.0, 400.0, 400_001)
    c = simulate(r, t, n_doses=1)
    assert float(np.sum((c[1:] + c[:-1]) / 2 * np.diff(t))) == pytest.approx(11160.4, rel=1e-3)


def test_endogenous_level_is_added() -> None:
    a = steady_state(Regimen.build("enanthate", 100, 7))
    b = steady_state(Regimen.build("enanthate", 100, 7, endogenous_ng_dl=150))
    assert b.trough_ng_dl - a.trough_ng_dl == pytest.approx(150)
    assert b.mean_ng_dl - a.mean_ng_dl == pytest.approx(150)


# --- published data the model was not calibrated on -----------------------------------------------


@pytest.mark.parametrize(
    ("dose_mg_week", "nadir_ng_dl"),
    # Bhasin S et al. Am J Physiol Endocrinol Metab 2001;281:E1172–81 (abstract), young men, GnRH
    # agonist + weekly testosterone enanthate for 20 weeks: mean nadir total T by dose.
    [(125, 542), (300, 1345), (600, 2370)],
)
def test_weekly_enanthate_trough_matches_bhasin_2001(dose_mg_week: int, nadir_ng_dl: int) -> None:
    # The model's constants come from the Testoviron label (half-life, clearance) only; the trial's
    # troughs are independent. Tolerance ±15 % (the label's clearance SD alone is ±44 %).
    res = steady_state(Regimen.build("enanthate", dose_mg_week, 7))
    assert res.trough_ng_dl == pytest.approx(nadir_ng_dl, rel=0.15)
    assert res.trough_low_ng_dl < nadir_ng_dl < res.trough_high_ng_dl


@pytest.mark.parametrize(
    ("dose_mg_week", "change_nmol_l"),
    # Bhasin S et al. JCEM 2005;90:678–88, DOI 10.1210/jc.2004-1184 (abstract), older men (59–75 y),
    # GnRH agonist + weekly enanthate: change in total T +(−1.9), +16.1, +49.5, +101.9 nmol/L at
    # 50, 125, 300, 600 mg; baseline 316 ng/dL (Coviello 2006, same men) → on treatment
    # 316 + Δ × 28.84 = 261, 780, 1744, 3255 ng/dL.
    [(50, -1.9), (125, 16.1), (300, 49.5), (600, 101.9)],
)
def test_weekly_enanthate_in_older_men_bhasin_2005(dose_mg_week: int, change_nmol_l: float) -> None:
    # The age factor (older/young apparent clearance 1390/1821, Coviello 2006) comes from the same
    # trials, so this checks the label's absolute clearance combined with it, not the factor alone.
    on_treatment = 316 + change_nmol_l * 28.84
    res = steady_state(Regimen.build("enanthate", dose_mg_week, 7, age_years=67))
    assert res.trough_ng_dl == pytest.approx(on_treatment, rel=0.15)


def test_age_factor_by_hand() -> None:
    # 1 at ≤ 35 y; 1390/1821 = 0.763317 at ≥ 59 y; at 47 y halfway: 1 − 0.5 × 0.236683 = 0.881658
    from endolab.hormones.pk import clearance_factor_coviello_2006 as f

    assert f(None) == 1.0 and f(30) == 1.0
    assert f(70) == pytest.approx(0.763317, abs=1e-6)
    assert f(47) == pytest.approx(0.881658, abs=1e-6)
    young = steady_state(Regimen.build("enanthate", 100, 7))
    older = steady_state(Regimen.build("enanthate", 100, 7, age_years=70))
    assert older.mean_ng_dl == pytest.approx(young.mean_ng_dl / 0.763317, rel=1e-5)


def test_undecanoate_cavg_matches_the_aveed_label() -> None:
    # AVEED US prescribing information, 12.3 (84-week study, 750 mg at 0, 4 weeks, then every 10
    # weeks): men of 65–100 kg, Cavg 568 ± 139 ng/dL (mean ± SD, n = 57).
    res = steady_state(Regimen.build("undecanoate", 750, 70, body_weight_kg=70))
    assert 568 - 2 * 139 < res.mean_ng_dl < 568 + 2 * 139
    assert res.mean_low_ng_dl < 568 < res.mean_high_ng_dl


# Published values with a stated SD: the model (the cohort's typical man) within 1 SD of the
# cohort's mean (the rule of validation/pk_published.py and docs/methods/hormones.md §9).
#: Mean age of the 750-mg undecanoate programme (0, 4 weeks, then every 10 weeks): 54.2 ± 0.90 y
#: (mean ± SE, 116 completers), Morgentaler A et al., J Urol 2008 (abstract).
AVEED_PROGRAMME_AGE = 54.2


@pytest.mark.parametrize(("weight_kg", "mean", "sd"), [(70, 568, 139), (110, 426, 104)])
def test_undecanoate_cavg_within_1_sd_of_the_aveed_label_at_the_cohorts_age(
    weight_kg: float, mean: float, sd: float
) -> None:
    # AVEED US prescribing information 12.3: Cavg 568 ± 139 ng/dL (65–100 kg) and 426 ± 104 ng/dL
    # (≥ 100 kg), mean ± SD; the model at the programme's mean age (Coviello's age factor).
    r = Regimen.build(
        "undecanoate", 750, 70, body_weight_kg=weight_kg, age_years=AVEED_PROGRAMME_AGE
    )
    assert abs(steady_state(r).mean_ng_dl - mean) <= sd


def test_undecanoate_third_injection_within_1_sd_morgentaler_2008() -> None:
    # Morgentaler 2008 (abstract): 750 mg at weeks 0, 4 and 14; over the 70 days after the week-14
    # injection Cavg 494.9 ± 141.46 and Cmax 890.6 ± 345.11 ng/dL (mean ± SD). Not a steady state:
    # the three doses are superposed at their own times (linearity).
    r = Regimen.build("undecanoate", 750, 28, age_years=AVEED_PROGRAMME_AGE)
    t = np.linspace(98.0, 168.0, 7001)
    c = simulate(r, t, n_doses=2) + simulate(r, t - 98.0, n_doses=1)
    cavg = float(np.trapezoid(c, t)) / 70.0
    assert abs(cavg - 494.9) <= 141.46
    assert abs(float(c.max()) - 890.6) <= 345.11


def test_sc_enanthate_52_week_study_within_1_sd_under_its_titration_protocol() -> None:
    # Kaminetsky et al., 52-week registration study of the SC autoinjector (abstract): 150 men
    # started on 75 mg weekly, dose adjusted at week 7 on the week-6 trough; Cavg at week 12
    # 553.3 ± 127.29 ng/dL and Ctrough at week 52 487.2 ± 153.33 ng/dL (mean ± SD). The study's
    # rule is the XYOSTED label's (section 2): trough 7 days after the dose; +25 mg if < 350,
    # −25 mg if ≥ 650 ng/dL, else the same dose. The IM constants are applied to SC [A].
    trough_75 = steady_state(Regimen.build("enanthate", 75, 7)).trough_ng_dl
    # the rule, by hand: the model man's week-6 trough is below 350 ng/dL → 75 + 25 = 100 mg
    assert trough_75 < 350
    at_100 = steady_state(Regimen.build("enanthate", 100, 7))
    assert 350 <= at_100.trough_ng_dl < 650  # stays on 100 mg at the next check
    # week 12 is 6 weekly doses after the change (≥ 7 release half-lives of 4.5 days: within
    # 1 % of the steady state), week 52 is 46 doses after it
    assert abs(at_100.mean_ng_dl - 553.3) <= 127.29
    assert abs(at_100.trough_ng_dl - 487.2) <= 153.33
    # at a fixed 75 mg (the comparison before the protocol was applied) the trough was outside
    assert abs(trough_75 - 487.2) > 153.33


def test_sc_titration_in_the_validation_script_follows_the_label_rule() -> None:
    # The validation script's superposed 53-week schedule: 75 mg for weeks 1–6, then the label's
    # rule; the model man is moved to 100 mg once and stays (hand reasoning above), and the
    # week-12 Cavg is within 1 % of the 100-mg steady state.
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).parents[2] / "validation" / "pk_published.py"
    spec = importlib.util.spec_from_file_location("pk_published", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["pk_published"] = mod  # dataclasses look their module up there
    try:
        spec.loader.exec_module(mod)
    finally:
        del sys.modules["pk_published"]
    sc = mod.sc_titrated()
    assert sc.doses[:6] == (75.0,) * 6
    assert set(sc.doses[6:]) == {100.0}
    ss = steady_state(Regimen.build("enanthate", 100, 7))
    assert abs(sc.cavg_week12 / ss.mean_ng_dl - 1) < 0.01
    assert abs(sc.trough_week52 / ss.trough_ng_dl - 1) < 1e-6
    assert mod.xyosted_rule(650.0, 75.0) == 50.0
    assert mod.xyosted_rule(349.9, 75.0) == 100.0
    assert mod.xyosted_rule(500.0, 75.0) == 75.0
    assert mod.xyosted_rule(300.0, 100.0) == 100.0  # the study's highest strength


def test_sc_abstracts_without_a_dose_by_hand() -> None:
    # McFarland 2017 (J Endocr Soc 1:1095, DOI 10.1210/js.2017-00148, abstract): weekly SC
    # cypionate, mean of 7 samples over the interval 627 ± 206 ng/dL, dose not stated. The model's
    # weekly Cavg per mg, by hand (70 kg): f_T 288.42/412.61 = 0.6990 mg T per mg ester;
    # CL = 16 mL/min/kg × 70 kg × 1440 min/day = 1612.8 L/day; Cavg = 0.6990 mg / 1612.8 L/day /
    # 7 day = 6.19e-5 mg/L = 6.19 ng/dL per mg/week → inside 1 SD for 421/6.19 … 833/6.19 mg/week.
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).parents[2] / "validation" / "pk_published.py"
    spec = importlib.util.spec_from_file_location("pk_published", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["pk_published"] = mod  # dataclasses look their module up there
    try:
        spec.loader.exec_module(mod)
    finally:
        del sys.modules["pk_published"]
    per_mg = (288.42 / 412.61) / 1612.8 / 7 * 1e5  # mg/L → ng/dL
    assert per_mg == pytest.approx(6.19, abs=0.005)
    mc = mod.mcfarland_window()
    assert mc.cavg_per_mg == pytest.approx(per_mg, rel=1e-3)
    assert (mc.dose_low, mc.dose_high) == pytest.approx((421 / per_mg, 833 / per_mg), rel=1e-3)
    # Al-Futaisi 2006 (Saudi Med J 27:1843, abstract): trough 14.48 ± 3.14 and peak
    # 21.65 ± 7.32 nmol/L; × 28.842 ng/dL per nmol/L (288.42 g/mol) = 417.6 ± 90.6 and
    # 624.4 ± 211.1 ng/dL. Linearity: the model's Cmax/trough is the same at any dose, so only
    # a dose window can be stated; at its ends one of the two levels is on its 1-SD edge.
    af = mod.al_futaisi_window()
    r50 = steady_state(Regimen.build("enanthate", 50, 7))
    r150 = steady_state(Regimen.build("enanthate", 150, 7))
    assert r50.peak_ng_dl / r50.trough_ng_dl == pytest.approx(af.model_ratio, rel=1e-9)
    assert r150.peak_ng_dl / r150.trough_ng_dl == pytest.approx(af.model_ratio, rel=1e-9)
    assert af.published_ratio == pytest.approx(1.495, abs=1e-3)
    lo_edges = (af.dose_low * af.trough_per_mg, af.dose_low * af.peak_per_mg)
    assert lo_edges[0] == pytest.approx(417.6 - 90.6, abs=0.5) or lo_edges[1] == pytest.approx(
        624.4 - 211.1, abs=0.5
    )
    hi_edges = (af.dose_high * af.trough_per_mg, af.dose_high * af.peak_per_mg)
    assert hi_edges[0] == pytest.approx(417.6 + 90.6, abs=0.5) or hi_edges[1] == pytest.approx(
        624.4 + 211.1, abs=0.5
    )
    for d in (af.dose_low + 0.1, af.dose_high - 0.1):
        assert abs(d * af.trough_per_mg - 417.6) <= 90.6
        assert abs(d * af.peak_per_mg - 624.4) <= 211.1


@pytest.mark.parametrize(
    ("ester", "f_t"), [("enanthate", 288.42 / 400.60), ("cypionate", 288.42 / 412.61)]
)
def test_dose_normalised_auc_within_1_sd_wilson_2018(ester: str, f_t: float) -> None:
    # Wilson DM, Kiang TKL, Ensom MHH. Am J Health Syst Pharm 2018;75:351–8, DOI
    # 10.2146/ajhp170160 (abstract): 14 transgender men on weekly cypionate or enanthate, steady
    # state; dose-normalised AUC over the interval 1.9 ± 0.6 (IM) and 1.7 ± 0.6 (SC)
    # nmol·day/L/mg (mean ± SD). At steady state AUC_τ/dose = F·f_T/CL (linearity). By hand, 70 kg:
    # CL = 16 mL/min/kg × 70 kg × 1440 min/day / 1000 = 1612.8 L/day;
    # AUC/mg = f_T mg / 1612.8 L/day = f_T × 620.0 ng·day/L → ÷ 288.42 ng/nmol.
    hand = f_t / 1612.8 * 1e6 / 288.42  # nmol·day/L per mg of ester
    assert hand == pytest.approx(1.548 if ester == "enanthate" else 1.503, abs=1e-3)
    model = Regimen.build(ester, 1, 7).auc_ng_day_dl() * 10.0 / 288.42  # ng·day/dL → nmol·day/L
    assert model == pytest.approx(hand, rel=1e-9)
    assert abs(model - 1.9) <= 0.6  # IM
    assert abs(model - 1.7) <= 0.6  # SC, IM constants [A]


@pytest.mark.parametrize(("dose_mg", "mean_ng_dl"), [(50, 422.4), (100, 895.5)])
def test_weekly_sc_enanthate_inside_the_band_kaminetsky_2015(
    dose_mg: int, mean_ng_dl: float
) -> None:
    # Kaminetsky J, Jaffe JS, Swerdloff RS. Sex Med 2015;3:269–79, DOI 10.1002/sm2.80 (abstract):
    # SC testosterone enanthate weekly, mean steady-state T at week 6: 422.4 and 895.5 ng/dL at 50
    # and 100 mg. The IM constants are applied to SC [A]; the published mean lies in the model's band.
    res = steady_state(Regimen.build("enanthate", dose_mg, 7))
    assert res.mean_low_ng_dl < mean_ng_dl < res.mean_high_ng_dl


@pytest.mark.parametrize(
    ("dose_mg", "what", "low", "high"),
    [(50, "peak", 388, 825), (50, "24 h", 263, 640), (100, "24 h", 526, 1420)],
)
def test_weekly_sc_enanthate_week_6_inside_the_published_ranges(
    dose_mg: int, what: str, low: float, high: float
) -> None:
    # Kaminetsky et al., Endocrine Society 2014 abstract SUN-0056 (DOI
    # 10.1210/endo-meetings.2014.RE.12.SUN-0056): SC testosterone enanthate weekly for 6 weeks,
    # 10 hypogonadal men per arm; at week 6, 50 mg: Cmax 624 ng/dL (range 388–825) and T 24 h after
    # the dose 421 ng/dL (range 263–640); 100 mg: T 24 h after the dose 1042 ng/dL (range
    # 526–1420). The model (IM constants [A], 70 kg, endogenous 0) lies inside each range.
    reg = Regimen.build("enanthate", dose_mg, 7)
    if what == "peak":
        value = steady_state(reg).peak_ng_dl
    else:
        value = float(simulate(reg, np.array([7.0 * 60 + 1.0]), n_doses=61)[0])
    assert low <= value <= high


def test_cypionate_single_dose_peaks_on_days_2_to_5_nankin_1987() -> None:
    # Nankin HR. Fertil Steril 1987;47:1004–9 (abstract): 200 mg IM cypionate in hypogonadal men,
    # peak serum T on days 2 to 5.
    r = Regimen.build("cypionate", 200, 14)
    t = np.linspace(0.0, 14.0, 14 * 96 + 1)
    t_peak = t[int(np.argmax(simulate(r, t, n_doses=1)))]
    assert 2.0 <= t_peak <= 5.0


def test_enanthate_single_dose_peak_against_the_testoviron_label() -> None:
    # Testoviron Depot label: about 20 ng/mL (2000 ng/dL) 1.5–3 days after 250 mg in young men.
    # Those men were not suppressed at the time of the peak: add the harmonized median of young men,
    # 531 ng/dL (Travison 2017) [A]. Tolerance ±25 % ("about"; clearance SD ±44 %).
    r = Regimen.build("enanthate", 250, 28, endogenous_ng_dl=531)
    t = np.linspace(0.0, 10.0, 961)
    c = simulate(r, t, n_doses=1)
    assert 1.5 <= t[int(np.argmax(c))] <= 3.0
    assert float(c.max()) == pytest.approx(2000, rel=0.25)


def test_cypionate_equals_enanthate_per_mg_testosterone_schulte_beerbuhl_1980() -> None:
    # 194 mg enanthate and 200 mg cypionate (140 mg T each) gave identical profiles.
    t = np.linspace(0.0, 21.0, 85)
    te = simulate(Regimen.build("enanthate", 194, 21), t, n_doses=1)
    tc = simulate(Regimen.build("cypionate", 200, 21), t, n_doses=1)
    np.testing.assert_allclose(tc, te, rtol=0.005)
    assert cypionate_schulte_beerbuhl_1980().release_half_life_days == 4.5


def test_gel_label_numbers_are_consistent() -> None:
    # Testogel label: 5 g of 1 % gel (50 mg T/day) → +2.5 ng/mL = +8.7 nmol/L; 8.7 × 28.84 = 251
    res = steady_state(Regimen.build("gel", 50, 1))
    assert res.mean_ng_dl == pytest.approx(8.7 * 28.84, rel=0.01)
    assert res.fluctuation_index == 0.0


# --- the band --------------------------------------------------------------------------------------


def test_band_of_the_mean_equals_the_lognormal_quantiles() -> None:
    # Cavg ∝ 1/CL; CL log-normal with CV 7/16 → σ = √ln(1 + 0.4375²) = 0.41848, mean-preserving
    # (μ = −σ²/2). Quantiles of Cavg: C·exp(σ²/2 ∓ 1.96σ) = C × 0.4857 and × 2.4442.
    res = steady_state(Regimen.build("enanthate", 100, 7), samples=20000)
    sigma = math.sqrt(math.log1p(0.4375**2))
    assert res.mean_low_ng_dl == pytest.approx(
        res.mean_ng_dl * math.exp(sigma**2 / 2 - 1.96 * sigma), rel=0.03
    )
    assert res.mean_high_ng_dl == pytest.approx(
        res.mean_ng_dl * math.exp(sigma**2 / 2 + 1.96 * sigma), rel=0.03
    )


def test_band_is_seeded() -> None:
    r = Regimen.build("undecanoate", 1000, 84)
    a, b, c = steady_state(r, seed=7), steady_state(r, seed=7), steady_state(r, seed=8)
    assert a.curve_low_ng_dl == b.curve_low_ng_dl
    assert a.curve_low_ng_dl != c.curve_low_ng_dl
    assert all(
        lo <= m <= hi
        for lo, m, hi in zip(a.curve_low_ng_dl, a.curve_ng_dl, a.curve_high_ng_dl, strict=True)
    )
    with pytest.raises(InputError):
        steady_state(r, seed=-1)


# --- individualisation -----------------------------------------------------------------------------


def test_one_lab_scale_by_hand() -> None:
    # One lab, half-life fixed: ln ŷ = ln s + ln c, so the MAP is
    #   ln s = ln(y/c) · σ_CL² / (σ_CL² + σ_res²),  σ_CL = 0.41848, σ_res = 0.15.
    # c = population trough of 125 mg enanthate weekly; y = 1.5·c → ln s = 0.405465 × 0.886124
    #   = 0.359293 → s = 1.43233.
    r = Regimen.build("enanthate", 125, 7)
    c = steady_state(r).trough_ng_dl
    fit = fit_individual(r, [Lab(1.5 * c, 0.0)])
    assert fit.scale == pytest.approx(1.43233, rel=1e-3)
    assert fit.fitted_half_life is False
    assert fit.labs[0].population_ng_dl == pytest.approx(c)
    assert fit.labs[0].fitted_ng_dl == pytest.approx(1.43233 * c, rel=1e-3)


@pytest.mark.parametrize(
    ("ester", "dose", "tau", "scale", "half_life", "times"),
    [
        ("enanthate", 200, 14, 1.4, 5.5, (1.0, 3.0, 7.0, 10.0, 14.0)),
        ("undecanoate", 1000, 84, 0.7, 45.0, (7.0, 28.0, 56.0, 84.0)),
    ],
)
def test_fit_recovers_known_parameters(
    ester: str, dose: int, tau: int, scale: float, half_life: float, times: tuple[float, ...]
) -> None:
    # Synthetic labs from a known individual (scale, half-life), with 5 % log-normal noise (seeded);
    # recovered within 15 % (scale) and 20 % (half-life) despite the priors' pull.
    r = Regimen.build(ester, dose, tau)
    truth = steady_state(r, scale=scale, k_release_per_day=math.log(2) / half_life, samples=10)
    rng = np.random.default_rng(23)
    grid = np.array(truth.times_days)
    curve = np.array(truth.curve_ng_dl)
    labs = [Lab(float(np.interp(t, grid, curve)) * math.exp(rng.normal(0, 0.05)), t) for t in times]
    fit = fit_individual(r, labs)
    assert fit.scale == pytest.approx(scale, rel=0.15)
    assert fit.release_half_life_days == pytest.approx(half_life, rel=0.20)
    assert fit.fitted_half_life is True
    for lab in fit.labs:  # each lab beside the fitted model: within 15 %
        assert lab.fitted_ng_dl == pytest.approx(lab.measured_ng_dl, rel=0.15)


def test_weekly_labs_move_the_half_life_towards_the_truth_only_partly() -> None:
    # Within a 7-day interval the release half-life is weakly identified: noise-free labs from a
    # half-life of 5.5 days move the fit from the prior's 4.5 days towards 5.5 but not all the way
    # (the prior's pull is the documented behaviour of a MAP fit with σ_res 0.15).
    r = Regimen.build("enanthate", 100, 7)
    truth = steady_state(r, scale=1.4, k_release_per_day=math.log(2) / 5.5, samples=10)
    grid, curve = np.array(truth.times_days), np.array(truth.curve_ng_dl)
    labs = [Lab(float(np.interp(t, grid, curve)), t) for t in (0.5, 2.0, 4.0, 6.5)]
    fit = fit_individual(r, labs)
    assert 4.5 < fit.release_half_life_days < 5.5
    assert fit.half_life_moved_sd is not None and fit.half_life_moved_sd > 0
    assert fit.scale == pytest.approx(1.4, rel=0.05)


def test_fit_narrows_the_band() -> None:
    r = protocol("enanthate", 100, 7)
    f = protocol("enanthate", 100, 7, labs=["600ng/dL@0d", "900ng/dL@2d", "700ng/dL@5d"])
    assert f.fit is not None
    width = f.pk.mean_high_ng_dl / f.pk.mean_low_ng_dl
    assert width < r.pk.mean_high_ng_dl / r.pk.mean_low_ng_dl


# --- through the predictor -------------------------------------------------------------------------


def test_hormones_at_trough_mean_peak_are_the_predictors() -> None:
    res = protocol("cypionate", 120, 7, age=40, shbg=30)
    rows = {h["point"]: h for h in res.pk.hormones}
    for point, tt in (
        ("trough", res.pk.trough_ng_dl),
        ("mean", res.pk.mean_ng_dl),
        ("peak", res.pk.peak_ng_dl),
    ):
        p = predict(tt, age=40, shbg=30)
        assert rows[point]["estradiol_pg_ml"] == pytest.approx(p.estradiol_pg_ml, rel=1e-5)
        assert rows[point]["dht_ng_dl"] == pytest.approx(p.dht_ng_dl, rel=1e-5)
        assert rows[point]["free_testosterone_pg_ml"] == pytest.approx(
            p.free_testosterone_pg_ml, rel=1e-5
        )


def test_out_of_range_point_is_reported_not_predicted() -> None:
    # 10 mg propionate weekly: the trough is far below the predictor's 50 ng/dL
    res = protocol("propionate", 10, 7)
    trough = next(h for h in res.pk.hormones if h["point"] == "trough")
    assert trough["predicted"] is False
    assert "outside the predictor's range" in trough["note"]


# --- input -----------------------------------------------------------------------------------------


def test_lab_parsing() -> None:
    assert parse_lab("650ng/dL@3.5d", 7) == Lab(650.0, 3.5)
    assert parse_lab(" 650 ng/dL @ 84 h ", 7) == Lab(650.0, 3.5)
    with pytest.raises(ParseError):
        parse_lab("650", 7)


def test_lab_unit_is_explicit() -> None:
    # 22.5 nmol/L × 28.84 ng/dL per nmol/L (ISSAM factor) = 648.9 ng/dL, written out by hand
    assert parse_lab("22.5nmol/L@84h", 7).total_t_ng_dl == pytest.approx(648.9)
    assert parse_lab("22.5 NMOL/L@3.5d", 7).total_t_ng_dl == pytest.approx(648.9)
    # a bare number is refused, not guessed: 650 could be ng/dL, 22.5 nmol/L
    with pytest.raises(ParseError) as e:
        parse_lab("650@3.5d", 7)
    assert e.value.code == "E_LAB_UNIT" and "650ng/dL@3.5d" in str(e.value)
    with pytest.raises(ParseError):
        parse_lab("650mg@3.5d", 7)  # not a unit of total T
    with pytest.raises(InputError):
        parse_lab("200nmol/L@1d", 7)  # 5768 ng/dL, above the accepted 3000 ng/dL
    with pytest.raises(InputError):
        parse_lab("650ng/dL@8d", 7)
    with pytest.raises(InputError):
        parse_lab("20ng/dL@1d", 7)  # below 50 ng/dL


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("nandrolone", 100, 7), ParseError),
        (("enanthate", "1,5", 7), ParseError),
        (("enanthate", 0, 7), InputError),
        (("enanthate", 100, 200), InputError),
        (("gel", 50, 2), InputError),
    ],
)
def test_bad_regimens(args: tuple[object, object, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        Regimen.build(*args)  # type: ignore[arg-type]
