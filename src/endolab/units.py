"""Unit conversions every module uses, each constant with its source.

All conversions are linear: ``value_in_unit = value_in_canonical × factor``. Each quantity has a
canonical unit (the first in its table) and a table of the units endolab accepts.

============  ===========  ===========================================================================
quantity      canonical    other units and the constant used
============  ===========  ===========================================================================
testosterone  nmol/L       ng/dL: 1 nmol/L = 28.84 ng/dL (ISSAM free-testosterone page: "288.4 ng/dL
                           = 10 nmol/L"; MW 288.42 g/mol). pg/mL: ng/dL × 10.
estradiol     pmol/L       pg/mL: 1 pg/mL = 3.6714 pmol/L (1000 / 272.38; MW of estradiol
                           272.38 g/mol).
dht           nmol/L       ng/dL: 1 nmol/L = 29.044 ng/dL (MW of dihydrotestosterone 290.44 g/mol).
                           pg/mL: ng/dL × 10.
albumin       g/L          g/dL: × 0.1 (definition of the decilitre).
glucose       mg/dL        mmol/L: 1 mmol/L = 18 mg/dL. Assumption [A]: the rounded factor used by
                           R iglu and the 2019 consensus materials; the molar mass 180.156 g/mol gives
                           18.016 (0.09 % higher), which iglu-python's loaders use.
============  ===========  ===========================================================================

>>> round(convert(650, "ng/dL", "nmol/L", quantity="testosterone"), 3)
22.538
>>> convert(5.5, "mmol/L", "mg/dL", quantity="glucose")
99.0
>>> convert(4.3, "g/dL", "g/L", quantity="albumin")
43.0
"""

from __future__ import annotations

import types
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Final, Literal, TypeVar, overload

from endolab.errors import UnitError

if TYPE_CHECKING:  # NumPy is imported only when an array is converted: the calculators start fast.
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "ALBUMIN_MOLAR_MASS_G_PER_MOL",
    "ALBUMIN_UNITS",
    "DHT_NG_DL_PER_NMOL_L",
    "DHT_UNITS",
    "ESTRADIOL_PMOL_L_PER_PG_ML",
    "ESTRADIOL_UNITS",
    "GLUCOSE_MG_DL_PER_MMOL_L",
    "TESTOSTERONE_NG_DL_PER_NMOL_L",
    "TOTAL_T_UNITS",
    "Quantity",
    "convert",
    "normalize_unit",
    "unit_factors",
    "units_for",
]

Quantity = Literal["testosterone", "estradiol", "dht", "albumin", "glucose"]

#: 1 nmol/L testosterone in ng/dL. ISSAM free & bioavailable testosterone calculator page
#: (issam.ch/freetesuit.html): "288.4 ng/dL = 10 nmol/L"; MW 288.42 g/mol.
TESTOSTERONE_NG_DL_PER_NMOL_L: Final = 28.84
#: 1 pg/mL estradiol in pmol/L: 1000 / 272.38 (MW of 17β-estradiol 272.38 g/mol).
ESTRADIOL_PMOL_L_PER_PG_ML: Final = 1000.0 / 272.38
#: 1 nmol/L dihydrotestosterone in ng/dL: MW 290.44 g/mol → 290.44 ng/nmol / 10 dL/L.
DHT_NG_DL_PER_NMOL_L: Final = 29.044
#: 1 mmol/L glucose in mg/dL. [A] The rounded factor of R iglu and the consensus materials (MW 180.156
#: g/mol gives 18.016).
GLUCOSE_MG_DL_PER_MMOL_L: Final = 18.0
#: Molar mass of albumin used by Vermeulen 1999 / ISSAM to convert g/L to mol/L [g/mol]
#: ("69000 = molecular weight alb."); the physical value is ≈ 66,500 (see docs/methods/hormones.md §2.1).
ALBUMIN_MOLAR_MASS_G_PER_MOL: Final = 69_000.0

# factor: value in unit = value in canonical unit × factor
_TABLES: Final[Mapping[str, Mapping[str, float]]] = {
    "testosterone": {
        "nmol/L": 1.0,
        "ng/dL": TESTOSTERONE_NG_DL_PER_NMOL_L,
        "pg/mL": TESTOSTERONE_NG_DL_PER_NMOL_L * 10.0,
        "pmol/L": 1000.0,
    },
    "estradiol": {
        "pmol/L": 1.0,
        "pg/mL": 1.0 / ESTRADIOL_PMOL_L_PER_PG_ML,
    },
    "dht": {
        "nmol/L": 1.0,
        "ng/dL": DHT_NG_DL_PER_NMOL_L,
        "pg/mL": DHT_NG_DL_PER_NMOL_L * 10.0,
    },
    "albumin": {
        "g/L": 1.0,
        "g/dL": 0.1,
    },
    "glucose": {
        "mg/dL": 1.0,
        "mmol/L": 1.0 / GLUCOSE_MG_DL_PER_MMOL_L,
    },
}

_T = TypeVar("_T", float, "npt.NDArray[np.float64]")


