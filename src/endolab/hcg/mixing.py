"""Reconstitution arithmetic: :func:`mix`, :func:`reverse` and :func:`suggest_diluent`.

Everything follows specs/hcg.md §2–§3 exactly, in :class:`fractions.Fraction` arithmetic end to end
(0.29 × 100 is exactly 29 here, not 28.999999999999996).

Formulas (spec §3.2)::

    solution_ml      = diluent_ml + displacement_ml
    conc_iu_per_ml   = vial_iu / solution_ml
    iu_per_syr_unit  = conc_iu_per_ml / units_per_ml
    dose_ml          = dose_iu / conc_iu_per_ml
    dose_syr_units   = dose_ml * units_per_ml            (mL-scale syringe: the "unit" is 1 mL)
    on_graduation    = dose_syr_units / graduation is an integer
    nearest marks    = floor/ceil multiples of graduation; tie -> LOWER mark
    rel_read_err     = (graduation / 2) / dose_syr_units
    fills            = ceil(dose_syr_units / capacity_units)
    per_draw_ml      = dose_ml + dead_space_ml
    doses_by_content = floor((solution_ml - vial_residual_ml) / per_draw_ml)
    raw_doses        = vial_iu / dose_iu
    remainder_iu     = vial_iu - doses_by_content * dose_iu

Ambiguities resolved here (each an assumption [A] of this project):

* A dose exactly one graduation is measurable (the error is "< 1 graduation"); a reading error
  exactly 5 % gives no W_LOW_PRECISION (the trigger is "> 5 %", spec T02).
* ``E_DOSE_EXCEEDS_VIAL`` also covers "no full draw fits in the withdrawable volume"
  (``per_draw_ml > solution_ml - residual_ml``, i.e. zero doses by content).
* W_OFF_GRADUATION's "Try V mL": among the whole-mark volumes ``V_k = k·g·vial/(dose·s) − displacement``
  (spec §2.2) that fit the vial, the one nearest the entered volume, preferring volumes that are a
  multiple of 0.05 mL (measurable); ties go to the smaller volume.
* W_PRESERVATIVE_FREE_DILUENT is raised by :func:`mix` too when the vial holds more than one dose.
* I_POTENCY_BAND ("always available") is attached to every result.
* Reverse mode rejects a target below one graduation with E_DOSE_BELOW_RESOLUTION.
* Suggestions enumerate ``V = min_ml + i·step_ml`` up to ``vial_capacity_ml − displacement_ml`` (so
  that the solution fits the vial); ``min_ml`` defaults to one step.

>>> r = mix("5000", "5", "250")
>>> r.concentration_iu_per_ml, r.syringe_units, r.on_graduation, r.doses_per_vial
(Fraction(1000, 1), Fraction(25, 1), True, 20)
>>> r.label_line()
'hCG 5,000 IU + 5.0 mL bacteriostatic water = 1,000 IU/mL = 10 IU per U-100 unit'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final

from endolab.errors import InputError
from endolab.hcg._numbers import (
    Number,
    fmt_fixed,
    fmt_iu,
    fmt_label_iu,
    fmt_label_ml,
    fmt_ml,
    fmt_pct,
    parse_amount,
    parse_number,
    round_half_up,
)
from endolab.hcg.notices import CATALOGUE, HcgInputError, Notice, notice
from endolab.hcg.products import (
    DEFAULT_DILUENT,
    DEFAULT_VIAL_CAPACITY_ML,
    PRESERVATIVE_FREE_DILUENTS,
    Diluent,
    Preset,
    get_preset,
    normalize_diluent,
)
from endolab.hcg.syringes import DEFAULT_SYRINGE, Syringe, get_syringe, recommend_syringe

if TYPE_CHECKING:
    from endolab.hcg.frequency import Frequency

__all__ = [
    "DEAD_SPACE_WARNING_FRACTION",
    "POTENCY_HIGH_FRACTION",
    "POTENCY_LOW_FRACTION",
    "PRECISION_WARNING_FRACTION",
    "READ_ERROR_GRADUATIONS",
    "Mark",
    "MixResult",
    "ReverseResult",
    "SuggestResult",
    "Suggestion",
    "doses_by_content",
    "mix",
    "read_error",
    "reverse",
    "suggest_diluent",
    "whole_mark_diluent_ml",
]

#: Worst-case reading error as a fraction of one graduation [A] (spec §2.2: half a graduation).
READ_ERROR_GRADUATIONS: Final = Fraction(1, 2)
#: W_LOW_PRECISION when the relative reading error is strictly above this [A] (spec §2.3: 5 %,
#: configurable).
PRECISION_WARNING_FRACTION: Final = Fraction(5, 100)
#: W_DEAD_SPACE_LOSS when dead_space_ml / dose_ml is strictly above this (spec §5: 10 %).
DEAD_SPACE_WARNING_FRACTION: Final = Fraction(10, 100)
#: USP potency limits for Chorionic Gonadotropin for Injection: 80.0–125.0 % of label [S14].
POTENCY_LOW_FRACTION: Final = Fraction(80, 100)
POTENCY_HIGH_FRACTION: Final = Fraction(125, 100)
#: Volumes that are a multiple of this are preferred in W_OFF_GRADUATION's "Try V mL" [A].
_MEASURABLE_ML: Final = Fraction(1, 20)
#: Smallest step of the suggestion grid [mL] [A] (bounds the enumeration).
_MIN_STEP_ML: Final = Fraction(1, 100)
_DEFAULT_STEP_ML: Final = Fraction(1, 2)
_DEFAULT_TOP: Final = 5

_NOTICE_ORDER: Final = {code: i for i, code in enumerate(CATALOGUE)}
_SEVERITY_ORDER: Final = {"E": 0, "W": 1, "I": 2}


def sort_notices(notices: list[Notice]) -> tuple[Notice, ...]:
    """Warnings before information, each in catalogue order; one notice per code."""
    seen: dict[str, Notice] = {}
    for n in notices:
        seen.setdefault(n.code, n)
    return tuple(
        sorted(seen.values(), key=lambda n: (_SEVERITY_ORDER[n.severity], _NOTICE_ORDER[n.code]))
    )


# --------------------------------------------------------------------------------------------------
# Pure formulas (spec §2.2, §2.3, §3.2)
# --------------------------------------------------------------------------------------------------


def read_error(graduation_units: Fraction, dose_syr_units: Fraction) -> Fraction:
    """Worst-case relative reading error, spec §2.2 [A]: ``(graduation / 2) / dose_syr_units``.

    Parameters: graduation_units [unit], dose_syr_units [unit]. Returns a ratio [1].

    >>> read_error(Fraction(1), Fraction(25)), read_error(Fraction(2), Fraction(10))
    (Fraction(1, 50), Fraction(1, 10))
    """
    return graduation_units * READ_ERROR_GRADUATIONS / dose_syr_units


def doses_by_content(solution_ml: Fraction, residual_ml: Fraction, per_draw_ml: Fraction) -> int:
    """Full doses the vial yields, spec §3.2: ``floor((solution_ml − residual_ml) / per_draw_ml)``.

    Parameters: solution_ml [mL], residual_ml [mL] (cannot be withdrawn), per_draw_ml [mL]
    (dose plus syringe dead space, §2.3). Returns a count [doses].

    >>> doses_by_content(Fraction(5), Fraction(1, 10), Fraction(1, 4))
    19
    """
    return math.floor((solution_ml - residual_ml) / per_draw_ml)


def whole_mark_diluent_ml(
    k: int,
    graduation_units: Fraction,
    vial_iu: Fraction,
    dose_iu: Fraction,
    units_per_ml: Fraction,
    displacement_ml: Fraction = Fraction(0),
) -> Fraction:
    """Diluent volume that puts the dose on mark ``k`` (spec §2.2, §3.3).

    ``V = k · g · vial_iu / (dose_iu · s) − displacement_ml``; ``k·g`` is then the syringe reading.
    Inputs: g [unit], vial_iu [IU], dose_iu [IU], s [unit/mL], displacement [mL]; returns [mL].

    >>> whole_mark_diluent_ml(1, Fraction(1), Fraction(5000), Fraction(250), Fraction(100))
    Fraction(1, 5)
    """
    return k * graduation_units * vial_iu / (dose_iu * units_per_ml) - displacement_ml


# --------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """A syringe mark near the dose: reading [unit], volume [mL], delivered IU, error ratio."""

    units: Fraction
    ml: Fraction
    delivered_iu: Fraction
    error: Fraction


def _r(x: Fraction, dp: int) -> float:
    return float(round_half_up(x, dp))


def _exact(x: Fraction) -> str:
    return str(x)


@dataclass(frozen=True)
class MixResult:
    """Everything spec §3.2 derives from one vial, diluent volume, dose and syringe (exact values).

    Attributes hold exact :class:`~fractions.Fraction` values; :meth:`formatted` gives display strings
    (IU 1 dp, mL 3 dp, units 1 dp) and :meth:`to_dict` the flat JSON record.
    """

    vial_iu: Fraction
    diluent_ml: Fraction
    dose_iu: Fraction
    syringe: Syringe
    dead_space_ml: Fraction
    residual_ml: Fraction
    displacement_ml: Fraction
    vial_capacity_ml: Fraction
    diluent: Diluent
    preset: Preset | None
    solution_ml: Fraction
    concentration_iu_per_ml: Fraction
    iu_per_syringe_unit: Fraction
    dose_ml: Fraction
    syringe_units: Fraction
    on_graduation: bool
    lower_mark: Mark
    upper_mark: Mark
    nearest_mark: Mark
    rel_read_err: Fraction
    fills: int
    per_draw_ml: Fraction
    doses_per_vial: int
    raw_doses: Fraction
    remainder_iu: Fraction
    remainder_ml: Fraction
    dead_space_loss_iu: Fraction
    residual_loss_iu: Fraction
    leftover_iu: Fraction
    potency_low_iu: Fraction
    potency_high_iu: Fraction
    suggested_syringe: str | None
    notices: tuple[Notice, ...]

    @property
    def doses_by_content(self) -> int:
        """Alias of :attr:`doses_per_vial` (the spec's name)."""
        return self.doses_per_vial

    def label_line(self, mixed: date | None = None, discard: date | None = None) -> str:
        """Printable vial label (spec §4.2), e.g. ``hCG 5,000 IU + 5.0 mL bacteriostatic water =
        1,000 IU/mL = 10 IU per U-100 unit | mixed 2025-01-06 | discard 2025-02-05``."""
        s = self.syringe
        if s.scale == "mL":
            per = f"{fmt_label_iu(self.concentration_iu_per_ml * s.ml_per_graduation)} IU per "
            per += f"{fmt_label_ml(s.ml_per_graduation)} mL"
        else:
            per = f"{fmt_label_iu(self.iu_per_syringe_unit)} IU per {s.scale} unit"
        line = (
            f"hCG {fmt_label_iu(self.vial_iu)} IU + {fmt_label_ml(self.diluent_ml)} mL "
            f"{self.diluent} = {fmt_label_iu(self.concentration_iu_per_ml)} IU/mL = {per}"
        )
        if mixed is not None:
            line += f" | mixed {mixed.isoformat()}"
        if discard is not None:
            line += f" | discard {discard.isoformat()}"
        return line

    def draw_line(self) -> str:
        """E.g. ``Draw 25.0 units (0.250 mL) on a U-100 syringe``."""
        s = self.syringe
        if s.scale == "mL":
            return f"Draw {fmt_ml(self.dose_ml)} mL on a {s.scale_name}"
        return f"Draw {s.format_amount(self.syringe_units)} ({fmt_ml(self.dose_ml)} mL) on a {s.scale_name}"

    def formatted(self) -> dict[str, str]:
        """Display strings with units (IU 1 dp, mL 3 dp, units 1 dp; spec §6)."""
        s = self.syringe
        return {
            "concentration": f"{fmt_iu(self.concentration_iu_per_ml)} IU/mL",
            "iu_per_syringe_unit": (
                f"{fmt_iu(self.iu_per_syringe_unit)} IU per mL"
                if s.scale == "mL"
                else f"{fmt_iu(self.iu_per_syringe_unit)} IU per {s.scale} unit"
            ),
            "dose": f"{fmt_iu(self.dose_iu)} IU",
            "dose_ml": f"{fmt_ml(self.dose_ml)} mL",
            "syringe_units": f"{s.format_amount(self.syringe_units)} on a {s.scale_name}",
            "draw": self.draw_line(),
            "on_graduation": "yes" if self.on_graduation else "no (between marks)",
            "nearest_mark": (
                f"{s.format_amount(self.nearest_mark.units)} = "
                f"{fmt_iu(self.nearest_mark.delivered_iu)} IU "
                f"({fmt_pct(self.nearest_mark.error, signed=True)}%)"
            ),
            "reading_precision": (
                f"±{_half_graduation(s)} = ±{fmt_pct(self.rel_read_err)}% of the dose"
            ),
            "fills": f"{self.fills} fill{'s' if self.fills != 1 else ''}",
            "doses_per_vial": f"{self.doses_per_vial} doses",
            "raw_doses": f"{fmt_fixed(self.raw_doses, 2)} doses (theoretical)",
            "remainder": f"{fmt_iu(self.remainder_iu)} IU ({fmt_ml(self.remainder_ml)} mL)",
            "potency_band": f"{fmt_iu(self.potency_low_iu)}–{fmt_iu(self.potency_high_iu)} IU",
            "label": self.label_line(),
        }

    def to_dict(self) -> dict[str, Any]:
        """Flat JSON record: numbers rounded as spec §6 says, ``*_exact`` keys hold fractions."""
        s = self.syringe
        units_dp = 3 if s.scale == "mL" else 1
        d: dict[str, Any] = {
            "preset": self.preset.key if self.preset else None,
            "vial_iu": _r(self.vial_iu, 1),
            "diluent_ml": _r(self.diluent_ml, 3),
            "diluent": self.diluent,
            "dose_iu": _r(self.dose_iu, 1),
            "syringe": s.key,
            "syringe_scale": s.scale,
            "graduation_units": _r(s.graduation_units, 3),
            "dead_space_ml": _r(self.dead_space_ml, 3),
            "residual_ml": _r(self.residual_ml, 3),
            "displacement_ml": _r(self.displacement_ml, 3),
            "vial_capacity_ml": _r(self.vial_capacity_ml, 3),
            "solution_ml": _r(self.solution_ml, 3),
            "concentration_iu_per_ml": _r(self.concentration_iu_per_ml, 1),
            "iu_per_syringe_unit": _r(self.iu_per_syringe_unit, 1),
            "dose_ml": _r(self.dose_ml, 3),
            "syringe_units": _r(self.syringe_units, units_dp),
            "on_graduation": self.on_graduation,
            "lower_mark_units": _r(self.lower_mark.units, units_dp),
            "lower_mark_delivered_iu": _r(self.lower_mark.delivered_iu, 1),
            "lower_mark_error_pct": _r(self.lower_mark.error * 100, 1),
            "upper_mark_units": _r(self.upper_mark.units, units_dp),
            "upper_mark_delivered_iu": _r(self.upper_mark.delivered_iu, 1),
            "upper_mark_error_pct": _r(self.upper_mark.error * 100, 1),
            "nearest_mark_units": _r(self.nearest_mark.units, units_dp),
            "nearest_mark_delivered_iu": _r(self.nearest_mark.delivered_iu, 1),
            "nearest_mark_error_pct": _r(self.nearest_mark.error * 100, 1),
            "rel_read_err_pct": _r(self.rel_read_err * 100, 1),
            "rel_read_err": _r(self.rel_read_err, 4),
            "fills": self.fills,
            "per_draw_ml": _r(self.per_draw_ml, 3),
            "doses_per_vial": self.doses_per_vial,
            "doses_by_content": self.doses_per_vial,
            "raw_doses": _r(self.raw_doses, 2),
            "remainder_iu": _r(self.remainder_iu, 1),
            "remainder_ml": _r(self.remainder_ml, 3),
            "dead_space_loss_iu": _r(self.dead_space_loss_iu, 1),
            "residual_loss_iu": _r(self.residual_loss_iu, 1),
            "leftover_iu": _r(self.leftover_iu, 1),
            "potency_low_iu": _r(self.potency_low_iu, 1),
            "potency_high_iu": _r(self.potency_high_iu, 1),
            "suggested_syringe": self.suggested_syringe,
            "label_line": self.label_line(),
            "draw": self.draw_line(),
            "concentration_iu_per_ml_exact": _exact(self.concentration_iu_per_ml),
            "iu_per_syringe_unit_exact": _exact(self.iu_per_syringe_unit),
            "dose_ml_exact": _exact(self.dose_ml),
            "syringe_units_exact": _exact(self.syringe_units),
            "rel_read_err_exact": _exact(self.rel_read_err),
            "remainder_iu_exact": _exact(self.remainder_iu),
        }
        return d


def _half_graduation(s: Syringe) -> str:
    half = s.graduation_units * READ_ERROR_GRADUATIONS
    text = fmt_fixed(half, 3, thousands=False).rstrip("0").rstrip(".")
    return f"{text} mL" if s.scale == "mL" else f"{text} unit"


# --------------------------------------------------------------------------------------------------
# Input resolution and validation (spec §5)
# --------------------------------------------------------------------------------------------------


def with_graduation(s: Syringe, graduation_units: Fraction) -> Syringe:
    """The syringe with another smallest graduation [unit] (spec §7 item 3: U-40 graduations vary).

    The graduation must be positive and divide the capacity into at most 1,000 marks.

    >>> with_graduation(get_syringe("u40-1.0"), Fraction(1, 2)).ml_per_graduation
    Fraction(1, 80)
    """
    marks = s.capacity_units / graduation_units if graduation_units > 0 else Fraction(0)
    if graduation_units <= 0 or marks.denominator != 1 or marks > 1000:
        raise InputError(
            f"`graduation_units` must be a positive fraction of the {s.format_amount(s.capacity_units)} "
            f"capacity that divides it into at most 1,000 marks (got {graduation_units}).",
            field="graduation_units",
            value=str(graduation_units),
        )
    return replace(s, graduation_units=graduation_units)


@dataclass(frozen=True)
class _Inputs:
    preset: Preset | None
    vial_iu: Fraction
    dose_iu: Fraction
    syringe: Syringe
    dead_space_ml: Fraction
    residual_ml: Fraction
    displacement_ml: Fraction
    vial_capacity_ml: Fraction
    diluent: Diluent
    diluent_ml: Fraction | None = None
    diluent_raw: object = None


def _prefilled_error() -> HcgInputError:
    return HcgInputError(
        "E_PREFILLED_SINGLE_USE",
        "preset",
        CATALOGUE["E_PREFILLED_SINGLE_USE"].template,
        value="ovidrel-250mcg",
    )


def _resolve(
    *,
    vial_iu: Number | None,
    dose_iu: Number | None,
    syringe: str | Syringe,
    preset: str | Preset | None,
    dead_space_ml: Number,
    residual_ml: Number,
    displacement_ml: Number,
    vial_capacity_ml: Number | None,
    diluent: str | None,
    prefilled: bool,
    with_diluent: bool = False,
    diluent_ml: Number | None = None,
    graduation_units: Number | None = None,
) -> _Inputs:
    """Parse and validate in the order of the spec §5 catalogue (first failure wins)."""
    p = get_preset(preset)
    if prefilled or (p is not None and p.prefilled):
        raise _prefilled_error()
    syr = get_syringe(syringe)
    if graduation_units is not None:
        syr = with_graduation(syr, parse_number(graduation_units, "graduation_units"))
    kind: Diluent = (
        normalize_diluent(diluent)
        if diluent is not None
        else (p.diluent if p is not None and p.diluent is not None else DEFAULT_DILUENT)
    )
    if vial_iu is None and p is not None and p.vial_iu is not None:
        vial = p.vial_iu
    else:
        vial, _ = parse_amount(vial_iu, "vial_iu")
    volume: Fraction | None = None
    volume_raw: object = diluent_ml
    if with_diluent:
        if diluent_ml is None and p is not None and p.label_diluent_ml is not None:
            volume = p.label_diluent_ml
            volume_raw = str(volume)
        else:
            volume = parse_number(diluent_ml, "diluent_ml")
    dose, _ = parse_amount(dose_iu, "dose_iu")
    dead = parse_number(dead_space_ml, "dead_space_ml")
    residual = parse_number(residual_ml, "residual_ml")
    displacement = parse_number(displacement_ml, "displacement_ml")
    if vial_capacity_ml is not None:
        capacity = parse_number(vial_capacity_ml, "vial_capacity_ml")
    elif p is not None and p.vial_capacity_ml is not None:
        capacity = p.vial_capacity_ml
    else:
        capacity = DEFAULT_VIAL_CAPACITY_ML
    if vial <= 0:
        raise HcgInputError(
            "E_VIAL_NOT_POSITIVE",
            "vial_iu",
            f"Vial strength must be greater than 0 IU (vial_iu = {vial_iu}).",
            value=vial_iu,
        )
    if volume is not None and volume <= 0:
        raise HcgInputError(
            "E_DILUENT_NOT_POSITIVE",
            "diluent_ml",
            "Diluent volume must be greater than 0 mL — you cannot draw doses from dry powder "
            f"(diluent_ml = {volume_raw}).",
            value=volume_raw,
        )
    if dose <= 0:
        raise HcgInputError(
            "E_DOSE_NOT_POSITIVE",
            "dose_iu",
            f"Dose must be greater than 0 IU (dose_iu = {dose_iu}).",
            value=dose_iu,
        )
    if dose > vial:
        raise HcgInputError(
            "E_DOSE_EXCEEDS_VIAL",
            "dose_iu",
            f"A {fmt_iu(dose)} IU dose is larger than the whole {fmt_iu(vial)} IU vial.",
            value=dose_iu,
        )
    for name, value, raw in (
        ("dead_space_ml", dead, dead_space_ml),
        ("residual_ml", residual, residual_ml),
        ("displacement_ml", displacement, displacement_ml),
    ):
        if value < 0:
            raise HcgInputError(
                "E_NEGATIVE_LOSS",
                name,
                f"`{name}` cannot be negative (got {raw}); enter 0 mL or more.",
                value=raw,
            )
    if capacity <= 0:
        raise HcgInputError(
            "E_DILUENT_EXCEEDS_VIAL_CAPACITY",
            "vial_capacity_ml",
            f"Vial capacity must be greater than 0 mL (vial_capacity_ml = {vial_capacity_ml}).",
            value=vial_capacity_ml,
        )
    inp = _Inputs(
        p, vial, dose, syr, dead, residual, displacement, capacity, kind, volume, volume_raw
    )
    if volume is not None:
        _check_diluent(inp, volume, volume_raw)
    return inp


def _check_diluent(inp: _Inputs, diluent_ml: Fraction, raw: object) -> None:
    if diluent_ml <= 0:
        raise HcgInputError(
            "E_DILUENT_NOT_POSITIVE",
            "diluent_ml",
            "Diluent volume must be greater than 0 mL — you cannot draw doses from dry powder "
            f"(diluent_ml = {raw}).",
            value=raw,
        )
    total = diluent_ml + inp.displacement_ml
    if total > inp.vial_capacity_ml:
        cap = fmt_label_ml(inp.vial_capacity_ml)
        raise HcgInputError(
            "E_DILUENT_EXCEEDS_VIAL_CAPACITY",
            "diluent_ml",
            f"{fmt_label_ml(total)} mL will not fit in a {cap} mL vial; maximum is {cap} mL.",
            value=raw,
        )


def _below_resolution(inp: _Inputs, units: Fraction) -> HcgInputError:
    s = inp.syringe
    g = s.graduation_units
    v_min = whole_mark_diluent_ml(
        1, g, inp.vial_iu, inp.dose_iu, s.units_per_ml, inp.displacement_ml
    )
    word = "mL" if s.scale == "mL" else "unit"
    unit_word = "mL" if s.scale == "mL" else "units"
    g_text = s.format_number(g)
    hint = (
        f" ({fmt_label_ml(v_min + inp.displacement_ml)} mL is more than the "
        f"{fmt_label_ml(inp.vial_capacity_ml)} mL vial holds)"
        if v_min + inp.displacement_ml > inp.vial_capacity_ml
        else ""
    )
    return HcgInputError(
        "E_DOSE_BELOW_RESOLUTION",
        "dose_iu",
        f"{s.format_number(units)} {unit_word} is smaller than one mark ({g_text} {word}) on this "
        f"syringe — it cannot be measured. Use more diluent (≥{fmt_label_ml(v_min)} mL gives "
        f"{g_text} {unit_word}){hint} or a finer syringe.",
        value=str(units),
    )


def _try_volume(inp: _Inputs, diluent_ml: Fraction) -> Fraction | None:
    """W_OFF_GRADUATION's "Try V mL": nearest whole-mark volume, measurable volumes first [A]."""
    s = inp.syringe
    step = whole_mark_diluent_ml(1, s.graduation_units, inp.vial_iu, inp.dose_iu, s.units_per_ml)
    k_max = math.floor(inp.vial_capacity_ml / step)
    k_min = math.floor(inp.displacement_ml / step) + 1
    if k_max < k_min:
        return None
    k_star = math.floor((diluent_ml + inp.displacement_ml) / step)
    window = range(max(k_min, k_star - 400), min(k_max, k_star + 401) + 1)
    candidates = [k * step - inp.displacement_ml for k in window]
    candidates = [v for v in candidates if v > 0] or [k_min * step - inp.displacement_ml]
    nice = [v for v in candidates if (v / _MEASURABLE_ML).denominator == 1]
    pool = nice or candidates
    return min(pool, key=lambda v: (abs(v - diluent_ml), v))


def _compute(inp: _Inputs, diluent_ml: Fraction, raw_diluent: object) -> MixResult:
    _check_diluent(inp, diluent_ml, raw_diluent)
    s = inp.syringe
    solution = diluent_ml + inp.displacement_ml
    conc = inp.vial_iu / solution
    iu_per_unit = conc / s.units_per_ml
    dose_ml = inp.dose_iu / conc
    units = dose_ml * s.units_per_ml
    per_draw = dose_ml + inp.dead_space_ml
    usable = solution - inp.residual_ml
    n = doses_by_content(solution, inp.residual_ml, per_draw) if usable > 0 else 0
    if n < 1:
        raise HcgInputError(
            "E_DOSE_EXCEEDS_VIAL",
            "dose_iu",
            f"A {fmt_iu(inp.dose_iu)} IU dose needs {fmt_ml(per_draw)} mL per draw, more than the "
            f"{fmt_ml(max(usable, Fraction(0)))} mL that can be withdrawn from the vial "
            f"({fmt_label_ml(solution)} mL minus {fmt_ml(inp.residual_ml)} mL residual).",
            value=str(inp.dose_iu),
        )
    g = s.graduation_units
    if units < g:
        raise _below_resolution(inp, units)

    steps = units / g
    on_grad = steps.denominator == 1

    def mark(reading: Fraction) -> Mark:
        delivered = reading * iu_per_unit
        return Mark(
            reading, reading / s.units_per_ml, delivered, (delivered - inp.dose_iu) / inp.dose_iu
        )

    lower = mark(math.floor(steps) * g)
    upper = mark(math.ceil(steps) * g)
    nearest = lower if abs(lower.error) <= abs(upper.error) else upper
    rel = read_error(g, units)
    fills = math.ceil(units / s.capacity_units)
    remainder = inp.vial_iu - n * inp.dose_iu
    dead_loss = n * inp.dead_space_ml * conc
    residual_loss = inp.residual_ml * conc
    leftover = (usable - n * per_draw) * conc
    if dead_loss + residual_loss + leftover != remainder:  # pragma: no cover - identity check
        raise AssertionError("remainder split does not add up")
    rec = recommend_syringe(dose_ml)

    notes: list[Notice] = []
    u_text = s.format_number(units)
    if s.scale == "U-40":
        notes.append(notice("W_SYRINGE_SCALE", CATALOGUE["W_SYRINGE_SCALE"].template))
    if not on_grad:
        v_try = _try_volume(inp, diluent_ml)
        try_text = (
            f" Try {fmt_label_ml(v_try)} mL diluent for an exact mark."
            if v_try is not None
            else f" No diluent volume up to {fmt_label_ml(inp.vial_capacity_ml)} mL puts this dose "
            "on a mark; use a finer syringe."
        )
        notes.append(
            notice(
                "W_OFF_GRADUATION",
                f"{u_text} {s.unit_word} falls between marks. {s.format_number(lower.units)} "
                f"{s.unit_word} = {fmt_iu(lower.delivered_iu)} IU "
                f"({fmt_pct(lower.error, signed=True)}%), {s.format_number(upper.units)} "
                f"{s.unit_word} = {fmt_iu(upper.delivered_iu)} IU "
                f"({fmt_pct(upper.error, signed=True)}%).{try_text}",
                units=units,
                lower_units=lower.units,
                upper_units=upper.units,
                try_diluent_ml=v_try,
            )
        )
    if rel > PRECISION_WARNING_FRACTION:
        notes.append(
            notice(
                "W_LOW_PRECISION",
                f"Reading error up to ±{_half_graduation(s)} = ±{fmt_pct(rel)}% of this dose. "
                "Use a finer syringe or more diluent.",
                rel_read_err=rel,
            )
        )
    if fills > 1:
        notes.append(
            notice(
                "W_EXCEEDS_SYRINGE_CAPACITY",
                f"Dose needs {u_text} {s.unit_word} but this syringe holds "
                f"{s.format_number(s.capacity_units)}; use a larger barrel or {fills} fills.",
                fills=fills,
            )
        )
    if inp.dead_space_ml / dose_ml > DEAD_SPACE_WARNING_FRACTION:
        without = doses_by_content(solution, inp.residual_ml, dose_ml)
        notes.append(
            notice(
                "W_DEAD_SPACE_LOSS",
                f"Dead space wastes {fmt_iu(inp.dead_space_ml * conc)} IU per injection "
                f"({fmt_pct(inp.dead_space_ml / dose_ml)}% of each dose); doses per vial drop "
                f"from {without} to {n}.",
                iu_per_injection=inp.dead_space_ml * conc,
                doses_without_dead_space=without,
            )
        )
    if inp.diluent in PRESERVATIVE_FREE_DILUENTS and n > 1:
        notes.append(preservative_free_notice(inp.preset))
    if remainder > 0:
        notes.append(
            notice(
                "I_PARTIAL_REMAINDER",
                f"{fmt_iu(remainder)} IU ({fmt_ml(remainder / conc)} mL) left after {n} full doses.",
                remainder_iu=remainder,
            )
        )
    low, high = inp.dose_iu * POTENCY_LOW_FRACTION, inp.dose_iu * POTENCY_HIGH_FRACTION
    notes.append(
        notice(
            "I_POTENCY_BAND",
            f"USP allows 80–125 % of labelled potency: {fmt_iu(low)}–{fmt_iu(high)} IU per "
            "nominal dose.",
            low_iu=low,
            high_iu=high,
        )
    )
    if inp.preset is not None and inp.preset.us_label:
        notes.append(notice("I_LABEL_ROUTE", CATALOGUE["I_LABEL_ROUTE"].template))

    return MixResult(
        vial_iu=inp.vial_iu,
        diluent_ml=diluent_ml,
        dose_iu=inp.dose_iu,
        syringe=s,
        dead_space_ml=inp.dead_space_ml,
        residual_ml=inp.residual_ml,
        displacement_ml=inp.displacement_ml,
        vial_capacity_ml=inp.vial_capacity_ml,
        diluent=inp.diluent,
        preset=inp.preset,
        solution_ml=solution,
        concentration_iu_per_ml=conc,
        iu_per_syringe_unit=iu_per_unit,
        dose_ml=dose_ml,
        syringe_units=units,
        on_graduation=on_grad,
        lower_mark=lower,
        upper_mark=upper,
        nearest_mark=nearest,
        rel_read_err=rel,
        fills=fills,
        per_draw_ml=per_draw,
        doses_per_vial=n,
        raw_doses=inp.vial_iu / inp.dose_iu,
        remainder_iu=remainder,
        remainder_ml=remainder / conc,
        dead_space_loss_iu=dead_loss,
        residual_loss_iu=residual_loss,
        leftover_iu=leftover,
        potency_low_iu=low,
        potency_high_iu=high,
        suggested_syringe=rec.key if rec is not None else None,
        notices=sort_notices(notes),
    )


def preservative_free_notice(preset: Preset | None) -> Notice:
    """W_PRESERVATIVE_FREE_DILUENT, naming the preset's label BUD when it has one."""
    bud = (
        f"{preset.bud_days}-day"
        if preset is not None and preset.bud_days is not None
        else "beyond-use"
    )
    return notice(
        "W_PRESERVATIVE_FREE_DILUENT",
        f"Preservative-free diluent is meant for single use; the label's {bud} limit assumes the "
        "supplied bacteriostatic diluent.",
    )


# --------------------------------------------------------------------------------------------------
# Public calculators
# --------------------------------------------------------------------------------------------------


def mix(
    vial_iu: Number | None = None,
    diluent_ml: Number | None = None,
    dose_iu: Number | None = None,
    syringe: str | Syringe = DEFAULT_SYRINGE,
    *,
    preset: str | Preset | None = None,
    dead_space_ml: Number = 0,
    residual_ml: Number = 0,
    displacement_ml: Number = 0,
    vial_capacity_ml: Number | None = None,
    diluent: str | None = None,
    prefilled: bool = False,
    graduation_units: Number | None = None,
) -> MixResult:
    """Concentration, syringe reading, marks, precision and doses per vial (spec §3.2).

    Parameters
    ----------
    vial_iu
        Vial strength [IU] (= USP units, [S13]); from the preset when omitted. Text may carry a unit
        ("5000 IU", "5000 USP units"); a mass unit is rejected (E_MASS_UNIT_FOR_URINARY_HCG).
    diluent_ml
        Diluent added [mL]; the preset's label volume when omitted.
    dose_iu
        Dose per injection [IU].
    syringe
        Catalogue key (spec §2.1) or a :class:`~endolab.hcg.syringes.Syringe`; default
        ``u100-0.3`` (spec §6 shared default).
    preset
        Product preset key (spec §1.3); fills vial strength, label diluent volume, capacity, diluent.
    dead_space_ml, residual_ml, displacement_ml
        Syringe dead space per draw, vial residual, powder displacement [mL]; default 0 (spec §2.3).
    vial_capacity_ml
        Vial capacity [mL]; preset value, else 10 mL [A].
    diluent
        Diluent type (bacteriostatic water, benzyl-alcohol solvent, sterile water, saline).
    prefilled
        ``True`` for a prefilled syringe product: always E_PREFILLED_SINGLE_USE.
    graduation_units
        Override of the syringe's smallest graduation [unit] (spec §7 item 3), e.g. 0.5 for a
        half-unit U-40 barrel.

    Returns
    -------
    MixResult
        Exact values, formatted strings, and W_/I_ notices.

    Raises
    ------
    HcgInputError
        With an ``E_…`` code of spec §5 (``E_NOT_A_NUMBER`` as :class:`HcgParseError`).

    Examples
    --------
    Spec T05: 5,000 IU in 3 mL, 250 IU is exactly 15 units (a float gives 15.000000000000002):

    >>> r = mix("5000", "3", "250")
    >>> r.syringe_units, r.on_graduation, r.formatted()["concentration"]
    (Fraction(15, 1), True, '1,666.7 IU/mL')
    """
    inp = _resolve(
        vial_iu=vial_iu,
        dose_iu=dose_iu,
        syringe=syringe,
        preset=preset,
        dead_space_ml=dead_space_ml,
        residual_ml=residual_ml,
        displacement_ml=displacement_ml,
        vial_capacity_ml=vial_capacity_ml,
        diluent=diluent,
        prefilled=prefilled,
        graduation_units=graduation_units,
        with_diluent=True,
        diluent_ml=diluent_ml,
    )
    assert inp.diluent_ml is not None
    return _compute(inp, inp.diluent_ml, inp.diluent_raw)


@dataclass(frozen=True)
class ReverseResult:
    """Reverse mode (spec §3.3): the diluent volume [mL] giving ``target_units`` per dose."""

    target_units: Fraction
    diluent_ml: Fraction
    mix: MixResult

    @property
    def notices(self) -> tuple[Notice, ...]:
        """Notices of the resulting mix."""
        return self.mix.notices

    def to_dict(self) -> dict[str, Any]:
        """Flat JSON record: the mix record plus ``target_units`` and the exact diluent volume."""
        d = self.mix.to_dict()
        d["target_units"] = _r(self.target_units, 3 if self.mix.syringe.scale == "mL" else 1)
        d["diluent_ml_exact"] = _exact(self.diluent_ml)
        return d


def reverse(
    vial_iu: Number | None = None,
    dose_iu: Number | None = None,
    units: Number | None = None,
    syringe: str | Syringe = DEFAULT_SYRINGE,
    *,
    preset: str | Preset | None = None,
    dead_space_ml: Number = 0,
    residual_ml: Number = 0,
    displacement_ml: Number = 0,
    vial_capacity_ml: Number | None = None,
    diluent: str | None = None,
    prefilled: bool = False,
    graduation_units: Number | None = None,
) -> ReverseResult:
    """Diluent volume for a target syringe reading (spec §3.3).

    ``diluent_ml = target_syr_units · vial_iu / (dose_iu · units_per_ml) − displacement_ml``, checked
    against the vial capacity (equal is allowed). ``units`` is the target reading [unit] on the
    chosen syringe (mL on the tuberculin syringe). The volume is exact; a volume such as 1/3 mL is
    shown as 0.333 mL. Other parameters as :func:`mix`.

    >>> reverse("5000", "250", "25").diluent_ml, reverse("5000", "250", "10", "u40-1.0").diluent_ml
    (Fraction(5, 1), Fraction(5, 1))
    """
    inp = _resolve(
        vial_iu=vial_iu,
        dose_iu=dose_iu,
        syringe=syringe,
        preset=preset,
        dead_space_ml=dead_space_ml,
        residual_ml=residual_ml,
        displacement_ml=displacement_ml,
        vial_capacity_ml=vial_capacity_ml,
        diluent=diluent,
        prefilled=prefilled,
        graduation_units=graduation_units,
    )
    target = parse_number(units, "units")
    s = inp.syringe
    if target < s.graduation_units:
        raise _below_resolution(inp, target)
    volume = target * inp.vial_iu / (inp.dose_iu * s.units_per_ml) - inp.displacement_ml
    if volume <= 0:
        raise HcgInputError(
            "E_DILUENT_NOT_POSITIVE",
            "diluent_ml",
            f"A {s.format_amount(target)} draw would need {fmt_ml(volume)} mL of diluent after "
            f"{fmt_ml(inp.displacement_ml)} mL powder displacement; diluent volume must be greater "
            "than 0 mL.",
            value=str(volume),
        )
    if volume + inp.displacement_ml > inp.vial_capacity_ml:
        cap = fmt_label_ml(inp.vial_capacity_ml)
        at_cap = (inp.vial_capacity_ml * inp.dose_iu / inp.vial_iu) * s.units_per_ml
        raise HcgInputError(
            "E_DILUENT_EXCEEDS_VIAL_CAPACITY",
            "units",
            f"{fmt_label_ml(volume + inp.displacement_ml)} mL will not fit in a {cap} mL vial; "
            f"maximum is {cap} mL. At the {cap} mL maximum the dose is "
            f"{s.format_amount(at_cap)}.",
            value=units,
        )
    return ReverseResult(target, volume, _compute(inp, volume, str(volume)))


@dataclass(frozen=True)
class Suggestion:
    """One ranked diluent option (spec §3.3) with its full mix result."""

    rank: int
    diluent_ml: Fraction
    mix: MixResult

    def to_dict(self) -> dict[str, Any]:
        """Flat record of the option (V, units, IU/unit, mL/dose, doses/vial, label)."""
        m = self.mix
        return {
            "rank": self.rank,
            "diluent_ml": _r(self.diluent_ml, 3),
            "syringe_units": _r(m.syringe_units, 3 if m.syringe.scale == "mL" else 1),
            "on_graduation": m.on_graduation,
            "rel_read_err_pct": _r(m.rel_read_err * 100, 1),
            "iu_per_syringe_unit": _r(m.iu_per_syringe_unit, 1),
            "dose_ml": _r(m.dose_ml, 3),
            "doses_per_vial": m.doses_per_vial,
            "fills": m.fills,
            "label_line": m.label_line(),
        }


@dataclass(frozen=True)
class SuggestResult:
    """Ranked diluent options (best first) and notices about the search."""

    suggestions: tuple[Suggestion, ...]
    notices: tuple[Notice, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON record: the options and the notices."""
        return {
            "suggestions": [s.to_dict() for s in self.suggestions],
            "notices": [n.as_dict() for n in self.notices],
        }


def suggestion_key(m: MixResult) -> tuple[bool, bool, bool, Fraction, Fraction]:
    """Ranking key of spec §3.3, ascending: off-mark, imprecise, non-integer IU/unit, error, V."""
    return (
        not m.on_graduation,
        not (m.rel_read_err <= PRECISION_WARNING_FRACTION),
        m.iu_per_syringe_unit.denominator != 1,
        m.rel_read_err,
        m.diluent_ml,
    )


def suggest_diluent(
    vial_iu: Number | None = None,
    dose_iu: Number | None = None,
    syringe: str | Syringe = DEFAULT_SYRINGE,
    *,
    preset: str | Preset | None = None,
    min_ml: Number | None = None,
    max_ml: Number | None = None,
    step_ml: Number = _DEFAULT_STEP_ML,
    top: int = _DEFAULT_TOP,
    allow_multi_fill: bool = False,
    dead_space_ml: Number = 0,
    residual_ml: Number = 0,
    displacement_ml: Number = 0,
    vial_capacity_ml: Number | None = None,
    diluent: str | None = None,
    prefilled: bool = False,
    frequency: Frequency | None = None,
    bud_days: Number | None = None,
    graduation_units: Number | None = None,
) -> SuggestResult:
    """Rank diluent volumes for a dose on a syringe (spec §3.3).

    Enumerates ``V = min_ml, min_ml + step_ml, …`` up to ``max_ml`` (default: vial capacity minus
    displacement) [mL]; keeps ``1 graduation ≤ dose_syr_units ≤ capacity`` (multi-fill only with
    ``allow_multi_fill``); sorts by :func:`suggestion_key`; returns the best ``top``. Each option
    carries its full :class:`MixResult` (units, IU per unit, mL per dose, doses per vial, label).

    A dose below one graduation even at the largest volume raises E_DOSE_BELOW_RESOLUTION. When no
    volume fits the barrel in one fill, the result is empty with W_EXCEEDS_SYRINGE_CAPACITY.

    With a ``frequency`` (and ``bud_days`` or a preset BUD), a discard-date conflict of the best
    option is reported as W_BUD_CONFLICT with the note that no diluent volume fixes it (spec §3.3).

    >>> best = suggest_diluent("5000", "250").suggestions[0]
    >>> best.diluent_ml, best.mix.syringe_units
    (Fraction(5, 1), Fraction(25, 1))
    """
    inp = _resolve(
        vial_iu=vial_iu,
        dose_iu=dose_iu,
        syringe=syringe,
        preset=preset,
        dead_space_ml=dead_space_ml,
        residual_ml=residual_ml,
        displacement_ml=displacement_ml,
        vial_capacity_ml=vial_capacity_ml,
        diluent=diluent,
        prefilled=prefilled,
        graduation_units=graduation_units,
    )
    step = parse_number(step_ml, "step_ml")
    if step < _MIN_STEP_ML:
        raise InputError(
            f"step_ml must be at least {fmt_label_ml(_MIN_STEP_ML)} mL (got {step_ml}); "
            "usual steps are 0.5, 0.25 and 0.1 mL.",
            field="step_ml",
            value=step_ml,
        )
    lo = step if min_ml is None else parse_number(min_ml, "min_ml")
    hi_cap = inp.vial_capacity_ml - inp.displacement_ml
    hi = hi_cap if max_ml is None else min(parse_number(max_ml, "max_ml"), hi_cap)
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise InputError(f"top must be a whole number ≥ 1 (got {top!r}).", field="top", value=top)
    if lo <= 0:
        lo = step
    if lo > hi:
        raise InputError(
            f"min_ml ({fmt_label_ml(lo)} mL) is above the largest volume searched "
            f"({fmt_label_ml(hi)} mL: max_ml, or the vial capacity minus displacement).",
            field="min_ml",
            value=min_ml,
        )
    s = inp.syringe
    options: list[MixResult] = []
    too_big = 0
    rejected: HcgInputError | None = None
    count = math.floor((hi - lo) / step) + 1 if hi >= lo else 0
    if count > 100_000:
        raise InputError(
            f"{count} candidate volumes is too many; use a larger step_ml or a narrower range.",
            field="step_ml",
            value=step_ml,
        )
    for i in range(count):
        v = lo + i * step
        units = inp.dose_iu * s.units_per_ml * (v + inp.displacement_ml) / inp.vial_iu
        if units < s.graduation_units:
            continue
        if units > s.capacity_units and not allow_multi_fill:
            too_big += 1
            continue
        try:
            options.append(_compute(inp, v, str(v)))
        except HcgInputError as exc:
            rejected = exc  # e.g. no full draw fits after residual at this volume
    options.sort(key=suggestion_key)
    notes: list[Notice] = []
    if not options and too_big == 0 and rejected is not None:
        raise rejected
    if not options and too_big == 0:
        top_units = inp.dose_iu * s.units_per_ml * (max(hi, lo) + inp.displacement_ml) / inp.vial_iu
        raise _below_resolution(inp, top_units)
    if not options:
        notes.append(
            notice(
                "W_EXCEEDS_SYRINGE_CAPACITY",
                f"No diluent volume from {fmt_label_ml(lo)} to {fmt_label_ml(hi)} mL puts this dose "
                f"within one fill of this syringe ({s.format_amount(s.capacity_units)}); use a "
                "larger barrel or allow multiple fills.",
            )
        )
    chosen = tuple(Suggestion(i + 1, m.diluent_ml, m) for i, m in enumerate(options[:top]))
    if frequency is not None and chosen:
        from endolab.hcg.schedule import schedule  # local: schedule imports this module

        sched = schedule(chosen[0].mix, frequency, bud_days=bud_days)
        for n in sched.notices:
            if n.code == "W_BUD_CONFLICT":
                notes.append(
                    notice(
                        "W_BUD_CONFLICT",
                        f"{n.message} No diluent volume fixes this (the discard date does not "
                        "depend on the volume); only a smaller vial, a larger weekly use or a "
                        "shorter plan can.",
                        **dict(n.data),
                    )
                )
    return SuggestResult(chosen, sort_notices(notes))
