"""Input resolution of the hCG calculator: parse, default from the preset, validate (docs/methods/hcg.md §5).

:func:`resolve_inputs` turns what a person typed (text, numbers, a preset key, a syringe key),
gathered in one :class:`MixRequest`, into :class:`MixInputs` holding exact values, raising the first ``E_…`` error of the docs/methods/hcg.md §5 catalogue
order. No arithmetic beyond the checks happens here (:mod:`endolab.hcg.arithmetic` does it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from fractions import Fraction
from typing import Any, Final

from endolab.errors import InputError
from endolab.hcg._numbers import fmt_iu, fmt_label_iu, fmt_label_ml, parse_amount, parse_number
from endolab.hcg.frequency import MIX_LABELS
from endolab.hcg.notices import CATALOGUE, HcgInputError, HcgParseError, prefilled_error
from endolab.hcg.products import (
    DEFAULT_DILUENT,
    DEFAULT_VIAL_CAPACITY_ML,
    Diluent,
    Preset,
    get_preset,
    normalize_diluent,
)
from endolab.hcg.syringes import DEFAULT_SYRINGE, Syringe, get_syringe
from endolab.numbers import Number

__all__ = [
    "MixInputs",
    "MixRequest",
    "check_diluent",
    "refuse_prefilled",
    "resolve_inputs",
    "with_graduation",
]


def with_graduation(s: Syringe, graduation_units: Fraction) -> Syringe:
    """The syringe with another smallest graduation [unit] (docs/methods/hcg.md §7 item 3: U-40 graduations vary).

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


#: The order in which a missing input is reported (the first one wins) ...
_REQUIRED_ORDER: Final = ("vial_iu", "diluent_ml", "dose_iu", "units")
#: ... and the inputs a product preset can fill (vial strength, label diluent volume).
_PRESET_FILLS: Final = frozenset({"vial_iu", "diluent_ml"})


@dataclass(frozen=True)
class MixRequest:
    """What a person entered for the vial, the dose and the syringe, not yet parsed: the inputs
    every hCG mode shares (mix, reverse, suggestions, plan), passed through as one object.

    Attributes
    ----------
    vial_iu, dose_iu
        Vial strength and dose per injection [IU] (text or number); the vial from the preset when
        ``None``.
    syringe
        Catalogue key or :class:`~endolab.hcg.syringes.Syringe` (default ``u100-0.3``).
    preset
        Product preset key (fills vial strength, label diluent volume, capacity, diluent).
    dead_space_ml, residual_ml, displacement_ml
        Syringe dead space per draw, vial residual, powder displacement [mL]; default 0.
    vial_capacity_ml
        Vial capacity [mL]; the preset's, else 10 mL [A].
    diluent
        Diluent type; the preset's, else bacteriostatic water.
    prefilled
        A prefilled syringe product (always refused).
    graduation_units
        Override of the syringe's smallest graduation [unit].

    >>> MixRequest.from_fields({"vial_iu": "5000", "dose_iu": "250", "json_out": True}).dose_iu
    '250'
    """

    vial_iu: Number | None = None
    dose_iu: Number | None = None
    syringe: str | Syringe = DEFAULT_SYRINGE
    preset: str | Preset | None = None
    dead_space_ml: Number = 0
    residual_ml: Number = 0
    displacement_ml: Number = 0
    vial_capacity_ml: Number | None = None
    diluent: str | None = None
    prefilled: bool = False
    graduation_units: Number | None = None

    @classmethod
    def from_fields(cls, values: Mapping[str, Any]) -> MixRequest:
        """The request from a mapping that holds its fields by name (other keys are ignored), e.g.
        a command's options; a field that is absent keeps its default."""
        return cls(**{f.name: values[f.name] for f in fields(cls) if f.name in values})

    def check_required(
        self, needs: Mapping[str, object] | None = None, *, labels: Mapping[str, str] = MIX_LABELS
    ) -> None:
        """Check that the request has the inputs its mode needs, before any value is parsed.

        Every mode needs a vial strength and a dose; ``needs`` holds the mode's own required
        inputs by name: ``{"diluent_ml": ...}`` for mix and plan, ``{"units": ...}`` for reverse,
        none for suggestions. A preset stands in for the vial strength and the diluent volume.
        The command line, the JSON API and the web page all call this, so that a missing input
        gets the same message everywhere, naming the option or field by ``labels``.

        Raises
        ------
        HcgInputError
            ``E_PREFILLED_SINGLE_USE`` first (:func:`refuse_prefilled`).
        HcgParseError
            ``E_MISSING_INPUT`` (exit status 2) naming the first missing input, in the order
            vial strength, diluent volume, dose, syringe reading (an empty text is not missing:
            it is ``E_NOT_A_NUMBER`` when parsed).

        >>> MixRequest(dose_iu="250").check_required({"diluent_ml": "2"})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        endolab.hcg.notices.HcgParseError: E_MISSING_INPUT: missing option --vial-iu (or give --preset)
        >>> MixRequest(dose_iu="250", preset="novarel-5000").check_required({"diluent_ml": None})
        """
        refuse_prefilled(self.preset, prefilled=self.prefilled)
        values = {"vial_iu": self.vial_iu, "dose_iu": self.dose_iu, **(needs or {})}
        for name in _REQUIRED_ORDER:
            if name not in values or values[name] is not None:
                continue
            fills = name in _PRESET_FILLS
            if fills and self.preset is not None:
                continue
            extra = f" (or give {labels['preset']})" if fills else ""
            raise HcgParseError("E_MISSING_INPUT", name, f"missing option {labels[name]}{extra}")


