"""Presentation of a protocol result (issue 23): the numbers table, the comparison of two regimens,
the JSON record and the curve as an SVG — one view for the CLI, the API and the web page.

Every number shown is a field of :class:`endolab.hormones.pk.ProtocolResult` (or a difference of
two such fields); this module words and places them, it computes no model quantity. The reference
ranges shaded on the curve are :data:`endolab.hormones.reference.REFERENCE_RANGES`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Any, Final

from endolab.errors import ParseError
from endolab.hormones.pk import ProtocolResult
from endolab.hormones.presentation import format_3sf
from endolab.hormones.reference import REFERENCE_RANGES

__all__ = [
    "PROTOCOL_COLUMNS",
    "ComparisonRow",
    "ProtocolRow",
    "compare_protocols",
    "parse_regimen_spec",
    "protocol_facts",
    "protocol_record",
    "protocol_rows",
    "protocol_svg",
    "regimen_label",
]

#: The predictor's hormones shown per point: (key in the hormone row, name, unit, reference key).
_HORMONES: Final = (
    ("estradiol", "Estradiol", "pg/mL", "estradiol"),
    ("dht", "DHT", "ng/dL", "dht"),
    ("free_testosterone", "Free testosterone", "pg/mL", "free_testosterone"),
)
_POINTS: Final = ("trough", "mean", "peak")


def _band(low: float | None, high: float | None) -> str:
    return "—" if low is None or high is None else f"{format_3sf(low)}–{format_3sf(high)}"


@dataclass(frozen=True)
class ProtocolRow:
    """One hormone at trough, mean (Cavg) and peak of the steady-state interval, with bands.

    ``values``/``lows``/``highs`` are in :attr:`unit`, in the order trough, mean, peak; ``None``
    where the predictor was not applied (total T outside its range).
    """

    key: str
    name: str
    unit: str
    values: tuple[float | None, float | None, float | None]
    lows: tuple[float | None, float | None, float | None]
    highs: tuple[float | None, float | None, float | None]
    ref_low: float | None
    ref_high: float | None

    @property
    def texts(self) -> tuple[str, str, str]:
        """Each point as ``value (low–high)`` without the unit (3 significant figures)."""
        out = []
        for v, lo, hi in zip(self.values, self.lows, self.highs, strict=True):
            out.append("—" if v is None else f"{format_3sf(v)} ({_band(lo, hi)})")
        return out[0], out[1], out[2]

    @property
    def ref_text(self) -> str | None:
        """The reference range (``≥ low`` when open-ended), or ``None``."""
        if self.ref_low is None or self.ref_high is None:
            return None
        if math.isinf(self.ref_high):
            return f"≥ {format_3sf(self.ref_low)}"
        return f"{format_3sf(self.ref_low)}–{format_3sf(self.ref_high)}"


def _ref(key: str) -> tuple[float | None, float | None]:
    ref = REFERENCE_RANGES.get(key)
    return (None, None) if ref is None else (ref.low, ref.high)


#: Column titles of :func:`protocol_rows` after the hormone: its three :attr:`ProtocolRow.texts`
#: and its reference range.
PROTOCOL_COLUMNS: Final = ("Trough (band)", "Cavg (band)", "Peak (band)", "Reference")


def protocol_rows(result: ProtocolResult) -> list[ProtocolRow]:
    """Total T, estradiol, DHT and free T at trough, mean and peak, with bands and references.

    >>> from endolab.hormones.pk import protocol
    >>> [r.key for r in protocol_rows(protocol("cypionate", 120, 7))]
    ['total_testosterone', 'estradiol', 'dht', 'free_testosterone']
    """
    pk = result.pk
    rows = [
        ProtocolRow(
            "total_testosterone",
            "Total testosterone",
            "ng/dL",
            (pk.trough_ng_dl, pk.mean_ng_dl, pk.peak_ng_dl),
            (pk.trough_low_ng_dl, pk.mean_low_ng_dl, pk.peak_low_ng_dl),
            (pk.trough_high_ng_dl, pk.mean_high_ng_dl, pk.peak_high_ng_dl),
            *_ref("total_testosterone"),
        )
    ]
    by_point = {h["point"]: h for h in pk.hormones}
    for key, name, unit, ref_key in _HORMONES:
        suffix = "_pg_ml" if unit == "pg/mL" else "_ng_dl"

        def pick(point: str, part: str, key: str = key, suffix: str = suffix) -> float | None:
            h = by_point.get(point)
            if h is None or not h.get("predicted"):
                return None
            value = h.get(f"{key}{part}{suffix}")
            return None if value is None else float(value)

        values = tuple(pick(p, "") for p in _POINTS)
        lows = tuple(pick(p, "_low") for p in _POINTS)
        highs = tuple(pick(p, "_high") for p in _POINTS)
        rows.append(
            ProtocolRow(key, name, unit, values, lows, highs, *_ref(ref_key))  # type: ignore[arg-type]
        )
    return rows


def protocol_facts(result: ProtocolResult) -> list[tuple[str, str]]:
    """The interval's other numbers as (label, text with unit).

    >>> from endolab.hormones.pk import protocol
    >>> [label for label, _ in protocol_facts(protocol("cypionate", 120, 7))]
    ['Peak at', 'Fluctuation index (peak − trough)/Cavg', '90 % of steady state after']
    """
    pk = result.pk
    return [
        ("Peak at", f"{format_3sf(pk.peak_time_days)} days after a dose"),
        ("Fluctuation index (peak − trough)/Cavg", f"{format_3sf(pk.fluctuation_index)}"),
        ("90 % of steady state after", f"{format_3sf(pk.days_to_90pct_steady_state)} days"),
    ]


# ------------------------------------------------------------------ comparison of two regimens

#: The keys of a regimen given as text (``--compare``), with the parameter each one sets.
SPEC_KEYS: Final = {"ester": "ester", "dose": "dose_mg", "every": "every_days"}


def parse_regimen_spec(text: str) -> dict[str, str]:
    """Read ``"ester=enanthate,dose=250,every=14"`` (dose [mg], every [days]) into its parts.

    Values stay text: :func:`endolab.hormones.pk.protocol` checks them with its own messages.

    >>> parse_regimen_spec("ester=enanthate, dose=250, every=14")
    {'ester': 'enanthate', 'dose_mg': '250', 'every_days': '14'}
    """
    out: dict[str, str] = {}
    for part in str(text).split(","):
        key, sep, value = part.partition("=")
        name = SPEC_KEYS.get(key.strip().lower())
        if not sep or name is None or not value.strip() or name in out:
            raise ParseError(
                f"compare: `{text}` is not ester=NAME,dose=MG,every=DAYS (e.g. "
                "ester=enanthate,dose=250,every=14)",
                code="E_COMPARE_FORMAT",
                field="compare",
                value=text,
            )
        out[name] = value.strip()
    if len(out) != len(SPEC_KEYS):
        missing = ", ".join(k for k, v in SPEC_KEYS.items() if v not in out)
        raise ParseError(
            f"compare: `{text}` lacks {missing}; give ester=NAME,dose=MG,every=DAYS",
            code="E_COMPARE_FORMAT",
            field="compare",
            value=text,
        )
    return out


@dataclass(frozen=True)
class ComparisonRow:
    """One quantity of regimen A beside regimen B, and B − A, in :attr:`unit`."""

    key: str
    name: str
    unit: str
    a: float | None
    b: float | None

    @property
    def difference(self) -> float | None:
        """B − A [unit], or ``None`` when either is missing."""
        return None if self.a is None or self.b is None else self.b - self.a

    @property
    def texts(self) -> tuple[str, str, str]:
        """A, B and B − A (signed), 3 significant figures, without the unit."""
        d = self.difference
        diff = "—" if d is None else ("+" if d > 0 else "") + format_3sf(d)
        return format_3sf(self.a), format_3sf(self.b), diff


def regimen_label(result: ProtocolResult) -> str:
    """``cypionate 120 mg every 3.5 days``.

    >>> from endolab.hormones.pk import protocol
    >>> regimen_label(protocol("cypionate", 120, 3.5))
    'cypionate 120 mg every 3.5 days'
    """
    g = result.pk.regimen
    unit = "mg T/day" if g.ester == "gel" else "mg"
    return f"{g.ester} {format_3sf(g.dose_mg)} {unit} every {g.interval_days:g} days"


def compare_protocols(a: ProtocolResult, b: ProtocolResult) -> list[ComparisonRow]:
    """Regimen A beside regimen B: total T (trough, Cavg, peak, fluctuation) and the predicted
    estradiol, DHT and free T at trough, Cavg and peak.

    >>> from endolab.hormones.pk import protocol
    >>> rows = compare_protocols(protocol("cypionate", 120, 7), protocol("cypionate", 60, 3.5))
    >>> rows[0].name, rows[0].unit
    ('Total T trough', 'ng/dL')
    """
    out: list[ComparisonRow] = []
    label = {"trough": "trough", "mean": "Cavg", "peak": "peak"}
    rows_a, rows_b = protocol_rows(a), protocol_rows(b)
    for ra, rb in zip(rows_a, rows_b, strict=True):
        short = "Total T" if ra.key == "total_testosterone" else ra.name
        for i, point in enumerate(_POINTS):
            out.append(
                ComparisonRow(
                    f"{ra.key}_{point}",
                    f"{short} {label[point]}",
                    ra.unit,
                    ra.values[i],
                    rb.values[i],
                )
            )
        if ra.key == "total_testosterone":
            out.append(
                ComparisonRow(
                    "fluctuation_index",
                    "Fluctuation index",
                    "dimensionless",
                    a.pk.fluctuation_index,
                    b.pk.fluctuation_index,
                )
            )
    return out


def protocol_record(a: ProtocolResult, b: ProtocolResult | None = None) -> dict[str, Any]:
    """The JSON record of ``hormones protocol --json`` and of ``POST /api/v1/hormones/protocol``.

    Regimen A's :meth:`~endolab.hormones.pk.ProtocolResult.to_dict`; with a second regimen also
    ``compare`` (B's record) and ``comparison`` (the rows of :func:`compare_protocols`, unit in
    every row). The front ends add the disclaimer.
    """
    out = a.to_dict()
    if b is not None:
        out["compare"] = b.to_dict()
        out["comparison"] = [
            {
                "key": r.key,
                "name": r.name,
                "unit": r.unit,
                "a": r.a,
                "b": r.b,
                "b_minus_a": r.difference,
            }
            for r in compare_protocols(a, b)
        ]
    return out


# ------------------------------------------------------------------ the curve as SVG

_W: Final = 640.0
_LEFT: Final = 60.0
_RIGHT: Final = 624.0
_TT_TOP: Final = 48.0
_TT_BOTTOM: Final = 228.0
_E2_TOP: Final = 272.0
_E2_BOTTOM: Final = 372.0
_H: Final = 410.0


def _nice_top(x: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k that is ≥ x (the axis' upper end)."""
    if x <= 0 or not math.isfinite(x):
        return 1.0
    scale = 10.0 ** math.floor(math.log10(x))
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        if m * scale >= x:
            return m * scale
    return 10.0 * scale  # pragma: no cover


