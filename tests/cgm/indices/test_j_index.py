"""J-index: hand calculation (Wojcicki 1995)."""

from __future__ import annotations

import pytest

from endolab.cgm.indices import j_index
from tests.cgm.indices.helpers import frame_of, value


def test_j_index() -> None:
    # mean 115; deviations −15, −5, 5, 15 → SS 500; SD = √(500/3) = 12.909944
    # J = 0.001 · (115 + 12.909944)² = 0.001 · 16360.95 = 16.36095
    assert value(j_index(frame_of([100, 110, 120, 130])), "j_index") == pytest.approx(
        16.36095, rel=1e-6
    )


def test_single_reading_has_no_sd_so_null() -> None:
    assert value(j_index(frame_of([100])), "j_index") is None
