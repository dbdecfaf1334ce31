"""Hypo/hyper index: hand calculations (Rodbard 2009 defaults)."""

from __future__ import annotations

import pytest

from endolab.cgm.indices import hyper_index, hypo_index
from tests.cgm.indices.helpers import frame_of, value


def test_hypo_index() -> None:
    # below 80: (80 − 60)² = 400; 80 and 100 add nothing; n = 3, d = 30 → 400 / 90 = 4.444444
    assert value(hypo_index(frame_of([60, 80, 100])), "hypo_index") == pytest.approx(4.444444)


def test_hyper_index() -> None:
    # above 140: 10^1.1 = 12.589254; 100^1.1 = 158.489319 → 171.078573 / (3·30) = 1.900873
    assert value(hyper_index(frame_of([150, 240, 140])), "hyper_index") == pytest.approx(
        1.900873, rel=1e-6
    )


def test_parameters() -> None:
    # lltr 100, b 1, d 10: (100 − 60) + (100 − 80) = 60 / (3·10) = 2
    out = hypo_index(frame_of([60, 80, 100]), lltr=100, b=1, d=10)
    assert value(out, "hypo_index") == pytest.approx(2.0)
