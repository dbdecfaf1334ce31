"""Presentation rows of a hormone prediction: what every front end shows, worded once.

:func:`prediction_rows` turns a :class:`~endolab.hormones.results.HormonePrediction` into one row per
predicted hormone — value, band and reference range in the chosen units, each number already
formatted by :func:`format_3sf` — so that the web page, the embed and any other view render the
same numbers and never convert or round anything themselves. :func:`prediction_headline`,
:func:`detail_rows` (the inputs used, the ratios, measured ÷ predicted) and :func:`prediction_notes`
complete the command line's table. :func:`free_t_headline`/:func:`free_t_rows` and
:func:`pk_headline`, :func:`pk_fit_headline` and :func:`pk_lab_rows` those of ``hormones pk``
beside :mod:`endolab.hormones.pk_view` (the levels at trough, Cavg and peak).
Conversions to SI units go through
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
from typing import TYPE_CHECKING, Final, Literal

from endolab.errors import ParseError
from endolab.hormones.reference import REFERENCE_RANGES, ReferenceRange
from endolab.hormones.results import HormonePrediction
from endolab.units import Quantity, convert

if TYPE_CHECKING:
    from endolab.hormones.pk import PkFit, ProtocolResult
    from endolab.hormones.results import FreeTestosteroneResult

__all__ = [
    "PK_LAB_COLUMNS",
    "RESULT_UNITS",
    "DetailRow",
    "PredictionRow",
    "ResultUnits",
    "detail_rows",
    "format_3sf",
    "free_t_headline",
    "free_t_rows",
    "pk_fit_headline",
    "pk_headline",
    "pk_lab_rows",
    "prediction_headline",
    "prediction_notes",
    "prediction_rows",
]

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


@dataclass(frozen=True)
class DetailRow:
    """One line under the hormone rows, as shown: what the prediction started from and used.

    Attributes
    ----------
    key
        Stable identifier (``total_t``, ``free_t_percent``, ``ratios``, ``shbg``, ``albumin``,
        ``measured_e2``, ``measured_dht``).
    label
        What the line is.
    value
        The number(s) with their unit, formatted.
    note
        A reference range, ``assumed``, or an observed ÷ predicted ratio; ``""`` when none.
    """

    key: str
    label: str
    value: str
    note: str = ""


def prediction_headline(r: HormonePrediction) -> str:
    """The one-line title of a prediction: total T [ng/dL, nmol/L], its source, and the age [y].

    >>> from endolab.hormones import predict
    >>> prediction_headline(predict(650, age=45))
    'TRT Hormone Predictor — total T 650 ng/dL (22.5 nmol/L), age 45 y'
    """
    source = (
        f" (trough for {format_3sf(r.dose_mg_week)} mg/week)" if r.dose_mg_week is not None else ""
    )
    return (
        f"TRT Hormone Predictor — total T {r.total_testosterone_ng_dl:.4g} ng/dL "
        f"({format_3sf(r.total_testosterone_nmol_l)} nmol/L){source}, age {r.age_years_used:g} y"
    )


def detail_rows(r: HormonePrediction) -> list[DetailRow]:
    """The inputs a prediction used and its ratios, as lines under :func:`prediction_rows`: total T
    with its reference range, the free-T percent, E2:T and DHT:T, the SHBG and albumin used (and
    whether assumed), and each measured value with observed ÷ predicted.

    >>> from endolab.hormones import predict
    >>> [(d.label, d.value, d.note) for d in detail_rows(predict(650, age=45, shbg=40))][-2:]
    [('SHBG used', '40.0 nmol/L', ''), ('Albumin used', '4.3 g/dL', 'assumed')]
    """
    tt_ref = REFERENCE_RANGES["total_testosterone"]
    rows = [
        DetailRow(
            "total_t",
            "Total testosterone",
            f"{format_3sf(r.total_testosterone_ng_dl)} ng/dL",
            f"ref {tt_ref.low:g}–{tt_ref.high:g} {tt_ref.unit}",
        ),
        DetailRow(
            "free_t_percent", "Free T percent", f"{format_3sf(r.free_testosterone_percent)} %"
        ),
        DetailRow(
            "ratios",
            "E2:T, DHT:T",
            f"{r.e2_to_t_molar_ratio:.3g} (molar)",
            f"1:{format_3sf(1 / r.dht_to_t_mass_ratio)} (mass)",
        ),
        DetailRow(
            "shbg",
            "SHBG used",
            f"{format_3sf(r.shbg_nmol_l_used)} nmol/L",
            "assumed" if r.shbg_assumed else "",
        ),
        DetailRow(
            "albumin",
            "Albumin used",
            f"{r.albumin_g_dl_used:.3g} g/dL",
            "assumed" if r.albumin_assumed else "",
        ),
    ]
    e2_ratio = r.estradiol_observed_to_predicted
    if r.estradiol_measured_pg_ml is not None and e2_ratio is not None:
        rows.append(
            DetailRow(
                "measured_e2",
                "Estradiol measured",
                f"{format_3sf(r.estradiol_measured_pg_ml)} pg/mL",
                f"observed/predicted {e2_ratio:.2f}",
            )
        )
    dht_ratio = r.dht_observed_to_predicted
    if r.dht_measured_ng_dl is not None and dht_ratio is not None:
        rows.append(
            DetailRow(
                "measured_dht",
                "DHT measured",
                f"{format_3sf(r.dht_measured_ng_dl)} ng/dL",
                f"observed/predicted {dht_ratio:.2f}",
            )
        )
    return rows


def prediction_notes(r: HormonePrediction) -> tuple[str, ...]:
    """The notes under the rows: what the E2 and DHT bands are and, when SHBG was assumed, what the
    free-hormone bands span.

    >>> from endolab.hormones import predict
    >>> len(prediction_notes(predict(650, age=45))), len(prediction_notes(predict(650, shbg=40)))
    (2, 1)
    """
    notes = [
        "Estradiol and DHT: LC-MS/MS-equivalent population predictions; their band is an "
        "assumption."
    ]
    if r.shbg_assumed:
        notes.append(
            "SHBG assumed, not measured: the bands of free testosterone, free estradiol and "
            "bioavailable testosterone span men of this age with low to high SHBG."
        )
    return tuple(notes)


# ---------------------------------------------------------------- hormones free-t


def free_t_headline(r: FreeTestosteroneResult) -> str:
    """The one-line title of a free-testosterone result: method, total T [ng/dL], SHBG [nmol/L]
    and albumin [g/dL] used.

    >>> from endolab.hormones import free_testosterone
    >>> free_t_headline(free_testosterone(288.4, 40, 4.3))
    'Free testosterone (vermeulen1999) — total T 288.4 ng/dL, SHBG 40 nmol/L, albumin 4.3 g/dL'
    """
    return (
        f"Free testosterone ({r.method}) — total T {r.total_testosterone_ng_dl:.4g} ng/dL, "
        f"SHBG {r.shbg_nmol_l_used:.4g} nmol/L, albumin {r.albumin_g_dl_used:.3g} g/dL"
    )


def free_t_rows(r: FreeTestosteroneResult) -> list[DetailRow]:
    """The rows of a free-testosterone result, in display order: free T [pg/mL] (with nmol/L and
    pmol/L), its band when computed, the free-T percent [%] and bioavailable T [ng/dL, nmol/L].

    >>> from endolab.hormones import free_testosterone
    >>> [(d.label, d.value) for d in free_t_rows(free_testosterone(288.4, 40, 4.3))][::2]
    [('Free testosterone', '50.1 pg/mL'), ('Free T percent', '1.74 %')]
    """
    rows = [
        DetailRow(
            "free_t",
            "Free testosterone",
            f"{format_3sf(r.free_testosterone_pg_ml)} pg/mL",
            f"{format_3sf(r.free_testosterone_nmol_l)} nmol/L, "
            f"{format_3sf(r.free_testosterone_pmol_l)} pmol/L",
        )
    ]
    if r.free_testosterone_low_pg_ml is not None and r.free_testosterone_high_pg_ml is not None:
        rows.append(
            DetailRow(
                "free_t_band",
                "Band",
                f"{format_3sf(r.free_testosterone_low_pg_ml)}–"
                f"{format_3sf(r.free_testosterone_high_pg_ml)} pg/mL",
                "assay and model scatter" + (", albumin assumed" if r.albumin_assumed else ""),
            )
        )
    rows += [
        DetailRow(
            "free_t_percent", "Free T percent", f"{format_3sf(r.free_testosterone_percent)} %"
        ),
        DetailRow(
            "bio_t",
            "Bioavailable T",
            f"{format_3sf(r.bioavailable_testosterone_ng_dl)} ng/dL",
            f"{format_3sf(r.bioavailable_testosterone_nmol_l)} nmol/L",
        ),
    ]
    return rows


# ---------------------------------------------------------------- hormones pk

#: Column titles of :func:`pk_lab_rows` (the levels themselves are
#: :func:`endolab.hormones.pk_view.protocol_rows`).
PK_LAB_COLUMNS: Final = ("Time since the dose", "Measured", "Model: population → fitted")


def pk_headline(result: ProtocolResult) -> str:
    """The one-line title of a regimen's steady state: ester, dose [mg], interval [day], model,
    endogenous testosterone [ng/dL] and body weight [kg]."""
    r = result.pk
    g = r.regimen
    f3 = format_3sf
    return (
        f"Testosterone {g.ester} {f3(g.dose_mg)} mg every {g.interval_days:g} days — steady state "
        f"(model {r.model}; endogenous {f3(g.endogenous_ng_dl)} ng/dL, weight "
        f"{f3(g.body_weight_kg)} kg)"
    )


def pk_fit_headline(fit: PkFit) -> str:
    """What the fit to the person's labs moved: the exposure scale and, with two or more labs, the
    release half-life [day], each against the population prior in prior SDs."""
    f3 = format_3sf
    moved_k = (
        f", release half-life {f3(fit.release_half_life_days)} days (population "
        f"{f3(fit.population_release_half_life_days)} days, moved "
        f"{f3(fit.half_life_moved_sd or 0.0)} prior SD)"
        if fit.fitted_half_life
        else ", release half-life kept at the population's (one lab)"
    )
    return (
        f"Fitted to your labs: exposure × {f3(fit.scale)} (moved {f3(fit.scale_moved_sd)} "
        f"prior SD){moved_k}"
    )


def pk_lab_rows(fit: PkFit) -> list[DetailRow]:
    """One row per lab: the time since the dose [day], the measured total T [ng/dL] and the
    model's value before and after the fit [ng/dL]."""
    f3 = format_3sf
    return [
        DetailRow(
            f"lab_{i}",
            f"{f3(x.days_since_dose)} days",
            f"{f3(x.measured_ng_dl)} ng/dL",
            f"{f3(x.population_ng_dl)} → {f3(x.fitted_ng_dl)} ng/dL",
        )
        for i, x in enumerate(fit.labs)
    ]
