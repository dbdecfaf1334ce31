"""`endolab cgm` — CGM analytics: consensus metrics, episodes, variability indices, AGP.

Thin adapters: reading, science and figures live in :mod:`endolab.cgm`; heavy imports happen inside
the commands so that ``endolab --help`` stays fast.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from endolab.cli._common import (
    OverwriteOption,
    ReaderOption,
    SchedulerOption,
    WorkersOption,
    echo_disclaimer,
    engine_choice,
    input_unit,
)
from endolab.errors import InputError, ParseError, one_of
from endolab.output import DISCLAIMER

if TYPE_CHECKING:
    from collections.abc import Iterator

    import polars as pl

    from endolab.cgm import CgmData, MetricsResult
    from endolab.notices import Notice

__all__ = ["app"]

app = typer.Typer(
    help="CGM analytics: consensus metrics, episodes, variability indices, AGP.",
    no_args_is_help=True,
)

#: Inputs at least this large (sum of file sizes) get a progress bar on standard error.
PROGRESS_MIN_BYTES = 20_000_000

_Files = Annotated[
    list[Path],
    typer.Argument(
        help="CGM files: generic CSV/Parquet, Dexcom Clarity, LibreView, CareLink or Tandem "
        "t:connect/Source CSV, Nightscout or Tidepool JSON, Glooko zip."
    ),
]
_Unit = Annotated[
    str | None,
    typer.Option(
        "--unit",
        help="Glucose unit of the input: mg/dL or mmol/L (default: detect if unambiguous).",
    ),
]
_DateOrder = Annotated[
    str,
    typer.Option(
        "--date-order",
        help="Date order of LibreView files and of generic files with day/month or month/day "
        "dates: auto (from the data; ambiguous files are an error), dmy, mdy or ymd.",
    ),
]
_Json = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on standard output.")]
_Scans = Annotated[
    bool,
    typer.Option(
        "--include-scans",
        help="LibreView: also keep scan readings (record type 1); default: historic only.",
    ),
]
_IdCol = Annotated[
    str | None,
    typer.Option("--id-col", help="Generic files: name of the subject column (default: id, …)."),
]
_TimeCol = Annotated[
    str | None,
    typer.Option("--time-col", help="Generic files: name of the time column (default: time, …)."),
]
_GlCol = Annotated[
    str | None,
    typer.Option("--gl-col", help="Generic files: name of the glucose column (default: gl, …)."),
]


def _columns(id_col: str | None, time_col: str | None, gl_col: str | None) -> dict[str, str]:
    """The column map of the generic reader from --id-col/--time-col/--gl-col."""
    given = {"id": id_col, "time": time_col, "gl": gl_col}
    return {key: name for key, name in given.items() if name is not None}


_TABLE_SUFFIXES = {"csv": (".csv",), "json": (".json",), "parquet": (".parquet", ".pq")}


def _check_out(
    out: Path | None, files: list[Path], fmt: str | None = None, overwrite: bool = False
) -> None:
    """Check --out before any work (one shared check: :func:`endolab._io.check_output_path`).

    The suffix must name the format: that of --format when given, else one of the table formats;
    an existing file needs --overwrite.
    """
    if out is None:
        return
    from endolab._io import check_output_path

    key = fmt.strip().lower() if fmt is not None else None
    if key in _TABLE_SUFFIXES:
        suffixes: tuple[str, ...] = _TABLE_SUFFIXES[key]
    else:
        suffixes = tuple(s for group in _TABLE_SUFFIXES.values() for s in group)
    check_output_path(out, flag="--out", suffixes=suffixes, inputs=files, overwrite=overwrite)


def _say(notices: Sequence[Notice]) -> None:
    """The result's notices as ``warning: …`` lines on standard error (after the output)."""
    for notice in notices:
        typer.echo(f"warning: {notice.message}", err=True)


@contextmanager
def _progress(files: list[Path], what: str) -> Iterator[Any]:
    """A rich progress bar on standard error for large inputs (a no-op for small ones)."""
    total = sum(p.stat().st_size for p in files if p.is_file())
    if total < PROGRESS_MIN_BYTES:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        yield (bar, bar.add_task(what, total=len(files) + 1))


