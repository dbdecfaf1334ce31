"""Ambulatory Glucose Profile: percentile curves by time of day and the AGP report figure.

AGP (Johnson ML, Martens TW, Criego AB, et al. Utilizing the Ambulatory Glucose Profile to
standardize and implement continuous glucose monitoring in clinical practice. *Diabetes Technol
Ther* 2019;21(S2):S2-17–S2-25, doi:10.1089/dia.2019.0034; Battelino 2019, doi:10.2337/dci19-0028):
all days are collapsed onto one 24-hour "modal day"; the median, the 25th–75th and the 5th–95th
percentiles are drawn against time of day.

Choices [A]: percentiles are computed from the raw readings falling in each time-of-day bin of
``bin_minutes`` (default 15 min: with 14 days at 5 min, 42 readings per bin), with linear
interpolation between order statistics (R type 7), and no smoothing. R iglu's ``plot_agp``
interpolates onto a 5-min grid first and can smooth the curves; the curves therefore differ in
detail, not in level.
"""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import polars as pl

from endolab.cgm.frame import ensure_canonical
from endolab.cgm.schema import (
    TAR_LEVEL1_MG_DL,
    TAR_LEVEL2_MG_DL,
    TBR_LEVEL1_MG_DL,
    TBR_LEVEL2_MG_DL,
    TIR_HIGH_MG_DL,
    TIR_LOW_MG_DL,
)
from endolab.errors import InputError
from endolab.output import DISCLAIMER
from endolab.units import GLUCOSE_MG_DL_PER_MMOL_L, normalize_unit

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "AGP_PERCENTILES",
    "AGP_SMOOTH_MINUTES",
    "AGP_Y_MAX_MG_DL",
    "agp_figure",
    "agp_metrics",
    "agp_percentiles",
    "sufficiency_text",
]

#: Percentiles of the AGP (Johnson 2019; R iglu ``agp``): 5, 25, 50, 75, 95.
AGP_PERCENTILES: Final = (5, 25, 50, 75, 95)


def _select(frame: Any, subject_id: str | None) -> pl.DataFrame:
    data = ensure_canonical(frame)
    if subject_id is not None:
        data = data.filter(pl.col("id") == str(subject_id))
        if data.height == 0:
            raise InputError(
                f"subject {subject_id!r} not found; subjects: "
                f"{', '.join(ensure_canonical(frame)['id'].unique().sort().head(10).to_list())}",
                field="id",
                value=subject_id,
            )
    return data


