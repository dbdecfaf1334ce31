"""Hourly AUC: hand calculations for both methods."""

from __future__ import annotations

import pytest

from endolab.cgm.indices import auc
from endolab.errors import InputError
from tests.cgm.indices.helpers import frame_of, value


def test_iglu_r_method_pairs_points_ndays_apart() -> None:
    # readings 100, 100, 130 at 00:05, 00:10, 00:15: span 10 min → ndays = 2, so R iglu's labelling
    # pairs grid points 2 apart: only (100, 130) has both ends → (100 + 130)/2 = 115
    assert value(auc(frame_of([100, 100, 130])), "hourly_auc") == pytest.approx(115.0)


def test_daily_trapezoid_method() -> None:
    # consecutive trapezoids: (100 + 100)/2 = 100 and (100 + 130)/2 = 115 over 2 × 5 min
    # area 5/60·(100 + 115) = 17.9167 mg/dL·h over 10/60 h → 107.5 mg/dL
    out = auc(frame_of([100, 100, 130]), method="daily_trapezoid")
    assert value(out, "hourly_auc") == pytest.approx(107.5)


def test_unknown_method() -> None:
    with pytest.raises(InputError, match="method must be"):
        auc(frame_of([100, 110]), method="simpson")  # type: ignore[arg-type]
