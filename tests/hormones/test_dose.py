"""Dose → trough total T (Bhasin 2001 abstract: 253, 306, 542, 1345, 2370 ng/dL at 25–600 mg/week)."""

from __future__ import annotations

import pytest

from endolab.errors import InputError, ParseError
from endolab.hormones import trough_total_t_bhasin_2001


@pytest.mark.parametrize(
    ("dose", "tt"), [(25, 253), (50, 306), (125, 542), (300, 1345), (600, 2370)]
)
def test_published_means(dose: float, tt: float) -> None:
    assert trough_total_t_bhasin_2001(dose) == tt


def test_linear_between_doses() -> None:
    # 100 mg/week: 306 + (542 − 306) × (100 − 50)/(125 − 50) = 306 + 236 × 2/3 = 463.33
    assert trough_total_t_bhasin_2001(100) == pytest.approx(463.3333, rel=1e-6)
    # 450 mg/week: 1345 + 1025 × 0.5 = 1857.5
    assert trough_total_t_bhasin_2001(450) == pytest.approx(1857.5)


@pytest.mark.parametrize("dose", [24.9, 0, -100, 600.1, 1000])
def test_out_of_range(dose: float) -> None:
    with pytest.raises(
        InputError, match=r"dose_mg_week: .* mg/week is out of range; accepted 25–600"
    ):
        trough_total_t_bhasin_2001(dose)


def test_not_a_number() -> None:
    with pytest.raises(ParseError, match=r"`dose_mg_week` must be a number \(got `lots`\)"):
        trough_total_t_bhasin_2001("lots")  # type: ignore[arg-type]
