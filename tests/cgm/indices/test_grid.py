"""R iglu's CGMS2DayByDay grid convention, checked on hand-made traces."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from endolab.cgm.kernels.grid import Intermediates, build_grid, grid_of
from endolab.cgm.kernels.groups import groups_of
from endolab.errors import EndolabWarning, InputError
from tests.cgm.indices.helpers import frame_of, stack


def _grid(frame, **kw):  # type: ignore[no-untyped-def]
    return build_grid(groups_of(frame, ("id",)), **kw)


def test_grid_starts_at_midnight_plus_dt0_and_interpolates() -> None:
    # readings at 00:02:30 (100) and 00:07:30 (110); dt0 = 5; first grid point 00:05 → 105
    t = [dt.datetime(2024, 1, 1, 0, 2, 30), dt.datetime(2024, 1, 1, 0, 7, 30)]
    g = _grid(frame_of([100, 110], times=t))
    assert g.dt0.tolist() == [5]
    # span 5 min → ndays = ceil(0.0035 + 1) = 2 → 2·288 points
    assert g.ndays.tolist() == [2]
    assert g.gl.size == 576
    assert g.gl[0] == pytest.approx(105.0)
    assert np.isnan(g.gl[1:]).all()  # 00:10 is after the last reading


def test_grid_value_on_a_reading_is_the_reading() -> None:
    g = _grid(frame_of([100, 120, 90]))  # readings at 00:05, 00:10, 00:15 = grid points 0, 1, 2
    assert g.gl[:3].tolist() == [100.0, 120.0, 90.0]


def test_gap_longer_than_inter_gap_is_not_interpolated() -> None:
    # 00:05 → 100, 00:55 → 200 (50 min > 45), then every 5 min (median interval 5 min):
    # grid points strictly inside the gap are missing
    times = [dt.datetime(2024, 1, 1, 0, 5)] + [
        dt.datetime(2024, 1, 1, 0, 55) + dt.timedelta(minutes=5 * k) for k in range(3)
    ]
    g = _grid(frame_of([100, 200, 150, 150], times=times))
    assert g.dt0.tolist() == [5]
    assert g.gl[0] == 100.0 and np.isnan(g.gl[1:10]).all() and g.gl[10] == 200.0


def test_gap_of_exactly_inter_gap_is_interpolated() -> None:
    # 45 min is not > 45: 00:05 → 100, 00:50 → 190: 00:30 is 25/45 of the way → 150
    t = [dt.datetime(2024, 1, 1, 0, 5), dt.datetime(2024, 1, 1, 0, 50)]
    times = [*t, dt.datetime(2024, 1, 1, 0, 55), dt.datetime(2024, 1, 1, 1, 0)]
    g = _grid(frame_of([100, 190, 190, 190], times=times))
    assert g.gl[5] == pytest.approx(150.0)


def test_dt0_is_rounded_median_and_must_not_exceed_inter_gap() -> None:
    frame = frame_of([100] * 5, step_min=15)
    assert _grid(frame).dt0.tolist() == [15]
    # R iglu stops on a 60-min median interval (> inter_gap 45); we leave that group without a
    # grid, say so, and keep the other groups
    sparse = stack(frame_of([100] * 5, step_min=60, id_="a"), frame_of([100] * 5, id_="b"))
    with pytest.warns(EndolabWarning, match=r"1 group\(s\) \(id=a\).*outside 1–45 min"):
        g = _grid(sparse)
    assert g.dt0.tolist() == [0, 5]
    assert g.lengths.tolist() == [0, 576]
    with pytest.raises(InputError, match="exceeds inter_gap"):
        _grid(frame, dt0=60)


def test_dt0_not_dividing_a_day_is_adjusted_as_r_iglu() -> None:
    # 7 min: 1440 % 7 ≠ 0 → 7 % 5 = 2 ≤ 2 → 5; 23 min (inter_gap 60) → > 20 → 20
    assert _grid(frame_of([100] * 5, step_min=7)).dt0.tolist() == [5]
    assert _grid(frame_of([100] * 5, step_min=23), inter_gap=60).dt0.tolist() == [20]


def test_ndays_is_ceiling_of_span_plus_one() -> None:
    # span exactly 1 day (00:05 → next day 00:05) → ceil(1 + 1) = 2 days
    t = [
        dt.datetime(2024, 1, 1, 0, 5),
        dt.datetime(2024, 1, 1, 0, 10),
        dt.datetime(2024, 1, 2, 0, 5),
    ]
    assert _grid(frame_of([1, 2, 3], times=t), inter_gap=2000).ndays.tolist() == [2]
    # 1 day + 1 min → ceil(2.0007) = 3
    t2 = [*t[:2], dt.datetime(2024, 1, 2, 0, 6)]
    assert _grid(frame_of([1, 2, 3], times=t2), inter_gap=2000).ndays.tolist() == [3]


def test_groups_are_independent_and_single_reading_has_no_grid() -> None:
    frame = stack(frame_of([100, 110, 120], id_="a"), frame_of([50], id_="b"))
    g = _grid(frame)
    assert g.dt0.tolist() == [5, 0]
    assert g.lengths.tolist() == [576, 0]


def test_fixed_dt0_reuses_the_automatic_grid_when_equal() -> None:
    frame = frame_of([100, 110, 120, 130])
    shared = Intermediates(frame)
    a = grid_of(frame, ("id",), shared=shared)
    b = grid_of(frame, ("id",), dt0=5, shared=shared)
    assert a is b
    assert math.isnan(grid_of(frame, ("id",), dt0=5).gl[-1])
    assert np.array_equal(grid_of(frame, ("id",), dt0=5).gl, a.gl, equal_nan=True)


def test_intermediates_are_explicit_and_per_frame() -> None:
    frame = frame_of([100, 110, 120, 130])
    # no hidden cache: each call without `shared` builds its own grid
    assert grid_of(frame, ("id",)) is not grid_of(frame, ("id",))
    shared = Intermediates(frame)
    a = grid_of(frame, ("id",), shared=shared)
    assert grid_of(frame, ("id",), shared=shared) is a  # built once for this frame
    # intermediates of another frame (equal content, other object) are not used
    other = frame_of([100, 110, 120, 130])
    assert grid_of(other, ("id",), shared=shared) is not a
    assert grid_of(frame, ("id",), shared=Intermediates(other)) is not a
