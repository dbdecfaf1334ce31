"""An independent re-implementation of docs/methods/hormones.md §2.1, §2.7, §3 and §5.1–§5.4, compared with
the library over a dense grid.

Everything in the ``spec_*`` functions below is written from the spec text alone (plain Python
``math``; nothing is imported from ``endolab.hormones`` except the public API under test): the
Vermeulen quadratic (docs/methods/hormones.md §2.1), the free-E2 fraction with T competing for SHBG (docs/methods/hormones.md §2.7), the age-based
defaults (docs/methods/hormones.md §3, §5.1 "Age handling"), the Michaelis–Menten chain (docs/methods/hormones.md §5.1) with the constants of docs/methods/hormones.md §5.2,
and the two calibration constants derived here from the docs/methods/hormones.md §5.4 anchors (not typed in from docs/methods/hormones.md §5.2).

The re-implementation is first checked against every number the spec publishes (docs/methods/hormones.md §2.3, §2.4, §5.2,
docs/methods/hormones.md §5.4, §5.5, §5.6), so that it is itself an independent source; the library is then compared with it
over ages 18/25/30/35/40/47/50/59/65/70/90 and a missing age, TT 50–3000 ng/dL, SHBG given
(5, 20, 33, 52, 150) or defaulted, albumin 2.5/4.3/5.5 g/dL, TT in nmol/L, and the dose path.

Tolerance of the comparison: 1e-6 relative (two faithful implementations differ only by floating-point
rounding, ~1e-13); the acceptance tolerance is 0.5 % (issue 2) and this review treats > 0.1 % as a
finding.
"""

from __future__ import annotations

import json
import math
from typing import NamedTuple

import pytest
from typer.testing import CliRunner

from endolab.cli import app
from endolab.errors import InputError, ParseError
from endolab.hormones import HormonePrediction, free_estradiol, free_testosterone, predict
from tests.hormones.band_keys import BAND_KEYS, PREDICT_BAND_EXTRA

# --------------------------------------------------------------------------------------------------
# The spec, re-implemented
# --------------------------------------------------------------------------------------------------

# docs/methods/hormones.md §2.1 (ISSAM constants, verbatim): K_SHBG = 1.0e9, K_alb = 3.6e4 L/mol, albumin MW 69,000 g/mol
K_SHBG_T = 1.0e9
K_ALB_T = 3.6e4
ALB_MW = 69000.0
# docs/methods/hormones.md §2.7 / §5.2 (Södergård 1982, 37 °C): K_SHBG-E2 = 3.14e8, K_alb-E2 = 4.21e4 L/mol
K_SHBG_E2 = 3.14e8
K_ALB_E2 = 4.21e4
# docs/methods/hormones.md §5.2: Km (Lakshman 2010 abstract) and the older/young E2 Vmax ratio
KM_AROM = 1.83  # nM
KM_5AR = 3.35  # nM
OLDER_YOUNG_VMAX = 1.40
# docs/methods/hormones.md §2.2 / §5.1 conversions, written as the spec writes them
T_NGDL_PER_NM = 28.84  # "TT = TT_ngdl / 28.84 * 1e-9"
# docs/methods/hormones.md §2.2: "pg/mL × 3.671 = pmol/L (1000/272.38 = 3.6714)"; docs/methods/hormones.md §5.1 writes the rounded 3.6714. The
# spec's own docs/methods/hormones.md §5.5 five-figure values need the unrounded 1000/272.38 (with 3.6714, E2 at TT 1000 is
# 37.3082, not the published 37.309), so the molar-mass form is the spec's factor.
E2_PMOL_PER_PG = 1000 / 272.38
DHT_NGDL_PER_NM = 29.044  # "DHT_ngdl = DHT_nM * 29.044"
# docs/methods/hormones.md §3 defaults
ALB_DEFAULT = 4.3  # g/dL
SHBG_YOUNG, SHBG_OLDER = 33.0, 52.0  # nmol/L at ≤ 35 y and ≥ 59 y
AGE_YOUNG_MAX, AGE_OLDER_MIN = 35.0, 59.0
AGE_MISSING = 47.0
# docs/methods/hormones.md §5.7 band ×/÷ 1.6 [A]
BAND = 1.6


def spec_free_t(
    tt: float, shbg: float, alb: float, ks: float = K_SHBG_T, ka: float = K_ALB_T
) -> float:
    """docs/methods/hormones.md §2.1: positive root of a·FT² + b·FT + c = 0 (mol/L in, mol/L out)."""
    n = 1 + ka * alb  # N = 1 + K_alb * Alb
    a = n * ks  # a = N * K_SHBG
    b = n + ks * (shbg - tt)  # b = N + K_SHBG * (SHBG - TT)
    c = -tt  # c = -TT
    disc = math.sqrt(b * b - 4 * a * c)
    # docs/methods/hormones.md §2.1: "use FT = 2*TT / (b + sqrt(b^2+4*a*TT)) when b>0 (no cancellation)"
    return 2 * tt / (b + disc) if b > 0 else (-b + disc) / (2 * a)


def spec_f_e2(ft: float, shbg: float, alb: float) -> float:
    """docs/methods/hormones.md §2.7: free E2 fraction with T occupying SHBG (all mol/L)."""
    shbg_unoccupied = shbg / (1 + K_SHBG_T * ft)
    return 1 / (1 + K_ALB_E2 * alb + K_SHBG_E2 * shbg_unoccupied)


