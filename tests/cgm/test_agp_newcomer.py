"""AGP (issue 13): sufficiency decided on the value shown, optional smoothing, a fixed y-range."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import polars as pl
import pytest

from endolab.cgm.agp import AGP_Y_MAX_MG_DL, _smoothed, agp_figure, sufficiency_text


@pytest.mark.parametrize(
    ("days", "active", "ok", "shown"),
    [
        (
            13.997,
            99.0,
            False,
            "13.9 d",
        ),  # shown rounded, it used to read "14.0 d" beside "insufficient"
        (14.0, 70.0, True, None),
        (20.0, 69.96, False, "69.9 %"),
    ],
)
def test_sufficiency_shown_as_decided(
    days: float, active: float, ok: bool, shown: str | None
) -> None:
    text, sufficient = sufficiency_text(days, active)
    assert sufficient is ok
    if shown is not None:
        assert shown in text


def test_smoothing_is_a_circular_moving_average() -> None:
    # by hand, a 3-bin window wrapping around midnight: bin 0 = (x3 + x0 + x1)/3 = 0,
    # bin 1 = (0 + 0 + 3)/3 = 1, bin 2 = (0 + 3 + 0)/3 = 1, bin 3 = (3 + 0 + x0)/3 = 1
    assert _smoothed(np.array([0.0, 0.0, 3.0, 0.0]), 3).tolist() == [0.0, 1.0, 1.0, 1.0]


def _frame(level: float) -> pl.DataFrame:
    start = dt.datetime(2024, 1, 1)
    n = 14 * 96
    gl = level + 40 * np.sin(np.arange(n) * 2 * np.pi / 96)
    return pl.DataFrame(
        {
            "id": ["a"] * n,
            "time": [start + dt.timedelta(minutes=15 * i) for i in range(n)],
            "gl": gl,
        }
    )


def _glucose_axis(fig: Any) -> Any:
    return next(ax for ax in fig.get_axes() if ax.get_ylabel().startswith("Glucose"))


def test_same_y_range_for_every_subject_and_smooth_option() -> None:
    low = agp_figure(_frame(100.0), "a")
    high = agp_figure(_frame(220.0), "a", smooth=True)
    tops = [_glucose_axis(fig).get_ylim() for fig in (low, high)]
    assert tops[0] == tops[1] == (0.0, AGP_Y_MAX_MG_DL)
    mmol = agp_figure(_frame(100.0), "a", unit="mmol/L")
    assert _glucose_axis(mmol).get_ylim()[1] == pytest.approx(AGP_Y_MAX_MG_DL / 18)
