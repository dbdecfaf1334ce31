"""API endpoints that take uploads or run long work: CGM metrics/AGP, trial analyse/simulate."""

from __future__ import annotations

import base64
import importlib.util
import io
from typing import TYPE_CHECKING, Annotated, Any, Final, Literal

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt

from endolab.errors import EndolabError, InputError
from endolab.output import IN_SILICO_NOTICE, to_jsonable
from endolab.web.api import ERRORS, Envelope, ErrorOut, not_a_boolean
from endolab.web.settings import Settings
from endolab.web.trialdata import FIGURES

if TYPE_CHECKING:
    from endolab.cgm import CgmData
    from endolab.cgm.report import ClinicReport

__all__ = [
    "CGM_SUFFIXES",
    "EXCEL_SUFFIXES",
    "SimulateIn",
    "cgm_analysis",
    "cgm_clinic_report",
    "cgm_upload_suffixes",
    "router",
    "simulate_limits_in_schema",
]

router = APIRouter(prefix="/api/v1")

#: File types of CGM exports that the readers take without an optional extra.
CGM_SUFFIXES: Final = (".csv", ".txt", ".parquet", ".tsv", ".json", ".zip")
#: Excel exports (Tidepool ``.xlsx``, Diasend ``.xls``) and the package of the ``[xlsx]`` extra
#: that reads each (:mod:`endolab.cgm.readers.tidepool_xlsx`, :mod:`~.diasend_xls`).
EXCEL_SUFFIXES: Final = {".xlsx": "openpyxl", ".xls": "python_calamine"}
#: The answers of a CGM upload: the common errors, and 501 for an export whose optional extra
#: (``[xlsx]``) this server lacks (:func:`endolab.web.errors.missing_extra_message`).
CGM_ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    **ERRORS,
    501: {"model": ErrorOut, "description": "An optional extra this server lacks (one line)"},
}


def cgm_upload_suffixes() -> tuple[tuple[str, ...], str | None]:
    """The file types the /cgm form offers (its ``accept=``) and, when the ``[xlsx]`` extra is not
    installed, the one line that says how to read Excel exports (else ``None``)."""
    missing = [m for m in EXCEL_SUFFIXES.values() if importlib.util.find_spec(m) is None]
    offered = [s for s, m in EXCEL_SUFFIXES.items() if m not in missing]
    hint = None
    if missing:
        from endolab._extras import missing_extra_hint

        line = missing_extra_hint(ModuleNotFoundError(name=missing[0]))
        hint = f"Reading Excel exports ({', '.join(EXCEL_SUFFIXES)}) {line}"
    return (*CGM_SUFFIXES, *offered), hint


#: The reading and report options as the /cgm form and the API name them (``endolab cgm
#: report``'s options with ``_`` for ``-``; ``id`` may repeat): the names its one-line errors give.
CGM_OPTION_NAMES: Final = {
    "subjects": "id",
    "report_unit": "report_unit",
    "unit": "unit",
    "reader": "reader",
    "date_order": "date_order",
    "compare": "compare",
    "meal_windows": "meal_windows",
}


def _read(
    data: bytes,
    name: str,
    unit: str | None = None,
    reader: str | None = None,
    date_order: str | None = None,
    subjects: list[str] | None = None,
) -> CgmData:
    """The uploaded export read with the reading options of the /cgm form and the API (the form's
    ``unit``, ``reader``, ``date_order``, ``id``: :func:`endolab.cgm.load_cgm_with_options`), with
    the readers' notices as data (no warnings, no lock)."""
    from endolab.cgm.results import load_cgm_with_options

    if not data:
        raise InputError("the uploaded file is empty", code="E_EMPTY", field="file")
    return load_cgm_with_options(
        data,
        names=[name or "upload"],
        unit=unit or None,
        reader=reader or "auto",
        date_order=date_order or "auto",
        subjects=subjects or None,
        option_names=CGM_OPTION_NAMES,
    )


