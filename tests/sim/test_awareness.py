"""A graft restores hypoglycaemia awareness in proportion to its function [A]: the runner's wiring."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import endolab.sim.runner as runner
from endolab.sim.model import T_DETECT_PROB, T_RESCUE_BELOW
from endolab.sim.population import (
    Behaviour,
    BehaviourSettings,
    ScreeningSettings,
    restored_awareness,
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
        arms, seed=3, days=120, screening=ScreeningSettings(days=28), sensor="none"
    )
    impaired = result.screening.behaviour.impaired  # type: ignore[union-attr]
    assert impaired.all()  # screened participants all have impaired awareness
    assert len(seen) == result.day_numbers.size
    s = BehaviourSettings()
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
    below, prob = restored_awareness(
        f, beh, BehaviourSettings(awareness_restored_at_graft_fraction=0.5)
    )
    np.testing.assert_allclose(below, [54.0, 66.0, 70.0, 70.0])
    np.testing.assert_allclose(prob, [0.92, 0.98, 1.0, 1.0])
    # R = 0 switches the restoration off: the impaired values stay at any F
    below, prob = restored_awareness(
        f, beh, BehaviourSettings(awareness_restored_at_graft_fraction=0.0)
    )
    np.testing.assert_allclose(below, [50.0, 50.0, 50.0, 70.0])
    np.testing.assert_allclose(prob, [0.9, 0.9, 0.9, 1.0])
