"""Notice catalogue of the hCG calculator (docs/methods/hcg.md §5): codes, severities, messages, errors.

Severity levels (docs/methods/hcg.md §5):

* ``E`` — error: no result. Raised as :class:`HcgInputError` (an :class:`~endolab.errors.InputError`,
  CLI exit status 3), except ``E_NOT_A_NUMBER``, raised as :class:`HcgParseError`, which is both a
  :class:`~endolab.errors.ParseError` (CLI exit status 2, docs/methods/hcg.md §6.5 T33) and an :class:`HcgInputError`.
* ``W`` — warning: the result is shown, with the notice attached.
* ``I`` — information attached to the result.

Every code of the catalogue is listed once in :data:`CATALOGUE` with its severity and the template of
docs/methods/hcg.md §5. Messages are filled in by the calculators (they know the numbers); the catalogue is the
single place where codes and severities live. A notice is the library-wide
:class:`endolab.notices.Notice` (code, severity, message, field), re-exported here.

>>> CATALOGUE["W_OFF_GRADUATION"].severity
'W'
>>> err = HcgInputError("E_DOSE_NOT_POSITIVE", "dose_iu", "Dose must be greater than 0 IU.", value="0")
>>> str(err), err.exit_code
('E_DOSE_NOT_POSITIVE: Dose must be greater than 0 IU.', 3)
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from endolab.errors import InputError, ParseError
from endolab.notices import Notice, Severity
from endolab.numbers import NOT_A_NUMBER_TEMPLATE

__all__ = [
    "CATALOGUE",
    "CatalogueEntry",
    "HcgInputError",
    "HcgParseError",
    "Notice",
    "Severity",
    "notice",
    "prefilled_error",
    "schedule_invalid",
]


@dataclass(frozen=True)
class CatalogueEntry:
    """One row of the notice catalogue (docs/methods/hcg.md §5)."""

    code: str
    severity: Severity
    trigger: str
    template: str


def _entry(code: str, severity: Severity, trigger: str, template: str) -> CatalogueEntry:
    return CatalogueEntry(code, severity, trigger, template)


#: The notice catalogue of docs/methods/hcg.md §5, one entry per code.
CATALOGUE: Final[Mapping[str, CatalogueEntry]] = types.MappingProxyType(
    {
        e.code: e
        for e in (
            _entry(
                "E_NOT_A_NUMBER",
                "E",
                "non-numeric, NaN, ±inf, empty",
                NOT_A_NUMBER_TEMPLATE,
            ),
            _entry(
                "E_VIAL_NOT_POSITIVE",
                "E",
                "vial_iu ≤ 0",
                "Vial strength must be greater than 0 IU.",
            ),
            _entry(
                "E_DILUENT_NOT_POSITIVE",
                "E",
                "diluent_ml ≤ 0",
                "Diluent volume must be greater than 0 mL — you cannot draw doses from dry powder.",
            ),
            _entry("E_DOSE_NOT_POSITIVE", "E", "dose_iu ≤ 0", "Dose must be greater than 0 IU."),
            _entry(
                "E_DOSE_EXCEEDS_VIAL",
                "E",
                "dose_iu > vial_iu (or per_draw > usable volume)",
                "A {dose} IU dose is larger than the whole {vial} IU vial.",
            ),
            _entry(
                "E_DILUENT_EXCEEDS_VIAL_CAPACITY",
                "E",
                "diluent_ml + displacement > vial_capacity_ml",
                "{V} mL will not fit in a {cap} mL vial; maximum is {cap} mL.",
            ),
            _entry(
                "E_DOSE_BELOW_RESOLUTION",
                "E",
                "dose_syr_units < 1 graduation",
                "{u} units is smaller than one mark ({g} unit) on this syringe — it cannot be "
                "measured. Use more diluent (≥{Vmin} mL gives {gk} units) or a finer syringe.",
            ),
            _entry(
                "E_PREFILLED_SINGLE_USE",
                "E",
                "Ovidrel preset or prefilled=True",
                "Ovidrel is a single-use 250 µg (~6,500 IU) prefilled syringe; it is not "
                "reconstituted or split. Discard unused material.",
            ),
            _entry(
                "E_MASS_UNIT_FOR_URINARY_HCG",
                "E",
                "dose or vial entered in mg/µg for a non-Ovidrel preset",
                "hCG vials are labelled in IU; there is no fixed IU↔mg conversion.",
            ),
            _entry("E_BUD_NOT_POSITIVE", "E", "bud ≤ 0", "specific message naming the field"),
            _entry(
                "E_SCHEDULE_INVALID",
                "E",
                "interval < 1 or not an integer; empty weekday set",
                "specific message naming the field",
            ),
            _entry("E_WEEKS_NOT_POSITIVE", "E", "weeks ≤ 0", "specific message naming the field"),
            _entry("E_PRICE_NEGATIVE", "E", "price < 0", "specific message naming the field"),
            _entry(
                "E_NEGATIVE_LOSS",
                "E",
                "dead space/residual/displacement < 0",
                "specific message naming the field",
            ),
            _entry(
                "E_BUD_REQUIRED",
                "E",
                "plan with a preset whose bud_days is None and no --bud",
                "Enter the beyond-use days printed on your carton/pharmacy label.",
            ),
            _entry(
                "E_PRESET_CONFLICT",
                "E",
                "a product preset with a fixed vial strength and a different vial_iu [A]",
                "The {product} preset is a {preset_iu} IU vial, but the vial strength given is "
                "{vial_iu} IU. Clear the vial strength, or choose the preset of your vial.",
            ),
            _entry(
                "E_MISSING_INPUT",
                "E",
                "no vial strength (and no preset), diluent volume (and no preset), dose or syringe "
                "reading where the mode needs it; a plan without a frequency, a start date or a "
                "number of weeks [A]",
                "specific message naming the field",
            ),
            _entry(
                "W_OFF_GRADUATION",
                "W",
                "not on_graduation",
                "{u} units falls between marks. {lo} units = {iu_lo} IU ({e_lo}%), {hi} units = "
                "{iu_hi} IU ({e_hi}%). Try {V} mL diluent for an exact mark.",
            ),
            _entry(
                "W_LOW_PRECISION",
                "W",
                "rel_read_err > 5 %",
                "Reading error up to ±{g_half} unit = ±{pct}% of this dose. Use a finer syringe or "
                "more diluent.",
            ),
            _entry(
                "W_EXCEEDS_SYRINGE_CAPACITY",
                "W",
                "dose_syr_units > capacity",
                "Dose needs {u} units but this syringe holds {cap}; use a larger barrel or {fills} "
                "fills.",
            ),
            _entry(
                "W_BUD_CONFLICT",
                "W",
                "doses_before_bud < doses_by_content",
                "At {weekly} IU/week only {n_used} of {n_content} doses are used before the "
                "{bud}-day discard date; {waste} IU ({pct}%) is discarded.",
            ),
            _entry(
                "W_DEAD_SPACE_LOSS",
                "W",
                "dead_space_ml / dose_ml > 10 %",
                "Dead space wastes {x} IU per injection ({pct}% of each dose); doses per vial drop "
                "from {a} to {b}.",
            ),
            _entry(
                "W_PRESERVATIVE_FREE_DILUENT",
                "W",
                "diluent ∈ {sterile water, saline} with a multi-dose plan",
                "Preservative-free diluent is meant for single use; the label's {bud}-day limit "
                "assumes the supplied bacteriostatic diluent.",
            ),
            _entry(
                "W_SYRINGE_SCALE",
                "W",
                "u40 syringe selected",
                "U-40 syringe: 1 unit = 0.025 mL. Do not use U-100 unit numbers on this barrel.",
            ),
            _entry(
                "I_PARTIAL_REMAINDER",
                "I",
                "remainder after full doses > 0",
                "{r} IU ({ml} mL) left after {n} full doses.",
            ),
            _entry(
                "I_POTENCY_BAND",
                "I",
                "always available",
                "USP allows 80–125 % of labelled potency: {lo}–{hi} IU per nominal dose.",
            ),
            _entry(
                "I_BREAKEVEN",
                "I",
                "bud set",
                "To finish a {vial} IU vial within {bud} days you need ≈{x} IU/week.",
            ),
            _entry(
                "I_LABEL_ROUTE",
                "I",
                "US preset",
                "US labels for this product state intramuscular use; follow your prescriber.",
            ),
        )
    }
)


def notice(code: str, message: str, **data: Any) -> Notice:
    """Build a :class:`Notice` for a W_/I_ code of the catalogue (severity looked up)."""
    entry = CATALOGUE[code]
    if entry.severity == "E":
        raise AssertionError(f"{code} is an error code, not a notice")  # pragma: no cover
    return Notice(code, entry.severity, message, data=types.MappingProxyType(dict(data)))


class HcgInputError(InputError):
    """An input the hCG calculator rejects (spec ``HcgInputError(code, field, message)``); exit 3."""

    def __init__(self, code: str, field: str | None, message: str, *, value: Any = None) -> None:
        if code not in CATALOGUE or CATALOGUE[code].severity != "E":
            raise AssertionError(f"unknown error code {code}")  # pragma: no cover
        super().__init__(message, code=code, field=field, value=value)


class HcgParseError(ParseError, HcgInputError):
    """``E_NOT_A_NUMBER``: text that is not a number. A :class:`~endolab.errors.ParseError` (exit 2)."""


def schedule_invalid(field: str, message: str, value: object) -> HcgInputError:
    """The ``E_SCHEDULE_INVALID`` error for ``field`` (a frequency, a date, a number of weeks).

    >>> schedule_invalid("weeks", "`weeks` must be at least 1.", "0").code
    'E_SCHEDULE_INVALID'
    """
    return HcgInputError("E_SCHEDULE_INVALID", field, message, value=value)


def prefilled_error() -> HcgInputError:
    """E_PREFILLED_SINGLE_USE: a prefilled syringe is not mixed (docs/methods/hcg.md §1.3, §5)."""
    return HcgInputError(
        "E_PREFILLED_SINGLE_USE",
        "preset",
        CATALOGUE["E_PREFILLED_SINGLE_USE"].template,
        value="ovidrel-250mcg",
    )
