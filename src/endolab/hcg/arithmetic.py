"""The arithmetic of reconstitution (docs/methods/hcg.md §2–§3), exact and without text.

Formulas (docs/methods/hcg.md §3.2)::

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
    breakeven_weekly_iu = vial_iu * 7 / bud_days

:func:`mix_numbers` applies them to resolved inputs (:class:`endolab.hcg.inputs.MixInputs`) and
returns :class:`MixNumbers`; it never raises: a dose that does not fit (zero doses by content) or
is below one mark is reported by the calculator (:func:`endolab.hcg.mix`).

>>> from endolab.hcg.inputs import MixRequest, resolve_inputs
>>> inp = resolve_inputs(MixRequest(vial_iu="5000", dose_iu="250", syringe="u100-0.3"))
>>> n = mix_numbers(inp, Fraction(5))
>>> n.concentration_iu_per_ml, n.syringe_units, n.doses_per_vial
(Fraction(1000, 1), Fraction(25, 1), 20)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Final

from endolab.hcg.inputs import MixInputs
from endolab.hcg.products import Diluent, Preset
from endolab.hcg.syringes import Syringe, recommend_syringe

__all__ = [
    "DEAD_SPACE_WARNING_FRACTION",
    "MEASURABLE_ML",
    "POTENCY_HIGH_FRACTION",
    "POTENCY_LOW_FRACTION",
    "PRECISION_WARNING_FRACTION",
    "READ_ERROR_GRADUATIONS",
    "Mark",
    "MixNumbers",
    "breakeven_weekly_iu",
    "doses_by_content",
    "mix_numbers",
    "read_error",
    "try_volume",
    "whole_mark_diluent_ml",
]

#: Worst-case reading error as a fraction of one graduation [A] (docs/methods/hcg.md §2.2: half a graduation).
READ_ERROR_GRADUATIONS: Final = Fraction(1, 2)
#: W_LOW_PRECISION when the relative reading error is strictly above this [A] (docs/methods/hcg.md §2.3: 5 %,
#: configurable).
PRECISION_WARNING_FRACTION: Final = Fraction(5, 100)
#: W_DEAD_SPACE_LOSS when dead_space_ml / dose_ml is strictly above this (docs/methods/hcg.md §5: 10 %).
DEAD_SPACE_WARNING_FRACTION: Final = Fraction(10, 100)
#: USP potency limits for Chorionic Gonadotropin for Injection: 80.0–125.0 % of label [S14].
POTENCY_LOW_FRACTION: Final = Fraction(80, 100)
POTENCY_HIGH_FRACTION: Final = Fraction(125, 100)
#: Volumes that are a multiple of this are preferred in W_OFF_GRADUATION's "Try V mL" [A].
MEASURABLE_ML: Final = Fraction(1, 20)


def read_error(graduation_units: Fraction, dose_syr_units: Fraction) -> Fraction:
    """Worst-case relative reading error, docs/methods/hcg.md §2.2 [A]: ``(graduation / 2) / dose_syr_units``.

    Parameters: graduation_units [unit], dose_syr_units [unit]. Returns a ratio [1].

    >>> read_error(Fraction(1), Fraction(25)), read_error(Fraction(2), Fraction(10))
    (Fraction(1, 50), Fraction(1, 10))
    """
    return graduation_units * READ_ERROR_GRADUATIONS / dose_syr_units


def doses_by_content(solution_ml: Fraction, residual_ml: Fraction, per_draw_ml: Fraction) -> int:
    """Full doses the vial yields, docs/methods/hcg.md §3.2: ``floor((solution_ml − residual_ml) / per_draw_ml)``.

    Parameters: solution_ml [mL], residual_ml [mL] (cannot be withdrawn), per_draw_ml [mL]
    (dose plus syringe dead space, docs/methods/hcg.md §2.3). Returns a count [doses].

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
    """Diluent volume that puts the dose on mark ``k`` (docs/methods/hcg.md §2.2, §3.3).

    ``V = k · g · vial_iu / (dose_iu · s) − displacement_ml``; ``k·g`` is then the syringe reading.
    Inputs: g [unit], vial_iu [IU], dose_iu [IU], s [unit/mL], displacement [mL]; returns [mL].

    >>> whole_mark_diluent_ml(1, Fraction(1), Fraction(5000), Fraction(250), Fraction(100))
    Fraction(1, 5)
    """
    return k * graduation_units * vial_iu / (dose_iu * units_per_ml) - displacement_ml


