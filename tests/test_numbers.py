"""endolab.numbers: one grammar for float and exact-fraction inputs."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from endolab.errors import EndolabError, InputError, ParseError
from endolab.numbers import Reason, number_error, parse_float, parse_fraction

ACCEPTED = ["650", " 2.5 ", ".25", "5.", "+3", "-5", "1e3", "2.5E-2"]
REJECTED = [
    "",
    " ",
    "1,5",
    "5,000",
    "abc",
    "1.2.3",
    "nan",
    "-inf",
    "Infinity",
    "1_000",
    "0x10",
    "½",
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_accepted_by_both(text: str) -> None:
    exact = parse_fraction(text, "x")
    assert parse_float(text, "x") == float(exact)


@pytest.mark.parametrize("text", REJECTED)
def test_rejected_by_both_as_parse_errors(text: str) -> None:
    with pytest.raises(ParseError) as as_float:
        parse_float(text, "x", unit="mL")
    with pytest.raises(ParseError):
        parse_fraction(text, "x")
    assert as_float.value.exit_code == 2 and str(as_float.value).startswith("x: ")


def test_exact_values() -> None:
    # 0.29 is 29/100 exactly (a binary float is not); a float input is read through its repr
    assert parse_fraction("0.29", "x") == Fraction(29, 100)
    assert parse_fraction(0.29, "x") == Fraction(29, 100)
    assert parse_fraction(Decimal("1.25"), "x") == Fraction(5, 4)
    assert parse_float(Fraction(1, 4), "x") == 0.25


def test_wording() -> None:
    assert str(number_error("total_t", "1,5", "comma", unit="ng/dL")) == (
        "total_t: '1,5' is not a number (use a point as the decimal separator); "
        "expected a number in ng/dL"
    )
    assert str(number_error("x", " -nan ", "syntax")) == "x: ' -nan ' is not a finite number"
    with pytest.raises(ParseError, match=r"^x: True is not a number$"):
        parse_fraction(True, "x")
    with pytest.raises(ParseError, match="too many digits"):
        parse_fraction("9" * 400, "x")


def test_error_factory() -> None:
    seen: list[Reason] = []

    def factory(field: str, raw: object, reason: Reason) -> EndolabError:
        seen.append(reason)
        return InputError(f"{field} {raw!r}", field=field)

    for raw in ("1,5", "abc", None, float("inf")):
        with pytest.raises(InputError):
            parse_fraction(raw, "v", error=factory)  # type: ignore[arg-type]
    assert seen == ["comma", "syntax", "missing", "not_finite"]
