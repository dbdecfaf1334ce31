"""MAGE (ma algorithm): traces whose excursions are known by construction."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest

from endolab.cgm.indices import mage
from endolab.cgm.indices.mage import mage_ma_fernandes_2022
from endolab.errors import InputError
from tests.cgm.indices.helpers import T0, frame_of, value

ALL = ["avg", "service", "max", "plus", "minus"]


def _legs(points: list[float], n: int = 48) -> list[float]:
    """Straight 5-min legs of n steps (4 h) between the given turning points."""
    out: list[float] = []
    for a, b in itertools.pairwise(points):
        out += list(np.linspace(a, b, n + 1)[:-1])
    return [*out, points[-1]]


def test_triangle_wave_every_excursion_is_100() -> None:
    t = np.arange(0, 24 * 60 + 5, 5.0)
    tri = 100 + 100 * np.abs(((t / 120) % 2) - 1)  # 200 → 100 → 200 … every 2 h
    res = mage_ma_fernandes_2022(tri)
    assert res == pytest.approx(dict.fromkeys(ALL, 100.0))


def test_directions_on_an_asymmetric_trace() -> None:
    # 200 ↘ 100 ↗ 250 ↘ 100 ↗ 250 ↘ 100 (4-h legs). Falls: 100, 150, 150 → MAGE− = 133.333;
    # rises: 150, 150 → MAGE+ = 150. The first excursion is a fall → service = MAGE− = 133.333;
    # max = 150; avg = (150 + 133.333)/2 = 141.667 (one segment).
    out = mage(frame_of(_legs([200, 100, 250, 100, 250, 100])), direction=ALL)
    assert value(out, "mage_minus") == pytest.approx(400 / 3)
    assert value(out, "mage_plus") == pytest.approx(150.0)
    assert value(out, "mage_service") == pytest.approx(400 / 3)
    assert value(out, "mage_max") == pytest.approx(150.0)
    assert value(out, "mage") == pytest.approx((150 + 400 / 3) / 2)


def test_segments_split_by_long_gaps_are_weighted_by_length() -> None:
    # segment A: 24 h triangle, excursions 100; 245 min without readings (> max_gap 180);
    # segment B: 12 h triangle 150–200, excursions 50. Weights = segment spans 1440 and 720 min:
    # MAGE = (100·1440 + 50·720) / 2160 = 83.333
    a = [100 + 100 * abs(((k * 5 / 120) % 2) - 1) for k in range(289)]
    b = [150 + 50 * abs(((k * 5 / 120) % 2) - 1) for k in range(145)]
    ta = [T0 + dt.timedelta(minutes=5 * k) for k in range(289)]
    tb = [ta[-1] + dt.timedelta(minutes=245 + 5 * k) for k in range(145)]
    out = mage(frame_of(a + b, times=ta + tb), direction=ALL)
    for col in ("mage", "mage_service", "mage_max", "mage_plus", "mage_minus"):
        assert value(out, col) == pytest.approx(250 / 3)


def test_too_short_or_flat_is_null() -> None:
    assert value(mage(frame_of([100, 120, 100, 130, 90, 140])), "mage") is None  # < 7 points
    assert value(mage(frame_of([100, 120] * 10)), "mage") is None  # 20 < long_ma = 32 points
    assert value(mage(frame_of([120.0] * 50)), "mage") is None  # SD < 1 mg/dL


def test_bad_parameters() -> None:
    with pytest.raises(InputError, match="direction must be one of"):
        mage(frame_of([100] * 40), direction="up")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="below long_ma"):
        mage(frame_of([100] * 40), short_ma=32, long_ma=5)


# ---- the vectorised steps against direct sequential versions written from the algorithm text


def _crossings_sequential(x: np.ndarray, d: np.ndarray) -> tuple[list[int], list[bool]]:
    """Point-by-point scan (R iglu mage_ma_single.R step 2d, as described in its comments)."""
    ids, types = [0], [bool(d[0] > 0)]
    for i in range(1, x.size):
        if np.isnan(x[i]) or np.isnan(x[i - 1]) or np.isnan(d[i]) or np.isnan(d[i - 1]):
            continue
        if d[i] * d[i - 1] < 0:
            ids.append(i)
            types.append(not d[i] < d[i - 1])
        elif d[i] * d[ids[-1]] < 0:
            prev = d[ids[-1]]
            ids.append(i)
            types.append(not d[i] < prev)
    return [*ids, x.size - 1], [*types, bool(d[-1] > 0)]


def _extrema_sequential(x: np.ndarray, ids: list[int], types: list[bool]) -> list[float]:
    out: list[float] = []
    prev = ids[0]
    for i in range(len(ids) - 1):
        w = x[prev : ids[i + 1] + 1]
        k = int(np.nanargmax(w) if types[i] else np.nanargmin(w))
        out.append(float(w[k]))
        prev += k
    return out


@pytest.mark.parametrize("seed", range(40))
def test_vectorised_steps_equal_sequential_scan(seed: int) -> None:
    import importlib

    m = importlib.import_module("endolab.cgm.indices.mage")
    rng = np.random.default_rng(seed)
    n = int(rng.integers(40, 1500))
    x = np.cumsum(rng.normal(0, 3, n)) + 150
    if seed % 3 == 0:
        x = np.round(x / 5) * 5  # ties and flat stretches (exact zero differences)
    if seed % 2 == 0:  # short missing stretches inside the segment
        for _ in range(3):
            a = int(rng.integers(1, n - 1))
            x[a : a + int(rng.integers(1, 12))] = np.nan
        x[-1] = 150.0
    delta = m._moving_average(x, 5) - m._moving_average(x, 32)
    delta[np.abs(delta) < 1e-9] = 0.0
    ids, types = m._crossings(x, delta)
    assert (ids, types) == _crossings_sequential(x, delta)
    assert m._extrema(x, ids, types) == _extrema_sequential(x, ids, types)
