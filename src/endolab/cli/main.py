"""The ``endolab`` command: one sub-command group per capability.

Each group lives in its own module and imports its science lazily inside the commands, so that
``endolab --help`` and the calculators start in well under a second.
"""

from __future__ import annotations

import os
import sys
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
    """Console-script entry point.

    A reader that closes the pipe early (``endolab --help | head -1``) ends the command quietly
    with exit status 0, as other command-line tools do: the output was not wanted any more.
    (click answers a closed pipe with exit status 1 after wrapping standard output; rich with 1
    after pointing it at the null device: both are recognised here.)
    """
    was_null = _stdout_is_devnull()
    try:
        try:
            app()
        finally:
            sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()
        raise SystemExit(0) from None
    except SystemExit as exc:
        pacified = type(sys.stdout).__name__ == "PacifyFlushWrapper"
        if exc.code == 1 and (pacified or (not was_null and _stdout_is_devnull())):
            raise SystemExit(0) from None
        raise


def _stdout_is_devnull() -> bool:
    """Whether standard output (file descriptor 1) is the null device."""
    try:
        out, null = os.fstat(1), os.stat(os.devnull)
    except OSError:
        return False
    return (out.st_dev, out.st_ino) == (null.st_dev, null.st_ino)


def _quiet_stdout() -> None:
    """Point standard output at the null device so that the interpreter's final flush is silent."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