def spec_age_weight(age: float | None) -> float:
    """docs/methods/hormones.md §3 / §5.1 "Age handling": missing age → 47 y; 0 at ≤ 35 y, 1 at ≥ 59 y, linear between."""
    a = AGE_MISSING if age is None else age
    if a <= AGE_YOUNG_MAX:
        return 0.0
    if a >= AGE_OLDER_MIN:
        return 1.0
    return (a - AGE_YOUNG_MAX) / (AGE_OLDER_MIN - AGE_YOUNG_MAX)


def spec_default_shbg(age: float | None) -> float:
    """docs/methods/hormones.md §3: 33 nmol/L (≤ 35 y), 52 nmol/L (≥ 59 y), linear between; missing age → 47 y."""
    return SHBG_YOUNG + spec_age_weight(age) * (SHBG_OLDER - SHBG_YOUNG)


def spec_fa(age: float | None) -> float:
    """docs/methods/hormones.md §5.1: aromatase_age_factor 1.0 (≤ 35 y) … 1.4 (≥ 59 y), linear; missing age → 47 y."""
    return 1 + spec_age_weight(age) * (OLDER_YOUNG_VMAX - 1)


def _ft_nm(tt_ngdl: float, shbg_nmol: float, alb_gdl: float, ks: float = K_SHBG_T) -> float:
    # docs/methods/hormones.md §5.1: TT = TT_ngdl / 28.84 * 1e-9; SHBG = SHBG_nmol * 1e-9; Alb = Alb_gdl * 10 / 69000
    return (
        spec_free_t(tt_ngdl / T_NGDL_PER_NM * 1e-9, shbg_nmol * 1e-9, alb_gdl * 10 / ALB_MW, ks)
        * 1e9
    )


def spec_vmax_e2_young(km_scale: float = 1.0) -> float:
    """docs/methods/hormones.md §5.4 E2 anchor: HIMS TT 13.1 nmol/L, E2 73.4 pmol/L, SHBG 52, albumin 4.3, fa 1.4 → pmol/L."""
    tt_ngdl = 13.1 * T_NGDL_PER_NM
    ft = _ft_nm(tt_ngdl, 52.0, 4.3)
    free_e2 = 73.4 * spec_f_e2(ft * 1e-9, 52e-9, 4.3 * 10 / ALB_MW)  # pmol/L
    vmax_old = free_e2 * (KM_AROM * km_scale + ft) / ft  # VMAX_E2_OLD = freeE2·(Km + FT_nM)/FT_nM
    return vmax_old / OLDER_YOUNG_VMAX  # VMAX_E2_YOUNG = VMAX_E2_OLD / 1.4


def spec_c_dht(km_scale: float = 1.0) -> float:
    """docs/methods/hormones.md §5.4 DHT anchor: DHT:T = 1:13 by mass at TT 531 ng/dL, SHBG 33, albumin 4.3 → nmol/L."""
    ratio_molar = (1 / 13) * 28.84 / 29.044  # "molar = mass × 28.84/29.044 = ×0.99298"
    ft = _ft_nm(531.0, 33.0, 4.3)
    return ratio_molar * (KM_5AR * km_scale + ft)  # C_DHT = ratio_molar·(3.35 + FT_nM)


class Spec(NamedTuple):
    ft_pg_ml: float
    ft_percent: float
    bat_ng_dl: float
    e2_pg_ml: float
    free_e2_pg_ml: float
    dht_ng_dl: float
    e2_t_molar: float
    dht_t_mass: float
    shbg_used: float


def spec_predict(
    tt_ngdl: float,
    age: float | None = None,
    shbg_nmol: float | None = None,
    alb_gdl: float | None = None,
    km_scale: float = 1.0,
) -> Spec:
    """docs/methods/hormones.md §5.1 equations, with the docs/methods/hormones.md §3 defaults."""
    alb_gdl = ALB_DEFAULT if alb_gdl is None else alb_gdl
    shbg_nmol = spec_default_shbg(age) if shbg_nmol is None else shbg_nmol
    tt = tt_ngdl / T_NGDL_PER_NM * 1e-9  # mol/L
    shbg = shbg_nmol * 1e-9
    alb = alb_gdl * 10 / ALB_MW
    ft = spec_free_t(tt, shbg, alb)  # docs/methods/hormones.md §2.1
    ft_nm = ft * 1e9
    n = 1 + K_ALB_T * alb
    # Estradiol: freeE2 = VMAX_E2_YOUNG · fa · FT_nM / (KM_AROM + FT_nM)   [pmol/L → mol/L]
    free_e2 = spec_vmax_e2_young(km_scale) * spec_fa(age) * ft_nm / (KM_AROM * km_scale + ft_nm)
    free_e2 *= 1e-12
    e2_total = free_e2 / spec_f_e2(ft, shbg, alb)  # docs/methods/hormones.md §2.7
    e2_pgml = e2_total * 1e12 / E2_PMOL_PER_PG
    # DHT: DHT_nM = C_DHT · TT_nM / (KM_5AR + FT_nM); DHT_ngdl = DHT_nM · 29.044
    dht_nm = spec_c_dht(km_scale) * (tt * 1e9) / (KM_5AR * km_scale + ft_nm)
    dht_ngdl = dht_nm * DHT_NGDL_PER_NM
    return Spec(
        # docs/methods/hormones.md §2.2: nmol/L × 28.84 = ng/dL; ng/dL × 10 = pg/mL
        ft_pg_ml=ft_nm * T_NGDL_PER_NM * 10,
        ft_percent=100 * ft / tt,  # docs/methods/hormones.md §2.1 FT% = 100·FT/TT
        bat_ng_dl=n * ft_nm * T_NGDL_PER_NM,  # docs/methods/hormones.md §2.1 BAT = N·FT
        e2_pg_ml=e2_pgml,
        free_e2_pg_ml=free_e2 * 1e12 / E2_PMOL_PER_PG,
        dht_ng_dl=dht_ngdl,
        e2_t_molar=e2_total / tt,  # docs/methods/hormones.md §5.1 E2:T (molar)
        dht_t_mass=dht_ngdl / tt_ngdl,  # docs/methods/hormones.md §5.1 DHT:T (mass)
        shbg_used=shbg_nmol,
    )


