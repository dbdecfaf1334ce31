"""The T1D + graft model: healthy-subject check values, F = 0 is the T1D model, two RHS paths agree."""

from __future__ import annotations

import numpy as np
import pytest

from endolab.sim.healthy import healthy_meal_test
from endolab.sim.model import (
    N_CARRY,
    N_STATES,
    PARAM_NAMES,
    STATE_NAMES,
    param_index,
    rhs,
    rhs_into,
    rhs_into_numpy,
    run_minutes,
    state_index,
    therapy_row,
)
from endolab.sim.patients import load_patient, patient_names


def test_healthy_subject_meal_matches_spec_check_values() -> None:
    # docs/methods/sim.md §3.1 check run (independent re-implementation of Dalla Man
    # 2007, 78 g meal, RK4 1-min step): glucose 95 → 160.4 mg/dL at 65 min, 93.2 at 7 h; insulin
    # 25 → 251.8 pmol/L at 97 min; peak secretion 8.17 pmol/kg/min; C-peptide 475 → 2254 pmol/L
    # at 113 min. Tolerance: the spec's last printed digit (±0.05 / ±0.5 / ±1 min).
    r = healthy_meal_test(78.0, 420)
    g, i = r.glucose_mg_dl, r.insulin_pmol_l
    assert g[0] == pytest.approx(95.0, abs=1e-9)
    assert i[0] == pytest.approx(25.0, abs=1e-9)
    assert g.max() == pytest.approx(160.4, abs=0.05)
    assert int(g.argmax()) == 65
    assert g[420] == pytest.approx(93.2, abs=0.05)
    assert i.max() == pytest.approx(251.8, abs=0.05)
    assert int(i.argmax()) == 97
    assert r.secretion_pmol_kg_min.max() == pytest.approx(8.17, abs=0.005)
    assert r.c_peptide_pmol_l[0] == pytest.approx(475, abs=0.5)
    assert r.c_peptide_pmol_l.max() == pytest.approx(2254, abs=0.5)
    assert int(r.c_peptide_pmol_l.argmax()) == 113


@pytest.mark.parametrize("name", patient_names("adult"))
def test_file_initial_state_is_basal_steady_state(name: str) -> None:
    # the published initial state is the basal steady state under u2ss (simglucose's sets):
    # every derivative is ~0 with basal insulin and no meal
    pt = load_patient(name)
    dx = rhs(pt.x0, pt.params, 0.0, pt.params[param_index("u2ss")], 0.0)
    for s in ("gp", "gt", "ip", "il", "isc1", "isc2", "gs", "x"):
        assert abs(dx[state_index(s)]) < 1e-6, s


def _one_day(graft: dict[str, float]) -> list[np.ndarray]:
    pt = load_patient("adult#003")
    p = pt.params.copy()
    for k, v in graft.items():
        p[param_index(k)] = v
    x = pt.x0[None, :].copy()
    meal = np.zeros((1, 1440))
    meal[0, [420, 720, 1080]] = [45, 70, 80]
    carry = np.zeros((1, N_CARRY))
    therapy = therapy_row(pt.basal_u_per_min, 1.0, pt.cr, pt.cf, rescue_g=15.0)[None, :]
    outs = [np.zeros((1, 1440)) for _ in range(9)]
    u = np.zeros((1, 1))
    run_minutes(x, p[None, :], meal, meal.copy(), np.zeros((1, 1440)), therapy, carry, u, 1, *outs)
    return [*outs, x]


def test_graft_fraction_zero_is_exactly_the_t1d_model() -> None:
    # F = 0 with every graft option on (kp4, dynamic hepatic extraction with m6 = HEb) must equal
    # the plain T1D model (all graft terms zero) bit for bit
    with_graft = _one_day({"F": 0.0, "kp4": 0.0618, "he_dynamic": 1.0})
    plain = _one_day({"F": 0.0, "K": 0.0, "beta": 0.0, "Sb": 0.0, "kp4": 0.0, "he_dynamic": 0.0})
    for a, b in zip(with_graft, plain, strict=True):
        np.testing.assert_array_equal(a, b)
    final = with_graft[-1][0]
    for s in ("ipo", "y", "cp1", "cp2"):
        assert final[state_index(s)] == 0.0


def test_graft_lowers_glucose_and_makes_c_peptide() -> None:
    none = _one_day({"F": 0.0})
    half = _one_day({"F": 0.5})
    assert half[0].mean() < none[0].mean()
    assert half[4].max() > 0 and none[4].max() == 0


def test_numba_and_numpy_rhs_agree_and_numpy_vectorises() -> None:
    rng = np.random.default_rng(3)
    pts = [load_patient(n) for n in patient_names("adult")[:4]]
    X = np.array([pt.x0 * rng.uniform(0.5, 1.5, N_STATES) + 1.0 for pt in pts])
    P = np.array([pt.params for pt in pts])
    P[:, param_index("F")] = [0.0, 0.3, 1.0, 0.7]
    P[:, param_index("he_dynamic")] = [0, 1, 0, 1]
    out_numpy = np.empty((N_STATES, 4))
    rhs_into_numpy(X.T, P.T, 3.0, 0.2, 40_000.0, out_numpy)
    for k in range(4):
        one = np.empty(N_STATES)
        rhs_into(X[k], P[k], 3.0, 0.2, 40_000.0, one)
        np.testing.assert_allclose(one, out_numpy[:, k], rtol=1e-12, atol=1e-12)


def test_names_are_unique_and_lookup_errors_list_names() -> None:
    assert len(set(STATE_NAMES)) == len(STATE_NAMES) == 20
    assert len(set(PARAM_NAMES)) == len(PARAM_NAMES)
    with pytest.raises(ValueError, match="unknown state 'glucose'"):
        state_index("glucose")
    with pytest.raises(ValueError, match="unknown parameter"):
        param_index("nope")
