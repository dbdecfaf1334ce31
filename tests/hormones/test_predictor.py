"""The TRT Hormone Predictor: spec vectors (docs/methods/hormones.md §5.4–§5.6), calibration, properties, overrides, errors.

Expected values are those of docs/methods/hormones.md (tolerance ±0.5 % where the spec gives more digits;
for 3-s.f. numbers, ± half a unit of the last digit). Hand arithmetic is written out where used.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from endolab.errors import InputError, ParseError, UnitError
from endolab.hormones import DEFAULT_PARAMETERS, PredictorParameters, predict
from endolab.hormones.predictor import (
    aromatase_age_factor,
    calibrate_c_dht,
    calibrate_vmax_e2_young,
    default_shbg,
    dht_lakshman_2010,
    free_estradiol_lakshman_2010,
    predict_levels,
)

E2_PMOL_PER_PG = 1000 / 272.38
DHT_NG_DL_PER_NMOL = 29.044


def approx_3sf(value: float, shown: float) -> None:
    """``value`` rounds to the spec's 3-significant-figure number ``shown``."""
    assert float(f"{value:.3g}") == pytest.approx(shown, rel=1e-9), (value, shown)


# --- docs/methods/hormones.md §5.2/§5.4 calibrated constants -------------------------------------------------------------


def test_calibrated_constants_match_spec() -> None:
    # docs/methods/hormones.md §5.2: VMAX_E2_YOUNG 13.2685 pmol/L (older 18.5759), C_DHT 0.285697 nmol/L
    assert calibrate_vmax_e2_young() == pytest.approx(13.2685, rel=1e-5)
    assert calibrate_vmax_e2_young() * 1.4 == pytest.approx(18.5759, rel=1e-5)
    assert calibrate_c_dht() == pytest.approx(0.285697, rel=1e-5)


def test_e2_anchor_is_reproduced() -> None:
    # the calibration point itself: HIMS mean TT 13.1 nmol/L → E2 73.4 pmol/L (age 70, SHBG 52)
    lv = predict_levels(13.1 * 28.84, 52, 4.3, 70)
    assert lv.estradiol_pmol_l == pytest.approx(73.4, rel=1e-9)


def test_dht_anchor_is_reproduced() -> None:
    # DHT:T = 1:13 by mass at TT 531 ng/dL, SHBG 33, albumin 4.3 (any age: DHT is age-independent)
    for age in (25, 47, 80):
        lv = predict_levels(531, 33, 4.3, age)
        assert lv.dht_nmol_l * DHT_NG_DL_PER_NMOL / 531 == pytest.approx(1 / 13, rel=1e-9)


# --- docs/methods/hormones.md §5.5 predictor test vectors ----------------------------------------------------------------

# age 30, default SHBG (33 nmol/L at ≤ 35 y), albumin 4.3 g/dL:
# TT, FT pg/mL, E2 pg/mL, free E2 pg/mL, DHT ng/dL, E2:T molar, DHT:T (1:x by mass)
PREDICTOR_VECTORS = [
    (300, 59.0, 13.028, 0.364, 24.282, 4.60e-3, 12.4),
    (500, 105, 20.886, 0.600, 38.734, 4.42e-3, 12.9),
    (700, 156, 28.013, 0.825, 51.758, 4.24e-3, 13.5),
    (1000, 242, 37.309, 1.13, 68.705, 3.95e-3, 14.6),
    (1500, 403, 49.400, 1.57, 90.889, 3.49e-3, 16.5),
    (2500, 771, 64.492, 2.15, 119.40, 2.73e-3, 20.9),
]