def spec_free_estradiol(e2_pgml: float, tt_ngdl: float, shbg_nmol: float, alb_gdl: float) -> float:
    """docs/methods/hormones.md §2.7 free E2 [pg/mL] = f_E2 · total E2, FT by docs/methods/hormones.md §2.1."""
    alb = alb_gdl * 10 / ALB_MW
    ft = spec_free_t(tt_ngdl / T_NGDL_PER_NM * 1e-9, shbg_nmol * 1e-9, alb)
    return spec_f_e2(ft, shbg_nmol * 1e-9, alb) * e2_pgml


def three_sf(x: float) -> float:
    return float(f"{x:.3g}")


# --------------------------------------------------------------------------------------------------
# 1. The re-implementation reproduces every number the spec publishes (it is an independent source)
# --------------------------------------------------------------------------------------------------


def test_reimplementation_reproduces_section_5_2_constants() -> None:
    # docs/methods/hormones.md §5.2: VMAX_E2_YOUNG 13.2685 pmol/L (older 18.5759), C_DHT 0.285697 nmol/L
    assert spec_vmax_e2_young() == pytest.approx(13.2685, abs=5e-5)
    assert spec_vmax_e2_young() * 1.4 == pytest.approx(18.5759, abs=5e-5)
    assert spec_c_dht() == pytest.approx(0.285697, abs=5e-7)


def test_reimplementation_reproduces_issam_intermediates() -> None:
    # docs/methods/hormones.md §2.3: a = 23.43e9, b = 53.43, c = −1.0e-8 for TT 10 nM, SHBG 40 nM, albumin 43 g/L
    n = 1 + K_ALB_T * 43 / ALB_MW
    assert f"{n * K_SHBG_T / 1e9:.2f}" == "23.43"
    assert f"{n + K_SHBG_T * (40e-9 - 10e-9):.2f}" == "53.43"
    assert spec_free_t(10e-9, 40e-9, 43 / ALB_MW) == pytest.approx(1.73884e-10, rel=5e-6)


# docs/methods/hormones.md §2.3 (TT, SHBG, albumin, FT pg/mL, FT nmol/L, FT %, BAT ng/dL), the more precise figures
FT_TABLE = [
    ("TV-FT-1", 288.4, 40, 4.3, 50.148, 0.173884, 1.7388, 117.52),
    ("TV-FT-2", 300, 53, 4.2, 43.499, 0.150829, 1.45, 99.67),
    ("TV-FT-3", 300, 33, 4.3, 59.022, 0.204653, 1.9674, 138.317),
    ("TV-FT-4", 500, 33, 4.3, 104.980, 0.364008, 2.0996, 246.018),
]


@pytest.mark.parametrize(("vid", "tt", "shbg", "alb", "pg", "nm", "pct", "bat"), FT_TABLE)
def test_reimplementation_and_library_reproduce_section_2_3(
    vid: str, tt: float, shbg: float, alb: float, pg: float, nm: float, pct: float, bat: float
) -> None:
    s = spec_predict(tt, age=30, shbg_nmol=shbg, alb_gdl=alb)
    ft_nm = s.ft_pg_ml / (T_NGDL_PER_NM * 10)
    # the spec's extra digits: FT to its 5–6 s.f. (TV-FT-2's FT % is printed to 3 s.f. only)
    assert s.ft_pg_ml == pytest.approx(pg, abs=6e-3), vid
    assert ft_nm == pytest.approx(nm, abs=6e-7), vid
    assert three_sf(s.ft_percent) == three_sf(pct), vid
    assert s.bat_ng_dl == pytest.approx(bat, rel=1e-4), vid
    # every published docs/methods/hormones.md §2.3 vector through the public API, to the spec's 0.5 % and to 3 s.f.
    r = free_testosterone(tt, shbg, alb)
    for got, want in (
        (r.free_testosterone_pg_ml, pg),
        (r.free_testosterone_nmol_l, nm),
        (r.free_testosterone_percent, pct),
        (r.bioavailable_testosterone_ng_dl, bat),
    ):
        assert got == pytest.approx(want, rel=5e-3), vid
        assert three_sf(got) == three_sf(want), vid


