"""Exact number parsing and the display rounding of the hCG calculator.

Parsing (docs/methods/hcg.md §3.2, §4.2): decimal text is read straight into :class:`fractions.Fraction`, never via
``float``, by :func:`endolab.numbers.parse_fraction` (the grammar and the ``E_NOT_A_NUMBER`` wording
every calculator shares); this module raises it as the hCG catalogue's error class. Only a dot is a decimal separator. A comma is rejected, never guessed: "1,5" could be one
and a half (German locale) or fifteen (a thousands separator), so the user is asked to write "1.5".

Display rounding (docs/methods/hcg.md §6): IU 1 dp, mL 3 dp, syringe units 1 dp; percentages 1 dp and money 2 dp
are this project's choice [A]. Ties round half away from zero ("half up" for the positive numbers
shown here) [A]: the spec gives no tie rule, and Python's ``round`` (half to even) would print
0.0125 mL as 0.012.

>>> parse_number("0.29", "dose_ml") * 100
Fraction(29, 1)
>>> str(round_half_up(Fraction(5000, 3), 1))
'1666.7'
>>> fmt_iu(Fraction(5000, 3)), fmt_ml(Fraction(1, 4)), fmt_pct(Fraction(1, 12))
('1,666.7', '0.250', '8.3')
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction
from typing import Final

from endolab.hcg.notices import HcgInputError, HcgParseError
from endolab.numbers import NOT_A_NUMBER, Number, Reason, number_message, parse_fraction

__all__ = [
    "MASS_UNITS",
    "fmt_fixed",
    "fmt_iu",
    "fmt_label_iu",
    "fmt_label_ml",
    "fmt_ml",
    "fmt_money",
    "fmt_pct",
    "fmt_units",
    "parse_amount",
    "parse_number",
    "round_half_up",
    "rounded",
]

#: Drug-unit suffixes accepted for vial strength and dose; all mean the same unit (USP units = IU,
#: docs/methods/hcg.md §1.2, [S13]).
_IU_UNITS: Final = frozenset({"iu", "ui", "usp", "usp units", "usp unit", "units", "unit", "u"})
#: Mass units: never converted for urinary hCG (docs/methods/hcg.md §1.2, E_MASS_UNIT_FOR_URINARY_HCG).
MASS_UNITS: Final = frozenset({"mg", "mcg", "µg", "μg", "ug", "microgram", "micrograms", "g", "ng"})


def _hcg_error(field: str, raw: object, reason: Reason) -> HcgParseError:
    """``E_NOT_A_NUMBER`` as the hCG catalogue's error class, worded by the shared template."""
    return HcgParseError(NOT_A_NUMBER, field, number_message(field, raw, reason), value=raw)


def parse_number(raw: Number | None, field: str) -> Fraction:
    """Read ``raw`` as an exact :class:`~fractions.Fraction` (:func:`endolab.numbers.parse_fraction`).

    Raises :class:`~endolab.hcg.notices.HcgParseError` (``E_NOT_A_NUMBER``) for empty text, text
    that is not a decimal number, a comma, NaN, ±inf, a bool, or ``None``.

    >>> parse_number(" 1.5 ", "diluent_ml")
    Fraction(3, 2)
    >>> parse_number("1,5", "diluent_ml")
    Traceback (most recent call last):
    ...
    endolab.hcg.notices.HcgParseError: E_NOT_A_NUMBER: `diluent_ml` must be a number (got `1,5`). ...
    """
    return parse_fraction(raw, field, error=_hcg_error)


def parse_amount(
    raw: Number | None, field: str, *, allow_mass: bool = False
) -> tuple[Fraction, str]:
    """Read a drug amount with an optional unit: ``"250"``, ``"250 IU"``, ``"5000 USP units"``.

    Returns ``(value, unit)`` where unit is ``"IU"`` or, with ``allow_mass``, a mass unit.
    A mass unit (mg, µg, mcg) raises ``E_MASS_UNIT_FOR_URINARY_HCG`` unless ``allow_mass``.

    >>> parse_amount("5,000", "vial_iu")
    Traceback (most recent call last):
    ...
    endolab.hcg.notices.HcgParseError: E_NOT_A_NUMBER: `vial_iu` must be a number (got `5,000`). ...
    >>> parse_amount("250 USP units", "dose_iu")
    (Fraction(250, 1), 'IU')
    """
    if not isinstance(raw, str):
        return parse_number(raw, field), "IU"
    match = re.match(r"^\s*([^\sA-Za-zµμ]*)\s*([A-Za-zµμ][A-Za-zµμ ]*)?\s*$", raw)
    if match is None:
        return parse_number(raw, field), "IU"
    number_text, unit_text = match.group(1), (match.group(2) or "").strip().lower()
    if not unit_text or not number_text:
        return parse_number(raw, field), "IU"
    if unit_text in MASS_UNITS:
        value = parse_number(number_text, field)
        if not allow_mass:
            raise HcgInputError(
                "E_MASS_UNIT_FOR_URINARY_HCG",
                field,
                f"`{field}` was entered as {raw.strip()!r}: hCG vials are labelled in IU; there is "
                "no fixed IU↔mg conversion. Enter the amount in IU (USP units) from the label.",
                value=raw,
            )
        return value, unit_text
    if unit_text in _IU_UNITS:
        return parse_number(number_text, field), "IU"
    message = number_message(field, raw, "type")  # the sentence alone, no number hint
    raise HcgParseError(
        NOT_A_NUMBER,
        field,
        message + " Accepted units: IU, USP units or units (all the same drug unit).",
        value=raw,
    )