@pytest.mark.parametrize(("tt", "ft", "e2", "free_e2", "dht", "e2t", "dhtt"), PREDICTOR_VECTORS)
def test_spec_predictor_vectors(
    tt: float, ft: float, e2: float, free_e2: float, dht: float, e2t: float, dhtt: float
) -> None:
    r = predict(tt, age=30)
    assert r.shbg_nmol_l_used == 33.0
    assert r.albumin_g_dl_used == 4.3
    approx_3sf(r.free_testosterone_pg_ml, ft)
    assert r.estradiol_pg_ml == pytest.approx(e2, rel=5e-3)
    assert r.estradiol_pg_ml == pytest.approx(e2, abs=6e-4)  # the spec's 5-s.f. value
    approx_3sf(r.free_estradiol_pg_ml, free_e2)
    assert r.dht_ng_dl == pytest.approx(dht, rel=5e-3)
    assert r.dht_ng_dl == pytest.approx(dht, abs=6e-3)
    approx_3sf(r.e2_to_t_molar_ratio, e2t)
    approx_3sf(1 / r.dht_to_t_mass_ratio, dhtt)


def test_same_vectors_in_nmol_l() -> None:
    # unit round trip: 500 ng/dL = 500/28.84 nmol/L
    a = predict(500, age=30)
    b = predict(500 / 28.84, unit="nmol/L", age=30)
    assert b.estradiol_pg_ml == pytest.approx(a.estradiol_pg_ml, rel=1e-12)
    assert b.dht_ng_dl == pytest.approx(a.dht_ng_dl, rel=1e-12)
    assert b.estradiol_pmol_l == pytest.approx(a.estradiol_pg_ml * E2_PMOL_PER_PG, rel=1e-12)
    assert b.dht_nmol_l * DHT_NG_DL_PER_NMOL == pytest.approx(a.dht_ng_dl, rel=1e-12)


# --- docs/methods/hormones.md §5.4 cross-checks and illustration ---------------------------------------------------------


def test_young_cross_check() -> None:
    # age 25, TT 531, SHBG 33 → FT 113 pg/mL, E2 22.0 pg/mL, DHT 40.8 ng/dL
    r = predict(531, age=25, shbg=33)
    approx_3sf(r.free_testosterone_pg_ml, 113)
    approx_3sf(r.estradiol_pg_ml, 22.0)
    approx_3sf(r.dht_ng_dl, 40.8)


def test_older_anchor_cross_check() -> None:
    # TT 13.1 nmol/L = 377.8 ng/dL, age 70, SHBG 52 → E2 20.0 pg/mL (73.4 / 3.6714), DHT 30.7 ng/dL
    r = predict(13.1, unit="nmol/L", age=70, shbg=52)
    approx_3sf(r.estradiol_pg_ml, 20.0)
    approx_3sf(r.dht_ng_dl, 30.7)


@pytest.mark.parametrize(
    ("dose", "tt", "ft", "e2", "dht"),
    [(25, 253, 49.0, 11.1, 20.7), (125, 542, 115, 22.4, 41.6), (600, 2370, 721, 63.0, 117)],
)
def test_bhasin_dose_illustration(dose: float, tt: float, ft: float, e2: float, dht: float) -> None:
    # docs/methods/hormones.md §5.4: Bhasin 2001 nadir TT by dose, SHBG 33 fixed, age 27
    r = predict(dose_mg_week=dose, age=27, shbg=33)
    assert r.total_testosterone_ng_dl == tt
    assert r.dose_mg_week == dose
    approx_3sf(r.free_testosterone_pg_ml, ft)
    approx_3sf(r.estradiol_pg_ml, e2)
    approx_3sf(r.dht_ng_dl, dht)
    assert any("population mean" in f for f in r.flags)


# --- docs/methods/hormones.md §5.6 sensitivity to the free-T scale (both Km × KM_SCALE, re-calibrated) ---------------------

KM_SCALE_TABLE = [
    (1.0, (13.0, 20.9, 37.3, 64.5), (24.3, 38.7, 68.7, 119)),
    (1.19, (13.0, 21.1, 38.7, 70.1), (24.1, 38.7, 69.8, 126)),
    (2.0, (13.1, 21.7, 42.1, 87.3), (23.7, 38.6, 72.4, 145)),
    # "∞ (linear, no saturation)": a Km a million times larger is linear to ~1e-6
    (1e6, (13.1, 22.6, 49.1, 143), (23.1, 38.5, 76.9, 192)),
]


