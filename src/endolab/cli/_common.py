"""Shared plumbing of the command line: error handling, JSON output, the disclaimer.

Exit status, the same for every command (documented in ``docs/cli.md``):

====  =====================================================================================
0     a result was printed (warnings, if any, ride along with it)
2     usage or parse error: unknown flag, missing argument, a value that is not a number or a
      date, an unknown unit (:class:`endolab.errors.ParseError`)
3     input rejected by validation: out of range, inconsistent, a data file that breaks its format
      (:class:`endolab.errors.InputError`, :class:`endolab.errors.DataFileError`)
====  =====================================================================================

Every error is one line on standard error, ``error: <message>``; no traceback for a user mistake.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import typer
from typer.core import TyperGroup

from endolab.errors import EndolabError
from endolab.output import DISCLAIMER, json_text

__all__ = [
    "EXIT_INPUT",
    "EXIT_OK",
    "EXIT_USAGE",
    "EndolabGroup",
    "echo_disclaimer",
    "fail",
    "print_json",
]

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INPUT = 3


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class EndolabGroup(TyperGroup):
    """Root command group: turns every error into one line on stderr and a documented exit status.

    Typer raises its parser errors (``typer.TyperException`` subclasses with an ``exit_code``) out of
    ``main`` when ``standalone_mode`` is off; they are caught here and printed as one line. An
    :class:`~endolab.errors.EndolabError` raised by a command is caught in :meth:`invoke`.
    """

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except EndolabError as exc:
            typer.echo(f"error: {_one_line(str(exc))}", err=True)
            raise typer.Exit(exc.exit_code) from None

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            rv = super().main(
                args=args,
                prog_name=prog_name,
                complete_var=complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
        except typer.Abort:
            typer.echo("error: aborted", err=True)
            sys.exit(1)
        except typer.TyperException as exc:
            code = int(getattr(exc, "exit_code", EXIT_USAGE))
            if type(exc).__name__ == "NoArgsIsHelpError":
                typer.echo(exc.format_message())
                sys.exit(0)
            message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
            context = getattr(exc, "ctx", None)
            hint = f" (see '{context.command_path} --help')" if context is not None else ""
            typer.echo(f"error: {_one_line(message)}{hint}", err=True)
            sys.exit(code)
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else EXIT_OK)


def fail(message: str, code: int = EXIT_INPUT) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code``."""
    typer.echo(f"error: {_one_line(message)}", err=True)
    raise typer.Exit(code)


def print_json(payload: Any) -> None:
    """Print ``payload`` as indented UTF-8 JSON on standard output."""
    typer.echo(json_text(payload))


def echo_disclaimer() -> None:
    """Print the one-line medical disclaimer (every calculator output carries it)."""
    typer.echo(f"Disclaimer: {DISCLAIMER}")
