"""Locale-safe exact parsing and display rounding (docs/methods/hcg.md §3.2, §4.2, §6)."""

from __future__ import annotations

import math
import random
from decimal import Decimal
from fractions import Fraction as F  # noqa: N817

import pytest

from endolab.errors import InputError, ParseError
from endolab.hcg._numbers import (
    fmt_iu,
    fmt_label_iu,
    fmt_label_ml,
    fmt_ml,
    fmt_pct,
    parse_amount,
    parse_number,
    round_half_up,
    rounded,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0.29", F(29, 100)),
        (" 5 ", F(5)),
        ("+2.5", F(5, 2)),
        (".5", F(1, 2)),
        ("1e3", F(1000)),
        (0.07, F(7, 100)),  # float read through its shortest repr, not its binary value
        (Decimal("0.1"), F(1, 10)),
        (3, F(3)),
        (F(1, 3), F(1, 3)),
    ],
)
def test_exact_parsing(raw: object, expected: F) -> None:
    assert parse_number(raw, "x") == expected  # type: ignore[arg-type]


def test_float_trap_is_exact() -> None:
    # In binary floating point 0.29 * 100 = 28.999999999999996 and 0.07 * 100 = 7.000000000000001.
    assert 0.29 * 100 != 29 and 0.07 * 100 != 7
    assert parse_number("0.29", "x") * 100 == 29
    assert parse_number("0.07", "x") * 100 == 7


@pytest.mark.parametrize(
    "raw",
    [
        "1,5",
        "5,000",
        "",
        "   ",
        "abc",
        "nan",
        "NaN",
        "inf",
        "-inf",
        "1.2.3",
        "0x10",
        "1_000",
        "½",
        None,
        True,
        float("nan"),
        float("-inf"),
        Decimal("NaN"),
        [1],
    ],
)
def test_not_a_number(raw: object) -> None:
    with pytest.raises(ParseError) as exc:
        parse_number(raw, "diluent_ml")  # type: ignore[arg-type]
    assert exc.value.code == "E_NOT_A_NUMBER"
    assert exc.value.field == "diluent_ml"
    assert exc.value.exit_code == 2
    assert "`diluent_ml` must be a number" in str(exc.value)


def test_comma_message_is_clear() -> None:
    with pytest.raises(ParseError, match="Use a dot as the decimal separator"):
        parse_number("1,5", "diluent_ml")


@pytest.mark.parametrize("raw", ["250 IU", "250 iu", "250 USP units", "250units", "250 UI"])
def test_drug_units_are_one_unit(raw: str) -> None:
    assert parse_amount(raw, "dose_iu") == (F(250), "IU")


@pytest.mark.parametrize("raw", ["56 mcg", "56 µg", "0.25 mg", "56ug"])
def test_mass_units_rejected(raw: str) -> None:
    with pytest.raises(InputError) as exc:
        parse_amount(raw, "dose_iu")
    assert exc.value.code == "E_MASS_UNIT_FOR_URINARY_HCG"
    assert exc.value.exit_code == 3


def test_unknown_unit_is_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_amount("250 pints", "dose_iu")


def test_rounding_half_up_and_formats() -> None:
    # ties away from zero: 0.0125 → 0.013 (Python's round on a Fraction: 0.012); 312.5 stays.
    assert str(round_half_up(F(125, 10000), 3)) == "0.013"
    assert round(F(125, 10000), 3) == F(12, 1000)  # half to even
    assert fmt_ml(F(125, 10000)) == "0.013"
    assert fmt_iu(F(625, 2)) == "312.5"
    assert fmt_iu(F(3500, 3)) == "1,166.7"
    assert fmt_pct(F(-1, 35), signed=True) == "-2.9"
    assert fmt_pct(F(1, 35), signed=True) == "+2.9"
    assert fmt_pct(F(0), signed=True) == "0.0"
    assert fmt_label_iu(F(5000)) == "5,000" and fmt_label_iu(F(5000, 3)) == "1,666.7"
    assert fmt_label_ml(F(5)) == "5.0" and fmt_label_ml(F(5, 4)) == "1.25"


@pytest.mark.parametrize(
    "raw",
    ["1e9999", "1e-9999", "1" + "0" * 5000, Decimal("1e9999"), 10**5000, F(1, 10**5000)],
    ids=["exp", "neg-exp", "digits", "decimal", "int", "fraction"],
)
def test_review_absurd_magnitudes_are_not_a_number(raw: object) -> None:
    # A number too long to compute with (Python refuses int↔text conversions above 4,300 digits)
    # is E_NOT_A_NUMBER, never a bare ValueError.
    with pytest.raises(ParseError) as exc:
        parse_number(raw, "vial_iu")  # type: ignore[arg-type]
    assert exc.value.code == "E_NOT_A_NUMBER"
    assert "`vial_iu`" in str(exc.value)


def test_review_absurd_magnitudes_do_not_crash_the_calculators() -> None:
    from endolab.hcg import mix, suggest_diluent

    for args in (("1e9999", "5", "250"), ("5000", "5", "1e-9999"), ("5000", "1e-9999", "250")):
        with pytest.raises(ParseError):
            mix(*args)
    with pytest.raises(ParseError):
        suggest_diluent("5000", "250", min_ml="1e-9999")
    # large but sane magnitudes still work exactly: 1e6 IU in 10 mL = 100,000 IU/mL
    assert mix("1e6", "10", "1e4", "u100-1.0").syringe_units == 10


def test_rounding_matches_the_definition_on_random_fractions() -> None:
    # The integer fast path of round_half_up/rounded against the definition written out:
    # floor(|x|·10^dp + 1/2) with the sign of x, as exact Fractions, then the nearest double.
    rng = random.Random(20261205)
    for _ in range(20_000):
        x = F(rng.randint(-(10**9), 10**9), rng.randint(1, 10**6))
        if rng.random() < 0.2:  # exact ties: ...5 at the next decimal place
            x = F(rng.randint(-(10**6), 10**6) * 10 + 5, 10 ** rng.randint(1, 5))
        dp = rng.randint(0, 4)
        n = math.floor(abs(x) * 10**dp + F(1, 2))
        want = Decimal(-n if x < 0 else n).scaleb(-dp)
        assert round_half_up(x, dp) == want
        got = rounded(x, dp)
        assert got == float(want) and math.copysign(1.0, got) == math.copysign(1.0, float(want))
