"""Report figures, drawn on :class:`matplotlib.figure.Figure` objects (no pyplot global state).

* :func:`trajectory_figure` — HbA1c, daily insulin or C-peptide over study days, one line per
  participant, one panel per cohort;
* :func:`tir_figure` — CGM time in range at baseline vs the follow-up window, one line per participant;
* :func:`state_figure` — each participant's graft state at every grading visit (the registry's
  state chart), drawn from the analysis's per-visit states;
* :func:`cohort_agp_figure` / :func:`agp_figures` — ambulatory glucose profile over the follow-up
  CGM window, pooled per cohort (percentiles from ``endolab.cgm.agp_percentiles``) and, for small
  trials, one AGP report per participant (``endolab.cgm.agp_figure``).

:func:`figure_png` renders a figure to PNG bytes for embedding in the self-contained report.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Literal

import polars as pl
from matplotlib.figure import Figure

from endolab.cgm.schema import (
    HIGH_CENSORED_MG_DL,
    LOW_CENSORED_MG_DL,
    TIR_HIGH_MG_DL,
    TIR_LOW_MG_DL,
)
from endolab.notices import Notice, collect
from endolab.trial.analysis import TrialAnalysis
from endolab.trial.grading import CITR_STATE_LABELS
from endolab.trial.infusions import second_infusion_days

__all__ = [
    "AGP_PER_PARTICIPANT_MAX",
    "LEGEND_MAX",
    "agp_figures",
    "cohort_agp_figure",
    "figure_png",
    "state_figure",
    "tir_figure",
    "trajectory_figure",
]

Measure = Literal["hba1c", "insulin", "c_peptide"]

#: Most participants a trajectory panel names in its legend; a larger cohort's panel says so instead.
LEGEND_MAX = 16

_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")


def figure_png(fig: Figure, dpi: int = 110) -> bytes:
    """PNG bytes of ``fig``."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return buf.getvalue()


def _cohorts(a: TrialAnalysis) -> list[str]:
    return sorted(set(a.dataset.participants["cohort"].to_list()))


def trajectory_figure(a: TrialAnalysis, measure: Measure) -> Figure:
    """One panel per cohort: the measure over study days, one line per participant.

    ``hba1c``: HBA1C [%] with the 7.0 % line; ``insulin``: total daily insulin [U/day] (days
    without a record are gaps); ``c_peptide``: MMTT peak C-peptide [pmol/L] (solid) and fasting
    (dotted).
    """
    ds = a.dataset
    cohorts = _cohorts(a)
    fig = Figure(figsize=(4.2 * max(len(cohorts), 1), 3.4), layout="constrained")
    axes = fig.subplots(1, max(len(cohorts), 1), sharey=True, squeeze=False)[0]
    titles = {
        "hba1c": ("HbA1c [%]", "HbA1c over study days"),
        "insulin": ("Exogenous insulin [U/day]", "Daily insulin over study days"),
        "c_peptide": ("C-peptide [pmol/L]", "C-peptide over study days (solid: MMTT peak)"),
    }
    ylabel, title = titles[measure]
    for ax, cohort in zip(axes, cohorts, strict=False):
        ids = ds.participants.filter(pl.col("cohort") == cohort)["participant_id"].sort().to_list()
        for i, pid in enumerate(ids):
            colour = _COLOURS[i % len(_COLOURS)]
            if measure == "hba1c":
                sub = ds.labs.filter(
                    (pl.col("participant_id") == pid) & (pl.col("test") == "HBA1C")
                )
                ax.plot(
                    sub["day"],
                    sub["value"],
                    marker="o",
                    ms=3,
                    lw=1,
                    color=colour,
                    alpha=0.8,
                    label=pid,
                )
            elif measure == "insulin":
                sub = ds.insulin.filter(pl.col("participant_id") == pid).sort("day")
                days = sub["day"].to_numpy().astype(float)
                units = sub["total_units"].to_numpy().astype(float)
                if len(days) > 1:  # break the line where days are missing
                    import numpy as np

                    gaps = np.where(np.diff(days) > 1)[0] + 1
                    days = np.insert(days, gaps, np.nan)
                    units = np.insert(units, gaps, np.nan)
                ax.plot(days, units, lw=0.9, color=colour, alpha=0.8, label=pid)
            else:
                for test, style in (("CPEP_STIM_PEAK", "-"), ("CPEP_FASTING", ":")):
                    sub = ds.labs.filter(
                        (pl.col("participant_id") == pid) & (pl.col("test") == test)
                    )
                    ax.plot(
                        sub["day"],
                        sub["value"],
                        style,
                        marker="o",
                        ms=3,
                        lw=1,
                        color=colour,
                        label=pid if test == "CPEP_STIM_PEAK" else None,
                    )
        if measure == "hba1c":
            ax.axhline(7.0, color="grey", lw=0.8, ls="--")
        ax.axvline(0, color="black", lw=0.6)
        ax.set_title(f"Cohort {cohort} (n = {len(ids)})", fontsize=10)
        if 0 < len(ids) <= LEGEND_MAX:  # which line is whom (per-participant plots need a legend)
            ax.legend(title="Participant", fontsize=7, title_fontsize=7, loc="best", ncols=2)
        elif ids:  # a legend of more names than this would cover the panel (and break the layout)
            ax.text(0.01, 0.99, f"{len(ids)} participants: legend left out (more than "
                    f"{LEGEND_MAX}); see the listing table", transform=ax.transAxes, fontsize=7,
                    va="top")  # fmt: skip
        ax.set_xlabel("Study day (0 = first infusion)")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(ylabel)
    fig.suptitle(title, fontsize=11)
    return fig


