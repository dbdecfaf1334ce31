"""`endolab trial` — Islet-replacement trial analytics: endpoints, tables, figures, reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from endolab.cli._common import echo_disclaimer

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
) -> None:
    """Compute every endpoint of a trial dataset under a protocol and write a report."""
    from rich.console import Console

    from endolab.trial.report import endpoints_json_text, run
    from endolab.trial.tables import binary_table

    if out is None and not as_json:
        from endolab.errors import InputError

        raise InputError(
            "give --out REPORT_DIR to write a report, or --json to print endpoints.json",
            field="out",
        )
    console = Console(stderr=True)
    with console.status("starting", spinner="dots") as status:

        def progress(message: str) -> None:
            status.update(message)

        analysis = run(folder, out, protocol=protocol, progress=progress)
    if as_json:
        typer.echo(endpoints_json_text(analysis))
        return
    table = binary_table(analysis)
    from rich.table import Table

    rt = Table(title=f"{table.title} — protocol {analysis.protocol.name}")
    for h in table.header:
        rt.add_column(h)
    for row in table.rows:
        rt.add_row(*row)
    Console().print(rt)
    for notice in analysis.notices:
        typer.echo(f"notice: {notice}")
    typer.echo(
        f"Report written to {out} (report.html, endpoints.json, participants.csv, tables.md)"
    )
    echo_disclaimer()
