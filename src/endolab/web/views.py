"""Presentation helpers for the pages: band bars, calendar, IU-left chart (drawing only, no science).

Every number drawn here comes from a library result; these functions only place it on a picture.
"""

from __future__ import annotations

import calendar
import math
from datetime import date
from fractions import Fraction
from html import escape
from typing import Any

from endolab.hormones.presentation import format_3sf as fmt

__all__ = ["band_svg", "fmt", "iu_left_svg", "month_calendars"]


def band_svg(
    value: float,
    low: float,
    high: float,
    ref_low: float | None,
    ref_high: float | None,
    unit: str,
    label: str,
) -> str:
    """A horizontal bar: reference range (green), the prediction band (blue) and the value (line)."""
    finite_ref_high = ref_high if ref_high is not None and math.isfinite(ref_high) else None
    top = max(high, value, finite_ref_high or 0.0, (ref_low or 0.0) * 1.5) * 1.15 or 1.0
    w, h, pad = 300.0, 34.0, 6.0

    def x(v: float) -> float:
        return pad + (w - 2 * pad) * min(max(v / top, 0.0), 1.0)

    parts = [
        f'<svg class="band" viewBox="0 0 {w:g} {h:g}" role="img" '
        f'aria-label="{escape(label)}: {fmt(value)} {escape(unit)}, band {fmt(low)}–{fmt(high)}">',
        f'<rect x="{pad}" y="12" width="{w - 2 * pad:g}" height="10" fill="#eef1f4"/>',
    ]
    if ref_low is not None:
        rh = finite_ref_high if finite_ref_high is not None else top
        parts.append(
            f'<rect class="ref" x="{x(ref_low):.1f}" y="12" width="{x(rh) - x(ref_low):.1f}" '
            'height="10" fill="#b7e4c7"><title>reference range</title></rect>'
        )
    parts += [
        f'<rect class="pred-band" x="{x(low):.1f}" y="9" width="{max(x(high) - x(low), 1):.1f}" '
        'height="16" fill="#1f77b4" fill-opacity="0.35"><title>prediction band</title></rect>',
        f'<line x1="{x(value):.1f}" x2="{x(value):.1f}" y1="5" y2="29" stroke="#0b3d91" '
        'stroke-width="2.5"/>',
        f'<text x="{pad}" y="33" font-size="7" fill="#555">0</text>',
        f'<text x="{w - pad}" y="33" font-size="7" fill="#555" text-anchor="end">'
        f"{fmt(top)} {escape(unit)}</text>",
        "</svg>",
    ]
    return "".join(parts)


def month_calendars(
    dose_dates: list[date], mix_dates: list[date], discard_dates: list[date]
) -> list[dict[str, Any]]:
    """Month grids (Monday first) marking dose, mixing and discard days.

    Only the days of each month are cells with a date; the blank cells that pad a month's first
    and last week carry nothing, so a plan date is marked exactly once (in its own month).

    >>> m = month_calendars([date(2026, 1, 29), date(2026, 2, 2)], [], [])
    >>> [c["date"].isoformat() for mo in m for w in mo["weeks"] for c in w if "dose" in c["kinds"]]
    ['2026-01-29', '2026-02-02']
    """
    if not dose_dates:
        return []
    marked = set(dose_dates) | set(mix_dates) | set(discard_dates)
    first, last = min(marked), max(marked)
    months: list[dict[str, Any]] = []
    y, m = first.year, first.month
    doses, mixes, discards = set(dose_dates), set(mix_dates), set(discard_dates)
    while (y, m) <= (last.year, last.month):
        weeks = []
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(y, m):
            cells: list[dict[str, Any]] = []
            for d in week:
                if d.month != m:  # padding of the first or last week: another month's day
                    cells.append({"day": "", "kinds": [], "date": None})
                    continue
                kinds = [
                    k for k, s in (("dose", doses), ("mix", mixes), ("discard", discards)) if d in s
                ]
                cells.append({"day": d.day, "kinds": kinds, "date": d})
            weeks.append(cells)
        months.append({"title": f"{calendar.month_name[m]} {y}", "weeks": weeks})
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def iu_left_svg(plan: Any) -> str:
    """IU left in each vial after each dose (step line) with each vial's discard date as a line.

    IU left after k doses = vial IU − k × (per-draw volume × concentration), from the library's
    mix result; a vial's curve starts on its mixing date.
    """
    m = plan.mix
    per_draw_iu = Fraction(m.per_draw_ml) * Fraction(m.concentration_iu_per_ml)
    vial_iu = float(m.vial_iu)
    start: date = plan.start
    end: date = plan.end
    span = max((end - start).days, 1)
    w, h, left, right, top, bottom = 640.0, 220.0, 48.0, 12.0, 12.0, 30.0

    def x(d: date) -> float:
        return left + (w - left - right) * ((d - start).days / span)

    def y(iu: float) -> float:
        return top + (h - top - bottom) * (1 - iu / vial_iu if vial_iu else 1)

    out = [
        f'<svg class="iu-left" viewBox="0 0 {w:g} {h:g}" role="img" '
        'aria-label="IU left in each vial over the plan, with discard dates">',
        f'<line x1="{left}" y1="{y(0):.1f}" x2="{w - right}" y2="{y(0):.1f}" stroke="#999"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{y(0):.1f}" stroke="#999"/>',
        f'<text x="{left - 4}" y="{y(vial_iu) + 4:.1f}" font-size="10" text-anchor="end">'
        f"{vial_iu:g}</text>",
        f'<text x="{left - 4}" y="{y(0):.1f}" font-size="10" text-anchor="end">0</text>',
        f'<text x="12" y="{(top + h - bottom) / 2:.1f}" font-size="10" '
        f'transform="rotate(-90 12 {(top + h - bottom) / 2:.1f})" text-anchor="middle">IU left</text>',
        f'<text x="{left}" y="{h - 8}" font-size="10">{start.isoformat()}</text>',
        f'<text x="{w - right}" y="{h - 8}" font-size="10" text-anchor="end">'
        f"{end.isoformat()}</text>",
    ]
    colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2"]
    for i, v in enumerate(plan.vials):
        c = colours[i % len(colours)]
        pts = [(x(v.mix_date), y(vial_iu))]
        left_iu = Fraction(m.vial_iu)
        for d in v.dose_dates:
            pts.append((x(d), y(float(left_iu))))
            left_iu -= per_draw_iu
            pts.append((x(d), y(float(max(left_iu, Fraction(0))))))
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in pts)
        out.append(
            f'<polyline class="vial" points="{path}" fill="none" stroke="{c}" stroke-width="2">'
            f"<title>vial {v.number}</title></polyline>"
        )
        if v.discard_date is not None and start <= v.discard_date <= end:
            dx = x(v.discard_date)
            out.append(
                f'<line class="discard" x1="{dx:.1f}" y1="{top}" x2="{dx:.1f}" y2="{y(0):.1f}" '
                f'stroke="#d00" stroke-dasharray="4 3"><title>vial {v.number} discard '
                f"{v.discard_date.isoformat()}</title></line>"
            )
    out.append("</svg>")
    return "".join(out)
