"""`endolab trial` — Islet-replacement trial analytics: endpoints, tables, figures, reports."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from endolab.cli._common import SchedulerOption, WorkersOption, echo_disclaimer, engine_choice

__all__ = ["app"]

app = typer.Typer(
    help="Islet-replacement trial analytics: endpoints, tables, figures, reports.",
    no_args_is_help=True,
)


@app.command("analyze")
def analyze(
    folder: Annotated[
        Path,
        typer.Argument(
            help="Trial dataset folder (participants, cgm, labs, insulin, events; CSV or Parquet)."
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Report folder to write (report.html, endpoints.json, ...)."),
    ] = None,
    protocol: Annotated[
        str | None,
        typer.Option(
            "--protocol",
            help="Protocol TOML file, or a built-in name (zimislecel-2025, cit07-style). "
            "Default: zimislecel-2025.",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print endpoints.json to standard output.")
    ] = False,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="local (default) or dask: read a CGM table larger than memory (cgm.parquet or a "
            "cgm/ folder of Parquet parts) on a Dask cluster (pip install 'endolab[dask]'; "
            "docs/dask.md).",
        ),
    ] = "local",
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
) -> None:
    """Compute every endpoint of a trial dataset under a protocol and write a report."""
    from rich.console import Console

    from endolab.trial.report import endpoints_json_text, run

    how = engine_choice(engine, scheduler, workers)
    if out is None and not as_json:
        from endolab.errors import InputError

        raise InputError(
            "give --out REPORT_DIR to write a report, or --json to print endpoints.json",
            field="out",
        )
    if out is not None:
        from endolab._io import check_output_path

        check_output_path(out, flag="--out", kind="folder", inputs=[folder])
    import warnings

    from endolab.errors import EndolabWarning

    console = Console(stderr=True)
    with (
        warnings.catch_warnings(record=True) as caught,
        console.status("starting", spinner="dots") as status,
    ):
        warnings.simplefilter("always", EndolabWarning)

        def progress(message: str) -> None:
            status.update(message)

        analysis = run(
            folder,
            out,
            protocol=protocol,
            progress=progress,
            engine=how,
            scheduler=scheduler,
            n_workers=workers,
        )
    for w in caught:  # engine warnings as one line each on standard error
        if issubclass(w.category, EndolabWarning):
            typer.echo(f"warning: {w.message}", err=True)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if as_json:
        typer.echo(endpoints_json_text(analysis))
        return
    from rich.markup import escape
    from rich.table import Table

    from endolab.trial.tables import binary_summary_table

    summary = binary_summary_table(analysis)
    groups = summary.header[1:]
    rt = Table(title=escape(summary.title))
    rt.add_column(summary.header[0])
    for g in groups:
        rt.add_column(g, justify="right")
    for row in summary.rows:
        rt.add_row(*[escape(cell) for cell in row])
    Console(width=max(100, 24 + 30 * len(groups))).print(rt)
    for notice in analysis.notices:
        typer.echo(f"notice: {notice}")
    typer.echo(
        f"Report written to {out} (report.html, endpoints.json, participants.csv, tables.md)"
    )
    echo_disclaimer()


@app.command("simulate")
def simulate(
    out: Annotated[
        Path, typer.Option("--out", help="Dataset folder to write (must be new or empty).")
    ],
    protocol: Annotated[
        str, typer.Option("--protocol", help="Simulated trial design (zimislecel-2025).")
    ] = "zimislecel-2025",
    participants: Annotated[
        int, typer.Option("--participants", help="Number of virtual participants.")
    ] = 14,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same bytes).")] = 1,
    dose_cells: Annotated[
        float | None,
        typer.Option(
            "--dose-cells",
            help="Full dose [cells] for cohorts B/C (default 8e8); cohort A gets half of it.",
        ),
    ] = None,
    days: Annotated[int, typer.Option("--days", help="Follow-up after the infusion [days].")] = 365,
    file_format: Annotated[str, typer.Option("--format", help="csv (default) or parquet.")] = "csv",
    sensor: Annotated[
        str,
        typer.Option(
            "--sensor",
            help="CGM error model: breton2008 (default), vettoretti2019 (Dexcom G6) or none.",
        ),
    ] = "breton2008",
    she_minutes: Annotated[
        int,
        typer.Option(
            "--she-minutes",
            help="Severe-event model: minutes of plasma glucose < 50 mg/dL without self-treatment "
            "that make one event, treated by a third party (10–120).",
        ),
    ] = 30,
    settings_file: Annotated[
        Path | None,
        typer.Option(
            "--settings",
            help="TOML file overriding simulation settings (print them all with: endolab sim "
            "settings).",
        ),
    ] = None,
    arm: Annotated[
        str,
        typer.Option(
            "--arm",
            help="treated (default: each cohort's dose) or control (standard care, no infusion).",
        ),
    ] = "treated",
    as_json: Annotated[bool, typer.Option("--json", help="Print a summary as JSON.")] = False,
) -> None:
    """Simulate the islet-replacement trial on virtual patients and write a trial dataset folder.

    The folder (participants, cgm, labs, insulin, events + simulation.json) is read by
    `endolab trial analyze` unchanged. In-silico results are never clinical evidence.
    """
    from endolab._io import check_output_path
    from endolab.cli._common import print_json
    from endolab.cli._progress import progress_bar
    from endolab.errors import InputError
    from endolab.sim import SheModel, simulate_trial, write_simulation
    from endolab.sim.runner import ARMS, get_design
    from endolab.sim.sensor import check_sensor_model
    from endolab.trial.dataset import check_new_folder

    check_output_path(out, flag="--out", kind="folder")
    get_design(protocol)
    check_sensor_model(sensor)
    if arm not in ARMS:
        raise InputError(f"--arm must be treated or control, got {arm!r}", field="arm")
    from endolab.sim.settings import load_settings

    settings = load_settings(settings_file)
    she = (
        settings.she
        if she_minutes == SheModel().min_minutes
        else replace(settings.she, min_minutes=she_minutes)
    )
    if file_format not in ("csv", "parquet"):
        raise InputError(f"--format must be csv or parquet, got {file_format!r}", field="format")
    check_new_folder(out)
    with progress_bar("simulating participant-days") as bar:
        ds = simulate_trial(
            protocol=protocol,
            participants=participants,
            seed=seed,
            days=days,
            dose_cells=dose_cells,
            she=she,
            sensor=sensor,  # type: ignore[arg-type]
            progress=bar,
            arm=arm,
            **{k: v for k, v in settings.kwargs().items() if k != "she"},
        )
    write_simulation(ds, out, format=file_format)  # type: ignore[arg-type]
    summary = {
        "out": str(out),
        "protocol": protocol,
        "participants": ds.participants.height,
        "seed": seed,
        "days": days,
        "cgm_readings": ds.cgm.height,
        "she_events": ds.events.height,
        "arm": arm,
        "warnings": (ds.simulation or {}).get("warnings", []),
        "simulated": True,
        "disclaimer": (ds.simulation or {}).get("disclaimer"),
    }
    if as_json:
        print_json(summary)
        return
    typer.echo(
        f"Simulated {ds.participants.height} virtual participants ({arm} arm) × {days} days "
        f"(+14-day run-in, after screening), seed {seed}: dataset written to {out} "
        "(with simulation.json)."
    )
    for warning in summary["warnings"]:
        typer.echo(f"warning: {warning}", err=True)
    typer.echo(f"Analyse it with: endolab trial analyze {out} --out REPORT_DIR")
    typer.echo(
        "In-silico results: never clinical evidence. SHE is an in-silico event model (unnoticed "
        "neuroglycopenia treated by a third party); adverse events other than SHE are not simulated."
    )
    echo_disclaimer()


@app.command("demo")
def demo(
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Folder for dataset/, report/ and calibration.md (new, empty or a previous demo).",
        ),
    ] = Path("endolab-demo"),
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print endpoints.json.")] = False,
    settings_file: Annotated[
        Path | None,
        typer.Option(
            "--settings",
            help="TOML file overriding simulation settings (print them all with: endolab sim "
            "settings).",
        ),
    ] = None,
) -> None:
    """Simulate the default virtual trial (14 participants, 1 year) and write its analysed report."""
    from endolab._io import check_output_path
    from endolab.cli._common import print_json
    from endolab.cli._progress import progress_bar
    from endolab.sim.settings import load_settings
    from endolab.sim.studies import calibration_table, write_demo

    check_output_path(out, flag="--out", kind="folder")
    settings = load_settings(settings_file)
    with progress_bar("simulating the virtual trial") as bar:
        target, analysis = write_demo(out, seed=seed, progress=bar, settings=settings)
    if as_json:
        print_json(analysis.endpoints_json())
        return
    typer.echo(
        "Calibration (virtual full-dose cohort B+C vs NEJM 2025; side by side, not evidence):"
    )
    for row in calibration_table(analysis):
        typer.echo(
            f"  {row['endpoint']}: simulated {row['simulated']}, NEJM 2025 {row['nejm_2025']}"
        )
    typer.echo(
        f"Written to {target}: dataset/ (simulated trial data), report/report.html, calibration.md"
    )
    typer.echo("In-silico results: never clinical evidence.")
    echo_disclaimer()


@app.command("template")
def template(
    out: Annotated[
        Path, typer.Argument(help="Folder to create (new or empty): five CSV headers + README.md.")
    ],
) -> None:
    """Write an empty, valid trial dataset skeleton to fill in (header rows and a README)."""
    from endolab._io import check_output_path
    from endolab.trial.dataset import FILES, write_template

    check_output_path(out, flag="OUT", kind="folder")
    target = write_template(out)
    typer.echo(
        f"Wrote an empty trial dataset to {target}: {', '.join(f'{n}.csv' for n in FILES)} "
        "and README.md (every column with its type and unit)."
    )
    typer.echo(f"Fill in the rows, then check it with: endolab trial validate {target}")


@app.command("validate")
def validate(
    folder: Annotated[
        Path,
        typer.Argument(help="Trial dataset folder (participants, cgm, labs, insulin, events)."),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print {errors, warnings} as JSON on standard output.")
    ] = False,
) -> None:
    """Check a trial dataset folder and list every problem found (nothing is computed or written).

    Each problem is one line naming the file, the row and the column; then a one-line summary.
    Exit status 0 when the dataset can be analysed (warnings allowed), 3 when it cannot.
    """
    from endolab.cli._common import EXIT_INPUT, fail, print_json
    from endolab.trial.dataset import check_dataset

    result = check_dataset(folder)
    if as_json:
        print_json(
            {
                "folder": str(folder),
                "valid": result.ok,
                "errors": [str(e) for e in result.errors],
                "warnings": list(result.warnings),
            }
        )
    else:
        for error in result.errors:
            typer.echo(f"problem: {error}")
        for warning in result.warnings:
            typer.echo(f"warning: {warning}")
    if result.errors:
        fail(
            f"{len(result.errors)} problem(s) found in {str(folder)!r}; the dataset cannot be "
            "analysed until they are fixed",
            EXIT_INPUT,
        )
    if not as_json:
        extra = f" ({len(result.warnings)} warning(s))" if result.warnings else ""
        typer.echo(f"{folder}: a valid trial dataset{extra}.")
