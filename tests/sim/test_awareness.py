"""A graft restores hypoglycaemia awareness: Leitão 2008's C-peptide boundary (default) or in
proportion to its function [A]; the rules by hand and the runner's wiring."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import endolab.sim.runner as runner
from endolab.errors import InputError
from endolab.sim.model import T_DETECT_PROB, T_RESCUE_BELOW
from endolab.sim.population import (
    Behaviour,
    BehaviourSettings,
    ScreeningSettings,
    SheModel,
    awareness_weight,
    restored_asleep_detection,
    restored_awareness,
    restored_third_party_prob,
)


@pytest.mark.slow
def test_each_day_the_therapy_rows_follow_the_graft_fraction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[tuple[Any, Any, Any]] = []
    real_run = runner.run_minutes

    def spy(x: Any, p: Any, meal: Any, bolus: Any, zeros: Any, therapy: Any, *rest: Any) -> Any:
        seen.append((p[:, runner.P_FGRAFT].copy(), therapy[:, T_RESCUE_BELOW].copy(),
                     therapy[:, T_DETECT_PROB].copy()))  # fmt: skip
        return real_run(x, p, meal, bolus, zeros, therapy, *rest)

    monkeypatch.setattr(runner, "run_minutes", spy)
    arms = [("B", 8e8), ("C", 8e8)]
    result = runner.simulate(
        arms,
        seed=3,
        days=120,
        screening=ScreeningSettings(days=28),
        sensor="none",
        behaviour=BehaviourSettings(awareness_restoration="proportional"),
    )
    impaired = result.screening.behaviour.impaired  # type: ignore[union-attr]
    assert impaired.all()  # screened participants all have impaired awareness
    assert len(seen) == result.day_numbers.size
    s = BehaviourSettings(awareness_restoration="proportional")
    for f, below, prob in seen:
        # hand calculation: w = min(F / 1.0, 1); threshold 50 + 20·w mg/dL; probability 0.9 + 0.1·w
        w = np.minimum(f, 1.0)
        np.testing.assert_allclose(below, 50.0 + 20.0 * w)
        np.testing.assert_allclose(prob, 0.9 + 0.1 * w)
    # before day 0 (F = 0) nothing is restored; by day 120 the functioning graft (F > 0) has
    # moved the threshold above the impaired 50 mg/dL (how far depends on the fitted potency)
    assert seen[0][1].tolist() == [s.impaired_detect_below_mg_dl] * 2
    assert (seen[-1][0] > 0.0).all() and (seen[-1][1] > s.impaired_detect_below_mg_dl).all()


def test_restoration_is_proportional_to_f_over_r_by_hand() -> None:
    # [behaviour] awareness_restored_at_graft_fraction R [A]; hand calculation with R = 0.5:
    # F = 0.1 → w = 0.2: threshold 50 + 0.2·(70 − 50) = 54 mg/dL, probability 0.9 + 0.2·0.1 = 0.92;
    # F = 0.4 → w = 0.8: 66 mg/dL, 0.98; F = 0.75 → w = min(1.5, 1) = 1: 70 mg/dL, 1.0;
    # an aware person (last) keeps 70 mg/dL and 1.0 whatever F is
    n = 4
    beh = Behaviour(np.ones(n), np.ones(n), np.array([True, True, True, False]),
                    np.array([50.0, 50.0, 50.0, 70.0]), np.array([0.9, 0.9, 0.9, 1.0]))  # fmt: skip
    f = np.array([0.1, 0.4, 0.75, 0.1])
    s = BehaviourSettings(
        awareness_restoration="proportional", awareness_restored_at_graft_fraction=0.5
    )
    below, prob = restored_awareness(awareness_weight(f, np.zeros(n, dtype=bool), s), beh, s)
    np.testing.assert_allclose(below, [54.0, 66.0, 70.0, 70.0])
    np.testing.assert_allclose(prob, [0.92, 0.98, 1.0, 1.0])
    # R = 0 switches the restoration off: the impaired values stay at any F
    s = BehaviourSettings(
        awareness_restoration="proportional", awareness_restored_at_graft_fraction=0.0
    )
    below, prob = restored_awareness(awareness_weight(f, np.zeros(n, dtype=bool), s), beh, s)
    np.testing.assert_allclose(below, [50.0, 50.0, 50.0, 70.0])
    np.testing.assert_allclose(prob, [0.9, 0.9, 0.9, 1.0])


def test_leitao_2008_boundary_is_0_3_ng_ml() -> None:
    # Leitão 2008: stimulated C-peptide ≥ 0.3 ng/mL; 0.3 ng/mL × 331 pmol/L per ng/mL = 99.3 pmol/L
    assert BehaviourSettings().awareness_restored_c_peptide_pmol_l == pytest.approx(99.3)
    assert BehaviourSettings().awareness_restoration == "leitao2008"


def test_leitao_2008_rule_below_and_above_the_boundary_by_hand() -> None:
    # Participants 1, 2 impaired, not yet / already at the boundary; 3 aware, at the boundary.
    # Below the boundary nothing is restored whatever F is (F = 0.9 here): threshold 50 mg/dL,
    # probability 0.9, asleep 0.0625, third party q_impaired = 0.1. At or above it everything is
    # restored even with a small graft (F = 0.05): 70 mg/dL, 1.0, asleep 0.625 (Schultes 2007's
    # controls), q_aware = 0.02. The aware person keeps 70 mg/dL, 1.0 and 0.02.
    beh = Behaviour(np.ones(3), np.ones(3), np.array([True, True, False]),
                    np.array([50.0, 50.0, 70.0]), np.array([0.9, 0.9, 1.0]))  # fmt: skip
    f = np.array([0.9, 0.05, 0.05])
    reached = np.array([False, True, True])
    s = BehaviourSettings()
    w = awareness_weight(f, reached, s)
    np.testing.assert_allclose(w, [0.0, 1.0, 1.0])
    below, prob = restored_awareness(w, beh, s)
    np.testing.assert_allclose(below, [50.0, 70.0, 70.0])
    np.testing.assert_allclose(prob, [0.9, 1.0, 1.0])
    np.testing.assert_allclose(restored_asleep_detection(w, s), [0.0625, 0.625, 0.625])
    she = SheModel(third_party_prob=0.02, third_party_prob_impaired=0.1)
    np.testing.assert_allclose(restored_third_party_prob(w, beh, she), [0.1, 0.02, 0.02])
    # the proportional rule (R = 1) on the same people: w = F = 0.9, 0.05 → 50 + 20·0.9 = 68,
    # 50 + 20·0.05 = 51 mg/dL
    prop = BehaviourSettings(awareness_restoration="proportional")
    below, _ = restored_awareness(awareness_weight(f, reached, prop), beh, prop)
    np.testing.assert_allclose(below, [68.0, 51.0, 70.0])


def test_unknown_restoration_rule_is_an_input_error() -> None:
    with pytest.raises(InputError, match="awareness_restoration must be"):
        BehaviourSettings(awareness_restoration="sometimes")  # type: ignore[arg-type]


@pytest.mark.slow
def test_runner_restores_from_the_day_after_c_peptide_first_reached_the_boundary(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[tuple[Any, Any, Any]] = []
    real_run = runner.run_minutes

    def spy(x: Any, p: Any, meal: Any, bolus: Any, zeros: Any, therapy: Any, *rest: Any) -> Any:
        below = therapy[:, T_RESCUE_BELOW].copy()
        out = real_run(x, p, meal, bolus, zeros, therapy, *rest)
        seen.append((below, therapy[:, T_DETECT_PROB].copy(), rest[7].max(axis=1)))  # C-peptide
        return out

    monkeypatch.setattr(runner, "run_minutes", spy)
    result = runner.simulate(
        [("B", 8e8), ("C", 8e8)],
        seed=3,
        days=120,
        screening=ScreeningSettings(days=28),
        sensor="none",
    )
    assert result.screening.behaviour.impaired.all()  # type: ignore[union-attr]
    peaks = np.array([peak for *_, peak in seen])  # (days, n) the day's peak C-peptide [pmol/L]
    # hand rule: on day k restored (70 mg/dL, 1.0) iff some earlier day peaked ≥ 99.3 pmol/L
    for k, (below, prob, _) in enumerate(seen):
        before = (peaks[:k] >= 99.3).any(axis=0)
        np.testing.assert_allclose(below, np.where(before, 70.0, 50.0))
        np.testing.assert_allclose(prob, np.where(before, 1.0, 0.9))
    # the run-in (no graft) never reaches the boundary; these grafts do within 120 days
    assert seen[0][0].tolist() == [50.0, 50.0]
    assert (peaks >= 99.3).any(axis=0).all()
