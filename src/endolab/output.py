"""What every front end (command line, JSON API, web widgets) puts around a result.

* :data:`DISCLAIMER` — the one-line medical disclaimer every calculator output and page carries;
  :data:`IN_SILICO_NOTICE` — carried by every simulated result;
* :func:`to_jsonable` — results (Fractions, Decimals, dates, NumPy scalars, NaN) as plain JSON types;
* :func:`json_text` — indented UTF-8 JSON text of a payload (NaN written as ``null``);
* :func:`with_disclaimer` — a result record with the ``disclaimer`` key added (the JSON envelope).

This module is science-free and imports nothing from the rest of endolab, so every layer may use it.

>>> with_disclaimer({"dose_iu": 250})["disclaimer"] == DISCLAIMER
True
"""

from __future__ import annotations

import datetime as _dt
import decimal
import fractions
import json
import math
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any, Final

__all__ = [
    "DISCLAIMER",
    "IN_SILICO_NOTICE",
    "json_text",
    "to_jsonable",
    "with_disclaimer",
]

#: One-line medical disclaimer carried by every calculator output and page.
DISCLAIMER: Final = (
    "For education and research only: not medical advice, not a diagnosis, not a prescription. "
    "Check every number with your clinician or pharmacist."
)

#: Carried by every in-silico (simulated) result.
IN_SILICO_NOTICE: Final = (
    "In-silico result from a model of virtual patients: a hypothesis, not clinical evidence."
)


def to_jsonable(value: Any) -> Any:
    """Convert results to plain JSON types.

    A :class:`fractions.Fraction` becomes a float, a :class:`decimal.Decimal` a string, dates and
    times ISO text, a path its text, NaN and infinities ``null``; NumPy scalars and arrays become
    Python numbers and lists. Anything else raises :class:`TypeError` (a bug, never user input).

    >>> to_jsonable({"a": fractions.Fraction(1, 4), "b": float("nan"), "d": _dt.date(2025, 1, 6)})
    {'a': 0.25, 'b': None, 'd': '2025-01-06'}
    """
    kind = type(value)  # exact-type fast path for the plain records that make up most outputs
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        return None if math.isnan(value) or math.isinf(value) else value
    if kind is dict:
        return {k if type(k) is str else str(k): to_jsonable(v) for k, v in value.items()}
    if kind is list:
        return [to_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, fractions.Fraction):
        return float(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    tolist = getattr(value, "tolist", None)  # NumPy scalars and arrays
    if callable(tolist):
        return to_jsonable(tolist())
    raise TypeError(f"cannot serialise {type(value).__name__} to JSON")


def json_text(payload: Any, *, indent: int | None = 2) -> str:
    """``payload`` as JSON text (through :func:`to_jsonable`; non-ASCII kept, NaN as ``null``).

    >>> json_text({"percent": float("nan"), "unit": "µg"}, indent=None)
    '{"percent": null, "unit": "µg"}'
    """
    return json.dumps(to_jsonable(payload), indent=indent, ensure_ascii=False, allow_nan=False)


def with_disclaimer(record: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``record`` with the ``disclaimer`` key set (the envelope of every JSON result).

    >>> sorted(with_disclaimer({"a": 1}))
    ['a', 'disclaimer']
    """
    return {**record, "disclaimer": DISCLAIMER}