@dataclass(frozen=True)
class MixInputs:
    """The calculator's inputs, parsed, defaulted from the preset and validated (exact values)."""

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


def refuse_prefilled(preset: str | Preset | None, *, prefilled: bool = False) -> Preset | None:
    """The preset, unless it (or ``prefilled``) is a prefilled syringe: then
    ``E_PREFILLED_SINGLE_USE`` — checked before anything else, so that a prefilled product is
    refused for what it is, not for a missing dose or vial (docs/methods/hcg.md §5 catalogue order).

    >>> refuse_prefilled("ovidrel-250mcg")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    endolab.hcg.notices.HcgInputError: E_PREFILLED_SINGLE_USE: Ovidrel is a single-use 250 µg ...
    """
    p = get_preset(preset)
    if prefilled or (p is not None and p.prefilled):
        raise prefilled_error()
    return p


def resolve_inputs(
    request: MixRequest, *, with_diluent: bool = False, diluent_ml: Number | None = None
) -> MixInputs:
    """Parse and validate ``request`` in the order of the docs/methods/hcg.md §5 catalogue (first
    failure wins).

    ``with_diluent``: also resolve ``diluent_ml`` (from the preset's label volume when omitted) and
    check it against the vial capacity; reverse mode and suggestions find the volume themselves.
    """
    r = request
    vial_iu, dose_iu, diluent = r.vial_iu, r.dose_iu, r.diluent
    p = refuse_prefilled(r.preset, prefilled=r.prefilled)
    syr = get_syringe(r.syringe)
    if r.graduation_units is not None:
        syr = with_graduation(syr, parse_number(r.graduation_units, "graduation_units"))
    kind: Diluent = (
        normalize_diluent(diluent)
        if diluent is not None
        else (p.diluent if p is not None and p.diluent is not None else DEFAULT_DILUENT)
    )
    if vial_iu is None and p is not None and p.vial_iu is not None:
        vial = p.vial_iu
    else:
        vial, _ = parse_amount(vial_iu, "vial_iu")
        if p is not None and p.vial_iu is not None and vial != p.vial_iu:
            raise preset_conflict_error(p, vial, vial_iu)
    volume: Fraction | None = None
    volume_raw: object = diluent_ml
    if with_diluent:
        if diluent_ml is None and p is not None and p.label_diluent_ml is not None:
            volume = p.label_diluent_ml
            volume_raw = str(volume)
        else:
            volume = parse_number(diluent_ml, "diluent_ml")
    dose, _ = parse_amount(dose_iu, "dose_iu")
    dead = parse_number(r.dead_space_ml, "dead_space_ml")
    residual = parse_number(r.residual_ml, "residual_ml")
    displacement = parse_number(r.displacement_ml, "displacement_ml")
    if r.vial_capacity_ml is not None:
        capacity = parse_number(r.vial_capacity_ml, "vial_capacity_ml")
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
        ("dead_space_ml", dead, r.dead_space_ml),
        ("residual_ml", residual, r.residual_ml),
        ("displacement_ml", displacement, r.displacement_ml),
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
            f"Vial capacity must be greater than 0 mL (vial_capacity_ml = {r.vial_capacity_ml}).",
            value=r.vial_capacity_ml,
        )
    inp = MixInputs(
        p, vial, dose, syr, dead, residual, displacement, capacity, kind, volume, volume_raw
    )
    if volume is not None:
        check_diluent(inp, volume, volume_raw)
    return inp


def check_diluent(inp: MixInputs, diluent_ml: Fraction, raw: object) -> None:
    """E_DILUENT_NOT_POSITIVE or E_DILUENT_EXCEEDS_VIAL_CAPACITY for a diluent volume [mL]."""
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


def preset_conflict_error(preset: Preset, vial_iu: Fraction, raw: object) -> HcgInputError:
    """E_PRESET_CONFLICT: a preset's fixed vial strength and a different ``vial_iu`` [IU].

    A preset states the vial on the carton; a different strength typed beside it means one of the
    two is wrong, and the dose drawn from either reading differs by their ratio. Refusing (rather
    than letting one silently win) is an assumption of this project [A].

    >>> from endolab.hcg.products import get_preset
    >>> preset_conflict_error(get_preset("novarel-5000"), Fraction(10000), "10000").code
    'E_PRESET_CONFLICT'
    """
    return HcgInputError(
        "E_PRESET_CONFLICT",
        "vial_iu",
        CATALOGUE["E_PRESET_CONFLICT"].template.format(
            product=preset.key,
            preset_iu=fmt_label_iu(preset.vial_iu or Fraction(0)),
            vial_iu=fmt_label_iu(vial_iu),
        ),
        value=raw,
    )
