"""The unit tables of endolab.hormones agree with endolab.units."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from endolab import units
from endolab.errors import ParseError, UnitError
from endolab.hormones import _units


@pytest.mark.parametrize(
    ("table", "quantity", "canonical"),
    [
        (_units.TT_UNITS, "testosterone", "ng/dL"),
        (_units.E2_UNITS, "estradiol", "pg/mL"),
        (_units.DHT_UNITS, "dht", "ng/dL"),
        (_units.ALBUMIN_UNITS, "albumin", "g/dL"),
    ],
)
def test_tables_agree_with_endolab_units(
    table: dict[str, float], quantity: units.Quantity, canonical: str
) -> None:
    for unit, factor in table.items():
        assert units.convert(1.0, unit, canonical, quantity=quantity) == pytest.approx(
            factor, rel=1e-12
        )


@given(x=st.floats(1e-3, 1e4))
def test_round_trips(x: float) -> None:
    for table in (_units.TT_UNITS, _units.E2_UNITS, _units.DHT_UNITS, _units.ALBUMIN_UNITS):
        for factor in table.values():
            assert (x * factor) / factor == pytest.approx(x, rel=1e-12)


def test_known_conversions() -> None:
    # ISSAM: 288.4 ng/dL = 10 nmol/L; E2 20 pg/mL × 3.6714 = 73.43 pmol/L; DHT 1 nmol/L = 29.044 ng/dL
    assert 10 * _units.TT_UNITS["nmol/L"] == pytest.approx(288.4)
    assert 73.43 * _units.E2_UNITS["pmol/L"] == pytest.approx(20.0, rel=1e-4)
    assert _units.DHT_UNITS["nmol/L"] == 29.044
    assert 43 * _units.ALBUMIN_UNITS["g/L"] == pytest.approx(4.3)


def test_normalize_and_parse_errors() -> None:
    assert _units.normalize(" nmol / l ", _units.TT_UNITS, field="unit", quantity="T") == "nmol/L"
    with pytest.raises(
        UnitError, match="unit: unknown unit 'mmol/L' for T; accepted: ng/dL, nmol/L"
    ):
        _units.normalize("mmol/L", _units.TT_UNITS, field="unit", quantity="T")
    for bad in ("", "1,5", "abc", "inf", "-nan", True):
        with pytest.raises(ParseError, match=r"^x: "):
            _units.as_number(bad, field="x", unit="ng/dL")
    assert _units.as_number(" -5 ", field="x", unit="ng/dL") == -5.0