@pytest.mark.parametrize(("scale", "e2s", "dhts"), KM_SCALE_TABLE)
def test_km_scale_sensitivity_table(
    scale: float, e2s: tuple[float, ...], dhts: tuple[float, ...]
) -> None:
    params = PredictorParameters(km_scale=scale)
    for tt, e2, dht in zip((300, 500, 1000, 2500), e2s, dhts, strict=True):
        r = predict(tt, age=30, shbg=33, parameters=params)
        approx_3sf(r.estradiol_pg_ml, e2)
        approx_3sf(r.dht_ng_dl, dht)


# --- model pieces -------------------------------------------------------------------------------


def test_michaelis_menten_half_saturation() -> None:
    # at FT = Km the rate is Vmax/2; DHT = C·TT/(Km + FT) = 0.4 × 10 / (3.35 + 0.65) = 1.0
    assert free_estradiol_lakshman_2010(1.83, vmax=13.0, km_nmol_l=1.83) == pytest.approx(6.5)
    assert dht_lakshman_2010(10, 0.65, c_dht_nmol_l=0.4, km_nmol_l=3.35) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("age", "factor", "shbg"),
    [(18, 1.0, 33), (35, 1.0, 33), (47, 1.2, 42.5), (41, 1.1, 37.75), (59, 1.4, 52), (90, 1.4, 52)],
)
def test_age_factor_and_shbg_default(age: float, factor: float, shbg: float) -> None:
    # linear 35 → 59 y: age 41 → w = 6/24 = 0.25 → factor 1 + 0.25 × 0.4 = 1.1, SHBG 33 + 0.25 × 19
    assert aromatase_age_factor(age) == pytest.approx(factor)
    assert default_shbg(age) == pytest.approx(shbg)
    assert predict(500, age=age).shbg_nmol_l_used == pytest.approx(shbg)


def test_missing_age_uses_47_and_says_so() -> None:
    r = predict(500)
    assert r.age_years_used == 47
    assert r.shbg_nmol_l_used == pytest.approx(42.5)
    assert r.aromatase_age_factor == pytest.approx(1.2)
    assert any("Age not given: 47 y" in a for a in r.assumptions)
    assert any("SHBG not given: 42.5 nmol/L" in a for a in r.assumptions)


def test_older_men_make_more_e2_but_the_same_dht_at_the_same_free_t() -> None:
    young = predict(500, age=30, shbg=40)
    old = predict(500, age=70, shbg=40)
    assert old.estradiol_pg_ml / young.estradiol_pg_ml == pytest.approx(1.4, rel=1e-12)
    assert old.dht_ng_dl == pytest.approx(young.dht_ng_dl, rel=1e-12)


def test_band_is_times_divide_1_6() -> None:
    r = predict(650, age=45)
    assert r.estradiol_low_pg_ml == pytest.approx(r.estradiol_pg_ml / 1.6)
    assert r.estradiol_high_pg_ml == pytest.approx(r.estradiol_pg_ml * 1.6)
    assert r.dht_low_ng_dl == pytest.approx(r.dht_ng_dl / 1.6)
    assert r.dht_high_ng_dl == pytest.approx(r.dht_ng_dl * 1.6)
    text = " ".join(r.assumptions)
    assert "assumption" in text and "18 %" in text


def test_every_constant_can_be_overridden() -> None:
    base = predict(500, age=30)
    fixed = predict(
        500,
        age=30,
        parameters=PredictorParameters(vmax_e2_young_pmol_l=2 * calibrate_vmax_e2_young()),
    )
    assert fixed.estradiol_pg_ml == pytest.approx(2 * base.estradiol_pg_ml)
    wider = predict(500, age=30, parameters=dataclasses.replace(DEFAULT_PARAMETERS, band_factor=2))
    assert wider.estradiol_high_pg_ml == pytest.approx(2 * base.estradiol_pg_ml)
    half_dht = predict(
        500, age=30, parameters=PredictorParameters(c_dht_nmol_l=calibrate_c_dht() / 2)
    )
    assert half_dht.dht_ng_dl == pytest.approx(base.dht_ng_dl / 2)
    # an anchor change recalibrates: doubling the anchor E2 doubles every E2 prediction
    anchor = predict(500, age=30, parameters=PredictorParameters(e2_anchor_estradiol_pmol_l=146.8))
    assert anchor.estradiol_pg_ml == pytest.approx(2 * base.estradiol_pg_ml)


