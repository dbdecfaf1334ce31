"""MODD: hand calculations on 5-min traces aligned with the grid."""

from __future__ import annotations

import pytest

from endolab.cgm.indices import modd
from tests.cgm.indices.helpers import frame_of, value


def test_modd_one_day_lag() -> None:
    # day 1: 288 × 100; day 2: 144 × 110 and 144 × 70 → |differences| 10 (×144) and 30 (×144)
    # MODD = (144·10 + 144·30) / 288 = 20
    frame = frame_of([100] * 288 + [110] * 144 + [70] * 144)
    assert value(modd(frame), "modd") == pytest.approx(20.0)


def test_modd_skips_missing_pairs() -> None:
    # only the first 10 points of day 2 exist: 10 pairs, each |110 − 100| = 10
    frame = frame_of([100] * 288 + [110] * 10)
    assert value(modd(frame), "modd") == pytest.approx(10.0)


def test_modd_without_a_second_day_is_null() -> None:
    assert value(modd(frame_of([100, 120, 140])), "modd") is None
