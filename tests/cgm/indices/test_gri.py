"""GRI: hand calculations (Klonoff 2023)."""

from __future__ import annotations

import pytest

from endolab.cgm.indices import gri
from tests.cgm.indices.helpers import frame_of, value


def test_gri_components() -> None:
    # 10 readings: < 54: 1 (10 %); 54–69: 0; > 250: 0; 181–250: 1 (190 → 10 %)
    # GRI = 3·10 + 0.8·10 = 38
    frame = frame_of([50, 100, 100, 100, 100, 100, 100, 100, 100, 190])
    assert value(gri(frame), "gri") == pytest.approx(38.0)


def test_gri_boundaries() -> None:
    # 54 is not < 54 but is < 70 (Low); 70 is in range; 180 in range; 250 is High (181–250), not VHigh
    # 4 readings: Low 25 %, High 25 % → 2.4·25 + 0.8·25 = 80
    assert value(gri(frame_of([54, 70, 180, 250])), "gri") == pytest.approx(80.0)


def test_gri_capped_at_100() -> None:
    # VLow 10 %, Low 10 %, VHigh 20 %, High 20 %: 30 + 24 + 32 + 16 = 102 → 100
    frame = frame_of([50, 60, 100, 120, 150, 190, 200, 260, 300, 110])
    assert value(gri(frame), "gri") == pytest.approx(100.0)