def cgm_analysis(
    data: bytes,
    name: str,
    settings: Settings | None = None,
    *,
    unit: str | None = None,
    reader: str | None = None,
    date_order: str | None = None,
    subjects: list[str] | None = None,
) -> dict[str, Any]:
    """Metrics table (JSON envelope, with the result's notices) and one AGP SVG per subject of an
    uploaded CGM export, read with the /cgm form's reading options (``unit`` of the input,
    ``reader``, ``date_order``; ``subjects``: only these, the form's ``id``), as the report."""
    from endolab.cgm import metrics_result
    from endolab.cgm.tables import (
        display_cell,
        summary_columns,
        summary_display,
        table_record,
    )

    cgm = _read(data, name, unit, reader, date_order, subjects)
    result = metrics_result(cgm)
    table = result.table
    record = table_record(table, result.unit, "cgm metrics (core)", result.notices)
    shown, footnotes = summary_display(
        table, result.unit, measured_mmol=result.measured_unit != "mg/dL"
    )
    agps: dict[str, str] = {}
    ids = table["id"].to_list()
    for sid in ids[:20]:
        svg = _agp_svg(cgm.frame, str(sid)).encode("utf-8")
        agps[str(sid)] = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    return {
        "record": to_jsonable(record),
        # the cells as the command line prints them (endolab.cgm.tables.display_cell)
        "shown": [{c: display_cell(v) for c, v in row.items()} for row in shown.to_dicts()],
        "footnotes": footnotes,
        "columns": summary_columns(table),
        "ids": ids,
        "agps": agps,
    }


def cgm_report_pdf(report: ClinicReport) -> bytes:
    """The report as the library's PDF (:func:`endolab.cgm.report.report_pdf`), one page per
    subject."""
    from endolab.cgm.report import report_pdf

    with FIGURES:  # matplotlib: one figure build at a time
        return report_pdf(report)


#: Pages of one report on this server (the first subjects, as the page's AGPs).
CGM_REPORT_MAX_SUBJECTS: Final = 20


def cgm_clinic_report(
    data: bytes,
    name: str,
    *,
    subjects: list[str] | None = None,
    compare: str | None = None,
    meal_windows: str | None = None,
    recorded_meals: bool = False,
    unit: str = "mg/dL",
    input_unit: str | None = None,
    reader: str = "auto",
    date_order: str = "auto",
) -> ClinicReport:
    """The clinic AGP report (:func:`endolab.cgm.report.report_of_sources`) of an uploaded export
    with the options of ``endolab cgm report`` (``--id``, ``--compare``, ``--meal-windows``,
    ``--recorded-meals``, ``--report-unit`` as ``unit``, ``--unit`` as ``input_unit``,
    ``--reader``, ``--date-order``), one page per subject (at most 20: by default the first 20)."""
    from endolab.cgm.report import report_of_sources

    if not data:
        raise InputError("the uploaded file is empty", code="E_EMPTY", field="file")
    return report_of_sources(
        data,
        names=[name or "upload"],
        subjects=subjects or None,
        compare=compare or None,
        report_unit=unit,
        unit=input_unit or None,
        reader=reader or "auto",
        date_order=date_order or "auto",
        meal_windows=meal_windows or None,
        recorded_meals=recorded_meals,
        max_subjects=CGM_REPORT_MAX_SUBJECTS,
        option_names=CGM_OPTION_NAMES,
    )


def cgm_report_html(report: ClinicReport) -> str:
    """The report as the library's HTML page (:func:`endolab.cgm.report.report_html`)."""
    from endolab.cgm.report import report_html

    with FIGURES:  # matplotlib: one figure build at a time
        return report_html(report)


def _agp_svg(frame: Any, subject: str) -> str:
    """The AGP of one subject as SVG text (its notices are those of the metrics, shown there)."""
    from endolab.cgm import agp_result

    with FIGURES:  # matplotlib: one figure build at a time (not a notice lock)
        fig = agp_result(frame, subject).figure
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
    text = buf.getvalue()
    return text[text.find("<svg") :]


#: The reading options of every CGM upload (as ``endolab cgm``'s ``--unit``, ``--reader``,
#: ``--date-order``), described once for the OpenAPI schema.
_UNIT_HELP: Final = (
    "Glucose unit of the input (a generic file without one): mg/dL or mmol/L (default: as the "
    "file says)."
)
_READER_HELP: Final = "File format: auto (detected) or one of the readers (docs/cgm.md, Formats)."
_DATE_ORDER_HELP: Final = (
    "Date order of day/month dates: auto (told from the dates; ambiguous files are refused), "
    "dmy, mdy or ymd (LibreView, generic)."
)


@router.post(
    "/cgm/metrics",
    response_model=Envelope,
    responses=CGM_ERRORS,
    tags=["cgm"],
    summary="Consensus CGM metrics of an uploaded export (any format the readers take; Excel needs [xlsx])",
)
async def cgm_metrics(
    file: UploadFile,
    unit: str | None = Form(None, description=_UNIT_HELP),
    reader: str = Form("auto", description=_READER_HELP),
    date_order: str = Form("auto", description=_DATE_ORDER_HELP),
    metric_set: Literal["core", "full"] = Form("core", alias="set"),
) -> dict[str, Any]:
    from endolab.cgm import metrics_result
    from endolab.cgm.tables import table_record

    data = await file.read()

    def work() -> dict[str, Any]:  # CPU-bound: off the event loop, other requests keep flowing
        cgm = _read(data, file.filename or "upload", unit, reader, date_order)
        result = metrics_result(cgm, metrics=metric_set)
        return to_jsonable(  # type: ignore[no-any-return]
            table_record(result.table, result.unit, f"cgm metrics ({metric_set})", result.notices)
        )

    return await run_in_threadpool(work)