def round_half_up(x: Fraction, dp: int) -> Decimal:
    """Round exactly to ``dp`` decimal places, ties away from zero [A]; returns a Decimal.

    >>> round_half_up(Fraction(25, 2), 0), round_half_up(Fraction(-1, 8), 2)
    (Decimal('13'), Decimal('-0.13'))
    """
    # floor(|p/q|·10^dp + 1/2) = (2|p|·10^dp + q) // (2q), all in integers (fast and exact)
    p, q = x.numerator, x.denominator
    n = (
        (2 * abs(p) * 10**dp + q) // (2 * q)
        if dp >= 0
        else math.floor(abs(x) * 10**dp + Fraction(1, 2))
    )
    if p < 0:
        n = -n
    return Decimal(n).scaleb(-dp)


def rounded(x: Fraction, dp: int) -> float:
    """``x`` rounded half up to ``dp`` decimal places (:func:`round_half_up`), as a float for JSON.

    The one rounding rule of the calculator's records (docs/methods/hcg.md §6: IU 1 dp, mL 3 dp, units 1 dp).

    >>> rounded(Fraction(1, 8), 2), rounded(Fraction(2, 3), 3)
    (0.13, 0.667)
    """
    if dp < 0:
        return float(round_half_up(x, dp))
    p, q = x.numerator, x.denominator
    scale: int = 10**dp
    n: int = (2 * abs(p) * scale + q) // (2 * q)
    # int / int is correctly rounded in CPython: the same double as float(Decimal(n).scaleb(-dp))
    return (-n if p < 0 else n) / scale  # a negative that rounds to 0 gives 0.0, as before


def fmt_fixed(x: Fraction, dp: int, *, thousands: bool = True) -> str:
    """Fixed-point text with ``dp`` decimals (and thousands separators)."""
    d = round_half_up(x, dp)
    if d == 0:
        d = abs(d)
    return f"{d:,.{dp}f}" if thousands else f"{d:.{dp}f}"


def fmt_iu(x: Fraction) -> str:
    """IU to 1 dp with thousands separators (docs/methods/hcg.md §6)."""
    return fmt_fixed(x, 1)


def fmt_ml(x: Fraction) -> str:
    """mL to 3 dp (docs/methods/hcg.md §6)."""
    return fmt_fixed(x, 3)


def fmt_units(x: Fraction) -> str:
    """Syringe units to 1 dp (docs/methods/hcg.md §6)."""
    return fmt_fixed(x, 1)


def fmt_pct(fraction: Fraction, *, signed: bool = False) -> str:
    """A ratio shown as a percentage to 1 dp [A] (``signed`` adds ``+`` to positives)."""
    text = fmt_fixed(fraction * 100, 1)
    return f"+{text}" if signed and round_half_up(fraction * 100, 1) > 0 else text


def fmt_money(x: Fraction) -> str:
    """Money to 2 dp [A], no currency symbol (the price carries the user's currency)."""
    return fmt_fixed(x, 2)


def fmt_label_iu(x: Fraction) -> str:
    """IU on the label line: whole numbers without decimals (``5,000``), otherwise 1 dp."""
    return f"{int(x):,}" if x.denominator == 1 else fmt_iu(x)


def fmt_label_ml(x: Fraction) -> str:
    """mL on the label line: at least 1 dp (``5.0``), up to 3 dp when needed (``1.25``)."""
    text = fmt_fixed(x, 3, thousands=False)
    whole, frac = text.split(".")
    frac = frac.rstrip("0") or "0"
    return f"{whole}.{frac}"