def units_for(quantity: Quantity) -> tuple[str, ...]:
    """The units accepted for ``quantity``, canonical unit first.

    >>> units_for("glucose")
    ('mg/dL', 'mmol/L')
    """
    try:
        return tuple(_TABLES[quantity])
    except KeyError:
        raise UnitError(
            f"unknown quantity {quantity!r}; known: {', '.join(_TABLES)}",
            field="quantity",
            value=quantity,
        ) from None


def normalize_unit(
    unit: str,
    *,
    quantity: Quantity,
    field: str = "unit",
    accepted: Iterable[str] | None = None,
    label: str | None = None,
    prefix_field: bool = False,
) -> str:
    """Return the canonical spelling of ``unit`` for ``quantity`` (case and spaces are ignored).

    Parameters
    ----------
    unit
        The unit as written.
    quantity
        Key of the unit table.
    field
        The input named in the error (and its ``field``).
    accepted
        The units this input takes, e.g. the keys of :data:`TOTAL_T_UNITS` (default: every unit
        of ``quantity``).
    label
        How the quantity is named in the message (default: ``quantity``).
    prefix_field
        Start the message with ``field:`` (the hormone calculators name the field first).

    >>> normalize_unit("NG/DL", quantity="testosterone")
    'ng/dL'
    >>> normalize_unit("mg/L", quantity="glucose")
    Traceback (most recent call last):
    ...
    endolab.errors.UnitError: unknown unit 'mg/L' for glucose; accepted: mg/dL, mmol/L
    >>> normalize_unit("pg/mL", quantity="testosterone", accepted=TOTAL_T_UNITS,
    ...                label="total testosterone", prefix_field=True)
    Traceback (most recent call last):
    ...
    endolab.errors.UnitError: unit: unknown unit 'pg/mL' for total testosterone; accepted: ng/dL, nmol/L
    """
    choices = tuple(accepted) if accepted is not None else units_for(quantity)
    key = str(unit).replace(" ", "").lower()
    for candidate in choices:
        if candidate.lower() == key:
            return candidate
    prefix = f"{field}: " if prefix_field else ""
    raise UnitError(
        f"{prefix}unknown unit {unit!r} for {label or quantity}; accepted: {', '.join(choices)}",
        field=field,
        value=unit,
    )


def unit_factors(
    quantity: Quantity, to_unit: str, accepted: Sequence[str] | None = None
) -> Mapping[str, float]:
    """Factor from each accepted unit to ``to_unit`` (value in ``to_unit`` = value × factor).

    Derived from the one unit table above; read-only.

    >>> dict(unit_factors("albumin", "g/dL"))
    {'g/L': 0.1, 'g/dL': 1.0}
    """
    table = _TABLES[quantity]
    dst = normalize_unit(to_unit, quantity=quantity, field="to_unit")
    names = tuple(accepted) if accepted is not None else tuple(table)
    return types.MappingProxyType(
        {u: table[dst] / table[normalize_unit(u, quantity=quantity)] for u in names}
    )


#: Units the hormone calculators take for total testosterone, factor to ng/dL.
TOTAL_T_UNITS: Final = unit_factors("testosterone", "ng/dL", ("ng/dL", "nmol/L"))
#: Units for estradiol, factor to pg/mL.
ESTRADIOL_UNITS: Final = unit_factors("estradiol", "pg/mL", ("pg/mL", "pmol/L"))
#: Units for dihydrotestosterone, factor to ng/dL.
DHT_UNITS: Final = unit_factors("dht", "ng/dL", ("ng/dL", "nmol/L", "pg/mL"))
#: Units for albumin, factor to g/dL.
ALBUMIN_UNITS: Final = unit_factors("albumin", "g/dL", ("g/dL", "g/L"))


@overload
def convert(value: float, from_unit: str, to_unit: str, *, quantity: Quantity) -> float: ...
@overload
def convert(
    value: npt.NDArray[np.float64], from_unit: str, to_unit: str, *, quantity: Quantity
) -> npt.NDArray[np.float64]: ...


def convert(value: _T, from_unit: str, to_unit: str, *, quantity: Quantity) -> _T:
    """Convert ``value`` of ``quantity`` from ``from_unit`` to ``to_unit``.

    Parameters
    ----------
    value
        Concentration in ``from_unit`` (a float or a NumPy array).
    from_unit, to_unit
        Units from :func:`units_for` (case-insensitive).
    quantity
        ``"testosterone"``, ``"estradiol"``, ``"dht"``, ``"albumin"`` or ``"glucose"``.

    Returns
    -------
    The value in ``to_unit``; same type as ``value``.

    >>> round(convert(30, "pg/mL", "pmol/L", quantity="estradiol"), 2)
    110.14
    """
    units_for(quantity)  # an unknown quantity raises the helpful error
    table = _TABLES[quantity]
    src = normalize_unit(from_unit, quantity=quantity, field="from_unit")
    dst = normalize_unit(to_unit, quantity=quantity, field="to_unit")
    if src == dst:
        return value
    factor = table[dst] / table[src]
    if isinstance(value, (int, float)):
        return float(value) * factor
    import numpy as np

    return np.asarray(value, dtype=np.float64) * factor
