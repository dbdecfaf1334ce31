"""LBGI, HBGI, ADRR: hand calculations (Kovatchev 1997/2006 formulas, c = 22.77)."""

from __future__ import annotations

import datetime as dt

import pytest

from endolab.cgm.indices import adrr, hbgi, lbgi
from endolab.cgm.indices.risk import BGI_CONSTANT_IGLU_R
from tests.cgm.indices.helpers import frame_of, value

# f(g) = ln(g)^1.084 − 5.381, worked by hand:
# g = 40:  ln 40 = 3.688879; ln(3.688879) = 1.305325; ×1.084 = 1.414972; e^ = 4.116366; f = −1.264634
# g = 400: ln 400 = 5.991465; ln(5.991465) = 1.790335; ×1.084 = 1.940723; e^ = 6.963792; f = +1.582792
F40 = -1.264634
F400 = 1.582792


def test_lbgi_hbgi_two_readings() -> None:
    frame = frame_of([40, 400])
    # LBGI = 22.77 · (−1.264634)² / 2 = 22.77 · 1.599299 / 2 = 18.20802
    assert value(lbgi(frame), "lbgi") == pytest.approx(18.20802, rel=1e-5)
    # HBGI = 22.77 · 1.582792² / 2 = 22.77 · 2.505231 / 2 = 28.52206
    assert value(hbgi(frame), "hbgi") == pytest.approx(28.52206, rel=1e-5)


def test_in_range_readings_carry_no_risk_but_count_in_n() -> None:
    # 112.5 mg/dL is the zero of f (ln(112.5)^1.084 = 5.381): it adds 0 but counts in n = 2
    frame = frame_of([40, 112.5])
    assert value(lbgi(frame), "lbgi") == pytest.approx(22.77 * F40**2 / 2, rel=1e-5)
    assert value(hbgi(frame), "hbgi") == pytest.approx(0.0, abs=1e-9)


def test_iglu_python_constant_is_a_parameter() -> None:
    frame = frame_of([40, 400])
    alt = 10 * 1.509**2  # 22.77081
    ratio = value(lbgi(frame, constant=alt), "lbgi") / value(lbgi(frame), "lbgi")  # type: ignore[operator]
    assert ratio == pytest.approx(alt / BGI_CONSTANT_IGLU_R, rel=1e-12)


def test_adrr_two_days() -> None:
    day1 = [dt.datetime(2024, 1, 1, 8), dt.datetime(2024, 1, 1, 20)]
    day2 = [dt.datetime(2024, 1, 2, 8), dt.datetime(2024, 1, 2, 20)]
    frame = frame_of([40, 400, 112.5, 400], times=day1 + day2)
    # day 1: LR = 22.77·1.599299 = 36.41604; HR = 22.77·2.505231 = 57.04411 → 93.46015
    # day 2: LR = 0 (lowest is 112.5, f ≈ 0);  HR = 57.04411
    # ADRR = (93.46015 + 57.04411) / 2 = 75.25213
    assert value(adrr(frame), "adrr") == pytest.approx(75.25213, rel=1e-5)


def test_adrr_day_boundary_is_wall_clock_midnight() -> None:
    # the same readings split 23:55 / 00:05 fall on two days: each day has one reading
    times = [dt.datetime(2024, 1, 1, 23, 55), dt.datetime(2024, 1, 2, 0, 5)]
    frame = frame_of([40, 400], times=times)
    # day 1: 36.41604 (LR) + 0 (HR: f(40) < 0); day 2: 0 + 57.04411 → mean 46.73008
    assert value(adrr(frame), "adrr") == pytest.approx(46.73008, rel=1e-5)
