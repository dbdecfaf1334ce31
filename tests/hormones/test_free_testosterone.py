"""Free testosterone: ISSAM worked example, the spec's vectors, the quadratic, properties, errors.

Expected values come from docs/methods/hormones.md §2.3/§2.4 (ISSAM page issam.ch/freetesuit.html worked
example, reproduced there by four independent routes) and from hand arithmetic written out below.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from endolab.errors import InputError, ParseError, UnitError
from endolab.hormones import (
    BINDING_CONSTANTS,
    emadi_konjin_2003,
    free_testosterone,
    ross_2005,
    sodergard_1982,
    vermeulen_1999,
)
from endolab.hormones.free_testosterone import mass_action_coefficients, mass_action_free_t

ALB_43 = 43 / 69000  # 4.3 g/dL = 43 g/L ÷ 69,000 g/mol [mol/L]


def test_issam_intermediates_a_b_c() -> None:
    # ISSAM page: "23.43 x10⁹ [S]² + 53.43 [S] − 10 10⁻⁹ = 0"
    # Hand: N = 1 + 3.6e4 × 43/69000 = 1 + 22.4348 = 23.4348
    #       a = N × 1e9 = 23.4348e9; b = N + 1e9 × (40e-9 − 10e-9) = 23.4348 + 30 = 53.4348
    #       c = −TT = −1.0e-8 mol/L
    a, b, c = mass_action_coefficients(10e-9, 40e-9, ALB_43, k_shbg=1e9, k_albumin=3.6e4)
    assert f"{a / 1e9:.2f}" == "23.43"
    assert f"{b:.2f}" == "53.43"
    assert c == pytest.approx(-1.0e-8, rel=1e-12)
    assert a == pytest.approx(1e9 * (1 + 3.6e4 * 43 / 69000), rel=1e-12)


def test_issam_worked_example_to_3_significant_figures() -> None:
    # ISSAM: TT 288.4 ng/dL (= 10 nmol/L), SHBG 40 nmol/L, albumin 4.3 g/dL → FT 1.7388 %,
    # FT 5.015 ng/dL = 50.1 pg/mL, BAT 118 ng/dL; FT = 1.73884e-10 mol/L by four routes (docs/methods/hormones.md §2.3).
    r = free_testosterone(288.4, 40, 4.3)
    assert f"{r.free_testosterone_pg_ml:.3g}" == "50.1"
    assert f"{r.free_testosterone_percent:.3g}" == "1.74"
    assert f"{r.bioavailable_testosterone_ng_dl:.3g}" == "118"
    assert f"{r.free_testosterone_nmol_l:.3g}" == "0.174"
    assert r.free_testosterone_nmol_l == pytest.approx(0.173884, rel=1e-5)
    # the ISSAM page's own arithmetic: 1.7388 % × 288.4 ng/dL = 5.015 ng/dL
    assert r.free_testosterone_ng_dl == pytest.approx(5.015, rel=5e-4)


# docs/methods/hormones.md §2.3 table (tolerance ±0.5 %): TT ng/dL, SHBG nmol/L, albumin g/dL,
# FT pg/mL, FT nmol/L, FT %, BAT ng/dL
FT_VECTORS = [
    ("TV-FT-1", 288.4, 40, 4.3, 50.148, 0.173884, 1.7388, 117.52),
    ("TV-FT-2", 300, 53, 4.2, 43.499, 0.150829, 1.45, 99.67),
    ("TV-FT-3", 300, 33, 4.3, 59.022, 0.204653, 1.9674, 138.317),
    ("TV-FT-4", 500, 33, 4.3, 104.980, 0.364008, 2.0996, 246.018),
]


@pytest.mark.parametrize(("vid", "tt", "shbg", "alb", "ft_pg", "ft_nm", "pct", "bat"), FT_VECTORS)
def test_spec_free_t_vectors(
    vid: str, tt: float, shbg: float, alb: float, ft_pg: float, ft_nm: float, pct: float, bat: float
) -> None:
    r = free_testosterone(tt, shbg, alb)
    assert r.free_testosterone_pg_ml == pytest.approx(ft_pg, rel=5e-3), vid
    assert r.free_testosterone_nmol_l == pytest.approx(ft_nm, rel=5e-3), vid
    assert r.free_testosterone_percent == pytest.approx(pct, rel=5e-3), vid
    assert r.bioavailable_testosterone_ng_dl == pytest.approx(bat, rel=5e-3), vid


def test_sodergard_constants_vector() -> None:
    # docs/methods/hormones.md §2.4: TT 500 ng/dL, SHBG 33, albumin 4.3, Södergård 1982 → 119 pg/mL (2.37 %), BAT 312 ng/dL
    r = free_testosterone(500, 33, 4.3, method="sodergard1982")
    assert f"{r.free_testosterone_pg_ml:.3g}" == "119"
    assert f"{r.free_testosterone_percent:.3g}" == "2.37"
    assert f"{r.bioavailable_testosterone_ng_dl:.3g}" == "312"
    assert r.method == "sodergard1982"
    tt = 500 / 28.84 * 1e-9
    assert sodergard_1982(tt, 33e-9, ALB_43) * 1e9 == pytest.approx(r.free_testosterone_nmol_l)


def test_emadi_konjin_constants_vector() -> None:
    # docs/methods/hormones.md §2.4: TT 500 ng/dL, SHBG 33, albumin 4.3, Emadi-Konjin 2003 → 135 pg/mL (2.70 %),
    # BAT 123 ng/dL. Hand check of BAT: N = 1 + 1.3e4 × 43/69000 = 9.101; 13.5 ng/dL × 9.101 = 122.9.
    r = free_testosterone(500, 33, 4.3, method="emadikonjin2003")
    assert f"{r.free_testosterone_pg_ml:.3g}" == "135"
    assert f"{r.free_testosterone_percent:.2f}" == "2.70"
    assert f"{r.bioavailable_testosterone_ng_dl:.3g}" == "123"
    tt = 500 / 28.84 * 1e-9
    assert emadi_konjin_2003(tt, 33e-9, ALB_43) * 1e9 == pytest.approx(r.free_testosterone_nmol_l)


@pytest.mark.parametrize(
    ("tt_nm", "shbg_nm", "alb_g_l"), [(17.3, 33, 43), (5, 80, 35), (60, 10, 50)]
)
def test_ross_constants_against_bisection(tt_nm: float, shbg_nm: float, alb_g_l: float) -> None:
    # Ross 2005 has no worked value in the spec: check the closed form against an independent
    # bisection of the mass balance with K_SHBG 1.13e9 and K_alb 4.4e4 L/mol (docs/methods/hormones.md §2.4).
    tt, shbg, alb = tt_nm * 1e-9, shbg_nm * 1e-9, alb_g_l / 69000
    assert ross_2005(tt, shbg, alb) == pytest.approx(
        _bisect_free_t(tt, shbg, alb, 1.13e9, 4.4e4), rel=1e-10
    )
    r = free_testosterone(tt_nm * 28.84, shbg_nm, alb_g_l / 10, method="ross2005")
    assert r.free_testosterone_nmol_l == pytest.approx(ross_2005(tt, shbg, alb) * 1e9)


def test_albumin_molar_mass_sensitivity_from_spec() -> None:
    # docs/methods/hormones.md §2.1: with 66,500 g/mol the ISSAM example's FT falls from 5.015 to 4.936 ng/dL (−1.6 %)
    ft = vermeulen_1999(10e-9, 40e-9, 43 / 66500)
    assert ft * 1e9 * 288.4 / 10 == pytest.approx(4.936, rel=5e-4)


def _bisect_free_t(tt: float, shbg: float, alb: float, ks: float, ka: float) -> float:
    """Independent route: bisection on the mass balance TT = FT·N + SHBG·K·FT/(1 + K·FT)."""
    n = 1 + ka * alb
    lo, hi = 0.0, tt
    for _ in range(200):
        mid = (lo + hi) / 2
        bound = mid * n + shbg * ks * mid / (1 + ks * mid)
        lo, hi = (mid, hi) if bound < tt else (lo, mid)
    return (lo + hi) / 2


@pytest.mark.parametrize(
    ("tt_nm", "shbg_nm", "alb_g_l"),
    [(10, 40, 43), (1.7, 150, 25), (104, 5, 55), (60, 30, 43), (33.3, 33, 43)],
)
def test_closed_form_matches_bisection_on_both_branches(
    tt_nm: float, shbg_nm: float, alb_g_l: float
) -> None:
    tt, shbg, alb = tt_nm * 1e-9, shbg_nm * 1e-9, alb_g_l / 69000
    expected = _bisect_free_t(tt, shbg, alb, 1e9, 3.6e4)
    assert mass_action_free_t(tt, shbg, alb, k_shbg=1e9, k_albumin=3.6e4) == pytest.approx(
        expected, rel=1e-10
    )


def test_b_negative_branch_is_used() -> None:
    # b = N + K(SHBG − TT) < 0 when TT > SHBG + N/K: TT 104 nM, SHBG 5 nM → b = 23.4 + 1e9(−99e-9) < 0
    _, b, _ = mass_action_coefficients(104e-9, 5e-9, ALB_43, k_shbg=1e9, k_albumin=3.6e4)
    assert b < 0


@given(
    tt=st.floats(50, 2999),
    dt=st.floats(0.01, 500),
    shbg=st.floats(5, 150),
    alb=st.floats(2.5, 5.5),
)
def test_free_t_non_decreasing_in_total_t(tt: float, dt: float, shbg: float, alb: float) -> None:
    hi = min(tt + dt, 3000)
    assert (
        free_testosterone(hi, shbg, alb).free_testosterone_pg_ml
        >= free_testosterone(tt, shbg, alb).free_testosterone_pg_ml
    )


@given(
    tt=st.floats(50, 3000),
    shbg=st.floats(5, 149),
    ds=st.floats(0.01, 50),
    alb=st.floats(2.5, 5.5),
)
def test_free_t_decreasing_in_shbg(tt: float, shbg: float, ds: float, alb: float) -> None:
    hi = min(shbg + ds, 150)
    assert (
        free_testosterone(tt, hi, alb).free_testosterone_pg_ml
        < free_testosterone(tt, shbg, alb).free_testosterone_pg_ml
    )


@given(tt=st.floats(50, 3000), shbg=st.floats(5, 150), alb=st.floats(2.5, 5.5))
def test_solution_satisfies_mass_balance(tt: float, shbg: float, alb: float) -> None:
    r = free_testosterone(tt, shbg, alb)
    ft = r.free_testosterone_nmol_l * 1e-9
    n = 1 + 3.6e4 * alb * 10 / 69000
    total = ft * n + shbg * 1e-9 * 1e9 * ft / (1 + 1e9 * ft)
    assert total == pytest.approx(tt / 28.84 * 1e-9, rel=1e-9)
    assert 0 < r.free_testosterone_percent < 100


def test_nmol_unit_and_albumin_g_l_give_the_same_answer() -> None:
    a = free_testosterone(288.4, 40, 4.3)
    b = free_testosterone(10, 40, 43, unit="nmol/L", albumin_unit="g/L")
    assert b.free_testosterone_pg_ml == pytest.approx(a.free_testosterone_pg_ml, rel=1e-12)
    assert b.albumin_g_dl_used == pytest.approx(4.3)


def test_default_albumin_is_disclosed() -> None:
    r = free_testosterone(288.4, 40)
    assert r.albumin_g_dl_used == 4.3
    assert any("Albumin not given: 4.3 g/dL" in a for a in r.assumptions)
    assert not any("Albumin not given" in a for a in free_testosterone(288.4, 40, 4.3).assumptions)


def test_methods_are_the_published_constant_sets() -> None:
    assert set(BINDING_CONSTANTS) == {
        "vermeulen1999",
        "sodergard1982",
        "emadikonjin2003",
        "ross2005",
    }
    assert (
        BINDING_CONSTANTS["emadikonjin2003"].k_shbg,
        BINDING_CONSTANTS["emadikonjin2003"].k_albumin,
    ) == (
        1.4e9,
        1.3e4,
    )
    assert (BINDING_CONSTANTS["ross2005"].k_shbg, BINDING_CONSTANTS["ross2005"].k_albumin) == (
        1.13e9,
        4.4e4,
    )
    assert (
        BINDING_CONSTANTS["vermeulen1999"].k_shbg,
        BINDING_CONSTANTS["vermeulen1999"].k_albumin,
    ) == (
        1.0e9,
        3.6e4,
    )
    assert (
        BINDING_CONSTANTS["sodergard1982"].k_shbg,
        BINDING_CONSTANTS["sodergard1982"].k_albumin,
    ) == (
        5.97e8,
        4.06e4,
    )


@pytest.mark.parametrize(
    ("kwargs", "exc", "fragments"),
    [
        ({"total_t": -5, "shbg": 40}, InputError, ["total_t", "-5 ng/dL", "50–3000 ng/dL"]),
        ({"total_t": 3001, "shbg": 40}, InputError, ["total_t", "3001 ng/dL", "50–3000 ng/dL"]),
        ({"total_t": 300, "shbg": 4}, InputError, ["shbg", "4 nmol/L", "5–150 nmol/L"]),
        (
            {"total_t": 300, "shbg": 40, "albumin": 6},
            InputError,
            ["albumin", "6 g/dL", "2.5–5.5 g/dL"],
        ),
        (
            {"total_t": 300, "shbg": 40, "albumin": 60, "albumin_unit": "g/L"},
            InputError,
            ["albumin", "60 g/L", "25–55 g/L", "2.5–5.5 g/dL"],
        ),
        ({"total_t": "abc", "shbg": 40}, ParseError, ["total_t", "`abc`", "ng/dL"]),
        ({"total_t": float("nan"), "shbg": 40}, ParseError, ["total_t", "nan", "finite"]),
        (
            {"total_t": 300, "shbg": 40, "unit": "mg/dL"},
            UnitError,
            ["unit", "'mg/dL'", "ng/dL, nmol/L"],
        ),
        (
            {"total_t": 300, "shbg": 40, "method": "zakharov2015"},
            InputError,
            ["method", "zakharov2015", "vermeulen1999"],
        ),
    ],
)
def test_bad_input_names_field_value_and_accepted(
    kwargs: dict[str, object], exc: type[Exception], fragments: list[str]
) -> None:
    with pytest.raises(exc) as info:
        free_testosterone(**kwargs)  # type: ignore[arg-type]
    assert type(info.value) is exc
    for fragment in fragments:
        assert fragment in str(info.value)


def test_range_limits_are_inclusive() -> None:
    assert math.isfinite(free_testosterone(50, 5, 2.5).free_testosterone_pg_ml)
    assert math.isfinite(free_testosterone(3000, 150, 5.5).free_testosterone_pg_ml)
    # 104.0222 nmol/L is 3000 ng/dL to rounding: accepted
    assert free_testosterone(
        3000 / 28.84, 40, unit="nmol/L"
    ).total_testosterone_ng_dl == pytest.approx(3000)
