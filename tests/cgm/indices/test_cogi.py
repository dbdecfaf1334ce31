"""COGI: hand calculation (Leelarathna 2020)."""

from __future__ import annotations

import pytest

from endolab.cgm.indices import cogi
from tests.cgm.indices.helpers import frame_of, value


def test_cogi() -> None:
    # TIR 75 % → 0.5·0.75 = 0.375; TBR 25 % ≥ 15 % → 0; SD: mean 90, deviations −30, 10, 10, 10,
    # SS 1200, SD = √(1200/3) = 20 → (108 − 20)/(108 − 18) = 0.977778 × 0.15 = 0.146667
    # COGI = 100·(0.375 + 0 + 0.146667) = 52.1667
    assert value(cogi(frame_of([60, 100, 100, 100])), "cogi") == pytest.approx(52.16667, rel=1e-6)


def test_cogi_best_case_is_100() -> None:
    # all in range, none below, SD 0 (≤ 18 → 1): 50 + 35 + 15 = 100
    assert value(cogi(frame_of([100, 100, 100])), "cogi") == pytest.approx(100.0)