def test_result_is_frozen() -> None:
    r = predict(500, age=30)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.estradiol_pg_ml = 1.0  # type: ignore[misc]


# --- properties ---------------------------------------------------------------------------------

inputs = {
    "tt": st.floats(50, 2990),
    "dt": st.floats(0.01, 1000),
    "age": st.floats(18, 90),
    "shbg": st.floats(5, 150),
    "alb": st.floats(2.5, 5.5),
}


@given(**inputs)
def test_ft_e2_dht_non_decreasing_in_total_t(
    tt: float, dt: float, age: float, shbg: float, alb: float
) -> None:
    lo = predict(tt, age=age, shbg=shbg, albumin=alb)
    hi = predict(min(tt + dt, 3000), age=age, shbg=shbg, albumin=alb)
    assert hi.free_testosterone_pg_ml >= lo.free_testosterone_pg_ml
    assert hi.estradiol_pg_ml >= lo.estradiol_pg_ml
    assert hi.dht_ng_dl >= lo.dht_ng_dl
    assert hi.free_estradiol_pg_ml >= lo.free_estradiol_pg_ml


@given(
    tt=st.floats(50, 3000), age=st.floats(18, 90), shbg=st.floats(5, 149), ds=st.floats(0.01, 50)
)
def test_ft_decreasing_in_shbg(tt: float, age: float, shbg: float, ds: float) -> None:
    lo = predict(tt, age=age, shbg=shbg)
    hi = predict(tt, age=age, shbg=min(shbg + ds, 150))
    assert hi.free_testosterone_pg_ml < lo.free_testosterone_pg_ml


@given(tt=st.floats(50, 3000), age=st.floats(18, 90))
def test_band_contains_prediction(tt: float, age: float) -> None:
    r = predict(tt, age=age)
    assert r.estradiol_low_pg_ml < r.estradiol_pg_ml < r.estradiol_high_pg_ml
    assert r.dht_low_ng_dl < r.dht_ng_dl < r.dht_high_ng_dl


# --- observed vs predicted ----------------------------------------------------------------------


def test_observed_over_predicted_and_units() -> None:
    r = predict(500, age=30, measured_e2=20.886 * 2, measured_dht=38.734 / 2)
    assert r.estradiol_observed_to_predicted == pytest.approx(2.0, rel=1e-4)
    assert r.dht_observed_to_predicted == pytest.approx(0.5, rel=1e-4)
    assert any("observed estradiol above the band" in f for f in r.flags)
    assert any("observed DHT below the band" in f for f in r.flags)
    # same values in pmol/L and nmol/L
    s = predict(
        500,
        age=30,
        measured_e2=20.886 * 2 * E2_PMOL_PER_PG,
        e2_unit="pmol/L",
        measured_dht=38.734 / 2 / DHT_NG_DL_PER_NMOL,
        dht_unit="nmol/L",
    )
    assert s.estradiol_observed_to_predicted == pytest.approx(r.estradiol_observed_to_predicted)
    assert s.dht_observed_to_predicted == pytest.approx(r.dht_observed_to_predicted)
    within = predict(500, age=30, measured_e2=22, measured_dht=40)
    assert not any("observed" in f for f in within.flags)


def test_no_measured_values_no_ratio() -> None:
    r = predict(500, age=30)
    assert r.estradiol_observed_to_predicted is None
    assert r.dht_observed_to_predicted is None


