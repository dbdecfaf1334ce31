"""`endolab sim` — in-silico studies on virtual patients: dose–response, one patient's trace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from endolab.cli._common import (
    OverwriteOption,
    SchedulerOption,
    SettingsOption,
    WorkersOption,
    echo_disclaimer,
    engine_choice,
    print_json,
)
from endolab.cli._progress import progress_bar
from endolab.errors import ParseError
from endolab.numbers import parse_float

__all__ = ["app"]

app = typer.Typer(
    help="In-silico studies on virtual T1D patients with an islet graft (never clinical evidence).",
    no_args_is_help=True,
)


def _doses(text: str) -> list[float]:
    return [
        parse_float(part, "--doses", unit="cells, comma-separated (e.g. 2e8,4e8,8e8)")
        for part in text.split(",")
    ]


@app.command("dose-response")
def dose_response(
    doses: Annotated[
        str,
        typer.Option(
            "--doses",
            metavar="LIST",
            help="Comma-separated doses [cells], e.g. 2e8,4e8,8e8,1.2e9.",
        ),
    ] = "2e8,4e8,8e8,1.2e9",
    participants: Annotated[
        int,
        typer.Option(
            "--participants",
            help="Virtual participants per dose (1–10000). Limits: the memory of one dose arm "
            "(about 34 kB per simulated participant-day + 0.4 GB, measured; a participant-day is "
            "one of --days + 15 run-in days) must fit in this machine's free memory, else the "
            "request is refused with the estimate (exit 3).",
        ),
    ] = 30,
    seed: Annotated[
        int,
        typer.Option("--seed", help="Random seed, 0–4294967295 (same seed, same result)."),
    ] = 1,
    days: Annotated[
        int,
        typer.Option(
            "--days",
            help="Follow-up after the infusion [days] (1–3650). An endpoint whose window ends "
            "after it (SHE-free 90–365, insulin independence 180–365, TIR 352–365) is shown as "
            "not decided.",
        ),
    ] = 365,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder for dose_response.png, .json and .csv (new, empty or an earlier "
            "dose-response folder of endolab's).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            metavar="local|dask",
            help="local (default) or dask: each dose arm a task on a Dask cluster (needs pip "
            "install 'endolab[dask]'; docs/dask.md). Same seed, same result.",
        ),
    ] = "local",
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
    settings_file: SettingsOption = None,
) -> None:
    """Insulin independence, SHE-free rate and TIR by dose, each with its 95 % CI."""
    from endolab.sim.runner import check_sim_inputs
    from endolab.sim.studies import DOSE_RESPONSE_CONTENTS, write_dose_response
    from endolab.sim.studies import dose_response as run

    if out is not None:
        from endolab._io import check_output_path

        check_output_path(out, flag="--out", kind="folder", writer=DOSE_RESPONSE_CONTENTS)
    from endolab.sim.settings import load_settings

    settings = load_settings(settings_file)
    values = _doses(doses)
    check_sim_inputs(participants, days, values, seed)
    how = engine_choice(engine, scheduler, workers)
    with progress_bar("simulating dose arms") as bar:
        result = run(
            values,
            participants=participants,
            seed=seed,
            days=days,
            progress=bar,
            engine=how,
            scheduler=scheduler,
            n_workers=workers,
            settings=settings,
        )
    if out is not None:
        write_dose_response(result, out)
    if as_json:
        print_json(result.to_json())
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    def ci(s: dict[str, Any]) -> str:
        if s.get("status") == "not decided":
            return f"not decided (N={s['N']})"
        missing = f" m={s['missing']}" if s.get("missing") else ""
        if not s["ci95"]:
            return f"{s['n']}/{s['N']}{missing}"
        lo, hi = s["ci95"]
        return f"{s['n']}/{s['N']} {s['percent']:.0f} % [{100 * lo:.0f}–{100 * hi:.0f}]{missing}"

    table = Table(
        title=escape(
            "In-silico dose–response (n/N, % [exact 95 % CI], m = not decided; "
            "TIR mean [t 95 % CI])"
        )
    )
    for col in (
        "Dose [cells]",
        "Mean F (last day)",
        "Insulin independent d180–365",
        "SHE-free d90–365 (in silico)",
        "TIR d352–365 [%]",
    ):
        table.add_column(col, justify="right")
    for row in result.rows:
        tir = row["tir_pct"]
        tir_text = (
            "not decided"
            if tir["mean"] is None
            else f"{tir['mean']:.1f}"
            + (f" [{tir['ci95'][0]:.1f}–{tir['ci95'][1]:.1f}]" if tir["ci95"] else "")
        )
        table.add_row(
            f"{row['dose_cells']:.3g}",
            f"{row['mean_graft_fraction_last_day']:.2f}",
            escape(ci(row["insulin_independent_180_365"])),
            escape(ci(row["she_free_90_365"])),
            escape(tir_text),
        )
    Console(width=120).print(table)
    for notice in result.notices:  # as `trial analyze` prints them
        typer.echo(f"notice: {notice.message}")
    if out is not None:
        typer.echo(f"Written to {out} (dose_response.png, dose_response.json, dose_response.csv)")
    typer.echo("In-silico results: never clinical evidence (SHE is an in-silico event model).")
    echo_disclaimer()


@app.command("patient")
def patient(
    patient_id: Annotated[
        str, typer.Option("--id", help="Virtual patient, e.g. adult#001 (adolescent#…, child#…).")
    ],
    days: Annotated[int, typer.Option("--days", help="Days to simulate (1–365).")] = 3,
    graft_fraction: Annotated[
        float,
        typer.Option(
            "--graft-fraction",
            help="Functional graft fraction F (0 = no graft, 1 = a healthy β-cell mass).",
        ),
    ] = 0.0,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed of the meals, 0–4294967295.")
    ] = 1,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Trace CSV to write (a PNG figure is written next to it)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a summary as JSON.")] = False,
    settings_file: SettingsOption = None,
    therapy_mode: Annotated[
        str,
        typer.Option(
            "--therapy", help="basal-bolus (default) or none (no exogenous insulin: a graft alone)."
        ),
    ] = "basal-bolus",
    rescue: Annotated[
        str,
        typer.Option(
            "--rescue",
            help="on (default): hypoglycaemia is treated; off: no rescue carbohydrate at all.",
        ),
    ] = "on",
    overwrite: OverwriteOption = False,
) -> None:
    """Simulate one virtual patient with a fixed graft fraction: a per-minute trace and a figure."""
    from endolab.sim.limits import check_seed
    from endolab.sim.studies import patient_summary, patient_trace_paths, write_patient_trace

    check_seed(seed)
    if out is not None:
        from endolab._io import check_output_path

        trace_path, figure_path = patient_trace_paths(out)
        check_output_path(trace_path, flag="--out", suffixes=(".csv",), overwrite=overwrite)
        check_output_path(figure_path, flag="--out", overwrite=overwrite)
    from endolab.sim.replay import simulate_patient
    from endolab.sim.settings import load_settings

    if rescue not in ("on", "off"):
        raise ParseError(f"--rescue must be on or off, got {rescue!r}", field="rescue")
    settings = load_settings(settings_file)
    trace = simulate_patient(
        patient_id,
        days=days,
        graft_fraction=graft_fraction,
        seed=seed,
        graft=settings.graft,
        therapy=settings.therapy,
        therapy_mode=therapy_mode,
        rescue=rescue == "on",
        she=settings.she,
        counterregulation=settings.counterregulation,
    )
    summary = patient_summary(trace, patient_id, graft_fraction, days, seed)
    if out is not None:
        summary["files"] = [
            str(p) for p in write_patient_trace(trace, out, title=patient_id, overwrite=overwrite)
        ]
    if as_json:
        print_json(summary)
        return
    typer.echo(
        f"{patient_id}, F = {graft_fraction:g}, {days} day(s): mean plasma glucose "
        f"{summary['mean_plasma_glucose_mg_dl']:.1f} mg/dL, TIR (interstitial) "
        f"{summary['tir_interstitial_pct']:.1f} %, insulin {summary['insulin_u_per_day']:.1f} U/day, "
        f"peak C-peptide {summary['peak_c_peptide_pmol_l']:.0f} pmol/L, nadir "
        f"{summary['min_plasma_glucose_mg_dl']:.0f} mg/dL, rescue "
        f"{summary['rescue_carbs_g_per_day']:.0f} g/day, severe events {summary['severe_events']}"
    )
    if out is not None:
        typer.echo(f"Written to {out} and {out.with_suffix('.png')}")
    typer.echo("In-silico results: never clinical evidence.")
    echo_disclaimer()


@app.command("settings")
def settings(
    settings_file: SettingsOption = None,
) -> None:
    """Print every simulation setting as TOML (unit, default and source in a comment).

    With --settings FILE.toml, print the effective settings (the file's fields over the defaults).
    Save the output, edit any field and pass it back with --settings to trial simulate, trial demo,
    sim dose-response or sim patient.
    """
    from endolab.sim.settings import load_settings, settings_toml

    typer.echo(settings_toml(load_settings(settings_file)), nl=False)
