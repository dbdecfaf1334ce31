"""Syringe catalogue of docs/methods/hcg.md §2.1 (values typed from the table) and the smallest-barrel rule."""

from __future__ import annotations

from fractions import Fraction as F  # noqa: N817

import pytest

from endolab.errors import ParseError
from endolab.hcg.syringes import SYRINGES, get_syringe, recommend_syringe

# key: (units per mL, capacity [unit], smallest graduation [unit], mL per graduation) — docs/methods/hcg.md §2.1
SPEC_TABLE = {
    "u100-0.3-half": (100, 30, F(1, 2), F(5, 1000)),
    "u100-0.3": (100, 30, 1, F(1, 100)),
    "u100-0.5": (100, 50, 1, F(1, 100)),
    "u100-1.0": (100, 100, 2, F(2, 100)),
    "u40-1.0": (40, 40, 1, F(25, 1000)),
    "u40-0.5": (40, 20, 1, F(25, 1000)),
    "tb-1.0": (1, 1, F(1, 100), F(1, 100)),  # mL scale: capacity 1.00 mL, 0.01 mL lines
}


@pytest.mark.parametrize("key", list(SPEC_TABLE))
def test_catalogue_values(key: str) -> None:
    s = SYRINGES[key]
    assert (
        s.units_per_ml,
        s.capacity_units,
        s.graduation_units,
        s.ml_per_graduation,
    ) == SPEC_TABLE[key]


def test_catalogue_keys_exactly() -> None:
    assert list(SYRINGES) == list(SPEC_TABLE)


def test_u40_is_two_and_a_half_times_u100_volume() -> None:
    # docs/methods/hcg.md §2.1: "25" on a U-40 barrel is 0.625 mL, 2.5× the U-100 volume.
    assert F(25) / SYRINGES["u40-1.0"].units_per_ml == F(5, 8)
    assert (F(25) / 40) / (F(25) / 100) == F(5, 2)


def test_lookup() -> None:
    assert get_syringe(" U100-0.5 ").key == "u100-0.5"
    with pytest.raises(ParseError):
        get_syringe("u100-2.0")


def test_recommend_smallest_barrel() -> None:
    assert recommend_syringe(F(1, 4)).key == "u100-0.3"  # 25 units
    assert recommend_syringe(F(35, 100)).key == "u100-0.5"  # 35 units
    assert recommend_syringe(F(6, 10)).key == "u100-1.0"  # 60 units, on a 2-unit mark
    assert recommend_syringe(F(175, 1000)).key == "u100-0.3-half"  # 17.5 units
