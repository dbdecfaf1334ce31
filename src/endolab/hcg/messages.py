"""Notice and error builders of the hCG calculator: the text, from numbers computed elsewhere.

Every message a person reads about a mix or a schedule is written here (codes and severities come
from :data:`endolab.hcg.notices.CATALOGUE`); :mod:`endolab.hcg.arithmetic` computes the numbers.

* :func:`sort_notices` — warnings before information, each in catalogue order, one per code;
* :func:`mix_notices`, :func:`bud_notices`, :func:`preservative_free_notice` — W_/I_ notices;
* :func:`below_resolution_error`, :func:`draw_exceeds_vial_error` — ``E_…`` errors about a dose.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Final

from endolab.hcg._numbers import fmt_fixed, fmt_iu, fmt_label_ml, fmt_ml, fmt_pct
from endolab.hcg.arithmetic import (
    DEAD_SPACE_WARNING_FRACTION,
    PRECISION_WARNING_FRACTION,
    READ_ERROR_GRADUATIONS,
    MixNumbers,
    breakeven_weekly_iu,
    doses_by_content,
    try_volume,
    whole_mark_diluent_ml,
)
from endolab.hcg.inputs import MixInputs
from endolab.hcg.notices import CATALOGUE, HcgInputError, Notice, notice
from endolab.hcg.products import PRESERVATIVE_FREE_DILUENTS, Preset
from endolab.hcg.syringes import Syringe

__all__ = [
    "NOTICE_ORDER",
    "SEVERITY_ORDER",
    "below_resolution_error",
    "bud_notices",
    "draw_exceeds_vial_error",
    "half_graduation",
    "mix_notices",
    "preservative_free_notice",
    "sort_notices",
]

#: Position of every code in the catalogue (the display order within a severity).
NOTICE_ORDER: Final = {code: i for i, code in enumerate(CATALOGUE)}
#: Errors, then warnings, then information.
SEVERITY_ORDER: Final = {"E": 0, "W": 1, "I": 2}


def sort_notices(notices: list[Notice]) -> tuple[Notice, ...]:
    """Warnings before information, each in catalogue order; one notice per code."""
    seen: dict[str, Notice] = {}
    for n in notices:
        seen.setdefault(n.code, n)
    return tuple(
        sorted(seen.values(), key=lambda n: (SEVERITY_ORDER[n.severity], NOTICE_ORDER[n.code]))
    )


def half_graduation(s: Syringe) -> str:
    """Half a graduation with its word, the worst-case reading error: ``0.5 unit``, ``0.005 mL``."""
    half = s.graduation_units * READ_ERROR_GRADUATIONS
    text = fmt_fixed(half, 3, thousands=False).rstrip("0").rstrip(".")
    return f"{text} mL" if s.scale == "mL" else f"{text} unit"


def below_resolution_error(inp: MixInputs, units: Fraction) -> HcgInputError:
    """E_DOSE_BELOW_RESOLUTION for a reading ``units`` [unit] below one mark, with the fix."""
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


def draw_exceeds_vial_error(inp: MixInputs, n: MixNumbers) -> HcgInputError:
    """E_DOSE_EXCEEDS_VIAL when no full draw (dose + dead space) fits in the withdrawable volume."""
    usable = n.solution_ml - inp.residual_ml
    return HcgInputError(
        "E_DOSE_EXCEEDS_VIAL",
        "dose_iu",
        f"A {fmt_iu(inp.dose_iu)} IU dose needs {fmt_ml(n.per_draw_ml)} mL per draw, more than the "
        f"{fmt_ml(max(usable, Fraction(0)))} mL that can be withdrawn from the vial "
        f"({fmt_label_ml(n.solution_ml)} mL minus {fmt_ml(inp.residual_ml)} mL residual).",
        value=str(inp.dose_iu),
    )


def mix_notices(inp: MixInputs, n: MixNumbers) -> tuple[Notice, ...]:
    """The W_ and I_ notices of one mix (docs/methods/hcg.md §5), sorted (:func:`sort_notices`)."""
    s = inp.syringe
    units = n.syringe_units
    lower, upper = n.lower_mark, n.upper_mark
    rel = n.rel_read_err
    fills = n.fills
    dose_ml = n.dose_ml
    conc = n.concentration_iu_per_ml
    solution = n.solution_ml
    remainder = n.remainder_iu
    low, high = n.potency_low_iu, n.potency_high_iu
    on_grad = n.on_graduation
    notes: list[Notice] = []
    u_text = s.format_number(units)
    if s.scale == "U-40":
        notes.append(notice("W_SYRINGE_SCALE", CATALOGUE["W_SYRINGE_SCALE"].template))
    if not on_grad:
        v_try = try_volume(inp, n.diluent_ml)
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
                f"Reading error up to ±{half_graduation(s)} = ±{fmt_pct(rel)}% of this dose. "
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
                f"from {without} to {n.doses_per_vial}.",
                iu_per_injection=inp.dead_space_ml * conc,
                doses_without_dead_space=without,
            )
        )
    if inp.diluent in PRESERVATIVE_FREE_DILUENTS and n.doses_per_vial > 1:
        notes.append(preservative_free_notice(inp.preset))
    if remainder > 0:
        notes.append(
            notice(
                "I_PARTIAL_REMAINDER",
                f"{fmt_iu(remainder)} IU ({fmt_ml(remainder / conc)} mL) left after {n.doses_per_vial} full doses.",
                remainder_iu=remainder,
            )
        )
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

    return sort_notices(notes)


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


def bud_notices(
    m: MixNumbers, bud: int, n_used: int, wasted: Fraction, weekly: Fraction
) -> list[Notice]:
    """W_BUD_CONFLICT (doses lost to the discard date), I_BREAKEVEN, W_PRESERVATIVE_FREE_DILUENT."""
    notes: list[Notice] = []
    n = m.doses_per_vial
    if n_used < n:
        notes.append(
            notice(
                "W_BUD_CONFLICT",
                f"At {fmt_iu(weekly)} IU/week only {n_used} of {n} doses are used before the "
                f"{bud}-day discard date; {fmt_iu(wasted)} IU ({fmt_pct(wasted / m.vial_iu)}%) is "
                "discarded.",
                doses_lost=n - n_used,
                wasted_iu=wasted,
            )
        )
    x = breakeven_weekly_iu(m.vial_iu, bud)
    notes.append(
        notice(
            "I_BREAKEVEN",
            f"To finish a {fmt_iu(m.vial_iu)} IU vial within {bud} days you need ≈{fmt_iu(x)} "
            "IU/week.",
            breakeven_weekly_iu=x,
        )
    )
    if m.diluent in PRESERVATIVE_FREE_DILUENTS and n > 1:
        notes.append(preservative_free_notice(m.preset))
    return notes
