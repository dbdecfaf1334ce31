"""Server-rendered pages (Jinja2, autoescaped): calculators, embeds, CGM page, trial explorer.

Each calculator is a GET form: the inputs live in the query string, so a result is a shareable URL
and works without JavaScript; ``static/app.js`` only refreshes the result while typing.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from starlette.exceptions import HTTPException as StarletteHTTPException

from endolab._templates import environment
from endolab._version import __version__
from endolab.errors import EndolabError
from endolab.hormones.presentation import RESULT_UNITS
from endolab.output import DISCLAIMER, IN_SILICO_NOTICE
from endolab.web.trialdata import (
    FIGURES,
    KeptUpload,
    TrialState,
    TrialView,
    UploadStore,
    analyze_zip,
    upload_label,
)
from endolab.web.views import band_svg, fmt, iu_left_svg, month_calendars

__all__ = ["TrialState", "router", "templates"]

TEMPLATE_DIR = Path(str(files("endolab.web") / "templates"))

# the shared setup (endolab._templates): autoescape on, every user input is escaped; Markup only
# for library-built SVG/HTML; an undefined name is an error
templates = environment(TEMPLATE_DIR, trim=True)
templates.globals.update(
    DISCLAIMER=DISCLAIMER, IN_SILICO_NOTICE=IN_SILICO_NOTICE, version=__version__, fmt=fmt
)


def origin(url: str) -> str:
    """The origin (scheme://host[:port]) of a URL: what a page's ``postMessage`` is checked against.

    >>> origin("https://forum-tools.example:8443/endolab/")
    'https://forum-tools.example:8443'
    """
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


templates.filters["origin"] = origin

router = APIRouter(include_in_schema=False)

HORMONE_FIELDS = (
    "total_t",
    "unit",
    "age",
    "shbg",
    "albumin",
    "albumin_unit",
    "dose_mg_week",
    "measured_e2",
    "e2_unit",
    "measured_dht",
    "dht_unit",
    "out_units",
)
_HCG_MIX_FIELDS = (
    "vial_iu",
    "diluent_ml",
    "dose_iu",
    "syringe",
    "preset",
    "dead_space_ml",
    "residual_ml",
    "displacement_ml",
)
#: The fields that ask for a plan (schedule, calendar, cost): any one given computes the plan, and a
#: missing or invalid one is reported with the library's message (:func:`endolab.hcg.check_plan_inputs`).
HCG_PLAN_FIELDS = (
    "freq",
    "every_days",
    "weekdays",
    "start",
    "weeks",
    "discard_after_days",
    "price_per_vial",
)
HCG_FIELDS = _HCG_MIX_FIELDS + HCG_PLAN_FIELDS


def render(name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a template to an HTML response."""
    return HTMLResponse(templates.get_template(name).render(**context), status_code=status_code)


def _params(request: Request, names: tuple[str, ...]) -> dict[str, str]:
    q = request.query_params
    return {k: q[k].strip() for k in names if q.get(k, "").strip() != ""}


def _error(exc: EndolabError) -> dict[str, Any]:
    return {
        "message": " ".join(str(exc).split()),
        "code": getattr(exc, "code", None),
        "field": getattr(exc, "field", None),
    }


@router.get("/", response_class=HTMLResponse)
def index() -> HTMLResponse:
    return render("index.html", page="home")


# ---------------------------------------------------------------- hormones

#: How the /hormones page (and its embed) asks for an option a library error asks for (its
#: :attr:`~endolab.errors.EndolabError.ask`, keyed by kind): the unit list next to the field. The
#: library names the option by its keyword (``albumin_unit='g/L'``), which the JSON API shares.
HORMONE_PAGE_ASKS: dict[str, str] = {
    "unit_nmol_l": "then choose nmol/L in the unit list next to Total testosterone)",
    "albumin_unit_g_l": "then choose g/L in the unit list next to Albumin)",
}


def _hormones_context(request: Request, embed: bool) -> dict[str, Any]:
    from endolab.hormones import predict
    from endolab.hormones.presentation import prediction_rows

    form = _params(request, HORMONE_FIELDS)
    result = error = None
    rows: list[dict[str, Any]] = []
    if form.get("out_units") not in (None, *RESULT_UNITS):
        form.pop("out_units")
    if "total_t" in form or "dose_mg_week" in form:
        try:
            args = {k: v for k, v in form.items() if k not in ("total_t", "out_units")}
            result = predict(form.get("total_t"), **args)  # type: ignore[arg-type]
        except EndolabError as exc:
            if exc.ask is not None and exc.ask.kind in HORMONE_PAGE_ASKS:  # the page's unit list
                exc = exc.asking(HORMONE_PAGE_ASKS[exc.ask.kind])
            error = _error(exc)
    if result is not None:  # the library's rows, drawn as they are (no conversion or rounding here)
        rows = [
            {
                "key": r.key,
                "name": r.name,
                "value": r.value_text,
                "band": r.band_text,
                "unit": r.unit,
                "ref": r.ref_text,
                "ref_source": r.ref_source,
                "svg": Markup(
                    band_svg(r.value, r.low, r.high, r.ref_low, r.ref_high, r.unit, r.name)
                ),
            }
            for r in prediction_rows(result, form.get("out_units", "conventional"))
        ]
    defaults = {
        "unit": "ng/dL",
        "albumin_unit": "g/dL",
        "e2_unit": "pg/mL",
        "dht_unit": "ng/dL",
        "out_units": "conventional",
    }
    shared = {k: v for k, v in form.items() if defaults.get(k) != v}
    share = "/hormones?" + urlencode(shared) if shared else "/hormones"
    return {
        "form": form,
        "result": result,
        "rows": rows,
        "result_units": RESULT_UNITS,
        "error": error,
        "embed": embed,
        "share": share,
        "action": "/embed/hormones" if embed else "/hormones",
        "page": "hormones",
        "base": str(request.base_url).rstrip("/"),
    }


#: The inputs of the "from a protocol" tab (``?tab=protocol``); ``lab`` may repeat, ``*_b`` is the
#: second regimen of the comparison.
PROTOCOL_FIELDS = (
    "ester",
    "dose_mg",
    "every_days",
    "endogenous",
    "weight_kg",
    "age",
    "shbg",
    "ester_b",
    "dose_mg_b",
    "every_days_b",
)
PROTOCOL_ESTERS = ("cypionate", "enanthate", "propionate", "undecanoate", "gel")


def _protocol_context(request: Request, embed: bool) -> dict[str, Any]:
    """The "from a protocol" tab: the library's result, rows, comparison and SVG, as they are."""
    from endolab.hormones.pk import ProtocolRequest, ProtocolResult
    from endolab.hormones.pk_view import (
        compare_protocols,
        protocol_facts,
        protocol_rows,
        protocol_svg,
        regimen_label,
    )
    from endolab.hormones.presentation import PK_LAB_COLUMNS, pk_fit_headline, pk_lab_rows

    form = _params(request, PROTOCOL_FIELDS)
    labs = [x.strip() for x in request.query_params.getlist("lab") if x.strip()][:10]
    a: ProtocolResult | None = None
    b: ProtocolResult | None = None
    error: dict[str, Any] | None = None

    asked = ProtocolRequest(
        form.get("ester", "cypionate"),
        form.get("dose_mg", ""),
        form.get("every_days", ""),
        labs=labs,
        endogenous_ng_dl=form.get("endogenous"),
        weight_kg=form.get("weight_kg"),
        age=form.get("age"),
        shbg=form.get("shbg"),
    )

    if "dose_mg" in form or "every_days" in form:
        try:
            a = asked.run()
        except EndolabError as exc:
            error = _error(exc)
        if a is not None and any(k in form for k in ("dose_mg_b", "every_days_b")):
            try:  # regimen B: the same person, the population model
                b = asked.compared_with(
                    form.get("ester_b", "cypionate"),
                    form.get("dose_mg_b", ""),
                    form.get("every_days_b", ""),
                ).run()
            except EndolabError as exc:
                error = _error(exc)
                error["message"] = "Regimen B: " + error["message"]
    query = [(k, v) for k, v in form.items()] + [("lab", x) for x in labs]
    return {
        "form": form,
        "labs": labs + [""] * (3 - len(labs)) if len(labs) < 3 else labs,
        "esters": PROTOCOL_ESTERS,
        "a": a,
        "b": b,
        "rows": protocol_rows(a) if a is not None else [],
        "facts": protocol_facts(a) if a is not None else [],
        "lab_columns": PK_LAB_COLUMNS,
        "lab_rows": pk_lab_rows(a.fit) if a is not None and a.fit is not None else [],
        "fit_line": pk_fit_headline(a.fit) if a is not None and a.fit is not None else "",
        "svg": Markup(protocol_svg(a)) if a is not None else None,
        "svg_b": Markup(protocol_svg(b)) if b is not None else None,
        "label_a": regimen_label(a) if a is not None else "",
        "label_b": regimen_label(b) if b is not None else "",
        "comparison": compare_protocols(a, b) if a is not None and b is not None else [],
        "error": error,
        "embed": embed,
        "tab": "protocol",
        "share": "/hormones?" + urlencode([("tab", "protocol"), *query]),
        "action": "/embed/hormones" if embed else "/hormones",
        "page": "hormones",
        "base": str(request.base_url).rstrip("/"),
    }


def _tab_context(request: Request, embed: bool) -> dict[str, Any]:
    if request.query_params.get("tab") == "protocol":
        return _protocol_context(request, embed)
    return {**_hormones_context(request, embed), "tab": "level"}


@router.get("/hormones", response_class=HTMLResponse)
def hormones_page(request: Request) -> HTMLResponse:
    ctx = _tab_context(request, embed=False)
    return render("hormones.html", 422 if ctx["error"] else 200, **ctx)


@router.get("/embed/hormones", response_class=HTMLResponse)
def hormones_embed(request: Request) -> HTMLResponse:
    ctx = _tab_context(request, embed=True)
    return render("embed_hormones.html", 422 if ctx["error"] else 200, **ctx)


# ---------------------------------------------------------------- hCG


def _hcg_context(request: Request, embed: bool) -> dict[str, Any]:
    from endolab.hcg import (
        FREQUENCY_PRESETS,
        PRESETS,
        SYRINGES,
        MixRequest,
        mix_svg,
        suggest_request,
    )
    from endolab.web.api import HcgPlanIn, hcg_mix_result, hcg_plan_result

    form = _params(request, HCG_FIELDS)
    if not form:  # the forum's worked example
        form = {"vial_iu": "5000", "diluent_ml": "2", "dose_iu": "250", "syringe": "u100-0.3"}
    form.setdefault("syringe", "u100-0.3")
    m = plan = error = None
    svg = None
    options: list[Any] = []
    months: list[dict[str, Any]] = []
    chart = None
    try:
        body = HcgPlanIn(**form)
        m = hcg_mix_result(body)
        svg = Markup(mix_svg(m))
        if any(k in form for k in HCG_PLAN_FIELDS):  # a plan asked for: all of it, or the message
            try:
                plan = hcg_plan_result(body)
            except EndolabError as exc:
                error = _error(exc)  # the mix result stays on the page, with what the plan lacks
            else:
                months = month_calendars(
                    list(plan.dose_dates),
                    [v.mix_date for v in plan.vials],
                    [v.discard_date for v in plan.vials if v.discard_date is not None],
                )
                chart = Markup(iu_left_svg(plan))
        try:  # the vial, dose, syringe and preset of the form (the losses are not ranked on)
            wanted = MixRequest(
                form.get("vial_iu"), form.get("dose_iu"), form["syringe"], form.get("preset")
            )
            options = list(suggest_request(wanted, top=5).suggestions)
        except EndolabError:
            options = []
    except EndolabError as exc:
        error = _error(exc)
    notices = list(plan.notices if plan is not None else (m.notices if m is not None else ()))
    query = urlencode(form)
    return {
        "form": form,
        "m": m,
        "f": m.formatted() if m is not None else {},
        "plan": plan,
        "costs": plan.formatted_costs() if plan is not None else {},
        "label": (
            m.label_line(plan.schedule.mix_date, plan.schedule.discard_date)
            if plan is not None and m is not None
            else (m.label_line() if m is not None else "")
        ),
        "svg": svg,
        "notices": notices,
        "options": options,
        "months": months,
        "chart": chart,
        "error": error,
        "embed": embed,
        "share": "/hcg?" + query,
        "ics": ("/hcg/plan.ics?" + query) if plan is not None else None,
        "action": "/embed/hcg" if embed else "/hcg",
        "syringes": SYRINGES,
        "presets": PRESETS,
        "frequencies": FREQUENCY_PRESETS,
        "page": "hcg",
        "base": str(request.base_url).rstrip("/"),
        "today": date.today().isoformat(),
    }


@router.get("/hcg", response_class=HTMLResponse)
def hcg_page(request: Request) -> HTMLResponse:
    ctx = _hcg_context(request, embed=False)
    return render("hcg.html", 422 if ctx["error"] else 200, **ctx)


@router.get("/embed/hcg", response_class=HTMLResponse)
def hcg_embed(request: Request) -> HTMLResponse:
    ctx = _hcg_context(request, embed=True)
    return render("embed_hcg.html", 422 if ctx["error"] else 200, **ctx)


@router.get("/hcg/plan.ics")
def hcg_plan_ics_page(request: Request) -> Response:
    """The plan of the page's query string as an .ics download (a link, no JavaScript)."""
    from endolab.web.api import HcgPlanIn, hcg_plan_ics_response

    return hcg_plan_ics_response(HcgPlanIn(**_params(request, HCG_FIELDS)))


# ---------------------------------------------------------------- CGM


def _cgm_render(status: int = 200, **context: Any) -> HTMLResponse:
    """The /cgm page: the upload form (its ``accept=``, the [xlsx] line, the readers and date
    orders of the report's options), a result or an error."""
    from endolab.cgm.readers import DATE_ORDERS, FORMATS
    from endolab.web.uploads import cgm_upload_suffixes

    suffixes, excel_hint = cgm_upload_suffixes()
    ctx = {"result": None, "error": None, "form": {}, **context}
    return render(
        "cgm.html",
        status,
        page="cgm",
        accept=",".join(suffixes),
        excel_hint=excel_hint,
        readers={"auto": "detected from the file", **FORMATS},
        date_orders=DATE_ORDERS,
        **ctx,
    )


#: How the /cgm page asks for an option a library error asks for (its
#: :attr:`~endolab.errors.EndolabError.ask`, keyed by kind): the form's field. The library names
#: the option by its keyword (``unit=``, ``date_order=``), which the JSON API's parameters share.
CGM_PAGE_ASKS: dict[str, str] = {
    "date_order_ambiguous": "choose dmy or mdy in the Date order field",
    "date_order_read": "choose dmy or mdy in the Date order field",
    "date_order_check": "check the Date order field",
    "unit_mg_dl_if": "Choose mg/dL in the Glucose unit of the file field if the file is in mg/dL",
    "unit_mmol_l": "choose mmol/L in the Glucose unit of the file field",
    "unit_either": "choose mg/dL or mmol/L in the Glucose unit of the file field",
    "unit_unset": "set the Glucose unit of the file field to 'as the file says'",
    "unit_unset_or_fix": (
        "set the Glucose unit of the file field to 'as the file says' or fix the file"
    ),
    "reader_give": "choose its format in the File format field",
    "engine_dask_cgm": (
        "this web page cannot read files this large: give fewer or smaller files, or read them "
        "as Parquet with the command line's Dask engine (endolab cgm metrics; docs/dask.md)"
    ),
}
#: How the /cgm page asks for the date order of an ambiguous file (its form field).
DATE_ORDER_ASK = CGM_PAGE_ASKS["date_order_ambiguous"]


def _cgm_failed(exc: Exception, form: dict[str, Any] | None = None) -> HTMLResponse:
    """The /cgm page with the one-line error: 422 for a refused input, 501 for an optional extra
    this server lacks (:func:`endolab.web.errors.missing_extra_message`)."""
    if isinstance(exc, EndolabError):
        if exc.ask is not None and exc.ask.kind in CGM_PAGE_ASKS:  # the page names its field
            exc = exc.asking(CGM_PAGE_ASKS[exc.ask.kind])
        return _cgm_render(422, error=_error(exc), form=form or {})
    from endolab.web.errors import missing_extra_message

    assert isinstance(exc, ModuleNotFoundError)
    message = missing_extra_message(exc)
    if message is None:  # a module of no extra: a bug, not hidden
        raise exc
    error = {"message": message, "code": "E_MISSING_EXTRA", "field": "file"}
    return _cgm_render(501, error=error, form=form or {})


@router.get("/cgm", response_class=HTMLResponse)
def cgm_page() -> HTMLResponse:
    return _cgm_render()


@router.post("/cgm", response_class=HTMLResponse)
async def cgm_upload(request: Request, file: UploadFile) -> HTMLResponse:
    """Analyse: the metrics and AGPs of the upload, read with the form's reading options (``id``,
    ``unit``, ``reader``, ``date_order``) as its report buttons read it; the form is kept."""
    from endolab.web.uploads import cgm_analysis

    form = await _report_form(request)
    data = await file.read()
    try:  # CPU-bound: off the event loop, other requests keep flowing
        result = await run_in_threadpool(
            partial(
                cgm_analysis,
                data,
                file.filename or "upload",
                request.app.state.settings,
                unit=form.get("unit"),
                reader=form.get("reader"),
                date_order=form.get("date_order"),
                subjects=form.get("id"),
            )
        )
    except (EndolabError, ModuleNotFoundError) as exc:
        return _cgm_failed(exc, form)
    return _cgm_render(result=result, form=form)


async def _cgm_report(
    file: UploadFile,
    form: dict[str, Any],
    kind: str,
) -> Response:
    """The clinic AGP report of the uploaded export with the form's options, as the library's
    PDF (a download) or HTML page (shown as it is); an error is the /cgm page with its line."""
    from endolab.web.uploads import cgm_clinic_report, cgm_report_html, cgm_report_pdf

    data = await file.read()

    def work() -> bytes | str:  # CPU-bound: off the event loop
        report = cgm_clinic_report(
            data,
            file.filename or "upload",
            subjects=form.get("id") or None,
            compare=form.get("compare"),
            meal_windows=form.get("meal_windows"),
            recorded_meals=form.get("recorded_meals") == "on",
            unit=form.get("report_unit") or "mg/dL",
            input_unit=form.get("unit"),
            reader=form.get("reader") or "auto",
            date_order=form.get("date_order") or "auto",
        )
        return cgm_report_pdf(report) if kind == "pdf" else cgm_report_html(report)

    try:
        payload = await run_in_threadpool(work)
    except (EndolabError, ModuleNotFoundError) as exc:
        return _cgm_failed(exc, form)
    if isinstance(payload, bytes):
        return Response(
            payload,
            media_type="application/pdf",
            headers={"content-disposition": 'attachment; filename="agp-report.pdf"'},
        )
    return HTMLResponse(
        payload, headers={"content-disposition": 'inline; filename="agp-report.html"'}
    )


#: The report options of the /cgm form: ``endolab cgm report``'s ``--compare``,
#: ``--meal-windows``, ``--recorded-meals``, ``--report-unit``, ``--unit``, ``--reader`` and
#: ``--date-order`` (``_`` for ``-``); ``id`` (``--id``) may repeat.
CGM_REPORT_FIELDS = (
    "compare",
    "meal_windows",
    "recorded_meals",
    "report_unit",
    "unit",
    "reader",
    "date_order",
)


async def _report_form(request: Request) -> dict[str, Any]:
    got = await request.form()
    form: dict[str, Any] = {
        k: str(got[k]).strip() for k in CGM_REPORT_FIELDS if str(got.get(k) or "").strip()
    }
    ids = [str(v).strip() for v in got.getlist("id") if str(v).strip()]
    if ids:
        form["id"] = ids
    return form


@router.post("/cgm/report")
async def cgm_report_download(request: Request, file: UploadFile) -> Response:
    """The clinic AGP report (PDF download) of the uploaded export: a button of the /cgm form."""
    return await _cgm_report(file, await _report_form(request), "pdf")


@router.post("/cgm/report.html")
async def cgm_report_page(request: Request, file: UploadFile) -> Response:
    """The clinic AGP report (the library's HTML page, shown in the browser): a /cgm button."""
    return await _cgm_report(file, await _report_form(request), "html")


# ---------------------------------------------------------------- trial explorer


def _trial_context(
    view: TrialView, participant: str | None, token: str | None = None
) -> dict[str, Any]:
    """What trial.html shows of ``view``; ``token`` names a kept upload (else the virtual trial).

    An unknown ``participant`` is a 404 page, never another participant or trial.
    """
    a = view.analysis
    ids = [k for k in view.agp if k != "cohort"]
    if participant is not None and participant not in ids:
        shown = ", ".join(ids[:10]) + (" …" if len(ids) > 10 else "")
        raise StarletteHTTPException(
            404,
            f"participant {participant!r} is not in this dataset (participants: {shown})",
        )
    chosen = participant if participant is not None else (ids[0] if ids else "cohort")
    uploaded = token is not None
    calibration = None
    if a.dataset.simulated and not uploaded:  # the built-in trial: control, treated and NEJM
        from endolab.sim.studies import CALIBRATED_TO, calibration_table

        calibration = {"rows": calibration_table(a), "calibrated_to": CALIBRATED_TO}
    here = f"/trial/uploads/{token}" if uploaded else "/trial"
    return {
        "page": "trial",
        "view": view,
        "a": a,
        "tables": {k: [Markup(t) for t in v] for k, v in view.tables_html.items()},
        "agp_ids": ids,
        "agp_chosen": chosen,
        "agp_uri": view.agp.get(chosen),
        "cohort_agp": view.agp.get("cohort"),
        "simulated": a.dataset.simulated,
        "seed": (a.dataset.simulation or {}).get("seed"),
        "participants": a.dataset.participants.height,
        "source": a.dataset.source if uploaded or not a.dataset.simulated else "",
        "uploaded": uploaded,
        "calibration": calibration,
        "here": here,
        "report_uri": f"{here}/report.html",
        "keep_minutes": None,
        "error": None,
    }


@router.get("/trial", response_class=HTMLResponse)
def trial_page(request: Request, participant: str | None = None) -> HTMLResponse:
    state: TrialState = request.app.state.trial
    return render("trial.html", **_trial_context(state.view(), participant))


@router.get("/trial/report.html")
def trial_report(request: Request) -> Response:
    from endolab.trial.report import report_html

    state: TrialState = request.app.state.trial
    view = state.view()
    with FIGURES:
        html = report_html(view.analysis)
    return HTMLResponse(
        html,
        headers={"content-disposition": 'attachment; filename="virtual-trial-report.html"'},
    )


def _kept(request: Request, token: str) -> KeptUpload:
    store: UploadStore = request.app.state.uploads
    kept = store.get(token)
    if kept is None:
        minutes = round(store.ttl / 60)
        raise StarletteHTTPException(
            404,
            "this upload is not kept any more (an analysed upload stays in memory for "
            f"{minutes} minutes, and only the {store.capacity} latest); upload the zip again",
        )
    return kept


#: How the /trial upload answers a library error that asks for an option the page has no field
#: for (its :attr:`~endolab.errors.EndolabError.ask`, keyed by kind): what the user can do instead.
TRIAL_PAGE_ASKS: dict[str, str] = {
    "accept_units": (
        "if these values are right, this page cannot confirm them: analyse the dataset with "
        "the command line's endolab trial analyze, which can (docs/cli.md)"
    ),
    "engine_dask_trial": (
        "this web page cannot analyse a dataset this large: analyse fewer participants, or store "
        "cgm as Parquet and analyse it with the command line's Dask engine (docs/dask.md)"
    ),
}


@router.post("/trial", response_class=HTMLResponse)
async def trial_upload(request: Request, file: UploadFile) -> Response:
    """Analyse the zip, keep the result in memory (:class:`UploadStore`) and show it (303)."""
    settings = request.app.state.settings
    data = await file.read()
    name = upload_label(file.filename)

    def work() -> TrialView:  # CPU-bound: off the event loop
        analysis = analyze_zip(data, settings, name=name)
        return TrialView.build(analysis, per_participant_agp=True)

    try:
        view = await run_in_threadpool(work)
    except EndolabError as exc:
        if exc.ask is not None and exc.ask.kind in TRIAL_PAGE_ASKS:  # what the page can offer
            exc = exc.asking(TRIAL_PAGE_ASKS[exc.ask.kind])
        return render("trial_error.html", 422, page="trial", error=_error(exc))
    token = request.app.state.uploads.put(view, name)
    return RedirectResponse(f"/trial/uploads/{token}", status_code=303)


@router.get("/trial/uploads/{token}", response_class=HTMLResponse)
def trial_upload_page(request: Request, token: str, participant: str | None = None) -> HTMLResponse:
    kept = _kept(request, token)
    ctx = _trial_context(kept.view, participant, token)
    ctx["keep_minutes"] = round(request.app.state.uploads.ttl / 60)
    return render("trial.html", **ctx)


@router.get("/trial/uploads/{token}/report.html")
def trial_upload_report(request: Request, token: str) -> Response:
    from endolab.trial.report import report_html

    kept = _kept(request, token)
    if kept.report is None:
        with FIGURES:
            kept.report = report_html(kept.view.analysis)
    stem = kept.name[:-4] if kept.name.lower().endswith(".zip") else kept.name
    filename = "".join(c if c.isalnum() or c in "-_." else "-" for c in stem) or "trial"
    return HTMLResponse(
        kept.report,
        headers={"content-disposition": f'attachment; filename="{filename}-report.html"'},
    )


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    svg = (TEMPLATE_DIR.parent / "static" / "favicon.svg").read_bytes()
    return Response(svg, media_type="image/svg+xml")