@pytest.mark.parametrize(
    ("ks", "ka", "pg", "pct", "bat"),
    [
        (5.97e8, 4.06e4, 119, 2.37, 312),
        (1.4e9, 1.3e4, 135, 2.70, 123),
        (1.0e9, 3.6e4, 105, 2.10, 246),
    ],
)
def test_reimplementation_reproduces_section_2_4(
    ks: float, ka: float, pg: float, pct: float, bat: float
) -> None:
    # docs/methods/hormones.md §2.4: TT 500 ng/dL, SHBG 33, albumin 4.3 with each constant set
    tt, alb = 500 / T_NGDL_PER_NM * 1e-9, 43 / ALB_MW
    ft = spec_free_t(tt, 33e-9, alb, ks, ka)
    assert three_sf(ft * 1e9 * T_NGDL_PER_NM * 10) == pg
    assert three_sf(100 * ft / tt) == pct
    assert three_sf((1 + ka * alb) * ft * 1e9 * T_NGDL_PER_NM) == bat


# docs/methods/hormones.md §5.5: age 30, default SHBG, albumin 4.3 — TT, FT, E2 (5 s.f.), free E2, DHT (5 s.f.), E2:T, 1:x
PREDICTOR_TABLE = [
    (300, 59.0, 13.028, 0.364, 24.282, 4.60e-3, 12.4),
    (500, 105, 20.886, 0.600, 38.734, 4.42e-3, 12.9),
    (700, 156, 28.013, 0.825, 51.758, 4.24e-3, 13.5),
    (1000, 242, 37.309, 1.13, 68.705, 3.95e-3, 14.6),
    (1500, 403, 49.400, 1.57, 90.889, 3.49e-3, 16.5),
    (2500, 771, 64.492, 2.15, 119.40, 2.73e-3, 20.9),
]


@pytest.mark.parametrize(("tt", "ft", "e2", "fe2", "dht", "e2t", "dhtt"), PREDICTOR_TABLE)
def test_reimplementation_and_library_reproduce_section_5_5(
    tt: float, ft: float, e2: float, fe2: float, dht: float, e2t: float, dhtt: float
) -> None:
    for label, got in (
        ("re-implementation", spec_predict(tt, age=30)),
        ("library", _lib(predict(tt, age=30))),
    ):
        assert got.shbg_used == 33.0, label
        assert three_sf(got.ft_pg_ml) == ft, label
        assert got.e2_pg_ml == pytest.approx(e2, abs=6e-4), label  # spec's 5 s.f.
        assert three_sf(got.free_e2_pg_ml) == fe2, label
        assert got.dht_ng_dl == pytest.approx(dht, abs=6e-3), label  # spec's 5 s.f.
        assert three_sf(got.e2_t_molar) == e2t, label
        assert three_sf(1 / got.dht_t_mass) == dhtt, label


@pytest.mark.parametrize(
    ("age", "tt", "shbg", "ft", "e2", "dht"),
    [
        (25, 531, 33, 113, 22.0, 40.8),  # docs/methods/hormones.md §5.4 young cross-check
        # docs/methods/hormones.md §5.4 older anchor point
        (70, 13.1 * 28.84, 52, None, 20.0, 30.7),
        # docs/methods/hormones.md §5.4 illustration, Bhasin 25 mg/wk
        (27, 253, 33, 49.0, 11.1, 20.7),
        (27, 542, 33, 115, 22.4, 41.6),  # 125 mg/wk
        (27, 2370, 33, 721, 63.0, 117),  # 600 mg/wk
    ],
)
def test_reimplementation_reproduces_section_5_4(
    age: float, tt: float, shbg: float, ft: float | None, e2: float, dht: float
) -> None:
    s = spec_predict(tt, age=age, shbg_nmol=shbg)
    if ft is not None:
        assert three_sf(s.ft_pg_ml) == ft
    assert three_sf(s.e2_pg_ml) == e2
    assert three_sf(s.dht_ng_dl) == dht


# docs/methods/hormones.md §5.6 (age 30, SHBG 33): E2 and DHT at TT 300/500/1000/2500 for each KM_SCALE, re-calibrated
KM_SCALE_TABLE = [
    (1.0, (13.0, 20.9, 37.3, 64.5), (24.3, 38.7, 68.7, 119)),
    (1.19, (13.0, 21.1, 38.7, 70.1), (24.1, 38.7, 69.8, 126)),
    (2.0, (13.1, 21.7, 42.1, 87.3), (23.7, 38.6, 72.4, 145)),
]


@pytest.mark.parametrize(("scale", "e2s", "dhts"), KM_SCALE_TABLE)
def test_reimplementation_reproduces_section_5_6(
    scale: float, e2s: tuple[float, ...], dhts: tuple[float, ...]
) -> None:
    for tt, e2, dht in zip((300, 500, 1000, 2500), e2s, dhts, strict=True):
        s = spec_predict(tt, age=30, shbg_nmol=33, km_scale=scale)
        assert three_sf(s.e2_pg_ml) == e2
        assert three_sf(s.dht_ng_dl) == dht


def test_reimplementation_linear_limit_of_section_5_6() -> None:
    # docs/methods/hormones.md §5.6 "∞ (linear, no saturation)": freeE2 ∝ FT and DHT ∝ TT, each scaled to its anchor.
    # E2 = 73.4 pmol/L × (FT/FT_anchor) × (f_E2,anchor / f_E2) × (1/1.4 at age 30) ÷ 3.6714
    alb = 43 / ALB_MW
    ft_a = _ft_nm(13.1 * 28.84, 52, 4.3)
    f_a = spec_f_e2(ft_a * 1e-9, 52e-9, alb)
    for tt, e2, dht in zip(
        (300, 500, 1000, 2500), (13.1, 22.6, 49.1, 143), (23.1, 38.5, 76.9, 192), strict=True
    ):
        ft = _ft_nm(tt, 33, 4.3)
        e2_lin = 73.4 * f_a * (ft / ft_a) / 1.4 / spec_f_e2(ft * 1e-9, 33e-9, alb) / E2_PMOL_PER_PG
        assert three_sf(e2_lin) == e2
        # DHT:T constant = 1/13 by mass: DHT = TT/13
        assert three_sf(tt / 13) == dht


