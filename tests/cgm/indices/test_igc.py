"""IGC = hyper index + hypo index: hand calculation (Rodbard 2009)."""

from __future__ import annotations

import pytest

from endolab.cgm.indices import igc
from tests.cgm.indices.helpers import frame_of, value


def test_igc() -> None:
    # hypo: (80 − 60)² / (3·30) = 4.444444; hyper: (10^1.1 + 100^1.1) / 90 = 171.078573 / 90 = 1.900873
    assert value(igc(frame_of([60, 150, 240])), "igc") == pytest.approx(6.345318, rel=1e-6)
