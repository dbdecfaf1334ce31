"""The hormone calculators' unit tables come from endolab.units (one table, one normaliser)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

from endolab import units
from endolab.errors import ParseError, UnitError
from endolab.numbers import parse_float


@pytest.mark.parametrize(
    ("table", "quantity", "canonical"),
    [
        (units.TOTAL_T_UNITS, "testosterone", "ng/dL"),
        (units.ESTRADIOL_UNITS, "estradiol", "pg/mL"),
        (units.DHT_UNITS, "dht", "ng/dL"),
        (units.ALBUMIN_UNITS, "albumin", "g/dL"),
    ],
)
def test_tables_agree_with_endolab_units(
    table: Mapping[str, float], quantity: units.Quantity, canonical: str
) -> None:
    for unit, factor in table.items():
        assert units.convert(1.0, unit, canonical, quantity=quantity) == pytest.approx(
            factor, rel=1e-12
        )


@given(x=st.floats(1e-3, 1e4))
def test_round_trips(x: float) -> None:
    for table in (units.TOTAL_T_UNITS, units.ESTRADIOL_UNITS, units.DHT_UNITS, units.ALBUMIN_UNITS):
        for factor in table.values():
            assert (x * factor) / factor == pytest.approx(x, rel=1e-12)


def test_known_conversions() -> None:
    # ISSAM: 288.4 ng/dL = 10 nmol/L; E2 20 pg/mL × 3.6714 = 73.43 pmol/L; DHT 1 nmol/L = 29.044 ng/dL
    assert 10 * units.TOTAL_T_UNITS["nmol/L"] == pytest.approx(288.4)
    assert 73.43 * units.ESTRADIOL_UNITS["pmol/L"] == pytest.approx(20.0, rel=1e-4)
    assert units.DHT_UNITS["nmol/L"] == 29.044
    assert 43 * units.ALBUMIN_UNITS["g/L"] == pytest.approx(4.3)


def test_normalize_and_parse_errors() -> None:
    def normalize(unit: str) -> str:
        return units.normalize_unit(
            unit,
            quantity="testosterone",
            accepted=units.TOTAL_T_UNITS,
            label="T",
            prefix_field=True,
        )

    assert normalize(" nmol / l ") == "nmol/L"
    with pytest.raises(
        UnitError, match="unit: unknown unit 'mmol/L' for T; accepted: ng/dL, nmol/L"
    ):
        normalize("mmol/L")
    for bad in ("", "1,5", "abc", "inf", "-nan", True):
        with pytest.raises(ParseError, match=r"^E_NOT_A_NUMBER: `x` must be a number \(got `"):
            parse_float(bad, "x", unit="ng/dL")
    assert parse_float(" -5 ", "x", unit="ng/dL") == -5.0