# --------------------------------------------------------------------------------------------------
# 2. The library against the re-implementation, over a dense grid
# --------------------------------------------------------------------------------------------------

AGES: list[float | None] = [18, 25, 30, 35, 40, 47, 50, 59, 65, 70, 90, None]
TTS = [50, 100, 150, 200, 253, 264, 288.4, 300, 400, 500, 531, 542, 650, 700, 800, 916, 1000,
       1200, 1345, 1500, 1501, 2000, 2370, 2371, 2500, 3000]  # fmt: skip
SHBGS: list[float | None] = [5, 20, 33, 52, 150, None]
ALBS: list[float | None] = [2.5, 4.3, 5.5, None]
REL = 1e-6
JSON_REL = 1e-5  # JSON numbers carry 6 significant figures


def _lib(r: HormonePrediction) -> Spec:
    """The library's numbers, in the re-implementation's layout."""
    return Spec(
        ft_pg_ml=r.free_testosterone_pg_ml,
        ft_percent=r.free_testosterone_percent,
        bat_ng_dl=r.bioavailable_testosterone_ng_dl,
        e2_pg_ml=r.estradiol_pg_ml,
        free_e2_pg_ml=r.free_estradiol_pg_ml,
        dht_ng_dl=r.dht_ng_dl,
        e2_t_molar=r.e2_to_t_molar_ratio,
        dht_t_mass=r.dht_to_t_mass_ratio,
        shbg_used=r.shbg_nmol_l_used,
    )


def _differences(label: str, got: Spec, want: Spec) -> list[str]:
    out = []
    for name, g, w in zip(Spec._fields, got, want, strict=True):
        if abs(g - w) > REL * abs(w):
            out.append(
                f"{label} {name}: library {g:.6g} vs spec {w:.6g} ({100 * (g / w - 1):+.3f} %)"
            )
    return out


def test_predict_matches_reimplementation_on_dense_grid() -> None:
    bad: list[str] = []
    n = 0
    for age in AGES:
        for tt in TTS:
            for shbg in SHBGS:
                for alb in ALBS:
                    want = spec_predict(tt, age=age, shbg_nmol=shbg, alb_gdl=alb)
                    r = predict(tt, age=age, shbg=shbg, albumin=alb)
                    label = f"age={age} TT={tt} SHBG={shbg} alb={alb}"
                    bad += _differences(label, _lib(r), want)
                    # band ×/÷ 1.6 (docs/methods/hormones.md §5.7) around E2 and DHT
                    for lo, mid, hi in (
                        (r.estradiol_low_pg_ml, r.estradiol_pg_ml, r.estradiol_high_pg_ml),
                        (r.dht_low_ng_dl, r.dht_ng_dl, r.dht_high_ng_dl),
                    ):
                        if not (math.isclose(lo * BAND, mid) and math.isclose(hi, mid * BAND)):
                            bad.append(f"{label} band {lo}, {mid}, {hi}")
                    # defaults used and reported (docs/methods/hormones.md §3)
                    if r.albumin_g_dl_used != (ALB_DEFAULT if alb is None else alb):
                        bad.append(f"{label} albumin used {r.albumin_g_dl_used}")
                    if r.age_years_used != (AGE_MISSING if age is None else age):
                        bad.append(f"{label} age used {r.age_years_used}")
                    if not math.isclose(r.aromatase_age_factor, spec_fa(age), rel_tol=1e-12):
                        bad.append(f"{label} fa {r.aromatase_age_factor} vs {spec_fa(age)}")
                    n += 1
    assert n == len(AGES) * len(TTS) * len(SHBGS) * len(ALBS)
    assert not bad, f"{len(bad)} differences, first: " + "\n".join(bad[:20])


def test_predict_in_nmol_l_matches_reimplementation() -> None:
    bad: list[str] = []
    for age in AGES:
        for tt_nm in (1.7338, 2.0, 5.0, 10.0, 13.1, 17.3, 22.5, 35.0, 52.0, 80.0, 104.0):
            for shbg in (5, 33, 150, None):
                want = spec_predict(tt_nm * T_NGDL_PER_NM, age=age, shbg_nmol=shbg)
                r = predict(tt_nm, unit="nmol/L", age=age, shbg=shbg)
                bad += _differences(f"age={age} TT={tt_nm} nmol/L SHBG={shbg}", _lib(r), want)
                if not math.isclose(r.total_testosterone_nmol_l, tt_nm, rel_tol=1e-12):
                    bad.append(f"TT {tt_nm} nmol/L reported as {r.total_testosterone_nmol_l}")
    assert not bad, "\n".join(bad[:20])


def test_albumin_in_g_l_matches_reimplementation() -> None:
    for alb_g_l in (25, 43, 55):
        want = spec_predict(650, age=45, shbg_nmol=None, alb_gdl=alb_g_l / 10)
        r = predict(650, age=45, albumin=alb_g_l, albumin_unit="g/L")
        assert not _differences(f"albumin {alb_g_l} g/L", _lib(r), want)