def tir_figure(a: TrialAnalysis) -> Figure:
    """CGM TIR 70–180 mg/dL at baseline vs the follow-up window, one line per participant."""
    v = a.protocol.continuous.visit_label
    spec = a.protocol.continuous
    t = a.participants
    fig = Figure(figsize=(5.6, 4.0), layout="constrained")
    ax = fig.subplots()
    for i, cohort in enumerate(_cohorts(a)):
        sub = t.filter(pl.col("cohort") == cohort)
        colour = _COLOURS[i % len(_COLOURS)]
        first = True
        for base, follow in zip(sub["tir_baseline_pct"], sub[f"tir_{v}_pct"], strict=True):
            xs = [x for x, y in ((0, base), (1, follow)) if y is not None]
            ys = [y for y in (base, follow) if y is not None]
            if not ys:
                continue
            ax.plot(
                xs,
                ys,
                marker="o",
                ms=4,
                lw=1,
                color=colour,
                alpha=0.8,
                label=f"Cohort {cohort}" if first else None,
            )
            first = False
    ax.axhline(70, color="grey", lw=0.8, ls="--")
    ax.set_xticks(
        [0, 1],
        [
            f"Baseline\n(days {spec.tir_baseline_window[0]} to {spec.tir_baseline_window[1]})",
            f"Follow-up\n(days {spec.tir_window[0]}–{spec.tir_window[1]})",
        ],
    )
    ax.set_xlim(-0.3, 1.3)
    ax.set_ylim(0, 100)
    ax.set_ylabel(f"Time in range {TIR_LOW_MG_DL:.0f}–{TIR_HIGH_MG_DL:.0f} mg/dL [%]")
    ax.set_title("CGM time in range, baseline vs follow-up", fontsize=11)
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8, loc="lower right")
    return fig


#: Per-participant AGP reports are drawn when at most this many participants have CGM data in the
#: follow-up window [A: keeps report.html readable and the 100-participant run fast]; the pooled
#: cohort AGP is always drawn.
AGP_PER_PARTICIPANT_MAX = 24


def _canonical(a: TrialAnalysis, window: tuple[int, int], id_expr: pl.Expr) -> pl.DataFrame:
    """Canonical CGM frame (id, time, gl, censored) of the readings in ``window``."""
    cgm = a.dataset.cgm.filter(pl.col("day").is_between(window[0], window[1], closed="both"))
    cohorts = a.dataset.participants.select("participant_id", "cohort").with_row_index("_k")
    return (
        cgm.join(cohorts, on="participant_id", how="left")
        .select(
            id_expr.alias("id"),
            # When readings of several participants are pooled under one id, participant k's
            # times are shifted by k µs to keep the frame's (id, time) key unique; this has no
            # effect on the 15-min time-of-day bins of an AGP.
            (pl.col("time").cast(pl.Datetime("us")) + pl.duration(microseconds=pl.col("_k"))).alias(
                "time"
            ),
            pl.col("glucose_mg_dl").alias("gl"),
            pl.when(pl.col("glucose_mg_dl") <= LOW_CENSORED_MG_DL)
            .then(-1)
            .when(pl.col("glucose_mg_dl") >= HIGH_CENSORED_MG_DL)
            .then(1)
            .otherwise(0)
            .cast(pl.Int8)
            .alias("censored"),
        )
        .sort("id", "time")
    )


