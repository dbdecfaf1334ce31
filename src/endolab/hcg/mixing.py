"""Reconstitution arithmetic: :func:`mix`, :func:`reverse` and :func:`suggest_diluent`.

Everything follows docs/methods/hcg.md §2–§3 exactly, in :class:`fractions.Fraction` arithmetic end to end
(0.29 × 100 is exactly 29 here, not 28.999999999999996). The calculators put the layers together:
:mod:`~endolab.hcg.inputs` (parse, default, validate) → :mod:`~endolab.hcg.arithmetic` (the
formulas of docs/methods/hcg.md §3.2, numbers only) → :mod:`~endolab.hcg.messages` (notices and errors, the text)
→ :mod:`~endolab.hcg.results` (output records).

Ambiguities resolved here (each an assumption [A] of this project):

* A dose exactly one graduation is measurable (the error is "< 1 graduation"); a reading error
  exactly 5 % gives no W_LOW_PRECISION (the trigger is "> 5 %", docs/methods/hcg.md §6.1 T02).
* ``E_DOSE_EXCEEDS_VIAL`` also covers "no full draw fits in the withdrawable volume"
  (``per_draw_ml > solution_ml - residual_ml``, i.e. zero doses by content).
* W_OFF_GRADUATION's "Try V mL": among the whole-mark volumes ``V_k = k·g·vial/(dose·s) − displacement``
  (docs/methods/hcg.md §2.2) that fit the vial, the one nearest the entered volume, preferring volumes that are a
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
from fractions import Fraction
from typing import Final

from endolab.errors import InputError
from endolab.hcg._numbers import fmt_label_ml, fmt_ml, parse_number
from endolab.hcg.arithmetic import PRECISION_WARNING_FRACTION, mix_numbers
from endolab.hcg.frequency import Frequency
from endolab.hcg.inputs import MixInputs, MixRequest, check_diluent, resolve_inputs
from endolab.hcg.messages import (
    below_resolution_error,
    draw_exceeds_vial_error,
    mix_notices,
    sort_notices,
)
from endolab.hcg.notices import HcgInputError, Notice, notice
from endolab.hcg.products import Preset
from endolab.hcg.results import MixResult, ReverseResult, Suggestion, SuggestResult
from endolab.hcg.schedule import schedule
from endolab.hcg.syringes import DEFAULT_SYRINGE, Syringe
from endolab.numbers import Number

__all__ = [
    "mix",
    "mix_request",
    "reverse",
    "reverse_request",
    "suggest_diluent",
    "suggest_request",
    "suggestion_key",
]

#: Smallest step of the suggestion grid [mL] [A] (bounds the enumeration).
_MIN_STEP_ML: Final = Fraction(1, 100)
_DEFAULT_STEP_ML: Final = Fraction(1, 2)
_DEFAULT_TOP: Final = 5


def _mix_result(inp: MixInputs, diluent_ml: Fraction, raw_diluent: object) -> MixResult:
    """Check the volume, compute, refuse a dose that does not fit or cannot be read, add notices."""
    check_diluent(inp, diluent_ml, raw_diluent)
    numbers = mix_numbers(inp, diluent_ml)
    if numbers.doses_per_vial < 1:
        raise draw_exceeds_vial_error(inp, numbers)
    if numbers.syringe_units < inp.syringe.graduation_units:
        raise below_resolution_error(inp, numbers.syringe_units)
    return MixResult.from_numbers(numbers, mix_notices(inp, numbers))


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
    """Concentration, syringe reading, marks, precision and doses per vial (docs/methods/hcg.md §3.2).

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
        Catalogue key (docs/methods/hcg.md §2.1) or a :class:`~endolab.hcg.syringes.Syringe`; default
        ``u100-0.3`` (docs/methods/hcg.md §6 shared default).
    preset
        Product preset key (docs/methods/hcg.md §1.3); fills vial strength, label diluent volume, capacity, diluent.
    dead_space_ml, residual_ml, displacement_ml
        Syringe dead space per draw, vial residual, powder displacement [mL]; default 0 (docs/methods/hcg.md §2.3).
    vial_capacity_ml
        Vial capacity [mL]; preset value, else 10 mL [A].
    diluent
        Diluent type (bacteriostatic water, benzyl-alcohol solvent, sterile water, saline).
    prefilled
        ``True`` for a prefilled syringe product: always E_PREFILLED_SINGLE_USE.
    graduation_units
        Override of the syringe's smallest graduation [unit] (docs/methods/hcg.md §7 item 3), e.g. 0.5 for a
        half-unit U-40 barrel.

    Returns
    -------
    MixResult
        Exact values, formatted strings, and W_/I_ notices.

    Raises
    ------
    HcgInputError
        With an ``E_…`` code of docs/methods/hcg.md §5 (``E_NOT_A_NUMBER`` as :class:`HcgParseError`).

    Examples
    --------
    docs/methods/hcg.md §6.1 T05: 5,000 IU in 3 mL, 250 IU is exactly 15 units (a float gives 15.000000000000002):

    >>> r = mix("5000", "3", "250")
    >>> r.syringe_units, r.on_graduation, r.formatted()["concentration"]
    (Fraction(15, 1), True, '1,666.7 IU/mL')
    """
    request = MixRequest(
        vial_iu, dose_iu, syringe, preset, dead_space_ml, residual_ml, displacement_ml,
        vial_capacity_ml, diluent, prefilled, graduation_units,
    )  # fmt: skip
    return mix_request(request, diluent_ml)


def mix_request(request: MixRequest, diluent_ml: Number | None = None) -> MixResult:
    """:func:`mix` of a :class:`~endolab.hcg.inputs.MixRequest` with ``diluent_ml`` [mL] (the
    preset's label volume when omitted).

    >>> mix_request(MixRequest("5000", "250"), "3").syringe_units
    Fraction(15, 1)
    """
    inp = resolve_inputs(request, with_diluent=True, diluent_ml=diluent_ml)
    assert inp.diluent_ml is not None
    return _mix_result(inp, inp.diluent_ml, inp.diluent_raw)


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
    """Diluent volume for a target syringe reading (docs/methods/hcg.md §3.3).

    ``diluent_ml = target_syr_units · vial_iu / (dose_iu · units_per_ml) − displacement_ml``, checked
    against the vial capacity (equal is allowed). ``units`` is the target reading [unit] on the
    chosen syringe (mL on the tuberculin syringe). The volume is exact; a volume such as 1/3 mL is
    shown as 0.333 mL. Other parameters as :func:`mix`.

    >>> reverse("5000", "250", "25").diluent_ml, reverse("5000", "250", "10", "u40-1.0").diluent_ml
    (Fraction(5, 1), Fraction(5, 1))
    """
    request = MixRequest(
        vial_iu, dose_iu, syringe, preset, dead_space_ml, residual_ml, displacement_ml,
        vial_capacity_ml, diluent, prefilled, graduation_units,
    )  # fmt: skip
    return reverse_request(request, units)


def reverse_request(request: MixRequest, units: Number | None) -> ReverseResult:
    """:func:`reverse` of a :class:`~endolab.hcg.inputs.MixRequest` for a target reading ``units``
    [unit].

    >>> reverse_request(MixRequest("5000", "250"), "25").diluent_ml
    Fraction(5, 1)
    """
    inp = resolve_inputs(request)
    target = parse_number(units, "units")
    s = inp.syringe
    if target < s.graduation_units:
        raise below_resolution_error(inp, target)
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
    return ReverseResult(target, volume, _mix_result(inp, volume, str(volume)))


def suggestion_key(m: MixResult) -> tuple[bool, bool, bool, Fraction, Fraction]:
    """Ranking key of docs/methods/hcg.md §3.3, ascending: off-mark, imprecise, non-integer IU/unit, error, V."""
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
    """Rank diluent volumes for a dose on a syringe (docs/methods/hcg.md §3.3).

    Enumerates ``V = min_ml, min_ml + step_ml, …`` up to ``max_ml`` (default: vial capacity minus
    displacement) [mL]; keeps ``1 graduation ≤ dose_syr_units ≤ capacity`` (multi-fill only with
    ``allow_multi_fill``); sorts by :func:`suggestion_key`; returns the best ``top``. Each option
    carries its full :class:`MixResult` (units, IU per unit, mL per dose, doses per vial, label).

    A dose below one graduation even at the largest volume raises E_DOSE_BELOW_RESOLUTION. When no
    volume fits the barrel in one fill, the result is empty with W_EXCEEDS_SYRINGE_CAPACITY.

    With a ``frequency`` (and ``bud_days`` or a preset BUD), a discard-date conflict of the best
    option is reported as W_BUD_CONFLICT with the note that no diluent volume fixes it (docs/methods/hcg.md §3.3).

    >>> best = suggest_diluent("5000", "250").suggestions[0]
    >>> best.diluent_ml, best.mix.syringe_units
    (Fraction(5, 1), Fraction(25, 1))
    """
    request = MixRequest(
        vial_iu, dose_iu, syringe, preset, dead_space_ml, residual_ml, displacement_ml,
        vial_capacity_ml, diluent, prefilled, graduation_units,
    )  # fmt: skip
    return suggest_request(
        request,
        min_ml=min_ml,
        max_ml=max_ml,
        step_ml=step_ml,
        top=top,
        allow_multi_fill=allow_multi_fill,
        frequency=frequency,
        bud_days=bud_days,
    )


def suggest_request(
    request: MixRequest,
    *,
    min_ml: Number | None = None,
    max_ml: Number | None = None,
    step_ml: Number = _DEFAULT_STEP_ML,
    top: int = _DEFAULT_TOP,
    allow_multi_fill: bool = False,
    frequency: Frequency | None = None,
    bud_days: Number | None = None,
) -> SuggestResult:
    """:func:`suggest_diluent` of a :class:`~endolab.hcg.inputs.MixRequest` (other parameters as
    there).

    >>> suggest_request(MixRequest("5000", "250"), top=1).suggestions[0].diluent_ml
    Fraction(5, 1)
    """
    inp = resolve_inputs(request)
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
            options.append(_mix_result(inp, v, str(v)))
        except HcgInputError as exc:
            rejected = exc  # e.g. no full draw fits after residual at this volume
    options.sort(key=suggestion_key)
    notes: list[Notice] = []
    if not options and too_big == 0 and rejected is not None:
        raise rejected
    if not options and too_big == 0:
        top_units = inp.dose_iu * s.units_per_ml * (max(hi, lo) + inp.displacement_ml) / inp.vial_iu
        raise below_resolution_error(inp, top_units)
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