@router.post(
    "/cgm/agp",
    responses={200: {"content": {"image/svg+xml": {}}}, **CGM_ERRORS},
    response_class=Response,
    tags=["cgm"],
    summary="Ambulatory glucose profile (SVG) of one subject of an uploaded export",
)
async def cgm_agp(
    file: UploadFile,
    subject: str | None = Form(None, description="Subject id (default: the first)."),
    unit: str | None = Form(None, description=_UNIT_HELP),
    reader: str = Form("auto", description=_READER_HELP),
    date_order: str = Form("auto", description=_DATE_ORDER_HELP),
) -> Response:
    data = await file.read()

    def work() -> str:  # CPU-bound: off the event loop
        frame = _read(data, file.filename or "upload", unit, reader, date_order).frame
        ids = frame["id"].unique(maintain_order=True).to_list()
        if subject is not None and subject not in ids:
            shown = ", ".join(map(str, ids[:10]))
            raise InputError(
                f"subject {subject!r} is not in the file (subjects: {shown})",
                field="subject",
                value=subject,
            )
        return _agp_svg(frame, subject or str(ids[0]))

    return Response(await run_in_threadpool(work), media_type="image/svg+xml")


@router.post(
    "/cgm/report",
    response_model=None,
    responses={
        200: {
            "model": Envelope,
            "description": "The report's numbers (format=json), or the report as PDF or HTML",
            "content": {
                "application/pdf": {},
                "text/html": {},
            },
        },
        **CGM_ERRORS,
    },
    tags=["cgm"],
    summary="Clinic AGP report of an uploaded export: its numbers as JSON, or the PDF or HTML",
)
async def cgm_report(
    file: UploadFile,
    subjects: Annotated[
        list[str] | None,
        Form(
            alias="id",
            description="Subject to report (repeat the field for several; default: every "
            "subject, the first 20).",
        ),
    ] = None,
    report_unit: str = Form("mg/dL", description="Glucose unit shown: mg/dL or mmol/L."),
    unit: str | None = Form(None, description=_UNIT_HELP),
    reader: str = Form("auto", description=_READER_HELP),
    date_order: str = Form("auto", description=_DATE_ORDER_HELP),
    compare: str | None = Form(
        None, description="A previous period to compare with: two dates START:END (inclusive)."
    ),
    meal_windows: str | None = Form(
        None,
        description="Clock windows of the meal-time segments, e.g. "
        "breakfast=06:00-10:00,lunch=11:00-15:00,dinner=17:00-21:00 (the default [A]).",
    ),
    recorded_meals: bool = Form(
        False, description="Meal-time segments around the carbohydrates recorded in the file."
    ),
    out_format: Literal["json", "pdf", "html"] = Form("json", alias="format"),
) -> Response:
    """As ``endolab cgm report``: ``format=json`` answers the library's record of the report
    (:func:`endolab.cgm.report.report_record`), ``pdf`` and ``html`` the report itself."""
    data = await file.read()

    def work() -> Response:  # CPU-bound: off the event loop
        from endolab.cgm.report import report_record
        from endolab.output import json_text

        report = cgm_clinic_report(
            data,
            file.filename or "upload",
            subjects=subjects,
            compare=compare,
            meal_windows=meal_windows,
            recorded_meals=recorded_meals,
            unit=report_unit,
            input_unit=unit,
            reader=reader,
            date_order=date_order,
        )
        if out_format == "pdf":
            return Response(
                cgm_report_pdf(report),
                media_type="application/pdf",
                headers={"content-disposition": 'attachment; filename="agp-report.pdf"'},
            )
        if out_format == "html":
            return Response(cgm_report_html(report), media_type="text/html; charset=utf-8")
        return Response(
            json_text(report_record(report), indent=None), media_type="application/json"
        )

    return await run_in_threadpool(work)