def _read(
    files: list[Path],
    reader: str,
    unit: str | None,
    date_order: str,
    bar: Any,
    columns: dict[str, str] | None = None,
    include_scans: bool = False,
) -> CgmData:
    from endolab.cgm import load_cgm

    return load_cgm(
        list(files),
        unit=unit,
        progress=_advance(bar),
        **read_options(reader, date_order, columns, include_scans),
    )


def read_options(
    reader: str, date_order: str, columns: dict[str, str] | None, include_scans: bool
) -> dict[str, Any]:
    """The readers' keyword options from --reader, --date-order, the column map, --include-scans."""
    from endolab.cgm.readers import reader_options

    options = reader_options(reader, date_order)
    if columns:
        options["columns"] = columns
    if include_scans:
        options["include_scans"] = True
    return options


def _advance(bar: Any) -> Any:
    """The readers' per-file progress callback for ``bar`` (None without a bar)."""
    return None if bar is None else (lambda _name: bar[0].advance(bar[1]))


def _write_out(out: Path, data: bytes, overwrite: bool) -> None:
    """Write ``data`` to ``out`` atomically (the output rule, :mod:`endolab._io`: an existing file
    only with --overwrite; an OS error is a one-line InputError about --out)."""
    from endolab._io import atomic_write_bytes

    atomic_write_bytes(out, data, overwrite=overwrite, flag="--out")


def _write_table(
    table: pl.DataFrame,
    fmt: str,
    out: Path | None,
    payload: dict[str, Any],
    overwrite: bool = False,
) -> None:
    from endolab.cgm.tables import table_bytes

    if fmt == "parquet" and out is None:
        raise InputError("--format parquet needs --out FILE", field="out")
    data = table_bytes(table, fmt, payload)  # type: ignore[arg-type]
    if out is None:
        typer.echo(data.decode("utf-8").rstrip("\n"))
    else:
        _write_out(out, data, overwrite)


def _human_table(table: pl.DataFrame, columns: list[str], glucose_unit: str, title: str) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from endolab.cgm.columns import column_unit
    from endolab.cgm.tables import display_cell

    shown = [c for c in columns if c in table.columns]
    out = Table(title=title, title_justify="left")
    for c in shown:
        unit = column_unit(c, glucose_unit)
        out.add_column(
            escape(f"{c}\n[{unit}]") if unit else c, justify="left" if c == "id" else "right"
        )
    for row in table.select(shown).iter_rows():
        out.add_row(*[escape(display_cell(v)) for v in row])
    Console(width=max(100, 15 * len(shown))).print(out)


def _emit(
    table: pl.DataFrame,
    *,
    fmt: str | None,
    out: Path | None,
    as_json: bool,
    glucose_unit: str,
    what: str,
    human: Any,
    notices: Sequence[Notice] = (),
    overwrite: bool = False,
) -> None:
    """Shared output logic: --out writes the table; --format/--json print it; else human text.

    ``notices``: the result's notices, for the JSON ``warnings`` and ``notices``."""
    from endolab.cgm.tables import format_from_suffix, table_record

    out_fmt = one_of(fmt, ("csv", "json", "parquet"), "--format") if fmt is not None else None
    payload = table_record(table, glucose_unit, what, notices)
    if out is not None:
        _write_table(table, out_fmt or format_from_suffix(out), out, payload, overwrite)
        if as_json:
            typer.echo(
                json.dumps(
                    {
                        "disclaimer": DISCLAIMER,
                        "out": str(out),
                        "rows": table.height,
                        "warnings": [n.message for n in notices],
                        "notices": [n.as_dict() for n in notices],
                    },
                    ensure_ascii=False,
                )
            )
            return
        typer.echo(f"wrote {table.height} row(s) × {table.width} column(s) to {out}")
        echo_disclaimer()
        return
    if as_json or out_fmt == "json":
        _write_table(table, "json", None, payload)
        return
    if out_fmt == "csv":
        _write_table(table, "csv", None, payload)
        typer.echo(f"Disclaimer: {DISCLAIMER}", err=True)  # keeps standard output a clean CSV
        return
    if out_fmt == "parquet":
        raise InputError("--format parquet needs --out FILE", field="out")
    human()
    echo_disclaimer()


