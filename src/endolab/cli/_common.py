"""Shared plumbing of the command line: error handling, JSON output, the disclaimer.

Exit status, the same for every command (documented in ``docs/cli.md``):

====  =====================================================================================
0     a result was printed (warnings, if any, ride along with it)
2     usage or parse error: unknown flag, missing argument, a value that is not a number or a
      date, an unknown unit (:class:`endolab.errors.ParseError`)
3     input rejected by validation: out of range, inconsistent, a data file that breaks its format
      (:class:`endolab.errors.InputError`, :class:`endolab.errors.DataFileError`)
4     the computation failed outside the input, nothing was written (``--engine dask``: a worker
      died more often than the scheduler allows; :class:`endolab.cgm.distributed.ClusterError`)
====  =====================================================================================

Every error is one line on standard error, ``error: <message>``; no traceback for a user mistake.
An operating-system error on a path (too long, permission denied, a folder for a file, a loop of
links, no space left) is such a line too, naming the path and the reason, exit status 3.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path, PurePath
from typing import Annotated, Any, Final, NoReturn, get_args, get_origin

import typer
from rich.markup import escape
from typer.core import TyperGroup

from endolab._extras import missing_extra_hint
from endolab.errors import EndolabError, InputError, ParseError
from endolab.numbers import number_message
from endolab.output import DISCLAIMER, json_text

__all__ = [
    "EXAMPLES",
    "EXIT_INPUT",
    "EXIT_OK",
    "EXIT_USAGE",
    "DateOrderOption",
    "EndolabGroup",
    "GlucoseUnitOption",
    "OverwriteOption",
    "ReaderOption",
    "echo_disclaimer",
    "fail",
    "print_json",
]

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INPUT = 3
#: Interrupted (Ctrl-C, end of input at a prompt): 128 + SIGINT, as shells report it.
EXIT_INTERRUPTED = 130


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


#: At least one example per command, shown at the end of its ``--help`` (a test runs the cheap ones
#: and checks that every command has one). ``endolab examples DIR`` writes the example files used.
EXAMPLES: dict[str, tuple[str, ...]] = {
    "hormones predict": ("endolab hormones predict --total-t 650 --age 45",),
    "hormones free-t": ("endolab hormones free-t --total-t 650 --shbg 35",),
    "hormones protocol": (
        "endolab hormones protocol --ester cypionate --dose-mg 120 --every-days 7",
        "endolab hormones protocol --ester cypionate --dose-mg 60 --every-days 3.5 --lab 650ng/dL@84h",
        "endolab hormones protocol --ester cypionate --dose-mg 60 --every-days 3.5 --compare ester=enanthate,dose=250,every=14",
    ),
    "hormones pk": (
        "endolab hormones pk --ester cypionate --dose-mg 120 --every-days 7",
        "endolab hormones pk --ester cypionate --dose-mg 60 --every-days 3.5 --lab 650ng/dL@3.5d",
    ),
    "hcg mix": (
        "endolab hcg mix --vial-iu 5000 --diluent-ml 2 --dose-iu 250",
        "endolab hcg mix --vial-iu 5000 --diluent-ml 2 --dose-iu 250 --svg syringe.svg",
    ),
    "hcg reverse": ("endolab hcg reverse --vial-iu 5000 --dose-iu 250 --units 10",),
    "hcg suggest": ("endolab hcg suggest --vial-iu 5000 --dose-iu 250",),
    "hcg plan": (
        "endolab hcg plan --vial-iu 5000 --diluent-ml 2 --dose-iu 250 --per-week 2 "
        "--start 2026-01-05 --weeks 8 --ics plan.ics",
    ),
    "hcg presets": ("endolab hcg presets",),
    "hcg syringes": ("endolab hcg syringes",),
    "cgm metrics": (
        "endolab examples ex && endolab cgm metrics ex/cgm/generic.csv",
        "endolab cgm metrics ex/cgm/dexcom_clarity.csv --by day --out daily.csv",
    ),
    "cgm episodes": ("endolab cgm episodes ex/cgm/libreview.csv --summary",),
    "cgm agp": ("endolab cgm agp ex/cgm/generic.parquet --id S01 --out agp.png",),
    "cgm report": (
        "endolab cgm report ex/cgm/generic.csv --out report.pdf",
        "endolab cgm report ex/cgm/libreview.csv --out report.html --compare 2025-03-03:2025-03-09",
    ),
    "cgm fhir export": ("endolab cgm fhir export ex/cgm/generic.csv --out bundle.json --tz UTC",),
    "cgm fhir import": ("endolab cgm fhir import bundle.json --out readings.csv",),
    "cgm detect": ("endolab cgm detect P01_clarity.csv", "endolab cgm detect entries.json --json"),
    "trial analyze": ("endolab trial analyze ex/trial --out report",),
    "trial simulate": ("endolab trial simulate --participants 4 --days 30 --out virtual",),
    "trial demo": ("endolab trial demo --out endolab-demo",),
    "trial template": ("endolab trial template my-trial",),
    "trial validate": ("endolab trial validate ex/trial",),
    "trial export": (
        "endolab trial export ex/trial --standard sdtm --format xpt --out sdtm",
        "endolab trial export ex/trial --standard adam --format json --out adam",
    ),
    "trial import-sdtm": ("endolab trial import-sdtm sdtm --out from-sdtm",),
    "examples": ("endolab examples ex",),
    "sim dose-response": ("endolab sim dose-response --doses 2e8,8e8 --participants 5 --days 30",),
    "sim patient": ("endolab sim patient --id adult#001 --days 2 --graft-fraction 0.5",),
    "sim settings": (
        "endolab sim settings > my.toml",
        "endolab trial simulate --arm control --settings my.toml --out control",
    ),
    "serve": (
        "endolab serve",
        "endolab serve --port 8080 --workers 2",
    ),
}

_UNIT_IN_HELP = re.compile(r"\[[^\]]+\]")


def _annotation(param: Any) -> Any:
    descriptor = getattr(param, "type_descriptor", None)
    return getattr(descriptor, "annotation", None)


def _type_label(param: Any) -> str | None:
    """A readable type name for the help (``TEXT``, ``NUMBER``, ``PATH``…; none for flags)."""
    if getattr(param, "metavar", None) is not None:
        return str(param.metavar)
    annotation = _annotation(param)
    descriptor = getattr(param, "type_descriptor", None)
    many = getattr(param, "nargs", 1) != 1 or bool(getattr(descriptor, "is_list", False))
    if many and get_args(annotation):
        annotation = get_args(annotation)[0]
    if annotation is bool:
        return None
    if annotation is int:
        label = "INTEGER"
    elif annotation is float:
        label = "NUMBER"
    elif isinstance(annotation, type) and issubclass(annotation, PurePath):
        label = "PATH"
    elif _UNIT_IN_HELP.search(getattr(param, "help", None) or ""):
        label = "NUMBER"  # a number taken as text and parsed exactly by the library
    else:
        label = "TEXT"
    return label + ("..." if many else "")


def _values(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str)]
    return []


def _strict(param: Any) -> None:
    """Refuse what Python's ``int()`` accepts but people do not mean, and empty paths.

    ``6_50`` is not 650 (exit status 2); an empty path (``--svg ""``) is not the current folder
    (exit status 3, like every other unusable output path).
    """
    annotation = _annotation(param)
    args = get_args(annotation)
    leaf = args[0] if args and get_origin(annotation) is list else annotation
    numeric = leaf in (int, float)
    is_path = isinstance(leaf, type) and issubclass(leaf, PurePath)
    if not (numeric or is_path):
        return
    flag = param.opts[0] if param.opts else str(param.name or "value").upper()
    process = param.process_value

    def checked(ctx: Any, value: Any) -> Any:
        for text in _values(value):
            if numeric and "_" in text:
                raise typer.BadParameter(number_message(flag, text, "syntax"), ctx=ctx, param=param)
            if is_path and not text.strip():
                raise InputError(f"{flag} '': empty path; give a name", field=flag, value=text)
        return process(ctx, value)

    param.process_value = checked


def polish(command: Any, path: str = "") -> None:
    """Make every help text say what it means, once, for the whole command tree.

    Units in ``[brackets]`` are escaped so that rich does not eat them as markup; type names are
    readable; each command ends with its examples (:data:`EXAMPLES`); numeric and path parameters
    are strict (:func:`_strict`).
    """
    if getattr(command, "_endolab_polished", False):
        return
    command._endolab_polished = True
    if command.help:
        command.help = escape(command.help)
    if command.short_help:
        command.short_help = escape(command.short_help)
    examples = EXAMPLES.get(path.strip())
    if examples:
        lines = "\n".join(f"  {e}" for e in examples)
        command.epilog = escape("\b\nExamples:\n" + lines)
    for param in command.params:
        if getattr(param, "help", None):
            param.help = escape(param.help)
        label = _type_label(param)
        param.display_type_rich = lambda ctx, _label=label: _label
        if not getattr(param, "opts", [""])[0].startswith("-") and param.metavar is None:
            param.metavar = str(param.name or "value").upper()  # an argument
        _strict(param)
    make_help = command.get_help_option

    def help_option(ctx: Any) -> Any:
        option = make_help(ctx)
        if option is not None:
            option.display_type_rich = lambda ctx: None  # a flag: no type
        return option

    command.get_help_option = help_option
    if isinstance(getattr(command, "commands", None), dict):
        for name, sub in command.commands.items():
            polish(sub, f"{path} {name}")


#: How the command line asks for an option a library error asks for (its
#: :attr:`~endolab.errors.EndolabError.ask`, keyed by kind; the library names the option by its
#: keyword, ``unit=``/``date_order=``, and leaves the front end's name of it to the front end).
CLI_ASKS: Final[dict[str, str]] = {
    "date_order_ambiguous": "pass date_order='dmy' or 'mdy' (CLI: --date-order dmy|mdy)",
    "date_order_read": (
        "read the file with endolab.cgm.readers.read_cgm(date_order='dmy' or 'mdy') "
        "(CLI: --date-order)"
    ),
    "date_order_check": "check --date-order (date_order=)",
    "unit_mg_dl_if": "Pass --unit mg/dL if the file is in mg/dL",
    "unit_mmol_l": "pass --unit mmol/L",
    "unit_either": "pass --unit mg/dL or --unit mmol/L",
    "unit_unset": "drop --unit",
    "unit_unset_or_fix": "drop --unit or fix the file",
    "reader_give": "give --reader",
    "unit_nmol_l": "then use unit='nmol/L' / --unit nmol/L)",
    "albumin_unit_g_l": "then use albumin_unit='g/L' / --albumin-unit g/L)",
    "accept_units": "if these values are right, confirm them with --accept-units",
    "engine_dask_cgm": (
        "give fewer or smaller files, or use Parquet with --engine dask (cgm metrics; docs/dask.md)"
    ),
    "engine_dask_trial": (
        "store cgm as Parquet and use --engine dask (docs/dask.md), or analyse fewer participants"
    ),
}
#: How the command line asks for the date order of an ambiguous file.
DATE_ORDER_ASK = CLI_ASKS["date_order_ambiguous"]


def worded(exc: EndolabError) -> EndolabError:
    """``exc`` with its request for an option in the command line's words (:data:`CLI_ASKS`)."""
    if exc.ask is not None and exc.ask.kind in CLI_ASKS:
        return exc.asking(CLI_ASKS[exc.ask.kind])
    return exc


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
            typer.echo(f"error: {_one_line(str(worded(exc)))}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except ModuleNotFoundError as exc:
            # A package of an optional extra is not installed: one line naming the extra, exit 2.
            hint = missing_extra_hint(exc)
            if hint is None:
                raise
            command = " ".join(filter(None, [ctx.command_path, ctx.invoked_subcommand]))
            typer.echo(f"error: {command} {hint}", err=True)
            raise typer.Exit(EXIT_USAGE) from None
        except BrokenPipeError:
            raise
        except OSError as exc:  # a path that cannot be read or written: one line naming it
            from endolab._io import path_error

            error = path_error(exc)
            typer.echo(f"error: {_one_line(str(error))}", err=True)
            raise typer.Exit(error.exit_code) from None

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        polish(self)
        try:
            rv = super().main(
                args=args,
                prog_name=prog_name,
                complete_var=complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
        except typer.Abort:  # Ctrl-C: the documented status 130, not click's 1 (docs/cli.md)
            typer.echo("error: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
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


#: The CGM readers' names for ``--reader`` (the library's ``cgm.readers.ReaderName``, written here
#: so that the command line starts without importing the engine; tests/cli/test_help.py checks
#: that the two agree).
READER_CHOICES: tuple[str, ...] = (
    "auto",
    "generic",
    "dexcom",
    "libre",
    "carelink",
    "nightscout",
    "tidepool",
    "tidepool_xlsx",
    "tandem",
    "glooko",
    "diasend_xls",
    "eversense",
)
READER_HELP = f"File format: {', '.join(READER_CHOICES[:-1])} or {READER_CHOICES[-1]}."

#: ``--reader`` of every command that reads CGM files (checked by ``cli.cgm.read_options``).
ReaderOption = Annotated[str, typer.Option("--reader", help=READER_HELP)]
#: ``--unit`` and ``--date-order`` of ``cgm report`` and ``cgm fhir export`` (the analysis
#: commands of ``cli.cgm`` explain both at more length in their help).
GlucoseUnitOption = Annotated[
    str | None, typer.Option("--unit", help="Glucose unit of the input: mg/dL or mmol/L.")
]
DateOrderOption = Annotated[
    str, typer.Option("--date-order", help="auto, dmy, mdy or ymd (LibreView, generic).")
]


def input_unit(unit: str | None) -> str | None:
    """The glucose unit given with ``--unit`` (mg/dL or mmol/L), or None when it is not given; an
    unknown unit is a one-line error naming ``--unit``."""
    if not unit:
        return None
    from endolab.units import normalize_unit

    return normalize_unit(unit, quantity="glucose", field="--unit", prefix_field=True)


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


#: ``--settings FILE.toml`` of the simulation commands (docs/sim.md, "Settings").
SettingsOption = Annotated[
    Path | None,
    typer.Option(
        "--settings",
        help="TOML file overriding simulation settings (print them all with: endolab sim settings).",
    ),
]
#: ``--scheduler`` and ``--workers`` of every command with ``--engine dask`` (docs/dask.md).
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler", help="--engine dask: address of a running scheduler, tcp://HOST:PORT."
    ),
]
#: ``--overwrite`` of every command that writes a file (docs/cli.md, "Output files and folders").
OverwriteOption = Annotated[
    bool,
    typer.Option(
        "--overwrite",
        help="Replace an output file that exists (atomically, keeping its permissions); without "
        "it an existing file is never replaced.",
    ),
]
WorkersOption = Annotated[
    int | None,
    typer.Option("--workers", help="--engine dask: workers of the local cluster (default 2)."),
]


def engine_choice(engine: str, scheduler: str | None, workers: int | None) -> str:
    """``local`` or ``dask`` from ``--engine``, checked with ``--scheduler``/``--workers``; ``dask``
    without the optional extra is the one-line install hint (exit 2)."""
    how = engine.strip().lower()
    if how not in ("local", "dask"):
        raise ParseError(
            f"--engine must be local or dask, got {engine!r}", field="--engine", value=engine
        )
    if how == "local" and (scheduler is not None or workers is not None):
        raise ParseError(
            "--scheduler and --workers need --engine dask", field="--engine", value=engine
        )
    if scheduler is not None and workers is not None:
        raise ParseError(
            "give --scheduler or --workers, not both", field="--scheduler", value=scheduler
        )
    if how == "dask":
        from endolab.cgm.distributed import require_dask

        require_dask()
    return how
