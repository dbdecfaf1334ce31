"""Output records of the hCG calculator: the results with their notices, display text and JSON.

* :class:`MixResult` — the numbers of :class:`endolab.hcg.arithmetic.MixNumbers` plus the notices,
  the label line, display strings (:meth:`MixResult.formatted`) and the flat record
  (:meth:`MixResult.to_dict`);
* :class:`ReverseResult`, :class:`Suggestion`, :class:`SuggestResult` — reverse mode and ranked
  diluent options.

Numbers in records are rounded by :func:`endolab.hcg._numbers.rounded` (docs/methods/hcg.md §6); ``*_exact`` keys
hold the exact fractions as text.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from fractions import Fraction
from typing import Any

from endolab.hcg._numbers import (
    fmt_fixed,
    fmt_iu,
    fmt_label_iu,
    fmt_label_ml,
    fmt_ml,
    fmt_pct,
    rounded,
)
from endolab.hcg.arithmetic import MixNumbers
from endolab.hcg.messages import half_graduation
from endolab.hcg.notices import Notice

__all__ = ["MixResult", "ReverseResult", "SuggestResult", "Suggestion"]


@dataclass(frozen=True)
class MixResult(MixNumbers):
    """Everything docs/methods/hcg.md §3.2 derives from one vial, diluent volume, dose and syringe (exact values).

    Attributes hold exact :class:`~fractions.Fraction` values (those of
    :class:`~endolab.hcg.arithmetic.MixNumbers`) and the notices; :meth:`formatted` gives display
    strings (IU 1 dp, mL 3 dp, units 1 dp) and :meth:`to_dict` the flat JSON record.
    """

    notices: tuple[Notice, ...]

    @classmethod
    def from_numbers(cls, numbers: MixNumbers, notices: tuple[Notice, ...]) -> MixResult:
        """The result of ``numbers`` with its ``notices``."""
        values = {f.name: getattr(numbers, f.name) for f in fields(MixNumbers)}
        return cls(**values, notices=notices)

    @property
    def doses_by_content(self) -> int:
        """Alias of :attr:`doses_per_vial` (the spec's name)."""
        return self.doses_per_vial

    def label_line(self, mixed: date | None = None, discard: date | None = None) -> str:
        """Printable vial label (docs/methods/hcg.md §4.2), e.g. ``hCG 5,000 IU + 5.0 mL bacteriostatic water =
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
        """The headline: the mark to draw to on the chosen barrel and the dose that mark gives.

        On a mark: ``Draw to the 25-unit mark on a U-100 syringe = 250.0 IU (0.250 mL)``.
        Between marks the headline names the nearest mark and what it gives, then the exact
        volume as detail: ``Draw to the 10-unit mark on a U-100 syringe = 200.0 IU (-4.8 % of
        the 210.0 IU dose); exactly 10.5 units = 0.105 mL falls between marks``. A dose larger
        than the barrel names each fill (full barrels, then the mark of the rest).
        """
        s = self.syringe
        mark = self.nearest_mark
        units = self.syringe_units if self.on_graduation else mark.units

        def where(u: Fraction) -> str:
            number = s.format_number(u)
            return (
                f"the {number} mL mark"
                if s.scale == "mL"
                else (f"the {number.removesuffix('.0')}-unit mark")
            )

        if self.fills > 1:
            # full barrels, then the rest: every mark named exists on the chosen barrel
            last = units - (self.fills - 1) * s.capacity_units
            steps = ", ".join([f"to {where(s.capacity_units)}"] * (self.fills - 1))
            head = f"Draw in {self.fills} fills on a {s.scale_name}: {steps}, then to {where(last)}"
        else:
            head = f"Draw to {where(units)} on a {s.scale_name}"
        if self.on_graduation:
            return f"{head} = {fmt_iu(self.dose_iu)} IU ({fmt_ml(self.dose_ml)} mL)"
        return (
            f"{head} = {fmt_iu(mark.delivered_iu)} IU ({fmt_pct(mark.error, signed=True)} % of "
            f"the {fmt_iu(self.dose_iu)} IU dose); exactly {s.format_amount(self.syringe_units)}"
            + ("" if s.scale == "mL" else f" = {fmt_ml(self.dose_ml)} mL")
            + " falls between marks"
        )

    def _iu_ml(self, iu: Fraction) -> str:
        """``iu`` [IU] of this solution with its volume [mL]: ``325.0 IU (0.130 mL)``."""
        return f"{fmt_iu(iu)} IU ({fmt_ml(iu / self.concentration_iu_per_ml)} mL)"

    def formatted(self) -> dict[str, str]:
        """Display strings with units (IU 1 dp, mL 3 dp, units 1 dp; docs/methods/hcg.md §6)."""
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
                f"±{half_graduation(s)} = ±{fmt_pct(self.rel_read_err)}% of the dose"
            ),
            "fills": f"{self.fills} fill{'s' if self.fills != 1 else ''}",
            "doses_per_vial": f"{self.doses_per_vial} doses",
            "raw_doses": f"{fmt_fixed(self.raw_doses, 2)} doses (theoretical)",
            "remainder": f"{fmt_iu(self.remainder_iu)} IU ({fmt_ml(self.remainder_ml)} mL)",
            # the remainder's three parts (remainder = dead space + residual + leftover)
            "leftover": self._iu_ml(self.leftover_iu),
            "dead_space_loss": self._iu_ml(self.dead_space_loss_iu),
            "residual_loss": self._iu_ml(self.residual_loss_iu),
            "potency_band": f"{fmt_iu(self.potency_low_iu)}–{fmt_iu(self.potency_high_iu)} IU",
            "label": self.label_line(),
        }

    def to_dict(self) -> dict[str, Any]:
        """Flat JSON record: numbers rounded as docs/methods/hcg.md §6 says, ``*_exact`` keys hold fractions."""
        s = self.syringe
        units_dp = 3 if s.scale == "mL" else 1
        d: dict[str, Any] = {
            "preset": self.preset.key if self.preset else None,
            "vial_iu": rounded(self.vial_iu, 1),
            "diluent_ml": rounded(self.diluent_ml, 3),
            "diluent": self.diluent,
            "dose_iu": rounded(self.dose_iu, 1),
            "syringe": s.key,
            "syringe_scale": s.scale,
            "graduation_units": rounded(s.graduation_units, 3),
            "dead_space_ml": rounded(self.dead_space_ml, 3),
            "residual_ml": rounded(self.residual_ml, 3),
            "displacement_ml": rounded(self.displacement_ml, 3),
            "vial_capacity_ml": rounded(self.vial_capacity_ml, 3),
            "solution_ml": rounded(self.solution_ml, 3),
            "concentration_iu_per_ml": rounded(self.concentration_iu_per_ml, 1),
            "iu_per_syringe_unit": rounded(self.iu_per_syringe_unit, 1),
            "dose_ml": rounded(self.dose_ml, 3),
            "syringe_units": rounded(self.syringe_units, units_dp),
            "on_graduation": self.on_graduation,
            "lower_mark_units": rounded(self.lower_mark.units, units_dp),
            "lower_mark_delivered_iu": rounded(self.lower_mark.delivered_iu, 1),
            "lower_mark_error_pct": rounded(self.lower_mark.error * 100, 1),
            "upper_mark_units": rounded(self.upper_mark.units, units_dp),
            "upper_mark_delivered_iu": rounded(self.upper_mark.delivered_iu, 1),
            "upper_mark_error_pct": rounded(self.upper_mark.error * 100, 1),
            "nearest_mark_units": rounded(self.nearest_mark.units, units_dp),
            "nearest_mark_delivered_iu": rounded(self.nearest_mark.delivered_iu, 1),
            "nearest_mark_error_pct": rounded(self.nearest_mark.error * 100, 1),
            "rel_read_err_pct": rounded(self.rel_read_err * 100, 1),
            "rel_read_err": rounded(self.rel_read_err, 4),
            "fills": self.fills,
            "per_draw_ml": rounded(self.per_draw_ml, 3),
            "doses_per_vial": self.doses_per_vial,
            "doses_by_content": self.doses_per_vial,
            "raw_doses": rounded(self.raw_doses, 2),
            "remainder_iu": rounded(self.remainder_iu, 1),
            "remainder_ml": rounded(self.remainder_ml, 3),
            "dead_space_loss_iu": rounded(self.dead_space_loss_iu, 1),
            "residual_loss_iu": rounded(self.residual_loss_iu, 1),
            "leftover_iu": rounded(self.leftover_iu, 1),
            "potency_low_iu": rounded(self.potency_low_iu, 1),
            "potency_high_iu": rounded(self.potency_high_iu, 1),
            "suggested_syringe": self.suggested_syringe,
            "label_line": self.label_line(),
            "draw": self.draw_line(),
            "concentration_iu_per_ml_exact": str(self.concentration_iu_per_ml),
            "iu_per_syringe_unit_exact": str(self.iu_per_syringe_unit),
            "dose_ml_exact": str(self.dose_ml),
            "syringe_units_exact": str(self.syringe_units),
            "rel_read_err_exact": str(self.rel_read_err),
            "remainder_iu_exact": str(self.remainder_iu),
        }
        return d


@dataclass(frozen=True)
class ReverseResult:
    """Reverse mode (docs/methods/hcg.md §3.3): the diluent volume [mL] giving ``target_units`` per dose."""

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
        d["target_units"] = rounded(self.target_units, 3 if self.mix.syringe.scale == "mL" else 1)
        d["diluent_ml_exact"] = str(self.diluent_ml)
        return d


@dataclass(frozen=True)
class Suggestion:
    """One ranked diluent option (docs/methods/hcg.md §3.3) with its full mix result."""

    rank: int
    diluent_ml: Fraction
    mix: MixResult

    def formatted(self) -> dict[str, str]:
        """Display strings of the option: water [mL], the draw, on a mark, doses per vial.

        >>> from endolab.hcg import suggest_diluent
        >>> suggest_diluent("5000", "250").suggestions[0].formatted()["diluent"]
        '5.0 mL'
        """
        m = self.mix
        return {
            "diluent": f"{fmt_label_ml(self.diluent_ml)} mL",
            "draw": m.syringe.format_amount(m.syringe_units),
            "on_graduation": "yes" if m.on_graduation else "no",
            "doses_per_vial": f"{m.doses_per_vial} doses",
        }

    def to_dict(self) -> dict[str, Any]:
        """Flat record of the option (V, units, IU/unit, mL/dose, doses/vial, label)."""
        m = self.mix
        return {
            "rank": self.rank,
            "diluent_ml": rounded(self.diluent_ml, 3),
            "syringe_units": rounded(m.syringe_units, 3 if m.syringe.scale == "mL" else 1),
            "on_graduation": m.on_graduation,
            "rel_read_err_pct": rounded(m.rel_read_err * 100, 1),
            "iu_per_syringe_unit": rounded(m.iu_per_syringe_unit, 1),
            "dose_ml": rounded(m.dose_ml, 3),
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
