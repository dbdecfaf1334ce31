"""PGS: the episode rules it uses (R iglu's episode_calculation, 20/30 min) on a known trace, and
the score's composition."""

from __future__ import annotations

import numpy as np
import pytest

from endolab.cgm.indices import pgs
from endolab.cgm.indices.gvp import gvp_values
from endolab.cgm.indices.pgs import _episodes, _starts_of, pgs_hirsch_2017
from endolab.cgm.kernels.grid import build_grid
from endolab.cgm.kernels.groups import groups_of
from tests.cgm.indices.helpers import frame_of, value

# 5-min readings (grid = readings): start ≥ 4 points (20 min) below, end ≥ 6 points (30 min) at/above
TRACE = [100] * 6 + [50] * 4 + [100] * 6 + [60] * 4 + [100] * 3 + [60] * 4 + [100] * 6


def _grid():  # type: ignore[no-untyped-def]
    return build_grid(groups_of(frame_of(TRACE), ("id",)))


def test_episode_counts() -> None:
    grid = _grid()
    four, six = np.array([4]), np.array([6])
    # < 70: runs 50×4 at 6–9 (start), 100×6 at 10–15 (end), 60×4 at 16–19 (start), 100×3 at 20–22
    # (too short to end), 60×4 at 23–26 (same episode), 100×6 at 27–32 (end). An episode runs to
    # the point before its end run: 2 episodes, points 6–9 and 16–26
    g1, first1, last1 = _episodes(grid, 70.0, four, six)
    assert g1.tolist() == [0, 0]
    assert first1.tolist() == [6, 16] and last1.tolist() == [9, 26]
    # < 54: 50×4 starts; the 23 points ≥ 54 after it end it → 1 episode
    g2, _, _ = _episodes(grid, 54.0, four, six)
    assert g2.tolist() == [0]
    # level-1-only episodes: the first contains the level-2 start (point 6), the second does not
    assert _starts_of(grid, 54.0, four).tolist() == [6]


def test_pgs_is_the_sum_of_its_terms() -> None:
    frame = frame_of(TRACE)
    grid = _grid()
    # 33 present grid points × 5 min = 0.114583 days: 1 episode of each kind → 61.09 per week
    per_week = 1 / (33 * 5 / 1440) * 7
    mean = sum(TRACE) / len(TRACE)
    ptir = 100 * sum(70 <= x <= 180 for x in TRACE) / len(TRACE)  # 21 of 33 = 63.64 %
    expected = pgs_hirsch_2017(
        gvp_values(grid), np.array(mean), np.array(ptir), np.array(per_week), np.array(per_week)
    )
    assert value(pgs(frame), "pgs") == pytest.approx(float(expected[0]), rel=1e-12)
    # f_H54 saturates near 5 and f_H70 is capped at 5 (61 > 7.65 per week)
    assert per_week == pytest.approx(61.0909, rel=1e-5)
