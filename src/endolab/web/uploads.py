"""API endpoints that take uploads or run long work: CGM metrics/AGP, trial analyse/simulate."""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt

from endolab.errors import InputError
from endolab.output import IN_SILICO_NOTICE, to_jsonable
from endolab.web.api import ERRORS, Envelope, not_a_boolean
from endolab.web.settings import Settings
from endolab.web.trialdata import FIGURES

if TYPE_CHECKING:
    from endolab.cgm import CgmData

__all__ = ["SimulateIn", "cgm_analysis", "router", "simulate_limits_in_schema"]

router = APIRouter(prefix="/api/v1")


def _read(data: bytes, name: str, unit: str | None = None) -> CgmData:
    """The uploaded export read, with the readers' notices as data (no warnings, no lock)."""
    from endolab.cgm import load_cgm

    if not data:
        raise InputError("the uploaded file is empty", code="E_EMPTY", field="file")
    return load_cgm(data, name=name or "upload", unit=unit or None)


def cgm_analysis(data: bytes, name: str, settings: Settings | None = None) -> dict[str, Any]:
    """Metrics table (JSON envelope, with the result's notices) and one AGP SVG per subject of an
    uploaded CGM export."""
    from endolab.cgm import metrics_result
    from endolab.cgm.tables import (
        display_cell,
        summary_columns,
        summary_display,
        table_record,
    )

    cgm = _read(data, name)
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


def cgm_report_pdf(data: bytes, name: str, settings: Settings | None = None) -> bytes:
    """The clinic AGP report (:mod:`endolab.cgm.report`) of an uploaded CGM export as a PDF, one
    page per subject (the first 20, as the page's AGPs)."""
    from endolab.cgm.report import clinic_report, report_pdf

    cgm = _read(data, name)
    subjects = sorted(cgm.frame.get_column("id").unique().to_list())[:20]
    with FIGURES:  # matplotlib: one figure build at a time
        return report_pdf(clinic_report(cgm, subjects))


def _agp_svg(frame: Any, subject: str) -> str:
    """The AGP of one subject as SVG text (its notices are those of the metrics, shown there)."""
    from endolab.cgm import agp_result

    with FIGURES:  # matplotlib: one figure build at a time (not a notice lock)
        fig = agp_result(frame, subject).figure
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
    text = buf.getvalue()
    return text[text.find("<svg") :]


@router.post(
    "/cgm/metrics",
    response_model=Envelope,
    responses=ERRORS,
    tags=["cgm"],
    summary="Consensus CGM metrics of an uploaded export (CSV, Parquet, Clarity, LibreView)",
)
async def cgm_metrics(
    file: UploadFile,
    unit: str | None = Form(None, description="Glucose unit of a generic file (mg/dL, mmol/L)."),
    metric_set: Literal["core", "full"] = Form("core", alias="set"),
) -> dict[str, Any]:
    from endolab.cgm import metrics_result
    from endolab.cgm.tables import table_record

    data = await file.read()

    def work() -> dict[str, Any]:  # CPU-bound: off the event loop, other requests keep flowing
        result = metrics_result(_read(data, file.filename or "upload", unit), metrics=metric_set)
        return to_jsonable(  # type: ignore[no-any-return]
            table_record(result.table, result.unit, f"cgm metrics ({metric_set})", result.notices)
        )

    return await run_in_threadpool(work)


@router.post(
    "/cgm/agp",
    responses={200: {"content": {"image/svg+xml": {}}}, **ERRORS},
    response_class=Response,
    tags=["cgm"],
    summary="Ambulatory glucose profile (SVG) of one subject of an uploaded export",
)
async def cgm_agp(
    file: UploadFile,
    subject: str | None = Form(None, description="Subject id (default: the first)."),
    unit: str | None = Form(None),
) -> Response:
    data = await file.read()

    def work() -> str:  # CPU-bound: off the event loop
        frame = _read(data, file.filename or "upload", unit).frame
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
        analysis = analyze_zip(data, request.app.state.settings, protocol, name=file.filename)
        if report == "html":
            with FIGURES:
                html = report_html(analysis)
            return Response(html, media_type="text/html; charset=utf-8")
        return Response(endpoints_json_text(analysis), media_type="application/json")

    return await run_in_threadpool(work)


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