@router.post(
    "/trial/analyze",
    response_model=None,
    responses={200: {"content": {"application/json": {}, "text/html": {}}}, **ERRORS},
    tags=["trial"],
    summary="Analyse a trial dataset folder uploaded as a zip: endpoints JSON or the report",
)
async def trial_analyze(
    request: Request,
    file: UploadFile,
    report: Literal["json", "html"] = Form("json"),
    protocol: Literal["zimislecel-2025"] = Form("zimislecel-2025"),
) -> Any:
    from endolab.trial.report import endpoints_json_text, report_html
    from endolab.web.trialdata import analyze_zip

    data = await file.read()

    def work() -> Response:  # CPU-bound: off the event loop
        try:
            analysis = analyze_zip(data, request.app.state.settings, protocol, name=file.filename)
        except EndolabError as exc:  # a request for an option this endpoint has none of
            if exc.ask is not None and exc.ask.kind in TRIAL_API_ASKS:
                raise exc.asking(TRIAL_API_ASKS[exc.ask.kind]) from None
            raise
        if report == "html":
            with FIGURES:
                html = report_html(analysis)
            return Response(html, media_type="text/html; charset=utf-8")
        return Response(endpoints_json_text(analysis), media_type="application/json")

    return await run_in_threadpool(work)


#: How POST /api/v1/trial/analyze answers a library error that asks for an option it has no
#: parameter for (its :attr:`~endolab.errors.EndolabError.ask`, keyed by kind): what can instead.
TRIAL_API_ASKS: dict[str, str] = {
    "accept_units": (
        "if these values are right, this API cannot confirm them: analyse the dataset with the "
        "command line's endolab trial analyze, which can (docs/cli.md)"
    ),
    "engine_dask_trial": (
        "this API cannot analyse a dataset this large: analyse fewer participants, or store cgm "
        "as Parquet and analyse it with the command line's Dask engine (docs/dask.md)"
    ),
}


class SimulateIn(BaseModel):
    """A small virtual trial (bounded by the server's settings: ``Settings.max_simulate_*``, which
    :func:`simulate_limits_in_schema` writes into the OpenAPI schema as ``maximum``)."""

    model_config = ConfigDict(extra="forbid")
    participants: StrictInt = Field(4, ge=1, description="Virtual participants.")
    days: StrictInt = Field(120, ge=1, description="Follow-up [days].")
    seed: StrictInt = Field(
        1, ge=0, le=2**32 - 1, description="Random seed (same seed, same result)."
    )
    dose_cells: Annotated[float | None, BeforeValidator(not_a_boolean)] = Field(
        None, gt=0, le=1e10, allow_inf_nan=False, description="Cells infused."
    )


def simulate_limits_in_schema(schema: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Write this server's limits of ``/trial/simulate`` into its OpenAPI ``schema`` (in place)."""
    props = schema.get("components", {}).get("schemas", {}).get("SimulateIn", {})
    props = props.get("properties", {})
    if "participants" in props:
        props["participants"]["maximum"] = settings.max_simulate_participants
        default = props["participants"].get("default", 1)
        props["participants"]["default"] = min(default, settings.max_simulate_participants)
    if "days" in props:
        props["days"]["maximum"] = settings.max_simulate_days
        props["days"]["default"] = min(props["days"].get("default", 1), settings.max_simulate_days)
    return schema


@router.post(
    "/trial/simulate",
    response_model=Envelope,
    responses=ERRORS,
    tags=["trial"],
    summary="Simulate a small virtual trial and return its endpoints (in-silico, not evidence)",
)
def trial_simulate(request: Request, body: SimulateIn) -> dict[str, Any]:
    from endolab.sim import simulate_trial
    from endolab.trial import analyze, load_protocol

    s: Settings = request.app.state.settings
    # a default larger than this server allows becomes its limit (the schema says the same)
    if "participants" not in body.model_fields_set:
        body.participants = min(body.participants, s.max_simulate_participants)
    if "days" not in body.model_fields_set:
        body.days = min(body.days, s.max_simulate_days)
    if body.participants > s.max_simulate_participants:
        raise InputError(
            f"participants must be at most {s.max_simulate_participants} on this server "
            f"(got {body.participants}); run `endolab trial simulate` for larger trials",
            field="participants",
            value=body.participants,
        )
    if body.days > s.max_simulate_days:
        raise InputError(
            f"days must be at most {s.max_simulate_days} on this server (got {body.days})",
            field="days",
            value=body.days,
        )
    ds = simulate_trial(
        participants=body.participants,
        days=body.days,
        seed=body.seed,
        dose_cells=body.dose_cells,
    )
    doc = analyze(ds, load_protocol()).endpoints_json()
    doc["in_silico_notice"] = IN_SILICO_NOTICE
    return to_jsonable(doc)  # type: ignore[no-any-return]
