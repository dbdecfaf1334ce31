"""Counter-regulation (docs/methods/sim.md §11): glucagon, insulin action in hypoglycaemia, clock."""

from __future__ import annotations

import math

import numpy as np
import pytest

from endolab.errors import InputError
from endolab.sim.counterregulation import (
    CounterregulationSettings,
    apply_counterregulation,
    glucagon_elimination_rate_laurenti_2016,
    glucagon_secretion_gain_gerich_1974,
    hypoglycaemia_risk_dalla_man_2014,
)
from endolab.sim.model import (
    C_GATE_MIN,
    C_LAST_QSTO,
    GP,
    HGLU,
    N_CARRY,
    QSTO1,
    QSTO2,
    SRSH,
    XH,
    param_index,
    rhs,
    run_minutes,
    therapy_row,
)
from endolab.sim.patients import load_patient
from endolab.sim.runner import GATE_NOTICE_CODE, gate_notices


def test_glucagon_half_life_and_secretion_gain_by_hand() -> None:
    # Laurenti: t½ 4 min → n = ln 2 / 4 = 0.693147/4 = 0.173287 /min
    assert glucagon_elimination_rate_laurenti_2016(4.0) == pytest.approx(0.173287, abs=1e-6)
    # Gerich: +328 pg/mL at an assumed nadir 40 mg/dL below Gth 68: σ = 328 × 0.173287 / 28
    assert glucagon_secretion_gain_gerich_1974() == pytest.approx(328 * 0.173287 / 28, rel=1e-5)


def test_risk_function_by_hand() -> None:
    # G = 60, Gb = 120, r2 = 0.8124: ln 60 = 4.094345, ln 120 = 4.787492;
    # 4.094345^0.8124 = exp(0.8124 × ln 4.094345) = exp(0.8124 × 1.409607) = exp(1.145165) = 3.14297
    # 4.787492^0.8124 = exp(0.8124 × 1.565968) = exp(1.272193) = 3.56872; f = −0.42575; risk = 1.8126
    assert float(hypoglycaemia_risk_dalla_man_2014(60.0, 120.0)) == pytest.approx(1.8126, abs=2e-3)
    # below the 60 mg/dL threshold the risk is held at its value at 60; at or above Gb it is 0
    assert float(hypoglycaemia_risk_dalla_man_2014(30.0, 120.0)) == pytest.approx(
        float(hypoglycaemia_risk_dalla_man_2014(60.0, 120.0))
    )
    assert float(hypoglycaemia_risk_dalla_man_2014(120.0, 120.0)) == 0.0


def _person(settings: CounterregulationSettings) -> tuple[np.ndarray, np.ndarray]:
    pt = load_patient("adult#009")
    p, x = pt.params[None, :].copy(), pt.x0[None, :].copy()
    apply_counterregulation(p, x, settings)
    return p[0], x[0]


def test_all_off_writes_nothing() -> None:
    pt = load_patient("adult#001")
    p, x = pt.params[None, :].copy(), pt.x0[None, :].copy()
    apply_counterregulation(p, x, CounterregulationSettings.off(), np.random.default_rng(1))
    assert np.array_equal(p[0], pt.params) and np.array_equal(x[0], pt.x0)


def test_basal_state_is_a_steady_state_of_the_glucagon_model() -> None:
    p, x = _person(CounterregulationSettings())
    dx = rhs(x, p, 0.0, p[param_index("u2ss")], 0.0)
    assert dx[HGLU] == pytest.approx(0.0, abs=1e-12)
    assert dx[SRSH] == pytest.approx(0.0, abs=1e-12)
    assert dx[XH] == 0.0
    assert abs(dx[GP]) < 1e-6  # glucose unchanged at basal (no dawn at t = 0 in rhs)


def test_static_secretion_target_below_threshold_by_hand() -> None:
    # at plasma glucose 50 mg/dL with F = 0: a = 0.1; target = n·Hb + a·σ·(68 − 50)
    s = CounterregulationSettings()
    p, x = _person(s)
    x[GP] = 50.0 * p[param_index("Vg")]
    dx = rhs(x, p, 0.0, 0.0, 0.0)
    n = math.log(2) / 4.0
    target = n * 100.0 + 0.1 * 2.03 * (68.0 - 50.0)
    assert dx[SRSH] == pytest.approx(-0.1 * (n * 100.0 - target), rel=1e-12)
    # a graft of F = 1 adds one normal response: a = 1.1
    p[param_index("F")] = 1.0
    dx = rhs(x, p, 0.0, 0.0, 0.0)
    target = n * 100.0 + 1.1 * 2.03 * (68.0 - 50.0)
    assert dx[SRSH] == pytest.approx(-0.1 * (n * 100.0 - target), rel=1e-12)