def _path(xs: list[float], ys: list[float]) -> str:
    return "M" + " L".join(f"{x:.2f},{y:.2f}" for x, y in zip(xs, ys, strict=True))


def protocol_svg(result: ProtocolResult, *, title: str | None = None) -> str:
    """The steady-state curve over two dosing intervals as an inline SVG (no script, no fonts).

    Top panel: total T [ng/dL] — the central curve (``path.tt``), its band (``path.tt-band``), the
    reference range shaded, trough (``.trough``) and peak (``.peak``) marked in both intervals.
    Bottom panel: the predicted estradiol [pg/mL] (``path.e2``) with its reference range shaded.
    The root carries the axes' mapping as data attributes (``data-x0``: pixel of day 0,
    ``data-px-per-day``, ``data-tt-y0``: pixel of 0 ng/dL, ``data-tt-px-per-unit``, and
    ``data-e2-y0``, ``data-e2-px-per-unit``), so that every drawn point can be read back into days
    and ng/dL (or pg/mL); the path coordinates are rounded to 0.01 px.

    >>> from endolab.hormones.pk import protocol
    >>> svg = protocol_svg(protocol("cypionate", 120, 3.5))
    >>> svg.startswith("<svg") and 'class="tt"' in svg and 'class="e2"' in svg
    True
    """
    pk = result.pk
    g = pk.regimen
    tau = g.interval_days
    times = list(pk.times_days)
    span = times[-1] if times and times[-1] > 0 else 2 * tau
    ref_t = REFERENCE_RANGES["total_testosterone"]
    ref_e = REFERENCE_RANGES["estradiol"]
    tt_top = _nice_top(max([*pk.curve_high_ng_dl, *pk.curve_ng_dl, ref_t.high]) * 1.05)
    e2_values = [v for v in result.estradiol_curve_pg_ml if v is not None]
    e2_top = _nice_top(max([*e2_values, ref_e.high]) * 1.05)
    px_day = (_RIGHT - _LEFT) / span
    tt_px = (_TT_BOTTOM - _TT_TOP) / tt_top
    e2_px = (_E2_BOTTOM - _E2_TOP) / e2_top

    def x(t: float) -> float:
        return _LEFT + t * px_day

    def ytt(v: float) -> float:
        return _TT_BOTTOM - min(max(v, 0.0), tt_top) * tt_px

    def ye2(v: float) -> float:
        return _E2_BOTTOM - min(max(v, 0.0), e2_top) * e2_px

    label = title or f"{regimen_label(result)}, steady state ({pk.model})"
    aria = (
        f"{label}: total testosterone trough {format_3sf(pk.trough_ng_dl)} ng/dL, peak "
        f"{format_3sf(pk.peak_ng_dl)} ng/dL at {format_3sf(pk.peak_time_days)} days, Cavg "
        f"{format_3sf(pk.mean_ng_dl)} ng/dL"
    )
    parts = [
        f'<svg class="pk-curve" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W:g} {_H:g}" '
        f'role="img" aria-label="{escape(aria)}" data-x0="{_LEFT:g}" '
        f'data-px-per-day="{px_day!r}" data-tt-y0="{_TT_BOTTOM:g}" data-tt-px-per-unit="{tt_px!r}" '
        f'data-e2-y0="{_E2_BOTTOM:g}" data-e2-px-per-unit="{e2_px!r}" '
        f'data-peak-ng-dl="{pk.peak_ng_dl!r}" data-trough-ng-dl="{pk.trough_ng_dl!r}" '
        f'data-mean-ng-dl="{pk.mean_ng_dl!r}" data-peak-time-days="{pk.peak_time_days!r}" '
        f'data-interval-days="{tau!r}">',
        f"<title>{escape(aria)}</title>",
        f'<text x="{_LEFT:g}" y="14" font-size="12" fill="#222">{escape(label)}</text>',
    ]
    # reference ranges
    parts.append(
        f'<rect class="ref tt-ref" x="{_LEFT:g}" y="{ytt(ref_t.high):.2f}" '
        f'width="{_RIGHT - _LEFT:g}" height="{ytt(ref_t.low) - ytt(ref_t.high):.2f}" '
        f'fill="#b7e4c7" fill-opacity="0.45"><title>total T reference {format_3sf(ref_t.low)}–'
        f"{format_3sf(ref_t.high)} ng/dL (Travison 2017)</title></rect>"
    )
    parts.append(
        f'<rect class="ref e2-ref" x="{_LEFT:g}" y="{ye2(ref_e.high):.2f}" '
        f'width="{_RIGHT - _LEFT:g}" height="{ye2(ref_e.low) - ye2(ref_e.high):.2f}" '
        f'fill="#b7e4c7" fill-opacity="0.45"><title>estradiol reference {format_3sf(ref_e.low)}–'
        f"{format_3sf(ref_e.high)} pg/mL (Verdonk 2019)</title></rect>"
    )
    # axes, ticks at 0, ½ and the top; days at every interval and half interval
    for y0, top, px, unit, name in (
        (_TT_BOTTOM, tt_top, tt_px, "ng/dL", "total T"),
        (_E2_BOTTOM, e2_top, e2_px, "pg/mL", "estradiol"),
    ):
        parts.append(
            f'<line x1="{_LEFT:g}" x2="{_RIGHT:g}" y1="{y0:g}" y2="{y0:g}" stroke="#555"/>'
            f'<line x1="{_LEFT:g}" x2="{_LEFT:g}" y1="{y0 - top * px:.2f}" y2="{y0:g}" '
            'stroke="#555"/>'
        )
        for v in (0.0, top / 2, top):
            parts.append(
                f'<text x="{_LEFT - 4:g}" y="{y0 - v * px + 4:.2f}" font-size="10" '
                f'text-anchor="end" fill="#555">{format_3sf(v)}</text>'
            )
        parts.append(
            f'<text x="{_LEFT:g}" y="{y0 - top * px - 6:.2f}" font-size="10" fill="#555" '
            f'dx="4">{name} [{unit}]</text>'
        )
    for k in range(5):
        t = k * span / 4
        parts.append(
            f'<text x="{x(t):.2f}" y="{_E2_BOTTOM + 14:g}" font-size="10" text-anchor="middle" '
            f'fill="#555">{t:g}</text>'
        )
    parts.append(
        f'<text x="{(_LEFT + _RIGHT) / 2:g}" y="{_E2_BOTTOM + 30:g}" font-size="10" '
        'text-anchor="middle" fill="#555">days after a dose [day]</text>'
    )
    # the band, the curves, the marks
    xs = [x(t) for t in times]
    band = (
        _path(xs, [ytt(v) for v in pk.curve_high_ng_dl])
        + " L"
        + " L".join(
            f"{xx:.2f},{ytt(v):.2f}"
            for xx, v in zip(reversed(xs), reversed(pk.curve_low_ng_dl), strict=True)
        )
    )
    parts.append(
        f'<path class="tt-band" d="{band} Z" fill="#1f77b4" fill-opacity="0.2">'
        "<title>band (central 95 %)</title></path>"
    )
    parts.append(
        f'<path class="tt" d="{_path(xs, [ytt(v) for v in pk.curve_ng_dl])}" fill="none" '
        'stroke="#0b3d91" stroke-width="2"/>'
    )
    # estradiol: one path per run of predicted points
    runs: list[list[int]] = [[]]
    for i, e2_value in enumerate(result.estradiol_curve_pg_ml):
        if e2_value is None:
            runs.append([])
        else:
            runs[-1].append(i)
    e2 = result.estradiol_curve_pg_ml
    for run in (r for r in runs if r):
        d = _path([xs[i] for i in run], [ye2(e2[i] or 0.0) for i in run])
        parts.append(f'<path class="e2" d="{d}" fill="none" stroke="#b5651d" stroke-width="2"/>')
    n_int = max(1, round(span / tau)) if tau > 0 else 1
    for k in range(n_int):
        tp, tr = pk.peak_time_days + k * tau, k * tau
        parts.append(
            f'<circle class="peak" data-k="{k}" cx="{x(tp):.2f}" cy="{ytt(pk.peak_ng_dl):.2f}" r="4" '
            f'fill="#c62828"><title>peak {format_3sf(pk.peak_ng_dl)} ng/dL at '
            f"{format_3sf(tp)} days</title></circle>"
        )
        parts.append(
            f'<circle class="trough" data-k="{k}" cx="{x(tr):.2f}" cy="{ytt(pk.trough_ng_dl):.2f}" '
            f'r="4" fill="#6a1b9a"><title>trough {format_3sf(pk.trough_ng_dl)} ng/dL at '
            f"{format_3sf(tr)} days</title></circle>"
        )
    parts.append(
        f'<text x="{x(pk.peak_time_days) + 6:.2f}" y="{ytt(pk.peak_ng_dl) - 6:.2f}" '
        f'font-size="10" fill="#c62828">peak {format_3sf(pk.peak_ng_dl)}</text>'
        f'<text x="{_LEFT + 6:g}" y="{ytt(pk.trough_ng_dl) + 14:.2f}" font-size="10" '
        f'fill="#6a1b9a">trough {format_3sf(pk.trough_ng_dl)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
