"""The ``endolab`` command: one sub-command group per capability.

Each group lives in its own module and imports its science lazily inside the commands, so that
``endolab --help`` and the calculators start in well under a second.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from endolab._version import __version__
from endolab.cli import cgm, hcg, hormones, sim, trial
from endolab.cli._common import EndolabGroup
from endolab.cli.serve import serve_command

__all__ = ["app", "main"]

app = typer.Typer(
    name="endolab",
    cls=EndolabGroup,
    help="endolab — clinical endocrinology toolkit (trial analytics, CGM engine, calculators).",
    no_args_is_help=True,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"endolab {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        help="Print the version and exit.",
        callback=_version_callback,
        is_eager=True,
    ),
) -> None:
    """endolab — clinical endocrinology toolkit.

    Exit status: 0 result; 2 usage or parse error; 3 input rejected by validation.
    """


app.add_typer(hormones.app, name="hormones")
app.add_typer(hcg.app, name="hcg")
app.add_typer(cgm.app, name="cgm")
app.add_typer(trial.app, name="trial")
app.add_typer(sim.app, name="sim")
app.command("serve")(serve_command)


@app.command("examples")
def examples_command(
    folder: Annotated[
        Path,
        typer.Argument(
            help="Folder for the example files (new, empty or an unchanged examples folder of "
            "endolab's)."
        ),
    ],
) -> None:
    """Write the example data shipped with endolab: CGM files in every layout, a trial dataset.

    All synthetic (made by endolab's own seeded generator, endolab.examples.generate).
    """
    from endolab.examples import example_files, write_examples

    target = write_examples(folder)
    typer.echo(f"Wrote {len(example_files())} example files to {target}:")
    for name in example_files():
        typer.echo(f"  {target / name}")
    typer.echo(
        f"Try: endolab cgm metrics {target / 'cgm' / 'generic.csv'}   |   "
        f"endolab trial analyze {target / 'trial'} --out report"
    )


def main() -> None:
    """Console-script entry point."""
    app()
