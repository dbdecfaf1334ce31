"""CONGA(n): hand calculations on traces aligned with the 5-min grid (readings at 00:05 + 5k)."""

from __future__ import annotations

import math

import pytest

from endolab.cgm.indices import conga
from endolab.errors import InputError
from tests.cgm.indices.helpers import frame_of, value


def test_conga_24() -> None:
    # day 1: 288 readings of 100 (00:05 … 24:00); day 2: 144 readings of 110 then 144 of 130.
    # The 288 differences 24 h apart are 10 (×144) and 30 (×144): mean 20, every deviation ±10,
    # SD = √(288·100 / 287) = √100.348432 = 10.017406
    frame = frame_of([100] * 288 + [110] * 144 + [130] * 144)
    assert value(conga(frame), "conga_24") == pytest.approx(10.017406, rel=1e-6)


def test_conga_1_hour_on_a_ramp_and_column_name() -> None:
    # glucose rising 1 mg/dL per 5 min, then a step: 30 readings 100…129, then 30 readings of 200.
    # Differences 12 points (1 h) apart: within the ramp 12 (×18); across the step 200 − g(k):
    # k = 18…29 → 82, 81, …, 71; within the flat part 0 (×18).
    ramp = [100 + k for k in range(30)]
    frame = frame_of(ramp + [200] * 30)
    d = [12.0] * 18 + [200.0 - (100 + k) for k in range(18, 30)] + [0.0] * 18
    mean = sum(d) / len(d)
    sd = math.sqrt(sum((x - mean) ** 2 for x in d) / (len(d) - 1))  # = 32.48…, written out:
    # mean = (216 + Σ_{k=18}^{29}(100 − k) + 0)/48 = (216 + 918)/48 = 23.625
    assert mean == pytest.approx(23.625)
    assert value(conga(frame, n=1), "conga_1") == pytest.approx(sd, rel=1e-9)


def test_conga_needs_a_positive_lag() -> None:
    with pytest.raises(InputError, match="positive number of hours"):
        conga(frame_of([100, 110]), n=0)
