"""MAG: hand calculations (R iglu 4.3.0 default n = dt0)."""

from __future__ import annotations

import pytest

from endolab.cgm.indices import mag
from tests.cgm.indices.helpers import frame_of, value


def test_mag_at_cgm_frequency() -> None:
    # zig-zag 100, 110, 100, … (25 readings, 5 min apart): 24 changes of 10 mg/dL over 24·5 min = 2 h
    # MAG = 240 / 2 = 120 mg/dL/h
    frame = frame_of([100 + 10 * (k % 2) for k in range(25)])
    assert value(mag(frame), "mag") == pytest.approx(120.0)


def test_mag_hourly() -> None:
    # n = 60 keeps every 12th grid point: 100, 100, 100 (k = 0, 12, 24) → no change → 0
    frame = frame_of([100 + 10 * (k % 2) for k in range(25)])
    assert value(mag(frame, n=60), "mag") == pytest.approx(0.0)
    # a ramp of 1 mg/dL per 5 min over 2 h (25 points): every 12th → 100, 112, 124 → 24 / 2 h = 12
    ramp = frame_of([100 + k for k in range(25)])
    assert value(mag(ramp, n=60), "mag") == pytest.approx(12.0)


def test_mag_n_below_dt0_is_raised_to_dt0() -> None:
    frame = frame_of([100 + 10 * (k % 2) for k in range(25)])
    assert value(mag(frame, n=1), "mag") == pytest.approx(120.0)