def _window(window: str | None, day0: str | None) -> tuple[tuple[Any, Any] | None, Any]:
    """Parse --window FIRST:LAST and --day0 DATE|FILE (a file when such a file exists)."""
    from endolab.cgm.windows import resolve_window

    zero: Any = day0
    if day0 is not None and (Path(day0).is_file() or Path(day0).is_dir()):
        zero = Path(day0)  # a folder: named as such by the library
    return resolve_window(window, zero)


@app.command("metrics")
def metrics_command(
    files: _Files,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", help="csv, json or parquet (default: csv with --out, else a summary)."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the full table to FILE (atomic).")
    ] = None,
    by: Annotated[str | None, typer.Option("--by", help="Per period: day or week.")] = None,
    unit: _Unit = None,
    report_unit: Annotated[
        str, typer.Option("--report-unit", help="Unit of glucose-valued outputs: mg/dL or mmol/L.")
    ] = "mg/dL",
    metric_set: Annotated[
        str, typer.Option("--set", help="core (2019 consensus) or full.")
    ] = "core",
    window: Annotated[
        str | None,
        typer.Option(
            "--window",
            help="Days FIRST:LAST (inclusive) relative to --day0, e.g. 352:365 or -14:-1; or two "
            "dates 2024-01-01:2024-01-14.",
        ),
    ] = None,
    day0: Annotated[
        str | None,
        typer.Option(
            "--day0",
            help="Day 0 for --window: a date (YYYY-MM-DD) for everyone, or a CSV file with "
            "columns id,day0.",
        ),
    ] = None,
    reader: ReaderOption = "auto",
    date_order: _DateOrder = "auto",
    id_col: _IdCol = None,
    time_col: _TimeCol = None,
    gl_col: _GlCol = None,
    include_scans: _Scans = False,
    as_json: _Json = False,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            metavar="local|dask",
            help="local (one process, default) or dask (Parquet files or globs on a Dask "
            "cluster; needs pip install 'endolab[dask]'; docs/dask.md).",
        ),
    ] = "local",
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
    overwrite: OverwriteOption = False,
) -> None:
    """Consensus CGM metrics per subject (and per day, week or a window of days).

    Without --out or --format a summary table is printed; --format csv|json prints the full table,
    --out FILE writes it (format from --format or the file suffix). Columns: docs/cgm.md.

    A --window in which no subject has a reading is refused in one line (E_WINDOW_EMPTY, exit 3).

    Limits: files whose reading would need more memory than this machine has free (about 8 bytes
    per byte of CSV and 100 per Parquet row, plus 150 MB) are refused before reading
    (E_TOO_LARGE, exit 3); Parquet larger than memory: the dask engine (--engine dask).
    """
    import sys
    from contextlib import nullcontext

    from endolab.cgm import metrics_of_files
    from endolab.units import normalize_unit

    period = one_of(by, ("day", "week"), "--by") if by is not None else None
    chosen = one_of(metric_set, ("core", "full"), "--set")
    glucose_unit = normalize_unit(
        report_unit, quantity="glucose", field="--report-unit", prefix_field=True
    )
    in_unit = input_unit(unit)
    day0_file = [Path(day0)] if day0 is not None and Path(day0).is_file() else []
    how = engine_choice(engine, scheduler, workers)
    columns = _columns(id_col, time_col, gl_col)
    if how == "dask":
        inputs, folder = _dask_inputs(
            files,
            fmt=fmt,
            out=out,
            unsupported={
                "--reader": reader.strip().lower() not in ("auto", "generic"),
                "--date-order": date_order.strip().lower() != "auto",
                "--include-scans": include_scans,
            },
            overwrite=overwrite,
        )
        options: dict[str, Any] = {"dask_progress": sys.stderr.isatty()}
    else:
        _check_out(out, [*files, *day0_file], fmt, overwrite)
        inputs, folder = files, None
        options = read_options(reader, date_order, None, include_scans)
    win, zero = _window(window, day0)
    with nullcontext(None) if how == "dask" else _progress(files, "reading") as bar:
        result = metrics_of_files(  # the engine is chosen in the library
            inputs,
            engine=how,
            metrics=chosen,
            by=period,
            window=win,
            day0=zero,
            unit=in_unit,
            unit_out=glucose_unit,
            columns=columns or None,
            scheduler=scheduler,
            n_workers=workers,
            progress=_advance(bar),
            **options,
        )
        if bar is not None:
            bar[0].advance(bar[1])
    if win is not None:  # a window outside every reading: said, not an empty table (E_WINDOW_EMPTY)
        from endolab.cgm.windows import check_window_readings

        check_window_readings(result.table, win)
    if folder is not None:
        from endolab.cgm.distributed import write_parts

        table = result.table
        write_parts(table, folder, parts=getattr(result, "tasks", 0))
        n_parts = sum(1 for p in folder.iterdir() if p.suffix == ".parquet")
        typer.echo(
            f"wrote {table.height} row(s) as {n_parts} Parquet part(s) and _SUCCESS to {folder}",
            err=True,
        )
        _say(result.notices)
        return
    _emit_metrics(
        result,
        fmt=fmt,
        out=out,
        as_json=as_json,
        what=f"cgm metrics ({chosen}{', dask' if how == 'dask' else ''})",
        overwrite=overwrite,
    )


