"""`endolab trial` — Islet-replacement trial analytics: endpoints, tables, figures, reports."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from endolab.cli._common import (
    SchedulerOption,
    SettingsOption,
    WorkersOption,
    echo_disclaimer,
    engine_choice,
)

__all__ = ["app"]

AcceptUnitsOption = Annotated[
    bool,
    typer.Option(
        "--accept-units",
        help="Confirm values that look like another unit but are right: a participant whose "
        "every C-peptide above 0 is below 10 pmol/L, or whose weight is 1.6 × the dataset's "
        "median or more (or 1/1.6 of it or less). Without it they are refused (exit 3); with it "
        "they are kept and listed as notices in every report (docs/trial-data.md).",
    ),
]

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
        typer.Option(
            "--out",
            help="Report folder to write (report.html, endpoints.json, ...): new, empty or an "
            "earlier report of endolab's, whose files are replaced.",
        ),
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
            metavar="local|dask",
            help="local (default) or dask: read a CGM table larger than memory (cgm.parquet or a "
            "cgm/ folder of Parquet parts) on a Dask cluster (pip install 'endolab[dask]'; "
            "docs/dask.md).",
        ),
    ] = "local",
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
    accept_units: AcceptUnitsOption = False,
) -> None:
    """Compute every endpoint of a trial dataset under a protocol and write a report.

    A participant whose values look like another unit (C-peptide in ng/mL, weight in pounds) is
    named and the dataset refused (exit 3) unless --accept-units confirms the values; notices that
    change how a number is read are in report.html, endpoints.json (notices) and tables.md.
    An endpoint whose window the data do not cover is "not decided", never counted.

    Limits: a dataset whose analysis would need more memory than this machine has free (about 4
    bytes per byte of CSV and 100 per Parquet CGM row, plus 400 MB) is refused before reading
    (E_TOO_LARGE, exit 3); a Parquet CGM table larger than memory: the dask engine (--engine dask).
    """
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
        from endolab.trial.report import REPORT_CONTENTS

        check_output_path(out, flag="--out", kind="folder", inputs=[folder], writer=REPORT_CONTENTS)
    console = Console(stderr=True)
    with console.status("starting", spinner="dots") as status:

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
            accept_units=accept_units,
        )
    for notice in analysis.notices:  # the warnings also one line each on standard error
        if notice.severity == "W":
            typer.echo(f"warning: {notice.message}", err=True)
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
    if analysis.paired is not None:  # a paired simulation: treated vs own untreated twin
        from endolab.trial.tables import paired_tables

        pairs = paired_tables(analysis)[0]
        pt = Table(title=escape(pairs.title))
        for k, head in enumerate(pairs.header):
            pt.add_column(escape(head), justify="left" if k < 2 else "right")
        for row in pairs.rows:
            pt.add_row(*[escape(cell) for cell in row])
        Console(width=140).print(pt)
    for notice in analysis.notices:  # every notice of the analysis, after the table
        typer.echo(f"notice: {notice.message}")
    typer.echo(
        f"Report written to {out} (report.html, endpoints.json, participants.csv, tables.md)"
    )
    echo_disclaimer()


@app.command("simulate")
def simulate(
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Dataset folder to write: new, empty or an unchanged dataset endolab simulated.",
        ),
    ],
    protocol: Annotated[
        str, typer.Option("--protocol", help="Simulated trial design (zimislecel-2025).")
    ] = "zimislecel-2025",
    participants: Annotated[
        int,
        typer.Option(
            "--participants",
            help="Number of virtual participants (1–10000). Limits: the memory needed (about "
            "34 kB per simulated participant-day + 0.4 GB, measured; a participant-day is one of "
            "--days + 15 run-in days) must fit in this machine's free memory, and the files "
            "(about 9.8 kB per participant-day as CSV, 1.2 kB as Parquet) in the free disk "
            "space; else the request is refused with the estimate (exit 3).",
        ),
    ] = 14,
    seed: Annotated[
        int,
        typer.Option("--seed", help="Random seed, 0–4294967295 (same seed, same bytes)."),
    ] = 1,
    dose_cells: Annotated[
        float | None,
        typer.Option(
            "--dose-cells",
            help="Full dose [cells] for cohorts B/C (default 8e8); cohort A gets half of it.",
        ),
    ] = None,
    days: Annotated[
        int,
        typer.Option(
            "--days",
            help="Follow-up after the infusion [days] (1–3650). An endpoint whose window ends "
            "after it is not decided.",
        ),
    ] = 365,
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
            "that make unnoticed neuroglycopenia, which needs third-party help with the "
            "probability [she] third_party_prob (10–120).",
        ),
    ] = 30,
    settings_file: SettingsOption = None,
    arm: Annotated[
        str,
        typer.Option(
            "--arm",
            help="treated (default: each cohort's dose) or control (standard care, no infusion).",
        ),
    ] = "treated",
    paired: Annotated[
        bool,
        typer.Option(
            "--paired",
            help="Counterfactual twins: also simulate every participant without the graft on the "
            "same meals, behaviour and sensor noise (written to the folder's twins/; trial analyze "
            "then shows treated vs own untreated twin). Twice the work; the limits count the twins.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a summary as JSON.")] = False,
) -> None:
    """Simulate the islet-replacement trial on virtual patients and write a trial dataset folder.

    The folder (participants, cgm, labs, insulin, events + simulation.json) is read by
    `endolab trial analyze` unchanged. In-silico results are never clinical evidence.
    """
    from endolab.errors import InputError, ParseError

    if file_format not in ("csv", "parquet"):
        raise ParseError(  # an unknown choice is a usage error, exit 2 (docs/cli.md)
            f"--format must be csv or parquet, got {file_format!r}", field="format"
        )
    from endolab._io import check_output_path
    from endolab.cli._common import print_json
    from endolab.cli._progress import progress_bar
    from endolab.sim import SheModel, simulate_trial, write_simulation
    from endolab.sim.limits import check_simulation_resources
    from endolab.sim.runner import ARMS, check_sim_inputs, get_design
    from endolab.sim.sensor import check_sensor_model
    from endolab.trial.dataset import DATASET_CONTENTS

    check_output_path(out, flag="--out", kind="folder", writer=DATASET_CONTENTS)
    get_design(protocol)
    check_sensor_model(sensor)
    if arm not in ARMS:
        raise ParseError(f"--arm must be treated or control, got {arm!r}", field="arm")
    from endolab.sim.settings import load_settings

    settings = load_settings(settings_file)
    she = (
        settings.she
        if she_minutes == SheModel().min_minutes
        else replace(settings.she, min_minutes=she_minutes)
    )
    check_sim_inputs(participants, days, [] if dose_cells is None else [dose_cells], seed)
    if paired and arm != "treated":
        raise InputError(
            "--paired runs the treated arm beside its own untreated twins; leave out --arm control",
            field="paired",
        )
    check_simulation_resources(
        participants * (2 if paired else 1), days, out=out, file_format=file_format
    )
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
            paired=paired,
            **{k: v for k, v in settings.kwargs().items() if k != "she"},
        )
    write_simulation(ds, out, format=file_format)  # type: ignore[arg-type]
    # the simulation's notices (data), the twins' ones named as such
    notices = [
        *(n.as_dict() for n in ds.notices),
        *(
            n.as_dict() | {"message": f"twin {n.message}"}
            for n in (ds.twins.notices if ds.twins is not None else ())
        ),
    ]
    warnings = [n["message"] for n in notices if n["severity"] == "W"]
    summary = {
        "out": str(out),
        "protocol": protocol,
        "participants": ds.participants.height,
        "seed": seed,
        "days": days,
        "cgm_readings": ds.cgm.height,
        "she_events": ds.events.height,
        "arm": arm,
        "paired": paired,
        "twins_folder": str(out / "twins") if paired else None,
        "warnings": warnings,
        "notices": notices,
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
    if paired:
        typer.echo(
            f"Paired: each participant's untreated twin (same meals, behaviour and sensor noise, "
            f"no graft) written to {out / 'twins'}."
        )
    for warning in warnings:  # as `trial analyze` prints the warnings of its notices
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
            help="Folder for dataset/, report/ and calibration.md: new, empty or an earlier demo "
            "of endolab's, whose files are replaced.",
        ),
    ] = Path("endolab-demo"),
    seed: Annotated[int, typer.Option("--seed", help="Random seed, 0–4294967295.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print endpoints.json.")] = False,
    settings_file: SettingsOption = None,
) -> None:
    """Simulate the default virtual trial (14 participants, 1 year) and write its analysed report."""
    from endolab._io import check_output_path
    from endolab.cli._common import print_json
    from endolab.cli._progress import progress_bar
    from endolab.sim.limits import check_seed
    from endolab.sim.settings import load_settings
    from endolab.sim.studies import DEMO_CONTENTS, calibration_table, write_demo

    check_seed(seed)
    check_output_path(out, flag="--out", kind="folder", writer=DEMO_CONTENTS)
    settings = load_settings(settings_file)
    with progress_bar("simulating the virtual trial") as bar:
        target, analysis = write_demo(out, seed=seed, progress=bar, settings=settings)
    if as_json:
        print_json(analysis.endpoints_json())
        return
    typer.echo(
        "Calibration (virtual full-dose cohorts B+C: control arm = the same participants without "
        "the graft, treated arm, NEJM 2025; side by side, not evidence):"
    )
    for row in calibration_table(analysis):
        typer.echo(
            f"  {row['endpoint']}: control {row['control']}, treated {row['treated']}, "
            f"NEJM 2025 {row['nejm_2025']}"
            + ("" if row["nejm_2025_source"] == "reported" else " [D]")
        )
    typer.echo("What is calibrated to what: calibration.md")
    typer.echo(
        f"Written to {target}: dataset/ (simulated trial data), report/report.html, calibration.md"
    )
    typer.echo("In-silico results: never clinical evidence.")
    echo_disclaimer()


@app.command("template")
def template(
    out: Annotated[
        Path,
        typer.Argument(
            help="Folder to write (new, empty or an unchanged template of endolab's): five CSV "
            "headers + README.md."
        ),
    ],
) -> None:
    """Write an empty trial dataset skeleton to fill in (header rows and a README).

    It has no participants yet: `trial validate` says so (exit 3) until the rows are filled in.
    """
    from endolab._io import check_output_path
    from endolab.trial.dataset import FILES, TEMPLATE_CONTENTS, write_template

    check_output_path(out, flag="OUT", kind="folder", writer=TEMPLATE_CONTENTS)
    target = write_template(out, flag="OUT")
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
    accept_units: AcceptUnitsOption = False,
) -> None:
    """Check a trial dataset folder and list every problem found (nothing is computed or written).

    Each problem is one line naming the file, the row, the column and the participants; then a
    one-line summary. Exit status 0 when the dataset can be analysed (warnings allowed), 3 when it
    cannot: a format error, an impossible value, a unit slip, a participant whose C-peptide or
    weight looks like another unit (unless --accept-units confirms it), or no participants at all
    (an empty template).
    """
    from endolab.cli._common import EXIT_INPUT, fail, print_json, worded
    from endolab.trial.dataset import check_dataset

    result = check_dataset(folder, accept_units=accept_units)
    if as_json:
        print_json(
            {
                "folder": str(folder),
                "valid": result.ok,
                "errors": [str(worded(e)) for e in result.errors],
                "warnings": list(result.warnings),
            }
        )
    else:
        for error in result.errors:
            typer.echo(f"problem: {worded(error)}")
        for warning in result.warnings:
            typer.echo(f"warning: {warning}")
    if result.errors:
        confirmable = sum(1 for e in result.errors if e.code == "E_UNIT_SUSPECT")
        hint = (
            f" ({confirmable} of them can be confirmed with --accept-units if the values are right)"
            if confirmable
            else ""
        )
        fail(
            f"{len(result.errors)} problem(s) found in {str(folder)!r}; the dataset cannot be "
            f"analysed until they are fixed{hint}",
            EXIT_INPUT,
        )
    if not as_json:
        extra = f" ({len(result.warnings)} warning(s))" if result.warnings else ""
        typer.echo(f"{folder}: a valid trial dataset{extra}.")


@app.command("export")
def export(
    folder: Annotated[
        Path,
        typer.Argument(help="Trial dataset folder (participants, cgm, labs, insulin, events)."),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Folder to write (<name>.xpt or <name>.json per dataset + define.csv): new, empty "
            "or an earlier export of endolab's of the same standard, whose files are replaced.",
        ),
    ],
    standard: Annotated[
        str,
        typer.Option(
            "--standard",
            metavar="sdtm|adam",
            help="sdtm: DM, SUPPDM, VS, EX, CM, LB (labs and CGM), AE, CE; adam: ADSL, ADLB, "
            "ADTTE (docs/trial.md, CDISC export/import).",
        ),
    ] = "sdtm",
    file_format: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="xpt|json",
            help="xpt: SAS XPORT v5 (pip install 'endolab[cdisc]'); json: CDISC Dataset-JSON v1.1.",
        ),
    ] = "xpt",
    study_id: Annotated[
        str | None,
        typer.Option(
            "--study-id",
            help="STUDYID: 1-20 upper-case letters, digits, - or _ (default: from the folder name).",
        ),
    ] = None,
    protocol: Annotated[
        str | None,
        typer.Option(
            "--protocol",
            help="Protocol TOML file or built-in name, for the ADTTE definitions "
            "(default zimislecel-2025).",
        ),
    ] = None,
    treatment: Annotated[
        str, typer.Option("--treatment", help="EXTRT / TRT01P: the name of the study treatment.")
    ] = "ISLET CELLS",
    accept_units: AcceptUnitsOption = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a summary as JSON.")] = False,
) -> None:
    """Write a trial dataset as CDISC SDTM or ADaM datasets (XPT or Dataset-JSON) + define.csv.

    Required variables the endolab format does not have (SITEID, COUNTRY, RACE) are left empty
    and listed as warnings: fill them in before a submission.
    """
    from endolab._io import check_output_path
    from endolab.cli._common import print_json
    from endolab.trial.cdisc.export import check_export_options, default_study_id, export_cdisc
    from endolab.trial.cdisc.files import CDISC_CONTENTS
    from endolab.trial.dataset import read_dataset
    from endolab.trial.protocol import load_protocol

    check_export_options(standard, file_format, study_id)
    check_output_path(
        out, flag="--out", kind="folder", inputs=[folder], writer=CDISC_CONTENTS[standard]
    )
    if file_format == "xpt":
        import pyreadstat  # noqa: F401  (the one-line [cdisc] hint before any work)
    ds = read_dataset(folder, accept_units=accept_units)
    sid = study_id or default_study_id(folder)
    target, datasets, gaps = export_cdisc(
        ds,
        out,
        standard=standard,  # type: ignore[arg-type]
        format=file_format,  # type: ignore[arg-type]
        protocol=load_protocol(protocol),
        study_id=sid,
        treatment=treatment,
    )
    summary = {
        "out": str(target),
        "standard": standard,
        "format": file_format,
        "study_id": sid,
        "datasets": {d.name: d.frame.height for d in datasets},
        "warnings": gaps,
    }
    if as_json:
        print_json(summary)
        return
    for gap in gaps:
        typer.echo(f"warning: {gap}", err=True)
    listing = ", ".join(f"{d.name} ({d.frame.height})" for d in datasets)
    typer.echo(
        f"Wrote {standard.upper()} {file_format.upper()} datasets to {target}: {listing}; "
        "define.csv lists every variable."
    )


@app.command("import-sdtm")
def import_sdtm_command(
    folder: Annotated[
        Path,
        typer.Argument(
            help="SDTM folder: dm, suppdm, vs, ex, cm, lb, ae, ce as .xpt or Dataset-JSON .json."
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Trial dataset folder to write: new, empty or an unchanged dataset endolab wrote.",
        ),
    ],
    file_format: Annotated[str, typer.Option("--format", help="csv (default) or parquet.")] = "csv",
    accept_units: AcceptUnitsOption = False,
) -> None:
    """Read SDTM datasets (DM/SUPPDM/VS/EX/CM/LB/AE/CE) into a trial dataset folder.

    The tables are checked like any dataset (docs/trial-data.md) before anything is written; a
    unit endolab does not read or a missing variable is one line naming the dataset (exit 3).
    """
    from endolab._io import check_output_path
    from endolab.errors import InputError
    from endolab.trial.cdisc.importer import import_sdtm
    from endolab.trial.dataset import DATASET_CONTENTS, write_dataset

    if file_format not in ("csv", "parquet"):
        raise InputError(f"--format must be csv or parquet, got {file_format!r}", field="format")
    check_output_path(out, flag="--out", kind="folder", inputs=[folder], writer=DATASET_CONTENTS)
    ds = import_sdtm(folder, accept_units=accept_units)
    write_dataset(ds, out, format=file_format)  # type: ignore[arg-type]
    typer.echo(
        f"Imported {ds.participants.height} participants ({ds.cgm.height} CGM readings, "
        f"{ds.labs.height} lab results, {ds.insulin.height} insulin days, {ds.events.height} "
        f"events) into {out}."
    )
    typer.echo(f"Analyse it with: endolab trial analyze {out} --out REPORT_DIR")
