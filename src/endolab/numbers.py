"""Numbers as people type them: one grammar for every calculator, as a float or an exact fraction.

What is a number, everywhere in endolab:

* decimal text with a **dot** as the decimal separator, an optional sign and exponent:
  ``650``, ``2.5``, ``.25``, ``1e3`` (spaces around it are ignored);
* a comma is **never** a number: ``1,5`` could be one and a half (German locale) or fifteen (a
  thousands separator), so the person is asked to write ``1.5``;
* an ``int``, ``float``, :class:`~decimal.Decimal` or :class:`~fractions.Fraction` (a float is read
  through its shortest repr, so ``0.29`` means 29/100);
* never NaN, ±infinity, a bool or ``None``.

:func:`parse_float` gives a float (the hormone calculators), :func:`parse_fraction` an exact
fraction (the hCG calculator). Both raise the error their ``error`` factory builds from the field,
the raw value and a :data:`Reason`; by default a :class:`~endolab.errors.ParseError` (exit status 2)
worded by :func:`number_error`. A calculator with its own error catalogue passes its own factory (the
hCG calculator's ``E_NOT_A_NUMBER``).

>>> parse_float(" 650 ", "total_t", unit="ng/dL")
650.0
>>> parse_fraction("0.29", "dose_ml") * 100
Fraction(29, 1)
>>> parse_float("1,5", "total_t", unit="ng/dL")
Traceback (most recent call last):
...
endolab.errors.ParseError: total_t: '1,5' is not a number (use a point as the decimal separator); expected a number in ng/dL
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Final, Literal

from endolab.errors import EndolabError, ParseError

__all__ = [
    "DECIMAL_RE",
    "MAX_BITS",
    "Number",
    "NumberErrorFactory",
    "Reason",
    "number_error",
    "parse_float",
    "parse_fraction",
]

#: What the library accepts for a number.
Number = str | int | Fraction | Decimal | float

#: Decimal text: optional sign, digits with an optional dot (or a leading dot), optional exponent.
DECIMAL_RE: Final = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,4})?$")

#: An exact value whose numerator or denominator needs more bits than this is not a usable amount
#: (about 300 decimal digits) [A]: it bounds the work done on typed input.
MAX_BITS: Final = 1024

#: Why a value is not a number: ``missing`` (None), ``type`` (a bool or another object), ``comma``,
#: ``syntax`` (text that is not decimal), ``not_finite`` (NaN, ±inf), ``too_long`` (too many digits).
Reason = Literal["missing", "type", "comma", "syntax", "not_finite", "too_long"]

#: Builds the error for ``(field, raw value, reason)``.
NumberErrorFactory = Callable[[str, object, Reason], EndolabError]

_NON_FINITE_TEXT: Final = frozenset({"nan", "inf", "infinity"})


def _text(raw: object) -> str:
    try:
        return str(raw).strip()
    except ValueError:  # an int beyond Python's 4,300-digit printing limit
        return "a number with too many digits to print"


def number_error(field: str, raw: object, reason: Reason, *, unit: str = "") -> ParseError:
    """The common wording: ``field: 'raw' is not a number[ (hint)]; expected a number in unit``.

    >>> str(number_error("age", "12.5.3", "syntax", unit="years"))
    "age: '12.5.3' is not a number; expected a number in years"
    >>> str(number_error("x", float("nan"), "not_finite", unit="g/dL"))
    'x: nan is not a finite number; expected a number in g/dL'
    """
    expected = f"; expected a number in {unit}" if unit else ""
    if reason in ("missing", "type") or reason == "not_finite":
        shown = repr(raw)
    else:
        shown = repr(_text(raw))
    if reason == "syntax" and _text(raw).lower().lstrip("+-") in _NON_FINITE_TEXT:
        reason = "not_finite"
        shown = repr(raw)
    what = {
        "not_finite": "is not a finite number",
        "comma": "is not a number (use a point as the decimal separator)",
        "too_long": "is not a number (too many digits)",
    }.get(reason, "is not a number")
    return ParseError(f"{field}: {shown} {what}{expected}", field=field, value=raw)


def _check_text(raw: str) -> tuple[str, Reason | None]:
    text = raw.strip()
    if "," in text:
        return text, "comma"
    if not DECIMAL_RE.match(text):
        return text, "syntax"
    return text, None


def parse_fraction(
    raw: Number | None, field: str, *, error: NumberErrorFactory | None = None
) -> Fraction:
    """Read ``raw`` as an exact :class:`~fractions.Fraction` (never through a float).

    >>> parse_fraction(" 1.5 ", "diluent_ml")
    Fraction(3, 2)
    >>> parse_fraction(True, "x")
    Traceback (most recent call last):
    ...
    endolab.errors.ParseError: x: True is not a number
    """
    fail = error or (lambda f, r, why: number_error(f, r, why))
    value = _fraction(raw, field, fail)
    if max(value.numerator.bit_length(), value.denominator.bit_length()) > MAX_BITS:
        raise fail(field, raw, "too_long")
    return value


def _fraction(raw: Number | None, field: str, fail: NumberErrorFactory) -> Fraction:
    if raw is None:
        raise fail(field, raw, "missing")
    if isinstance(raw, bool):
        raise fail(field, raw, "type")
    if isinstance(raw, Fraction):
        return raw
    if isinstance(raw, int):
        return Fraction(raw)
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise fail(field, raw, "not_finite")
        return Fraction(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise fail(field, raw, "not_finite")
        return Fraction(repr(raw))
    if not isinstance(raw, str):
        raise fail(field, raw, "type")
    text, reason = _check_text(raw)
    if reason is not None:
        raise fail(field, raw, reason)
    try:
        return Fraction(text)
    except ValueError:  # more digits than Python converts (4,300)
        raise fail(field, raw, "too_long") from None


def parse_float(
    raw: object, field: str, *, unit: str = "", error: NumberErrorFactory | None = None
) -> float:
    """Read ``raw`` as a finite float; ``unit`` is named in the default message.

    >>> parse_float(5, "age", unit="years")
    5.0
    >>> parse_float("inf", "age", unit="years")
    Traceback (most recent call last):
    ...
    endolab.errors.ParseError: age: 'inf' is not a finite number; expected a number in years
    """
    fail = error or (lambda f, r, why: number_error(f, r, why, unit=unit))
    if raw is None:
        raise fail(field, raw, "missing")
    if isinstance(raw, bool):
        raise fail(field, raw, "type")
    if isinstance(raw, (int, float, Decimal, Fraction)):
        try:
            number = float(raw)
        except OverflowError:
            raise fail(field, raw, "not_finite") from None
    else:
        text, reason = _check_text(_text(raw))
        if reason is not None:
            raise fail(field, raw, reason)
        number = float(text)
    if not math.isfinite(number):
        raise fail(field, raw, "not_finite")
    return number
