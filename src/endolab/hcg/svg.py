"""SVG drawing of a syringe at true scale, with the plunger at the dose mark (docs/methods/hcg.md §4.2).

The drawing is in millimetres (``width="…mm"``, ``viewBox`` in mm), so printing at 100 % gives a
1:1 picture. The graduated length of the barrel is ``capacity_ml / (π · (bore/2)²)``; the bore of
each syringe is a drawing assumption [A] (see :class:`~endolab.hcg.syringes.Syringe`). The needle
points left; the zero line is at the needle end; the front face of the plunger stopper sits at
``zero_x + dose_ml / capacity_ml · scale_length`` (clamped to the barrel for a multi-fill dose).

Elements a program can find (the web widget and the tests use them): ``line.tick`` with
``data-units`` (every graduation), ``#zero-line``, ``#full-line``, ``#plunger-face`` (x of the
stopper face), ``#dose-liquid``, and ``data-*`` attributes on the root with the exact dose.
A ``<title>`` and ``<desc>`` repeat the numbers in text (accessibility: numbers not only in
graphics; the scale name is always shown).

>>> from endolab.hcg.mixing import mix
>>> text = mix_svg(mix("5000", "5", "250"))
>>> text.startswith("<svg") and 'id="plunger-face"' in text
True
"""

from __future__ import annotations

import math
import os
from fractions import Fraction
from pathlib import Path
from typing import Final
from xml.sax.saxutils import escape

from endolab._io import atomic_write_text
from endolab.hcg._numbers import fmt_ml
from endolab.hcg.results import MixResult
from endolab.hcg.syringes import Syringe

__all__ = ["mix_svg", "scale_length_mm", "syringe_svg", "write_svg"]

#: Labelled (major) graduation spacing per catalogue key [unit] [A: typical printing].
_MAJOR: Final = {
    "u100-0.3-half": Fraction(5),
    "u100-0.3": Fraction(5),
    "u100-0.5": Fraction(5),
    "u100-1.0": Fraction(10),
    "u40-1.0": Fraction(5),
    "u40-0.5": Fraction(5),
    "tb-1.0": Fraction(1, 10),
}
_WALL_MM: Final = 0.8  # barrel wall thickness drawn [mm] [A]
_MARGIN: Final = 4.0
_NEEDLE: Final = 12.0
_HUB: Final = 5.0
_FLANGE_GAP: Final = 4.0  # barrel beyond the last mark [mm] [A]


def scale_length_mm(s: Syringe) -> float:
    """Graduated length of the barrel [mm] = capacity [mm³] / (π·(bore/2)²) [mm²] (bore [A]).

    >>> from endolab.hcg.syringes import SYRINGES
    >>> round(scale_length_mm(SYRINGES["u100-1.0"]), 1)
    57.6
    """
    radius = float(s.bore_mm) / 2
    return float(s.capacity_ml) * 1000.0 / (math.pi * radius * radius)