def test_glucagon_above_basal_raises_egp_by_xi() -> None:
    p, x = _person(CounterregulationSettings())
    base = rhs(x, p, 0.0, p[param_index("u2ss")], 0.0)[GP]
    x[XH] = 100.0  # pg/mL of glucagon action
    raised = rhs(x, p, 0.0, p[param_index("u2ss")], 0.0)[GP]
    assert raised - base == pytest.approx(0.01 * 100.0, rel=1e-9)  # ξ·XH [mg/kg/min]


def test_host_response_is_impaired_against_a_graft() -> None:
    # 6 h of an insulin infusion (0.08 U/min) and no food: the T1D host (a tenth of a normal
    # α-cell response) falls below 40 mg/dL; the same host with graft α-cells of F = 1 (graft
    # β-cells silenced, direct α-cell term off: only the compartment differs) stays above 45
    nadir, rise = [], []
    for f in (0.0, 1.0):
        pt = load_patient("adult#009")
        p, x = pt.params[None, :].copy(), pt.x0[None, :].copy()
        apply_counterregulation(p, x, CounterregulationSettings(dawn_egp_rise=0.0))
        p[0, param_index("F")] = f
        p[0, param_index("Sb")] = 0.0
        p[0, param_index("K")] = p[0, param_index("beta")] = 0.0
        p[0, param_index("kglu")] = 0.0  # the direct α-cell term off: the compartment alone
        carry = np.zeros((1, N_CARRY))
        carry[0, C_LAST_QSTO] = x[0, QSTO1] + x[0, QSTO2]
        m = 360
        ins = np.full((1, m), 0.08)  # U/min
        outs = [np.zeros((1, m)) for _ in range(9)]
        row = therapy_row(0.0, 0.0, 1.0, 1.0, rescue_below=0.0)[None, :]
        zeros = np.zeros((1, m))
        run_minutes(x, p, zeros, zeros, ins, row, carry, np.zeros((1, 1)), 1, *outs)
        nadir.append(outs[0][0].min())
        rise.append(outs[8][0].max() - 100.0)
    assert nadir[0] < 40.0 and nadir[1] > 45.0
    assert rise[0] > 0 and rise[1] > rise[0]


def test_non_negativity_gate_is_counted_flagged_and_not_absorbing() -> None:
    # everything off (the bare T1D model): a huge insulin infusion takes plasma glucose to 0; the
    # minutes there are counted, the notice names the participant, and carbohydrate still raises
    # glucose from the gate (not an absorbing state)
    pt = load_patient("adult#009")
    p, x = pt.params[None, :].copy(), pt.x0[None, :].copy()
    carry = np.zeros((1, N_CARRY))
    carry[0, C_LAST_QSTO] = x[0, QSTO1] + x[0, QSTO2]
    m = 1440
    ins = np.zeros((1, m))
    ins[0, :120] = 0.5  # 60 U over two hours
    meal = np.zeros((1, m))
    meal[0, 900] = 75.0
    outs = [np.zeros((1, m)) for _ in range(9)]
    row = therapy_row(0.0, 0.0, 1.0, 1.0, rescue_below=0.0)[None, :]
    run_minutes(x, p, meal, np.zeros((1, m)), ins, row, carry, np.zeros((1, 1)), 1, *outs)
    bg = outs[0][0]
    assert carry[0, C_GATE_MIN] > 0
    assert bg[:900].min() <= 0.0
    assert bg[960:].max() > 20.0  # rises again after the meal at minute 900
    notices = gate_notices(["SIM-001"], carry[:, C_GATE_MIN])
    assert [n.code for n in notices] == [GATE_NOTICE_CODE]


def test_settings_are_checked() -> None:
    with pytest.raises(InputError, match="glucagon_model"):
        CounterregulationSettings(glucagon_model="x")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="action_gain"):
        CounterregulationSettings(action_gain=-1.0)
    with pytest.raises(InputError, match="glucagon_half_life_min"):
        CounterregulationSettings(glucagon_half_life_min=0.0)


def test_settings_section_round_trips_and_reaches_the_manifest() -> None:
    from endolab.sim import simulate_trial
    from endolab.sim.population import PopulationSettings
    from endolab.sim.settings import load_settings_text, settings_toml

    s = load_settings_text('[counterregulation]\nglucagon_model = "off"\ndawn_egp_rise = 0.0\n')
    assert s.counterregulation.glucagon_model == "off"
    assert s.counterregulation.dawn_egp_rise == 0.0
    assert load_settings_text(settings_toml(s)) == s
    with pytest.raises(InputError, match="counterregulation"):
        load_settings_text("[counterregulation]\nhost_response_fraction = -0.1\n")
    ds = simulate_trial(
        participants=1,
        days=1,
        seed=5,
        sensor="none",
        population=PopulationSettings(source="published"),
        counterregulation=s.counterregulation,
    )
    recorded = ds.simulation["counterregulation"]  # type: ignore[index]
    assert recorded["glucagon_model"] == "off" and recorded["dawn_egp_rise"] == 0.0
