"""Pure-Python unit constants of the hormone calculators (no NumPy import on the predict path).

The constants are those of :mod:`endolab.units` (defined and sourced there once), under the names the
hormone modules use; this module adds the unit tables and text parsing of the calculators.

=====================================  ============  ===========================================
constant                               value         source
=====================================  ============  ===========================================
``T_NG_DL_PER_NMOL_L``                 28.84         ISSAM: "288.4 ng/dL = 10 nmol/L" (MW 288.42)
``E2_PMOL_L_PER_PG_ML``                1000/272.38   MW of 17β-estradiol 272.38 g/mol
``DHT_NG_DL_PER_NMOL_L``               29.044        MW of dihydrotestosterone 290.44 g/mol
``ALBUMIN_MW_G_PER_MOL``               69,000        Vermeulen 1999 / ISSAM ("69000 = molecular
                                                     weight alb.")
=====================================  ============  ===========================================
"""

from __future__ import annotations

import math
from typing import Final

from endolab import units
from endolab.errors import ParseError, UnitError

__all__ = [
    "ALBUMIN_MW_G_PER_MOL",
    "ALBUMIN_UNITS",
    "DHT_NG_DL_PER_NMOL_L",
    "DHT_UNITS",
    "E2_PMOL_L_PER_PG_ML",
    "E2_UNITS",
    "TT_UNITS",
    "T_NG_DL_PER_NMOL_L",
    "as_number",
    "normalize",
]

#: 1 nmol/L testosterone in ng/dL (ISSAM; MW 288.42 g/mol).
T_NG_DL_PER_NMOL_L: Final = units.TESTOSTERONE_NG_DL_PER_NMOL_L
#: 1 pg/mL estradiol in pmol/L (1000 / 272.38; MW 272.38 g/mol).
E2_PMOL_L_PER_PG_ML: Final = units.ESTRADIOL_PMOL_L_PER_PG_ML
#: 1 nmol/L dihydrotestosterone in ng/dL (MW 290.44 g/mol).
DHT_NG_DL_PER_NMOL_L: Final = units.DHT_NG_DL_PER_NMOL_L
#: Albumin molar mass used by Vermeulen 1999 / ISSAM [g/mol] (the physical value is ≈ 66,500).
ALBUMIN_MW_G_PER_MOL: Final = units.ALBUMIN_MOLAR_MASS_G_PER_MOL

#: Accepted units → factor to the unit shown first (value_in_first = value × factor).
TT_UNITS: Final[dict[str, float]] = {"ng/dL": 1.0, "nmol/L": T_NG_DL_PER_NMOL_L}
E2_UNITS: Final[dict[str, float]] = {"pg/mL": 1.0, "pmol/L": 1.0 / E2_PMOL_L_PER_PG_ML}
DHT_UNITS: Final[dict[str, float]] = {
    "ng/dL": 1.0,
    "nmol/L": DHT_NG_DL_PER_NMOL_L,
    "pg/mL": 0.1,
}
ALBUMIN_UNITS: Final[dict[str, float]] = {"g/dL": 1.0, "g/L": 0.1}


def normalize(unit: str, table: dict[str, float], *, field: str, quantity: str) -> str:
    """The canonical spelling of ``unit`` among ``table``'s units (case and spaces ignored).

    >>> normalize("NMOL/L", TT_UNITS, field="unit", quantity="total testosterone")
    'nmol/L'
    >>> normalize("mg/dL", TT_UNITS, field="unit", quantity="total testosterone")
    Traceback (most recent call last):
    ...
    endolab.errors.UnitError: unit: unknown unit 'mg/dL' for total testosterone; accepted: ng/dL, nmol/L
    """
    key = str(unit).replace(" ", "").lower()
    for candidate in table:
        if candidate.lower() == key:
            return candidate
    raise UnitError(
        f"{field}: unknown unit {unit!r} for {quantity}; accepted: {', '.join(table)}",
        field=field,
        value=unit,
    )


def as_number(value: object, *, field: str, unit: str) -> float:
    """``value`` as a finite float, or :class:`~endolab.errors.ParseError` naming the field.

    Text is accepted as the command line passes it: a point is the decimal separator.

    >>> as_number("650", field="total_t", unit="ng/dL")
    650.0
    >>> as_number("1,5", field="total_t", unit="ng/dL")
    Traceback (most recent call last):
    ...
    endolab.errors.ParseError: total_t: '1,5' is not a number (use a point as the decimal separator); expected a number in ng/dL
    """
    if isinstance(value, bool):
        raise ParseError(
            f"{field}: {value!r} is not a number; expected a number in {unit}",
            field=field,
            value=value,
        )
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = str(value).strip()
        try:
            number = float(text)
        except ValueError:
            hint = " (use a point as the decimal separator)" if "," in text else ""
            raise ParseError(
                f"{field}: {text!r} is not a number{hint}; expected a number in {unit}",
                field=field,
                value=value,
            ) from None
    if not math.isfinite(number):
        raise ParseError(
            f"{field}: {value!r} is not a finite number; expected a number in {unit}",
            field=field,
            value=value,
        )
    return number