def agp_percentiles(
    frame: Any,
    subject_id: str | None = None,
    *,
    bin_minutes: int = 15,
    percentiles: tuple[float, ...] = AGP_PERCENTILES,
    unit: str = "mg/dL",
) -> pl.DataFrame:
    """Glucose percentiles by time of day (the AGP curves).

    Parameters
    ----------
    frame
        Canonical CGM frame.
    subject_id
        One subject, or ``None`` for every subject (one curve set per id).
    bin_minutes
        Width of the time-of-day bins [min]; must divide 1440 (1 … 240).
    percentiles
        Percentiles [%] (default 5, 25, 50, 75, 95).
    unit
        Unit of the percentile columns: ``"mg/dL"`` or ``"mmol/L"``.

    Returns
    -------
    polars.DataFrame
        ``id``, ``bin_start_min`` (minutes after midnight, start of the bin), ``n`` (readings in
        the bin), and ``p5``, ``p25``, ``p50``, ``p75``, ``p95`` [unit]. Bins without readings are
        absent.

    References
    ----------
    Johnson ML et al. Utilizing the Ambulatory Glucose Profile to standardize and implement continuous
    glucose monitoring in clinical practice. Diabetes Technol Ther 2019;21(S2):S2-17–S2-25,
    doi:10.1089/dia.2019.0034; Battelino T et al. Diabetes Care 2019;42(8):1593–1603,
    doi:10.2337/dci19-0028.

    >>> import polars as pl, datetime as dt
    >>> f = pl.DataFrame({"id": ["a"] * 3, "time": [dt.datetime(2024, 1, d, 8, 2) for d in (1, 2, 3)],
    ...                   "gl": [100.0, 140.0, 120.0]})
    >>> agp_percentiles(f, "a", bin_minutes=60).select("bin_start_min", "n", "p50").rows()
    [(480, 3, 120.0)]
    """
    if not isinstance(bin_minutes, int) or not 1 <= bin_minutes <= 240 or 1440 % bin_minutes:
        raise InputError(
            f"bin_minutes must be a whole number of minutes from 1 to 240 dividing 1440, got "
            f"{bin_minutes!r}",
            field="bin_minutes",
            value=bin_minutes,
        )
    for p in percentiles:
        if not 0 <= p <= 100:
            raise InputError(f"percentile {p} out of range 0–100", field="percentiles", value=p)
    out_unit = normalize_unit(unit, quantity="glucose")
    scale = 1.0 if out_unit == "mg/dL" else 1.0 / GLUCOSE_MG_DL_PER_MMOL_L
    data = _select(frame, subject_id)
    minute = pl.col("time").dt.hour().cast(pl.Int32) * 60 + pl.col("time").dt.minute().cast(
        pl.Int32
    )
    binned = data.with_columns(((minute // bin_minutes) * bin_minutes).alias("bin_start_min"))
    return (
        binned.group_by("id", "bin_start_min")
        .agg(
            pl.len().alias("n"),
            *[
                (pl.col("gl").quantile(p / 100.0, interpolation="linear") * scale).alias(f"p{p:g}")
                for p in percentiles
            ],
        )
        .sort("id", "bin_start_min")
    )


#: Default top of the AGP's y-axis [mg/dL]: the same for every subject [A] (CGM readings stop at
#: 400 mg/dL; "High" is stored as 401).
AGP_Y_MAX_MG_DL: Final = 400.0

#: Width of the centred moving average of ``agp_figure(smooth=True)`` [min] [A].
AGP_SMOOTH_MINUTES: Final = 60


def _smoothed(values: Any, bins: int) -> Any:
    """Centred circular moving average of ``values`` over ``bins`` bins (odd: rounded up).

    >>> _smoothed(np.array([0.0, 0.0, 3.0, 0.0]), 3).tolist()
    [0.0, 1.0, 1.0, 1.0]
    """
    width = max(1, int(bins) | 1)
    half = width // 2
    data = np.asarray(values, dtype=float)
    padded = np.concatenate([data[-half:], data, data[:half]]) if half else data
    return np.convolve(padded, np.ones(width) / width, mode="valid")


def sufficiency_text(
    days_worn: float | None,
    active_percent: float | None,
    median_interval_min: float | None = None,
) -> tuple[str, bool]:
    """The AGP's sufficiency line, decided on the values **as shown** (rounded down to 0.1).

    Rounding down keeps the shown values and the decision consistent: 13.997 days is shown as
    13.9 d and is insufficient; 14.0 is shown as 14.0 and is sufficient (2019 consensus: ≥ 14 days
    and ≥ 70 % CGM active). A typical (median) interval between readings above
    :data:`~endolab.cgm.metrics.CGM_MAX_INTERVAL_MIN` (15 min) is not CGM data [A]: the line says
    so first, whatever the other figures.

    >>> sufficiency_text(13.997, 95.0)
    ('Insufficient data: 13.9 d of data (< 14 d needed)', False)
    >>> sufficiency_text(14.0, 70.0)[1]
    True
    >>> sufficiency_text(21.0, 0.19, 10080.0)[0][:60]
    'Insufficient data: median interval 7 days: not CGM data?; 0.'
    """
    from endolab.cgm.metrics import CGM_MAX_INTERVAL_MIN, interval_text

    if days_worn is None or active_percent is None:
        return "Insufficient data: too few readings", False
    days, active = _floor1(days_worn), _floor1(active_percent)
    short = []
    if median_interval_min is not None and median_interval_min > CGM_MAX_INTERVAL_MIN:
        short.append(f"median interval {interval_text(median_interval_min)}: not CGM data?")
    if days_worn < 14:
        short.append(f"{days:.1f} d of data (< 14 d needed)")
    if active_percent < 70:
        short.append(f"{active:.1f} % CGM active (< 70 % needed)")
    if short:
        return "Insufficient data: " + "; ".join(short), False
    return "Data sufficient (≥ 14 d, ≥ 70 % active)", True


def agp_metrics(frame: Any, subject_id: str) -> dict[str, Any]:
    """The consensus metrics of the AGP panel of one subject, with its sufficiency verdict.

    The row of :func:`endolab.cgm.compute_metrics` (core set, mg/dL) plus ``sufficiency``: the
    panel's line (:func:`sufficiency_text`), and ``sufficient``: whether the panel calls the data
    sufficient (the line's verdict and ``sufficient_2019`` both true). Front ends report these
    next to the figure (``endolab cgm agp --json``).
    """
    from endolab.cgm.compute import compute_metrics

    row: dict[str, Any] = compute_metrics(_select(frame, subject_id)).row(0, named=True)
    verdict, ok = sufficiency_text(
        row["days_worn"], row["active_percent"], row.get("median_interval_min")
    )
    row["sufficiency"] = verdict
    row["sufficient"] = ok and bool(row["sufficient_2019"])
    return row


def _floor1(value: float) -> float:
    return math.floor(value * 10.0) / 10.0


def _opt_floor(value: float | None) -> float | None:
    return None if value is None else _floor1(value)


_RANGE_COLOURS: Final = {
    "very_high": "#e8590c",
    "high": "#fcc419",
    "target": "#2f9e44",
    "low": "#e03131",
    "very_low": "#862e2e",
}


def agp_figure(
    frame: Any,
    subject_id: str,
    *,
    unit: str = "mg/dL",
    title: str | None = None,
    bin_minutes: int = 15,
    smooth: bool = False,
    y_max: float | None = None,
    metrics: dict[str, Any] | None = None,
) -> Figure:
    """AGP report for one subject: the modal-day percentile curves and the consensus metrics panel.

    ``smooth=True`` draws each percentile curve as a centred moving average over
    :data:`AGP_SMOOTH_MINUTES` of bins, wrapping around midnight (the curves of the published AGP
    report are smoothed, but no smoothing formula is published with the consensus [A]); the
    metrics are never smoothed. The y-axis runs from 0 to ``y_max`` in the output unit (default
    :data:`AGP_Y_MAX_MG_DL` = 400 mg/dL, 22.2 mmol/L), the same for every subject so that AGPs can
    be compared side by side; it is raised only if a 95th percentile lies above it.

    The panel shows the five consensus ranges as a stacked bar (very high > 250, high 181–250,
    target 70–180, low 54–69, very low < 54 mg/dL; Battelino 2019) and mean glucose, GMI, CV,
    active %, days of data and whether the 2019 sufficiency rule (≥ 14 days, ≥ 70 % active) holds.

    ``metrics``: the panel's figures from :func:`agp_metrics` of the same frame and subject, when
    the caller has them already (else they are computed here).

    Returns a :class:`matplotlib.figure.Figure` built without pyplot (no global state); save it with
    ``fig.savefig("agp.png", dpi=150)`` or ``"agp.svg"``.
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    out_unit = normalize_unit(unit, quantity="glucose")
    scale = 1.0 if out_unit == "mg/dL" else 1.0 / GLUCOSE_MG_DL_PER_MMOL_L
    data = _select(frame, subject_id)
    curves = agp_percentiles(data, str(subject_id), bin_minutes=bin_minutes, unit=out_unit)
    m = metrics if metrics is not None else agp_metrics(data, str(subject_id))

    fig = Figure(figsize=(11.0, 6.2), layout="constrained")
    grid = fig.add_gridspec(1, 2, width_ratios=(1.0, 2.7))
    panel = fig.add_subfigure(grid[0, 0])
    ax = fig.add_subplot(grid[0, 1])
    fig.suptitle(
        title or f"Ambulatory Glucose Profile — {subject_id}", fontsize=13, x=0.02, ha="left"
    )

    # --- AGP curves --------------------------------------------------------------------------
    x = (curves["bin_start_min"].to_numpy() + bin_minutes / 2.0) / 60.0
    if smooth:
        width = round(AGP_SMOOTH_MINUTES / bin_minutes)
        curves = curves.with_columns(
            pl.Series(p, _smoothed(curves[p].to_numpy(), width))
            for p in ("p5", "p25", "p50", "p75", "p95")
        )
    ax.axhspan(TIR_LOW_MG_DL * scale, TIR_HIGH_MG_DL * scale, color="#2f9e44", alpha=0.08, lw=0)
    for level in (TIR_LOW_MG_DL, TIR_HIGH_MG_DL):
        ax.axhline(level * scale, color="#2f9e44", lw=1.0)
    for level in (TBR_LEVEL2_MG_DL, TAR_LEVEL2_MG_DL):
        ax.axhline(level * scale, color="#868e96", lw=0.8, ls="--")
    ax.fill_between(
        x, curves["p5"], curves["p95"], color="#4c6ef5", alpha=0.18, lw=0, label="5–95 %"
    )
    ax.fill_between(
        x, curves["p25"], curves["p75"], color="#4c6ef5", alpha=0.40, lw=0, label="25–75 %"
    )
    ax.plot(x, curves["p50"], color="#1c2f8c", lw=2.0, label="median")
    ax.set_xlim(0, 24)
    ax.set_xticks(range(0, 25, 3))
    ax.set_xticklabels([f"{h:02d}:00" for h in range(0, 25, 3)])
    p95_max = curves.select(pl.col("p95").max()).item()
    top = AGP_Y_MAX_MG_DL * scale if y_max is None else float(y_max)
    if p95_max is not None and p95_max > top:
        top = p95_max * 1.05
    ax.set_ylim(0, top)
    ax.set_xlabel("Time of day [h]")
    ax.set_ylabel(f"Glucose [{out_unit}]")
    ax.grid(alpha=0.25)
    ax.legend(loc="upper right", fontsize=8, frameon=False, ncols=3)
    ax.set_title(
        f"Modal day: percentiles of {m['n_readings']} readings, {bin_minutes}-min bins",
        fontsize=10,
        loc="left",
    )

    # --- metrics panel ------------------------------------------------------------------------
    def lim(mg_dl: float) -> str:
        return f"{mg_dl:g}" if scale == 1.0 else f"{mg_dl * scale:.1f}"

    bar_ax = panel.add_axes((0.08, 0.38, 0.22, 0.54))
    bands = [
        ("very_low", m["tbr_54"], f"Very low <{lim(TBR_LEVEL2_MG_DL)}"),
        ("low", m["tbr_54_70"], f"Low {lim(TBR_LEVEL2_MG_DL)}–<{lim(TBR_LEVEL1_MG_DL)}"),
        ("target", m["tir_70_180"], f"Target {lim(TIR_LOW_MG_DL)}–{lim(TIR_HIGH_MG_DL)}"),
        (
            "high",
            m["tar_180_250"],
            f"High >{lim(TAR_LEVEL1_MG_DL)}–{lim(TAR_LEVEL2_MG_DL)}",
        ),
        ("very_high", m["tar_250"], f"Very high >{lim(TAR_LEVEL2_MG_DL)}"),
    ]
    bottom = 0.0
    label_y: list[float] = []
    for key, pct, _ in bands:
        bar_ax.add_patch(Rectangle((0, bottom), 1, pct, color=_RANGE_COLOURS[key], lw=0))
        label_y.append(bottom + pct / 2.0)
        bottom += pct
    bar_ax.set_xlim(0, 1)
    bar_ax.set_ylim(0, 100)
    bar_ax.set_axis_off()
    # labels at least 9 % apart, kept within the bar, so thin bands stay readable
    gap = 9.0
    placed = list(label_y)
    for i in range(len(placed)):
        placed[i] = max(placed[i], placed[i - 1] + gap if i else 2.0)
    for i in range(len(placed) - 1, -1, -1):
        placed[i] = min(placed[i], placed[i + 1] - gap if i < len(placed) - 1 else 98.0)
    for (key, pct, label), y in zip(bands, placed, strict=True):
        bar_ax.annotate(
            f"{pct:.1f} %  {label}",
            xy=(1.0, label_y[bands.index((key, pct, label))]),
            xytext=(1.15, y),
            textcoords="data",
            fontsize=8.5,
            va="center",
            color=_RANGE_COLOURS[key] if key != "high" else "#b08900",
            fontweight="bold" if key == "target" else "normal",
            arrowprops={"arrowstyle": "-", "color": "#adb5bd", "lw": 0.6},
            annotation_clip=False,
        )
    panel.text(0.08, 0.955, f"Time in ranges [%] ({out_unit})", fontsize=10, fontweight="bold")

    def fmt(value: Any, spec: str) -> str:
        return "n/a" if value is None else format(value, spec)

    mean = m["mean"] * scale if m["mean"] is not None else None
    # an invalid GMI keeps a short label (the reason is the sufficiency line below the table), so
    # the label never runs into its value; the value itself is drawn in red
    gmi_valid = bool(m["sufficient_2019"])
    lines = [
        ("Mean glucose", f"{fmt(mean, '.1f' if scale != 1.0 else '.0f')} {out_unit}"),
        (
            "GMI" if gmi_valid else "GMI (not valid)",
            f"{fmt(m['gmi'], '.1f')} % ({fmt(m['gmi_mmol_mol'], '.0f')} mmol/mol)",
        ),
        ("CV (target ≤ 36 %)", f"{fmt(m['cv'], '.1f')} %"),
        ("CGM active", f"{fmt(_opt_floor(m['active_percent']), '.1f')} %"),
        ("Days of data", f"{fmt(_opt_floor(m['days_worn']), '.1f')} d"),
    ]
    y0 = 0.33
    for i, (name, value) in enumerate(lines):
        invalid = name.startswith("GMI") and not gmi_valid
        panel.text(0.08, y0 - i * 0.034, name, fontsize=9, gid=f"agp-label-{i}")
        panel.text(
            0.62,
            y0 - i * 0.034,
            value,
            fontsize=9,
            fontweight="bold",
            color="#c92a2a" if invalid else "black",
            gid=f"agp-value-{i}",
        )
    verdict, sufficient = m["sufficiency"], m["sufficient"]
    panel.text(
        0.08,
        y0 - len(lines) * 0.034 + 0.018,
        # one criterion a line (a failed criterion never runs into the plot)
        "\n".join(
            textwrap.fill(part, 48) for part in verdict.replace("data: ", "data:; ", 1).split("; ")
        ),
        fontsize=8,
        va="top",
        color="#2f9e44" if sufficient else "#c92a2a",
        gid="agp-sufficiency",
    )
    panel.text(
        0.08,
        0.005,
        textwrap.fill(DISCLAIMER, 58),
        fontsize=6.5,
        color="#495057",
        ha="left",
        va="bottom",
    )
    return fig