def _emit_metrics(
    result: MetricsResult,
    *,
    fmt: str | None,
    out: Path | None,
    as_json: bool,
    what: str,
    overwrite: bool = False,
) -> None:
    """Emit a metrics result (both engines): the summary on screen, or --out/--format/--json;
    then its notices on standard error (said once the table is out, not before an error about
    --out)."""
    from endolab.cgm.tables import summary_columns, summary_display

    table = result.table

    def human() -> None:
        shown, footnotes = summary_display(
            table, result.unit, measured_mmol=result.measured_unit != "mg/dL"
        )
        _human_table(
            shown,
            summary_columns(table),
            result.unit,
            f"CGM consensus metrics, {table.height} row(s) (full table: --out FILE or --format csv)",
        )
        for line in footnotes:
            typer.echo(line)

    _emit(
        table,
        fmt=fmt,
        out=out,
        as_json=as_json,
        glucose_unit=result.unit,
        what=what,
        human=human,
        notices=result.notices,
        overwrite=overwrite,
    )
    _say(result.notices)


def _dask_inputs(
    files: list[Path],
    *,
    fmt: str | None,
    out: Path | None,
    unsupported: dict[str, bool],
    overwrite: bool = False,
) -> tuple[list[Path], Path | None]:
    """`cgm metrics --engine dask`: the Parquet inputs and, when --out is a folder of parts, that
    folder (``None`` for one output file), checked before any work.

    ``--out`` with a file suffix (``.parquet``, ``.csv``, ``.json``) writes one file atomically;
    ``--out`` without a suffix (or an empty folder) writes a folder of Parquet parts with
    ``_SUCCESS`` written last (docs/dask.md).
    """
    from endolab.cgm.distributed import check_parts_folder, parquet_files

    given = [flag for flag, on in unsupported.items() if on]
    if given:
        raise ParseError(
            f"{', '.join(given)} not supported with --engine dask (Parquet files, whole record, "
            "day or week)",
            field="--engine",
            value="dask",
        )
    inputs = parquet_files([str(f) for f in files])
    if out is not None and (out.suffix == "" or out.is_dir()):
        if fmt is not None and fmt.strip().lower() != "parquet":
            raise ParseError(
                f"--out {str(out)!r} is a folder of Parquet parts; --format {fmt} needs a file "
                "name with a suffix (e.g. metrics.csv)",
                field="--format",
                value=fmt,
            )
        check_parts_folder(out, inputs=inputs)
        return inputs, out
    _check_out(out, inputs, fmt, overwrite)
    return inputs, None