def cohort_agp_figure(a: TrialAnalysis) -> Figure | None:
    """AGP percentile bands (5–95, 25–75, median) over the follow-up CGM window, pooled per cohort.

    Percentiles by 15-min time-of-day bin from the CGM engine (:func:`endolab.cgm.agp_percentiles`,
    Johnson 2019), over every reading of the cohort's participants in
    ``protocol.continuous.tir_window``. ``None`` when no cohort has readings in the window.
    """
    from endolab.cgm import agp_percentiles

    window = a.protocol.continuous.tir_window
    frame = _canonical(a, window, pl.col("cohort").cast(pl.String))
    if frame.height == 0:
        return None
    curves = agp_percentiles(frame, None, bin_minutes=15)
    cohorts = curves["id"].unique().sort().to_list()
    fig = Figure(figsize=(4.2 * len(cohorts), 3.6), layout="constrained")
    axes = fig.subplots(1, len(cohorts), sharey=True, squeeze=False)[0]
    for ax, cohort in zip(axes, cohorts, strict=True):
        c = curves.filter(pl.col("id") == cohort)
        hours = (c["bin_start_min"].to_numpy() + 7.5) / 60
        ax.axhspan(TIR_LOW_MG_DL, TIR_HIGH_MG_DL, color="#2f9e44", alpha=0.08, lw=0)
        ax.fill_between(hours, c["p5"], c["p95"], color="#1f77b4", alpha=0.15, lw=0, label="5–95th")
        ax.fill_between(
            hours, c["p25"], c["p75"], color="#1f77b4", alpha=0.35, lw=0, label="25–75th"
        )
        ax.plot(hours, c["p50"], color="#0b3d91", lw=1.6, label="median")
        for level in (TIR_LOW_MG_DL, TIR_HIGH_MG_DL):
            ax.axhline(level, color="#2f9e44", lw=0.8)
        n = a.dataset.participants.filter(pl.col("cohort") == cohort).height
        ax.set_title(f"Cohort {cohort} (n = {n})", fontsize=10)
        ax.set_xlim(0, 24)
        ax.set_xticks([0, 6, 12, 18, 24], ["00:00", "06:00", "12:00", "18:00", "24:00"])
        ax.set_xlabel("Time of day")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("Glucose [mg/dL]")
    axes[0].legend(fontsize=8, loc="upper left")
    fig.suptitle(
        f"AGP, days {window[0]}–{window[1]}, readings pooled over each cohort's participants",
        fontsize=11,
    )
    return fig


def agp_figures(a: TrialAnalysis) -> tuple[list[tuple[str, Figure]], str | None]:
    """AGP over the follow-up CGM window: pooled per cohort, and per participant when few.

    Returns (list of (caption, figure), note). Per-participant AGP reports are drawn by the CGM
    engine (:func:`endolab.cgm.agp_result`) when at most :data:`AGP_PER_PARTICIPANT_MAX`
    participants have readings in the window; the note says when they were left out. What the
    CGM engine says on the way (e.g. a participant with a single reading in the window) is added
    to ``a.notices`` (each once): nothing is warned.
    """
    with collect() as found:
        out = _agp_figures(a)
    _add_notices(a, found)
    return out


def _add_notices(a: TrialAnalysis, notices: Sequence[Notice]) -> None:
    """Add ``notices`` to the analysis' notices, each once."""
    for n in notices:
        if n not in a.notices:
            a.notices.append(n)


def _agp_figures(a: TrialAnalysis) -> tuple[list[tuple[str, Figure]], str | None]:
    from endolab.cgm import agp_result

    window = a.protocol.continuous.tir_window
    out: list[tuple[str, Figure]] = []
    pooled = cohort_agp_figure(a)
    if pooled is None:
        return [], f"AGP figure skipped: no CGM readings in days {window[0]}–{window[1]}."
    out.append(("Ambulatory glucose profile by cohort", pooled))
    frame = _canonical(a, window, pl.col("participant_id"))
    ids = frame["id"].unique().sort().to_list()
    if len(ids) > AGP_PER_PARTICIPANT_MAX:
        return out, (
            f"Per-participant AGP reports are drawn for at most {AGP_PER_PARTICIPANT_MAX} "
            f"participants; {len(ids)} have CGM data in days {window[0]}–{window[1]}, so only the "
            "cohort AGP is shown."
        )
    for pid in ids:
        result = agp_result(
            frame, pid, title=f"Ambulatory Glucose Profile — {pid}, days {window[0]}–{window[1]}"
        )
        _add_notices(a, result.notices)
        out.append((f"Ambulatory glucose profile — {pid}", result.figure))
    return out, None


