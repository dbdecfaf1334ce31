"""Age-based defaults (docs/methods/hormones.md §3: 33 nmol/L ≤ 35 y, 52 nmol/L ≥ 59 y, linear; age 47)."""

from __future__ import annotations

import pytest

from endolab.hormones.defaults import (
    DEFAULT_AGE_YEARS,
    DEFAULT_ALBUMIN_G_DL,
    age_weight,
    default_shbg_coviello_2006,
)
from endolab.hormones.predictor import default_shbg


@pytest.mark.parametrize(
    ("age", "shbg"),
    [(18, 33), (35, 33), (47, 42.5), (53, 47.25), (59, 52), (75, 52), (None, 42.5)],
)
def test_default_shbg(age: float | None, shbg: float) -> None:
    # age 53: w = (53 − 35)/24 = 0.75 → 33 + 0.75 × 19 = 47.25
    assert default_shbg_coviello_2006(age) == pytest.approx(shbg)
    assert default_shbg(age) == pytest.approx(shbg)


def test_constants() -> None:
    assert DEFAULT_AGE_YEARS == 47
    assert DEFAULT_ALBUMIN_G_DL == 4.3
    assert age_weight(47) == 0.5