@app.command("episodes")
def episodes_command(
    files: _Files,
    fmt: Annotated[str | None, typer.Option("--format", help="csv, json or parquet.")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the table to FILE (atomic).")
    ] = None,
    summary: Annotated[
        bool, typer.Option("--summary", help="Counts per subject instead of one row per episode.")
    ] = False,
    lv2_end: Annotated[
        str,
        typer.Option("--lv2-end", help="Level-2 end rule: same (end threshold = start) or level1."),
    ] = "same",
    inter_gap: Annotated[
        str,
        typer.Option(
            "--inter-gap", help="Longest gap bridged inside an episode [min] (default 45)."
        ),
    ] = "45",
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="iglu_grid (R iglu's 5-min interpolated grid, default) or readings "
            "(the readings themselves).",
        ),
    ] = "iglu_grid",
    unit: _Unit = None,
    reader: ReaderOption = "auto",
    date_order: _DateOrder = "auto",
    id_col: _IdCol = None,
    time_col: _TimeCol = None,
    gl_col: _GlCol = None,
    include_scans: _Scans = False,
    as_json: _Json = False,
    overwrite: OverwriteOption = False,
) -> None:
    """Consensus (2023) hypo/hyperglycaemia episodes: level 1, level 2, extended.

    Limits: files whose reading would need more memory than this machine has free (about 8 bytes
    per byte of CSV and 100 per Parquet row, plus 150 MB) are refused before reading
    (E_TOO_LARGE, exit 3).
    """
    from endolab.cgm import episodes_result
    from endolab.cgm.tables import episode_summary_columns
    from endolab.numbers import parse_float

    rule = one_of(lv2_end, ("same", "level1"), "--lv2-end")
    how = one_of(method, ("iglu_grid", "readings"), "--method")
    gap = parse_float(inter_gap, "--inter-gap", unit="minutes")
    in_unit = input_unit(unit)
    _check_out(out, files, fmt, overwrite)
    with _progress(files, "reading") as bar:
        data = _read(
            files,
            reader,
            in_unit,
            date_order,
            bar,
            _columns(id_col, time_col, gl_col),
            include_scans,
        )
        result = episodes_result(
            data,
            lv2_end=rule,
            inter_gap=gap,
            method=how,
        )
    table = result.summary if summary else result.table
    _emit(
        table,
        fmt=fmt,
        out=out,
        as_json=as_json,
        glucose_unit="mg/dL",
        what="cgm episodes" + (" (summary)" if summary else ""),
        human=lambda: _human_table(
            result.summary,
            episode_summary_columns(result.summary),
            "mg/dL",
            f"Consensus episodes per subject ({result.table.height} episode(s); "
            "one row per episode: --format csv or --out FILE)",
        ),
        notices=result.notices,
        overwrite=overwrite,
    )
    _say(result.notices)


@app.command("detect")
def detect_command(
    file: Annotated[Path, typer.Argument(help="CGM file (any supported format).")],
    reader: ReaderOption = "auto",
    date_order: _DateOrder = "auto",
    as_json: _Json = False,
) -> None:
    """Name the format of a CGM file, its glucose unit and the time span of its readings.

    The file is read in full, so a file that breaks its format is refused in one line naming the
    line (exit 3).
    """
    from endolab.cgm.readers import describe_file
    from endolab.notices import collect

    options = read_options(reader, date_order, None, False)
    with collect() as notices:
        found = describe_file(file, reader=options.pop("reader"), **options)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "disclaimer": DISCLAIMER,
                    **found.as_dict(),
                    "warnings": [n.message for n in notices],
                    "notices": [n.as_dict() for n in notices],
                },
                ensure_ascii=False,
            )
        )
        return
    typer.echo(
        f"{found.file}: {found.label}; glucose in {found.unit}; {found.n_readings} readings "
        f"({found.n_low} Low, {found.n_high} High); {found.first:%Y-%m-%d %H:%M} to "
        f"{found.last:%Y-%m-%d %H:%M} ({found.span_days:g} days); "
        f"subject(s): {', '.join(found.subjects)}"
    )
    _say(notices)
    echo_disclaimer()


