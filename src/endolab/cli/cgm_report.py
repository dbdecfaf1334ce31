"""`endolab cgm report` — the clinic AGP report (PDF or HTML), a view of :mod:`endolab.cgm.report`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from endolab.cli._common import (
    DateOrderOption,
    GlucoseUnitOption,
    OverwriteOption,
    ReaderOption,
    echo_disclaimer,
)
from endolab.output import json_text

__all__ = ["report_command"]


def report_command(
    files: Annotated[
        list[Path],
        typer.Argument(help="CGM files: any format the cgm commands read (docs/cgm.md)."),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="report.pdf (one page per subject; needs [plot]) or report.html (atomic)."
        ),
    ],
    subjects: Annotated[
        list[str] | None, typer.Option("--id", help="Subject to report (repeat; default: all).")
    ] = None,
    compare: Annotated[
        str | None,
        typer.Option(
            "--compare",
            help="A previous period to compare with: two dates START:END, e.g. "
            "2024-01-01:2024-01-14 (inclusive).",
        ),
    ] = None,
    report_unit: Annotated[str, typer.Option("--report-unit", help="mg/dL or mmol/L.")] = "mg/dL",
    unit: GlucoseUnitOption = None,
    reader: ReaderOption = "auto",
    date_order: DateOrderOption = "auto",
    meal_windows: Annotated[
        str | None,
        typer.Option(
            "--meal-windows",
            help="Clock windows of the meal-time segments, e.g. "
            "breakfast=06:00-10:00,lunch=11:00-15:00,dinner=17:00-21:00 (the default [A]).",
        ),
    ] = None,
    recorded_meals: Annotated[
        bool,
        typer.Option(
            "--recorded-meals",
            help="Meal-time segments before (60 min) and after (0–120 min) the carbohydrates "
            "recorded in the input files (formats that carry them) instead of clock windows.",
        ),
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="The report's numbers as JSON on standard output (as POST /api/v1/cgm/report).",
        ),
    ] = False,
    overwrite: OverwriteOption = False,
) -> None:
    """Clinic AGP report (AGP v5 layout): glucose statistics and targets, time-in-ranges bar, the
    AGP, 14 daily profiles, day and night, meal times, sufficiency, optional comparison; one page per subject.
    """
    from endolab._io import atomic_write_bytes, check_output_path
    from endolab.cgm.report import report_html, report_of_sources, report_pdf, report_record

    check_output_path(
        out, flag="--out", suffixes=(".pdf", ".html"), inputs=files, overwrite=overwrite
    )
    if out.suffix.lower() == ".pdf":
        import matplotlib  # the [plot] extra: its hint before any work

        matplotlib.use("Agg")
    report = report_of_sources(
        list(files),
        subjects=subjects or None,
        compare=compare,
        report_unit=report_unit,
        unit=unit,
        reader=reader,
        date_order=date_order,
        meal_windows=meal_windows,
        recorded_meals=recorded_meals,
    )
    if out.suffix.lower() == ".pdf":
        payload = report_pdf(report)
    else:
        payload = report_html(report, figures=_has_matplotlib()).encode("utf-8")
    atomic_write_bytes(out, payload, overwrite=overwrite, flag="--out")
    for notice in report.notices:
        typer.echo(f"warning: {notice.message}", err=True)
    if as_json:  # the library's record of the report: the JSON POST /api/v1/cgm/report answers
        typer.echo(json_text(report_record(report), indent=None))
        return
    typer.echo(f"wrote the AGP report of {len(report.pages)} subject(s) to {out}")
    echo_disclaimer()


def _has_matplotlib() -> bool:
    """The HTML report carries the page's figures when [plot] is installed (text only without)."""
    import importlib.util

    return importlib.util.find_spec("matplotlib") is not None
