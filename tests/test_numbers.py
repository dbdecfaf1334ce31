"""endolab.numbers: one grammar for float and exact-fraction inputs."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from endolab.errors import EndolabError, InputError, ParseError
from endolab.hcg import parse_number
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
def test_rejected_by_both_with_one_wording(text: str) -> None:
    # issue 11: the float and the exact-fraction parser word the error the same way, with one code
    with pytest.raises(ParseError) as as_float:
        parse_float(text, "x")
    with pytest.raises(ParseError) as as_fraction:
        parse_fraction(text, "x")
    with pytest.raises(ParseError) as as_hcg:
        parse_number(text, "x")
    errors = (as_float.value, as_fraction.value, as_hcg.value)
    assert {e.message for e in errors} == {as_float.value.message}
    assert {e.code for e in errors} == {"E_NOT_A_NUMBER"}
    assert {e.exit_code for e in errors} == {2}
    assert as_float.value.message.startswith(f"`x` must be a number (got `{text}`).")


def test_exact_values() -> None:
    # 0.29 is 29/100 exactly (a binary float is not); a float input is read through its repr
    assert parse_fraction("0.29", "x") == Fraction(29, 100)
    assert parse_fraction(0.29, "x") == Fraction(29, 100)
    assert parse_fraction(Decimal("1.25"), "x") == Fraction(5, 4)
    assert parse_float(Fraction(1, 4), "x") == 0.25


def test_wording() -> None:
    # the hCG catalogue's template (docs/methods/hcg.md §5) + the hint for the reason + unit and range
    assert number_error("total_t", "1,5", "comma", unit="ng/dL").message == (
        "`total_t` must be a number (got `1,5`). Use a dot as the decimal separator (e.g. 1.5) "
        "and no thousands separator (e.g. 5000); a comma is not accepted because it is "
        "ambiguous. Expected a number in ng/dL."
    )
    assert number_error("x", " -nan ", "syntax").message == (
        "`x` must be a number (got ` -nan `). NaN and infinity are not accepted; give a finite "
        "decimal number."
    )
    assert number_error("age", "x", "syntax", unit="years", accepted="18–90 years").message == (
        "`age` must be a number (got `x`). Accepted: a decimal number such as 5000, 2.5 or "
        "0.25. Expected a number in years, accepted 18–90 years."
    )
    with pytest.raises(
        ParseError, match=r"^E_NOT_A_NUMBER: `x` must be a number \(got `True`\)\.$"
    ):
        parse_fraction(True, "x")
    with pytest.raises(ParseError, match="too large or too finely divided"):
        parse_fraction("9" * 400, "x")  # 400 digits before the point
    with pytest.raises(ParseError, match="more than about 300 digits before or after"):
        parse_fraction("1e-320", "x")  # 1/10^320: a denominator of 1,064 bits > MAX_BITS (1,024)


def test_error_factory() -> None:
    seen: list[Reason] = []

    def factory(field: str, raw: object, reason: Reason) -> EndolabError:
        seen.append(reason)
        return InputError(f"{field} {raw!r}", field=field)

    for raw in ("1,5", "abc", None, float("inf")):
        with pytest.raises(InputError):
            parse_fraction(raw, "v", error=factory)  # type: ignore[arg-type]
    assert seen == ["comma", "syntax", "missing", "not_finite"]