def test_free_testosterone_matches_reimplementation_on_dense_grid() -> None:
    # docs/methods/hormones.md §2.3 "more TT/SHBG/albumin combinations and a TT 300–1500 × SHBG 20/33/52 grid"
    bad: list[str] = []
    tts = [*TTS, *range(300, 1501, 100)]
    for tt in tts:
        for shbg in (5, 10, 20, 33, 40, 52, 53, 80, 150):
            for alb in (2.5, 3.5, 4.2, 4.3, 5.0, 5.5, None):
                s = spec_predict(tt, age=30, shbg_nmol=shbg, alb_gdl=alb)
                r = free_testosterone(tt, shbg, alb)
                for name, g, w in (
                    ("FT pg/mL", r.free_testosterone_pg_ml, s.ft_pg_ml),
                    ("FT %", r.free_testosterone_percent, s.ft_percent),
                    ("BAT ng/dL", r.bioavailable_testosterone_ng_dl, s.bat_ng_dl),
                    ("FT nmol/L", r.free_testosterone_nmol_l, s.ft_pg_ml / (T_NGDL_PER_NM * 10)),
                ):
                    if abs(g - w) > REL * w:
                        bad.append(f"TT={tt} SHBG={shbg} alb={alb} {name}: {g:.6g} vs {w:.6g}")
                if r.albumin_g_dl_used != (ALB_DEFAULT if alb is None else alb):
                    bad.append(f"albumin used {r.albumin_g_dl_used}")
    assert not bad, "\n".join(bad[:20])


def test_free_testosterone_in_nmol_l_matches_reimplementation() -> None:
    for tt_nm in (2.0, 10.0, 40.0, 100.0):
        want = spec_predict(tt_nm * T_NGDL_PER_NM, shbg_nmol=40, alb_gdl=4.3).ft_pg_ml
        got = free_testosterone(tt_nm, 40, 43, unit="nmol/L", albumin_unit="g/L")
        assert got.free_testosterone_pg_ml == pytest.approx(want, rel=REL)


def test_free_estradiol_matches_reimplementation_on_dense_grid() -> None:
    # docs/methods/hormones.md §2.7 free-E2 calculator: free E2 = f_E2 · total E2 with FT from docs/methods/hormones.md §2.1
    bad: list[str] = []
    for e2 in (0.5, 5, 13, 20, 37, 64.5, 150, 1000):
        for tt in (50, 300, 500, 1000, 1500, 2500, 3000):
            for shbg in (5, 20, 33, 52, 150):
                for alb in (2.5, 4.3, 5.5):
                    want = spec_free_estradiol(e2, tt, shbg, alb)
                    r = free_estradiol(e2, tt, shbg, alb)
                    if abs(r.free_estradiol_pg_ml - want) > REL * want:
                        bad.append(
                            f"E2={e2} TT={tt} SHBG={shbg} alb={alb}: {r.free_estradiol_pg_ml} vs {want}"
                        )
                    if not math.isclose(r.free_estradiol_percent, 100 * want / e2, rel_tol=REL):
                        bad.append(
                            f"E2={e2} TT={tt} SHBG={shbg} alb={alb}: % {r.free_estradiol_percent}"
                        )
    # E2 in pmol/L (docs/methods/hormones.md §2.2: pg/mL × 3.6714 = pmol/L): same free E2
    r = free_estradiol(20 * E2_PMOL_PER_PG, 500, 33, e2_unit="pmol/L")
    assert r.free_estradiol_pg_ml == pytest.approx(spec_free_estradiol(20, 500, 33, 4.3), rel=REL)
    # default albumin 4.3 g/dL
    assert free_estradiol(20, 500, 33).free_estradiol_pg_ml == pytest.approx(
        spec_free_estradiol(20, 500, 33, 4.3), rel=REL
    )
    assert not bad, "\n".join(bad[:20])


def test_free_e2_of_the_predictor_equals_the_free_e2_calculator_on_its_e2() -> None:
    # docs/methods/hormones.md §5.1: the predictor's free E2 is f_E2 × its total E2, the docs/methods/hormones.md §2.7 calculator's quantity
    for age, tt, shbg in ((30, 500, 33), (70, 1500, 52), (None, 300, None), (47, 2500, 20)):
        r = predict(tt, age=age, shbg=shbg)
        c = free_estradiol(r.estradiol_pg_ml, tt, r.shbg_nmol_l_used)
        assert c.free_estradiol_pg_ml == pytest.approx(r.free_estradiol_pg_ml, rel=1e-9)


# docs/methods/hormones.md §1.1 mean nadir TT, ng/dL
BHASIN_2001 = {25: 253, 50: 306, 125: 542, 300: 1345, 600: 2370}


@pytest.mark.parametrize("age", [27, 30, 47, 70, None])
@pytest.mark.parametrize("shbg", [33, None])
def test_dose_path_matches_reimplementation(age: float | None, shbg: float | None) -> None:
    # docs/methods/hormones.md §1.1 Bhasin 2001 means, then the same docs/methods/hormones.md §5.1 chain ("labelled as population means", issue 2)
    for dose, tt in BHASIN_2001.items():
        r = predict(dose_mg_week=dose, age=age, shbg=shbg)
        assert r.total_testosterone_ng_dl == tt
        assert not _differences(f"dose {dose}", _lib(r), spec_predict(tt, age=age, shbg_nmol=shbg))
        assert any(f.startswith("population mean") for f in r.flags)
    # between the trial doses the trough lies between its neighbours' means (interpolation is [A])
    for lo, hi in ((25, 50), (50, 125), (125, 300), (300, 600)):
        mid = predict(dose_mg_week=(lo + hi) / 2, age=age, shbg=shbg).total_testosterone_ng_dl
        assert BHASIN_2001[lo] < mid < BHASIN_2001[hi]


