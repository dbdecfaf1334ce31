"""SD and CV subtypes (Rodbard 2009 as R iglu): hand calculations on a small day-by-day matrix.

Readings every 6 h (dt0 = 360 min, inter_gap raised to 400 min) give a 4-column matrix:
Jan 1 06:00 … Jan 3 00:00 → ndays = ceil(1.75 + 1) = 3 rows; the third row is empty.

    row 0 (Jan 1 06, 12, 18, Jan 2 00): 100 120 140 160   mean 130
    row 1 (Jan 2 06, 12, 18, Jan 3 00): 110 150 130 170   mean 140
"""

from __future__ import annotations

import datetime as dt

import pytest

from endolab.cgm.indices import cv_measures, sd_measures
from tests.cgm.indices.helpers import frame_of, value

START = dt.datetime(2024, 1, 1, 6)
VALUES = [100, 120, 140, 160, 110, 150, 130, 170]


def _frame():  # type: ignore[no-untyped-def]
    return frame_of(VALUES, start=START, step_min=360)


def test_sd_measures_small_matrix() -> None:
    out = sd_measures(_frame(), inter_gap=400)
    # SDw: row SDs: row 0 deviations ±30, ±10 → √(2000/3) = 25.819889; row 1 the same → 25.819889
    assert value(out, "sdw") == pytest.approx(25.819889, rel=1e-6)
    # SDhhmm: column means 105, 135, 135, 165 → deviations −30, 0, 0, 30 → √(1800/3) = 24.494897
    assert value(out, "sdhhmm") == pytest.approx(24.494897, rel=1e-6)
    # SDdm: SD of the daily means 130 and 140 = 7.071068
    assert value(out, "sddm") == pytest.approx(7.071068, rel=1e-6)
    # SDb: column SDs 7.071068, 21.213203, 7.071068, 7.071068 → mean 10.606602
    assert value(out, "sdb") == pytest.approx(10.606602, rel=1e-6)
    # SDbdm: residuals row 0: −30 −10 10 30; row 1: −30 10 −10 30 → column SDs 0, 14.142136,
    # 14.142136, 0 → mean 7.071068
    assert value(out, "sdbdm") == pytest.approx(7.071068, rel=1e-6)
    # SDwsh: the 1-hour window is round(60/360) = 0 points: undefined → null [A]
    assert value(out, "sdwsh") is None


def test_sdwsh_one_hour_windows() -> None:
    # zig-zag 100/110 at 5 min, 24 points on a 576-point grid. Windows of 12 grid points starting at
    # k = 0…22 hold m = min(12, 24 − k) present values (missing grid points are skipped, as
    # caTools::runsd); with a 100s and b 110s the SD is √(100·a·b / (m(m − 1))):
    #   m = 12 (k = 0…12) and m = 11: 5.222330 (14 windows); m = 10, 9: 5.270463; m = 8, 7: 5.345225;
    #   m = 6, 5: 5.477226; m = 4, 3: 5.773503; m = 2: 7.071068; m = 1 (k = 23): undefined.
    # mean = (14·5.222330 + 2·(5.270463 + 5.345225 + 5.477226 + 5.773503) + 7.071068) / 23
    #      = 123.916522 / 23 = 5.387675
    frame = frame_of([100 + 10 * (k % 2) for k in range(24)])
    assert value(sd_measures(frame), "sdwsh") == pytest.approx(5.387675, rel=1e-6)


def test_cv_measures_small_matrix() -> None:
    out = cv_measures(_frame(), inter_gap=400)
    # daily CVs: 25.819889/130·100 = 19.861453; 25.819889/140·100 = 18.442778
    # CVmean = 19.152116; CVsd = |19.861453 − 18.442778|/√2 = 1.003162
    assert value(out, "cvmean") == pytest.approx(19.152116, rel=1e-6)
    assert value(out, "cvsd") == pytest.approx(1.003162, rel=1e-5)
