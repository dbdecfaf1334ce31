"""Input ranges (docs/methods/hormones.md §5.7) and the messages of the range check."""

from __future__ import annotations

import pytest

from endolab.errors import InputError, ParseError
from endolab.hormones._validate import INPUT_RANGES, check


def test_spec_ranges() -> None:
    assert INPUT_RANGES["total_t"][:3] == (50.0, 3000.0, "ng/dL")
    assert INPUT_RANGES["shbg"][:3] == (5.0, 150.0, "nmol/L")
    assert INPUT_RANGES["albumin"][:3] == (2.5, 5.5, "g/dL")
    assert INPUT_RANGES["age"][:3] == (18.0, 90.0, "years")
    assert INPUT_RANGES["dose_mg_week"][:3] == (25.0, 600.0, "mg/week")


@pytest.mark.parametrize(
    ("field", "low", "high"),
    [("total_t", 50, 3000), ("shbg", 5, 150), ("albumin", 2.5, 5.5), ("age", 18, 90)],
)
def test_limits_inclusive(field: str, low: float, high: float) -> None:
    assert check(low, field) == low
    assert check(high, field) == high
    with pytest.raises(InputError):
        check(low - 1e-6 * max(1, low), field)
    with pytest.raises(InputError):
        check(high * (1 + 1e-6), field)


def test_other_unit_message_shows_both_units() -> None:
    with pytest.raises(InputError) as info:
        check(1, "total_t", unit="nmol/L", factor=28.84)
    assert str(info.value) == (
        "total_t: 1 nmol/L (28.84 ng/dL) is out of range; accepted 1.734–104 nmol/L (50–3000 ng/dL)"
    )
    assert info.value.field == "total_t" and info.value.value == 1


def test_unit_hints() -> None:
    # 22 nmol/L x 28.84 = 634 ng/dL and 43 g/L / 10 = 4.3 g/dL are in range: the library asks for
    # the unit by its keyword (the API's parameter) and carries an Ask a front end words
    with pytest.raises(InputError) as info:
        check(22, "total_t")
    assert str(info.value).endswith("(is it in nmol/L? then use unit='nmol/L')")
    assert info.value.ask is not None and info.value.ask.kind == "unit_nmol_l"
    with pytest.raises(InputError) as info:
        check(43, "albumin")
    assert str(info.value).endswith("(is it in g/L? then use albumin_unit='g/L')")
    assert "--" not in str(info.value)
    assert info.value.ask is not None
    assert (info.value.ask.option, info.value.ask.kind) == ("albumin_unit", "albumin_unit_g_l")
    with pytest.raises(InputError) as info:
        check(-5, "total_t")
    assert "is it in" not in str(info.value)


def test_parse_errors_are_exit_2() -> None:
    with pytest.raises(ParseError) as info:
        check("12.5.3", "age")
    assert info.value.exit_code == 2
    assert info.value.message == (
        "`age` must be a number (got `12.5.3`). Accepted: a decimal number such as 5000, 2.5 or "
        "0.25. Expected a number in years, accepted 18–90 years."
    )
