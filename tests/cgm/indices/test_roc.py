"""Rate of change and its SD: hand calculations (timelag 15 min)."""

from __future__ import annotations

import pytest

from endolab.cgm.indices import roc, sd_roc
from tests.cgm.indices.helpers import frame_of, value


def test_sd_roc_zigzag() -> None:
    # zig-zag 100/110, 13 points: g(k+3) − g(k) = +10 (k even) or −10 (k odd), k = 0…9
    # ROC = ±10/15 = ±0.666667 (5 each): mean 0, SD = 0.666667·√(10/9) = 0.702728
    frame = frame_of([100 + 10 * (k % 2) for k in range(13)])
    assert value(sd_roc(frame), "sd_roc") == pytest.approx(0.702728, rel=1e-6)


def test_roc_series_on_a_ramp() -> None:
    # 1 mg/dL per 5 min: ROC over 15 min = 3/15 = 0.2 mg/dL/min from the 4th grid point on
    frame = frame_of([100 + k for k in range(10)])
    out = roc(frame)
    vals = out["roc"].to_list()
    assert vals[:3] == [None, None, None]
    assert vals[3:10] == pytest.approx([0.2] * 7)
    assert out["time"][0].isoformat() == "2024-01-01T00:05:00"
