"""Bands of free T, bioavailable T and free E2 (issue 12; endolab.hormones.bands).

Expected values are hand calculations written out here: the Vermeulen 1999 quadratic (docs/methods/hormones.md §2.1)
solved in the test, the SHBG reference interval typed from its source (Allina Health
Laboratories, SHBG ECLIA, men 20–49 y: 16.5–55.9 nmol/L), and the Fiers 2018 ratio range.
"""

from __future__ import annotations

import math

import pytest

from endolab.hormones import predict
from endolab.hormones.bands import (
    DEFAULT_SPREAD,
    InputRange,
    rss_band,
    shbg_population_interval,
    shbg_range,
)
from tests.hormones.band_keys import BAND_KEYS


def _vermeulen_pg_ml(tt_ng_dl: float, shbg_nmol_l: float, alb_g_dl: float = 4.3) -> float:
    """Free T [pg/mL]: a·FT² + b·FT + c = 0 with a = N·K, b = N + K(SHBG − TT), c = −TT (mol/L)."""
    k_shbg, k_alb = 1.0e9, 3.6e4
    tt = tt_ng_dl / 28.84 * 1e-9
    n = 1 + k_alb * alb_g_dl * 10 / 69000
    a, b, c = n * k_shbg, n + k_shbg * (shbg_nmol_l * 1e-9 - tt), -tt
    ft = (-b + math.sqrt(b * b - 4 * a * c)) / (2 * a)
    return ft * 1e9 * 28.84 * 10


def test_issue_example_values() -> None:
    # the issue's numbers: TT 650 ng/dL with SHBG 20 / 41 / 70 → free T 182 / 125 / 84 pg/mL
    assert [round(_vermeulen_pg_ml(650, s)) for s in (20, 41, 70)] == [182, 125, 84]


def test_band_at_tt_650_age_45_contains_free_t_at_sourced_shbg_limits() -> None:
    """Must show (issue 12): TT 650 ng/dL, age 45, SHBG assumed."""
    r = predict(650, age=45)
    assert r.shbg_assumed is True
    low_shbg, high_shbg = 16.5, 55.9  # Allina SHBG ECLIA, men 20–49 y
    assert shbg_population_interval(45)[2:4] == (low_shbg, high_shbg)
    ft_at_high_shbg = _vermeulen_pg_ml(650, high_shbg)  # ≈ 96 pg/mL
    ft_at_low_shbg = _vermeulen_pg_ml(650, low_shbg)  # ≈ 205 pg/mL
    assert r.free_testosterone_low_pg_ml <= ft_at_high_shbg
    assert r.free_testosterone_high_pg_ml >= ft_at_low_shbg
    assert (
        r.free_testosterone_low_pg_ml < r.free_testosterone_pg_ml < r.free_testosterone_high_pg_ml
    )
    # SHBG dominates: the other spreads (albumin 3.5–5.0 g/dL, TT assay) add at most a few %
    assert r.free_testosterone_low_pg_ml > 0.9 * ft_at_high_shbg
    assert r.free_testosterone_high_pg_ml < 1.1 * ft_at_low_shbg
    d = r.to_dict()
    for key in BAND_KEYS:
        assert key in d
    assert d["shbg_assumed"] is True
    assert d["bioavailable_testosterone_low_ng_dl"] < d["bioavailable_testosterone_ng_dl"]
    assert (
        d["free_estradiol_low_pg_ml"] < d["free_estradiol_pg_ml"] < d["free_estradiol_high_pg_ml"]
    )
    assert any(f.startswith("SHBG assumed") for f in r.flags)


def test_older_man_uses_the_older_interval() -> None:
    r = predict(650, age=65)
    assert r.free_testosterone_low_pg_ml <= _vermeulen_pg_ml(650, 76.4)
    assert r.free_testosterone_high_pg_ml >= _vermeulen_pg_ml(650, 19.3)


def test_measured_shbg_narrows_to_assay_and_model() -> None:
    assumed = predict(650, age=45)
    measured = predict(650, age=45, shbg=40.92, albumin=4.3)
    assert measured.shbg_assumed is False
    assert not any(f.startswith("SHBG assumed") for f in measured.flags)
    width = lambda r: r.free_testosterone_high_pg_ml / r.free_testosterone_low_pg_ml  # noqa: E731
    assert width(measured) < width(assumed)
    # at least the model's own scatter (Fiers 2018: cFT/ED 0.90–1.47 around 1.19)
    ft = measured.free_testosterone_pg_ml
    assert measured.free_testosterone_low_pg_ml <= ft * 1.19 / 1.47
    assert measured.free_testosterone_high_pg_ml >= ft * 1.19 / 0.90


def test_dose_mode_band_includes_spread_of_total_t() -> None:
    dose = predict(None, dose_mg_week=125, age=45, shbg=40.92, albumin=4.3)
    same_tt = predict(542, age=45, shbg=40.92, albumin=4.3)
    assert dose.total_testosterone_ng_dl == 542.0
    assert dose.free_testosterone_low_pg_ml < same_tt.free_testosterone_low_pg_ml
    assert dose.free_testosterone_high_pg_ml > same_tt.free_testosterone_high_pg_ml
    # the total-T spread (264/531 … 916/531 × 542 = 269 … 935 ng/dL) alone moves free T this far
    assert dose.free_testosterone_low_pg_ml <= _vermeulen_pg_ml(542 * 264 / 531, 40.92)
    assert dose.free_testosterone_high_pg_ml >= _vermeulen_pg_ml(542 * 916 / 531, 40.92)
    assert dose.estradiol_high_pg_ml / dose.estradiol_pg_ml > 1.6


def test_shbg_range_contains_the_assumed_value() -> None:
    r = shbg_range(80.0, assumed=True, age_years=45)
    assert (r.low, r.high) == (16.5, 80.0)


def test_rss_band_one_source_is_exact() -> None:
    (band,) = rss_band(lambda x: (1.0 / x,), [2.0], [InputRange(1.0, 4.0, "")])
    assert band == pytest.approx((0.25, 1.0))


def test_default_spread_numbers() -> None:
    assert DEFAULT_SPREAD.model_range.low == pytest.approx(1.19 / 1.47)
    assert DEFAULT_SPREAD.dose_total_t_high_ratio == pytest.approx(916 / 531)


def test_free_t_command_band_widens_when_albumin_is_assumed() -> None:
    from endolab.hormones import free_testosterone

    given = free_testosterone(650, 40, 4.3)
    assumed = free_testosterone(650, 40)
    assert assumed.albumin_assumed and not given.albumin_assumed
    assert given.free_testosterone_low_pg_ml is not None
    assert assumed.free_testosterone_low_pg_ml is not None
    assert assumed.free_testosterone_low_pg_ml < given.free_testosterone_low_pg_ml
    # albumin 5.0 g/dL (top of the normal range) lowers free T: the band reaches below it
    assert assumed.free_testosterone_low_pg_ml <= _vermeulen_pg_ml(650, 40, 5.0)
    assert assumed.free_testosterone_high_pg_ml is not None
    assert assumed.free_testosterone_high_pg_ml >= _vermeulen_pg_ml(650, 40, 3.5)
