"""Order statistics (R type 7 quantiles): hand calculations, through the one registry's entries
(``summary`` and ``quantile``: probabilities 0–1; there is no second, 0–100 implementation)."""

from __future__ import annotations

import pytest

from endolab.cgm.registry import REGISTRY
from endolab.errors import InputError
from tests.cgm.indices.helpers import frame_of, value


def test_summary_type7() -> None:
    out = REGISTRY["summary"](frame_of([160, 100, 130, 110]))
    # sorted 100, 110, 130, 160; type 7: h = (n − 1)p
    # q25: h = 0.75 → 100 + 0.75·10 = 107.5; median: h = 1.5 → 120; q75: h = 2.25 → 130 + 0.25·30 = 137.5
    assert value(out, "min") == 100
    assert value(out, "q25") == pytest.approx(107.5)
    assert value(out, "median") == pytest.approx(120.0)
    assert value(out, "q75") == pytest.approx(137.5)
    assert value(out, "max") == 160
    assert value(out, "range") == pytest.approx(60.0)
    assert value(out, "iqr") == pytest.approx(30.0)


def test_quantile_names_and_values() -> None:
    out = REGISTRY["quantile"](frame_of([100, 110, 130, 160]), quantiles=[0.1, 0.9])
    # q10: h = 0.3 → 103; q90: h = 2.7 → 130 + 0.7·30 = 151
    assert value(out, "q10") == pytest.approx(103.0)
    assert value(out, "q90") == pytest.approx(151.0)


def test_quantile_range_checked() -> None:
    with pytest.raises(InputError, match="accepted: 0 to 1"):
        REGISTRY["quantile"](frame_of([100]), quantiles=[1.01])
    with pytest.raises(InputError, match="accepted: 0 to 1"):
        REGISTRY["quantile"](frame_of([100]), quantiles=[90])  # a percentile, not a probability
