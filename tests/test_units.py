"""Unit conversions: constants checked against their sources, round trips, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from endolab.errors import EndolabError, UnitError
from endolab.units import convert, normalize_unit, units_for


@pytest.mark.parametrize(
    ("value", "src", "dst", "quantity", "expected", "source"),
    [
        # ISSAM free-testosterone page: "288.4 ng/dL = 10 nmol/L".
        (288.4, "ng/dL", "nmol/L", "testosterone", 10.0, "ISSAM"),
        # Free T: ng/dL × 10 = pg/mL (docs/methods/hormones.md §2.2).
        (1.0, "ng/dL", "pg/mL", "testosterone", 10.0, "arithmetic"),
        # Estradiol MW 272.38 g/mol: 1 pg/mL = 1000/272.38 pmol/L = 3.6714 pmol/L.
        (1.0, "pg/mL", "pmol/L", "estradiol", 3.6714, "MW 272.38"),
        # DHT MW 290.44 g/mol: 1 nmol/L = 29.044 ng/dL.
        (1.0, "nmol/L", "ng/dL", "dht", 29.044, "MW 290.44"),
        # Albumin 4.3 g/dL = 43 g/L (definition of the decilitre).
        (4.3, "g/dL", "g/L", "albumin", 43.0, "definition"),
        # Glucose: 10 mmol/L × 18 = 180 mg/dL (iglu and the consensus materials use 18).
        (10.0, "mmol/L", "mg/dL", "glucose", 180.0, "iglu factor 18"),
    ],
)
def test_constants_against_sources(
    value: float, src: str, dst: str, quantity: str, expected: float, source: str
) -> None:
    assert convert(value, src, dst, quantity=quantity) == pytest.approx(expected, rel=1e-4), source  # type: ignore[arg-type]


@pytest.mark.parametrize("quantity", ["testosterone", "estradiol", "dht", "albumin", "glucose"])
@given(value=st.floats(min_value=1e-6, max_value=1e6))
def test_round_trip(quantity: str, value: float) -> None:
    for src in units_for(quantity):  # type: ignore[arg-type]
        for dst in units_for(quantity):  # type: ignore[arg-type]
            there = convert(value, src, dst, quantity=quantity)  # type: ignore[arg-type]
            back = convert(there, dst, src, quantity=quantity)  # type: ignore[arg-type]
            assert back == pytest.approx(value, rel=1e-12)


def test_arrays_convert_elementwise() -> None:
    out = convert(np.array([3.9, 10.0]), "mmol/L", "mg/dL", quantity="glucose")
    np.testing.assert_allclose(out, [70.2, 180.0])


def test_unknown_unit_names_field_value_and_accepted_units() -> None:
    with pytest.raises(UnitError) as info:
        normalize_unit("mg/L", quantity="glucose", field="unit")
    message = str(info.value)
    assert "'mg/L'" in message and "mg/dL" in message and "mmol/L" in message
    assert info.value.field == "unit" and info.value.exit_code == 2
    assert isinstance(info.value, EndolabError) and isinstance(info.value, ValueError)


def test_unknown_quantity() -> None:
    with pytest.raises(UnitError, match="unknown quantity"):
        units_for("cortisol")  # type: ignore[arg-type]