# --------------------------------------------------------------------------------------------------
# 3. Defaults (docs/methods/hormones.md §3), JSON keys (issue 2), ranges, flags and messages (docs/methods/hormones.md §5.7)
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "w"),
    # w = (age − 35)/24 between 35 and 59 y: 40 → 5/24, 47 → 12/24, 50 → 15/24
    [(18, 0), (25, 0), (30, 0), (35, 0), (35.5, 0.5 / 24), (40, 5 / 24), (47, 0.5),
     (50, 15 / 24), (58.9, 23.9 / 24), (59, 1), (65, 1), (70, 1), (90, 1), (None, 0.5)],
)  # fmt: skip
def test_default_shbg_and_age_factor_interpolate_as_the_spec_says(
    age: float | None, w: float
) -> None:
    r = predict(650, age=age)
    assert r.shbg_nmol_l_used == pytest.approx(33 + 19 * w, rel=1e-12)  # 33 → 52 nmol/L
    assert r.aromatase_age_factor == pytest.approx(1 + 0.4 * w, rel=1e-12)  # 1.0 → 1.4
    # missing age → 47 y for BOTH the SHBG default and the age factor (docs/methods/hormones.md §5.1 "Age handling")
    if age is None:
        assert r.age_years_used == 47
        assert r.shbg_nmol_l_used == pytest.approx(
            42.5
        ) and r.aromatase_age_factor == pytest.approx(1.2)
        assert any("Age not given: 47 y" in a for a in r.assumptions)


def test_measured_shbg_is_not_replaced_and_age_still_sets_the_factor() -> None:
    r = predict(650, age=70, shbg=20)
    assert r.shbg_nmol_l_used == 20 and r.aromatase_age_factor == pytest.approx(1.4)
    assert not any("SHBG not given" in a for a in r.assumptions)


ISSUE_2_KEYS = [
    "free_testosterone_pg_ml", "free_testosterone_percent", "bioavailable_testosterone_ng_dl",
    "estradiol_pg_ml", "estradiol_low_pg_ml", "estradiol_high_pg_ml", "dht_ng_dl", "dht_low_ng_dl",
    "dht_high_ng_dl", "free_estradiol_pg_ml", "shbg_nmol_l_used", "albumin_g_dl_used",
    "assumptions", "flags",
]  # fmt: skip


ISSUE_12_KEYS = [*BAND_KEYS, *PREDICT_BAND_EXTRA]


def test_cli_json_keys_exactly_as_issue_2_and_values_as_the_spec() -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["hormones", "predict", "--total-t", "700", "--age", "50", "--json"])
    assert res.exit_code == 0, res.stderr
    d = json.loads(res.stdout)
    # + the disclaimer every calculator carries, + the band keys of issue 12
    assert set(d) == {*ISSUE_2_KEYS, *ISSUE_12_KEYS, "disclaimer"}
    s = spec_predict(700, age=50)
    for key, want in (
        ("free_testosterone_pg_ml", s.ft_pg_ml),
        ("free_testosterone_percent", s.ft_percent),
        ("bioavailable_testosterone_ng_dl", s.bat_ng_dl),
        ("estradiol_pg_ml", s.e2_pg_ml),
        ("estradiol_low_pg_ml", s.e2_pg_ml / BAND),
        ("estradiol_high_pg_ml", s.e2_pg_ml * BAND),
        ("dht_ng_dl", s.dht_ng_dl),
        ("dht_low_ng_dl", s.dht_ng_dl / BAND),
        ("dht_high_ng_dl", s.dht_ng_dl * BAND),
        ("free_estradiol_pg_ml", s.free_e2_pg_ml),
        ("shbg_nmol_l_used", s.shbg_used),
        ("albumin_g_dl_used", 4.3),
    ):
        assert d[key] == pytest.approx(want, rel=JSON_REL), key
    res = runner.invoke(
        app,
        ["hormones", "free-t", "--total-t", "700", "--shbg", "20", "--albumin", "2.5", "--json"],
    )
    assert res.exit_code == 0, res.stderr
    d = json.loads(res.stdout)
    assert set(d) == {
        *ISSUE_2_KEYS[:3],
        *ISSUE_12_KEYS[:4],
        "albumin_assumed",
        "shbg_nmol_l_used",
        "albumin_g_dl_used",
        "disclaimer",
    }
    s = spec_predict(700, shbg_nmol=20, alb_gdl=2.5)
    assert d["free_testosterone_pg_ml"] == pytest.approx(s.ft_pg_ml, rel=JSON_REL)
    assert d["free_testosterone_percent"] == pytest.approx(s.ft_percent, rel=JSON_REL)
    assert d["bioavailable_testosterone_ng_dl"] == pytest.approx(s.bat_ng_dl, rel=JSON_REL)


def _flag_names(flags: tuple[str, ...]) -> set[str]:
    return {f.split(":")[0] for f in flags}


