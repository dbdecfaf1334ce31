"""The trial report folder: report.html, endpoints.json, participants.csv, tables.md (and figures).

:func:`run` reads and validates the dataset folder, computes everything under the protocol and writes
the report folder atomically (built in a temporary sibling folder, then renamed into place by
:func:`endolab._io.atomic_directory`); the dataset folder is only read. :func:`report_files` builds
the same files in memory (file name → bytes) and :func:`report_html` the page alone, for a front
end that serves them without a folder. ``report.html`` is rendered from the jinja2 template
``endolab/trial/templates/report.html`` (autoescaped, shipped in the package) and is
self-contained: figures are embedded as base64 PNG, the style sheet is inline, nothing is loaded from
the network.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from endolab._io import atomic_directory, check_output_path
from endolab._version import __version__
from endolab.output import DISCLAIMER
from endolab.resources import TRIAL_ANALYZE_COST, check_input_memory
from endolab.trial.analysis import TrialAnalysis, analyze
from endolab.trial.dataset import read_dataset
from endolab.trial.protocol import Protocol, load_protocol
from endolab.trial.tables import all_tables, to_markdown

__all__ = [
    "REPORT_CONTENTS",
    "REPORT_FILES",
    "describe_endpoint",
    "endpoints_json_text",
    "participants_frame",
    "provenance_sentence",
    "report_files",
    "report_html",
    "run",
    "write_report",
]

#: Files every report folder contains.
REPORT_FILES = ("report.html", "endpoints.json", "participants.csv", "tables.md")

Progress = Callable[[str], None]


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def endpoints_json_text(a: TrialAnalysis) -> str:
    """``endpoints.json`` as indented UTF-8 text (NaN written as null)."""
    return json.dumps(_clean(a.endpoints_json()), indent=2, ensure_ascii=False, allow_nan=False)


def participants_frame(a: TrialAnalysis) -> pl.DataFrame:
    """The participant listing: every endpoint, supporting value and grade, one row each.

    Columns: those of :attr:`TrialAnalysis.participants` (``<endpoint>__<what>`` are supporting
    values), then for each grading visit ``d`` the columns ``igls1_outcome_day<d>``,
    ``igls2_outcome_day<d>``, ``igls2_beta_cell_function_day<d>``, ``beta_score_day<d>``,
    ``beta2_day<d>`` and ``state_day<d>`` (the registry's graft state).
    """
    frame = a.participants
    extra: list[dict[str, Any]] = []
    for pid in frame["participant_id"].to_list():
        row: dict[str, Any] = {"participant_id": pid}
        for visit in a.visits.get(pid, []):
            d = visit["day"]
            for key in (
                "igls1_outcome",
                "igls2_outcome",
                "igls2_beta_cell_function",
                "beta_score",
                "beta2",
                "state",
            ):
                row[f"{key}_day{d}"] = visit[key]
        extra.append(row)
    if a.protocol.grading.visits and extra:
        schema: dict[str, Any] = {"participant_id": pl.String}
        for gv in a.protocol.grading.visits:
            d = gv.day
            schema.update(
                {
                    f"igls1_outcome_day{d}": pl.String,
                    f"igls2_outcome_day{d}": pl.String,
                    f"igls2_beta_cell_function_day{d}": pl.String,
                    f"beta_score_day{d}": pl.Int64,
                    f"beta2_day{d}": pl.Float64,
                    f"state_day{d}": pl.String,
                }
            )
        frame = frame.join(pl.DataFrame(extra, schema=schema), on="participant_id", how="left")
    return frame


def provenance_sentence(a: TrialAnalysis) -> str:
    """The statement of what the numbers are: computed from the provided data under the protocol."""
    p = a.protocol
    ref = f"; {p.reference}" if p.reference else ""
    if a.dataset.simulated:
        sim = a.dataset.simulation or {}
        return (
            f"Computed by endolab {__version__} from an IN-SILICO dataset ({a.dataset.label}, "
            f"{a.dataset.participants.height} virtual participants, {sim.get('model', 'endolab.sim')}, "
            f"seed {sim.get('seed', '?')}) under protocol {p.name} ({p.title}{ref}). These are "
            "simulated results, never clinical evidence; severe hypoglycaemia is an in-silico "
            "event model (unnoticed neuroglycopenia treated by a third party) and adverse events "
            "other than severe hypoglycaemia are not simulated."
        )
    return (
        f"Computed by endolab {__version__} from the participant-level data provided in "
        f"{a.dataset.label} ({a.dataset.participants.height} "
        f"participants) under protocol {p.name} ({p.title}{ref}). These are results computed from "
        "the provided data, not a simulation and not in-silico results."
    )


#: The report page's template (autoescaped; its style sheet is templates/report.css).
REPORT_TEMPLATE = "report.html"


def _days(window: tuple[int, int]) -> str:
    first, last = (str(d).replace("-", "−") for d in window)
    return f"days {first} to {last}"


def _pct(fraction: float) -> str:
    return f"{100 * fraction:g} %"


def describe_endpoint(ep: Any, labels: dict[str, str] | None = None) -> str:
    """One plain-language sentence defining a binary endpoint of a protocol (for the report).

    >>> from endolab.trial.protocol import load_protocol
    >>> p = load_protocol("zimislecel-2025")
    >>> describe_endpoint(p.endpoints["she_free_90_365"])
    'No severe hypoglycaemic event (SHE) starting in days 90 to 365.'
    """
    kind = ep.kind
    if kind == "she_free":
        return f"No severe hypoglycaemic event (SHE) starting in {_days(ep.window)}."
    if kind == "hba1c_response":
        return (
            f"At least one HbA1c in {_days(ep.window)} below {ep.below_pct:g} %, or at least "
            f"{ep.fall_pct:g} percentage point(s) below the participant's baseline HbA1c."
        )
    if kind == "hba1c_last_below":
        return f"The last HbA1c in {_days(ep.window)} is below {ep.below_pct:g} %."
    if kind == "insulin_independent":
        return (
            f"No insulin taken on any recorded day in {_days(ep.window)}, with insulin records "
            f"on at least {_pct(ep.min_coverage)} of the window's days."
        )
    if kind == "tir_above":
        return (
            f"CGM time in range 70–180 mg/dL above {ep.above_pct:g} % over {_days(ep.window)}, "
            f"with CGM data covering at least {_pct(ep.min_sufficiency)} of the window."
        )
    if kind == "c_peptide_detected":
        after = str(ep.after_day).replace("-", "−")
        return f"Any fasting or meal-stimulated C-peptide above 0 on a day after day {after}."
    if kind == "all_of":
        names = [(labels or {}).get(c, c) for c in ep.components]
        return "All of: " + "; ".join(names) + " (missing if any part is missing and none fails)."
    return str(ep.label or kind)


def _definitions(p: Protocol) -> list[str]:
    labels = {key: ep.label or key.replace("_", " ") for key, ep in p.endpoints.items()}
    return [f"{labels[key]}: {describe_endpoint(ep, labels)}" for key, ep in p.endpoints.items()]


def day0_sentence(p: Protocol) -> str:
    """Which infusion is day 0, in one sentence (the protocol's ``[infusions]`` rules).

    >>> from endolab.trial.protocol import load_protocol
    >>> print(day0_sentence(load_protocol()))  # doctest: +NORMALIZE_WHITESPACE
    Day 0 is the first infusion: a date D is on day (D − infusion date) in days; a second infusion
    moves no window.
    """
    parts = [k for k, ep in p.endpoints.items() if ep.kind != "all_of"]
    parts += ["continuous", "grading", "survival"]
    last = [k for k in parts if p.day0_of(k) == "last"]
    if not last:
        return (
            "Day 0 is the first infusion: a date D is on day (D − infusion date) in days; a second "
            "infusion moves no window."
        )
    first = [k for k in parts if k not in last]
    text = (
        "Day 0 is the last infusion (the second, for a participant who had one; else the first) "
        f"for {', '.join(last)}"
    )
    if first:
        text += f"; the first infusion for {', '.join(first)}"
    return text + ". Baselines are those before the first infusion."


def _reasons(a: TrialAnalysis) -> dict[str, Any] | None:
    """The graft-function reasons table of the report (one row per participant), or None."""
    if not a.protocol.grading.visits:
        return None
    keys = (
        "igls1_reason",
        "igls2_reason",
        "igls2_beta_cell_reason",
        "beta_score_reason",
        "beta2_reason",
    )
    rows = [
        [str(r["participant_id"]), *(str(r.get(k)) for k in keys)]
        for r in a.participants.to_dicts()
    ]
    return {"day": a.protocol.grading.report_visit, "rows": rows}


def _render_html(a: TrialAnalysis, figures: list[tuple[str, bytes]], notes: list[str]) -> str:
    """report.html from its template (:data:`REPORT_TEMPLATE`): every value and sentence comes
    from the analysis; the template lays them out."""
    from endolab.trial._templates import render

    return render(
        REPORT_TEMPLATE,
        protocol=a.protocol.name,
        provenance=provenance_sentence(a),
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        notices=[str(n) for n in [*a.notices, *notes]],
        definitions=_definitions(a.protocol),
        day0=day0_sentence(a.protocol),
        tables=all_tables(a),
        figures=[
            {"caption": caption, "png_base64": base64.b64encode(png).decode("ascii")}
            for caption, png in figures
        ],
        reasons=_reasons(a),
        disclaimer=DISCLAIMER,
    )


def _figures(a: TrialAnalysis, progress: Progress) -> tuple[list[tuple[str, bytes]], list[str]]:
    from endolab.trial.figures import (
        agp_figures,
        figure_png,
        state_figure,
        survival_figure,
        tir_figure,
        trajectory_figure,
    )

    out: list[tuple[str, bytes]] = []
    progress("drawing HbA1c figure")
    out.append(
        ("HbA1c over study days, per participant", figure_png(trajectory_figure(a, "hba1c")))
    )
    progress("drawing insulin figure")
    out.append(
        ("Daily exogenous insulin over study days", figure_png(trajectory_figure(a, "insulin")))
    )
    progress("drawing C-peptide figure")
    out.append(("C-peptide over study days", figure_png(trajectory_figure(a, "c_peptide"))))
    progress("drawing TIR figure")
    out.append(("CGM time in range, baseline vs follow-up", figure_png(tir_figure(a))))
    progress("drawing the graft-state figure")
    states = state_figure(a)
    if states is not None:
        out.append(
            (
                "Graft state of each participant at every visit: insulin independent, graft "
                "functioning, graft failed, not graded",
                figure_png(states),
            )
        )
    progress("drawing Kaplan–Meier figure")
    km = survival_figure(a)
    if km is not None:
        out.append(
            (
                "Time to event (Kaplan–Meier, 95 % CI) with the numbers at risk",
                figure_png(km),
            )
        )
    progress("drawing AGP figures")
    agps, note = agp_figures(a)
    out += [(caption, figure_png(fig)) for caption, fig in agps]
    return out, [note] if note else []


def report_files(a: TrialAnalysis, *, progress: Progress | None = None) -> dict[str, bytes]:
    """The report folder in memory: file name → content, for every name of :data:`REPORT_FILES`.

    Nothing is written: a front end can serve these bytes (or zip them); :func:`write_report`
    writes the same bytes into a folder.
    """
    say = progress or (lambda _msg: None)
    figures, notes = _figures(a, say)
    say("writing report files")
    md = [
        f"# Trial endpoint report — protocol {a.protocol.name}",
        "",
        provenance_sentence(a),
        "",
    ]
    md += [f"> {n}\n" for n in [*a.notices, *notes]]
    md += [to_markdown(t) for t in all_tables(a)]
    md += [f"_{DISCLAIMER}_", ""]
    return {
        "report.html": _render_html(a, figures, notes).encode("utf-8"),
        "endpoints.json": (endpoints_json_text(a) + "\n").encode("utf-8"),
        "participants.csv": participants_frame(a).write_csv().encode("utf-8"),
        "tables.md": "\n".join(md).encode("utf-8"),
    }


def report_html(a: TrialAnalysis, *, progress: Progress | None = None) -> str:
    """``report.html`` of an analysis as text: self-contained (inline style, embedded figures)."""
    say = progress or (lambda _msg: None)
    figures, notes = _figures(a, say)
    return _render_html(a, figures, notes)


#: What a report folder holds, as its manifest records it (:func:`endolab._io.atomic_directory`).
REPORT_CONTENTS = "a trial report"


def write_report(a: TrialAnalysis, out: str | Path, *, progress: Progress | None = None) -> Path:
    """Write the report folder (:func:`report_files`) atomically; return its path.

    ``out`` must be new, empty, or a report folder endolab wrote (its own files unchanged, nothing
    else in it): the output rule of :mod:`endolab._io`; only the report's own files are replaced.
    """
    check_output_path(out, kind="folder", writer=REPORT_CONTENTS)
    files = report_files(a, progress=progress)
    with atomic_directory(out, writer=REPORT_CONTENTS) as tmp:
        for name, data in files.items():
            (tmp / name).write_bytes(data)
    return Path(out)


def run(
    folder: str | Path,
    out: str | Path | None,
    *,
    protocol: str | Path | None = None,
    progress: Progress | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    n_workers: int | None = None,
    accept_units: bool = False,
) -> TrialAnalysis:
    """Read + validate ``folder``, analyse it under ``protocol`` and (if ``out``) write the report.

    The protocol is loaded and checked first, then the whole dataset is validated; nothing is
    computed or written if either is invalid. ``accept_units`` confirms the values of a
    participant whose C-peptide or weight looks like another unit (:func:`read_dataset`); they
    are then listed in the report's notices. ``engine="dask"`` reads the CGM table (Parquet) on a
    Dask cluster (:func:`endolab.trial.distributed.analyze_dask`; ``scheduler`` address or a
    LocalCluster of ``n_workers``); its notices are the analysis's, as on one machine.
    """
    say = progress or (lambda _msg: None)
    say("loading protocol")
    proto = load_protocol(protocol)
    if engine == "dask":
        from endolab.trial.distributed import analyze_dask

        if out is not None:
            _refuse_out_in_input(folder, out)
        say("reading the CGM table on Dask and computing endpoints")
        analysis, _notes = analyze_dask(  # the notes are in analysis.notices
            folder, proto, scheduler=scheduler, n_workers=n_workers, accept_units=accept_units
        )
        if out is not None:
            write_report(analysis, out, progress=say)
        return analysis
    say("reading and validating the dataset")
    # a dataset too large for this machine's memory: refused before reading (issue 18)
    check_input_memory(
        [folder],
        TRIAL_ANALYZE_COST,
        hint="store cgm as Parquet and use engine='dask' (docs/dask.md), or analyse fewer "
        "participants",
        ask="engine_dask_trial",
    )
    ds = read_dataset(folder, accept_units=accept_units)
    if out is not None:
        _refuse_out_in_input(folder, out)
    say("computing endpoints and grades")
    analysis = analyze(ds, proto)
    if out is not None:
        write_report(analysis, out, progress=say)
    return analysis


def _refuse_out_in_input(folder: str | Path, out: str | Path) -> None:
    """The report folder must not be the dataset folder, inside it or one of its parents."""
    target = Path(os.path.realpath(out))  # never a RuntimeError on a symbolic-link loop
    source = Path(os.path.realpath(folder))
    if target == source or source in target.parents or target in source.parents:
        from endolab.errors import InputError

        raise InputError(
            f"--out {str(out)!r} is the dataset folder, inside it or one of its parents; "
            "choose a separate folder (the input folder is never written to)",
            field="out",
            value=str(out),
        )
