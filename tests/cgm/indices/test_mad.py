"""Scaled median absolute deviation: hand calculation."""

from __future__ import annotations

import pytest

from endolab.cgm.indices import mad
from tests.cgm.indices.helpers import frame_of, value


def test_mad() -> None:
    # median 120; |deviations| 20, 10, 10, 40 → median 15; × 1.4826 = 22.239
    assert value(mad(frame_of([100, 110, 130, 160])), "mad") == pytest.approx(22.239)