@pytest.mark.parametrize(
    ("tt", "supra", "beyond"),
    [
        (1500, False, False),
        (1500.01, True, False),
        (2370, True, False),
        (2370.01, True, True),
        (3000, True, True),
    ],
)
def test_total_t_warnings_of_section_5_7(tt: float, supra: bool, beyond: bool) -> None:
    # docs/methods/hormones.md §5.7: "warn > 1500: beyond typical TRT; > 2370 is beyond the trial's mean nadir at 600 mg/wk"
    names = _flag_names(predict(tt, age=30, shbg=33).flags)
    assert ("supraphysiologic total T" in names) is supra
    assert ("beyond the trial" in names) is beyond


@pytest.mark.parametrize(
    ("age", "warned"),
    [
        (18, True),
        (18.9, True),
        (19, False),
        (47, False),
        (75, False),
        (75.1, True),
        (90, True),
        (None, False),
    ],
)
def test_age_warning_outside_19_75(age: float | None, warned: bool) -> None:
    # docs/methods/hormones.md §5.7: accept 18–90, warn outside 19–75 (the trial's ages); a missing age is not "outside"
    assert ("age outside the trial" in _flag_names(predict(500, age=age).flags)) is warned


@pytest.mark.parametrize(
    ("kwargs", "field", "value", "accepted"),
    [
        ({"total_t": 49.99}, "total_t", "49.99 ng/dL", "50–3000 ng/dL"),
        ({"total_t": 3000.5}, "total_t", "3000 ng/dL", "50–3000 ng/dL"),
        ({"total_t": 500, "shbg": 4.9}, "shbg", "4.9 nmol/L", "5–150 nmol/L"),
        ({"total_t": 500, "shbg": 150.1}, "shbg", "150.1 nmol/L", "5–150 nmol/L"),
        ({"total_t": 500, "albumin": 2.49}, "albumin", "2.49 g/dL", "2.5–5.5 g/dL"),
        ({"total_t": 500, "albumin": 5.51}, "albumin", "5.51 g/dL", "2.5–5.5 g/dL"),
        ({"total_t": 500, "age": 17.9}, "age", "17.9 years", "18–90 years"),
        ({"total_t": 500, "age": 90.1}, "age", "90.1 years", "18–90 years"),
    ],
)
def test_out_of_range_names_field_value_range_and_unit(
    kwargs: dict[str, float], field: str, value: str, accepted: str
) -> None:
    with pytest.raises(InputError) as info:
        predict(**kwargs)  # type: ignore[arg-type]
    msg = str(info.value)
    assert msg.startswith(f"{field}: ") and value in msg and accepted in msg, msg
    assert info.value.exit_code == 3


@pytest.mark.parametrize(
    ("kwargs", "field", "accepted"),
    [
        ({"total_t": "abc"}, "total_t", "50–3000 ng/dL"),
        ({"total_t": "nan"}, "total_t", "50–3000 ng/dL"),
        ({"total_t": "abc", "unit": "nmol/L"}, "total_t", "1.734–104 nmol/L"),
        ({"total_t": 500, "shbg": "high"}, "shbg", "5–150 nmol/L"),
        ({"total_t": 500, "albumin": "4,3"}, "albumin", "2.5–5.5 g/dL"),
        ({"total_t": 500, "age": "forty"}, "age", "18–90 years"),
    ],
)
def test_not_a_number_names_field_value_range_and_unit(
    kwargs: dict[str, object], field: str, accepted: str
) -> None:
    # issue 2: "Out of range, non-numeric, unknown unit → an error naming the field, the value,
    # the accepted range and unit"
    with pytest.raises(ParseError) as info:
        predict(**kwargs)  # type: ignore[arg-type]
    msg = str(info.value)
    value = next(v for k, v in kwargs.items() if k == field)
    assert f"`{field}` must be a number (got `{value}`)" in msg and accepted in msg, msg
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    ("args", "code", "fragments"),
    [
        (["--total-t", "-5"], 3, ["total_t", "-5 ng/dL", "50–3000 ng/dL"]),
        (["--total-t", "abc"], 2, ["total_t", "`abc`", "50–3000 ng/dL"]),
        (["--total-t", "650", "--age", "old"], 2, ["age", "`old`", "18–90 years"]),
        (["--total-t", "650", "--shbg", "-"], 2, ["shbg", "`-`", "5–150 nmol/L"]),
    ],
)
def test_cli_exit_status(args: list[str], code: int, fragments: list[str]) -> None:
    res = CliRunner().invoke(app, ["hormones", "predict", *args])
    assert res.exit_code == code, (res.stdout, res.stderr)
    line = res.stderr.strip()
    assert line.startswith("error: ") and "\n" not in line
    for fragment in fragments:
        assert fragment in line, line


# --------------------------------------------------------------------------------------------------
# 4. Findings of this review (each test failed before its fix)
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["emadikonjin2003", "ross2005"])
def test_other_constant_sets_do_not_carry_the_sodergard_note(method: str) -> None:
    # docs/methods/hormones.md §2.4: each set is its own source; the de Ronde 2006 comparison is about Södergård's constants
    # only (was appended to every non-Vermeulen method).
    r = free_testosterone(500, 33, 4.3, method=method)
    assert not any("Södergård" in a or "de Ronde" in a for a in r.assumptions), r.assumptions
    s = free_testosterone(500, 33, 4.3, method="sodergard1982")
    assert any("de Ronde 2006" in a for a in s.assumptions)