def _n(x: float) -> str:
    text = f"{x:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def syringe_svg(s: Syringe, dose_ml: Fraction, *, caption: str | None = None) -> str:
    """SVG text of syringe ``s`` with the plunger at ``dose_ml`` [mL] (pure function).

    ``caption`` is printed under the drawing (default: the reading in the syringe's units).
    """
    length = scale_length_mm(s)
    outer = float(s.bore_mm) + 2 * _WALL_MM
    top = _MARGIN + 6.0  # room for the labels above the barrel
    mid = top + outer / 2
    zero_x = _MARGIN + _NEEDLE + _HUB
    full_x = zero_x + length
    barrel_end = full_x + _FLANGE_GAP
    rod = length * 0.9 + 8.0
    width = barrel_end + rod + _MARGIN + 2.0
    height = top + outer + 14.0
    capacity = s.capacity_ml
    drawn = min(dose_ml, capacity)
    face_x = zero_x + float(drawn / capacity) * length
    units = dose_ml * s.units_per_ml
    fills = math.ceil(units / s.capacity_units) if units > 0 else 1
    reading = s.format_amount(units)
    text = caption or (
        f"Draw {reading}"
        + ("" if s.scale == "mL" else f" ({fmt_ml(dose_ml)} mL)")
        + f" on a {s.scale_name}"
        + (f" — fill 1 of {fills}, plunger at the last mark" if fills > 1 else "")
    )
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}mm" height="{_n(height)}mm" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" role="img" '
        f'data-syringe="{s.key}" data-scale="{s.scale}" data-dose-ml="{dose_ml}" '
        f'data-dose-units="{units}" data-capacity-ml="{capacity}" data-fills="{fills}">',
        f"<title>{escape(text)}</title>",
        f"<desc>{escape(s.description)}; graduation {s.format_amount(s.graduation_units)}; "
        f"capacity {s.format_amount(s.capacity_units)}; drawn at true scale assuming a "
        f"{float(s.bore_mm):g} mm bore.</desc>",
        # needle and hub
        f'<line id="needle" x1="{_n(_MARGIN)}" y1="{_n(mid)}" x2="{_n(_MARGIN + _NEEDLE)}" '
        f'y2="{_n(mid)}" stroke="#888" stroke-width="0.3"/>',
        f'<rect id="hub" x="{_n(_MARGIN + _NEEDLE)}" y="{_n(mid - outer / 4)}" '
        f'width="{_n(_HUB)}" height="{_n(outer / 2)}" fill="#f4a300"/>',
        # liquid between the zero line and the plunger face
        f'<rect id="dose-liquid" x="{_n(zero_x)}" y="{_n(top + _WALL_MM)}" '
        f'width="{_n(face_x - zero_x)}" height="{_n(float(s.bore_mm))}" fill="#bfe3ff"/>',
        f'<rect id="barrel" x="{_n(zero_x)}" y="{_n(top)}" width="{_n(barrel_end - zero_x)}" '
        f'height="{_n(outer)}" fill="none" stroke="#333" stroke-width="0.25"/>',
    ]
    # graduations
    major = _MAJOR.get(s.key, s.graduation_units * 10)
    count = int(s.capacity_units / s.graduation_units)
    for i in range(count + 1):
        u = i * s.graduation_units
        x = zero_x + float(u / s.capacity_units) * length
        is_major = (u / major).denominator == 1
        is_half = not is_major and (u / (major / 2)).denominator == 1
        tick = outer * (0.55 if is_major else 0.4 if is_half else 0.28)
        ident = ' id="zero-line"' if i == 0 else (' id="full-line"' if i == count else "")
        out.append(
            f'<line class="tick"{ident} data-units="{u}" x1="{_n(x)}" y1="{_n(top)}" '
            f'x2="{_n(x)}" y2="{_n(top + tick)}" stroke="#000" '
            f'stroke-width="{"0.2" if is_major else "0.12"}"/>'
        )
        if is_major:
            label = f"{float(u):g}"
            out.append(
                f'<text x="{_n(x)}" y="{_n(top - 1.2)}" font-size="2.2" text-anchor="middle" '
                f'font-family="sans-serif">{label}</text>'
            )
    # plunger: stopper face at the dose mark, rod to the right
    stopper = 3.0
    out += [
        f'<rect id="plunger-stopper" x="{_n(face_x)}" y="{_n(top + _WALL_MM)}" '
        f'width="{_n(stopper)}" height="{_n(float(s.bore_mm))}" fill="#222"/>',
        f'<line id="plunger-face" x1="{_n(face_x)}" y1="{_n(top)}" x2="{_n(face_x)}" '
        f'y2="{_n(top + outer)}" stroke="#d00" stroke-width="0.3"/>',
        f'<rect id="plunger-rod" x="{_n(face_x + stopper)}" y="{_n(mid - 0.8)}" '
        f'width="{_n(rod)}" height="1.6" fill="#ccc" stroke="#666" stroke-width="0.1"/>',
        f'<text id="scale-name" x="{_n(barrel_end)}" y="{_n(top - 1.2)}" font-size="2.2" '
        f'font-family="sans-serif">{escape(s.scale if s.scale != "mL" else "mL")}</text>',
        f'<text id="caption" x="{_n(_MARGIN)}" y="{_n(top + outer + 6)}" font-size="3" '
        f'font-family="sans-serif">{escape(text)}</text>',
        "</svg>",
    ]
    return "\n".join(out) + "\n"


def mix_svg(m: MixResult) -> str:
    """:func:`syringe_svg` for a :func:`~endolab.hcg.mixing.mix` result: the plunger at the mark
    to draw to (the dose itself when it is on a mark, else the nearest mark, as the headline
    says) and the headline (:meth:`~endolab.hcg.MixResult.draw_line`) as caption (one fill)."""
    at_ml = m.dose_ml if m.on_graduation else m.nearest_mark.ml
    # several fills: the drawing shows the first (a full barrel) and says so in its own caption
    return syringe_svg(m.syringe, at_ml, caption=m.draw_line() if m.fills == 1 else None)


def write_svg(m: MixResult, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Write :func:`mix_svg` to ``path`` atomically and return the path.

    An existing file is replaced only with ``overwrite`` (keeping its permission bits): the output
    rule of :mod:`endolab._io`."""
    return atomic_write_text(path, mix_svg(m), overwrite=overwrite, flag="--svg")
