"""Presentation rows of a hormone prediction: what every front end shows, worded once.

:func:`prediction_rows` turns a :class:`~endolab.hormones.results.HormonePrediction` into one row per
predicted hormone — value, band and reference range in the chosen units, each number already
formatted by :func:`format_3sf` — so that the web page, the embed and any other view render the
same numbers and never convert or round anything themselves. Conversions to SI units go through
:func:`endolab.units.convert` (the one unit table, molar masses with their sources there).

>>> from endolab.hormones import predict
>>> rows = prediction_rows(predict(650, age=45))
>>> [r.key for r in rows]
['estradiol', 'dht', 'free_t', 'free_e2', 'bio_t']
>>> rows[0].unit, prediction_rows(predict(650, age=45), "si")[0].unit
('pg/mL', 'pmol/L')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

from endolab.errors import ParseError
from endolab.hormones.reference import REFERENCE_RANGES, ReferenceRange
from endolab.hormones.results import HormonePrediction
from endolab.units import Quantity, convert

__all__ = ["RESULT_UNITS", "PredictionRow", "ResultUnits", "format_3sf", "prediction_rows"]

#: The two ways of showing the results: the library's units (conventional, US) or SI (molar).
ResultUnits = Literal["conventional", "si"]
RESULT_UNITS: Final[dict[str, str]] = {"conventional": "ng/dL, pg/mL", "si": "nmol/L, pmol/L"}
_SI_UNIT: Final = {"pg/mL": "pmol/L", "ng/dL": "nmol/L"}


def format_3sf(x: float | None) -> str:
    """``x`` with 3 significant figures and no exponent, as every front end prints a prediction.

    >>> format_3sf(1345.2), format_3sf(0.80772), format_3sf(28.04), format_3sf(None)
    ('1345', '0.808', '28.0', '—')
    """
    if x is None:
        return "—"
    if x == 0 or not math.isfinite(x):
        return f"{x:g}"
    digits = max(0, 2 - math.floor(math.log10(abs(x))))
    return f"{x:.{digits}f}"


@dataclass(frozen=True)
class PredictionRow:
    """One predicted hormone as shown: numbers in :attr:`unit`, with their display text."""

    key: str
    name: str
    value: float
    low: float
    high: float
    unit: str
    ref_low: float | None
    ref_high: float | None
    ref_source: str | None

    @property
    def value_text(self) -> str:
        """The prediction, 3 significant figures (without the unit)."""
        return format_3sf(self.value)

    @property
    def band_text(self) -> str:
        """The band, ``low–high`` (without the unit)."""
        return f"{format_3sf(self.low)}–{format_3sf(self.high)}"

    @property
    def ref_text(self) -> str | None:
        """The reference range (``≥ low`` when open-ended), or ``None`` when there is none."""
        if self.ref_low is None or self.ref_high is None:
            return None
        if math.isinf(self.ref_high):
            return f"≥ {format_3sf(self.ref_low)}"
        return f"{format_3sf(self.ref_low)}–{format_3sf(self.ref_high)}"


def _row(
    key: str,
    name: str,
    numbers: tuple[float, float, float],
    unit: str,
    ref: ReferenceRange | None,
    quantity: Quantity,
    units: ResultUnits,
) -> PredictionRow:
    value, low, high = numbers
    ref_low = None if ref is None else ref.low
    ref_high = None if ref is None else ref.high
    if units == "si":  # every number of the row in the SI unit, through the one unit table
        to = _SI_UNIT[unit]
        value, low, high = (convert(x, unit, to, quantity=quantity) for x in (value, low, high))
        if ref is not None:
            ref_low = convert(ref.low, ref.unit, to, quantity=quantity)
            ref_high = (
                ref.high
                if math.isinf(ref.high)
                else convert(ref.high, ref.unit, to, quantity=quantity)
            )
        unit = to
    return PredictionRow(
        key, name, value, low, high, unit, ref_low, ref_high, None if ref is None else ref.source
    )


def prediction_rows(r: HormonePrediction, units: str = "conventional") -> list[PredictionRow]:
    """The rows of a prediction in ``units`` (``"conventional"`` or ``"si"``), in display order.

    Estradiol, DHT, free testosterone, free estradiol and bioavailable testosterone, each with its
    band and (for the first three) its reference range of
    :data:`~endolab.hormones.reference.REFERENCE_RANGES`.

    Raises
    ------
    ParseError
        ``units`` is neither ``"conventional"`` nor ``"si"`` (exit status 2).
    """
    if units not in RESULT_UNITS:
        raise ParseError(
            f"result units must be one of {', '.join(RESULT_UNITS)} (got {units!r})",
            field="out_units",
            value=units,
        )
    u: ResultUnits = "si" if units == "si" else "conventional"
    ref = REFERENCE_RANGES
    return [
        _row(
            "estradiol",
            "Estradiol",
            (r.estradiol_pg_ml, r.estradiol_low_pg_ml, r.estradiol_high_pg_ml),
            "pg/mL",
            ref["estradiol"],
            "estradiol",
            u,
        ),
        _row(
            "dht",
            "DHT",
            (r.dht_ng_dl, r.dht_low_ng_dl, r.dht_high_ng_dl),
            "ng/dL",
            ref["dht"],
            "dht",
            u,
        ),
        _row(
            "free_t",
            "Free testosterone",
            (
                r.free_testosterone_pg_ml,
                r.free_testosterone_low_pg_ml,
                r.free_testosterone_high_pg_ml,
            ),
            "pg/mL",
            ref["free_testosterone"],
            "testosterone",
            u,
        ),
        _row(
            "free_e2",
            "Free estradiol",
            (r.free_estradiol_pg_ml, r.free_estradiol_low_pg_ml, r.free_estradiol_high_pg_ml),
            "pg/mL",
            None,
            "estradiol",
            u,
        ),
        _row(
            "bio_t",
            "Bioavailable testosterone",
            (
                r.bioavailable_testosterone_ng_dl,
                r.bioavailable_testosterone_low_ng_dl,
                r.bioavailable_testosterone_high_ng_dl,
            ),
            "ng/dL",
            None,
            "testosterone",
            u,
        ),
    ]
