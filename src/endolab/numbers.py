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
the raw value and a :data:`Reason`; by default a :class:`~endolab.errors.ParseError` (exit status 2,
code ``E_NOT_A_NUMBER``) worded by :func:`number_message`. Every calculator words the error the same
way (the hCG catalogue's template); the hCG calculator passes a factory only to raise its own
subclass of ParseError with that same message.

>>> parse_float(" 650 ", "total_t", unit="ng/dL")
650.0
>>> parse_fraction("0.29", "dose_ml") * 100
Fraction(29, 1)
>>> parse_float("1,5", "total_t", unit="ng/dL")
Traceback (most recent call last):
...
endolab.errors.ParseError: E_NOT_A_NUMBER: `total_t` must be a number (got `1,5`). Use a dot as the decimal separator (e.g. 1.5) and no thousands separator (e.g. 5000); a comma is not accepted because it is ambiguous. Expected a number in ng/dL.
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
    "NOT_A_NUMBER",
    "NOT_A_NUMBER_TEMPLATE",
    "Number",
    "NumberErrorFactory",
    "Reason",
    "number_error",
    "number_message",
    "parse_float",
    "parse_fraction",
]

#: What the library accepts for a number.
Number = str | int | Fraction | Decimal | float

#: Decimal text: optional sign, digits with an optional dot (or a leading dot), optional exponent.
#: ASCII digits only: ``re.ASCII`` keeps ``\d`` from matching other scripts' digits (``٦٥٠``,
#: full-width ``６５０``), which Python's float() would read silently (issue 18).
DECIMAL_RE: Final = re.compile(
    r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,4})?$", flags=re.ASCII
)

#: Longest value echoed back whole in a message; longer text is shortened (a 309-digit number is
#: not repeated in full, issue 18).
MAX_ECHO: Final = 24

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
        return str(raw)
    except ValueError:  # an int beyond Python's 4,300-digit printing limit
        return "a number with too many digits to print"


def _shown(text: str) -> str:
    """``text`` as echoed in a message: whole up to :data:`MAX_ECHO` characters, else shortened.

    >>> _shown("9" * 309)
    '9999999999…9999 (309 characters)'
    """
    if len(text) <= MAX_ECHO:
        return text
    return f"{text[:10]}…{text[-4:]} ({len(text):,} characters)"


#: Code of every "not a number" error, in every calculator (the hCG catalogue's code, docs/hcg.md).
NOT_A_NUMBER: Final = "E_NOT_A_NUMBER"

#: Its one sentence, with the field and the value as typed (also the hCG catalogue's template).
NOT_A_NUMBER_TEMPLATE: Final = "`{field}` must be a number (got `{raw}`)."

#: What to do, by reason (appended to the one sentence of :func:`number_message`).
_HINTS: Final[dict[str, str]] = {
    "comma": " Use a dot as the decimal separator (e.g. 1.5) and no thousands separator (e.g. "
    "5000); a comma is not accepted because it is ambiguous.",
    "syntax": " Accepted: a decimal number such as 5000, 2.5 or 0.25.",
    "not_finite": " NaN and infinity are not accepted; give a finite decimal number.",
    "too_long": " It is too large or too finely divided to be a usable amount (it needs more than"
    " about 300 digits before or after the decimal point).",
}


def number_message(
    field: str, raw: object, reason: Reason, *, unit: str = "", accepted: str = ""
) -> str:
    """The one wording of a value that is not a number, for every calculator and front end.

    First the hCG catalogue's ``E_NOT_A_NUMBER`` template (docs/hcg.md, error codes), with the field and the
    value as typed in backticks, then what to do for the ``reason``, then the unit expected and the
    accepted range when the caller knows them.

    >>> number_message("age", "12.5.3", "syntax", unit="years", accepted="18–90 years")
    '`age` must be a number (got `12.5.3`). Accepted: a decimal number such as 5000, 2.5 or 0.25. Expected a number in years, accepted 18–90 years.'
    >>> number_message("x", None, "missing")
    '`x` must be a number (got ``).'
    """
    text = "" if raw is None else _text(raw)
    if reason == "syntax" and text.strip().lower().lstrip("+-") in _NON_FINITE_TEXT:
        reason = "not_finite"
    expected = ""
    if unit:
        expected = (
            f" Expected a number in {unit}" + (f", accepted {accepted}" if accepted else "") + "."
        )
    elif accepted:
        expected = f" Accepted {accepted}."
    sentence = NOT_A_NUMBER_TEMPLATE.format(field=field, raw=_shown(text))
    return f"{sentence}{_HINTS.get(reason, '')}{expected}"


def number_error(
    field: str, raw: object, reason: Reason, *, unit: str = "", accepted: str = ""
) -> ParseError:
    """The :class:`~endolab.errors.ParseError` (``E_NOT_A_NUMBER``, exit status 2) worded by
    :func:`number_message`.

    >>> number_error("total_t", "1,5", "comma", unit="ng/dL").message
    '`total_t` must be a number (got `1,5`). Use a dot as the decimal separator (e.g. 1.5) and no thousands separator (e.g. 5000); a comma is not accepted because it is ambiguous. Expected a number in ng/dL.'
    >>> number_error("x", float("nan"), "not_finite").code
    'E_NOT_A_NUMBER'
    """
    message = number_message(field, raw, reason, unit=unit, accepted=accepted)
    return ParseError(message, code=NOT_A_NUMBER, field=field, value=raw)


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
    endolab.errors.ParseError: E_NOT_A_NUMBER: `x` must be a number (got `True`).
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
    raw: object,
    field: str,
    *,
    unit: str = "",
    accepted: str = "",
    error: NumberErrorFactory | None = None,
) -> float:
    """Read ``raw`` as a finite float; ``unit`` and ``accepted`` (a range) go in the default message.

    >>> parse_float(5, "age", unit="years")
    5.0
    >>> parse_float("inf", "age", unit="years")
    Traceback (most recent call last):
    ...
    endolab.errors.ParseError: E_NOT_A_NUMBER: `age` must be a number (got `inf`). NaN and infinity are not accepted; give a finite decimal number. Expected a number in years.
    """

    def default(f: str, r: object, why: Reason) -> EndolabError:
        return number_error(f, r, why, unit=unit, accepted=accepted)

    fail = error or default
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
