"""Accepted input ranges of the hormone calculators and the one function that checks them.

Ranges (docs/methods/hormones.md §5.7, [A] design choices of the spec unless noted):

==================  ==============  ===================================================================
field               range           note
==================  ==============  ===================================================================
total_t             50–3000 ng/dL   docs/methods/hormones.md §5.7 (warn > 1500; > 2370 is beyond the trial's mean nadir)
shbg                5–150 nmol/L    docs/methods/hormones.md §5.7
albumin             2.5–5.5 g/dL    docs/methods/hormones.md §5.7
age                 18–90 years     docs/methods/hormones.md §5.7 (warn outside 19–75, the trial's ages)
dose_mg_week        25–600 mg/week  the weekly testosterone-enanthate doses of Bhasin 2001
measured_e2         0.5–1000 pg/mL  [A] this project: any plausible male serum value (not in the spec)
measured_dht        1–1000 ng/dL    [A] this project: any plausible male serum value (not in the spec)
estradiol           0.5–1000 pg/mL  [A] total E2 for the free-E2 calculator (same range as measured_e2)
==================  ==============  ===================================================================

Limits are inclusive. A value given in another unit is converted first and checked against the
range above; the error message shows the range in the unit the user typed as well.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, NamedTuple

from endolab import units
from endolab.errors import InputError, asks
from endolab.numbers import parse_float

__all__ = ["INPUT_RANGES", "InputRange", "check", "range_text"]


class InputRange(NamedTuple):
    """An inclusive accepted range ``low``–``high`` in ``unit``."""

    low: float
    high: float
    unit: str


#: Accepted input ranges (inclusive), in the unit shown.
INPUT_RANGES: Final[dict[str, InputRange]] = {
    "total_t": InputRange(50.0, 3000.0, "ng/dL"),
    "shbg": InputRange(5.0, 150.0, "nmol/L"),
    "albumin": InputRange(2.5, 5.5, "g/dL"),
    "age": InputRange(18.0, 90.0, "years"),
    "dose_mg_week": InputRange(25.0, 600.0, "mg/week"),
    "measured_e2": InputRange(0.5, 1000.0, "pg/mL"),
    "measured_dht": InputRange(1.0, 1000.0, "ng/dL"),
    "estradiol": InputRange(0.5, 1000.0, "pg/mL"),
}

# A value rejected in the default unit that fits the range in another unit gets a hint:
# field → (other unit, factor from it to the range's unit, name of the unit argument)
_UNIT_HINTS: Final[dict[str, tuple[str, float, str]]] = {
    "total_t": ("nmol/L", units.TESTOSTERONE_NG_DL_PER_NMOL_L, "unit"),
    "albumin": ("g/L", 0.1, "albumin_unit"),
}

# relative slack so that a limit typed in another unit (e.g. 104.02 nmol/L) is not rejected by rounding
_SLACK: Final = 1e-9


def _fmt(x: float) -> str:
    """4 significant figures, no exponent for |x| ≥ 1000 (18749.1 → '18749')."""
    return f"{x:.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def range_text(field: str) -> str:
    """The accepted range of ``field`` as every message, help text and API description writes it
    (from :data:`INPUT_RANGES`, the one place the ranges are defined).

    >>> range_text("total_t"), range_text("albumin"), range_text("age")
    ('50–3000 ng/dL', '2.5–5.5 g/dL', '18–90 years')
    """
    rng = INPUT_RANGES[field]
    return f"{_fmt(rng.low)}–{_fmt(rng.high)} {rng.unit}"


def _echo(x: float) -> str:
    """A value echoed back in a message: at most 6 significant digits (issue 18), so that the
    message shows the value the range check refused (90.0001 is not "90") and a 309-digit number
    is not printed whole.

    >>> _echo(90.0001), _echo(-5.0), _echo(1e308), _echo(18749.1)
    ('90.0001', '-5', '1e+308', '18749.1')
    """
    return f"{x:.6g}"


def check(value: object, field: str, *, unit: str | None = None, factor: float = 1.0) -> float:
    """Parse ``value`` and check it against ``INPUT_RANGES[field]``.

    Parameters
    ----------
    value
        The value as given (number or text) in ``unit``.
    field
        Key of :data:`INPUT_RANGES`; named in every error message.
    unit
        The unit ``value`` is in; ``None`` means the range's own unit.
    factor
        Multiplier from ``unit`` to the range's unit.

    Returns
    -------
    float
        The value converted to the range's unit.

    Raises
    ------
    endolab.errors.ParseError
        Not a finite number (exit status 2); the message names the accepted range too.
    endolab.errors.InputError
        Out of range (exit status 3).

    >>> check("650", "total_t")
    650.0
    >>> check(-5, "total_t")
    Traceback (most recent call last):
    ...
    endolab.errors.InputError: total_t: -5 ng/dL is out of range; accepted 50–3000 ng/dL
    >>> check("abc", "total_t")
    Traceback (most recent call last):
    ...
    endolab.errors.ParseError: E_NOT_A_NUMBER: `total_t` must be a number (got `abc`). Accepted: a decimal number such as 5000, 2.5 or 0.25. Expected a number in ng/dL, accepted 50–3000 ng/dL.
    >>> check(43, "albumin")
    Traceback (most recent call last):
    ...
    endolab.errors.InputError: albumin: 43 g/dL is out of range; accepted 2.5–5.5 g/dL (is it in g/L? then use albumin_unit='g/L')
    >>> check(200, "total_t", unit="nmol/L", factor=28.84)
    Traceback (most recent call last):
    ...
    endolab.errors.InputError: total_t: 200 nmol/L (5768 ng/dL) is out of range; accepted 1.734–104 nmol/L (50–3000 ng/dL)
    """
    rng = INPUT_RANGES[field]
    given_unit = rng.unit if unit is None else unit
    accepted = range_text(field)
    if given_unit != rng.unit or factor != 1.0:
        accepted = f"{_fmt(rng.low / factor)}–{_fmt(rng.high / factor)} {given_unit} ({accepted})"
    # issue 2: a non-numeric value's message names the range too
    number = parse_float(value, field, unit=given_unit, accepted=accepted)
    converted = number * factor
    if rng.low * (1 - _SLACK) <= converted <= rng.high * (1 + _SLACK):
        return converted
    if given_unit == rng.unit and factor == 1.0:
        msg = f"{field}: {_echo(number)} {rng.unit} is out of range; accepted {accepted}"
        if field in _UNIT_HINTS:
            other, other_factor, argument = _UNIT_HINTS[field]
            if rng.low <= number * other_factor <= rng.high:
                # the library's keyword (the API's parameter); a front end words it with its own
                # name of the option through EndolabError.asking (the CLI adds --albumin-unit g/L)
                ask = f"then use {argument}={other!r})"
                msg += f" (is it in {other}? {ask}"
                kind = f"{argument}_{other.replace('/', '_').lower()}"
                raise asks(InputError(msg, field=field, value=value), argument, kind, ask)
    else:
        msg = (
            f"{field}: {_echo(number)} {given_unit} ({_echo(converted)} {rng.unit}) is out of range; "
            f"accepted {accepted}"
        )
    raise InputError(msg, field=field, value=value)


#: Per hormone input: the quantity of the unit table, its name in messages, and the units it takes
#: (factor to the unit the calculators compute in), all from :mod:`endolab.units`.
UNIT_KINDS: Final[dict[str, tuple[units.Quantity, str, Mapping[str, float]]]] = {
    "total_t": ("testosterone", "total testosterone", units.TOTAL_T_UNITS),
    "estradiol": ("estradiol", "estradiol", units.ESTRADIOL_UNITS),
    "dht": ("dht", "DHT", units.DHT_UNITS),
    "albumin": ("albumin", "albumin", units.ALBUMIN_UNITS),
}


def unit(text: str, kind: str, *, field: str) -> tuple[str, float]:
    """The canonical unit of a ``kind`` input and its factor to the unit the predictor uses.

    :func:`endolab.units.normalize_unit` with the input's accepted units; the error names
    ``field`` first.

    >>> unit("NMOL/L", "total_t", field="unit")
    ('nmol/L', 28.84)
    """
    quantity, label, table = UNIT_KINDS[kind]
    name = units.normalize_unit(
        text, quantity=quantity, field=field, accepted=table, label=label, prefix_field=True
    )
    return name, table[name]