def survival_figure(a: TrialAnalysis) -> Figure | None:
    """Kaplan–Meier curves, one panel per time-to-event endpoint, a step line per cohort group with
    its 95 % band, and the numbers at risk under each panel (``None`` without a survival result)."""
    if a.survival is None:
        return None
    from endolab.trial.survival import ENDPOINTS

    days = list(a.protocol.survival.at_risk_days)
    groups = list(a.protocol.cohort_groups)
    width = max(len("At risk, day"), *(len(g) + 1 for g in groups)) + 1
    fig = Figure(figsize=(5.2 * len(ENDPOINTS), 4.6), layout="constrained")
    axes = fig.subplots(1, len(ENDPOINTS), sharey=True, squeeze=False)[0]
    for ax, (endpoint, title) in zip(axes, ENDPOINTS.items(), strict=True):
        lines = []
        for i, group in enumerate(groups):
            c = a.survival.curve(endpoint, group)
            colour = _COLOURS[i % len(_COLOURS)]
            t = c.table
            xs = [0.0, *t["time_days"].to_list()]
            ys = [1.0, *t["survival"].to_list()]
            lo = [
                1.0,
                *[v if v is not None else y for v, y in zip(t["ci_lower"], ys[1:], strict=True)],
            ]
            hi = [
                1.0,
                *[v if v is not None else y for v, y in zip(t["ci_upper"], ys[1:], strict=True)],
            ]
            if c.n:
                ax.step(xs, ys, where="post", color=colour, lw=1.6, label=f"{group} (n = {c.n})")
                ax.fill_between(xs, lo, hi, step="post", color=colour, alpha=0.12, lw=0)
            lines.append(
                f"{group + ':':<{width}}" + " ".join(f"{c.at_risk_at.get(d, 0):>3}" for d in days)
            )
        ax.set_title(title, fontsize=9.5)
        ax.set_xlabel(f"Study day (0 = {a.protocol.day0_of('survival')} infusion)")
        ax.set_xlim(0, max(days) if days else None)
        ax.set_ylim(0, 1.05)
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7, loc="lower left")
        header = f"{'At risk, day':<{width}}" + " ".join(f"{d:>3}" for d in days)
        ax.text(
            0.0,
            -0.22,
            "\n".join([header, *lines]),
            transform=ax.transAxes,
            fontsize=7,
            family="monospace",
            va="top",
        )
    axes[0].set_ylabel("Fraction free of the event (Kaplan–Meier, 95 % CI)")
    return fig


#: Colours of the registry's state chart (CITR annual reports): yellow insulin independent, green
#: graft functioning, black graft failed, grey not graded.
STATE_COLOURS: dict[str | None, str] = {
    "insulin_independent": "#f2c200",
    "graft_functioning": "#2ca02c",
    "graft_failed": "#222222",
    None: "#bbbbbb",
}


#: Above this many participants the state chart drops their names and thins its rows.
_STATE_LABELLED_MAX = 60


def state_figure(a: TrialAnalysis) -> Figure | None:
    """Participants × time coloured by each visit's state (``a.visits[pid][i]["state"]``).

    Each visit's colour spans the time since the previous visit (the first visit's, since day 0),
    as a registry chart colours the follow-up; a red triangle marks a second infusion. ``None``
    when the protocol has no grading visits or nobody was graded.
    """
    days = sorted(v.day for v in a.protocol.grading.visits)
    ids = [pid for pid in a.participants["participant_id"].to_list() if a.visits.get(pid)]
    if not days or not ids:
        return None
    day0 = a.protocol.day0_of("grading")
    # each visit colours the time since the previous visit (the first: since day 0)
    edges = [min(0.0, float(days[0]) - 1.0), *[float(d) for d in days]]
    span = {d: (edges[i], edges[i + 1] - edges[i]) for i, d in enumerate(days)}
    second = second_infusion_days(a.dataset, day0)
    labelled = len(ids) <= _STATE_LABELLED_MAX
    per_row = 0.28 if labelled else max(0.02, 14.0 / len(ids))
    fig = Figure(figsize=(8.0, 1.2 + per_row * len(ids)), layout="constrained")
    ax = fig.subplots()
    for row, pid in enumerate(reversed(ids)):
        for visit in a.visits[pid]:
            start, width = span[visit["day"]]
            ax.broken_barh(
                [(start, width)],
                (row - 0.4, 0.8),
                facecolors=STATE_COLOURS[visit["state"]],
                edgecolor="white",
                linewidth=0.5,
            )
        if pid in second:
            ax.plot(second[pid], row, marker="v", color="#d62728", markersize=7, zorder=3)
    if labelled:
        ax.set_yticks(range(len(ids)), list(reversed(ids)), fontsize=7)
    else:
        ax.set_yticks([])
        ax.set_ylabel(f"{len(ids)} participants")
    ax.set_xticks(days)
    ax.set_xlim(min([edges[0], *second.values()]), max([edges[-1], *second.values()]) + 5)
    ax.set_xlabel(f"Study day (0 = {day0} infusion)")
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Patch | Line2D] = [
        Patch(facecolor=c, label=CITR_STATE_LABELS[s]) for s, c in STATE_COLOURS.items()
    ]
    if second:
        handles.append(Line2D([], [], marker="v", color="#d62728", ls="", label="second infusion"))
    ax.legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_title("Graft state at each visit (CITR state chart)", fontsize=10)
    return fig