def breakeven_weekly_iu(vial_iu: Fraction, bud_days: int) -> Fraction:
    """Weekly use that finishes a vial by its discard date, docs/methods/hcg.md §3.2: ``vial_iu · 7 / bud_days``.

    vial_iu [IU], bud_days [day] → [IU/week] (approximate: ignores dose granularity).

    >>> breakeven_weekly_iu(Fraction(5000), 30)
    Fraction(3500, 3)
    """
    return vial_iu * 7 / bud_days


@dataclass(frozen=True)
class Mark:
    """A syringe mark near the dose: reading [unit], volume [mL], delivered IU, error ratio."""

    units: Fraction
    ml: Fraction
    delivered_iu: Fraction
    error: Fraction


@dataclass(frozen=True)
class MixNumbers:
    """Everything docs/methods/hcg.md §3.2 derives from one vial, diluent volume, dose and syringe: numbers only.

    Exact :class:`~fractions.Fraction` values and the catalogue objects used; no text (the notices
    and display strings are added by :class:`endolab.hcg.MixResult`).
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


def try_volume(inp: MixInputs, diluent_ml: Fraction) -> Fraction | None:
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
    nice = [v for v in candidates if (v / MEASURABLE_ML).denominator == 1]
    pool = nice or candidates
    return min(pool, key=lambda v: (abs(v - diluent_ml), v))


def mix_numbers(inp: MixInputs, diluent_ml: Fraction) -> MixNumbers:
    """Every number of docs/methods/hcg.md §3.2 for ``diluent_ml`` [mL] added to the vial of ``inp``.

    Never raises: ``doses_per_vial`` may be 0 (no full draw fits) and ``syringe_units`` may be below
    one graduation; the calculator turns those into E_DOSE_EXCEEDS_VIAL and E_DOSE_BELOW_RESOLUTION.
    """
    s = inp.syringe
    solution = diluent_ml + inp.displacement_ml
    conc = inp.vial_iu / solution
    iu_per_unit = conc / s.units_per_ml
    dose_ml = inp.dose_iu / conc
    units = dose_ml * s.units_per_ml
    per_draw = dose_ml + inp.dead_space_ml
    usable = solution - inp.residual_ml
    n = max(doses_by_content(solution, inp.residual_ml, per_draw), 0) if usable > 0 else 0
    g = s.graduation_units
    steps = units / g

    def mark(reading: Fraction) -> Mark:
        delivered = reading * iu_per_unit
        return Mark(
            reading, reading / s.units_per_ml, delivered, (delivered - inp.dose_iu) / inp.dose_iu
        )

    lower = mark(math.floor(steps) * g)
    upper = mark(math.ceil(steps) * g)
    remainder = inp.vial_iu - n * inp.dose_iu
    dead_loss = n * inp.dead_space_ml * conc
    residual_loss = inp.residual_ml * conc
    leftover = (usable - n * per_draw) * conc
    if dead_loss + residual_loss + leftover != remainder:  # pragma: no cover - identity check
        raise AssertionError("remainder split does not add up")
    rec = recommend_syringe(dose_ml)
    return MixNumbers(
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
        on_graduation=steps.denominator == 1,
        lower_mark=lower,
        upper_mark=upper,
        nearest_mark=lower if abs(lower.error) <= abs(upper.error) else upper,
        rel_read_err=read_error(g, units),
        fills=math.ceil(units / s.capacity_units),
        per_draw_ml=per_draw,
        doses_per_vial=n,
        raw_doses=inp.vial_iu / inp.dose_iu,
        remainder_iu=remainder,
        remainder_ml=remainder / conc,
        dead_space_loss_iu=dead_loss,
        residual_loss_iu=residual_loss,
        leftover_iu=leftover,
        potency_low_iu=inp.dose_iu * POTENCY_LOW_FRACTION,
        potency_high_iu=inp.dose_iu * POTENCY_HIGH_FRACTION,
        suggested_syringe=rec.key if rec is not None else None,
    )
