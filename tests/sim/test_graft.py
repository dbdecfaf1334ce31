"""Graft chain and C-peptide kinetics against the published/spec worked values."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from endolab.errors import InputError
from endolab.sim.graft import (
    GraftSettings,
    basal_secretion_dallaman2007,
    bsa_dubois_1916,
    draw_graft_fraction,
    engraftment_logistic,
    graft_fraction_curve,
    islet_equivalents_pisania_2010,
    mean_graft_fraction,
    van_cauter_1992,
)


def test_van_cauter_example_from_spec() -> None:
    # docs/methods/sim.md §5 worked example: 45-y man, 78 kg, 1.78 m → BSA 1.959 m², t½,l 35.46 min,
    # Vd 4.40 L, k1 0.0485, k2 0.0565, k3 0.0546 /min
    assert bsa_dubois_1916(78, 178) == pytest.approx(1.959, abs=5e-4)
    p = van_cauter_1992(45, 78, 178, "M")
    assert p["vd"] == pytest.approx(4.40, abs=5e-3)
    assert p["k1"] == pytest.approx(0.0485, abs=5e-5)
    assert p["k2"] == pytest.approx(0.0565, abs=5e-5)
    assert p["k3"] == pytest.approx(0.0546, abs=5e-5)


def test_van_cauter_women_and_obese_use_their_rows() -> None:
    bsa = bsa_dubois_1916(70, 163)
    assert van_cauter_1992(50, 70, 163, "F")["vd"] == pytest.approx(1.11 * bsa + 2.04)
    normal = van_cauter_1992(50, 110, 176, "M", "normal")
    obese = van_cauter_1992(50, 110, 176, "M", "obese")
    # shorter short half-life (4.55 vs 4.95 min) → faster exchange
    assert obese["k1"] + obese["k2"] + obese["k3"] > normal["k1"] + normal["k2"] + normal["k3"]


def test_basal_secretion_and_ieq_conversion() -> None:
    # docs/methods/sim.md §3 derived basal state: Sb = 1.514 pmol/kg/min; docs/methods/sim.md §6: 0.8e9 cells ≈ 5.1e5 IEQ
    assert basal_secretion_dallaman2007() == pytest.approx(1.514, abs=5e-4)
    assert islet_equivalents_pisania_2010(0.8e9) == pytest.approx(5.128e5, rel=1e-3)


def test_mean_fraction_is_monotone_in_dose_and_zero_at_zero() -> None:
    doses = [0.0, 2e8, 4e8, 8e8, 1.2e9, 1e10]
    f = [mean_graft_fraction(d) for d in doses]
    assert f[0] == 0.0
    assert all(b >= a for a, b in itertools.pairwise(f))
    assert f[-1] == GraftSettings().max_fraction
    with pytest.raises(InputError):
        mean_graft_fraction(-1.0)


def test_drawn_fraction_same_seed_larger_mean_never_smaller() -> None:
    lo = draw_graft_fraction(np.random.default_rng(5), np.full(50, 0.3))
    hi = draw_graft_fraction(np.random.default_rng(5), np.full(50, 0.6))
    assert (hi >= lo).all()
    zero = draw_graft_fraction(np.random.default_rng(5), np.zeros(3))
    assert (zero == 0).all()


def test_engraftment_curve_shape() -> None:
    e = engraftment_logistic(np.array([-5.0, 0.0, 90.0, 400.0]), 90.0, 20.0)
    assert e[0] == 0.0 and e[2] == 0.5 and e[3] > 0.99 and 0 < e[1] < 0.02
    lossy = GraftSettings(loss_rate_per_year=1.0)
    np.testing.assert_allclose(
        graft_fraction_curve(np.array([1.0]), 365.25, lossy),
        engraftment_logistic(np.array([365.25]), 90, 20) * np.exp(-1.0),
    )


def test_bad_settings_are_input_errors() -> None:
    with pytest.raises(InputError, match="potency"):
        GraftSettings(potency=0)
    with pytest.raises(InputError, match="hepatic_extraction"):
        GraftSettings(hepatic_extraction="x")  # type: ignore[arg-type]
