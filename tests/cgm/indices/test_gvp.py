"""GVP: hand calculations (Peyser 2018)."""

from __future__ import annotations

import math

import pytest

from endolab.cgm.indices import gvp
from tests.cgm.indices.helpers import frame_of, value


def test_gvp_zigzag() -> None:
    # every step: Δt = 5 min, |Δg| = 10 → length √(25 + 100) = 11.180340 per 5 min
    # GVP = (11.180340 / 5 − 1) · 100 = 123.6068 %
    frame = frame_of([100 + 10 * (k % 2) for k in range(13)])
    assert value(gvp(frame), "gvp") == pytest.approx((math.sqrt(125) / 5 - 1) * 100, rel=1e-12)
    assert value(gvp(frame), "gvp") == pytest.approx(123.6068, rel=1e-6)


def test_gvp_flat_is_zero() -> None:
    assert value(gvp(frame_of([120] * 10)), "gvp") == pytest.approx(0.0)
