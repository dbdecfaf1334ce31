"""Syringe catalogue (docs/methods/hcg.md §2.1) and BD's "smallest barrel that holds the dose" rule.

On a U-100 insulin syringe 1 unit = 0.01 mL: syringe "units" measure **volume**, not drug [S18].
A U-40 barrel holds 40 units per mL (1 unit = 0.025 mL, 2.5× the U-100 volume) [S20]. A tuberculin
syringe is read in mL (0.01 mL lines) [S21]; for it the "syringe unit" of the formulas is the mL.

>>> s = SYRINGES["u100-0.3-half"]
>>> s.graduation_units, s.ml_per_graduation, s.capacity_ml
(Fraction(1, 2), Fraction(1, 200), Fraction(3, 10))
>>> SYRINGES["tb-1.0"].format_amount(Fraction(1, 4))
'0.250 mL'
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Final, Literal

from endolab.errors import ParseError
from endolab.hcg._numbers import fmt_ml, fmt_units

__all__ = ["DEFAULT_SYRINGE", "SYRINGES", "Syringe", "get_syringe", "recommend_syringe"]

Scale = Literal["U-100", "U-40", "mL"]


@dataclass(frozen=True)
class Syringe:
    """One syringe of the catalogue (docs/methods/hcg.md §2.1).

    Attributes
    ----------
    key : str
        Catalogue key, e.g. ``"u100-0.3"``.
    description : str
        Human name.
    scale : {"U-100", "U-40", "mL"}
        What the printed numbers mean.
    units_per_ml : Fraction
        Syringe units per mL [unit/mL] (100 for U-100, 40 for U-40, 1 for the mL scale).
    capacity_units : Fraction
        Highest mark [unit] (mL for the tuberculin syringe).
    graduation_units : Fraction
        Smallest graduation [unit] (the readable increment, docs/methods/hcg.md §2.2).
    bore_mm : Fraction
        Nominal inner barrel diameter [mm], used only to draw the barrel at true scale.
        **Assumption [A]**: typical values, not measured and not from a standard (ISO 8537 figures are
        not verified, docs/methods/hcg.md §2.1); the drawing is as true as this number.
    source : str
        Source keys of docs/methods/hcg.md §8.
    """

    key: str
    description: str
    scale: Scale
    units_per_ml: Fraction
    capacity_units: Fraction
    graduation_units: Fraction
    bore_mm: Fraction
    source: str
    note: str = ""

    @property
    def capacity_ml(self) -> Fraction:
        """Capacity [mL]."""
        return self.capacity_units / self.units_per_ml

    @property
    def ml_per_graduation(self) -> Fraction:
        """Volume of one graduation [mL]."""
        return self.graduation_units / self.units_per_ml

    @property
    def unit_word(self) -> str:
        """``"units"`` for insulin scales, ``"mL"`` for the tuberculin scale."""
        return "mL" if self.scale == "mL" else "units"

    @property
    def scale_name(self) -> str:
        """E.g. ``"U-100 syringe"``; the scale is always named next to unit numbers (docs/methods/hcg.md §2.1)."""
        return "mL-scale (tuberculin) syringe" if self.scale == "mL" else f"{self.scale} syringe"

    def format_amount(self, units: Fraction) -> str:
        """Syringe reading with its word: ``"25.0 units"`` (1 dp) or ``"0.250 mL"`` (3 dp)."""
        if self.scale == "mL":
            return f"{fmt_ml(units)} mL"
        return f"{fmt_units(units)} units"

    def format_number(self, units: Fraction) -> str:
        """Syringe reading without its word (units 1 dp; mL 3 dp)."""
        return fmt_ml(units) if self.scale == "mL" else fmt_units(units)


def _s(
    key: str,
    description: str,
    scale: Scale,
    per_ml: int,
    capacity: str,
    graduation: str,
    bore: str,
    source: str,
    note: str = "",
) -> Syringe:
    return Syringe(
        key,
        description,
        scale,
        Fraction(per_ml),
        Fraction(capacity),
        Fraction(graduation),
        Fraction(bore),
        source,
        note,
    )


#: The syringe catalogue of docs/methods/hcg.md §2.1. Bore diameters are drawing assumptions [A] (see
#: :class:`Syringe`). U-40 graduations are typical, not universal (docs/methods/hcg.md §7 item 3).
SYRINGES: Final[Mapping[str, Syringe]] = types.MappingProxyType(
    {
        s.key: s
        for s in (
            _s(
                "u100-0.3-half",
                "U-100 insulin syringe, 3/10 mL, half-unit marks",
                "U-100",
                100,
                "30",
                "0.5",
                "3.3",
                "[S18]",
                "BD makes 3/10 mL barrels with half-unit marks",
            ),
            _s(
                "u100-0.3",
                "U-100 insulin syringe, 3/10 mL",
                "U-100",
                100,
                "30",
                "1",
                "3.3",
                "[S18]",
            ),
            _s(
                "u100-0.5",
                "U-100 insulin syringe, 1/2 mL",
                "U-100",
                100,
                "50",
                "1",
                "4.0",
                "[S18][S19]",
            ),
            _s(
                "u100-1.0",
                "U-100 insulin syringe, 1 mL",
                "U-100",
                100,
                "100",
                "2",
                "4.7",
                "[S19]",
                "minor lines are 2 units on 1 mL barrels",
            ),
            _s(
                "u40-1.0",
                "U-40 insulin syringe (veterinary), 1 mL",
                "U-40",
                40,
                "40",
                "1",
                "4.7",
                "[S20]",
                "graduation varies by maker (1 unit typical)",
            ),
            _s(
                "u40-0.5",
                "U-40 insulin syringe, 0.5 mL",
                "U-40",
                40,
                "20",
                "1",
                "4.0",
                "[S20]",
                "1 unit typical; half-unit versions exist",
            ),
            _s(
                "tb-1.0",
                "Tuberculin syringe, 1 mL, mL scale",
                "mL",
                1,
                "1",
                "0.01",
                "4.7",
                "[S21]",
                "100 lines per mL",
            ),
        )
    }
)

#: Default syringe: the U-100 3/10 mL whole-unit barrel (docs/methods/hcg.md §6 shared defaults).
DEFAULT_SYRINGE: Final = "u100-0.3"


def get_syringe(key: str | Syringe) -> Syringe:
    """Look a syringe up by catalogue key (a :class:`Syringe` passes through).

    An unknown key raises :class:`~endolab.errors.ParseError` listing the accepted keys.
    """
    if isinstance(key, Syringe):
        return key
    found = SYRINGES.get(str(key).strip().lower())
    if found is None:
        raise ParseError(
            f"unknown syringe {key!r}; accepted: {', '.join(SYRINGES)}", field="syringe", value=key
        )
    return found


def recommend_syringe(dose_ml: Fraction) -> Syringe | None:
    """BD's rule (docs/methods/hcg.md §2.1, [S18]): the smallest U-100 barrel that holds the dose in one fill.

    Among barrels that hold the dose, the half-unit 3/10 mL barrel is preferred when the dose is a
    whole number of half units but not of whole units ("use half-unit barrels for doses measured in
    half units"); otherwise the smallest whole-unit barrel on whose marks the dose lands, otherwise
    the smallest barrel. ``None`` when no U-100 barrel holds the dose [A: tie rules are ours].

    >>> recommend_syringe(Fraction(175, 1000)).key, recommend_syringe(Fraction(1, 4)).key
    ('u100-0.3-half', 'u100-0.3')
    >>> recommend_syringe(Fraction(3, 2)) is None
    True
    """
    units = dose_ml * 100
    fitting = [s for s in SYRINGES.values() if s.scale == "U-100" and units <= s.capacity_units]
    if not fitting:
        return None
    fitting.sort(key=lambda s: (s.capacity_units, -s.graduation_units))
    if (units * 2).denominator == 1 and units.denominator != 1:
        half = [s for s in fitting if s.graduation_units == Fraction(1, 2)]
        if half:
            return half[0]
    on_mark = [s for s in fitting if (units / s.graduation_units).denominator == 1]
    return on_mark[0] if on_mark else fitting[0]