# --- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "exc", "fragments"),
    [
        ((-5,), {}, InputError, ["total_t", "-5 ng/dL", "50–3000 ng/dL"]),
        ((49.9,), {}, InputError, ["total_t", "49.9 ng/dL", "50–3000 ng/dL"]),
        ((200,), {"unit": "nmol/L"}, InputError, ["total_t", "200 nmol/L", "1.734–104 nmol/L"]),
        ((500,), {"age": 17}, InputError, ["age", "17 years", "18–90 years"]),
        ((500,), {"age": 91}, InputError, ["age", "91 years", "18–90 years"]),
        ((500,), {"shbg": 151}, InputError, ["shbg", "151 nmol/L", "5–150 nmol/L"]),
        ((500,), {"albumin": 2.4}, InputError, ["albumin", "2.4 g/dL", "2.5–5.5 g/dL"]),
        ((), {"dose_mg_week": 20}, InputError, ["dose_mg_week", "20 mg/week", "25–600 mg/week"]),
        ((), {"dose_mg_week": 601}, InputError, ["dose_mg_week", "601 mg/week", "25–600 mg/week"]),
        ((500,), {"dose_mg_week": 100}, InputError, ["total_t", "dose_mg_week", "not both"]),
        ((), {}, ParseError, ["total_t", "missing", "dose_mg_week"]),
        ((500,), {"measured_e2": 0}, InputError, ["measured_e2", "0 pg/mL", "0.5–1000 pg/mL"]),
        (
            (500,),
            {"measured_dht": 2000},
            InputError,
            ["measured_dht", "2000 ng/dL", "1–1000 ng/dL"],
        ),
        (("1,5",), {}, ParseError, ["total_t", "`1,5`", "decimal separator"]),
        ((500,), {"age": "forty"}, ParseError, ["age", "`forty`", "years"]),
        ((500,), {"unit": "ng/mL"}, UnitError, ["unit", "'ng/mL'", "ng/dL, nmol/L"]),
        ((500,), {"measured_e2": 20, "e2_unit": "ng/L"}, UnitError, ["e2_unit", "pg/mL, pmol/L"]),
        (
            (500,),
            {"measured_dht": 20, "dht_unit": "x"},
            UnitError,
            ["dht_unit", "ng/dL, nmol/L, pg/mL"],
        ),
        (
            (500,),
            {"albumin": 40, "albumin_unit": "mg/dL"},
            UnitError,
            ["albumin_unit", "g/dL, g/L"],
        ),
    ],
)
def test_bad_input_names_field_value_and_accepted(
    args: tuple[object, ...], kwargs: dict[str, object], exc: type[Exception], fragments: list[str]
) -> None:
    with pytest.raises(exc) as info:
        predict(*args, **kwargs)  # type: ignore[arg-type]
    assert type(info.value) is exc
    for fragment in fragments:
        assert fragment in str(info.value)


def test_parse_inputs_defaults_by_hand() -> None:
    # issue 22: the parsing step alone. SHBG at 45 y, linear between 33 nmol/L at 35 y and
    # 52 nmol/L at 59 y (docs/methods/hormones.md §3): 33 + (45 − 35)/(59 − 35) × (52 − 33) = 40.9167;
    # albumin 43 g/L = 4.3 g/dL; TT 20 nmol/L × 28.84 = 576.8 ng/dL; E2 100 pmol/L ÷ 3.6714 pg/mL.
    from endolab.hormones.predictor import parse_inputs

    inp = parse_inputs(
        "20", "nmol/L", "45", None, "43", albumin_unit="g/L", measured_e2="100", e2_unit="pmol/L"
    )
    assert inp.total_t_ng_dl == pytest.approx(576.8)
    assert inp.shbg_assumed and inp.shbg_nmol_l == pytest.approx(33 + 10 / 24 * 19)
    assert not inp.albumin_assumed and inp.albumin_g_dl == pytest.approx(4.3)
    # (converted values are kept to 5 significant figures: 27.238)
    assert inp.estradiol_measured_pg_ml == pytest.approx(100 / 3.6714, rel=1e-4)
    assert (inp.age_given, inp.dose_mg_week) == (45.0, None)
    # dose mode: 125 mg/week → the Bhasin 2001 mean trough 542 ng/dL; no age → 47 y
    dose = parse_inputs(dose_mg_week="125")
    assert (dose.total_t_ng_dl, dose.dose_mg_week, dose.age_years, dose.age_given) == (
        542.0,
        125.0,
        47.0,
        None,
    )