@app.command("agp")
def agp_command(
    file: Annotated[Path, typer.Argument(help="CGM file.")],
    subject: Annotated[str, typer.Option("--id", help="Subject id to plot.")],
    out: Annotated[Path, typer.Option("--out", help="Figure file: .png, .svg or .pdf (atomic).")],
    report_unit: Annotated[str, typer.Option("--report-unit", help="mg/dL or mmol/L.")] = "mg/dL",
    title: Annotated[str | None, typer.Option("--title", help="Figure title.")] = None,
    smooth: Annotated[
        bool,
        typer.Option("--smooth", help="Smooth the percentile curves (1-h moving average)."),
    ] = False,
    y_max: Annotated[
        str | None,
        typer.Option(
            "--y-max",
            help="Top of the glucose axis in --report-unit (default 400 mg/dL = 22.2 mmol/L, "
            "the same for every subject).",
        ),
    ] = None,
    unit: _Unit = None,
    reader: ReaderOption = "auto",
    date_order: _DateOrder = "auto",
    id_col: _IdCol = None,
    time_col: _TimeCol = None,
    gl_col: _GlCol = None,
    include_scans: _Scans = False,
    as_json: _Json = False,
    overwrite: OverwriteOption = False,
) -> None:
    """Ambulatory Glucose Profile report figure for one subject.

    Limits: files whose reading would need more memory than this machine has free (about 8 bytes
    per byte of CSV and 100 per Parquet row, plus 150 MB) are refused before reading
    (E_TOO_LARGE, exit 3).
    """
    import matplotlib

    matplotlib.use("Agg")

    from endolab._io import check_output_path
    from endolab.cgm import agp_result
    from endolab.units import normalize_unit

    check_output_path(
        out, flag="--out", suffixes=(".png", ".svg", ".pdf"), inputs=[file], overwrite=overwrite
    )
    top = None
    if y_max is not None:
        from endolab.numbers import parse_float

        top = parse_float(y_max, "--y-max", unit=report_unit)
        if top <= 0:
            raise InputError(f"--y-max {y_max!r} must be greater than 0", field="--y-max")
    glucose_unit = normalize_unit(
        report_unit, quantity="glucose", field="--report-unit", prefix_field=True
    )
    in_unit = input_unit(unit)
    with _progress([file], "reading") as bar:
        data = _read(
            [file],
            reader,
            in_unit,
            date_order,
            bar,
            _columns(id_col, time_col, gl_col),
            include_scans,
        )
        result = agp_result(data, subject, unit=glucose_unit, title=title, smooth=smooth, y_max=top)
        buffer = io.BytesIO()
        result.figure.savefig(buffer, format=out.suffix.lower().lstrip("."), dpi=150)
    _write_out(out, buffer.getvalue(), overwrite)
    _say(result.notices)
    # the panel's data-sufficiency verdict, as drawn (issue 18)
    panel = result.metrics
    sufficiency = {
        "sufficient_2019": panel["sufficient_2019"],
        "sufficiency": panel["sufficiency"],
        "days_worn": panel["days_worn"],
        "active_percent": panel["active_percent"],
        "median_interval_min": panel["median_interval_min"],
        "units": {"days_worn": "days", "active_percent": "%", "median_interval_min": "min"},
    }
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "disclaimer": DISCLAIMER,
                    "out": str(out),
                    "id": subject,
                    **sufficiency,
                    "warnings": [n.message for n in result.notices],
                    "notices": [n.as_dict() for n in result.notices],
                },
                ensure_ascii=False,
            )
        )
        return
    typer.echo(f"wrote the AGP of {subject} to {out}; {panel['sufficiency']}")
    echo_disclaimer()


# `endolab cgm fhir …` (HL7 FHIR CGM IG Bundles) lives in its own module.
from endolab.cli.cgm_fhir import app as _fhir_app  # noqa: E402

app.add_typer(_fhir_app, name="fhir")

# `endolab cgm report` (the clinic AGP report) lives in its own module.
from endolab.cli.cgm_report import report_command  # noqa: E402

app.command("report")(report_command)
