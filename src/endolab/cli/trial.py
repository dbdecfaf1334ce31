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

    if out is None and not as_json:
        from endolab.errors import InputError

        raise InputError(
            "give --out REPORT_DIR to write a report, or --json to print endpoints.json",
            field="out",
        )
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

        analysis = run(folder, out, protocol=protocol, progress=progress)
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

    from endolab.trial.tables import binary_summary

    summary = binary_summary(analysis)
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
